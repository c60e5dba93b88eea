"""Admin screens: accounts, supervision pairs and the audit trail."""

from __future__ import annotations

from rich.text import Text
from sqlalchemy import update
from sqlmodel import col
from textual.pilot import Pilot
from textual.widgets import Input, Select

from supervise.app import SuperviseApp
from supervise.models.accounts import Account
from supervise.models.audit import AuditEvent
from supervise.models.database import session_scope
from supervise.screens.accounts import AccountsScreen
from supervise.screens.assign_pair import AssignPairDialog
from supervise.screens.audit_trail import AuditTrailScreen
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.new_account import NewAccountDialog
from supervise.screens.one_time_password import OneTimePasswordDialog
from supervise.screens.pairs import PairsScreen
from supervise.services import accounts, pairs
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of


async def open_as_dana(pilot: Pilot[None], demo: Demo, key: str) -> SuperviseApp:
    """Log in as the admin and press a home key."""
    await log_in(pilot, "dana", demo.password("dana"))
    if key:
        await pilot.press(key)
        await settle(pilot)
    app = pilot.app
    assert isinstance(app, SuperviseApp)
    return app


async def test_an_admin_creates_an_account_and_sees_its_one_time_password(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as_dana(pilot, sqlite_program, "a")
        await pilot.press("n")
        assert isinstance(app.screen, NewAccountDialog)
        await pilot.press(*"eve", "enter", *"Eve Adams", "enter")
        await pilot.press("down", "down", "space")  # tick "trainee"
        await pilot.click("#create")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, OneTimePasswordDialog)
        assert dialog.username == "eve"
        assert dialog.password in text_of(app, "#secret")
        eve = accounts.login(sqlite_program.ctx, "eve", dialog.password)
        assert eve.must_change_password and {str(r) for r in eve.roles} == {"trainee"}
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert "eve" in app.screen.views


async def test_a_refused_account_shows_why_inside_the_dialog(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as_dana(pilot, sqlite_program, "a")
        await pilot.press("n")
        app.screen.query_one("#username", Input).value = "sam"
        await pilot.click("#create")
        await settle(pilot)
        assert isinstance(app.screen, NewAccountDialog)
        assert text_of(app, "#error") == "an account needs at least one role"
        await pilot.press("escape")
        assert isinstance(app.screen, AccountsScreen)


async def test_a_full_name_with_markup_and_escapes_is_shown_literally(
    sqlite_program: Demo,
) -> None:
    name = "[b]Eve[/b] \x1b[31m"
    with session_scope(sqlite_program.ctx.engine) as session:
        session.execute(
            update(Account)
            .where(col(Account.username) == "dana")
            .values(full_name=name)
        )
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_as_dana(pilot, sqlite_program, "")
        assert text_of(app, "#who").startswith("[b]Eve[/b] \\x1b[31m (dana)")
        await pilot.press("a")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        cell = table.get_cell("dana", table.ordered_columns[1].key)
        assert isinstance(cell, Text)
        assert cell.plain == "[b]Eve[/b] \\x1b[31m"
        escape_only = [(span.start, span.end) for span in cell.spans]
        assert escape_only == [(11, 15)]


async def test_an_admin_disables_an_account_after_confirming(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_as_dana(pilot, sqlite_program, "a")
        table = app.screen.query_one(RecordTable)
        table.move_cursor(row=table.get_row_index("theo"))
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.views["theo"].disabled  # type: ignore[attr-defined]
        await pilot.press("d")  # an enable needs no question
        await settle(pilot)
        assert not app.screen.views["theo"].disabled  # type: ignore[attr-defined]
    assert [a for a, _ in audit_actions(sqlite_program.ctx, 2)] == [
        "account.enable",
        "account.disable",
    ]


async def test_an_admin_resets_a_password_and_sees_the_new_one(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_as_dana(pilot, sqlite_program, "a")
        table = app.screen.query_one(RecordTable)
        table.move_cursor(row=table.get_row_index("tomas"))
        await pilot.press("r", "y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, OneTimePasswordDialog)
        assert accounts.login(sqlite_program.ctx, "tomas", dialog.password)


async def test_an_admin_edits_roles(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_as_dana(pilot, sqlite_program, "a")
        table = app.screen.query_one(RecordTable)
        table.move_cursor(row=table.get_row_index("sam"))
        await pilot.press("e", "down", "down", "space")  # add "trainee"
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        sam = app.screen.views["sam"]
        assert {str(role) for role in sam.roles} == {"supervisor", "trainee"}


async def test_an_admin_assigns_and_ends_a_pair(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as_dana(pilot, sqlite_program, "p")
        assert isinstance(app.screen, PairsScreen)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignPairDialog)
        dialog.query_one("#supervisor", Select).value = "sofia"
        dialog.query_one("#trainee", Select).value = "theo"
        dialog.query_one("#kind", Select).value = "triadic"
        await pilot.click("#assign")
        await settle(pilot)
        assert isinstance(app.screen, PairsScreen)
        dana = sqlite_program.login("dana")
        newest = pairs.list_pairs(sqlite_program.ctx, dana)[0]
        assert (newest.supervisor, newest.trainee, newest.kind) == (
            "sofia",
            "theo",
            "triadic",
        )
        app.screen.query_one(RecordTable).move_cursor(row=0)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        ended = pairs.list_pairs(sqlite_program.ctx, dana)[0]
        assert ended.id == newest.id and not ended.active
    actions = [action for action, _ in audit_actions(sqlite_program.ctx, 4)]
    assert actions[0] == "pair.end" and "pair.create" in actions


async def test_verification_names_the_first_changed_row(sqlite_program: Demo) -> None:
    with session_scope(sqlite_program.ctx.engine) as session:
        session.execute(
            update(AuditEvent).where(col(AuditEvent.seq) == 3).values(reason="edited")
        )
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_as_dana(pilot, sqlite_program, "t")
        assert isinstance(app.screen, AuditTrailScreen)
        await pilot.press("v")
        await settle(pilot)
        assert text_of(app, "#verdict").startswith(
            "Row 3 was changed after it was written."
        )
        table = app.screen.query_one(RecordTable)
        assert table.highlighted_key == "3"
