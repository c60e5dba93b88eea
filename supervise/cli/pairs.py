"""`supervise pair ...`: supervision pairs, run by an admin logged in with `--as`."""

from __future__ import annotations

import argparse

from supervise.cli.common import EXIT_OK, Terminal
from supervise.cli.program import acting
from supervise.services import pairs
from supervise.services.pairs import PairView


def _describe(view: PairView) -> str:
    return (
        f"pair {view.id}: {view.supervisor} supervises {view.trainee} "
        f"({view.kind}) from {view.started_on.isoformat()}"
    )


def pair_add(args: argparse.Namespace, term: Terminal) -> int:
    """Assign a supervisor to a trainee from today."""
    with acting(args, term) as (ctx, user):
        view = pairs.add_pair(ctx, user, args.supervisor, args.trainee, args.kind)
    term.say(_describe(view))
    return EXIT_OK


def pair_end(args: argparse.Namespace, term: Terminal) -> int:
    """End a pair today."""
    with acting(args, term) as (ctx, user):
        view = pairs.end_pair(ctx, user, args.pair_id)
    ended = view.ended_on.isoformat() if view.ended_on else "today"
    term.say(f"{_describe(view)}, ended {ended}")
    return EXIT_OK


def pair_list(args: argparse.Namespace, term: Terminal) -> int:
    """List active pairs, or every pair with `--all`."""
    with acting(args, term) as (ctx, user):
        views = pairs.list_pairs(ctx, user, active_only=not args.all)
    if args.json:
        term.write_json([view.as_json() for view in views])
        return EXIT_OK
    term.table(
        ("ID", "SUPERVISOR", "TRAINEE", "KIND", "STARTED", "ENDED"),
        [
            (
                str(view.id),
                view.supervisor,
                view.trainee,
                view.kind,
                view.started_on.isoformat(),
                view.ended_on.isoformat() if view.ended_on else "-",
            )
            for view in views
        ],
    )
    return EXIT_OK
