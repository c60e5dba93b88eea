"""The password-change dialog, forced after a login with a one-time password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import Dialog

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext

FORCED_NOTE = (
    "You logged in with a one-time password. Choose your own password "
    "before you go on; Escape logs you off."
)


class PasswordDialog(Dialog[bool]):
    """Ask for the current password and a new one, twice; dismiss True when set."""

    HELP = """\
# Changing your password

Type your **current password** (the one-time password, if an admin just gave
you one), then the **new password** twice.

A new password must be long enough, must not be a common password and must
not contain your username. Your private key is re-wrapped under the new
password; nothing you can open changes.
"""

    AUTO_FOCUS = "#current"
    NEXT_ON_ENTER = frozenset({"current", "new"})

    def __init__(
        self, ctx: ProgramContext, user: UserSession, *, forced: bool = False
    ) -> None:
        """Change the password of `user`.

        Args:
            ctx: The opened program.
            user: The logged-in person.
            forced: Whether this follows a login with a one-time password.
        """
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.forced = forced

    def compose(self) -> ComposeResult:
        """Three password fields, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static("Change your password", classes="dialog-title")
            if self.forced:
                yield Static(FORCED_NOTE, classes="dialog-note")
            yield Input(password=True, id="current")
            yield Input(password=True, id="new")
            yield Input(password=True, id="repeat")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Change", id="change", variant="primary")
                yield Button("Log off" if self.forced else "Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders, to save lines at 80x24."""
        titles = {"current": "Current password", "new": "New", "repeat": "Repeat"}
        for widget_id, title in titles.items():
            self.query_one(f"#{widget_id}", Input).border_title = title

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#repeat")
    @on(Button.Pressed, "#change")
    def change(self) -> None:
        """Check the two new fields agree, then ask the service."""
        current, new, repeat = (
            self.query_one(f"#{name}", Input).value
            for name in ("current", "new", "repeat")
        )
        if new != repeat:
            self.show_error("The new password and its repeat differ.")
            return
        self.show_error("Changing…")
        self.submit(lambda: self._change(current, new))

    def _change(self, current: str, new: str) -> bool:
        from supervise.services.accounts import change_password

        change_password(self.ctx, self.user, current, new)
        self.app.notify("Your password is changed.")
        return True
