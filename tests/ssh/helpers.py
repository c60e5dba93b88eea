"""A terminal client for the SSH tests: asyncssh on a PTY, read through pyte.

The pyte screen is always the size the client asked for, as a mismatch
scrolls and mangles the picture.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
import pyte

WAIT_SECONDS = 30.0


async def wait_until(
    check: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS
) -> None:
    """Poll `check` until it holds; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def connect_options(host_key: asyncssh.SSHKey, **options: Any) -> dict[str, Any]:
    """Options that pin the host key and ignore the tester's own SSH setup."""
    return {
        "known_hosts": ([host_key.convert_to_public()], [], []),
        "agent_path": None,
        "config": [],
        "client_keys": None,
        **options,
    }


async def connect(
    port: int, host_key: asyncssh.SSHKey, username: str, **options: Any
) -> asyncssh.SSHClientConnection:
    """A connection to the test server as `username`."""
    return await asyncssh.connect(
        "127.0.0.1", port, username=username, **connect_options(host_key, **options)
    )


class TermClient:
    """One interactive session whose screen we can read."""

    def __init__(self, conn: asyncssh.SSHClientConnection, cols: int, rows: int):
        self.conn = conn
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.errors = b""
        self.process: asyncssh.SSHClientProcess[bytes] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, **options: Any) -> TermClient:
        """Open the session with a PTY of the screen's size."""
        self.process = await self.conn.create_process(
            term_type="xterm-256color",
            term_size=(self.screen.columns, self.screen.lines),
            encoding=None,
            **options,
        )
        self._tasks = [
            asyncio.create_task(self._pump(self.process.stdout, self.stream.feed)),
            asyncio.create_task(self._pump(self.process.stderr, self._error)),
        ]
        return self

    async def _pump(
        self, reader: asyncssh.SSHReader[bytes], sink: Callable[[bytes], Any]
    ) -> None:
        try:
            while data := await reader.read(65536):
                sink(data)
        except (asyncssh.Error, OSError):
            return

    def _error(self, data: bytes) -> None:
        self.errors += data
        self.stream.feed(data)

    def text(self) -> str:
        """The screen as lines of text."""
        return "\n".join(self.screen.display)

    def row(self, index: int) -> str:
        """One row of the screen (negative counts from the bottom)."""
        return self.screen.display[index]

    async def wait_for(self, needle: str, timeout: float = WAIT_SECONDS) -> None:
        """Wait until `needle` is on screen; fail with the screen shown."""
        try:
            await wait_until(lambda: needle in self.text(), repr(needle), timeout)
        except AssertionError:
            raise AssertionError(
                f"never saw {needle!r}; the screen was:\n{self.text()}"
            ) from None

    def send(self, data: bytes) -> None:
        """Type bytes, as the keyboard would."""
        assert self.process is not None
        self.process.stdin.write(data)

    def resize(self, cols: int, rows: int) -> None:
        """Change the window: pyte first (rows, then columns), then the PTY."""
        assert self.process is not None
        self.screen.resize(rows, cols)
        self.process.change_terminal_size(cols, rows)

    async def exit_status(self, timeout: float = WAIT_SECONDS) -> int | None:
        """Wait for the session to end and return its exit status."""
        assert self.process is not None
        await asyncio.wait_for(self.process.wait_closed(), timeout)
        for task in self._tasks:
            await task
        return self.process.exit_status

    def close(self) -> None:
        """Close the connection (politely)."""
        self.conn.close()


def processes_with(marker: str) -> list[int]:
    """Live (not zombie) processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except (OSError, IndexError):
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def process_state(pid: int) -> str:
    """The one-letter state of `pid` from /proc (T: stopped)."""
    return (Path("/proc") / str(pid) / "stat").read_text().split(") ", 1)[1][0]
