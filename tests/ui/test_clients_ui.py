"""The clients screen and the add-client dialog."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.widgets import Input

from supervise.screens.add_client import BAD_DATE, AddClientDialog
from supervise.screens.clients import ClientsScreen, row_of
from supervise.screens.recordings import RecordingsScreen
from supervise.services import clients
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.clinical_helpers import (
    add_client,
    add_recording,
    in_front,
    open_and_settle,
)
from tests.ui.pilot_helpers import app_for, settle, text_of


def fill(dialog: AddClientDialog, **values: str) -> None:
    """Fill the dialog's fields by id (`case_code` for `#case-code`)."""
    for field, value in values.items():
        dialog.query_one(f"#{field.replace('_', '-')}", Input).value = value


def client_names(demo: Demo, username: str) -> dict[str, str | None]:
    """Case code to opened name, as the services list them for `username`."""
    user = demo.login(username)
    views = clients.list_clients(demo.ctx, user, reveal=True)
    return {v.case_code: v.identity.name if v.identity else None for v in views}


def test_a_name_the_caller_cannot_open_reads_sealed(sqlite_program: Demo) -> None:
    view = add_client(sqlite_program, "T-41", "Ann Lee")
    cells = row_of(replace(view, identity=None))
    assert isinstance(cells[1], Text) and cells[1].plain == "(sealed)"
    assert isinstance(cells[0], Text) and cells[0].plain == "T-41"


async def test_a_trainee_adds_a_client_and_sees_the_name_in_the_list(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "c")
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AddClientDialog)
        await pilot.press(*"t-42", "enter")  # typed, then Enter moves on
        assert dialog.focused is dialog.query_one("#name")
        fill(dialog, name="[b]Ann[/b] Lee", born="1990-04-17", guardian="")
        await pilot.click("#add")
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)
        view = app.screen.views["T-42"]
        assert view.identity is not None and view.jurisdiction == "CA"
        table = app.screen.query_one(RecordTable)
        cell = table.get_cell("T-42", table.ordered_columns[1].key)
        assert isinstance(cell, Text) and cell.plain == "[b]Ann[/b] Lee"
    assert client_names(sqlite_program, "tara")["T-42"] == "[b]Ann[/b] Lee"


async def test_a_bad_date_of_birth_is_refused_in_the_dialog_and_nothing_is_stored(
    sqlite_program: Demo,
) -> None:
    before = client_names(sqlite_program, "tara")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "c")
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AddClientDialog)
        fill(dialog, case_code="T-43", name="Ann Lee", born="1990-02-30")
        await pilot.click("#add")
        await settle(pilot)
        assert in_front(app, dialog)
        assert text_of(app, "#error") == BAD_DATE
        assert dialog.focused is dialog.query_one("#born")
        fill(dialog, born="2999-01-01")  # well formed, refused by the services
        dialog.query_one("#state").focus()
        await pilot.press("enter")  # Enter in the last field adds, as Add does
        await settle(pilot)
        assert in_front(app, dialog)
        assert "date of birth must be between" in text_of(app, "#error")
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)
    assert client_names(sqlite_program, "tara") == before


async def test_a_supervisor_sees_the_names_of_their_supervisees_clients_only(
    sqlite_program: Demo,
) -> None:
    add_client(sqlite_program, "T-44", "Ann Lee", trainee="tara")  # sam's
    add_client(sqlite_program, "T-45", "Bo Moss", trainee="tomas")  # sofia's
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "sam", "c")
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        shown = screen.views["T-44"]
        assert shown.identity is not None and shown.identity.name == "Ann Lee"
        assert shown.trainee == "tara"
        assert "T-45" not in screen.views
        await pilot.press("a")  # adding clients is for trainees
        assert in_front(app, screen)


async def test_enter_on_a_client_lists_that_clients_recordings_only(
    sqlite_program: Demo,
) -> None:
    mine = add_recording(sqlite_program, "T-46")
    other = add_recording(sqlite_program, "T-47")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "c")
        table = app.screen.query_one(RecordTable)
        table.move_cursor(row=table.get_row_index("T-46"))
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordingsScreen)
        assert set(screen.views) == {str(mine.id)}
        assert str(other.id) not in screen.views
