"""The review queue, the review screen and the trainee's feedback, in the TUI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from supervise.app import SuperviseApp
from supervise.screens import review_queue
from supervise.screens.comment_dialog import CommentDialog
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.feedback import FeedbackScreen
from supervise.screens.help import HelpDialog
from supervise.screens.home import SupervisorHome, TraineeHome
from supervise.screens.review import ReviewScreen
from supervise.screens.review_queue import ReviewQueueScreen, TraineeFilterDialog
from supervise.screens.review_text import first_line
from supervise.services import recordings, reviews
from supervise.services.reviews import ReviewView
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.clinical_helpers import add_recording, in_front, open_and_settle
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of

Notes = list[tuple[str, str]]


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Notes]:
    """Every notification any app shows, as (message, severity)."""
    seen: Notes = []

    def notify(self: SuperviseApp, message: str, **kw: Any) -> None:
        seen.append((message, str(kw.get("severity", "information"))))

    monkeypatch.setattr(SuperviseApp, "notify", notify)
    yield seen


def recording_of(demo: Demo, trainee: str, case_code: str) -> int:
    """The id of `trainee`'s demo recording of client `case_code`."""
    views = recordings.list_recordings(demo.ctx, demo.login(trainee))
    return next(view.id for view in views if view.case_code == case_code)


def cells(table: RecordTable, key: str) -> list[str]:
    """The plain text of the cells of row `key`."""
    return [str(cell) for cell in table.get_row(key)]


def review_screen(app: SuperviseApp) -> ReviewScreen:
    """The review screen in front."""
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def shown(screen: ReviewScreen) -> ReviewView:
    """The review the screen last drew."""
    assert screen.view is not None
    return screen.view


