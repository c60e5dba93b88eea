"""How reviews read on screen: waits, time codes, scores and the summary.

Shared by the review queue, the review screen and the trainee's feedback list.
Case codes, usernames, comments and feedback were typed by people, so they go
through `literal`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text

from supervise.units import counted, duration_text
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.reviews import (
        CommentView,
        FeedbackItem,
        QueueItem,
        Rating,
        ReviewView,
    )

NOT_OBSERVED = "not observed"
"""How a rubric item marked not observed reads."""
NOT_RATED = "not rated"
"""How a rubric item not yet rated reads, in a draft."""

COMMENT_CELL = 52
"""How much of a comment its table row shows; the whole text is below it."""

SCORE_KEYS = ("1", "2", "3", "4", "5")
"""The keys that give the highlighted rubric item a score; `0` clears it."""


def waited_text(waited: timedelta) -> str:
    """How long something has waited, in the largest unit that reads well:
    'under an hour', '5 hours', '3 days', '2 weeks'."""
    hours = int(waited.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return counted(hours, "hour")
    days = hours // 24
    if days < 14:
        return counted(days, "day")
    return counted(days // 7, "week")


def stamp(moment: datetime) -> str:
    """A moment as 'YYYY-MM-DD HH:MM' (UTC, as the lists show times)."""
    return moment.strftime("%Y-%m-%d %H:%M")


def queue_row(item: QueueItem) -> tuple[object, ...]:
    """The table cells of one recording waiting for review."""
    comments = "" if item.review_id is None else str(item.comments)
    return (
        str(item.recording_id),
        waited_text(item.waited),
        literal(item.trainee),
        literal(item.case_code),
        item.purpose,
        duration_text(item.duration_seconds, unknown=""),
        comments,
    )


def feedback_row(item: FeedbackItem) -> tuple[object, ...]:
    """The table cells of one signed-off review, a bold 'new' until opened."""
    mark = Text("new", style="bold") if item.new else Text("")
    return (
        mark,
        str(item.recording_id),
        literal(item.case_code),
        literal(item.supervisor),
        stamp(item.signed_off_at),
    )


def comment_row(comment: CommentView) -> tuple[object, ...]:
    """The table cells of one time-coded comment; the text shown as typed."""
    return (
        duration_text(comment.at_seconds),
        literal(comment.text),
        literal(comment.author),
    )


def score_text(score: int | None, rated: bool = True) -> Text:
    """'4 ●●●●○' for a score, a dim 'not observed' or 'not rated' without."""
    if score is None:
        return Text(NOT_OBSERVED if rated else NOT_RATED, style="dim")
    return Text(f"{score} {'●' * score}{'○' * (5 - score)}")


def rating_row(rating: Rating) -> tuple[object, ...]:
    """The table cells of one rubric item and its score."""
    return (literal(rating.label), score_text(rating.score, rating.rated))


def review_summary(view: ReviewView) -> Text:
    """The recording under review and whose review it is, typed values shown
    literally."""
    text = Text(f"Recording {view.recording_id}", style="bold")
    text.append(" · client ")
    text.append_text(literal(view.case_code, style="bold"))
    text.append(" · trainee ")
    text.append_text(literal(view.trainee))
    text.append(" · reviewer ")
    text.append_text(literal(view.supervisor))
    length = duration_text(view.duration_seconds, unknown="")
    text.append(f"\n{view.purpose} · {view.media_type}")
    text.append(f"{' · ' + length if length else ''}")
    text.append(f" · imported {stamp(view.imported_at)} UTC")
    return text


def review_state(view: ReviewView) -> Text:
    """Whether the review can still change, and who may change it."""
    if view.signed_off_at is not None:
        when = stamp(view.signed_off_at)
        return Text(f"Signed off {when} UTC: read-only.", style="bold")
    if view.editable and view.id is None:
        return Text("Not started: comment, rate or write feedback, then sign off (o).")
    if view.editable:
        return Text("Draft, yours to change until you sign it off (o).")
    return Text("Read-only.", style="bold")


def play_text(hint: str, setup: str | None) -> Text:
    """How to play the recording in a shell, after `setup` when the shell
    needs it to find the program."""
    text = Text("In a shell, not here: ", style="dim")
    if setup:
        text.append_text(literal(f"{setup}; ", style="bold"))
    text.append_text(literal(hint, style="bold"))
    return text


def first_line(text: str, width: int = COMMENT_CELL) -> str:
    """The first line of `text`, cut to `width` characters; an ellipsis says
    there is more."""
    lines = text.strip().splitlines() or [""]
    if len(lines[0]) > width:
        return lines[0][: width - 1] + "…"
    return lines[0] + (" …" if len(lines) > 1 else "")


def sign_off_question(view: ReviewView, unsaved: bool) -> Text:
    """Ask to sign off, saying that it locks the review."""
    text = Text(f"Sign off your review of recording {view.recording_id} (client ")
    text.append_text(literal(view.case_code, style="bold"))
    text.append(")?\n\nSigning off locks the review: its comments, ratings and ")
    text.append("feedback can no longer be changed, and the trainee ")
    text.append_text(literal(view.trainee))
    text.append(" can read them.")
    if unsaved:
        text.append("\n\nThe feedback you typed is saved first.")
    return text


def waiting_text(total: int, more: bool) -> str:
    """'120 recordings', or '500+ recordings' when the count stopped at its cap."""
    return f"{total}+ recordings" if more else counted(total, "recording")
