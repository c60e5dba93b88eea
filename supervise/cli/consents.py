"""`supervise consent ...`: a consent's life from a shell.

A form is drafted (`new`, `edit`), printed (`pdf`; printing a draft moves it
to awaiting signature), consented to aloud (`verbal`, logged but never
enough), signed (`sign`: now recordings may be stored) and perhaps revoked
(`revoke`, which applies the form's disposition at once). The circumstances
of preservation and the revocation notes are sealed with the client's
identity, so they can come from standard input instead of the command line.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from supervise.cli.common import EXIT_OK, Terminal, UsageError
from supervise.cli.program import acting
from supervise.services import (
    consent_documents,
    consent_signing,
    consents,
    revocation,
    rules,
)
from supervise.services.accounts import UserSession
from supervise.services.consents import ConsentTerms, ConsentView
from supervise.services.context import ProgramContext
from supervise.services.recordings import check_new_output, new_output
from supervise.services.revocation import RevocationOutcome
from supervise.services.rules import RuleView
from supervise.units import size_text

_LIST_HEADERS = (
    "ID",
    "CLIENT",
    "VERSION",
    "STATUS",
    "PURPOSES",
    "TRAINEE",
    "SIGNED",
    "RECORDINGS",
    "CHECK CODE",
)


# --- how things print -----------------------------------------------------------


def _words(value: str) -> str:
    return value.replace("_", " ")


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "-"


def _purposes(view: ConsentView) -> str:
    return ", ".join(_words(p) for p in view.purposes)


def _access(view: ConsentView) -> str:
    who = ["the trainee"]
    if view.include_supervisors:
        who.append("the assigned supervisors")
    return ", ".join([*who, *view.access])


def _signed(view: ConsentView) -> str:
    if view.signed_on is None:
        return "-"
    scan = ", scan stored" if view.has_scan else ""
    return f"{view.signed_on.isoformat()} (recorded by {view.signed_by}{scan})"


def _revoked(view: ConsentView) -> str:
    if view.revoked_on is None:
        return "-"
    how = revocation.RECEIVED.get(view.revocation_received, "")
    received = f", received {how}" if how and how != "other" else ""
    return f"{view.revoked_on.isoformat()}{received} (recorded by {view.revoked_by})"


def _retention(view: ConsentView) -> str:
    text = f"{view.retention_years} years after each session"
    if view.retain_minor_until is not None:
        text += f", and at least until {view.retain_minor_until.isoformat()}"
    return text


def _disposition(view: ConsentView) -> str:
    if view.disposition == "preserve":
        return "preserve (the circumstances are sealed; they are on the form)"
    return "delete every recording under this consent"


def _home_flag(args: argparse.Namespace) -> str:
    return f" --home {shlex.quote(str(args.home))}" if args.home else ""


def _command(args: argparse.Namespace, words: str) -> str:
    """A command to run next, as the caller would type it."""
    return f"supervise{_home_flag(args)} {words} --as {shlex.quote(args.as_user)}"


def _next_step(args: argparse.Namespace, view: ConsentView) -> str:
    """What the trainee does next with this consent, if anything."""
    if not view.can_edit:
        return ""
    if view.status == "draft":
        return "print it: " + _command(args, f"consent pdf {view.id} -o FILE")
    signers = " ".join(f"--signer {line.key}" for line in view.lines if line.required)
    return "once signed, record it: " + _command(
        args, f"consent sign {view.id} {signers}"
    )


# --- reading terms ----------------------------------------------------------------


def _check_circumstances_options(args: argparse.Namespace) -> None:
    if args.circumstances_stdin and args.circumstances is not None:
        raise UsageError(
            "give the circumstances either with --circumstances or with "
            "--circumstances-stdin, not both"
        )


def _circumstances(args: argparse.Namespace, term: Terminal) -> str | None:
    """The circumstances given, if any (read after the password line)."""
    if args.circumstances_stdin:
        return term.stdin.read()
    given: str | None = args.circumstances
    return given


def _check_disposition(disposition: str, circumstances: str | None) -> None:
    preserve = disposition.strip().lower() == "preserve"
    if circumstances is not None and not preserve:
        raise UsageError("the circumstances go with --disposition preserve only")


def _new_terms(args: argparse.Namespace, circumstances: str | None) -> ConsentTerms:
    disposition = args.disposition or "delete"
    _check_disposition(disposition, circumstances)
    return ConsentTerms(
        purposes=tuple(args.purpose),
        disposition=disposition,
        circumstances=circumstances or "",
        include_supervisors=args.supervisors is not False,
        access=tuple(args.access or ()),
        participants=tuple(args.participant or ()),
    )


def _edited_terms(
    args: argparse.Namespace, current: ConsentTerms, circumstances: str | None
) -> ConsentTerms:
    """The form's terms with the options given laid over them."""
    disposition = args.disposition or current.disposition
    _check_disposition(disposition, circumstances)
    if disposition.strip().lower() == "preserve" and circumstances is None:
        circumstances = current.circumstances
    return replace(
        current,
        purposes=tuple(args.purpose or current.purposes),
        disposition=disposition,
        circumstances=circumstances or "",
        include_supervisors=(
            current.include_supervisors
            if args.supervisors is None
            else args.supervisors
        ),
        access=current.access if args.access is None else tuple(args.access),
        participants=(
            current.participants
            if args.participant is None
            else tuple(args.participant)
        ),
    )


