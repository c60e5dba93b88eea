"""The SSH server, started in the test's event loop on a seeded program.

Each test gets the demo program on a real SQLite file, a fresh host key, and
the server on 127.0.0.1 at a free port; its children get the cheap Argon2
settings. Short limits are set per test through `start`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import asyncssh
import pytest

from supervise.services import ssh_keys
from supervise.ssh.server import RunningServer, start_server
from tests.conftest import FAST_ARGON2, Demo, newest_audit_rows
from tests.ssh.helpers import TermClient, connect, processes_with, wait_until

# Spawning TUIs two tests at a time on two cores makes the waits flaky: keep
# the SSH tests on one worker.
pytestmark = pytest.mark.xdist_group("ssh")


@dataclass
class SshRig:
    """A running server and what the tests need to reach it."""

    demo: Demo
    server: RunningServer

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def host_key(self) -> asyncssh.SSHKey:
        return self.server.host_key

    @property
    def home_marker(self) -> str:
        """Found in the command line of every child of this server."""
        return str(self.demo.ctx.settings.home)

    async def connect(
        self, username: str, **options: Any
    ) -> asyncssh.SSHClientConnection:
        return await connect(self.port, self.host_key, username, **options)

    async def terminal(
        self, username: str, cols: int = 100, rows: int = 30, **options: Any
    ) -> TermClient:
        """A PTY session as `username` (with `password=` or `client_keys=`)."""
        conn = await self.connect(username, **options)
        return await TermClient(conn, cols, rows).start()

    async def password_session(self, username: str, **options: Any) -> TermClient:
        return await self.terminal(
            username, password=self.demo.password(username), **options
        )

    def register_key(self, username: str) -> asyncssh.SSHKey:
        """A new ed25519 key registered to `username` (by that account)."""
        key = asyncssh.generate_private_key("ssh-ed25519")
        public = key.export_public_key().decode()
        ssh_keys.add_key(self.demo.ctx, self.demo.login(username), public)
        return key

    def actions(self, limit: int = 40) -> list[tuple[str, str, str]]:
        """(action, outcome, reason) of the newest audit rows, oldest first."""
        rows = newest_audit_rows(self.demo.ctx, limit)
        return [(r.action, str(r.outcome), r.reason) for r in reversed(rows)]

    async def wait_for_action(self, action: str, what: str = "") -> None:
        await wait_until(
            lambda: any(a == action for a, _, _ in self.actions()),
            what or f"the audit row {action}",
        )

    async def no_children(self) -> None:
        await wait_until(
            lambda: not processes_with(self.home_marker), "the children to end"
        )


Start = Callable[..., Awaitable[SshRig]]


@pytest.fixture
async def ssh_server(sqlite_program: Demo) -> AsyncIterator[Start]:
    """`await ssh_server(**settings)`: the server, with those settings changed;
    `child_env` adds variables to the sessions' environment (the app's own
    settings, which the children read as any `supervise` does)."""
    running: list[RunningServer] = []

    async def start(child_env: dict[str, str] | None = None, **changes: Any) -> SshRig:
        settings = replace(sqlite_program.ctx.settings, **changes)
        ctx = replace(sqlite_program.ctx, settings=settings)
        env = {**FAST_ARGON2, "SUPERVISE_HOME": str(settings.home)}
        env.update(child_env or {})
        server = await start_server(ctx, settings, port=0, child_env=env, sftp=False)
        running.append(server)
        return SshRig(replace(sqlite_program, ctx=ctx), server)

    yield start
    for server in running:
        await server.close()
    left = processes_with(str(sqlite_program.ctx.settings.home))
    for pid in left:
        os.kill(pid, 9)
    assert not left, "a session's child outlived the server"