async def add_comment(
    pilot: Pilot[None], app: SuperviseApp, at: str, text: str, key: str = "a"
) -> None:
    """Open the comment dialog with `key`, fill it in and save with ctrl+s."""
    await pilot.press(key)
    dialog = app.screen
    assert isinstance(dialog, CommentDialog)
    dialog.query_one("#at", Input).value = at
    dialog.query_one("#comment-text", TextArea).load_text(text)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_a_supervisor_reviews_and_signs_off_and_the_trainee_reads_it(
    sqlite_program: Demo, notes: Notes
) -> None:
    demo = sqlite_program
    oldest = recording_of(demo, "tara", "C-1001")
    demo.clock.advance(days=3)
    newest = add_recording(demo, "T-90").id
    app = app_for(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "sam", demo.password("sam"))
        assert isinstance(app.screen, SupervisorHome)
        assert text_of(app, "#queue-note") == (
            "3 recordings wait for your review, the oldest for 3 days: press q."
        )
        await pilot.press("q")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        table = queue.query_one(RecordTable)
        keys = [str(row.value) for row in table.rows]
        assert keys[0] == str(oldest) and keys[-1] == str(newest)
        assert cells(table, str(oldest))[1:4] == ["3 days", "tara", "C-1001"]
        assert "Showing 3 of 3 recordings waiting" in text_of(app, "#queue-summary")

        await pilot.press("enter")
        await settle(pilot)
        screen = review_screen(app)
        assert screen.recording_id == oldest and screen.editable
        await add_comment(pilot, app, "0:04", "Summarise here; [b]not bold[/b].")
        await add_comment(pilot, app, "0:01", "Good open question.")
        comments = screen.query_one("#comment-table", RecordTable)
        assert [cells(comments, key)[0] for key in screen.comments] == ["0:01", "0:04"]
        last = list(screen.comments)[1]
        assert cells(comments, last)[1] == "Summarise here; [b]not bold[/b]."
        comments.move_cursor(row=1)
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, CommentDialog)
        assert dialog.query_one("#at", Input).value == "0:04"
        dialog.query_one("#at", Input).value = "0:05"
        dialog.query_one("#comment-text", TextArea).load_text("Summarise first.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [(c.at_seconds, c.text) for c in shown(screen).comments] == [
            (1.0, "Good open question."),
            (5.0, "Summarise first."),
        ]

        await pilot.press("r", "4", "down", "5", "down", "0")
        await settle(pilot)
        scores = [rating.score for rating in shown(screen).ratings[:3]]
        assert scores == [4, 5, None]

        await pilot.press("f")
        area = screen.query_one("#feedback-text", TextArea)
        assert screen.focused is area
        area.load_text("Warm and well paced.")
        await pilot.pause()
        assert text_of(app, "#feedback-note") == "Not saved yet: ctrl+s saves."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#feedback-note") == "Saved."

        await pilot.press("tab", "o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "locks the review" in str(app.screen.question)
        await pilot.press("y")
        await settle(pilot)
        assert screen.view is not None and screen.view.signed_off_at is not None
        assert not screen.editable and area.read_only
        assert text_of(app, "#review-state").startswith("Signed off")
        notes.clear()
        await pilot.press("c", "a", "e", "d")
        assert in_front(app, screen)
        refusal = ("This review is signed off: it can no longer be edited.", "warning")
        assert notes == [refusal] * 3

        await pilot.press("escape")
        await settle(pilot)
        assert str(oldest) not in app.screen.query_one(RecordTable).rows

        await pilot.press("ctrl+l")
        await log_in(pilot, "tara", demo.password("tara"))
        assert isinstance(app.screen, TraineeHome)
        assert text_of(app, "#new-feedback-note") == (
            "1 new feedback: press b to read it."
        )
        await pilot.press("b")
        await settle(pilot)
        feedback = app.screen
        assert isinstance(feedback, FeedbackScreen)
        (item,) = feedback.views.values()
        assert item.new and item.recording_id == oldest and item.supervisor == "sam"
        listed = feedback.query_one(RecordTable)
        assert cells(listed, str(item.review_id))[0] == "new"

        await pilot.press("enter")
        await settle(pilot)
        read = review_screen(app)
        assert not read.editable
        assert [c.text for c in shown(read).comments] == [
            "Good open question.",
            "Summarise first.",
        ]
        assert read.query_one("#feedback-text", TextArea).text == (
            "Warm and well paced."
        )
        assert read.query_one("#feedback-text", TextArea).read_only
        notes.clear()
        await pilot.press("a", "r", "3")
        assert in_front(app, read)
        assert notes == [refusal] * 2

        await pilot.press("escape")
        await settle(pilot)
        (seen,) = feedback.views.values()
        assert not seen.new and cells(listed, str(seen.review_id))[0] == ""
        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.query_one("#new-feedback-note").display
    assert ("review.sign_off", "allowed") in audit_actions(demo.ctx, 40)


async def test_a_supervisor_not_assigned_sees_no_recording_of_that_trainee(
    sqlite_program: Demo, notes: Notes
) -> None:
    demo = sqlite_program
    theirs = recording_of(demo, "tomas", "C-3002")
    app = app_for(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, demo, "sofia", "q")
        assert str(theirs) in app.screen.query_one(RecordTable).rows
        await pilot.press("ctrl+l")
        await open_and_settle(pilot, demo, "sam", "q")
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        assert str(theirs) not in queue.query_one(RecordTable).rows
        assert {item.trainee for item in queue.views.values()} == {"tara"}

        notes.clear()
        sam = app.user
        assert sam is not None
        await app.push_screen(ReviewScreen(demo.ctx, sam, theirs))
        await settle(pilot)
        screen = review_screen(app)
        assert screen.view is None and not screen.editable
        assert len(notes) == 1 and notes[0][1] == "error"
        assert ("review.view", "denied") in audit_actions(demo.ctx, 3)
        await pilot.press("a")
        assert in_front(app, screen)  # nothing to add to

        await app.push_screen(CommentDialog(demo.ctx, sam, theirs))
        dialog = app.screen
        assert isinstance(dialog, CommentDialog)
        dialog.query_one("#at", Input).value = "0:01"
        dialog.query_one("#comment-text", TextArea).load_text("Not mine to review.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert in_front(app, dialog)
        assert text_of(app, "#error") == notes[0][0]
        assert audit_actions(demo.ctx, 1) == [("review.write", "denied")]
    sofia = demo.login("sofia")
    assert reviews.open_review(demo.ctx, sofia, theirs).comments == ()


async def test_the_queue_loads_a_page_at_a_time_as_the_cursor_nears_its_end(
    sqlite_program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_queue, "PAGE", 2)
    monkeypatch.setattr(review_queue, "NEAR_END", 1)
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, sqlite_program, "sofia", "q")
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        table = queue.query_one(RecordTable)
        assert table.row_count == 2
        assert text_of(app, "#queue-summary").startswith(
            "Showing 2 of 3 recordings waiting"
        )
        assert text_of(app, "#queue-summary").endswith("m loads more.")
        await pilot.press("down")
        await settle(pilot)
        assert table.row_count == 3 and len(queue.views) == 3
        assert text_of(app, "#queue-summary").startswith("Showing 3 of 3")
        assert not queue.has_more
        ids = [int(str(row.value)) for row in table.rows]
        assert ids == sorted(ids)  # the demo's recordings share one age


async def test_the_queue_limits_to_one_trainee_and_refuses_someone_elses(
    sqlite_program: Demo, notes: Notes
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, sqlite_program, "sofia", "q")
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        await pilot.press("t")
        assert isinstance(app.screen, TraineeFilterDialog)
        await pilot.press(*"tomas", "enter")
        await settle(pilot)
        assert {item.trainee for item in queue.views.values()} == {"tomas"}
        assert "from tomas" in text_of(app, "#queue-summary")
        await pilot.press("t", "ctrl+u", *"theo", "enter")
        await settle(pilot)
        assert queue.views == {} and not queue.has_more
        assert "could not be read" in text_of(app, "#queue-summary")
        assert [severity for _, severity in notes] == ["error"]
        assert audit_actions(sqlite_program.ctx, 1) == [("review.write", "denied")]


async def test_a_bad_time_code_is_refused_in_the_dialog_and_nothing_is_saved(
    sqlite_program: Demo,
) -> None:
    demo = sqlite_program
    app = app_for(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, demo, "sam", "q")
        await pilot.press("enter")
        await settle(pilot)
        screen = review_screen(app)
        await add_comment(pilot, app, "12 minutes", "Too vague a time.")
        assert isinstance(app.screen, CommentDialog)
        assert text_of(app, "#error").startswith("write the time as seconds")
        app.screen.query_one("#at", Input).value = "9:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "after the end of the recording" in text_of(app, "#error")
        await pilot.press("escape")
        assert in_front(app, screen) and screen.comments == {}
        recording_id = screen.recording_id
    sam = demo.login("sam")
    assert reviews.open_review(demo.ctx, sam, recording_id).id is None


async def test_deleting_a_comment_asks_first_and_leaving_asks_about_unsaved_feedback(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, sqlite_program, "sam", "q")
        await pilot.press("enter")
        await settle(pilot)
        screen = review_screen(app)
        await add_comment(pilot, app, "3", "Keep this one?")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert len(screen.comments) == 1
        await pilot.press("d", "y")
        await settle(pilot)
        assert screen.comments == {}
        assert "No comments yet." in text_of(app, "#comment-full")

        await pilot.press("f", *"Half a thought")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert in_front(app, screen)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)


