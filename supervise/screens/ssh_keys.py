"""The SSH keys screen: the public keys that log an account in over SSH.

Everyone sees and manages their own keys; an account the policy lets list
every account's keys (admins) can switch to all of them and remove any.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from supervise.screens.base import Dialog
from supervise.screens.table import TableScreen
from supervise.services import ssh_keys
from supervise.services.policy import Action, Actor, decide
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.ssh_keys import KeyView

KEY_COLUMNS = ("Key", "Account", "Fingerprint", "Type", "Comment", "Added", "Last used")


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "never"


def row_of(view: KeyView) -> tuple[object, ...]:
    """The table cells of one key; the comment is shown as typed."""
    return (
        str(view.id),
        literal(view.username),
        view.fingerprint,
        view.algorithm,
        literal(view.comment),
        _day(view.created_at),
        _day(view.last_used_at),
    )


def remove_question(view: KeyView) -> Text:
    """Ask to remove `view`, naming its fingerprint and comment."""
    text = Text(f"Remove SSH key {view.id} of ")
    text.append_text(literal(view.username, style="bold"))
    text.append(f"?\n\n{view.fingerprint}  ")
    text.append_text(literal(view.comment))
    text.append("\n\nIt can no longer be used to log in.")
    return text


class AddKeyDialog(Dialog["KeyView"]):
    """Paste a public key; dismiss with the registered key."""

    HELP = """\
# Add an SSH key

Paste your **public** key: the one line in the `.pub` file, e.g.
`~/.ssh/id_ed25519.pub`, starting with `ssh-ed25519` (or `ecdsa-sha2-…`,
`sk-…` for a security key, `ssh-rsa` of 3072 bits or more).

Never paste the private key (the file without `.pub`). No key yet? Make one
on your own computer with `ssh-keygen -t ed25519`.

**Tab** moves to the buttons; **Escape** cancels.
"""

    AUTO_FOCUS = "#key-text"

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Register keys to `user`'s own account."""
        super().__init__()
        self.ctx = ctx
        self.user = user

    def compose(self) -> ComposeResult:
        """The paste area, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static("Add an SSH key", classes="dialog-title")
            yield Static("Paste the contents of your .pub file:")
            yield TextArea(id="key-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Add", id="add", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#add")
    def add(self) -> None:
        """Ask the services to register the pasted key."""
        text = self.query_one("#key-text", TextArea).text
        self.show_error("Adding…")
        self.submit(lambda: ssh_keys.add_key(self.ctx, self.user, text))


class SshKeysScreen(TableScreen["KeyView"]):
    """List SSH keys; add one by pasting it, remove one after confirming."""

    HELP = """\
# SSH keys

The public keys that log your account in over SSH (`ssh -p 2222 you@server`
or the address your program gives). Each shows its fingerprint, as
`ssh-keygen -l -f key.pub` prints it, so you can tell which is which.

- **n** adds a key: paste your `.pub` file's one line.
- **x** removes the highlighted key (after you confirm); it stops working
  at once.
- **v** (admins) switches between your own keys and every account's.
- **Escape** goes back.

A key belongs to one account only. A disabled account's keys do not log in.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Add", id="add-ssh-key"),
        Binding("x", "remove", "Remove", id="remove-ssh-key"),
        Binding("v", "toggle_scope", "All accounts", id="ssh-key-scope"),
    ]
    COLUMNS = KEY_COLUMNS
    SUB_TITLE = "SSH keys"

    every_account = False
    """Whether the list shows every account's keys (admins) or one's own."""

    def fetch(self) -> list[KeyView]:
        """The keys, through the services (which check the policy)."""
        return ssh_keys.list_keys(self.ctx, self.user, every_account=self.every_account)

    def key_of(self, view: KeyView) -> str:
        """Keys are keyed by their id."""
        return str(view.id)

    def row_of(self, view: KeyView) -> tuple[object, ...]:
        """The cells of one key."""
        return row_of(view)

    def may_see_all(self) -> bool:
        """Whether the policy lets this account list every account's keys."""
        actor = Actor(self.user.account_id, frozenset(self.user.roles))
        return decide(actor, Action.SSH_KEY_LIST).allowed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer the all-accounts switch only where the policy allows it."""
        if action == "toggle_scope":
            return self.may_see_all()
        return True

    def action_toggle_scope(self) -> None:
        """Switch between one's own keys and every account's."""
        self.every_account = not self.every_account
        self.sub_title = "SSH keys: all accounts" if self.every_account else "SSH keys"
        self.load()

    def action_add(self) -> None:
        """Open the paste dialog."""
        self.app.push_screen(AddKeyDialog(self.ctx, self.user), self._added)

    def _added(self, view: KeyView | None) -> None:
        if view is not None:
            self.notify(f"Added {view.fingerprint}", markup=False)
            self.load()

    def action_remove(self) -> None:
        """Remove the highlighted key, after asking."""
        view = self.highlighted()
        if view is not None:
            key_id = view.id
            ask = remove_question(view)
            self.confirm(ask, "Remove", lambda: self.remove_key(key_id))

    @work(thread=True, group="change")
    def remove_key(self, key_id: int) -> None:
        """Remove a key, then reload the list."""
        self.reload_after(lambda: ssh_keys.remove_key(self.ctx, self.user, key_id))
