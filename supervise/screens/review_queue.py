"""The review queue (supervisors): recordings waiting for their review.

Oldest first, with how long each has waited. The queue can be long (a busy
program has thousands of recordings), so it is read a page at a time: the
next page loads as the cursor nears the end of the rows read so far, or on
`m`. Enter opens the review screen; `t` limits the queue to one trainee.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Static

from supervise.screens.base import Dialog, attempt
from supervise.screens.review import ReviewScreen
from supervise.screens.review_text import queue_row, waiting_text
from supervise.screens.table import TableScreen
from supervise.services import reviews
from supervise.services.reviews import QueueItem
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.reviews import QueuePage

QUEUE_COLUMNS = ("Id", "Waited", "Trainee", "Client", "Purpose", "Length", "Comments")
"""`Comments` counts those in your draft review, blank when not started."""

PAGE = 50
"""Rows read at a time."""

NEAR_END = 10
"""The next page loads when the cursor comes this close to the last row."""


def queue_line(shown: int, total: int, trainee: str, more: bool = False) -> Text:
    """'Showing 50 of 120 recordings waiting, oldest first.' and the keys."""
    if not total:
        text = Text("Nothing waits for your review")
        if trainee:
            text.append(" from ")
            text.append_text(literal(trainee, style="bold"))
        text.append(". t limits the queue to a trainee." if trainee else ".")
        return text
    text = Text(f"Showing {shown} of {waiting_text(total, more)} waiting")
    if trainee:
        text.append(" from ")
        text.append_text(literal(trainee, style="bold"))
    text.append(", oldest first. Enter opens the review")
    text.append("; m loads more." if shown < total or more else ".")
    return text


class ReviewQueueScreen(TableScreen[QueueItem]):
    """The recordings waiting for the supervisor's review, a page at a time."""

    HELP = """\
# Review queue

The recordings you may review and have not signed off yet: your trainees'
(while you supervise them) and those shared with you. The oldest waits at
the top; **Waited** says for how long. **Comments** counts the comments in
your draft review, if you have started one.

- **Enter** opens the review: comments, ratings, feedback, sign-off.
- The list is read a page at a time; the next page loads as you move down
  to it, or with **m**. The line above the list says how many there are.
- **t** shows one trainee's recordings only (empty for everyone's).
- **f5** reloads; **Escape** goes back.

A recording leaves the queue once you sign its review off.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "filter", "Trainee", id="queue-trainee"),
        Binding("m", "more", "More", id="queue-more"),
        Binding("f5", "reload", "Reload", id="reload-queue", show=False),
    ]
    COLUMNS = QUEUE_COLUMNS
    SUB_TITLE = "review queue"

    def __init__(
        self, ctx: ProgramContext, user: UserSession, trainee: str = ""
    ) -> None:
        """The queue of `user`; only `trainee`'s recordings when given."""
        super().__init__(ctx, user)
        self.trainee = trainee
        self.views: dict[str, QueueItem] = {}
        self.total = 0
        self.more_than_total = False
        """The count stopped at its cap: more than `total` wait."""
        self.loading_more = False
        self.generation = 0
        """Counts reloads, so that a page read before one is dropped."""
        self._shown = False

    def above_table(self) -> Iterable[Widget]:
        """How many wait, and how many are shown."""
        yield Static("Reading the queue…", id="queue-summary")

    def key_of(self, view: QueueItem) -> str:
        """Rows are keyed by recording id."""
        return str(view.recording_id)

    def row_of(self, view: QueueItem) -> tuple[object, ...]:
        """The cells of one waiting recording."""
        return queue_row(view)

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the queue from the top, as many rows as were shown (a page at
        least), so that a reload keeps the cursor's place."""
        limit = max(PAGE, len(self.views))
        trainee = self.trainee or None
        page = attempt(
            self,
            lambda: reviews.queue(self.ctx, self.user, limit=limit, trainee=trainee),
        )
        if page is not None:
            self.app.call_from_thread(self._fill_page, page)
        else:
            self.app.call_from_thread(self._refused)

    def _refused(self) -> None:
        self.total = 0
        self.more_than_total = False
        self.query_one("#queue-summary", Static).update(
            "The queue could not be read. t chooses another trainee; f5 reloads."
        )
        self.refresh_bindings()

    def _fill_page(self, page: QueuePage) -> None:
        self.generation += 1
        self.loading_more = False
        self.total = page.total
        self.more_than_total = page.more_than_total
        self._fill(page.items)
        self._summarise()

    def _summarise(self) -> None:
        line = queue_line(
            len(self.views), self.total, self.trainee, self.more_than_total
        )
        self.query_one("#queue-summary", Static).update(line)
        self.refresh_bindings()

    @property
    def has_more(self) -> bool:
        """Whether rows beyond those read wait."""
        return len(self.views) < self.total or self.more_than_total

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer `m` only while more rows wait."""
        if action == "more":
            return self.has_more
        return True

    def action_more(self) -> None:
        """Read the next page."""
        if self.has_more and not self.loading_more:
            self.loading_more = True
            self.load_more(len(self.views), self.generation)

    @work(thread=True, group="more")
    def load_more(self, offset: int, generation: int) -> None:
        """Read the page after `offset` and add its rows."""
        trainee = self.trainee or None
        page = attempt(
            self,
            lambda: reviews.queue(
                self.ctx, self.user, offset=offset, limit=PAGE, trainee=trainee
            ),
        )
        self.app.call_from_thread(self._append, page, generation)

    def _append(self, page: QueuePage | None, generation: int) -> None:
        if generation != self.generation:
            return  # the queue was read again meanwhile
        self.loading_more = False
        if page is None:
            return
        table = self.query_one(RecordTable)
        self.total = page.total
        self.more_than_total = page.more_than_total
        for item in page.items:
            key = self.key_of(item)
            if key not in self.views:
                self.views[key] = item
                table.add_row(*self.row_of(item), key=key)
        self._summarise()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - NEAR_END:
            self.action_more()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        item = self.views.get(str(event.row_key.value))
        if item is not None:
            screen = ReviewScreen(self.ctx, self.user, item.recording_id)
            self.app.push_screen(screen)

    def on_screen_resume(self) -> None:
        """Read the queue again on coming back: a review may have changed."""
        if self._shown:
            self.load()
        self._shown = True

    def action_reload(self) -> None:
        """Read the queue again."""
        self.load()

    def action_filter(self) -> None:
        """Ask whose recordings to show."""
        self.app.push_screen(TraineeFilterDialog(self.trainee), self._filtered)

    def _filtered(self, trainee: str | None) -> None:
        if trainee is None or trainee == self.trainee:
            return
        self.trainee = trainee
        self.views = {}
        self.total = 0
        self.more_than_total = False
        self.query_one(RecordTable).clear()
        self.query_one("#queue-summary", Static).update("Reading the queue…")
        self.load()


class TraineeFilterDialog(Dialog[str]):
    """Ask for a trainee's username; dismiss with it ('' for everyone)."""

    HELP = """\
# Limit the queue to a trainee

Type the trainee's **username** and press **Enter** to see only their
recordings; leave it empty for everyone's. **Escape** keeps the queue as it
is.
"""

    AUTO_FOCUS = "#trainee"

    def __init__(self, trainee: str) -> None:
        """Start from the current choice, `trainee`."""
        super().__init__()
        self.trainee = trainee

    def compose(self) -> ComposeResult:
        """The username field and the buttons."""
        with Vertical(classes="dialog"):
            yield Static("Whose recordings?", classes="dialog-title")
            yield Input(self.trainee, placeholder="username; empty: all", id="trainee")
            with Horizontal(classes="buttons"):
                yield Button("Show", id="show", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the field in its border."""
        self.query_one("#trainee", Input).border_title = "Trainee"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#trainee")
    @on(Button.Pressed, "#show")
    def _show(self) -> None:
        self.dismiss(self.query_one("#trainee", Input).value.strip())
