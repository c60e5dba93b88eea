"""The new-account dialog: username, full name and roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import Dialog
from supervise.services.accounts import AccountView, create_account
from supervise.widgets.role_picker import RolePicker

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext


class NewAccountDialog(Dialog[tuple[AccountView, str]]):
    """Create an account; dismiss with it and its one-time password."""

    HELP = """\
# New account

- **Username**: 2 to 32 lower-case letters, digits, `.`, `_` or `-`,
  starting with a letter. It cannot be changed later.
- **Full name**: the person's name as it should appear.
- **Roles**: tick one or more with **Space**.

The account gets a one-time password, shown once after you create it; the
person must change it at their first login. Every account is one named
person: never share a login.
"""

    AUTO_FOCUS = "#username"
    NEXT_ON_ENTER = frozenset({"username", "full-name"})

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Create accounts as `user`, an admin."""
        super().__init__()
        self.ctx = ctx
        self.user = user

    def compose(self) -> ComposeResult:
        """Two fields, the role list, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static("New account", classes="dialog-title")
            yield Input(placeholder="e.g. jdoe", id="username")
            yield Input(placeholder="e.g. Jordan Doe", id="full-name")
            yield RolePicker(id="roles")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Create", id="create", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders."""
        self.query_one("#username", Input).border_title = "Username"
        self.query_one("#full-name", Input).border_title = "Full name"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#create")
    def create(self) -> None:
        """Ask the services to create the account."""
        username = self.query_one("#username", Input).value.strip()
        full_name = self.query_one("#full-name", Input).value
        roles = self.query_one(RolePicker).roles
        self.show_error("Creating…")
        self.submit(
            lambda: create_account(self.ctx, self.user, username, full_name, roles)
        )
