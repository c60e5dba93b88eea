"""What every command shares: the streams, exit codes, passwords, output, logs.

This module imports only the standard library and the settings, so that
plain `supervise` reaches the TUI without loading the database layer.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from supervise.settings import Settings, SettingsError, load_settings
from supervise.textsafe import visible

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

EXIT_OK = 0
EXIT_FAILED = 1
"""The request was refused or could not be done (bad input, no program...)."""
EXIT_USAGE = 2
"""The command line itself was wrong (argparse's convention)."""
EXIT_DENIED = 3
"""The policy refused the logged-in account."""
EXIT_LOGIN = 4
"""The login failed, the account is locked or disabled, or it must first
choose its own password."""
EXIT_INTERNAL = 70
"""A bug: the traceback is in the log file (EX_SOFTWARE)."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl-C."""

TTY_PATH = "/dev/tty"
NO_TERMINAL = (
    "there is no terminal to ask for the password on; send it on standard "
    "input and pass --password-stdin"
)
LOG_NAME = "supervise.log"

log = logging.getLogger(__name__)


class CliError(Exception):
    """A refusal the command line reports as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CliError):
    """The arguments do not fit the command (raised by the parser)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)


@dataclass
class Terminal:
    """The streams of one run, and the log file once the home is known."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    log_path: Path | None = None
    _file: logging.Handler | None = None
    _quiet: logging.Handler | None = None

    def say(self, line: str = "") -> None:
        """Write one line of results to standard output."""
        self.stdout.write(visible(line) + "\n")

    def note(self, line: str) -> None:
        """Write one line of commentary to standard error."""
        self.stderr.write(visible(line) + "\n")

    def fail(self, message: str) -> None:
        """Report an error as the one line a person reads."""
        self.note(f"supervise: error: {message}")

    def write_json(self, data: object) -> None:
        """Write JSON to standard output (its escapes keep it inert)."""
        self.stdout.write(json.dumps(data, indent=2) + "\n")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Write an aligned plain-text table, or a note when it is empty."""
        cells = [[visible(cell) for cell in row] for row in [headers, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        for row in cells:
            padded = (
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
            self.stdout.write("  ".join(padded).rstrip() + "\n")
        if not rows:
            self.stdout.write("(none)\n")

    # --- the log file ---------------------------------------------------------

    def quiet_logging(self) -> None:
        """Keep log records and Python warnings off the terminal."""
        logging.captureWarnings(True)
        self._quiet = logging.NullHandler()
        logging.getLogger().addHandler(self._quiet)

    def start_log(self, home: Path) -> None:
        """Send warnings and worse to `home/logs/supervise.log` (0600).

        A home that does not exist yet is left alone (a mistyped `--home` must
        leave nothing behind); until there is one, a crash goes to a temporary
        log file instead.
        """
        path = home / "logs" / LOG_NAME
        if not home.is_dir():
            return
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            _create_private(path)
        except OSError:
            return  # the command itself will report an unusable home
        self._open_log(path)

    def crash_log(self) -> Path:
        """The log file to write a traceback to, made if none is open yet."""
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="supervise-error-", suffix=".log")
            os.close(fd)
            self._open_log(Path(name))
        assert self.log_path is not None
        return self.log_path

    def close_log(self) -> None:
        """Close the log file (records are dropped from here on)."""
        if self._file is not None:
            logging.getLogger().removeHandler(self._file)
            self._file.close()
        self._file, self.log_path = None, None

    def stop_logging(self) -> None:
        """Undo `quiet_logging` and `start_log` at the end of the run."""
        self.close_log()
        if self._quiet is not None:
            logging.getLogger().removeHandler(self._quiet)
            self._quiet = None
        logging.captureWarnings(False)

    def _open_log(self, path: Path) -> None:
        self.close_log()
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setLevel(logging.WARNING)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        logging.getLogger().addHandler(handler)
        self._file, self.log_path = handler, path


def _create_private(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def exit_code_for(exc: BaseException) -> int | None:
    """The exit status of an expected failure, or None for a bug."""
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, SettingsError):
        return EXIT_FAILED
    # Imported here: the service layer is not loaded on the way to the TUI.
    from supervise.services import errors

    if isinstance(exc, errors.PermissionDenied):
        return EXIT_DENIED
    login = (errors.LoginFailed, errors.AccountLocked, errors.AccountDisabled)
    if isinstance(exc, login):
        return EXIT_LOGIN
    if isinstance(exc, errors.ServiceError):
        return EXIT_FAILED
    return None


def settings_for(args: argparse.Namespace, term: Terminal) -> Settings:
    """Read the settings for `--home` (or SUPERVISE_HOME) and open the log.

    Raises:
        SettingsError: The settings file or a variable is unusable.
    """
    settings = load_settings(args.home, environ=os.environ)
    term.start_log(settings.home)
    return settings


# --- passwords ----------------------------------------------------------------


def read_password(term: Terminal, prompt: str, *, from_stdin: bool) -> str:
    """The password, from the first line of standard input or the terminal.

    Raises:
        CliError: Nothing to read, or no terminal and no `--password-stdin`.
    """
    if from_stdin:
        return _first_line(term)
    _require_terminal()
    try:
        password = getpass.getpass(visible(prompt))
    except EOFError:
        raise CliError("no password given") from None
    if not password:
        raise CliError("no password given")
    return password


def read_new_password(term: Terminal, prompt: str, *, from_stdin: bool) -> str:
    """A new password: asked twice on the terminal, or one line of stdin.

    Raises:
        CliError: The two entries differ, or there is nothing to read.
    """
    first = read_password(term, prompt, from_stdin=from_stdin)
    if from_stdin:
        return first
    if read_password(term, "Again: ", from_stdin=False) != first:
        raise CliError("the two passwords differ; nothing was changed")
    return first


def _first_line(term: Terminal) -> str:
    line = term.stdin.readline()
    # Only the line ending goes: spaces may be part of a password.
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise CliError("--password-stdin: the first line of standard input is empty")
    return password


def _require_terminal() -> None:
    try:
        fd = os.open(TTY_PATH, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise CliError(NO_TERMINAL) from None
    os.close(fd)


def read_escrow_key(path: str) -> X25519PrivateKey:
    """The offline escrow key from the file at `path`, or a one-line error.

    Raises:
        CliError: Missing, unreadable, open to others, or not an escrow key.
    """
    from supervise.crypto.offline import OfflineKeyError, read_offline_key

    try:
        return read_offline_key(Path(path), "escrow")
    except OfflineKeyError as exc:
        raise CliError(str(exc)) from None
