"""Feedback (trainees): the signed-off reviews of their own recordings.

Newest first; a review not yet read is marked `new`. Enter opens it on the
review screen, read-only, which marks it read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Static

from supervise.screens.review import ReviewScreen
from supervise.screens.review_text import feedback_row
from supervise.screens.table import TableScreen
from supervise.services import reviews
from supervise.services.reviews import FeedbackItem
from supervise.units import counted

FEEDBACK_COLUMNS = ("", "Recording", "Client", "Supervisor", "Signed off (UTC)")
"""The first column marks feedback not yet read."""


def feedback_line(items: list[FeedbackItem]) -> str:
    """How many reviews there are and how many are new."""
    if not items:
        return (
            "No feedback yet. It shows here once a supervisor signs off "
            "a review of one of your recordings."
        )
    new = sum(item.new for item in items)
    line = f"{counted(len(items), 'signed-off review')}, newest first"
    line += f"; {new} new." if new else "."
    return line + " Enter opens one."


class FeedbackScreen(TableScreen[FeedbackItem]):
    """The trainee's feedback: one row for each signed-off review."""

    HELP = """\
# Feedback

Your supervisors' signed-off reviews of your recordings, newest first.
Reviews you have not opened yet are marked **new**.

- **Enter** opens a review: the time-coded comments, the ratings against
  the rubric, and the overall feedback. Opening it marks it read.
- **f5** reloads; **Escape** goes back.

A review shows here only once its supervisor signs it off; after that it
cannot change.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "reload", "Reload", id="reload-feedback", show=False),
    ]
    COLUMNS = FEEDBACK_COLUMNS
    SUB_TITLE = "feedback"
    _shown = False

    def above_table(self) -> Iterable[Widget]:
        """How many reviews there are, and how many are new."""
        yield Static("Reading your feedback…", id="feedback-summary")

    def fetch(self) -> list[FeedbackItem]:
        """The signed-off reviews of the trainee's own recordings."""
        return reviews.feedback_for_trainee(self.ctx, self.user)

    def key_of(self, view: FeedbackItem) -> str:
        """Rows are keyed by review id."""
        return str(view.review_id)

    def row_of(self, view: FeedbackItem) -> tuple[object, ...]:
        """The cells of one review."""
        return feedback_row(view)

    def _fill(self, views: list[FeedbackItem]) -> None:
        super()._fill(views)
        self.query_one("#feedback-summary", Static).update(feedback_line(views))

    def on_screen_resume(self) -> None:
        """Read the list again on coming back: the one opened is no longer new."""
        if self._shown:
            self.load()
        self._shown = True

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        item = self.views.get(str(event.row_key.value))
        if item is not None:
            screen = ReviewScreen(
                self.ctx, self.user, item.recording_id, item.supervisor
            )
            self.app.push_screen(screen)

    def action_reload(self) -> None:
        """Read the list again."""
        self.load()
