"""`ssh USER@HOST export ID > FILE`: a recording's plaintext, streamed.

The CLI's own `recording export ID -o -` runs in a child process (the same
checks, audit rows and verification as on the server's shell), the password
of the SSH login fed on its standard input; its standard output and error are
copied to the channel's, with flow control, and its exit status is returned.
A payload that fails verification mid-stream ends the child with an error on
standard error and a non-zero status.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Sequence
from typing import Any

import asyncssh

from supervise.ssh import child

_CHUNK = 65536
KILL_GRACE_SECONDS = 5.0


async def run_export(
    process: asyncssh.SSHServerProcess[bytes],
    argv: Sequence[str],
    env: dict[str, str],
    password: str,
) -> int:
    """Run the export child for `process` and return its exit status."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stderr is not None
    proc.stdin.write(password.encode("utf-8") + b"\n")
    with contextlib.suppress(OSError):
        await proc.stdin.drain()
    proc.stdin.close()
    copies = [
        asyncio.create_task(_copy(proc.stdout, process.stdout)),
        asyncio.create_task(_copy(proc.stderr, process.stderr)),
    ]
    watch: asyncio.Future[Any] = asyncio.create_task(_client_gone(process))
    try:
        copied: asyncio.Future[Any] = asyncio.gather(*copies)
        done, _ = await asyncio.wait(
            [copied, watch], return_when=asyncio.FIRST_COMPLETED
        )
        if watch in done or not all(task.result() for task in copies):
            await _stop(proc)
        return child.exit_status(await proc.wait())
    except asyncio.CancelledError:
        await _stop(proc)
        raise
    finally:
        watch.cancel()
        for task in copies:
            task.cancel()


async def _copy(source: asyncio.StreamReader, sink: asyncssh.SSHWriter[bytes]) -> bool:
    """Copy until EOF; False when the client stopped taking data."""
    while data := await source.read(_CHUNK):
        try:
            sink.write(data)
            await sink.drain()
        except (asyncssh.Error, OSError):
            return False
    return True


async def _client_gone(process: asyncssh.SSHServerProcess[bytes]) -> None:
    """Return when the connection breaks (a plain EOF on stdin is fine)."""
    try:
        while await process.stdin.read(_CHUNK):
            pass  # nothing is read from the client; its keys are dropped
    except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived):
        await _client_gone(process)
        return
    except (asyncssh.Error, OSError):
        return
    await asyncio.Event().wait()  # EOF: the client may still be reading


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    child.signal_group(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), KILL_GRACE_SECONDS)
    except TimeoutError:
        child.signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()
