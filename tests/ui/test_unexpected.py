"""An unexpected failure behind a screen shows a message, never a traceback,
and is logged without the values it carried."""

from __future__ import annotations

import logging

import pytest

from supervise.app import SuperviseApp
from supervise.screens.base import UNEXPECTED, attempt
from tests.conftest import Demo

SECRET = "Marker Name " + "Zyx"  # built, so that no source line holds it


def _explode() -> None:
    raise RuntimeError(f"{SECRET} was in the row")


async def test_an_unexpected_error_is_shown_as_a_notice_and_logged_safely(
    sqlite_program: Demo, caplog: pytest.LogCaptureFixture
) -> None:
    app = SuperviseApp(
        sqlite_program.ctx.settings,
        context=sqlite_program.ctx,
        clock=sqlite_program.clock,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        with caplog.at_level(logging.ERROR):
            assert attempt(app, _explode) is None
        await pilot.pause()
        assert app.is_running
        assert [n.message for n in app._notifications] == [UNEXPECTED]
    assert "RuntimeError" in caplog.text
    assert SECRET not in caplog.text
