"""The hours screen: a trainee adds and removes hours, a supervisor co-signs,
both export; totals under the table."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, Select, Static

from supervise.app import SuperviseApp
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.hours import AddHoursDialog, ExportHoursDialog, HoursScreen
from supervise.services import hours
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.hours_helpers import csv_rows, pdf_text
from tests.ui.clinical_helpers import open_and_settle
from tests.ui.pilot_helpers import app_for, settle, text_of

START = date(2026, 12, 3)


def hours_screen(app: object) -> HoursScreen:
    screen = getattr(app, "screen", None)
    assert isinstance(screen, HoursScreen)
    return screen


async def press(pilot: Pilot[None], button: str) -> None:
    """Press a dialog's button (a click could land on a notification)."""
    pilot.app.screen.query_one(button, Button).press()
    await settle(pilot)


def in_front(app: SuperviseApp, screen: Screen[None]) -> str:
    """ "" when `screen` is in front, else the error line of what is."""
    if app.screen is screen:
        return ""
    return str(app.screen.query_one("#error", Static).content)


def select_row(screen: HoursScreen, entry_id: int) -> None:
    table = screen.query_one(RecordTable)
    table.move_cursor(row=table.get_row_index(str(entry_id)))


async def test_a_trainee_adds_hours_and_the_supervisor_cosigns_them(
    program: Demo,
) -> None:
    app = app_for(program)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, program, "tara", "h")
        screen = hours_screen(app)
        assert text_of(app, "#hours-totals") == "No hours logged."
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddHoursDialog)
        supervisor = dialog.query_one("#supervisor", Select)
        assert {
            value for _, value in supervisor._options if isinstance(value, str)
        } == {
            "sam",
            "sofia",
        }
        supervisor.value = "sam"
        await press(pilot, "#add")
        assert "whole number" in text_of(app, "#error")
        dialog.query_one("#minutes", Input).value = "90"
        dialog.query_one("#kind", Select).value = "group"
        await press(pilot, "#add")
        assert in_front(app, screen) == ""
        (entry,) = hours.list_hours(program.ctx, program.login("tara")).entries
        assert (entry.supervisor, entry.minutes, entry.kind) == ("sam", 90, "group")
        assert list(screen.views) == [str(entry.id)]
        totals = text_of(app, "#hours-totals")
        assert "group 1.50 h" in totals and "awaiting 1.50 h" in totals

    app = app_for(program)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, program, "sam", "h")
        screen = hours_screen(app)
        assert list(screen.views) == [str(entry.id)]
        await pilot.press("a")  # supervisors do not add hours here
        await settle(pilot)
        assert app.screen is screen
        select_row(screen, entry.id)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert screen.views[str(entry.id)].cosigned
        assert "co-signed 1.50 h · awaiting 0.00 h" in text_of(app, "#hours-totals")


async def test_the_trainee_removes_an_entry_but_a_cosigned_one_stays(
    sqlite_program: Demo,
) -> None:
    demo = sqlite_program
    tara = demo.login("tara")
    kept = hours.log_hours(demo.ctx, tara, "sam", START, 60)
    dropped = hours.log_hours(demo.ctx, tara, "sofia", START, 30, "group")
    hours.cosign(demo.ctx, demo.login("sam"), kept.id)
    app = app_for(demo)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, demo, "tara", "h")
        screen = hours_screen(app)
        select_row(screen, kept.id)
        await pilot.press("x")
        await settle(pilot)
        assert app.screen is screen  # no question: it stays
        select_row(screen, dropped.id)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert list(screen.views) == [str(kept.id)]
        assert "total 1.00 h (60 min)" in text_of(app, "#hours-totals")
    entries = hours.list_hours(demo.ctx, demo.login("tara")).entries
    assert [e.id for e in entries] == [kept.id]


async def test_a_supervisor_sees_only_the_entries_that_name_them(
    sqlite_program: Demo,
) -> None:
    demo = sqlite_program
    tara = demo.login("tara")
    hours.log_hours(demo.ctx, tara, "sam", START, 60)
    theirs = hours.log_hours(demo.ctx, tara, "sofia", START, 30, "group")
    app = app_for(demo)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, demo, "sofia", "h")
        assert list(hours_screen(app).views) == [str(theirs.id)]


async def test_both_export_the_hours_as_files_read_back_with_their_totals(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    demo = sqlite_program
    tara = demo.login("tara")
    first = hours.log_hours(demo.ctx, tara, "sam", START, 60)
    hours.log_hours(demo.ctx, tara, "sofia", START, 45, "group")
    hours.cosign(demo.ctx, demo.login("sam"), first.id)
    assert len(hours.list_hours(demo.ctx, tara).entries) == 2
    csv_file, pdf_file = tmp_path / "tara.csv", tmp_path / "tara.pdf"
    app = app_for(demo)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, demo, "tara", "h")
        hours_screen_before = hours_screen(app)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportHoursDialog)
        assert dialog.query_one("#trainee", Select).value == "tara"
        dialog.query_one("#format", Select).value = "csv"
        dialog.query_one("#path", Input).value = str(csv_file)
        await press(pilot, "#export")
        assert in_front(app, hours_screen_before) == ""
    app = app_for(demo)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, demo, "sam", "h")
        hours_screen_before = hours_screen(app)
        select_row(hours_screen_before, first.id)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportHoursDialog)
        assert dialog.query_one("#trainee", Select).value == "tara"
        dialog.query_one("#path", Input).value = str(pdf_file)
        await press(pilot, "#export")
        assert in_front(app, hours_screen_before) == ""

    entries, totals = csv_rows(csv_file.read_text(encoding="utf-8"))
    assert [int(row["minutes"]) for row in entries] == [60, 45]
    assert totals["all hours"] == (105, "1.75")
    assert totals["awaiting co-signature"] == (45, "0.75")
    text = pdf_text(pdf_file.read_bytes())
    assert "All hours 60 1.00" in text and "Co-signed 60 1.00" in text
    for path in csv_file, pdf_file:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_an_export_over_an_existing_file_shows_why_on_the_dialog(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    target = tmp_path / "taken.pdf"
    target.write_text("mine")
    app = app_for(sqlite_program)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "h")
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(target)
        await press(pilot, "#export")
        assert isinstance(app.screen, ExportHoursDialog)
        assert "exists already" in text_of(app, "#error")
    assert target.read_text() == "mine"
