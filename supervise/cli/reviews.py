"""`supervise review ...` and `supervise rubric ...`: reviews from a shell.

`review list` shows ids, case codes and dates only; `review show` opens one
review (audited) and prints its comments, ratings and feedback to standard
output, as a terminal shows them, and nowhere else. The rubric is read by
everyone and edited by admins.
"""

from __future__ import annotations

import argparse

from supervise.cli.common import EXIT_OK, CliError, Terminal, read_escrow_key
from supervise.cli.program import acting
from supervise.services import reviews, rubric
from supervise.services.reviews import ReviewView
from supervise.services.rubric import RubricEntry
from supervise.units import duration_text, parse_time_code

NOT_OBSERVED = "not observed"


def _when(moment: object) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


# --- reviews -----------------------------------------------------------------


def review_list(args: argparse.Namespace, term: Terminal) -> int:
    """Reviews the caller may see: ids, case codes, dates; no clinical text."""
    signed = True if args.signed else False if args.open else None
    with acting(args, term) as (ctx, user):
        found = reviews.list_reviews(ctx, user, trainee=args.trainee, signed=signed)
    if args.json:
        term.write_json([summary.as_json() for summary in found])
        return EXIT_OK
    term.table(
        (
            "ID",
            "RECORDING",
            "CLIENT",
            "TRAINEE",
            "SUPERVISOR",
            "COMMENTS",
            "SIGNED OFF",
        ),
        [
            (
                str(s.id),
                str(s.recording_id),
                s.case_code,
                s.trainee,
                s.supervisor,
                str(s.comments),
                _when(s.signed_off_at) if s.signed_off_at else "draft",
            )
            for s in found
        ],
    )
    return EXIT_OK


def review_show(args: argparse.Namespace, term: Terminal) -> int:
    """One review, opened (audited): comments, ratings and feedback."""
    if args.escrow_key is not None:
        view = _with_escrow(args, term)
    else:
        if args.reason is not None:
            raise CliError("--reason goes with --escrow-key")
        with acting(args, term) as (ctx, user):
            view = reviews.open_review(ctx, user, args.recording_id, args.supervisor)
    if args.json:
        term.write_json(view.as_json())
        return EXIT_OK
    _print_review(term, view)
    return EXIT_OK


def _with_escrow(args: argparse.Namespace, term: Terminal) -> ReviewView:
    """An admin's break-glass reading of a signed-off review."""
    if args.reason is None:
        raise CliError("--escrow-key needs --reason: why, kept on record")
    escrow = read_escrow_key(args.escrow_key)
    with acting(args, term) as (ctx, user):
        view = reviews.open_review_with_escrow(
            ctx, user, args.recording_id, args.supervisor, escrow, args.reason
        )
    del escrow
    term.note("The access and its reason are on record. Take the escrow key away.")
    return view


def _print_review(term: Terminal, view: ReviewView) -> None:
    title = f"review of recording {view.recording_id} by {view.supervisor}"
    term.say(f"{title} (not started)" if view.id is None else f"{title} ({view.id})")
    state = (
        f"signed off {_when(view.signed_off_at)} UTC"
        if view.signed_off_at
        else "draft (only you see it)"
    )
    length = duration_text(view.duration_seconds)
    for label, value in (
        ("client", f"{view.case_code} (trainee {view.trainee})"),
        ("recording", f"{view.purpose}, {view.media_type or '?'}, {length}"),
        ("imported", f"{_when(view.imported_at)} UTC"),
        ("state", state),
    ):
        term.say(f"  {label + ':':<12}{value}")
    term.say()
    term.say("comments:" if view.comments else "comments: (none)")
    for comment in view.comments:
        lines = comment.text.splitlines() or [""]
        term.say(f"  {duration_text(comment.at_seconds):>8}  {lines[0]}")
        for more in lines[1:]:
            term.say(f"  {'':>8}  {more}")
    term.say()
    term.say("ratings:")
    if not view.ratings:
        term.say("  (none)")
    for rating in view.ratings:
        if rating.score is not None:
            score = f"{rating.score} of 5"
        else:
            score = NOT_OBSERVED if rating.rated else "not rated"
        term.say(f"  {rating.label} ({rating.code}): {score}")
    term.say()
    term.say("feedback:" if view.feedback else "feedback: (none)")
    for line in view.feedback.splitlines():
        term.say(f"  {line}")
    if view.editable:
        term.say()
        term.say(f"play it: {view.play_hint}")


