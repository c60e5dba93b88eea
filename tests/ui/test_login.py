"""Logging in: each role's home, wrong passwords, one-time passwords, roles."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from textual.widgets import Input

from supervise.models.accounts import Account
from supervise.screens.home import (
    AdminHome,
    AuditorHome,
    RoleHome,
    SupervisorHome,
    TraineeHome,
)
from supervise.screens.login import LoginScreen
from supervise.screens.password import PasswordDialog
from supervise.services import accounts
from supervise.services.setup import DEMO_ACCOUNTS
from tests.conftest import Demo
from tests.ui.pilot_helpers import (
    app_for,
    audit_actions,
    log_in,
    settle,
    text_of,
    type_ahead,
)


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("dana", AdminHome),
        ("sam", SupervisorHome),
        ("tara", TraineeHome),
        ("audrey", AuditorHome),
    ],
)
async def test_each_role_lands_on_its_own_home(
    sqlite_program: Demo, username: str, home: type[RoleHome]
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, username, sqlite_program.password(username), typed=True)
        assert isinstance(app.screen, home)
        assert app.user is not None and app.user.username == username
        assert app.user.private_key is not None
        full_name = sqlite_program.accounts[username].full_name
        assert text_of(app, "#who").startswith(f"{full_name} ({username})")


@pytest.mark.parametrize(
    ("next_field", "submit"),
    # A line feed (ctrl+j) is what Enter becomes when typed before the app
    # has taken the terminal out of line mode.
    [("tab", "enter"), ("enter", "enter"), ("ctrl+j", "ctrl+j")],
)
async def test_keys_typed_ahead_land_in_the_field_they_were_meant_for(
    sqlite_program: Demo, next_field: str, submit: str
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        password = sqlite_program.password("tara")
        type_ahead(app, *"tara", next_field, *password, submit)
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)


async def test_a_supervisor_home_lists_their_current_trainees(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "sam", sqlite_program.password("sam"))
        line = text_of(app, "#my-pairs")
        assert "tara (individual)" in line and "theo (individual)" in line
        assert "tomas" not in line


async def test_a_wrong_password_shows_the_error_and_counts_toward_lockout(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "tara", "not-her-password", typed=True)
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert text_of(app, "#error") == "wrong username or password"
        assert app.screen.query_one("#password", Input).value == ""
    with Session(sqlite_program.ctx.engine) as session:
        tara = session.exec(select(Account).where(Account.username == "tara")).one()
        assert tara.failed_logins == 1
    assert audit_actions(sqlite_program.ctx, 1) == [("login.failure", "denied")]


async def test_an_empty_form_is_not_sent(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert text_of(app, "#error") == "Type a username and a password."
    assert audit_actions(sqlite_program.ctx, 1)[0][0] != "login.failure"


async def test_the_demo_panel_lists_usernames_roles_and_passwords(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program, demo_accounts=DEMO_ACCOUNTS)
    async with app.run_test(size=(80, 24)):
        panel = text_of(app, "#demo")
        for account in DEMO_ACCOUNTS:
            assert account.username in panel and account.password in panel
        assert "supervisor" in panel


def _new_trainee(demo: Demo) -> str:
    """Create `nora`, a trainee, and return her one-time password."""
    _, one_time = accounts.create_account(
        demo.ctx, demo.login("dana"), "nora", "Nora Quist", ["trainee"]
    )
    return one_time


async def test_a_one_time_password_forces_a_change_before_home(
    sqlite_program: Demo,
) -> None:
    one_time = _new_trainee(sqlite_program)
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "nora", one_time)
        assert isinstance(app.screen, PasswordDialog)
        assert app.screen.forced
        type_ahead(app, *one_time, "enter", *"short", "enter", *"short", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PasswordDialog)
        assert "at least 12 characters" in text_of(app, "#error")
        dialog = app.screen
        for field, value in (
            ("#new", "plum-orchard-77"),
            ("#repeat", "plum-orchard-77"),
        ):
            dialog.query_one(field, Input).value = value
        await pilot.click("#change")
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)
        assert app.user is not None and not app.user.must_change_password
    assert accounts.login(sqlite_program.ctx, "nora", "plum-orchard-77")


async def test_escape_from_the_forced_change_logs_off(sqlite_program: Demo) -> None:
    one_time = _new_trainee(sqlite_program)
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "nora", one_time)
        session = app.user
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert session is not None and session.private_key is None
    assert audit_actions(sqlite_program.ctx, 1) == [("logoff", "allowed")]


async def test_an_account_with_several_roles_lands_on_the_first_and_switches(
    sqlite_program: Demo,
) -> None:
    accounts.set_roles(
        sqlite_program.ctx,
        sqlite_program.login("dana"),
        "sofia",
        ["auditor", "supervisor"],
    )
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "sofia", sqlite_program.password("sofia"))
        assert isinstance(app.screen, SupervisorHome)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, AuditorHome)
        assert len(app.screen_stack) == 2
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorHome)


async def test_switching_role_is_offered_only_to_several_roles(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        assert not app.check_action("switch_role", ())
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)


async def test_a_login_typed_before_the_program_is_open_goes_through_once_it_is(
    sqlite_program: Demo,
) -> None:
    from supervise.app import SuperviseApp

    app = SuperviseApp(sqlite_program.ctx.settings, clock=sqlite_program.clock)

    def hold_shut() -> None:  # as a slow disk or database would
        return None

    app._open_program = hold_shut  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"tara", "tab", *sqlite_program.password("tara"), "enter")
        await settle(pilot)
        assert app.user is None
        app._program_opened(sqlite_program.ctx)
        await settle(pilot)
        assert app.user is not None and app.user.username == "tara"
