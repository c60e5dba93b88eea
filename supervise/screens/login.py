"""The login screen: username and password, and the demo accounts in a demo.

Over SSH the username is fixed (the one the connection authenticated) and,
after a password login, the password the server received logs in at once.

Imported at start-up, so it must stay light: the services (and with them the
database layer and Argon2) are imported inside the worker that logs in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from supervise.screens.base import FORM_KEYS
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.setup import DemoAccount


def demo_panel(accounts: Sequence[DemoAccount]) -> Text:
    """The demo accounts as aligned lines: username, roles, password."""
    text = Text("Demo accounts (throwaway program)", style="bold", end="")
    for account in accounts:
        text.append("\n")
        text.append_text(literal(f"{account.username:<7}"))
        text.append(f" {'+'.join(account.roles):<11}", style="italic")
        text.append_text(literal(f" {account.password}"))
    return text


class LoginScreen(Screen[None]):
    """Ask for a username and password and log in off the UI thread."""

    HELP = """\
# Logging in

Type your **username**, press **Enter**, type your **password** and press
**Enter** again (or choose **Log in**).

- Each wrong password counts toward a lockout: after repeated failures the
  account is locked for a while, longer each time.
- A new account, or one an admin has reset, starts with a one-time password.
  You choose your own password right after logging in.
- After a period without a key press or mouse use you are logged off and
  brought back here.
"""

    AUTO_FOCUS = "#username"
    BINDINGS: ClassVar[list[BindingType]] = [
        *FORM_KEYS,
        # Keys typed before the app takes over the terminal pass through the
        # tty's line discipline, which turns Enter into a line feed (ctrl+j).
        Binding("ctrl+j", "next_field", show=False, priority=True),
        Binding("ctrl+j", "submit", show=False),
    ]

    class LoggedIn(Message):
        """A person logged in; the app takes over the session."""

        def __init__(self, user: UserSession) -> None:
            super().__init__()
            self.user = user
            """The new session, holding the account's private key."""

    def __init__(
        self,
        context: ProgramContext | None,
        demo_accounts: Sequence[DemoAccount] = (),
        note: str = "",
        *,
        fixed_username: str | None = None,
        password: str | None = None,
    ) -> None:
        """Show the login form.

        Args:
            context: The opened program, or None while it is still opening.
            demo_accounts: Sample logins to list beside the form.
            note: A line to show above the form, such as why you were logged off.
            fixed_username: The only username accepted (an SSH session's).
            password: Log in with this at once (an SSH password login's).
        """
        super().__init__()
        self.context = context
        self.demo_accounts = demo_accounts
        self.note = note
        self.fixed_username = fixed_username
        self.sub_title = "log in"
        self._submit_when_open = False
        """Set when Enter came before the program was open."""
        self._password = password
        """The password handed over by the SSH server, used once."""

    def compose(self) -> ComposeResult:
        """Lay out the form and, in a demo, the sample accounts."""
        yield Header()
        with Horizontal(id="login-body"):
            with Vertical(id="login-form"):
                if self.note:
                    yield Static(literal(self.note), id="note")
                yield Input(placeholder="username", id="username")
                yield Input(placeholder="password", password=True, id="password")
                yield Button("Log in", id="log-in", variant="primary")
                yield Static("", id="error")
            if self.demo_accounts:
                yield Static(demo_panel(self.demo_accounts), id="demo")
        yield Footer()

    def on_mount(self) -> None:
        """Wait for the program if it is still opening."""
        self.query_one("#username", Input).border_title = "Username"
        self.query_one("#password", Input).border_title = "Password"
        if self.fixed_username is not None:
            username = self.query_one("#username", Input)
            username.value = self.fixed_username
            username.disabled = True
            self.set_focus(self.query_one("#password", Input))
        if self.context is None:
            self.set_status("Opening the program…", busy=True)
        elif self._password is not None:
            self._log_in_handed_over(self.context)

    def program_opened(self, context: ProgramContext) -> None:
        """Accept logins from now on (and do one asked for while opening)."""
        self.context = context
        self.set_status("")
        if self._password is not None:
            self._log_in_handed_over(context)
        elif self._submit_when_open:
            self._submit_when_open = False
            self.submit()

    def set_status(self, status: str, *, busy: bool = False) -> None:
        """Show `status` under the form; refuse logins while `busy`."""
        self.query_one("#log-in", Button).disabled = busy
        self.query_one("#error", Static).update(literal(status))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Let Enter move on from the username only; in the password it logs in."""
        if action == "next_field":
            return self.focused is self.query_one("#username", Input)
        return True

    def action_next_field(self) -> None:
        """Move from the username to the password, at once (not `focus()`,
        which waits a turn, letting typed-ahead keys land in the username)."""
        self.set_focus(self.query_one("#password", Input))

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#log-in")
    def submit(self) -> None:
        """Log in with what the form holds, unless a login is under way."""
        button = self.query_one("#log-in", Button)
        username = self.fixed_username or self.query_one("#username", Input).value
        username = username.strip()
        password_input = self.query_one("#password", Input)
        if self.context is None:
            # Typed ahead of the program opening: log in as soon as it is open.
            self._submit_when_open = True
            return
        if button.disabled:
            return
        if not username or not password_input.value:
            self.set_status("Type a username and a password.")
            return
        self.set_status("Checking…", busy=True)
        self._log_in(self.context, username, password_input.value)
        password_input.clear()

    def _log_in_handed_over(self, context: ProgramContext) -> None:
        """Log in with the password the SSH server received, once."""
        password, self._password = self._password, None
        if self.fixed_username is None or password is None:
            return
        self.set_status("Checking…", busy=True)
        self._log_in(context, self.fixed_username, password)

    @work(thread=True, exclusive=True, group="login")
    def _log_in(self, context: ProgramContext, username: str, password: str) -> None:
        from supervise.services.accounts import login
        from supervise.services.errors import ServiceError

        try:
            user = login(context, username, password)
        except ServiceError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.post_message(self.LoggedIn(user))

    def action_submit(self) -> None:
        """Log in (for a line feed in the password field)."""
        self.submit()

    def _refused(self, message: str) -> None:
        self.set_status(message)
        self.query_one("#password", Input).focus()