_TERM_OPTIONS = ("purpose", "disposition", "circumstances", "supervisors")
_LIST_OPTIONS = ("access", "participant")


def _anything_to_change(args: argparse.Namespace) -> bool:
    given = [getattr(args, name) for name in (*_TERM_OPTIONS, *_LIST_OPTIONS)]
    return args.circumstances_stdin or any(value is not None for value in given)


# --- making and changing ----------------------------------------------------------


def consent_new(args: argparse.Namespace, term: Terminal) -> int:
    """Draft a consent for one of the caller's clients."""
    _check_circumstances_options(args)
    with acting(args, term) as (ctx, user):
        terms = _new_terms(args, _circumstances(args, term))
        view = consents.new_consent(ctx, user, args.client, terms)
    if args.json:
        term.write_json(view.as_json())
        return EXIT_OK
    term.say(
        f"{view.label} drafted for {view.case_code} "
        f"(check code {view.verification_code})"
    )
    term.say(_next_step(args, view))
    return EXIT_OK


def consent_edit(args: argparse.Namespace, term: Terminal) -> int:
    """Change an unsigned consent's terms; what is not given stays."""
    _check_circumstances_options(args)
    if not _anything_to_change(args):
        raise UsageError("say what to change: give at least one of the term options")
    with acting(args, term) as (ctx, user):
        current = consents.terms_of(ctx, user, args.consent_id)
        terms = _edited_terms(args, current, _circumstances(args, term))
        view = consents.edit_consent(ctx, user, args.consent_id, terms)
    if args.json:
        term.write_json(view.as_json())
        return EXIT_OK
    term.say(
        f"{view.label} changed: a draft again, new check code "
        f"{view.verification_code} (a copy printed before no longer matches)"
    )
    term.say(_next_step(args, view))
    return EXIT_OK


# --- reading -------------------------------------------------------------------------


def consent_list(args: argparse.Namespace, term: Terminal) -> int:
    """The consents the caller may see, or one client's."""
    with acting(args, term) as (ctx, user):
        views = consents.list_consents(ctx, user, args.client)
    if args.json:
        term.write_json([view.as_json() for view in views])
        return EXIT_OK
    term.table(_LIST_HEADERS, [_list_row(view) for view in views])
    return EXIT_OK


def _list_row(view: ConsentView) -> tuple[str, ...]:
    return (
        str(view.id),
        view.case_code,
        str(view.version),
        _words(view.status),
        ",".join(view.purposes),
        view.trainee,
        _day(view.signed_on),
        str(view.recordings),
        view.verification_code,
    )


