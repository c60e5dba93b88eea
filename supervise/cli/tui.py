"""Opening the TUI from the command line.

Kept free of the database layer: the app opens the program itself, in a
worker, so that its first screen appears at once.
"""

from __future__ import annotations

import argparse
from typing import Any

from supervise.cli.common import Terminal, settings_for
from supervise.settings import Settings


def open_tui(args: argparse.Namespace, term: Terminal) -> int:
    """`supervise` with no command: the login screen."""
    return run_app(settings_for(args, term))


def run_app(settings: Settings, **options: Any) -> int:
    """Run the app until it exits and return its exit status.

    Args:
        settings: The program's settings.
        **options: Passed on to the app (the demo's context and sample logins).
    """
    from supervise.app import SuperviseApp

    app = SuperviseApp(settings, **options)
    app.run()
    return int(app.return_code or 0)
