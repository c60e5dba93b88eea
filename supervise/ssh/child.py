"""The processes a session runs: their command lines and clean environment.

A child gets an allowlisted environment: never anything the client sent (SSH
`env` requests can name TEXTUAL_DRIVER, TEXTUAL_PRESS and the like, which
Textual obeys), and never COLUMNS or LINES, which would freeze its size.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

DEFAULT_TERM = "xterm-256color"
_TERM_RE = re.compile(r"[A-Za-z0-9.+_-]{1,40}")
_PATH = "/usr/local/bin:/usr/bin:/bin"


def child_env(supervise_env: Mapping[str, str], term: str | None) -> dict[str, str]:
    """The allowlisted environment for a session's child process.

    Args:
        supervise_env: The server's own SUPERVISE_* variables.
        term: The terminal type from the client's PTY request, if any.
    """
    env = {
        "PATH": os.environ.get("PATH", _PATH),
        "LANG": "C.UTF-8",
        "TERM": term if term and _TERM_RE.fullmatch(term) else DEFAULT_TERM,
        "COLORTERM": "truecolor",
    }
    env.update((k, v) for k, v in supervise_env.items() if k.startswith("SUPERVISE_"))
    return env


def tui_argv(home: Path, username: str, password_fd: int | None) -> list[str]:
    """`supervise --home H tui --ssh-user NAME [--password-fd N]`."""
    argv = [sys.executable, "-m", "supervise", "--home", str(home), "tui"]
    argv += ["--ssh-user", username]
    if password_fd is not None:
        argv += ["--password-fd", str(password_fd)]
    return argv


def export_argv(home: Path, username: str, recording_id: int) -> list[str]:
    """The CLI's own export to standard output, the password on stdin."""
    return [
        sys.executable,
        "-m",
        "supervise",
        "--home",
        str(home),
        "recording",
        "export",
        str(recording_id),
        "-o",
        "-",
        "--as",
        username,
        "--password-stdin",
    ]


def password_pipe(password: str) -> int:
    """A pipe holding `password`; returns the read end for the child."""
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, password.encode("utf-8"))
    finally:
        os.close(write_fd)
    return read_fd


def signal_group(pid: int, signum: signal.Signals) -> None:
    """Signal the child's process group (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def exit_status(returncode: int) -> int:
    """A child's return code as an SSH exit status (signals as 128+N)."""
    return returncode if returncode >= 0 else 128 - returncode
