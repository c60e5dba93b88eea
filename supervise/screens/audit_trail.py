"""The audit trail screen (admins and auditors): recent events and verification.

Rows hold ids and codes only, never names. They are still drawn through
`literal`: a tampered trail must not be able to send codes to the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static

from supervise.screens.base import SessionScreen, attempt, permit
from supervise.services import audit
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.models.audit import AuditEvent
    from supervise.services.audit import Verification

COLUMNS = (
    "Seq",
    "Time (UTC)",
    "Actor",
    "Role",
    "Action",
    "Object",
    "Outcome",
    "Reason",
)
RECENT = 200
"""How many of the newest events the screen lists."""


def row_of(event: AuditEvent) -> tuple[object, ...]:
    """The table cells of one event."""
    when = event.ts[:19].replace("T", " ")
    actor = "" if event.actor_id is None else str(event.actor_id)
    target = f"{event.object_type}#{event.object_id}" if event.object_type else ""
    cells = (when, actor, event.actor_role, event.action, target)
    return (
        str(event.seq),
        *(literal(cell) for cell in cells),
        str(event.outcome),
        literal(event.reason),
    )


def verdict(result: Verification) -> Text:
    """What verification found, in a sentence."""
    if result.ok:
        return Text(f"Verified {result.rows} rows: the trail is intact.", "green")
    return literal(
        f"Row {result.bad_seq} {result.problem}. "
        f"The {result.rows} rows before it check out.",
        style="bold red",
    )


class AuditTrailScreen(SessionScreen):
    """List the newest audit events; verify the whole chain on request."""

    HELP = """\
# Audit trail

The newest events first: logins, failures, account and pair changes, and
every refusal. Rows carry ids and codes, never names.

- **v** verifies the whole trail: every row's hash chain and MAC. It names
  the first row that was changed, removed or forged.
- **f5** reloads the list.
- **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", "Verify", id="verify-audit"),
        Binding("f5", "reload", "Reload", id="reload-audit"),
    ]

    def compose(self) -> ComposeResult:
        """The verdict line and the events table."""
        yield Header()
        yield Static("Press v to verify the whole trail.", id="verdict")
        yield RecordTable(*COLUMNS, id="events")
        yield Footer()

    def on_mount(self) -> None:
        """Load the newest events."""
        self.sub_title = "audit trail"
        self.load()

    def action_reload(self) -> None:
        """Read the events again."""
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the newest events, after the policy allows viewing them."""
        events = attempt(self, lambda: self._recent())
        if events is not None:
            self.app.call_from_thread(self._fill, events)

    def _recent(self) -> list[AuditEvent]:
        permit(self.ctx, self.user, "audit.view")
        return audit.recent_events(self.ctx, RECENT)

    def _fill(self, events: list[AuditEvent]) -> None:
        self.query_one(RecordTable).replace_rows(
            (str(event.seq), row_of(event)) for event in events
        )

    def action_verify(self) -> None:
        """Verify the whole chain off the UI thread."""
        self.query_one("#verdict", Static).update("Verifying…")
        self.verify()

    @work(thread=True, exclusive=True, group="verify")
    def verify(self) -> None:
        """Check every row's chain link and MAC, after the policy allows it."""
        result = attempt(self, lambda: self._verified())
        if result is not None:
            self.app.call_from_thread(self._show_verdict, result)

    def _verified(self) -> Verification:
        permit(self.ctx, self.user, "audit.verify")
        return audit.verify(self.ctx)

    def _show_verdict(self, result: Verification) -> None:
        self.query_one("#verdict", Static).update(verdict(result))
        if not result.ok:
            self.notify("The audit trail does not verify.", severity="error")
            table = self.query_one(RecordTable)
            if str(result.bad_seq) in table.rows:
                table.move_cursor(row=table.get_row_index(str(result.bad_seq)))
