"""Running the command line in-process or as a real script, and peeking at SQL."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from supervise.cli.main import main
from supervise.models.database import make_engine
from supervise.services.setup import DEMO_ACCOUNTS
from supervise.settings import load_settings

PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}


@dataclass(frozen=True)
class Result:
    """What one run left behind: its exit status and both streams."""

    code: int
    out: str
    err: str


def cli(*argv: str | Path, stdin: str = "") -> Result:
    """Run `supervise ARGV...` in this process with the given standard input."""
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [str(arg) for arg in argv], stdin=io.StringIO(stdin), stdout=out, stderr=err
    )
    return Result(code, out.getvalue(), err.getvalue())


def as_user(
    home: Path, username: str, *argv: str | Path, password: str | None = None
) -> Result:
    """Run a command as a demo account, its password sent on standard input."""
    secret = PASSWORDS[username] if password is None else password
    return cli(
        *argv,
        "--home",
        home,
        "--as",
        username,
        "--password-stdin",
        stdin=secret + "\n",
    )


def consent_in_force(home: Path, trainee: str, case_code: str, *terms: str) -> int:
    """Draft, print and sign a consent through the command line; its id.

    Every required signature line is signed; `terms` are `consent new` options
    (a `--purpose` at least). The printed form is left beside the home.
    """
    made = as_user(
        home, trainee, "consent", "new", "--client", case_code, *terms, "--json"
    )
    assert made.code == 0, made.err
    view = json.loads(made.out)
    form = home.parent / f"form-{view['id']}.pdf"
    printed = as_user(home, trainee, "consent", "pdf", str(view["id"]), "-o", form)
    assert printed.code == 0, printed.err
    signers = [
        arg
        for line in view["signature_lines"]
        if line["required"]
        for arg in ("--signer", line["key"])
    ]
    signed = as_user(home, trainee, "consent", "sign", str(view["id"]), *signers)
    assert signed.code == 0, signed.err
    return int(view["id"])


def script(*argv: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m supervise ARGV...` as an operator would, in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "supervise", *map(str, argv)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )


def sql(home: Path, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one SQL statement on the program's database, behind its back."""
    settings = load_settings(home, environ=os.environ)
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def assert_one_error_line(err: str, fragment: str) -> None:
    """The error is one `supervise: error:` line holding `fragment`."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("supervise: error: "), err
    assert fragment in lines[0], err
    assert "Traceback" not in err


class TerminalProcess:
    """`python -m supervise ARGV...` running on a real 80x24 pseudo-terminal."""

    def __init__(self, *argv: str | Path, env: dict[str, str] | None = None) -> None:
        self._master, slave = pty.openpty()
        size = struct.pack("HHHH", 24, 80, 0, 0)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
        self._output: list[bytes] = []
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "supervise", *map(str, argv)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "TERM": "xterm-256color", **(env or {})},
            start_new_session=True,
        )
        os.close(slave)

    def _drain(self) -> None:
        # Polls, so that `hang_up` can stop it before closing the terminal:
        # a read blocked in another thread would keep the closed end open.
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([self._master], [], [], 0.05)
                if ready:
                    chunk = os.read(self._master, 65536)
                    if not chunk:
                        return
                    self._output.append(chunk)
        except OSError:
            pass

    @property
    def output(self) -> str:
        """Everything drawn or printed so far."""
        return b"".join(self._output).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Poll the output until `text` appears; fail saying what was seen."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"never saw {text!r}; got:\n{self.output}")
            time.sleep(0.1)

    def type(self, keys: str) -> None:
        """Send keys as a person would type them."""
        os.write(self._master, keys.encode())

    def finish(self, timeout: float = 60) -> int:
        """Wait for the exit status, then close the terminal."""
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.close()

    def hang_up(self) -> None:
        """Close our end of the terminal, as a dropped connection would."""
        self._stop.set()
        self._reader.join(timeout=5)
        if self._master >= 0:
            os.close(self._master)
            self._master = -1

    def close(self) -> None:
        """Kill the program if it still runs, and close the terminal."""
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.hang_up()

    def __enter__(self) -> TerminalProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def on_terminal(
    *argv: str | Path, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run `python -m supervise ARGV...` on a pty until it exits.

    Returns:
        The exit status and everything the program drew or printed.
    """
    with TerminalProcess(*argv, env=env) as term:
        code = term.finish()
    return code, term.output
