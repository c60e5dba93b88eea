"""The audit trail screen (admins and auditors): recent events and verification.

Rows hold ids and codes only, never names. They are still drawn through
`literal`: a tampered trail must not be able to send codes to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from supervise.screens.base import attempt, permit
from supervise.screens.table import TableScreen
from supervise.services import audit
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.models.audit import AuditEvent
    from supervise.services.audit import Verification

EVENT_COLUMNS = (
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


class AuditTrailScreen(TableScreen["AuditEvent"]):
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
    COLUMNS = EVENT_COLUMNS
    SUB_TITLE = "audit trail"

    def above_table(self) -> Iterable[Widget]:
        """The verdict line."""
        yield Static("Press v to verify the whole trail.", id="verdict")

    def fetch(self) -> list[AuditEvent]:
        """The newest events, after the policy allows viewing them."""
        return audit.recent_events(self.ctx, self.user, RECENT)

    def key_of(self, view: AuditEvent) -> str:
        """Events are keyed by their sequence number."""
        return str(view.seq)

    def row_of(self, view: AuditEvent) -> tuple[object, ...]:
        """The cells of one event."""
        return row_of(view)

    def action_reload(self) -> None:
        """Read the events again."""
        self.load()

    def action_verify(self) -> None:
        """Verify the whole chain off the UI thread."""
        self.query_one("#verdict", Static).update("Verifying…")
        self.verify()

    @work(thread=True, exclusive=True, group="verify")
    def verify(self) -> None:
        """Check every row's chain link and MAC, after the policy allows it."""
        result = attempt(self, self._verified)
        if result is not None:
            self.app.call_from_thread(self._show_verdict, result)

    def _verified(self) -> Verification:
        permit(self.ctx, self.user, "audit.verify")
        return audit.verify(self.ctx, self.user.who)

    def _show_verdict(self, result: Verification) -> None:
        self.query_one("#verdict", Static).update(verdict(result))
        if not result.ok:
            self.notify("The audit trail does not verify.", severity="error")
            table = self.query_one(RecordTable)
            if str(result.bad_seq) in table.rows:
                table.move_cursor(row=table.get_row_index(str(result.bad_seq)))
