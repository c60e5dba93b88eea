"""The review screen: one supervisor's review of one recording.

The recording's metadata and how to play it; then, on three tabs, the
time-coded comments, the ratings against the program's rubric and the overall
feedback. The supervisor who reviews edits them until they sign off, which
locks the review; the trainee opens the same screen read-only, which marks
the feedback seen. The services decide who may do what; a refusal shows as an
error and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from supervise.screens.base import SessionScreen, attempt
from supervise.screens.comment_dialog import CommentDialog
from supervise.screens.recording_text import home_setup
from supervise.screens.review_text import (
    SCORE_KEYS,
    comment_row,
    first_line,
    play_text,
    rating_row,
    review_state,
    review_summary,
    sign_off_question,
)
from supervise.services import reviews, rubric
from supervise.units import duration_text
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.reviews import CommentView, Rating, ReviewView

COMMENT_COLUMNS = ("Time", "Comment", "By")
RATING_COLUMNS = ("Competency", "Score")
"""The ids of the three tabs, in order."""

EDIT_KEYS = ("a", "e", "d", *SCORE_KEYS, "0", "ctrl+s", "o")
"""Every key that changes the review: on a locked review each says why not."""

COMMENT_ACTIONS = frozenset({"add_comment", "edit_comment", "delete_comment"})


class ReviewScreen(SessionScreen):
    """Read a review; the reviewer also comments, rates, writes and signs off."""

    HELP = """\
# Review

The recording under review, how to play it (in a shell, never here), and
the review on three tabs. **c**, **r** and **f** show the tabs; **Tab**
moves between the parts.

**Comments**, by time in the recording:

- **a** adds a comment: the time as a player shows it (`12:30`) and the text.
- **e** edits and **d** deletes the highlighted comment (your own only;
  deleting asks first). The whole text of a comment shows under the list.

**Ratings**, one row for each item of the program's rubric:

- **1** to **5** rate the highlighted item; **0** marks it not observed.

**Feedback**: type the overall feedback; **ctrl+s** saves it.

**o** signs the review off, after you confirm. That locks it: nothing in it
can change afterwards, and the trainee can read it. A trainee sees their
feedback here read-only.

