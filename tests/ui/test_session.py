"""Sessions end: idle logoff with a fake clock, and logging off by hand."""

from __future__ import annotations

from supervise.app import idle_note
from supervise.screens.help import HelpDialog
from supervise.screens.home import TraineeHome
from supervise.screens.login import LoginScreen
from tests.conftest import Demo, newest_audit_rows
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of


async def test_idle_logoff_drops_the_keys_and_returns_to_login(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        session = app.user
        assert session is not None
        await pilot.press("f1")  # a modal open at logoff is closed too
        assert isinstance(app.screen, HelpDialog)
        sqlite_program.clock.advance(minutes=10)
        assert app.check_idle_logoff()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert len(app.screen_stack) == 2
        assert app.user is None
        assert session.private_key is None
        assert text_of(app, "#note") == "Logged off after 10 minutes idle."
    newest = newest_audit_rows(sqlite_program.ctx, 1)[0]
    assert (newest.action, newest.actor_id) == ("logoff.idle", session.account_id)


async def test_activity_before_the_timeout_keeps_the_session(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        sqlite_program.clock.advance(minutes=9)
        await pilot.press("down")
        sqlite_program.clock.advance(minutes=9)
        assert not app.check_idle_logoff()
        await pilot.hover("#nav")
        sqlite_program.clock.advance(minutes=9, seconds=59)
        assert not app.check_idle_logoff()
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)
        assert app.user is not None and app.user.private_key is not None
        sqlite_program.clock.advance(seconds=1)
        assert app.check_idle_logoff()
        await settle(pilot)


async def test_nobody_logged_in_is_never_logged_off(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        sqlite_program.clock.advance(hours=2)
        assert not app.check_idle_logoff()
        await settle(pilot)
    assert "logoff.idle" not in [a for a, _ in audit_actions(sqlite_program.ctx)]


async def test_ctrl_l_logs_off(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "sam", sqlite_program.password("sam"))
        session = app.user
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert session is not None and session.private_key is None
    assert audit_actions(sqlite_program.ctx, 1) == [("logoff", "allowed")]


async def test_quitting_logs_off_first(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "sam", sqlite_program.password("sam"))
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert audit_actions(sqlite_program.ctx, 1) == [("logoff", "allowed")]


def test_the_idle_note_reads_in_minutes_or_seconds() -> None:
    assert idle_note(600) == "Logged off after 10 minutes idle."
    assert idle_note(60) == "Logged off after 1 minute idle."
    assert idle_note(90) == "Logged off after 90 seconds idle."
