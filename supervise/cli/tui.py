"""Opening the TUI from the command line, locally or for an SSH session.

Kept free of the database layer: the app opens the program itself, in a
worker, so that its first screen appears at once. `tui --ssh-user NAME` is
what the built-in SSH server runs for an authenticated account (the password
of a password login arrives on an inherited pipe, `--password-fd`); `tui
--key-id N` is the OpenSSH forced command of a registered key (design b).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from supervise.cli.common import CliError, Terminal, settings_for
from supervise.settings import Settings

NOT_A_TERMINAL = (
    "this key opens the interactive app only: connect with a terminal "
    "(ssh -t), or run 'export ID'"
)


def open_tui(args: argparse.Namespace, term: Terminal) -> int:
    """`supervise` with no command: the login screen."""
    return run_app(settings_for(args, term))


def tui(args: argparse.Namespace, term: Terminal) -> int:
    """`supervise tui`: local, an SSH session's, or an OpenSSH key's."""
    if args.key_id is not None:
        return _forced_command(args, term)
    settings = settings_for(args, term)
    if args.ssh_user is None:
        if args.password_fd is not None:
            raise CliError("--password-fd goes with --ssh-user")
        return run_app(settings)
    password = None if args.password_fd is None else _read_fd(args.password_fd)
    return run_app(settings, ssh_user=args.ssh_user, ssh_password=password)


def _read_fd(fd: int) -> str:
    """The password the SSH server wrote into the pipe `fd`, then closed."""
    try:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read(4096)
    except OSError:
        raise CliError(f"--password-fd {fd}: nothing to read there") from None
    password = data.decode("utf-8", errors="replace").removesuffix("\n")
    if not password:
        raise CliError(f"--password-fd {fd}: the pipe held no password")
    return password


def _forced_command(args: argparse.Namespace, term: Terminal) -> int:
    """OpenSSH ran us for key N: the app, or `export ID`, as that key's owner."""
    from supervise.cli.program import opened
    from supervise.services import ssh_keys
    from supervise.ssh.commands import EXPORT_USAGE, export_id

    settings = settings_for(args, term)
    command = os.environ.get("SSH_ORIGINAL_COMMAND", "").strip()
    with opened(settings) as ctx:
        found = ssh_keys.account_for_key_id(ctx, args.key_id)
        if found is None:
            raise CliError("this key is no longer registered; ask an admin")
        account_id, username = found
        ssh_keys.note_key_id_login(ctx, args.key_id)
        if command and export_id(command) is None:
            _refused(ctx, account_id, "bad-command")
            raise CliError(EXPORT_USAGE)
        if not command and not sys.stdin.isatty():
            _refused(ctx, account_id, "no-pty")
            raise CliError(NOT_A_TERMINAL)
    if command:
        return _export(args, term, username, export_id(command) or 0)
    return run_app(settings, ssh_user=username)


def _refused(ctx: Any, account_id: int, why: str) -> None:
    from supervise.ssh import events

    reason = events.details(why=why, via="openssh")
    events.record(ctx, events.REFUSED, reason, account_id=account_id, denied=True)


def _export(
    args: argparse.Namespace, term: Terminal, username: str, recording_id: int
) -> int:
    """The CLI's export to standard output; the password is the first line
    of standard input (a key login brings none)."""
    from supervise.cli.recordings import recording_export

    export_args = argparse.Namespace(
        home=args.home,
        as_user=username,
        password_stdin=True,
        recording_id=recording_id,
        output="-",
        age=None,
    )
    return recording_export(export_args, term)


def run_app(settings: Settings, **options: Any) -> int:
    """Run the app until it exits and return its exit status.

    Args:
        settings: The program's settings.
        **options: Passed on to the app (the demo's context and sample logins,
            an SSH session's user and password).
    """
    from supervise.app import SuperviseApp

    app = SuperviseApp(settings, **options)
    app.run()
    return int(app.return_code or 0)