def consent_show(args: argparse.Namespace, term: Terminal) -> int:
    """One consent in full: terms, state, signature lines, the state's notes."""
    with acting(args, term) as (ctx, user):
        view = consents.consent_detail(ctx, user, args.reference)
        rule = _rule(ctx, user, view.jurisdiction)
    if args.json:
        data = view.as_json()
        data["jurisdiction_rule"] = rule.as_json() if rule else None
        term.write_json(data)
        return EXIT_OK
    term.say(f"{view.label} (check code {view.verification_code})")
    for label, value in _fields(view, rule):
        term.say(f"  {label + ':':<15}{value}")
    term.say()
    term.table(
        ("SIGNATURE LINE", "KEY", "REQUIRED", "SIGNED"),
        [
            (
                line.label,
                line.key,
                "yes" if line.required else "no",
                "yes" if line.key in view.signers else "-",
            )
            for line in view.lines
        ],
    )
    _say_notes(term, view, rule)
    step = _next_step(args, view)
    if step:
        term.say()
        term.say(step)
    return EXIT_OK


def _rule(ctx: ProgramContext, user: UserSession, jurisdiction: str) -> RuleView | None:
    found = [r for r in rules.list_rules(ctx, user) if r.jurisdiction == jurisdiction]
    return found[0] if found else None


def _fields(view: ConsentView, rule: RuleView | None) -> list[tuple[str, str]]:
    state = rule.name if rule and rule.name else view.jurisdiction
    if view.all_party:
        state += " (every party must consent to recording)"
    minor = "no"
    if view.minor:
        minor = "yes: a parent or guardian signs"
    return [
        ("client", f"{view.case_code} (trainee {view.trainee})"),
        ("status", _words(view.status)),
        ("purposes", _purposes(view)),
        ("access", _access(view)),
        ("participants", ", ".join(view.participants) or "-"),
        ("jurisdiction", f"{view.jurisdiction}, {state}"),
        ("minor", minor),
        ("retention", _retention(view)),
        ("on revocation", _disposition(view)),
        ("stored", view.storage_location),
        ("made", f"{view.created_at:%Y-%m-%d %H:%M} UTC"),
        ("printed", f"{view.printed_at:%Y-%m-%d}" if view.printed_at else "-"),
        ("verbal", _verbal(view)),
        ("signed", _signed(view)),
        ("revoked", _revoked(view)),
        ("replaces", f"form {view.supersedes_id}" if view.supersedes_id else "-"),
        ("recordings", str(view.recordings)),
    ]


def _verbal(view: ConsentView) -> str:
    if view.verbal_on is None:
        return "-"
    return f"{view.verbal_on.isoformat()} (logged by {view.verbal_by})"


def _say_notes(term: Terminal, view: ConsentView, rule: RuleView | None) -> None:
    if rule is None:
        return
    notes = [rule.statute, rule.minor_rule if view.minor else "", rule.source]
    notes = [note for note in notes if note]
    if not notes:
        return
    term.say()
    term.say(f"{rule.name or rule.jurisdiction} (from the program's state table):")
    for note in notes:
        term.say(f"  {note}")


# --- verbal consent, signature, revocation -----------------------------------------


def _on(args: argparse.Namespace, ctx: ProgramContext) -> date:
    given: date | None = args.on
    return given if given is not None else ctx.now().date()


def consent_verbal(args: argparse.Namespace, term: Terminal) -> int:
    """Log the client's verbal consent; it does not bring the form into force."""
    with acting(args, term) as (ctx, user):
        view = consent_signing.record_verbal(ctx, user, args.consent_id, _on(args, ctx))
    if args.json:
        term.write_json(view.as_json())
        return EXIT_OK
    term.say(f"{view.label}: verbal consent logged for {_day(view.verbal_on)}")
    term.say("No recording may be stored until the written form is signed.")
    return EXIT_OK