**f5** reloads; **Escape** goes back (asking first if the feedback has
changes that are not saved).
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", id="back"),
        Binding(
            "c", "show_tab('comments')", "Comments", id="review-comments", show=False
        ),
        Binding("r", "show_tab('ratings')", "Ratings", id="review-ratings", show=False),
        Binding(
            "f", "show_tab('feedback')", "Feedback", id="review-feedback", show=False
        ),
        Binding("a", "add_comment", "Add", id="add-comment"),
        Binding("e", "edit_comment", "Edit", id="edit-comment"),
        Binding("d", "delete_comment", "Delete", id="delete-comment"),
        Binding("1", "rate(1)", "Rate", key_display="1-5", id="rate"),
        *(Binding(key, f"rate({key})", "Rate", show=False) for key in SCORE_KEYS[1:]),
        Binding("0", "rate(0)", "Not observed", id="not-observed"),
        Binding("ctrl+s", "save_feedback", "Save", id="save-feedback"),
        Binding("o", "sign_off", "Sign off", id="sign-off"),
        # The same keys on a review nobody may change: say why instead.
        *(Binding(key, "read_only", show=False) for key in EDIT_KEYS),
        Binding("f5", "reload", "Reload", id="reload-review", show=False),
    ]

    AUTO_FOCUS = "#comment-table"

    def __init__(
        self,
        ctx: ProgramContext,
        user: UserSession,
        recording_id: int,
        supervisor: str | None = None,
    ) -> None:
        """Open the review of `recording_id`: the caller's own (a supervisor),
        or the one by `supervisor` (a trainee reading their feedback)."""
        super().__init__(ctx, user)
        self.recording_id = recording_id
        self.supervisor = supervisor
        self.view: ReviewView | None = None
        self.comments: dict[str, CommentView] = {}
        self.descriptions: dict[str, str] = {}
        self.saved_feedback = ""

    def compose(self) -> ComposeResult:
        """The summary, how to play, the state, the three tabs, the footer."""
        yield Header()
        with Vertical(id="review"):
            yield Static("Loading…", id="review-summary")
            yield Static("", id="review-play")
            yield Static("", id="review-state")
            with TabbedContent(id="review-tabs"):
                with TabPane("Comments (c)", id="comments"):
                    yield RecordTable(*COMMENT_COLUMNS, id="comment-table")
                    yield Static("", id="comment-full")
                with TabPane("Ratings (r)", id="ratings"):
                    yield RecordTable(*RATING_COLUMNS, id="rating-table")
                    yield Static("", id="rating-note")
                with TabPane("Feedback (f)", id="feedback"):
                    yield TextArea(id="feedback-text", soft_wrap=True)
                    yield Static("", id="feedback-note")
        yield Footer()

    def on_mount(self) -> None:
        """Load the review."""
        self.sub_title = f"review of recording {self.recording_id}"
        self.load()

    # --- reading -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Open the review through the services (audited as a reading)."""
        view = attempt(self, self._open)
        if view is not None:
            self.app.call_from_thread(self.show, view)

    def _open(self) -> ReviewView:
        view = reviews.open_review(
            self.ctx, self.user, self.recording_id, self.supervisor
        )
        if not self.descriptions:
            entries = rubric.list_rubric(self.ctx, self.user, include_retired=True)
            self.descriptions = {entry.code: entry.description for entry in entries}
        return view

    def show(self, view: ReviewView) -> None:
        """Draw `view`; typed feedback not yet saved is kept."""
        self.view = view
        self.query_one("#review-summary", Static).update(review_summary(view))
        setup = home_setup(self.ctx.settings.home)
        self.query_one("#review-play", Static).update(play_text(view.play_hint, setup))
        self.query_one("#review-state", Static).update(review_state(view))
        self.comments = {str(c.id): c for c in view.comments}
        self.query_one("#comment-table", RecordTable).replace_rows(
            (key, self._comment_cells(c)) for key, c in self.comments.items()
        )
        self.query_one("#rating-table", RecordTable).replace_rows(
            (rating.code, rating_row(rating)) for rating in view.ratings
        )
        self._show_feedback(view)
        self._describe_comment()
        self._describe_rating()
        self.refresh_bindings()

    def _comment_cells(self, comment: CommentView) -> tuple[object, ...]:
        at, _, author = comment_row(comment)
        return (at, literal(first_line(comment.text)), author)

    def _show_feedback(self, view: ReviewView) -> None:
        area = self.query_one("#feedback-text", TextArea)
        if not self.feedback_unsaved and area.text != view.feedback:
            area.load_text(view.feedback)
        self.saved_feedback = view.feedback
        area.read_only = not view.editable
        self._note_feedback()

    @property
    def feedback_unsaved(self) -> bool:
        """Whether the feedback box holds text that is not saved."""
        area = self.query_one("#feedback-text", TextArea)
        return self.editable and area.text != self.saved_feedback

    @property
    def editable(self) -> bool:
        """Whether this person may change the review now."""
        return self.view is not None and self.view.editable

    def _note_feedback(self) -> None:
        note = self.query_one("#feedback-note", Static)
        if self.view is None:
            note.update("")
        elif not self.editable:
            note.update("" if self.saved_feedback else "No overall feedback.")
        elif self.feedback_unsaved:
            note.update("Not saved yet: ctrl+s saves.")
        else:
            note.update("Saved." if self.saved_feedback else "ctrl+s saves.")

    @on(TextArea.Changed, "#feedback-text")
    def _feedback_typed(self) -> None:
        self._note_feedback()

    @on(DataTable.RowHighlighted, "#comment-table")
    def _describe_comment(self) -> None:
        comment = self.highlighted_comment()
        text = Text()
        if comment is not None:
            text.append(f"{duration_text(comment.at_seconds)} ", style="bold")
            text.append_text(literal(comment.text))
        elif self.view is not None:
            text.append("No comments yet.", style="dim")
        self.query_one("#comment-full", Static).update(text)

    @on(DataTable.RowHighlighted, "#rating-table")
    def _describe_rating(self) -> None:
        rating = self.highlighted_rating()
        text = Text()
        if rating is not None:
            text.append_text(literal(self.descriptions.get(rating.code, "")))
        self.query_one("#rating-note", Static).update(text)

    def highlighted_comment(self) -> CommentView | None:
        """The comment under the cursor, if any."""
        key = self.query_one("#comment-table", RecordTable).highlighted_key
        return None if key is None else self.comments.get(key)

    def highlighted_rating(self) -> Rating | None:
        """The rubric item under the cursor, if any."""
        key = self.query_one("#rating-table", RecordTable).highlighted_key
        ratings = self.view.ratings if self.view is not None else ()
        return next((r for r in ratings if r.code == key), None)

    # --- which keys work -----------------------------------------------------

    @property
    def tab(self) -> str:
        """The id of the tab shown."""
        return self.query_one(TabbedContent).active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer each change on its own tab while the review can change; on a
        locked review, the same keys say why not."""
        if action in COMMENT_ACTIONS:
            return self.editable and self.tab == "comments"
        if action == "rate":
            return self.editable and self.tab == "ratings"
        if action in ("save_feedback", "sign_off"):
            return self.editable
        if action == "read_only":
            return self.view is not None and not self.editable
        return True

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def action_show_tab(self, tab: str) -> None:
        """Show `tab` and put the cursor in it."""
        self.query_one(TabbedContent).active = tab
        targets = {
            "comments": "#comment-table",
            "ratings": "#rating-table",
            "feedback": "#feedback-text",
        }
        self.query_one(targets[tab]).focus()

    def action_read_only(self) -> None:
        """Say why this review cannot change."""
        view = self.view
        if view is not None and view.signed_off_at is not None:
            message = "This review is signed off: it can no longer be edited."
        else:
            message = "Only the supervisor who reviews it can change this review."
        self.notify(message, severity="warning")

    def action_reload(self) -> None:
        """Read the review again (typed feedback not yet saved is kept)."""
        self.load()

    def action_leave(self) -> None:
        """Go back, asking first when typed feedback would be lost."""
        if not self.feedback_unsaved:
            self.app.pop_screen()
            return
        question = Text("The feedback has changes that are not saved.\n\n")
        question.append("Leave without saving them?")
        self.confirm(question, "Leave", self.app.pop_screen)

    # --- comments ------------------------------------------------------------

    def action_add_comment(self) -> None:
        """Ask for a time and a comment, then add it."""
        dialog = CommentDialog(self.ctx, self.user, self.recording_id)
        self.app.push_screen(dialog, partial(self._comment_saved, "added"))

    def action_edit_comment(self) -> None:
        """Change the highlighted comment (one's own only)."""
        comment = self.highlighted_comment()
        if comment is None:
            return
        if comment.author != self.user.username:
            self.notify("You can change only your own comments.", severity="warning")
            return
        dialog = CommentDialog(self.ctx, self.user, self.recording_id, comment)
        self.app.push_screen(dialog, partial(self._comment_saved, "changed"))

    def _comment_saved(self, done: str, comment: CommentView | None) -> None:
        if comment is not None:
            self.notify(f"Comment at {duration_text(comment.at_seconds)} {done}.")
            self.load()

    def action_delete_comment(self) -> None:
        """Delete the highlighted comment (one's own only), after asking."""
        comment = self.highlighted_comment()
        if comment is None:
            return
        if comment.author != self.user.username:
            self.notify("You can delete only your own comments.", severity="warning")
            return
        question = Text(
            f"Delete the comment at {duration_text(comment.at_seconds)}?\n\n"
        )
        question.append_text(literal(first_line(comment.text), style="italic"))
        self.confirm(question, "Delete", partial(self.delete_comment, comment.id))

    @work(thread=True, group="change")
    def delete_comment(self, comment_id: int) -> None:
        """Delete the comment through the services, then read the review again."""

        def delete() -> int:
            reviews.delete_comment(self.ctx, self.user, comment_id)
            return comment_id  # `attempt` says a refusal with None

        if attempt(self, delete) is not None:
            self.notify("Comment deleted.")
            self.app.call_from_thread(self.load)

    # --- ratings, feedback, sign-off -----------------------------------------

    def action_rate(self, score: int) -> None:
        """Give the highlighted rubric item `score` (0: not observed)."""
        rating = self.highlighted_rating()
        if rating is None or self.view is None:
            return
        # Only this item: the service keeps the others' scores.
        scores: dict[str, int | None] = {rating.code: score or None}
        self.change(
            lambda: reviews.set_ratings(self.ctx, self.user, self.recording_id, scores)
        )

    def action_save_feedback(self) -> None:
        """Save the overall feedback as typed."""
        text = self.query_one("#feedback-text", TextArea).text
        self.change(
            lambda: reviews.set_feedback(self.ctx, self.user, self.recording_id, text),
            "Feedback saved.",
        )

    def action_sign_off(self) -> None:
        """Sign the review off, after a question that says it locks it."""
        view = self.view
        if view is None:
            return
        unsaved = self.feedback_unsaved
        text = self.query_one("#feedback-text", TextArea).text
        question = sign_off_question(view, unsaved)
        self.confirm(question, "Sign off", partial(self.sign_off, unsaved, text))

    def sign_off(self, unsaved: bool, text: str) -> None:
        """Save the typed feedback if asked to, then sign off."""

        def save_then_sign() -> ReviewView:
            if unsaved:
                reviews.set_feedback(self.ctx, self.user, self.recording_id, text)
            return reviews.sign_off(self.ctx, self.user, self.recording_id)

        self.change(save_then_sign, "Signed off: the review is locked.")

    @work(thread=True, group="change")
    def change(self, call: Callable[[], ReviewView], done: str = "") -> None:
        """Run a change through the services and draw the review it returns."""
        view = attempt(self, call)
        if view is None:
            return
        self.app.call_from_thread(self.show, view)
        if done:
            self.notify(done)
