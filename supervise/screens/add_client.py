"""The add-client dialog (trainees): a case code in clear, an identity sealed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import Dialog
from supervise.services import clients
from supervise.units import parse_iso_date

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext

BAD_DATE = "The date of birth is a real date written YYYY-MM-DD, like 1990-04-17."

FIELDS = (
    ("case-code", "Case code", "e.g. C-1042"),
    ("name", "Name", "the client's full name"),
    ("born", "Date of birth", "YYYY-MM-DD"),
    ("guardian", "Guardian", "for a minor, else blank"),
    ("contact", "Contact", "phone or e-mail (optional)"),
    ("state", "State", "blank: program's"),
)
"""Each field's id, border title and placeholder, in the order they are filled."""


class AddClientDialog(Dialog[clients.ClientView]):
    """Add a client of the logged-in trainee; dismiss with the new client."""

    HELP = """\
# Add a client

- **Case code**: the program's code for the client, 2 to 32 letters, digits
  and hyphens (like C-1042). It is stored in clear: never use a name or
  initials.
- **Name**, **date of birth** (YYYY-MM-DD), **guardian** and **contact** are
  sealed: only you, your supervisors and the program's escrow key can open
  them.
- **State**: the two-letter US state whose rules apply (like CA); leave it
  blank for the program's own. It sets how long recordings are kept.

**Enter** moves to the next field; on the last one it adds the client.
"""

    AUTO_FOCUS = "#case-code"
    NEXT_ON_ENTER = frozenset(field for field, _, _ in FIELDS[:-1])

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Add clients as `user`, a trainee."""
        super().__init__()
        self.ctx = ctx
        self.user = user

    def compose(self) -> ComposeResult:
        """Six fields in three rows, an error line and the buttons."""
        inputs = [Input(placeholder=hint, id=field) for field, _, hint in FIELDS]
        inputs[2].max_length = 10
        inputs[2].restrict = r"[0-9-]*"
        inputs[5].max_length = 2
        with Vertical(classes="dialog", id="add-client"):
            yield Static("Add a client", classes="dialog-title")
            for first, second in zip(inputs[::2], inputs[1::2], strict=True):
                with Horizontal(classes="field-row"):
                    yield first
                    yield second
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Add", id="add", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders."""
        for field, title, _ in FIELDS:
            self.query_one(f"#{field}", Input).border_title = title

    def value(self, field: str) -> str:
        """What was typed in `field`."""
        return self.query_one(f"#{field}", Input).value

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#state")
    @on(Button.Pressed, "#add")
    def add(self) -> None:
        """Check the date here, then ask the services to add the client."""
        born = parse_iso_date(self.value("born"))
        if born is None:
            self.show_error(BAD_DATE)
            self.query_one("#born", Input).focus()
            return
        identity = clients.ClientIdentity(
            self.value("name"), born, self.value("guardian"), self.value("contact")
        )
        code, state = self.value("case-code"), self.value("state")
        self.show_error("Adding…")
        self.submit(
            lambda: clients.add_client(self.ctx, self.user, code, identity, state)
        )
