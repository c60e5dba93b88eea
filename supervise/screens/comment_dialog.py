"""The comment dialog: a time in the recording and what the reviewer noticed.

Adds a comment to the supervisor's review of a recording, or changes one of
their own. The time is typed as it reads on a player (`12:30`, `1:02:03` or
seconds); the comment is clinical text, sealed by the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static, TextArea

from supervise.screens.base import Dialog
from supervise.services import reviews
from supervise.units import duration_text, parse_time_code

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.reviews import CommentView


class CommentDialog(Dialog["CommentView"]):
    """Add or edit a time-coded comment; dismiss with the saved comment."""

    HELP = """\
# Comment

Type the **time** in the recording the comment is about, as a player shows
it: `12:30`, `1:02:03`, or seconds (`750`). Then the **comment**; Enter
starts a new line in it.

**ctrl+s** (or **Save**) saves it; **Escape** closes without saving. Use case
codes, never client names: the comment is part of the clinical record.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save-comment"),
    ]
    AUTO_FOCUS = "#at"
    NEXT_ON_ENTER = frozenset({"at"})

    def __init__(
        self,
        ctx: ProgramContext,
        user: UserSession,
        recording_id: int,
        comment: CommentView | None = None,
    ) -> None:
        """Add a comment on `recording_id`, or edit `comment` when given."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.recording_id = recording_id
        self.comment = comment

    def compose(self) -> ComposeResult:
        """The time, the text, an error line and the buttons."""
        editing = self.comment is not None
        title = "Edit your comment" if editing else "Add a comment"
        at = duration_text(self.comment.at_seconds) if self.comment else ""
        text = self.comment.text if self.comment else ""
        with Vertical(classes="dialog", id="comment-form"):
            yield Static(
                f"{title} on recording {self.recording_id}", classes="dialog-title"
            )
            yield Input(at, placeholder="e.g. 12:30", id="at")
            yield TextArea(text, id="comment-text", soft_wrap=True)
            yield Static(
                "Case codes, never names. ctrl+s saves.",
                classes="dialog-note",
            )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders."""
        self.query_one("#at", Input).border_title = "Time (m:ss)"
        self.query_one("#comment-text", TextArea).border_title = "Comment"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Check the time and the text, then save through the services."""
        try:
            at = parse_time_code(self.query_one("#at", Input).value)
        except ValueError as exc:
            self.show_error(str(exc))
            self.query_one("#at", Input).focus()
            return
        text = self.query_one("#comment-text", TextArea).text
        if not text.strip():
            self.show_error("Write the comment.")
            self.query_one("#comment-text", TextArea).focus()
            return
        self.show_error("Saving…")
        comment = self.comment
        if comment is None:
            recording_id = self.recording_id
            self.submit(
                lambda: reviews.add_comment(self.ctx, self.user, recording_id, at, text)
            )
        else:
            comment_id = comment.id
            self.submit(
                lambda: reviews.edit_comment(self.ctx, self.user, comment_id, at, text)
            )
