"""`supervise client ...`: a trainee's clients, listed by case code.

The identity (name, date of birth, guardian, contact) is sealed by the
service; these commands print it only with `client list --names`, and only
the identities the caller may open (each opening is audited).
"""

from __future__ import annotations

import argparse

from supervise.cli.common import EXIT_OK, Terminal
from supervise.cli.program import acting
from supervise.services import clients
from supervise.services.clients import ClientIdentity, ClientView


def client_add(args: argparse.Namespace, term: Terminal) -> int:
    """Add a client of the calling trainee."""
    identity = ClientIdentity(args.name, args.born, args.guardian, args.contact)
    with acting(args, term) as (ctx, user):
        view = clients.add_client(
            ctx, user, args.case_code, identity, args.jurisdiction
        )
    minor = ", a minor" if view.is_minor else ""
    term.say(f"client {view.case_code} added ({view.jurisdiction}{minor})")
    return EXIT_OK


def client_list(args: argparse.Namespace, term: Terminal) -> int:
    """List the caller's clients; with `--names`, the identities too."""
    with acting(args, term) as (ctx, user):
        views = clients.list_clients(ctx, user, reveal=args.names)
    if args.json:
        term.write_json([view.as_json() for view in views])
        return EXIT_OK
    headers = ["CASE", "TRAINEE", "STATE", "MINOR", "ADDED"]
    if args.names:
        headers += ["NAME", "BORN", "GUARDIAN", "CONTACT"]
    term.table(headers, [_row(view, names=args.names) for view in views])
    return EXIT_OK


def _row(view: ClientView, *, names: bool) -> list[str]:
    row = [
        view.case_code,
        view.trainee,
        view.jurisdiction,
        "yes" if view.is_minor else "no",
        view.created_at.date().isoformat(),
    ]
    if names:
        row += _identity_cells(view.identity)
    return row


def _identity_cells(identity: ClientIdentity | None) -> list[str]:
    if identity is None:
        return ["(sealed)", "-", "-", "-"]
    return [
        identity.name,
        identity.date_of_birth.isoformat(),
        identity.guardian or "-",
        identity.contact or "-",
    ]
