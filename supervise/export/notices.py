"""The documents around a consent form: receipt, chart note, blank request.

A client who withdraws consent gets a receipt saying what happened to the
recordings; the chart gets a note stating what was consented, when and where
the recordings are kept (rule 10); and a client who wants to withdraw gets a
blank form to fill in.
"""

from __future__ import annotations

from supervise.export.consent_form import reference
from supervise.export.documents import (
    PURPOSE_LABELS,
    ConsentDocument,
    ConsentRecord,
    RevocationReceipt,
    long_date,
)
from supervise.export.layout import (
    Blank,
    Blanks,
    Decoration,
    Story,
    Unbroken,
    bullets,
    fields,
    gap,
    labelled,
    literal,
    long_time,
    para,
    section,
    signature_row,
    styles,
)

RECEIPT_TITLE = "Receipt: consent to recording withdrawn"
CHART_TITLE = "Chart note: consent to record sessions"
REQUEST_TITLE = "Request to withdraw consent to recording"
STATUS_LABELS = {
    "draft": "Draft (not yet given to the client)",
    "awaiting_signature": "Awaiting signature (form printed)",
    "active": "Active (signed)",
    "revoked": "Revoked",
    "expired": "Expired",
}
RECEIVED_WORDS = {"other": "by other means"}


def recordings(count: int) -> str:
    """ "1 recording", "3 recordings"."""
    return f"{count} recording{'' if count == 1 else 's'}"


def client_line(doc: ConsentDocument) -> tuple[str, str]:
    """The "Client" field: name and case code."""
    return "Client", f"{doc.client_name} (case {doc.case_code})"


# --- the revocation receipt ----------------------------------------------------


def receipt_story(receipt: RevocationReceipt) -> Story:
    """The receipt a client gets when they withdraw consent."""
    doc = receipt.document
    how = RECEIVED_WORDS.get(receipt.received_how, receipt.received_how)
    return [
        para(RECEIPT_TITLE, styles().title),
        *fields(
            (
                client_line(doc),
                ("Consent form", reference(doc)),
                ("Withdrawn on", long_date(receipt.revoked_on)),
                ("How the program received it", how),
                ("Recorded by", receipt.recorded_by),
                ("Receipt issued", long_time(receipt.issued_at)),
            )
        ),
        para(
            f"{literal(doc.program_name)} has received your request to withdraw "
            "your consent to the recording of sessions, and has acted on it. "
            "No new sessions will be recorded under this consent."
        ),
        *section("What happened to the recordings"),
        *bullets(outcomes(receipt)),
        *kept_circumstances(receipt),
        para(
            "Keep this receipt with your copy of the consent form. If you have "
            f"questions, contact {literal(doc.program_name)}."
        ),
    ]


def outcomes(receipt: RevocationReceipt) -> list[str]:
    """A line for each way recordings were dealt with, with its count."""
    lines = [
        (receipt.shredded, "Destroyed now"),
        (
            receipt.waiting_on_hold,
            "On legal hold, to be destroyed as soon as the hold ends",
        ),
        (receipt.preserved, "Kept, as your consent form allows"),
    ]
    said = [f"{what}: {recordings(count)}." for count, what in lines if count]
    return said or ["No recordings had been stored under this consent."]


def kept_circumstances(receipt: RevocationReceipt) -> Story:
    """When preserved recordings may still be used, if any are kept."""
    doc = receipt.document
    if doc.disposition != "preserve":
        return []
    return [
        para(
            "Recordings that are kept are used only in these circumstances: "
            f"{literal(doc.preserve_circumstances)}"
        )
    ]


# --- the chart note ------------------------------------------------------------


def chart_story(doc: ConsentDocument, record: ConsentRecord) -> Story:
    """What was consented, when, the status, and where recordings are kept."""
    return [
        para(CHART_TITLE, styles().title),
        para(summary(doc, record)),
        *section("Consent"),
        *fields(consent_rows(doc, record)),
        *section("Recordings"),
        *fields(recording_rows(doc, record)),
        labelled("Who may open them"),
        *bullets(doc.access),
    ]


def summary(doc: ConsentDocument, record: ConsentRecord) -> str:
    """The note in one paragraph, as markup."""
    who = f"{literal(doc.client_name)} (case {literal(doc.case_code)})"
    chosen = ", ".join(PURPOSE_LABELS[key].lower() for key in doc.purposes)
    if record.signed_on is None:
        given = f"{who} has not yet signed consent form {doc.form_id}"
    else:
        given = f"{who} signed consent form {doc.form_id} on " + long_date(
            record.signed_on
        )
    return (
        f"{given}, for the recording of sessions with trainee clinician "
        f"{literal(doc.trainee_name)}, for these purposes: {chosen}. The "
        f"recordings are stored in {literal(doc.storage_location)}. Status: "
        f"{STATUS_LABELS.get(record.status, record.status)}."
    )


