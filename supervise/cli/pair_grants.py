"""`supervise pair grant`: a new supervisor gains the trainee's objects now."""

from __future__ import annotations

import argparse

from supervise.cli.common import EXIT_OK, Terminal, read_escrow_key
from supervise.cli.program import acting
from supervise.services import pair_grants
from supervise.units import counted


def pair_grant(args: argparse.Namespace, term: Terminal) -> int:
    """Grant a pair's supervisor the trainee's older objects with the escrow key."""
    escrow = read_escrow_key(args.escrow_key)
    with acting(args, term) as (ctx, user):
        made = pair_grants.grant_with_escrow(ctx, user, args.pair_id, escrow)
    del escrow
    if made:
        term.say(f"pair {args.pair_id}: {counted(made, 'grant')} made")
    else:
        term.say(f"pair {args.pair_id}: the supervisor lacked nothing; no grant made")
    term.note("The use of the escrow key is on record. Take the escrow key away.")
    return EXIT_OK
