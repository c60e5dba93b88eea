"""`supervise audit verify|export`: check the chain, hand it off the host.

Both run as the system operator by default (whoever can read the host secrets
file can run them), or as an admin or auditor with `--as`. Either way the run
itself is audited.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from supervise.cli.common import EXIT_OK, CliError, Terminal, settings_for
from supervise.cli.program import logged_in, opened
from supervise.services import accounts, audit
from supervise.services.context import ProgramContext
from supervise.services.policy import Action


@contextmanager
def _operator(
    ctx: ProgramContext, args: argparse.Namespace, term: Terminal, action: Action
) -> Iterator[audit.Who]:
    """Who runs the command: the system, or `--as` once the policy agrees."""
    if not args.as_user:
        yield audit.SYSTEM
        return
    with logged_in(ctx, args, term) as user:
        accounts.require(ctx, user, action, object_type="audit")
        yield user.who


def verify(args: argparse.Namespace, term: Terminal) -> int:
    """Recompute the chain and every MAC; exit 1 naming the first bad row."""
    with (
        opened(settings_for(args, term)) as ctx,
        _operator(ctx, args, term, Action.AUDIT_VERIFY) as who,
    ):
        result = audit.verify(ctx, who)
    if not result.ok:
        raise CliError(
            f"audit trail broken at row {result.bad_seq}: the row {result.problem} "
            f"({result.rows} rows before it check out)"
        )
    term.say(f"audit trail intact: {result.rows} rows")
    return EXIT_OK


def export(args: argparse.Namespace, term: Terminal) -> int:
    """Write every row as a JSON line, then a signed checkpoint line."""
    with (
        opened(settings_for(args, term)) as ctx,
        _operator(ctx, args, term, Action.AUDIT_EXPORT) as who,
    ):
        count = _export(ctx, args.output, term, who)
    where = "standard output" if args.output == "-" else args.output
    term.note(f"exported {count} audit rows and a signed checkpoint to {where}")
    return EXIT_OK


def _export(ctx: ProgramContext, output: str, term: Terminal, who: audit.Who) -> int:
    # The origin names the host secrets (whose key signs), not the program.
    origin = f"supervise/{ctx.secrets.fingerprint}"
    if output == "-":
        return audit.export(ctx, term.stdout, origin, who)
    path = Path(output)
    fd = _create_new(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            return audit.export(ctx, out, origin, who)
    except BaseException:
        path.unlink(missing_ok=True)  # never leave half an export behind
        raise


def _create_new(path: Path) -> int:
    """Open a new file, private to this user.

    Raises:
        CliError: It exists already, or cannot be created.
    """
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"{path} exists already; name a new file") from None
    except OSError as exc:
        raise CliError(f"cannot create {path}: {exc.strerror}") from None
