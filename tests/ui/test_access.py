"""Who can open what: admin screens are refused (and audited) for others."""

from __future__ import annotations

import pytest

from supervise.app import SuperviseApp
from supervise.screens.accounts import AccountsScreen
from supervise.screens.audit_trail import AuditTrailScreen
from supervise.screens.home import TraineeHome
from tests.conftest import Demo, newest_audit_rows
from tests.ui.pilot_helpers import app_for, log_in, settle, text_of

ADMIN_COMMANDS = {"admin: accounts", "admin: supervision pairs"}


def command_titles(app: SuperviseApp) -> set[str]:
    """The titles the command palette would offer on the current screen."""
    return {command.title for command in app.get_system_commands(app.screen)}


async def test_a_trainee_is_refused_the_accounts_screen_and_the_denial_is_audited(
    sqlite_program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(sqlite_program)
    notes: list[tuple[str, object]] = []
    monkeypatch.setattr(
        app, "notify", lambda message, **kw: notes.append((message, kw["severity"]))
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        tara = app.user
        assert tara is not None
        app.action_open("accounts")
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)
        assert not any(isinstance(s, AccountsScreen) for s in app.screen_stack)
        assert notes == [("not permitted: account.list (role)", "error")]
    newest = newest_audit_rows(sqlite_program.ctx, 1)[0]
    assert (newest.action, str(newest.outcome)) == ("account.list", "denied")
    assert newest.actor_id == tara.account_id


async def test_the_admin_keys_do_nothing_on_a_trainee_home(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        await pilot.press("a", "p", "t")
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)


async def test_an_admin_opens_the_accounts_screen(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "dana", sqlite_program.password("dana"))
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 2


@pytest.mark.parametrize(
    ("username", "offered", "withheld"),
    [
        ("dana", ADMIN_COMMANDS | {"audit: trail"}, set()),
        ("audrey", {"audit: trail"}, ADMIN_COMMANDS),
        ("sam", set(), ADMIN_COMMANDS | {"audit: trail"}),
        ("tara", set(), ADMIN_COMMANDS | {"audit: trail"}),
    ],
)
async def test_the_command_palette_offers_commands_by_role(
    sqlite_program: Demo, username: str, offered: set[str], withheld: set[str]
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "account: log off" not in command_titles(app)
        await log_in(pilot, username, sqlite_program.password(username))
        titles = command_titles(app)
        assert offered <= titles
        assert not withheld & titles
        assert {"account: change password", "account: log off", "Theme"} <= titles
        assert "account: switch role" not in titles


async def test_an_auditor_verifies_the_trail_from_the_palette(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "audrey", sqlite_program.password("audrey"))
        await pilot.press("ctrl+p", *"audit: trail", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditTrailScreen)
        await pilot.press("v")
        await settle(pilot)
        assert "the trail is intact" in text_of(app, "#verdict")
