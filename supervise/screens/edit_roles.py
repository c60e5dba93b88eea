"""The edit-roles dialog: tick the roles an account should hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from supervise.screens.base import Dialog
from supervise.services.accounts import AccountView, set_roles
from supervise.widgets.literal import literal
from supervise.widgets.role_picker import RolePicker

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext


class EditRolesDialog(Dialog[AccountView]):
    """Replace an account's roles; dismiss with the changed account."""

    HELP = """\
# Roles

Tick the roles the account should hold (**Space** toggles) and choose
**Save**. An account needs at least one role, and the program's last active
admin keeps the admin role.
"""

    AUTO_FOCUS = "#roles"

    def __init__(
        self, ctx: ProgramContext, user: UserSession, account: AccountView
    ) -> None:
        """Edit the roles of `account` as `user`, an admin."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.account = account

    def compose(self) -> ComposeResult:
        """Whose roles, the role list, an error line and the buttons."""
        with Vertical(classes="dialog"):
            title = Text("Roles of ")
            title.append_text(literal(self.account.username))
            yield Static(title, classes="dialog-title")
            yield RolePicker(self.account.roles, id="roles")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        """Ask the services to replace the roles."""
        roles = self.query_one(RolePicker).roles
        username = self.account.username
        self.submit(lambda: set_roles(self.ctx, self.user, username, roles))