def consent_sign(args: argparse.Namespace, term: Terminal) -> int:
    """Record the signed form: the consent is in force from now on."""
    scan = Path(args.scan) if args.scan else None
    with acting(args, term) as (ctx, user):
        view = consent_signing.sign(
            ctx,
            user,
            args.consent_id,
            on=_on(args, ctx),
            lines=args.signer,
            scan=scan,
        )
    if args.json:
        term.write_json(view.as_json())
        return EXIT_OK
    labels = {line.key: line.label for line in view.lines}
    signed = ", ".join(labels.get(key, key) for key in view.signers)
    term.say(f"{view.label} signed on {_day(view.signed_on)} by: {signed}")
    if view.has_scan:
        term.say("The scan of the signed pages is stored sealed.")
    if view.supersedes_id:
        term.say(f"It replaces form {view.supersedes_id}, which has expired.")
    term.say(f"{view.case_code}'s consent is in force for: {_purposes(view)}")
    return EXIT_OK


def consent_revoke(args: argparse.Namespace, term: Terminal) -> int:
    """Record a revocation; say what became of each recording."""
    with acting(args, term) as (ctx, user):
        notes = term.stdin.read() if args.notes_stdin else ""
        outcome = revocation.revoke(
            ctx,
            user,
            args.consent_id,
            on=_on(args, ctx),
            received=args.received,
            notes=notes,
        )
    if args.json:
        term.write_json(outcome.as_json())
        return EXIT_OK
    view = outcome.consent
    term.say(f"{view.label} revoked on {_revoked(view)}")
    term.say(f"{view.case_code}: no new recordings may be stored.")
    for line in _outcome_lines(outcome):
        term.say(line)
    term.say(
        "the client's receipt: "
        + _command(args, f"consent pdf {view.id} --kind receipt -o FILE")
    )
    return EXIT_OK


def _ids(numbers: Sequence[int]) -> str:
    noun = "recording" if len(numbers) == 1 else "recordings"
    return f"{noun} {', '.join(str(n) for n in numbers)}"


def _outcome_lines(outcome: RevocationOutcome) -> list[str]:
    lines = []
    if outcome.shredded:
        lines.append(f"shredded: {_ids(outcome.shredded)}")
    if outcome.waiting:
        lines.append(
            f"on legal hold, shredded when the hold is released: "
            f"{_ids(outcome.waiting)}"
        )
    if outcome.preserved:
        lines.append(
            f"preserved, every share withdrawn (open to the trainee and the "
            f"supervisors only): {_ids(outcome.preserved)}"
        )
    if not lines:
        lines.append("no recordings were stored under this consent")
    return lines


# --- documents ----------------------------------------------------------------------


def consent_pdf(args: argparse.Namespace, term: Terminal) -> int:
    """Write one of a consent's documents as a new PDF file."""
    target = check_new_output(Path(args.output))
    kind = consent_documents.check_kind(args.kind)
    with acting(args, term) as (ctx, user):
        view = consents.consent_detail(ctx, user, args.reference)
        printed = consent_documents.save(ctx, user, view.id, kind, target)
    term.say(
        f"{consent_documents.KINDS[printed.kind]} ({view.label}) written to "
        f"{target} ({size_text(len(printed.pdf))})"
    )
    if printed.now_awaiting_signature:
        awaiting = replace(view, status="awaiting_signature")
        term.say(f"{view.label} now awaits signature; {_next_step(args, awaiting)}")
    return EXIT_OK


def consent_script(args: argparse.Namespace, term: Terminal) -> int:
    """Print the verbal consent script, filled in, to read to the client."""
    with acting(args, term) as (ctx, user):
        text = consent_documents.verbal_script_text(ctx, user, args.reference)
    for line in text.splitlines():
        term.say(line)
    return EXIT_OK


def consent_scan(args: argparse.Namespace, term: Terminal) -> int:
    """Write out the sealed scan of a signed form (audited)."""
    target = check_new_output(Path(args.output))
    with acting(args, term) as (ctx, user):
        data, media_type = consent_signing.export_scan(ctx, user, args.consent_id)
        with new_output(target) as out:
            out.write(data)
    term.say(
        f"the signed scan of form {args.consent_id} ({media_type}, "
        f"{size_text(len(data))}) written to {target}"
    )
    return EXIT_OK
