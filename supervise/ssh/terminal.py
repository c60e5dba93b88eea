"""One interactive session: the TUI in a child process on a fresh PTY.

The child leads its own session with the PTY as its controlling terminal, so
a window change (TIOCSWINSZ on our side) reaches it as SIGWINCH and Textual
repaints. Input from the channel goes to the PTY; output comes back with flow
control (we read no more until the client has taken what was sent). When the
client leaves, or sends nothing for `ssh_idle_seconds`, the child's group gets
SIGHUP (the app logs off, audited) and SIGKILL after a grace; it is reaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
from collections.abc import Sequence

import asyncssh

from supervise.ssh import child

HANG_UP_GRACE_SECONDS = 8.0
"""How long the app may take to log off after SIGHUP before SIGKILL."""
_READ_SIZE = 65536


def _set_size(fd: int, cols: int, rows: int) -> None:
    cols, rows = (max(1, min(n, 1000)) for n in (cols, rows))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _quiet(fd: int) -> None:
    """No echo, no signal keys, no line editing, before the app takes over:
    keys typed early then neither show nor stop (ctrl+z) the child."""
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~(termios.ECHO | termios.ICANON | termios.ISIG | termios.IEXTEN)
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


def _take_terminal() -> None:  # runs in the child, after setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class TerminalSession:
    """Run one command on a PTY for one SSH process, until either side ends."""

    def __init__(
        self,
        process: asyncssh.SSHServerProcess[bytes],
        argv: Sequence[str],
        env: dict[str, str],
        idle_seconds: float,
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.process = process
        self.argv = list(argv)
        self.env = env
        self.idle_seconds = idle_seconds
        self.pass_fds = tuple(pass_fds)
        self.child: asyncio.subprocess.Process | None = None
        self.idled_out = False
        self._master = -1

    async def run(self) -> int:
        """Spawn, pump both ways, and return the child's exit status."""
        cols, rows, _, _ = self.process.get_terminal_size()
        master, slave = os.openpty()
        self._master = master
        try:
            _set_size(slave, cols or 80, rows or 24)
            _quiet(slave)
            self.child = await self._spawn(slave)
        finally:
            os.close(slave)
            for fd in self.pass_fds:
                os.close(fd)
        os.set_blocking(master, False)
        try:
            return await self._pump(self.child)
        finally:
            os.close(master)

    async def _spawn(self, slave: int) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            start_new_session=True,
            preexec_fn=_take_terminal,
            pass_fds=self.pass_fds,
        )

    async def _pump(self, proc: asyncio.subprocess.Process) -> int:
        output = asyncio.create_task(self._output())
        feed = asyncio.create_task(self._input())
        try:
            await asyncio.wait({output, feed}, return_when=asyncio.FIRST_COMPLETED)
            if feed.done():  # the client left or idled out: hang up the app
                await self._hang_up(proc, output)
            else:
                feed.cancel()
            await output
            return child.exit_status(await proc.wait())
        except BaseException:  # cancelled (server closing) or a pump failed
            await asyncio.shield(self._hang_up(proc, output))
            raise
        finally:
            feed.cancel()
            output.cancel()

    async def _hang_up(
        self, proc: asyncio.subprocess.Process, output: asyncio.Task[None]
    ) -> None:
        """SIGHUP to the child's group; SIGKILL after the grace; reap it."""
        if proc.returncode is None:
            child.signal_group(proc.pid, signal.SIGHUP)
        try:
            await asyncio.wait_for(proc.wait(), HANG_UP_GRACE_SECONDS)
        except TimeoutError:
            child.signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(output), 1.0)

    # --- channel -> PTY --------------------------------------------------------

    async def _input(self) -> None:
        """Feed the client's keys to the PTY until EOF, loss or idle time."""
        stdin = self.process.stdin
        while True:
            try:
                data = await asyncio.wait_for(stdin.read(4096), self.idle_seconds)
            except asyncssh.TerminalSizeChanged as change:
                _set_size(self._master, change.width, change.height)
                continue
            except (asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            except TimeoutError:
                self.idled_out = True
                return
            except (asyncssh.Error, OSError):
                return  # the connection is gone
            if not data:
                return
            await self._write(data)

    async def _write(self, data: bytes) -> None:
        while data:
            try:
                written = os.write(self._master, data)
            except BlockingIOError:
                await self._ready(writable=True)
                continue
            except OSError:
                return  # the child has closed the terminal
            data = data[written:]

    # --- PTY -> channel --------------------------------------------------------

    async def _output(self) -> None:
        """Copy the app's output to the client until the PTY closes."""
        sending = True
        while True:
            try:
                data = os.read(self._master, _READ_SIZE)
            except BlockingIOError:
                await self._ready(writable=False)
                continue
            except OSError as exc:  # EIO: every holder of the other end closed it
                if exc.errno != errno.EIO:
                    raise
                return
            if not data:
                return
            if sending:
                sending = await self._send(data)

    async def _send(self, data: bytes) -> bool:
        """Write to the client and wait until it is taken (flow control)."""
        try:
            self.process.stdout.write(data)
            await self.process.stdout.drain()
        except (asyncssh.Error, OSError):
            return False  # keep draining the PTY so the app can finish
        return True

    async def _ready(self, *, writable: bool) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        if writable:
            loop.add_writer(self._master, wake)
        else:
            loop.add_reader(self._master, wake)
        try:
            await ready
        finally:
            if writable:
                loop.remove_writer(self._master)
            else:
                loop.remove_reader(self._master)
