"""The clients screen (trainees and supervisors): case codes and who they are.

A trainee sees their own clients, a supervisor their supervisees'. Names are
opened from their sealed form where the person holds a grant (each opening is
audited); elsewhere the row says "(sealed)". Enter lists a client's
recordings; `f` their consent forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from supervise.models.accounts import Role
from supervise.screens.add_client import AddClientDialog
from supervise.screens.consents import ConsentsScreen
from supervise.screens.recordings import RecordingsScreen
from supervise.screens.table import TableScreen
from supervise.services import clients
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.clients import ClientView

CLIENT_COLUMNS = ("Case code", "Name", "State", "Minor", "Trainee")

SEALED = Text("(sealed)", style="dim italic")
"""What the name cell shows when the caller cannot open the identity."""


def row_of(view: ClientView) -> tuple[object, ...]:
    """The table cells of one client; typed text is shown literally."""
    name = SEALED if view.identity is None else literal(view.identity.name)
    return (
        literal(view.case_code),
        name,
        view.jurisdiction,
        "minor" if view.is_minor else "",
        literal(view.trainee),
    )


class ClientsScreen(TableScreen["ClientView"]):
    """List clients by case code; add one; open a client's recordings."""

    HELP = """\
# Clients

Your clients (a supervisor sees their trainees' clients), by case code. The
name is stored sealed and opened for you here; each opening is on the audit
record. "(sealed)" means your account holds no key to it.

- **Enter** lists the client's recordings.
- **f** lists the client's consent forms; a new consent starts there.
- **a** adds a client (trainees): case code, name, date of birth, guardian,
  contact and state.
- **f5** reloads; **Escape** goes back.

Use case codes, never names, anywhere else: in reasons, notes and file names.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add client", id="add-client"),
        Binding("f", "consents", "Consents", id="client-consents"),
        Binding("f5", "reload", "Reload", id="reload-clients", show=False),
    ]
    COLUMNS = CLIENT_COLUMNS
    SUB_TITLE = "clients"

    def fetch(self) -> list[ClientView]:
        """The clients the services let this person see, names opened."""
        return clients.list_clients(self.ctx, self.user, reveal=True)

    def key_of(self, view: ClientView) -> str:
        """Clients are keyed by case code."""
        return view.case_code

    def row_of(self, view: ClientView) -> tuple[object, ...]:
        """The cells of one client."""
        return row_of(view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer adding a client to trainees only (the services decide)."""
        return action != "add" or Role.TRAINEE in self.user.roles

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        view = self.views.get(str(event.row_key.value))
        if view is not None:
            screen = RecordingsScreen(self.ctx, self.user, view.case_code)
            self.app.push_screen(screen)

    def action_consents(self) -> None:
        """List the highlighted client's consent forms."""
        view = self.highlighted()
        if view is not None:
            screen = ConsentsScreen(self.ctx, self.user, view.case_code)
            self.app.push_screen(screen)

    def action_reload(self) -> None:
        """Read the clients again."""
        self.load()

    def action_add(self) -> None:
        """Open the add-client dialog."""
        self.app.push_screen(AddClientDialog(self.ctx, self.user), self._added)

    def _added(self, view: ClientView | None) -> None:
        if view is not None:
            self.notify(f"Client {view.case_code} added.", markup=False)
            self.load()
            self.query_one(DataTable).focus()
