"""The supervision pairs screen (admins): who supervises whom, since when."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header

from supervise.screens.assign_pair import AssignPairDialog
from supervise.screens.base import SessionScreen, attempt
from supervise.screens.confirm import ConfirmDialog
from supervise.services import pairs
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.services.pairs import PairView

COLUMNS = ("Pair", "Supervisor", "Trainee", "Kind", "Started", "Ended")


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
    text.append("?\n\nThe supervisor loses access to the trainee's work today.")
    return text


class PairsScreen(SessionScreen):
    """List supervision pairs, newest first; assign new ones and end them."""

    HELP = """\
# Supervision pairs

Each row is a supervisor assigned to a trainee, newest first. A pair that has
ended shows its end date; it stays listed for the record.

- **a** assigns a supervisor to a trainee, from today.
- **x** ends the highlighted pair (after you confirm).
- **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "assign", "Assign", id="assign-pair"),
        Binding("x", "end", "End pair", id="end-pair"),
    ]

    def compose(self) -> ComposeResult:
        """The pairs table between the header and footer."""
        yield Header()
        yield RecordTable(*COLUMNS, id="pairs")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and load the pairs."""
        self.sub_title = "supervision pairs"
        self.views: dict[str, PairView] = {}
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the pairs through the services (which check the policy)."""
        views = attempt(self, lambda: pairs.list_pairs(self.ctx, self.user))
        if views is not None:
            self.app.call_from_thread(self._fill, views)

    def _fill(self, views: list[PairView]) -> None:
        self.views = {str(view.id): view for view in views}
        self.query_one(RecordTable).replace_rows(
            (str(view.id), row_of(view)) for view in views
        )

    def highlighted(self) -> PairView | None:
        """The pair under the cursor, if any."""
        key = self.query_one(RecordTable).highlighted_key
        return None if key is None else self.views.get(key)

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

        def answered(yes: bool | None) -> None:
            if yes:
                self.end(pair.id)

        self.app.push_screen(ConfirmDialog(end_question(pair), "End pair"), answered)

    @work(thread=True, group="change")
    def end(self, pair_id: int) -> None:
        """End a pair through the services, then reload."""
        if attempt(self, lambda: pairs.end_pair(self.ctx, self.user, pair_id)):
            self.app.call_from_thread(self.load)
