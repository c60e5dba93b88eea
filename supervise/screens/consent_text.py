"""How consents read on screen: statuses, purposes, dispositions, a summary.

Shared by the consents list, the consent detail, the wizard and the dialogs.
Case codes and usernames were typed by people, so they go through `literal`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.consents import ConsentView
    from supervise.services.rules import RuleView

PURPOSE_WORDS = {
    "clinical_record": "clinical record",
    "supervision": "supervision",
    "training": "training",
}
"""How each purpose reads in full."""

PURPOSE_SHORT = {
    "clinical_record": "record",
    "supervision": "supervision",
    "training": "training",
}
"""How each purpose reads in a narrow table column."""

STATUS_STYLES = {
    "draft": "yellow",
    "awaiting_signature": "yellow",
    "active": "green",
    "revoked": "red",
    "expired": "dim",
}

DISPOSITION_EFFECTS = {
    "delete": (
        "every recording under this consent is shredded now (its key is "
        "destroyed; nobody can open it again). A recording on legal hold is "
        "shredded when the hold ends."
    ),
    "preserve": (
        "recordings are kept until their destroy-after date, open only to the "
        "trainee, the assigned supervisors and the escrow key: every share is "
        "withdrawn now."
    ),
}
"""What revoking does to the recordings, by the form's disposition."""


def disposition_note(view: ConsentView) -> str:
    """What revoking `view` does to its recordings, in a sentence."""
    effect = DISPOSITION_EFFECTS.get(view.disposition, "")
    return f"On revocation this form says {view.disposition}: {effect}"


OPEN_STATUSES = ("draft", "awaiting_signature")
"""Statuses in which a consent's terms can still be changed in place."""


def lines_literal(text: str) -> Text:
    """Many lines of text holding typed names, each line shown literally."""
    return Text("\n").join(literal(line) for line in text.splitlines())


def status_text(status: str) -> Text:
    """A status in words, coloured by how it stands."""
    return Text(status.replace("_", " "), style=STATUS_STYLES.get(status, ""))


def purposes_text(purposes: tuple[str, ...], *, short: bool = False) -> str:
    """The purposes as words, in the form's order."""
    words = PURPOSE_SHORT if short else PURPOSE_WORDS
    return (" " if short else ", ").join(words.get(p, p) for p in purposes)


def row_of(view: ConsentView) -> tuple[object, ...]:
    """The table cells of one consent (narrow enough for 80 columns)."""
    return (
        literal(view.case_code),
        f"{view.id} v{view.version}",
        status_text(view.status),
        purposes_text(view.purposes, short=True),
        view.jurisdiction + (" all" if view.all_party else ""),
        literal(view.trainee),
    )


def document_path(view: ConsentView, kind: str, suffix: str = ".pdf") -> Path:
    """Where a document of `view` is offered to be saved: the home folder,
    named by case code (never by name), form, version and kind."""
    name = f"{view.case_code}-form{view.id}-v{view.version}-{kind}{suffix}"
    return Path.home() / name


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def retention_line(view: ConsentView) -> str:
    """How long the recordings under `view` are kept, in words."""
    text = f"Destroyed {view.retention_years} years after each session"
    if view.minor and view.retain_minor_until is not None:
        text += f", and not before {view.retain_minor_until.isoformat()} (a minor)"
    return text + "."


def summary(view: ConsentView) -> Text:
    """Everything known about a consent, a few words a line."""
    text = Text(f"Consent {view.label}", style="bold")
    text.append(" · client ")
    text.append_text(literal(view.case_code, style="bold"))
    text.append(" · trainee ")
    text.append_text(literal(view.trainee))
    text.append("\nStatus: ")
    text.append_text(status_text(view.status))
    text.append(f" · check code {view.verification_code}")
    _lines(text, view)
    return text


def _lines(text: Text, view: ConsentView) -> None:
    """The terms and the record, appended to `text`."""
    text.append(f"\nPurposes: {purposes_text(view.purposes)}")
    who = ["the trainee"]
    if view.include_supervisors:
        who.append("the assigned supervisors")
    text.append(f"\nAccess: {', '.join(who)}")
    for name in view.access:
        text.append(", ")
        text.append_text(literal(name))
    if view.participants:
        text.append("\nParticipants: ")
        text.append_text(literal(", ".join(view.participants)))
    text.append(f"\nOn revocation: {view.disposition}")
    state = view.jurisdiction + (
        " (every party must consent)" if view.all_party else ""
    )
    text.append(f"\nJurisdiction: {state}")
    text.append(" · minor" if view.minor else " · adult")
    text.append(f"\nRetention: {retention_line(view)}")
    text.append("\nStored at: ")
    text.append_text(literal(view.storage_location))
    text.append(f"\nRecordings under it: {view.recordings}")
    _record(text, view)


def _record(text: Text, view: ConsentView) -> None:
    """What happened to the form: made, printed, consented, signed, revoked."""
    text.append(f"\nMade {view.created_at.date().isoformat()}")
    if view.supersedes_id is not None:
        text.append(f", replacing form {view.supersedes_id}")
    if view.printed_at is not None:
        text.append(f" · printed {view.printed_at.date().isoformat()}")
    if view.verbal_on is not None:
        text.append(f"\nVerbal consent {_day(view.verbal_on)}, logged by ")
        text.append_text(literal(view.verbal_by))
    if view.signed_on is not None:
        text.append(f"\nSigned {_day(view.signed_on)}, recorded by ")
        text.append_text(literal(view.signed_by))
        if view.has_scan:
            text.append(" · scan kept")
    if view.revoked_on is not None:
        how = view.revocation_received.replace("_", " ")
        text.append(f"\nRevoked {_day(view.revoked_on)} ({how}), recorded by ")
        text.append_text(literal(view.revoked_by))


def lines_text(view: ConsentView) -> Text:
    """The signature lines, each ticked when signed."""
    text = Text()
    signed = set(view.signers)
    for index, line in enumerate(view.lines):
        mark = "[x]" if line.key in signed else "[ ]"
        text.append("\n" if index else "")
        text.append(f"{mark} ")
        text.append_text(literal(line.label))
        if line.required and line.key not in signed:
            text.append(" (required)", style="dim")
    return text


def rule_notes(rule: RuleView, *, minor: bool) -> Text:
    """A jurisdiction's notes for the wizard: all-party, statute, minors, source."""
    text = Text()
    if rule.all_party_consent:
        text.append(
            f"{rule.name} requires every party's consent to record: each "
            "participant signs this form too.\n",
            style="bold",
        )
    if rule.statute:
        text.append_text(literal(rule.statute))
        text.append("\n")
    if minor and rule.minor_rule:
        text.append_text(literal(rule.minor_rule))
        text.append("\n")
    text.append("Source: ", style="dim")
    text.append_text(literal(rule.source, style="dim"))
    return text
