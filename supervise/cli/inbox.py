"""`supervise inbox ...`: the drop box from a shell (trainees).

Uploads copied in over scp or sftp wait here, encrypted to the trainee's own
key, until they are attached to a client (the same checks as `recording
import`) or discarded. Listing opens their names, so it needs the password.
"""

from __future__ import annotations

import argparse

from supervise.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Terminal,
)
from supervise.cli.program import acting
from supervise.cli.recordings import _interruptible, _media, _meter
from supervise.services import dropbox_owner
from supervise.services.dropbox_attach import attach_upload
from supervise.services.recordings import ImportCancelled
from supervise.units import size_text

_HEADERS = ("ID", "NAME", "SIZE", "RECEIVED", "DAYS LEFT")


def inbox_list(args: argparse.Namespace, term: Terminal) -> int:
    """List the caller's pending uploads with their real names."""
    with acting(args, term) as (ctx, user):
        views = dropbox_owner.list_uploads(ctx, user)
    if args.json:
        term.write_json([view.as_json() for view in views])
        return EXIT_OK
    term.table(
        _HEADERS,
        [
            (
                str(view.id),
                view.name,
                size_text(view.size_bytes),
                view.received_at.strftime("%Y-%m-%d %H:%M"),
                str(view.days_left),
            )
            for view in views
        ],
    )
    return EXIT_OK


def inbox_attach(args: argparse.Namespace, term: Terminal) -> int:
    """File an upload as a recording, through the import's checks."""
    with (
        acting(args, term) as (ctx, user),
        _interruptible() as cancel,
        _meter(term, "attaching") as progress,
    ):
        try:
            view = attach_upload(
                ctx,
                user,
                args.upload_id,
                args.client,
                purpose=args.purpose,
                session_date=args.date,
                participants=args.participant,
                progress=progress,
                should_cancel=cancel,
            )
        except ImportCancelled as exc:
            raise CliError(str(exc), EXIT_INTERRUPTED) from None
    term.say(
        f"upload {args.upload_id} attached as recording {view.id} ({_media(view)})"
    )
    return EXIT_OK


def inbox_discard(args: argparse.Namespace, term: Terminal) -> int:
    """Shred an upload, after a confirmation or `--yes`."""
    if not args.yes and not term.stdin.isatty():
        raise CliError(
            "discarding cannot be undone: confirm it on a terminal, or add --yes",
            EXIT_USAGE,
        )
    with acting(args, term) as (ctx, user):
        if not args.yes:
            _confirm(term, args.upload_id)
        dropbox_owner.discard_upload(ctx, user, args.upload_id)
    term.say(f"upload {args.upload_id} discarded: it can never be opened again")
    return EXIT_OK


def _confirm(term: Terminal, upload_id: int) -> None:
    term.stderr.write(
        f"Discard upload {upload_id}? It cannot be undone. Type yes to go on: "
    )
    term.stderr.flush()
    if term.stdin.readline().strip().lower() != "yes":
        raise CliError("nothing was discarded", EXIT_FAILED)
