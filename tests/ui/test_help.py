"""F1 help for the screen in front, and Escape closing every modal."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Markdown

from supervise.screens.accounts import AccountsScreen
from supervise.screens.assign_pair import AssignPairDialog
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.edit_roles import EditRolesDialog
from supervise.screens.help import HelpDialog
from supervise.screens.home import AdminHome
from supervise.screens.login import LoginScreen
from supervise.screens.new_account import NewAccountDialog
from supervise.screens.one_time_password import OneTimePasswordDialog
from supervise.screens.pairs import PairsScreen
from supervise.screens.password import PasswordDialog
from tests.conftest import Demo
from tests.ui.pilot_helpers import app_for, log_in, settle


async def test_f1_shows_help_for_the_screen_in_front_and_escape_closes_it(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpDialog)
        assert app.screen.markdown == LoginScreen.HELP
        assert app.screen.query_one(Markdown)
        await pilot.press("f1")  # help on help opens nothing more
        assert len(app.screen_stack) == 3
        await pilot.press("escape")
        assert isinstance(app.screen, LoginScreen)
        await log_in(pilot, "dana", sqlite_program.password("dana"))
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("n", "f1")
        assert isinstance(app.screen, HelpDialog)
        assert app.screen.markdown == NewAccountDialog.HELP
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, AccountsScreen)


async def test_escape_closes_every_dialog(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "dana", sqlite_program.password("dana"))
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, PasswordDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, AdminHome)
        await pilot.press("a")
        await settle(pilot)
        account_dialogs: list[tuple[str, type[Screen[Any]]]] = [
            ("n", NewAccountDialog),
            ("e", EditRolesDialog),
            ("d", ConfirmDialog),
            ("r", ConfirmDialog),
        ]
        for key, dialog in account_dialogs:
            await pilot.press(key)
            assert isinstance(app.screen, dialog)
            await pilot.press("escape")
            assert isinstance(app.screen, AccountsScreen)
        await pilot.press("escape", "p")
        await settle(pilot)
        assert isinstance(app.screen, PairsScreen)
        pair_dialogs: list[tuple[str, type[Screen[Any]]]] = [
            ("a", AssignPairDialog),
            ("x", ConfirmDialog),
        ]
        for key, dialog in pair_dialogs:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, dialog)
            await pilot.press("escape")
            assert isinstance(app.screen, PairsScreen)


async def test_the_one_time_password_dialog_closes_with_escape_too(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(OneTimePasswordDialog("eve", "abcd-efgh"))
        await pilot.press("escape")
        assert isinstance(app.screen, LoginScreen)
