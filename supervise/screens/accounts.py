"""The accounts screen (admins): every account, and what an admin can do to one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType

from supervise.screens.base import attempt
from supervise.screens.edit_roles import EditRolesDialog
from supervise.screens.new_account import NewAccountDialog
from supervise.screens.one_time_password import OneTimePasswordDialog
from supervise.screens.table import TableScreen
from supervise.services import accounts
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import AccountView

ACCOUNT_COLUMNS = ("Username", "Full name", "Roles", "State")


def state_of(account: AccountView, now: datetime) -> str:
    """'active', or what stands in the account's way: disabled, locked, ..."""
    states = []
    if account.disabled:
        states.append("disabled")
    if account.locked_until is not None and account.locked_until > now:
        states.append("locked")
    if account.must_change_password:
        states.append("must change password")
    return ", ".join(states) or "active"


def row_of(account: AccountView, now: datetime) -> tuple[object, ...]:
    """The table cells of one account; typed text is shown literally."""
    return (
        literal(account.username),
        literal(account.full_name),
        ", ".join(str(role) for role in account.roles),
        state_of(account, now),
    )


def question(verb: str, username: str, consequence: str) -> Text:
    """'Disable sam? …' with the username shown as typed."""
    text = Text(f"{verb} ")
    text.append_text(literal(username, style="bold"))
    text.append(f"?\n\n{consequence}")
    return text


class AccountsScreen(TableScreen["AccountView"]):
    """List accounts; create, edit roles, disable or enable, reset passwords."""

    HELP = """\
# Accounts

Every account of the program, by username. Move with the arrow keys.

- **n** new account: you get a one-time password to hand over.
- **e** edit the roles of the highlighted account.
- **d** disable the account (it can no longer log in) or enable it again.
- **r** reset the password: a new one-time password, and a new key pair.
- **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="new-account"),
        Binding("e", "edit_roles", "Roles", id="edit-roles"),
        Binding("d", "toggle_disabled", "Disable", id="toggle-disabled"),
        Binding("r", "reset", "Reset", id="reset-password"),
    ]
    COLUMNS = ACCOUNT_COLUMNS
    SUB_TITLE = "accounts"

    def fetch(self) -> list[AccountView]:
        """Every account, through the services (which check the policy)."""
        return accounts.list_accounts(self.ctx, self.user)

    def key_of(self, view: AccountView) -> str:
        """Accounts are keyed by username."""
        return view.username

    def row_of(self, view: AccountView) -> tuple[object, ...]:
        """The cells of one account, its state as of now."""
        return row_of(view, self.ctx.now())

    def action_new(self) -> None:
        """Open the new-account dialog."""
        self.app.push_screen(NewAccountDialog(self.ctx, self.user), self._created)

    def _created(self, result: tuple[AccountView, str] | None) -> None:
        if result is not None:
            self.show_password(result)

    def show_password(self, result: tuple[AccountView, str]) -> None:
        """Show a new one-time password once, then the refreshed list."""
        account, password = result
        self.app.push_screen(OneTimePasswordDialog(account.username, password))
        self.load()

    def action_edit_roles(self) -> None:
        """Open the roles dialog for the highlighted account."""
        account = self.highlighted()
        if account is not None:
            dialog = EditRolesDialog(self.ctx, self.user, account)
            self.app.push_screen(dialog, self._reload_if)

    def _reload_if(self, changed: object) -> None:
        if changed:
            self.load()

    def action_toggle_disabled(self) -> None:
        """Enable a disabled account, or disable an active one after asking."""
        account = self.highlighted()
        if account is None:
            return
        name = account.username
        if account.disabled:
            self.set_disabled(name, False)
            return
        ask = question("Disable", name, "They can no longer log in.")
        self.confirm(ask, "Disable", lambda: self.set_disabled(name, True))

    def action_reset(self) -> None:
        """Give the highlighted account a new one-time password, after asking."""
        account = self.highlighted()
        if account is None:
            return
        name = account.username
        ask = question(
            "Reset the password of",
            name,
            "They get a new one-time password and a new key pair; recordings "
            "shared with their old key must be shared again.",
        )
        self.confirm(ask, "Reset", lambda: self.reset(name))

    @work(thread=True, group="change")
    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable or enable an account, then reload the list."""
        self.reload_after(
            lambda: accounts.set_disabled(self.ctx, self.user, username, disabled)
        )

    @work(thread=True, group="change")
    def reset(self, username: str) -> None:
        """Reset a password and show the new one-time password."""
        result = attempt(
            self, lambda: accounts.reset_password(self.ctx, self.user, username)
        )
        if result is not None:
            self.app.call_from_thread(self.show_password, result)
