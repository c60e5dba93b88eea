"""The app in SSH mode (`tui --ssh-user`), driven by Pilot with a fake clock.

The username is fixed; a password handed over by the server logs in at once;
logging off, by hand or when idle, ends the app instead of offering a login.
"""

from __future__ import annotations

from textual.widgets import Input

from supervise.app import SuperviseApp
from supervise.screens.home import TraineeHome
from supervise.screens.login import LoginScreen
from tests.conftest import Demo
from tests.ui.pilot_helpers import audit_actions, settle, text_of


def ssh_app(demo: Demo, password: str | None = None) -> SuperviseApp:
    return SuperviseApp(
        demo.ctx.settings,
        context=demo.ctx,
        clock=demo.clock,
        ssh_user="tara",
        ssh_password=password,
    )


async def test_a_handed_over_password_logs_in_at_once(sqlite_program: Demo) -> None:
    app = ssh_app(sqlite_program, sqlite_program.password("tara"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)
        assert app.user is not None and app.user.username == "tara"


async def test_the_username_is_fixed_and_the_password_asked(
    sqlite_program: Demo,
) -> None:
    app = ssh_app(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        username = app.screen.query_one("#username", Input)
        assert (username.value, username.disabled) == ("tara", True)
        assert app.focused is app.screen.query_one("#password", Input)
        await pilot.press(*sqlite_program.password("tara"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)


async def test_a_wrong_handed_over_password_leaves_the_form_for_another_try(
    sqlite_program: Demo,
) -> None:
    app = ssh_app(sqlite_program, "not-the-password")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "wrong username or password" in text_of(app, "#error")
        assert app.user is None


async def test_idle_logoff_ends_the_app_instead_of_offering_a_login(
    sqlite_program: Demo,
) -> None:
    app = ssh_app(sqlite_program, sqlite_program.password("tara"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)
        sqlite_program.clock.advance(minutes=10)
        assert app.check_idle_logoff()
        await settle(pilot)
        assert not isinstance(app.screen, LoginScreen)
    assert app.return_code == 0
    assert "logoff.idle" in [action for action, _ in audit_actions(sqlite_program.ctx)]
    assert app.exit_note == "Logged off after 10 minutes idle."


async def test_logging_off_by_hand_ends_the_app(sqlite_program: Demo) -> None:
    app = ssh_app(sqlite_program, sqlite_program.password("tara"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
    assert app.exit_note == "Logged off."
