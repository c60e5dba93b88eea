"""Start-up: a light import, opening the program after the login screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from supervise.app import EXIT_WHEN_READY, SuperviseApp
from supervise.screens.home import TraineeHome
from supervise.screens.login import LoginScreen
from supervise.services.context import ProgramContext
from tests.conftest import Demo, make_settings
from tests.ui.pilot_helpers import app_for, log_in, settle, text_of

HEAVY = ("sqlalchemy", "sqlmodel", "argon2", "supervise.services", "supervise.models")


def test_importing_the_app_loads_no_database_or_argon2_module() -> None:
    probe = (
        "import sys, supervise.app; "
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


async def test_the_app_opens_the_program_itself_after_the_login_screen(
    sqlite_program: Demo,
) -> None:
    sqlite_program.ctx.engine.dispose()
    app = SuperviseApp(sqlite_program.ctx.settings, clock=sqlite_program.clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await settle(pilot)
        assert isinstance(app.context, ProgramContext)
        assert text_of(app, "#error") == ""
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        assert isinstance(app.screen, TraineeHome)
    app.context.engine.dispose()


async def test_logins_wait_until_the_program_is_open(sqlite_program: Demo) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = LoginScreen(None)
        await app.push_screen(screen)
        screen.query_one("#username", Input).value = "tara"
        screen.query_one("#password", Input).value = sqlite_program.password("tara")
        assert screen.query_one("#log-in", Button).disabled
        screen.submit()
        await settle(pilot)
        assert app.user is None
        assert text_of(app, "#error") == "Opening the program…"
        screen.program_opened(sqlite_program.ctx)
        screen.submit()
        await settle(pilot)
        assert isinstance(app.screen, TraineeHome)


async def test_a_home_without_a_program_exits_with_status_2(tmp_path: Path) -> None:
    app = SuperviseApp(make_settings(tmp_path / "empty"))
    async with app.run_test(size=(80, 24)) as pilot:
        with pytest.raises(RuntimeError):
            app.context  # noqa: B018  (not open yet)
        await settle(pilot)
    assert app.return_code == 2


async def test_the_benchmark_switch_exits_once_the_login_is_drawn(
    sqlite_program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EXIT_WHEN_READY, "1")
    app = SuperviseApp(sqlite_program.ctx.settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 0
    assert app.user is None
