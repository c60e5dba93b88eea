"""The Rubric screen (admins): add, edit, order, retire and restore items."""

from __future__ import annotations

from textual.widgets import Input

from supervise.app import SuperviseApp
from supervise.screens.rubric import RubricItemDialog, RubricScreen
from supervise.services import rubric
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of


def codes(demo: Demo) -> list[str]:
    entries = rubric.list_rubric(demo.ctx, demo.login("dana"), include_retired=True)
    return [entry.code for entry in entries]


def entry(demo: Demo, code: str) -> rubric.RubricEntry:
    entries = rubric.list_rubric(demo.ctx, demo.login("dana"), include_retired=True)
    return next(e for e in entries if e.code == code)


async def test_an_admin_adds_edits_moves_retires_and_restores_an_item(
    sqlite_program: Demo,
) -> None:
    seeded = codes(sqlite_program)
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "dana", sqlite_program.password("dana"))
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RubricScreen)
        assert list(screen.views) == seeded
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, RubricItemDialog)
        dialog.query_one("#code", Input).value = "Bad Code"
        dialog.query_one("#label", Input).value = "Cultural humility"
        await pilot.click("#save")
        await settle(pilot)
        assert app.screen is dialog
        assert "a rubric code is" in text_of(app, "#error")
        dialog.query_one("#code", Input).value = "humility"
        description = dialog.query_one("#description", Input)
        description.value = "[b]Curious[/b] about"
        description.focus()
        await pilot.press("enter")  # Enter in the last field saves, as Save does
        await settle(pilot)
        assert isinstance(app.screen, RubricScreen)
        assert codes(sqlite_program) == [*seeded, "humility"]
        assert entry(sqlite_program, "humility").description == "[b]Curious[/b] about"
        shown = screen.query_one(RecordTable).get_row("humility")
        assert str(shown[3]) == "[b]Curious[/b] about"  # literally, not bold

        table = screen.query_one(RecordTable)
        table.move_cursor(row=len(seeded))
        await pilot.press("u")
        await settle(pilot)
        assert codes(sqlite_program) == [*seeded[:-1], "humility", seeded[-1]]
        assert screen.highlighted() is not None
        assert screen.highlighted().code == "humility"  # type: ignore[union-attr]
        await pilot.press("d")
        await settle(pilot)
        assert codes(sqlite_program) == [*seeded, "humility"]

        await pilot.press("e")
        editing = app.screen
        assert isinstance(editing, RubricItemDialog)
        assert editing.query_one("#code", Input).disabled
        assert app.focused is editing.query_one("#label", Input)
        editing.query_one("#label", Input).value = "Cultural humility and curiosity"
        await pilot.click("#save")
        await settle(pilot)
        assert entry(sqlite_program, "humility").label == (
            "Cultural humility and curiosity"
        )

        await pilot.press("x")
        await settle(pilot)
        assert entry(sqlite_program, "humility").retired
        assert screen.views["humility"].retired
        await pilot.press("x")
        await settle(pilot)
        assert not entry(sqlite_program, "humility").retired
    actions = audit_actions(sqlite_program.ctx, 60)
    # add, up, down, edit, retire, restore; the refused code wrote nothing
    assert actions.count(("rubric.edit", "allowed")) == 6


async def test_the_first_item_does_not_move_up(sqlite_program: Demo) -> None:
    seeded = codes(sqlite_program)
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "dana", sqlite_program.password("dana"))
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, RubricScreen)
        app.screen.query_one(RecordTable).move_cursor(row=0)
        await pilot.press("u")
        await settle(pilot)
    assert codes(sqlite_program) == seeded


async def test_a_supervisor_cannot_open_the_rubric_screen(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "sam", sqlite_program.password("sam"))
        home = app.screen
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is home
        assert isinstance(app, SuperviseApp)
        app.action_open("rubric")
        await settle(pilot)
        assert not isinstance(app.screen, RubricScreen)
    assert audit_actions(sqlite_program.ctx, 1) == [("rubric.edit", "denied")]
