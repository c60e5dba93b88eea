"""The supervision pairs screen (admins): who supervises whom, since when."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType

from supervise.screens.assign_pair import AssignPairDialog
from supervise.screens.escrow_grant import EscrowGrantDialog
from supervise.screens.table import TableScreen
from supervise.services import pairs
from supervise.units import counted
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.pairs import PairView

PAIR_COLUMNS = ("Pair", "Supervisor", "Trainee", "Kind", "Started", "Ended")


def row_of(pair: PairView) -> tuple[object, ...]:
    """The table cells of one pair; usernames are shown literally."""
    ended = pair.ended_on.isoformat() if pair.ended_on else ""
    return (
        str(pair.id),
        literal(pair.supervisor),
        literal(pair.trainee),
        pair.kind,
        pair.started_on.isoformat(),
        ended,
    )


def end_question(pair: PairView) -> Text:
    """Ask to end `pair`, naming both people as typed."""
    text = Text(f"End pair {pair.id}: ")
    text.append_text(literal(pair.supervisor, style="bold"))
    text.append(" supervising ")
    text.append_text(literal(pair.trainee, style="bold"))
    text.append(
        "?\n\nThe supervisor loses access to the trainee's recordings and "
        "clients at once; shares the trainee made stay."
    )
    return text


class PairsScreen(TableScreen["PairView"]):
    """List supervision pairs, newest first; assign new ones and end them."""

    HELP = """\
# Supervision pairs

Each row is a supervisor assigned to a trainee, newest first. A pair that has
ended shows its end date; it stays listed for the record.

- **a** assigns a supervisor to a trainee, from today.
- **x** ends the highlighted pair (after you confirm); the supervisor's
  grants on the trainee's work are removed at once.
- **g** grants the highlighted pair's supervisor the trainee's older
  recordings and clients now, with the offline escrow key (otherwise they
  come at the trainee's next login).
- **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "assign", "Assign", id="assign-pair"),
        Binding("x", "end", "End pair", id="end-pair"),
        Binding("g", "grant", "Grant now", id="grant-pair"),
    ]
    COLUMNS = PAIR_COLUMNS
    SUB_TITLE = "supervision pairs"

    def fetch(self) -> list[PairView]:
        """Every pair, through the services (which check the policy)."""
        return pairs.list_pairs(self.ctx, self.user)

    def key_of(self, view: PairView) -> str:
        """Pairs are keyed by their id."""
        return str(view.id)

    def row_of(self, view: PairView) -> tuple[object, ...]:
        """The cells of one pair."""
        return row_of(view)

    def action_assign(self) -> None:
        """Open the assign dialog."""
        self.app.push_screen(AssignPairDialog(self.ctx, self.user), self._assigned)

    def _assigned(self, pair: PairView | None) -> None:
        if pair is not None:
            self.notify(f"Pair {pair.id} assigned.")
            self.load()

    def action_end(self) -> None:
        """End the highlighted pair, after asking."""
        pair = self.highlighted()
        if pair is None:
            return
        if not pair.active:
            self.notify(f"Pair {pair.id} has ended already.", severity="warning")
            return
        self.confirm(end_question(pair), "End pair", lambda: self.end(pair.id))

    def action_grant(self) -> None:
        """Grant the highlighted pair's supervisor now, with the escrow key."""
        pair = self.highlighted()
        if pair is None:
            return
        if not pair.active:
            self.notify(f"Pair {pair.id} has ended.", severity="warning")
            return
        self.app.push_screen(
            EscrowGrantDialog(self.ctx, self.user, pair), self._granted
        )

    def _granted(self, made: int | None) -> None:
        if made is not None:
            self.notify(f"{counted(made, 'grant')} made with the escrow key.")

    @work(thread=True, group="change")
    def end(self, pair_id: int) -> None:
        """End a pair through the services, then reload."""
        self.reload_after(lambda: pairs.end_pair(self.ctx, self.user, pair_id))