async def test_f1_explains_the_review_screens(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, sqlite_program, "sam", "q")
        assert isinstance(app.screen, ReviewQueueScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpDialog)
        assert app.screen.markdown == ReviewQueueScreen.HELP
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpDialog)
        assert app.screen.markdown == ReviewScreen.HELP


def test_a_comment_row_shows_its_first_line_and_says_when_there_is_more() -> None:
    assert first_line("[b]x[/b]\nmore") == "[b]x[/b] …"
    assert first_line("y" * 80, 10) == "y" * 9 + "…"
    assert first_line("  short  ") == "short"


async def test_every_rubric_item_fits_on_the_ratings_tab_at_80_by_24(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "sam", "q")
        await pilot.press("enter")
        await settle(pilot)
        screen = review_screen(app)
        await pilot.press("r")
        await pilot.pause()
        table = screen.query_one("#rating-table", RecordTable)
        assert table.row_count == 10
        assert table.region.height >= table.row_count + 1  # and the header
        assert screen.query_one("#rating-note").region.height >= 1


def test_a_capped_count_reads_as_a_floor_and_offers_more() -> None:
    from supervise.screens.review_queue import queue_line

    line = queue_line(50, 500, "", more=True).plain
    assert "Showing 50 of 500+ recordings waiting" in line
    assert line.endswith("m loads more.")
    assert queue_line(3, 3, "").plain.endswith("Enter opens the review.")
