"""The consents list: every consent form a person may see, one version a row.

Trainees see their own clients' forms, supervisors their supervisees', admins
every form's metadata (names stay sealed). The list can be limited to one
client; Enter opens a form's detail, and a trainee starts a new consent here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Select

from supervise.models.accounts import Role
from supervise.screens.consent_detail import ConsentDetailScreen
from supervise.screens.consent_text import row_of
from supervise.screens.consent_wizard import ConsentWizardScreen
from supervise.screens.table import TableScreen
from supervise.services import consents
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.consents import ConsentView
    from supervise.services.context import ProgramContext

CONSENT_COLUMNS = ("Client", "Form", "Status", "Purposes", "State", "Trainee")
"""Narrow enough for 80 columns; "State all" marks an all-party jurisdiction."""


class ConsentsScreen(TableScreen["ConsentView"]):
    """List consent forms; open one, start a new one, limit to one client."""

    HELP = """\
# Consent forms

Every version of every consent form you may see: a trainee their own
clients', a supervisor their trainees', an admin all of them (without
names). A form is **draft** until printed, **awaiting signature** once
printed, **active** once signed, then **revoked** or **expired** (replaced
by a later version). Only an active form lets recordings in.

- **Enter** opens the form: print its documents, log verbal consent,
  record the signature, revoke it, or make a new version.
- **n** starts a new consent (trainees): the wizard asks for the purposes,
  who has access, the participants and what happens on revocation.
- **c** chooses the client to list (blank lists every client).
- **f5** reloads; **Escape** goes back.

"State all" means every party to a recording must consent there.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_consent", "New consent", id="new-consent"),
        Binding("c", "choose_client", "Client", id="choose-client"),
        Binding("f5", "reload", "Reload", id="reload-consents", show=False),
    ]
    AUTO_FOCUS = "RecordTable"
    COLUMNS = CONSENT_COLUMNS
    SUB_TITLE = "consent forms"

    def __init__(
        self, ctx: ProgramContext, user: UserSession, case_code: str = ""
    ) -> None:
        """List what `user` may see, limited to client `case_code` when given."""
        super().__init__(ctx, user)
        self.case_code = case_code
        self.every: list[ConsentView] = []
        self._shown = False

    def above_table(self) -> Iterable[Widget]:
        """The client the list is limited to."""
        yield Select[str]([], prompt="All clients", id="consent-client")

    def fetch(self) -> list[ConsentView]:
        """Every consent the services let this person see."""
        return consents.list_consents(self.ctx, self.user)

    def key_of(self, view: ConsentView) -> str:
        """Consents are keyed by their form id."""
        return str(view.id)

    def row_of(self, view: ConsentView) -> tuple[object, ...]:
        """The cells of one consent."""
        return row_of(view)

    def _fill(self, views: list[ConsentView]) -> None:
        self.every = views
        select = self.query_one("#consent-client", Select)
        codes = sorted({view.case_code for view in views} | {self.case_code} - {""})
        with self.prevent(Select.Changed):
            select.set_options((literal(code), code) for code in codes)
            if self.case_code:
                select.value = self.case_code
        super()._fill([v for v in views if self.case_code in ("", v.case_code)])

    @on(Select.Changed, "#consent-client")
    def _limit(self, event: Select.Changed) -> None:
        value = event.value
        self.case_code = value if isinstance(value, str) else ""
        self._fill(self.every)
        self.query_one(RecordTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer a new consent to trainees only (the services decide)."""
        return action != "new_consent" or Role.TRAINEE in self.user.roles

    def on_screen_resume(self) -> None:
        """Read the list again on coming back: a form may have changed."""
        if self._shown:
            self.load()
        self._shown = True

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        view = self.views.get(str(event.row_key.value))
        if view is not None:
            self.app.push_screen(ConsentDetailScreen(self.ctx, self.user, view.id))

    def action_reload(self) -> None:
        """Read the consents again."""
        self.load()

    def action_choose_client(self) -> None:
        """Open the client choice."""
        select = self.query_one("#consent-client", Select)
        select.focus()
        select.action_show_overlay()

    def action_new_consent(self) -> None:
        """Open the consent wizard, for the listed client if there is one."""
        wizard = ConsentWizardScreen(self.ctx, self.user, case_code=self.case_code)
        self.app.push_screen(wizard)
