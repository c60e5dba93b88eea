"""How the login screen looks at 80x24, with the demo accounts beside the form."""

from __future__ import annotations

from typing import Any

from supervise.services.setup import DEMO_ACCOUNTS
from tests.conftest import Demo
from tests.ui.pilot_helpers import app_for


def test_the_demo_login_screen_fits_80_by_24(
    snap_compare: Any, sqlite_program: Demo
) -> None:
    app = app_for(sqlite_program, demo_accounts=DEMO_ACCOUNTS)
    assert snap_compare(app, terminal_size=(80, 24))
