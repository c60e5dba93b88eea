"""SSH sessions: connect to login screen, and memory per session, against local.

Measured in one run, on one seeded demo home:

- local: `supervise tui` started on a pseudo-terminal (100x30), timed until
  its login screen shows (read through pyte, the same way as over SSH);
- ssh: the built-in server in this process, and an asyncssh client with a
  registered key (so the app stops at its login screen, asking the password),
  timed from `connect` until the login screen shows; 1 session, then 10 at
  once.

Memory is the PSS of each session's child (/proc/PID/smaps_rollup, taken at
the login screen) and the growth of this process (the server) per session.
Not part of the test suite.

    python benchmarks/ssh.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import logging
import os
import statistics
import struct
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncssh
import pyte

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from supervise.services import accounts, ssh_keys  # noqa: E402
from supervise.services.context import open_program  # noqa: E402
from supervise.settings import load_settings  # noqa: E402
from supervise.ssh.server import RunningServer, start_server  # noqa: E402

FAST_ARGON2 = {
    "SUPERVISE_ARGON2_TIME_COST": "1",
    "SUPERVISE_ARGON2_MEMORY_KIB": "8192",
    "SUPERVISE_ARGON2_PARALLELISM": "1",
}
COLS, ROWS = 100, 30
READY = "Password"
"""On the login screen (its password field's title)."""


def pss_kib(pid: int) -> int:
    """Proportional set size of `pid`, in KiB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise RuntimeError(f"no Pss for {pid}")


def children_of(marker: str) -> list[int]:
    """Pids whose command line holds `marker` (this run's home)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and b" serve" not in cmdline:
                found.append(int(entry.name))
    return found


class Screen:
    """A pyte screen that says when it first shows the login screen."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.ready = asyncio.Event()

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)
        if not self.ready.is_set() and READY in "\n".join(self.screen.display):
            self.ready.set()


# --- local -------------------------------------------------------------------


async def local_session(home: Path, env: dict[str, str]) -> tuple[float, int]:
    """Seconds to the login screen and child PSS (KiB) of a local start."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    screen = Screen()
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "supervise", "--home", str(home), "tui",
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    loop.add_reader(master, lambda: screen.feed(_read(master)))
    try:
        await asyncio.wait_for(screen.ready.wait(), 60)
        elapsed = time.perf_counter() - start
        memory = pss_kib(proc.pid)
    finally:
        loop.remove_reader(master)
        proc.kill()
        await proc.wait()
        os.close(master)
    return elapsed, memory


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


# --- over SSH ----------------------------------------------------------------


async def ssh_session(
    server: RunningServer, key: asyncssh.SSHKey
) -> tuple[float, asyncssh.SSHClientConnection]:
    """Seconds from connect to the login screen; the open connection."""
    screen = Screen()
    start = time.perf_counter()
    conn = await asyncssh.connect(
        "127.0.0.1",
        server.port,
        username="tara",
        client_keys=[key],
        known_hosts=([server.host_key.convert_to_public()], [], []),
        agent_path=None,
        config=[],
    )
    process = await conn.create_process(
        term_type="xterm-256color", term_size=(COLS, ROWS), encoding=None
    )

    async def pump() -> None:
        while data := await process.stdout.read(65536):
            screen.feed(data)

    task = asyncio.create_task(pump())
    await asyncio.wait_for(screen.ready.wait(), 120)
    conn.set_extra_info(pump=task)
    return time.perf_counter() - start, conn


async def ssh_round(
    server: RunningServer, key: asyncssh.SSHKey, count: int, marker: str
) -> tuple[list[float], list[int], int]:
    """`count` sessions at once: their times, child PSS, server growth (KiB)."""
    before = pss_kib(os.getpid())
    opened = await asyncio.gather(*(ssh_session(server, key) for _ in range(count)))
    grown = pss_kib(os.getpid()) - before
    memory = [pss_kib(pid) for pid in children_of(marker)]
    for _, conn in opened:
        conn.close()
    await _no_children(marker)
    return [t for t, _ in opened], memory, grown


async def _no_children(marker: str) -> None:
    deadline = time.monotonic() + 60
    while children_of(marker) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


# --- the run -----------------------------------------------------------------


def seed(home: Path, env: dict[str, str]) -> tuple[Any, asyncssh.SSHKey]:
    import subprocess

    argv = [sys.executable, "-m", "supervise", "demo", "--seed-only"]
    done = [*argv, "--home", str(home)]
    subprocess.run(done, env=env, check=True, capture_output=True)
    settings = load_settings(home, environ=env)
    ctx = open_program(settings)
    key = asyncssh.generate_private_key("ssh-ed25519")
    tara = accounts.login(ctx, "tara", "lantern-session-19")
    ssh_keys.add_key(ctx, tara, key.export_public_key().decode())
    return ctx, key


def ms(values: Sequence[float]) -> str:
    median, top = statistics.median(values) * 1000, max(values) * 1000
    return f"median {median:6.0f} ms, max {top:6.0f} ms"


def mib(values: Sequence[int]) -> str:
    return f"{statistics.median(values) / 1024:5.1f} MiB"


async def measure(runs: int) -> None:
    env = {**os.environ, **FAST_ARGON2, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        ctx, key = seed(home, env)
        settings = replace(ctx.settings, ssh_max_sessions_per_user=10)
        server = await start_server(
            ctx, settings, port=0, child_env=FAST_ARGON2, sftp=False
        )
        try:
            await local_session(home, env)  # warm the file cache
            local = [await local_session(home, env) for _ in range(runs)]
            one = [await ssh_round(server, key, 1, str(home)) for _ in range(runs)]
            ten = await ssh_round(server, key, 10, str(home))
        finally:
            await server.close()
            ctx.engine.dispose()
    report(runs, local, one, ten)


def report(
    runs: int,
    local: list[tuple[float, int]],
    one: list[tuple[list[float], list[int], int]],
    ten: tuple[list[float], list[int], int],
) -> None:
    local_t = [t for t, _ in local]
    one_t = [t for times, _, _ in one for t in times]
    one_m = [m for _, mem, _ in one for m in mem]
    one_grow = [g for _, _, g in one]
    ten_t, ten_m, ten_grow = ten
    base = statistics.median(local_t)
    local_m = mib([m for _, m in local])
    one_server = statistics.median(one_grow)
    print(f"{COLS}x{ROWS}, to the login screen; {runs} runs each, 10 at once once")
    print(f"local start on a pty: {ms(local_t)}, child PSS {local_m}")
    print(f"ssh, 1 session:       {ms(one_t)}, child PSS {mib(one_m)}")
    print(f"                      server {one_server:+} KiB PSS{_noise(one_server)}")
    print(f"ssh, 10 at once:      {ms(ten_t)}, child PSS {mib(ten_m)}")
    each = ten_grow // 10
    print(f"                      server {each:+} KiB PSS a session{_noise(each)}")
    print(f"ratio ssh 1 / local:  {statistics.median(one_t) / base:.2f}x")
    print(f"ratio ssh 10 / local: {statistics.median(ten_t) / base:.2f}x (median)")


def _noise(kib: float) -> str:
    """A shrinking server is the allocator returning pages, not a saving."""
    return " (below zero: noise)" if kib < 0 else ""


def main() -> None:
    logging.getLogger("supervise.ssh").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(measure(args.runs))


if __name__ == "__main__":
    main()
