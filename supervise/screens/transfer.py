"""A long transfer run by a thread worker: its progress bar and its cancel flag.

The import screen and the export dialog encrypt or decrypt whole recordings,
which can take a while. The worker calls `report` after each chunk and the
service asks `cancelled` before the next; the UI calls `cancel`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import ProgressBar


class Transfer:
    """Relay a worker's progress to a bar and the UI's cancel to the worker."""

    def __init__(self, app: App[Any], bar: ProgressBar) -> None:
        """Draw progress on `bar`, through `app`, from the worker's thread."""
        self._app = app
        self._bar = bar
        self._stop = threading.Event()
        self._shown = -1
        self.running = False
        """Whether a worker is transferring (set and read on the UI thread)."""

    def start(self) -> None:
        """Get ready for a new run: not cancelled, nothing shown yet."""
        self._stop.clear()
        self._shown = -1
        self.running = True
        self._bar.update(total=None, progress=0)

    def stop(self) -> None:
        """The worker ended without finishing: show an empty bar again."""
        self.running = False
        self._bar.update(total=100, progress=0)

    def cancel(self) -> None:
        """Ask the worker to stop before its next chunk."""
        self._stop.set()

    def cancelled(self) -> bool:
        """Whether the worker should stop (the services' `should_cancel`)."""
        return self._stop.is_set()

    def report(self, done: int, total: int) -> None:
        """Show (done, total) on the bar; from the worker, once per percent."""
        percent = done * 100 // total if total else 100
        if percent == self._shown or self.cancelled():
            return
        self._shown = percent
        self._app.call_from_thread(self._bar.update, total=total or 1, progress=done)
