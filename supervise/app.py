"""The Textual application: the session, idle logoff and app-wide commands.

The app owns who is logged in (`user`) and the opened program (`context`);
screens do the rest. Start-up is measured against a bare Textual app, so this
module and the login screen import no database, Argon2 or service module at
the top: those load in worker threads, after the login screen is drawn.

In an SSH session (`ssh_user`) the username is fixed and logging off, by hand
or when idle, ends the process: the connection closes with the message, and
nobody else can log in on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from supervise.screens.base import attempt, permit
from supervise.screens.destinations import BY_ID, first_role, for_roles, next_role
from supervise.screens.login import LoginScreen
from supervise.settings import Settings

if TYPE_CHECKING:
    from textual.worker import Worker

    from supervise.screens.destinations import Destination
    from supervise.services.accounts import UserSession
    from supervise.services.context import Clock, ProgramContext
    from supervise.services.setup import DemoAccount

log = logging.getLogger(__name__)

EXIT_WHEN_READY = "SUPERVISE_EXIT_WHEN_READY"
"""For the start-up benchmark and tests: `1` exits once the login screen is
first drawn; `open` exits once the program is open too (a login would work)."""


def idle_note(seconds: int) -> str:
    """'Logged off after 10 minutes idle.', in the unit the setting reads best."""
    if seconds % 60:
        return f"Logged off after {seconds} seconds idle."
    minutes = seconds // 60
    return f"Logged off after {minutes} minute{'s' if minutes != 1 else ''} idle."


class SuperviseApp(App[None]):
    """Log people in, show their home, and log them off when they leave."""

    CSS_PATH = "app.tcss"
    TITLE = "supervise"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so that they work from dialogs too.
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("ctrl+l", "log_off", "Log off", id="log-off", priority=True),
    ]
    IDLE_CHECK_SECONDS: ClassVar[float] = 5.0
    """How often the idle timer looks at the last activity."""
    TERMINAL_CHECK_SECONDS: ClassVar[float] = 2.0
    """How often the app checks that its terminal is still there."""
    HANG_UP_GRACE_SECONDS: ClassVar[float] = 5.0
    """After a hang-up and the audited logoff, how long the normal exit may take."""

    def __init__(
        self,
        settings: Settings,
        *,
        context: ProgramContext | None = None,
        demo_accounts: Sequence[DemoAccount] = (),
        clock: Clock | None = None,
        on_forced_exit: Callable[[], None] | None = None,
        ssh_user: str | None = None,
        ssh_password: str | None = None,
    ) -> None:
        """Build the app; nothing is opened until it runs.

        Args:
            settings: The program's settings.
            context: An opened program; when None the app opens it after start.
            demo_accounts: Sample logins to list on the login screen.
            clock: The time source for idle logoff; the program's by default.
            on_forced_exit: Clean-up to run if, after a hang-up, the process
                has to end itself (the demo removes its folder).
            ssh_user: The account an SSH connection authenticated: the only
                one that may log in, and logging off ends the app.
            ssh_password: The password of an SSH password login, to log in
                with at once.
        """
        super().__init__()
        self.settings = settings
        self.demo_accounts = tuple(demo_accounts)
        self.user: UserSession | None = None
        """Who is logged in, holding their private key until logoff."""
        self.role: str | None = None
        """The role whose home is shown."""
        self._program = context
        self._clock = clock
        self._last_activity = self.now()
        self._on_forced_exit = on_forced_exit
        self._hung_up = False
        self.ssh_user = ssh_user
        self.exit_note = ""
        """In SSH mode, why the app ended (shown as the connection closes)."""
        self._ssh_password = ssh_password

    @property
    def context(self) -> ProgramContext:
        """The opened program.

        Raises:
            RuntimeError: The program is still being opened.
        """
        if self._program is None:
            raise RuntimeError("the program is not open yet")
        return self._program

    def now(self) -> datetime:
        """The time by the injected clock, else the program's, else UTC."""
        if self._clock is not None:
            return self._clock()
        if self._program is not None:
            return self._program.now()
        return datetime.now(UTC)

    # --- start-up ------------------------------------------------------------

    async def on_mount(self) -> None:
        """Show the login form; open the program once it is drawn."""
        self._quit_on_hang_up()
        self.set_interval(self.IDLE_CHECK_SECONDS, self.check_idle_logoff)
        self.set_interval(self.TERMINAL_CHECK_SECONDS, self._check_terminal)
        password, self._ssh_password = self._ssh_password, None
        await self.push_screen(self._login_screen(password=password))
        self.call_after_refresh(self._login_drawn)

    def _quit_on_hang_up(self) -> None:
        """A closed terminal or a dropped SSH link (SIGHUP), or SIGTERM, quits
        as ctrl+q does: the session is logged off (audited) and the process
        ends normally, so that the demo removes its throwaway folder."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(signum, self.call_later, self._hang_up)

    def _check_terminal(self) -> None:
        """Quit (logging off) when the terminal has gone without a SIGHUP.

        A pseudo-terminal whose other end was closed, by a process that was
        not our session's controller, sends no signal: reads return nothing
        at once, for ever, and the input thread would spin. The terminal's
        size then fails with EIO, which is how we notice.
        """
        if self.is_headless or sys.__stdout__ is None:
            return
        try:
            os.get_terminal_size(sys.__stdout__.fileno())
        except OSError as exc:
            if exc.errno == errno.EIO:
                self.call_later(self._hang_up)

    async def _hang_up(self) -> None:
        """Log off (audited) and leave, with a backstop if leaving hangs.

        Textual's output thread dies when it writes to a terminal that is
        gone, and closing the driver can then wait for it for ever. Once the
        logoff is on the record, a watchdog ends the process if the normal
        exit has not done so within `HANG_UP_GRACE_SECONDS`.
        """
        if self._hung_up:
            return
        self._hung_up = True
        audit_written = self._end_session(idle=False)
        if audit_written is not None:
            await audit_written.wait()
        threading.Thread(
            target=self._force_exit_later, name="supervise-hang-up", daemon=True
        ).start()
        self.exit()

    def _force_exit_later(self) -> None:
        time.sleep(self.HANG_UP_GRACE_SECONDS)
        log.warning("the terminal went away and the app did not stop; ending it")
        if self._on_forced_exit is not None:
            with contextlib.suppress(Exception):
                self._on_forced_exit()
        os._exit(128 + signal.SIGHUP)

    def _login_drawn(self) -> None:
        if os.environ.get(EXIT_WHEN_READY) == "1":
            self.exit()
        elif self._program is None:
            self._open_program()

    @work(thread=True, group="open-program")
    def _open_program(self) -> None:
        from supervise.services.context import open_program
        from supervise.services.errors import ServiceError

        try:
            if self._clock is None:
                context = open_program(self.settings)
            else:
                context = open_program(self.settings, self._clock)
        except ServiceError as exc:
            self.call_from_thread(self.exit, None, 2, Text(str(exc)))
            return
        self.call_from_thread(self._program_opened, context)

    def _program_opened(self, context: ProgramContext) -> None:
        self._program = context
        if os.environ.get(EXIT_WHEN_READY) == "open":
            self.exit()
            return
        if isinstance(self.screen, LoginScreen):
            self.screen.program_opened(context)

    # --- the session ---------------------------------------------------------

    @on(LoginScreen.LoggedIn)
    def _logged_in(self, event: LoginScreen.LoggedIn) -> None:
        from supervise.screens.password import PasswordDialog

        self.user = event.user
        self.touch()
        if event.user.must_change_password:
            dialog = PasswordDialog(self.context, event.user, forced=True)
            self.push_screen(dialog, self._forced_change_done)
        else:
            self.show_home()

    def _forced_change_done(self, changed: bool | None) -> None:
        if changed:
            self.show_home()
        else:
            self.log_off()

    def show_home(self, role: str | None = None) -> None:
        """Close every screen and show the home of `role` (the first held)."""
        from supervise.screens.home import HOMES

        if self.user is None:
            return
        role = role or first_role(self.user.roles)
        if role is None:
            self.notify("This account holds no role; ask an admin.", severity="error")
            self.log_off()
            return
        self.role = role
        self._replace_stack(HOMES[role](self.context, self.user))

    def _replace_stack(self, screen: Screen[Any]) -> None:
        # The stack keeps Textual's blank default screen at the bottom: it was
        # never pushed, so it cannot be switched away.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(screen)

    def _login_screen(
        self, note: str = "", password: str | None = None
    ) -> Screen[None]:
        return LoginScreen(
            self._program,
            self.demo_accounts,
            note,
            fixed_username=self.ssh_user,
            password=password,
        )

    def log_off(self, *, idle: bool = False, note: str = "") -> None:
        """End the session and show a fresh login screen with `note`.

        In an SSH session the app ends instead, showing `note` on the way out.
        """
        audit_written = self._end_session(idle)
        if self.ssh_user is not None:
            self.call_later(self._leave, audit_written, note or "Logged off.")
        elif audit_written is not None:
            self._replace_stack(self._login_screen(note))

    async def _leave(self, audit_written: Worker[None] | None, note: str) -> None:
        if audit_written is not None:
            await audit_written.wait()
        self.exit_note = note
        self.exit(message=Text(note))

    def _end_session(self, idle: bool) -> Worker[None] | None:
        """Drop the session's keys now; audit the logoff off the UI thread.

        Returns:
            The worker writing the audit row, or None when nobody was logged in.
        """
        user, self.user, self.role = self.user, None, None
        if user is None:
            return None
        user.drop_keys()
        return self._record_logoff(user, idle)

    @work(thread=True, group="log-off")
    def _record_logoff(self, user: UserSession, idle: bool) -> None:
        from supervise.services.accounts import logoff

        attempt(self, lambda: logoff(self.context, user, idle=idle))

    async def action_quit(self) -> None:
        """Log off (audited) before leaving."""
        audit_written = self._end_session(idle=False)
        if audit_written is not None:
            await audit_written.wait()
        self.exit()

    # --- idle logoff ---------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Count every key and mouse event as activity."""
        if isinstance(event, events.Key | events.MouseEvent):
            self.touch()
        await super().on_event(event)

    def touch(self) -> None:
        """Record activity now."""
        self._last_activity = self.now()

    def check_idle_logoff(self) -> bool:
        """Log off when idle for the configured time.

        Returns:
            Whether the session was logged off.
        """
        timeout = self.settings.idle_timeout_seconds
        if self.user is None:
            return False
        if (self.now() - self._last_activity).total_seconds() < timeout:
            return False
        self.log_off(idle=True, note=idle_note(timeout))
        return True

    # --- actions and commands ------------------------------------------------

    def action_log_off(self) -> None:
        """Log off now."""
        self.log_off()

    def action_switch_role(self) -> None:
        """Show the home of the next role this account holds."""
        if self.user is not None and self.role is not None:
            self.show_home(next_role(self.user.roles, self.role))

    def action_open(self, destination: str) -> None:
        """Open a destination after the services allow it."""
        item = BY_ID.get(destination)
        if item is not None and self.user is not None:
            self._open_checked(item, self.user)

    @work(thread=True, group="open")
    def _open_checked(self, item: Destination, user: UserSession) -> None:
        if item.policy and not attempt(
            self, lambda: permit(self.context, user, item.policy)
        ):
            return
        self.call_from_thread(self._push_destination, item, user)

    def _push_destination(self, item: Destination, user: UserSession) -> None:
        if self.user is user:
            self.push_screen(item.screen(self.context, user))

    def action_help(self) -> None:
        """Show help for the screen in front."""
        from supervise.screens.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen.HELP))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer session actions only to a session, role switching to several."""
        if action == "log_off":
            return self.user is not None
        if action == "switch_role":
            return self.user is not None and len(self.user.roles) > 1
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, then those the logged-in person's roles allow."""
        yield from super().get_system_commands(screen)
        if self.user is None:
            return
        for item in for_roles(self.user.roles):
            yield SystemCommand(
                item.command, item.help, partial(self.action_open, item.id)
            )
        if len(self.user.roles) > 1:
            yield SystemCommand(
                "account: switch role",
                "Show the home of another role you hold",
                self.action_switch_role,
            )
        yield SystemCommand("account: log off", "End your session", self.action_log_off)
