"""The admin's state table: the counsel notice, and editing a row in a dialog."""

from __future__ import annotations

from sqlmodel import Session
from textual.pilot import Pilot
from textual.widgets import Input

from supervise.app import SuperviseApp
from supervise.screens.state_rules import (
    COUNSEL_NOTICE,
    EditRuleDialog,
    StateRulesScreen,
)
from supervise.services import rules
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.clinical_helpers import in_front
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of


async def open_state_table(pilot: Pilot[None], demo: Demo) -> StateRulesScreen:
    """Log in as the admin and push the state table."""
    await log_in(pilot, "dana", demo.password("dana"))
    app = pilot.app
    assert isinstance(app, SuperviseApp) and app.user is not None
    screen = StateRulesScreen(demo.ctx, app.user)
    await app.push_screen(screen)
    await settle(pilot)
    return screen


async def edit_row(pilot: Pilot[None], screen: StateRulesScreen, code: str) -> None:
    """Put the cursor on `code` and open its dialog with the edit key."""
    screen.query_one(RecordTable).move_cursor(row=list(screen.views).index(code))
    await pilot.press("e")


def adult_years_of(demo: Demo, code: str) -> int:
    with Session(demo.ctx.engine) as session:
        rule = rules.get_rule(session, code)
        assert rule is not None
        return rule.adult_years


async def test_the_admin_reads_the_counsel_notice_and_edits_californias_adult_years(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_state_table(pilot, sqlite_program)
        assert text_of(app, "#counsel-notice") == COUNSEL_NOTICE
        assert screen.query_one(RecordTable).row_count == 51
        await edit_row(pilot, screen, "CA")
        dialog = app.screen
        assert isinstance(dialog, EditRuleDialog)
        assert "Penal Code §632" in text_of(app, "#source-note")
        dialog.query_one("#adult-years", Input).value = "9"
        await pilot.click("#save")
        await settle(pilot)
        assert in_front(app, screen)
        assert screen.views["CA"].adult_years == 9
    assert adult_years_of(sqlite_program, "CA") == 9
    assert audit_actions(sqlite_program.ctx, 1) == [("rules.edit", "allowed")]


async def test_a_bad_value_shows_an_error_in_the_dialog_and_changes_nothing(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_state_table(pilot, sqlite_program)
        await edit_row(pilot, screen, "CA")
        dialog = app.screen
        assert isinstance(dialog, EditRuleDialog)
        years = dialog.query_one("#adult-years", Input)
        years.value = "0"
        await pilot.click("#save")
        await settle(pilot)
        assert in_front(app, dialog)
        assert "Adult years must be a whole number from 1 to 100" in text_of(
            app, "#error"
        )
        years.value = ""
        dialog.query_one("#source", Input).focus()
        await pilot.press("enter")  # saves from the last field
        await settle(pilot)
        assert "Adult years must be a whole number, like 7." in text_of(app, "#error")
        await pilot.press("escape")
        await settle(pilot)
        assert in_front(app, screen)
        assert screen.views["CA"].adult_years == 7
    assert adult_years_of(sqlite_program, "CA") == 7
    assert ("rules.edit", "allowed") not in audit_actions(sqlite_program.ctx)
