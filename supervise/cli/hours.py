"""`supervise hours ...`: the supervision hours log, logged in with `--as`."""

from __future__ import annotations

import argparse
from pathlib import Path

from supervise.cli.common import EXIT_OK, Terminal
from supervise.cli.program import acting
from supervise.export.hours import hours_text
from supervise.services import hours
from supervise.services.hours import HoursTotals, HoursView
from supervise.services.recordings import check_new_output
from supervise.units import counted, size_text


def _amount(minutes: int) -> str:
    return f"{minutes} min ({hours_text(minutes)} h)"


def _describe(view: HoursView) -> str:
    state = (
        f"co-signed {view.cosigned_at.date().isoformat()}"
        if view.cosigned_at
        else "awaiting co-sign"
    )
    source = f", from review {view.review_id}" if view.review_id is not None else ""
    return (
        f"entry {view.id}: {view.trainee} {view.on_date.isoformat()} "
        f"{view.kind} with {view.supervisor}, {_amount(view.minutes)}"
        f"{source}, {state}"
    )


def hours_add(args: argparse.Namespace, term: Terminal) -> int:
    """Log the caller's own hours by hand."""
    with acting(args, term) as (ctx, user):
        view = hours.log_hours(
            ctx, user, args.supervisor, args.date, args.minutes, args.kind
        )
    term.say(_describe(view))
    return EXIT_OK


def hours_from_review(args: argparse.Namespace, term: Terminal) -> int:
    """Log hours from a signed-off review."""
    with acting(args, term) as (ctx, user):
        view = hours.log_from_review(ctx, user, args.review_id, args.minutes, args.kind)
    term.say(_describe(view))
    return EXIT_OK


def hours_cosign(args: argparse.Namespace, term: Terminal) -> int:
    """Co-sign an entry as its supervisor."""
    with acting(args, term) as (ctx, user):
        view = hours.cosign(ctx, user, args.entry_id)
    term.say(_describe(view))
    return EXIT_OK


def hours_remove(args: argparse.Namespace, term: Terminal) -> int:
    """Remove one of the caller's entries not yet co-signed."""
    with acting(args, term) as (ctx, user):
        view = hours.remove_entry(ctx, user, args.entry_id)
    term.say(f"entry {view.id} removed")
    return EXIT_OK


def total_lines(totals: HoursTotals) -> list[str]:
    """The totals as lines: each kind, co-signed, awaiting, all."""
    lines = [f"{kind}: {_amount(minutes)}" for kind, minutes in totals.by_kind.items()]
    lines.append(f"co-signed: {_amount(totals.cosigned)}")
    lines.append(f"awaiting co-sign: {_amount(totals.awaiting)}")
    lines.append(f"total: {_amount(totals.total)}")
    return lines


def hours_list(args: argparse.Namespace, term: Terminal) -> int:
    """List the entries the caller may see, then their totals."""
    with acting(args, term) as (ctx, user):
        report = hours.list_hours(
            ctx,
            user,
            trainee=args.trainee,
            since=args.since,
            until=args.until,
            kind=args.kind,
        )
    if args.json:
        term.write_json(report.as_json())
        return EXIT_OK
    term.table(
        (
            "ID",
            "DATE",
            "TRAINEE",
            "SUPERVISOR",
            "KIND",
            "MINUTES",
            "HOURS",
            "CO-SIGNED",
            "REVIEW",
        ),
        [
            (
                str(view.id),
                view.on_date.isoformat(),
                view.trainee,
                view.supervisor,
                view.kind,
                str(view.minutes),
                hours_text(view.minutes),
                view.cosigned_at.date().isoformat() if view.cosigned_at else "-",
                str(view.review_id) if view.review_id is not None else "-",
            )
            for view in report.entries
        ],
    )
    term.say()
    for line in total_lines(report.totals):
        term.say(line)
    return EXIT_OK


def hours_export(args: argparse.Namespace, term: Terminal) -> int:
    """Write one trainee's hours as a new PDF or CSV file."""
    target = check_new_output(Path(args.output))
    with acting(args, term) as (ctx, user):
        document = hours.export_hours(
            ctx,
            user,
            target,
            args.format,
            trainee=args.trainee,
            since=args.since,
            until=args.until,
        )
    minutes = sum(row.minutes for row in document.rows)
    entries = counted(len(document.rows), "entry", "entries")
    term.say(
        f"hours of {document.trainee_username} ({entries}, {_amount(minutes)}) "
        f"written to {target} ({size_text(target.stat().st_size)})"
    )
    return EXIT_OK
