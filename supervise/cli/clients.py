"""`supervise client ...`: a trainee's clients, listed by case code.

The identity (name, date of birth, guardian, contact) is sealed by the
service; these commands print it only with `client list --names`, and only
the identities the caller may open (each opening is audited).
"""

from __future__ import annotations

import argparse

from supervise.cli.common import EXIT_OK, Terminal, UsageError
from supervise.cli.program import acting
from supervise.services import clients
from supervise.services.clients import ClientIdentity, ClientView
from supervise.units import parse_iso_date

IDENTITY_FIELDS = ("name", "born", "guardian", "contact")


def client_add(args: argparse.Namespace, term: Terminal) -> int:
    """Add a client of the calling trainee."""
    given = [args.name, args.born, args.guardian or None, args.contact or None]
    if args.identity_stdin and any(value is not None for value in given):
        raise UsageError(
            "give the identity either as options or with --identity-stdin, not both"
        )
    if not args.identity_stdin and (args.name is None or args.born is None):
        raise UsageError("give --name and --born, or --identity-stdin")
    with acting(args, term) as (ctx, user):
        if args.identity_stdin:
            identity = read_identity(term.stdin.read())
        else:
            identity = ClientIdentity(args.name, args.born, args.guardian, args.contact)
        view = clients.add_client(
            ctx, user, args.case_code, identity, args.jurisdiction
        )
    minor = ", a minor" if view.is_minor else ""
    term.say(f"client {view.case_code} added ({view.jurisdiction}{minor})")
    return EXIT_OK


def read_identity(text: str) -> ClientIdentity:
    """An identity from `field: value` lines (name, born, guardian, contact).

    Raises:
        UsageError: A line without a known field, a field given twice, a
            missing name or date of birth, or a date not written YYYY-MM-DD.
            Messages never repeat a value.
    """
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        field, colon, value = line.partition(":")
        field = field.strip().lower()
        if not colon or field not in IDENTITY_FIELDS:
            raise UsageError(
                f"identity line {number}: start it with one of "
                f"{', '.join(f + ':' for f in IDENTITY_FIELDS)}"
            )
        if field in values:
            raise UsageError(f"identity line {number}: {field} is given twice")
        values[field] = value.strip()
    if not values.get("name") or not values.get("born"):
        raise UsageError("the identity needs at least a 'name:' and a 'born:' line")
    born = parse_iso_date(values["born"])
    if born is None:
        raise UsageError("born: write the date as YYYY-MM-DD, like 2024-03-09")
    return ClientIdentity(
        values["name"], born, values.get("guardian", ""), values.get("contact", "")
    )


def client_list(args: argparse.Namespace, term: Terminal) -> int:
    """List the caller's clients; with `--names`, the identities too."""
    with acting(args, term) as (ctx, user):
        views = clients.list_clients(ctx, user, reveal=args.names, trainee=args.trainee)
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