def consent_rows(doc: ConsentDocument, record: ConsentRecord) -> list[tuple[str, str]]:
    """The consent's fields: form, status, purposes, the dates."""
    law = doc.jurisdiction_name
    if doc.all_party:
        law += " (every participant must consent)"
    rows = [
        client_line(doc),
        ("Form", reference(doc)),
        ("Status", STATUS_LABELS.get(record.status, record.status)),
        ("Purposes", "; ".join(PURPOSE_LABELS[key] for key in doc.purposes)),
        ("Verbal consent", verbal(record)),
        ("Written consent", written(record)),
        ("Revoked", long_date(record.revoked_on) if record.revoked_on else "no"),
        ("Jurisdiction", law),
        ("Trainee clinician", doc.trainee_name),
    ]
    if doc.minor:
        rows.insert(1, ("Parent or guardian", doc.guardian_name or "—"))
    if doc.participants:
        names = "; ".join(f"{name} ({code})" for code, name in doc.participants)
        rows.append(("Other participants", names))
    return rows


def verbal(record: ConsentRecord) -> str:
    """When verbal consent was given and who recorded it."""
    if record.verbal_on is None:
        return "not recorded"
    by = f", recorded by {record.verbal_by}" if record.verbal_by else ""
    return f"given on {long_date(record.verbal_on)}{by}"


def written(record: ConsentRecord) -> str:
    """When the form was signed, and by whom."""
    if record.signed_on is None:
        return "not signed yet"
    signers = ", ".join(record.signed_lines) or "no lines marked"
    return f"signed on {long_date(record.signed_on)} by: {signers}"


def recording_rows(
    doc: ConsentDocument, record: ConsentRecord
) -> list[tuple[str, str]]:
    """Where the recordings are, how many, how long they stay, and after."""
    if doc.disposition == "preserve":
        after = f"kept, only in these circumstances: {doc.preserve_circumstances}"
    else:
        after = "every recording is destroyed"
    return [
        ("Stored in", doc.storage_location),
        ("Recordings stored under this consent", str(record.recordings)),
        ("How long they are kept", doc.retention_text),
        ("If consent is withdrawn", after),
    ]


# --- the blank revocation request ----------------------------------------------


def request_decoration(
    program_name: str, case_code: str, form_id: int | None
) -> Decoration:
    """Header and footer of the blank request."""
    footer = "Request to withdraw consent"
    if form_id is not None:
        footer += f" · for form {form_id}"
    right = f"Case {case_code}" if case_code else ""
    return Decoration(program_name, right, footer)


def request_story(program_name: str, case_code: str, form_id: int | None) -> Story:
    """A form a client fills in to withdraw consent."""
    program = literal(program_name)
    return [
        para(REQUEST_TITLE, styles().title),
        para(
            "Use this form to withdraw your consent to the recording of your "
            f"sessions at {program}. You can withdraw at any time, and you do "
            "not have to give a reason."
        ),
        *identity_blanks(case_code, form_id),
        *section("Your request"),
        para(
            "I withdraw my consent to the recording of my sessions. I understand "
            "that no new sessions will be recorded from the day the program "
            "receives this form, and that recordings already made are destroyed "
            "or kept as my consent form states."
        ),
        gap(6),
        signature_row(),
        para("If you sign for a minor or for someone else:", styles().label),
        Blanks(Blank("Your name", 0.6), Blank("Relationship", 0.4)),
        gap(6),
        para(
            f"Give this form to your clinician or send it to {program}. The "
            "program will give you a written receipt."
        ),
        office_use(),
    ]


def identity_blanks(case_code: str, form_id: int | None) -> Story:
    """Blanks for the client's name, case code and form number.

    The case code and form number are printed on their lines when known.
    """
    form = "" if form_id is None else str(form_id)
    return [
        gap(4),
        Blanks(Blank("Client's name", 1.0)),
        Blanks(Blank("Case code", 0.45, case_code), Blank("Consent form", 0.55, form)),
    ]


def office_use() -> Unbroken:
    """Blanks the program fills in when the request arrives."""
    return Unbroken(
        [
            para("For the program's use", styles().label),
            Blanks(Blank("Received on", 0.4), Blank("How", 0.6)),
            Blanks(Blank("Recorded by", 1.0)),
        ]
    )
