"""`supervise serve`: where it listens, its host key, and how it stops."""

from __future__ import annotations

import asyncio
import re
import signal
import stat
import sys

import asyncssh
import pytest

from supervise.ssh import hostkey
from tests.conftest import FAST_ARGON2, Demo

pytestmark = pytest.mark.xdist_group("ssh")


async def serve(demo: Demo, *argv: str) -> asyncio.subprocess.Process:
    home = str(demo.ctx.settings.home)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "supervise", "--home", home, "serve", *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**FAST_ARGON2, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


async def test_serve_prints_its_port_and_fingerprint_and_stops_on_sigterm(
    sqlite_program: Demo,
) -> None:
    proc = await serve(sqlite_program, "--port", "0")
    assert proc.stdout is not None and proc.stderr is not None
    listening = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
    found = re.fullmatch(r"listening on 127\.0\.0\.1 port (\d+)\n", listening)
    assert found, listening
    fingerprint = (await proc.stdout.readline()).decode().strip()
    key_file = sqlite_program.ctx.settings.resolved_ssh_host_key
    key = asyncssh.read_private_key(key_file)
    assert fingerprint == f"host key {hostkey.fingerprint(key)}"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    conn = await asyncssh.connect(
        "127.0.0.1",
        int(found.group(1)),
        username="tara",
        password=sqlite_program.password("tara"),
        known_hosts=([key.convert_to_public()], [], []),
        agent_path=None,
        config=[],
        client_keys=None,
    )
    done = await conn.run(encoding=None)
    conn.close()
    assert done.exit_status == 1
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 60) == 0
    log = (await proc.stderr.read()).decode()
    assert "ssh.auth.success account=" in log and "peer=127.0.0.1" in log
    assert "tara" not in log
    assert "the SSH server stopped" in log


async def test_serve_refuses_a_host_key_others_can_read(sqlite_program: Demo) -> None:
    key_file = sqlite_program.ctx.settings.resolved_ssh_host_key
    hostkey.load_or_create(key_file)
    key_file.chmod(0o644)
    proc = await serve(sqlite_program, "--port", "0")
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    assert out == b""
    assert f"chmod 600 {key_file}" in err.decode()
    assert "Traceback" not in err.decode()
