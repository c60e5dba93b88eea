"""What goes into the printed consent documents, as plain frozen data.

The service layer reads the database, decrypts the names it is allowed to see
and fills these in; the renderers in `supervise.export.pdf` and
`supervise.export.script` only lay them out. Nothing here touches the database
or a key, so a document can be rendered (and tested) from data alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

PURPOSE_LABELS = {
    "clinical_record": "Clinical record",
    "supervision": "Supervision of the trainee",
    "training": "Training of other clinicians",
}
"""The three purposes a recording may serve, in the order forms list them."""

PURPOSE_MEANINGS = {
    "clinical_record": (
        "The recordings are kept as part of the client's clinical record, as "
        "an account of what happened in the sessions."
    ),
    "supervision": (
        "The trainee's clinical supervisors watch or listen to the recordings "
        "to guide the trainee's work and to make sure the client gets good care."
    ),
    "training": (
        "Parts of the recordings may be shown in a class or practicum to teach "
        "other clinicians in training, who must keep what they see confidential."
    ),
}
"""One sentence a client can read about each purpose."""

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(day: date) -> str:
    """A date as clients read it: "March 4, 2026"."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


RECEIVED_HOW = ("in person", "by phone", "by mail", "by email", "other")
"""How a revocation can reach the program, as a receipt words it."""


@dataclass(frozen=True)
class SignatureLine:
    """One person who signs the form.

    Attributes:
        key: "client", "guardian", "participant:C-1003", "trainee" or
            "supervisor".
        label: What the line is for, as printed ("Parent or guardian of the
            client").
        name: The printed name; accented and non-Latin names are fine.
        required: False for a line the form marks optional (the supervisor).
    """

    key: str
    label: str
    name: str
    required: bool


@dataclass(frozen=True)
class ConsentDocument:
    """Everything a consent form says, filled in for one client and version.

    Attributes:
        program_name: The training program, printed at the top of each page.
        form_id: The consent form's id, printed on every page.
        version: The form's version, printed on every page.
        verification_code: A short code ("K7QD-3MXA") that matches a signed
            paper copy to its record.
        case_code: The client's case code.
        client_name: The client's name.
        minor: Whether the client is a minor (a parent or guardian signs).
        guardian_name: The parent or guardian's name, or "".
        jurisdiction: The state's code ("CA").
        jurisdiction_name: The state's name ("California").
        jurisdiction_notes: Notes about the state's law, printed as they are.
        all_party: Whether the state requires everyone in a session to agree.
        participants: (case code, name) of the other people in the sessions.
        purposes: The chosen keys of `PURPOSE_LABELS`, in that order.
        access: Plain lines naming who may open the recordings.
        storage_location: The system and server where recordings are kept.
        retention_text: How long recordings are kept, in plain words.
        disposition: "delete" or "preserve": what revocation does to them.
        preserve_circumstances: When preserved recordings may still be used;
            "" unless the disposition is "preserve".
        trainee_name: The trainee clinician who records.
        supervisor_names: The trainee's supervisors.
        prepared_on: When the form was printed.
        signature_lines: Who signs, in the order the lines are printed.
        page_size: "letter" or "a4".
    """

    program_name: str
    form_id: int
    version: int
    verification_code: str
    case_code: str
    client_name: str
    minor: bool
    guardian_name: str
    jurisdiction: str
    jurisdiction_name: str
    jurisdiction_notes: tuple[str, ...]
    all_party: bool
    participants: tuple[tuple[str, str], ...]
    purposes: tuple[str, ...]
    access: tuple[str, ...]
    storage_location: str
    retention_text: str
    disposition: str
    preserve_circumstances: str
    trainee_name: str
    supervisor_names: tuple[str, ...]
    prepared_on: date
    signature_lines: tuple[SignatureLine, ...]
    page_size: str = "letter"


@dataclass(frozen=True)
class ConsentRecord:
    """What has happened to a consent form so far, for the chart note.

    Attributes:
        status: draft, awaiting_signature, active, revoked or expired.
        verbal_on: When verbal consent was recorded, if it was.
        verbal_by: Who recorded the verbal consent.
        signed_on: When the form was marked signed, if it was.
        signed_lines: Labels of the signature lines that were signed.
        revoked_on: When the consent was revoked, if it was.
        recordings: How many recordings are stored under this consent.
    """

    status: str
    verbal_on: date | None
    verbal_by: str
    signed_on: date | None
    signed_lines: tuple[str, ...]
    revoked_on: date | None
    recordings: int


@dataclass(frozen=True)
class RevocationReceipt:
    """The receipt a client gets when they withdraw consent.

    Attributes:
        document: The consent form that was revoked.
        revoked_on: The date the program received the revocation.
        received_how: One of `RECEIVED_HOW`.
        recorded_by: The name of the person who recorded it.
        shredded: Recordings destroyed at once.
        waiting_on_hold: Recordings on legal hold, destroyed when it ends.
        preserved: Recordings kept, as the form allowed.
        issued_at: When the receipt was made.
    """

    document: ConsentDocument
    revoked_on: date
    received_how: str
    recorded_by: str
    shredded: int
    waiting_on_hold: int
    preserved: int
    issued_at: datetime
