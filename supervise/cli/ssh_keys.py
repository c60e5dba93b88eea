"""`supervise ssh-key ...`: the SSH public keys that log accounts in, and the
lookup OpenSSH's sshd runs as its AuthorizedKeysCommand (design b)."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path

from supervise.cli.common import EXIT_OK, CliError, Terminal, settings_for
from supervise.cli.program import acting, opened
from supervise.services import ssh_keys
from supervise.services.ssh_keys import KeyView

MAX_KEY_FILE = 64 * 1024
"""More than any public key; a larger file is not one."""

log = logging.getLogger(__name__)


def _describe(view: KeyView) -> str:
    comment = f", {view.comment}" if view.comment else ""
    return (
        f"SSH key {view.id} of {view.username}: {view.fingerprint} "
        f"({view.algorithm}{comment})"
    )


def _read_key_text(args: argparse.Namespace, term: Terminal) -> str:
    if args.file in (None, "-"):
        if term.stdin.isatty():
            term.note("Paste the public key (one line), then press ctrl+d:")
        return term.stdin.read(MAX_KEY_FILE)
    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    if len(data) > MAX_KEY_FILE:
        raise CliError(f"{args.file} is too large to be a public key")
    return data.decode("utf-8", errors="replace")


def ssh_key_add(args: argparse.Namespace, term: Terminal) -> int:
    """Register a public key from a file or standard input."""
    with acting(args, term) as (ctx, user):
        text = _read_key_text(args, term)
        view = ssh_keys.add_key(ctx, user, text, username=args.user)
    term.say(f"added {_describe(view)}")
    return EXIT_OK


def ssh_key_list(args: argparse.Namespace, term: Terminal) -> int:
    """List your keys, or (admins) one account's or everyone's."""
    with acting(args, term) as (ctx, user):
        views = ssh_keys.list_keys(
            ctx, user, username=args.user, every_account=args.all
        )
    if args.json:
        term.write_json([view.as_json() for view in views])
        return EXIT_OK
    term.table(
        ("ID", "ACCOUNT", "TYPE", "FINGERPRINT", "COMMENT", "ADDED", "LAST USED"),
        [
            (
                str(v.id),
                v.username,
                v.algorithm,
                v.fingerprint,
                v.comment or "-",
                v.created_at.date().isoformat(),
                v.last_used_at.date().isoformat() if v.last_used_at else "never",
            )
            for v in views
        ],
    )
    return EXIT_OK


def ssh_key_remove(args: argparse.Namespace, term: Terminal) -> int:
    """Remove a key: it logs nobody in from now on."""
    with acting(args, term) as (ctx, user):
        view = ssh_keys.remove_key(ctx, user, args.key_id)
    term.say(f"removed {_describe(view)}")
    return EXIT_OK


# --- sshd's AuthorizedKeysCommand ---------------------------------------------


def supervise_command() -> list[str]:
    """How to run this program again: the console script sshd named, or this
    interpreter with `-m supervise`."""
    script = sys.argv[0] if sys.argv else ""
    if os.path.basename(script) == "supervise" and os.path.isfile(script):
        return [os.path.abspath(script)]
    return [sys.executable, "-m", "supervise"]


def forced_line(home: Path, key_id: int, key_data: str) -> str:
    """The authorized_keys line that lets key `key_id` open only the TUI."""
    command = shlex.join([*supervise_command(), "--home", str(home)])
    command += f" tui --key-id {key_id}"
    quoted = command.replace("\\", "\\\\").replace('"', '\\"')
    return f'restrict,pty,command="{quoted}" {key_data}'


def ssh_key_authorized_keys(args: argparse.Namespace, term: Terminal) -> int:
    """Print the one authorized_keys line for a registered key, or nothing.

    sshd runs this for every key a client offers; a miss is normal (a client
    tries its keys in turn), so it exits 0 and logs only an event code.
    """
    settings = settings_for(args, term)
    if args.login_user != args.service_user:
        log.warning("ssh.authorized_keys.miss reason=other-user")
        return EXIT_OK
    with opened(settings) as ctx:
        found = ssh_keys.key_for_wire(ctx, args.key_type, args.key_blob)
    if found is None:
        log.warning("ssh.authorized_keys.miss reason=unknown-key")
        return EXIT_OK
    key_id, key_data = found
    term.say(forced_line(settings.home.absolute(), key_id, key_data))
    return EXIT_OK
