"""The admin's retention purge screen: a preview, then the purge on request."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from supervise.models.clinical import Recording
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.purge import PurgeScreen
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.clinical_helpers import add_recording, in_front, open_and_settle
from tests.ui.pilot_helpers import app_for, audit_actions, settle, text_of


def set_row(demo: Demo, recording_id: int, **values: object) -> None:
    with Session(demo.ctx.engine) as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def state_of(demo: Demo, recording_id: int) -> str:
    with Session(demo.ctx.engine) as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        return str(row.state)


async def test_the_preview_lists_what_is_due_and_running_it_shreds_only_that(
    sqlite_program: Demo,
) -> None:
    due = add_recording(sqlite_program, "P-1")
    held = add_recording(sqlite_program, "P-2")
    later = add_recording(sqlite_program, "P-3")
    set_row(sqlite_program, due.id, destroy_after=date(2020, 1, 1))
    set_row(sqlite_program, held.id, destroy_after=date(2020, 1, 1), legal_hold=True)
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "dana", "u")
        screen = app.screen
        assert isinstance(screen, PurgeScreen)
        assert set(screen.views) == {str(due.id), str(held.id)}
        assert screen.views[str(held.id)].step == "held"
        assert screen.query_one(RecordTable).row_count == 2
        assert "1 recording to shred" in text_of(app, "#purge-summary")
        assert state_of(sqlite_program, due.id) == "active"  # a preview only
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert in_front(app, screen)
        assert set(screen.views) == {str(held.id)}
    assert state_of(sqlite_program, due.id) == "shredded"
    assert state_of(sqlite_program, held.id) == "active"
    assert state_of(sqlite_program, later.id) == "active"
    assert ("retention.purge", "allowed") in audit_actions(sqlite_program.ctx, 40)


async def test_only_an_admin_is_offered_the_purge(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "u")
        assert not isinstance(app.screen, PurgeScreen)