def _time(text: str) -> float:
    try:
        return parse_time_code(text)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _text(args: argparse.Namespace, term: Terminal) -> str:
    """The text given as an option, or read from standard input after the
    password line."""
    if args.text_stdin:
        return term.stdin.read()
    if args.text is None:
        raise CliError("give the text with --text or --text-stdin")
    value: str = args.text
    return value


def review_comment(args: argparse.Namespace, term: Terminal) -> int:
    """Add a time-coded comment to your review of a recording."""
    at = _time(args.at)
    with acting(args, term) as (ctx, user):
        text = _text(args, term)
        made = reviews.add_comment(ctx, user, args.recording_id, at, text)
    term.say(f"comment {made.id} added at {duration_text(made.at_seconds)}")
    return EXIT_OK


def review_rate(args: argparse.Namespace, term: Terminal) -> int:
    """Score rubric items in your review: CODE=1..5 or CODE=none."""
    scores: dict[str, int | None] = {}
    for given in args.scores:
        code, sep, value = (part.strip() for part in given.partition("="))
        if not (sep and code and value):
            raise CliError(f"write each score as CODE=1..5 or CODE=none, not {given!r}")
        if value.lower() in ("none", "-"):
            scores[code] = None
            continue
        try:
            scores[code] = int(value)
        except ValueError:
            raise CliError(f"the score of {code} is 1 to 5, or none") from None
    with acting(args, term) as (ctx, user):
        view = reviews.set_ratings(ctx, user, args.recording_id, scores)
    rated = sum(1 for r in view.ratings if r.score is not None)
    term.say(f"review {view.id}: {rated} of {len(view.ratings)} items rated")
    return EXIT_OK


def review_feedback(args: argparse.Namespace, term: Terminal) -> int:
    """Write the written feedback of your review (empty text clears it)."""
    with acting(args, term) as (ctx, user):
        text = _text(args, term)
        view = reviews.set_feedback(ctx, user, args.recording_id, text)
    term.say(f"review {view.id}: feedback saved")
    return EXIT_OK


def review_sign_off(args: argparse.Namespace, term: Terminal) -> int:
    """Sign your review off: it is locked and the trainee sees it."""
    with acting(args, term) as (ctx, user):
        view = reviews.sign_off(ctx, user, args.recording_id)
    term.say(
        f"review {view.id} of recording {view.recording_id} signed off; "
        f"{view.trainee} can read it now"
    )
    return EXIT_OK


# --- the rubric ------------------------------------------------------------------


def _describe(entry: RubricEntry) -> str:
    retired = " (retired)" if entry.retired else ""
    return f"{entry.position}. {entry.code}: {entry.label}{retired}"


def rubric_list(args: argparse.Namespace, term: Terminal) -> int:
    """The rubric in order; retired items with --all."""
    with acting(args, term) as (ctx, user):
        entries = rubric.list_rubric(ctx, user, include_retired=args.all)
    if args.json:
        term.write_json([entry.as_json() for entry in entries])
        return EXIT_OK
    term.table(
        ("POS", "CODE", "LABEL", "DESCRIPTION", "STATE"),
        [
            (
                str(e.position),
                e.code,
                e.label,
                e.description,
                "retired" if e.retired else "in use",
            )
            for e in entries
        ],
    )
    return EXIT_OK


def rubric_add(args: argparse.Namespace, term: Terminal) -> int:
    """Add a rubric item at the end (admins)."""
    with acting(args, term) as (ctx, user):
        entry = rubric.add_item(ctx, user, args.code, args.label, args.description)
    term.say(f"added {_describe(entry)}")
    return EXIT_OK


def rubric_edit(args: argparse.Namespace, term: Terminal) -> int:
    """Change a rubric item's label, description or place (admins)."""
    if args.label is None and args.description is None and args.position is None:
        raise CliError("give --label, --description or --position")
    with acting(args, term) as (ctx, user):
        entry = rubric.edit_item(
            ctx,
            user,
            args.code,
            label=args.label,
            description=args.description,
            position=args.position,
        )
    term.say(f"changed {_describe(entry)}")
    return EXIT_OK


def rubric_retire(args: argparse.Namespace, term: Terminal) -> int:
    """Take an item out of new reviews (admins)."""
    with acting(args, term) as (ctx, user):
        entry = rubric.retire_item(ctx, user, args.code)
    term.say(f"retired {_describe(entry)}; reviews rated under it keep it")
    return EXIT_OK


def rubric_restore(args: argparse.Namespace, term: Terminal) -> int:
    """Put a retired item back into use (admins)."""
    with acting(args, term) as (ctx, user):
        entry = rubric.restore_item(ctx, user, args.code)
    term.say(f"restored {_describe(entry)}")
    return EXIT_OK
