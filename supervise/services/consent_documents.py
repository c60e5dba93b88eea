"""The printed side of a consent: form, verbal script, chart note, receipt.

The service fills the `export.documents` data from the consent's rows and the
client's sealed identity (opened with the caller's grant, audited as
`client.view`), renders the PDF into memory, and writes it to a new private
file only when it is whole. Every document produced is audited as
`consent.print` with its kind. Printing a draft form by its trainee moves
the consent to "awaiting signature": that paper is the one to be signed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, col, select

from supervise.export import documents as docs
from supervise.models.accounts import Account
from supervise.models.clinical import (
    Client,
    ConsentForm,
    ConsentStatus,
    Recording,
    RecordingConsent,
    RecordingState,
    RetentionRule,
)
from supervise.models.database import session_scope
from supervise.services import audit, consent_signing, consents, vault
from supervise.services.accounts import UserSession, authorize, display_name
from supervise.services.clients import (
    ClientIdentity,
    unseal_identity,
)
from supervise.services.clients import (
    _target as client_target,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, InvalidInput, Unavailable
from supervise.services.policy import Action
from supervise.services.recordings import new_output
from supervise.services.revocation import RECEIVED

KINDS = {
    "form": "the consent form",
    "script": "the verbal consent script",
    "chart": "the chart note",
    "receipt": "the revocation receipt",
    "request": "a blank revocation request",
}
"""The documents a consent can print, and how a person names them."""


def check_kind(kind: str) -> str:
    """A known document kind.

    Raises:
        InvalidInput: Not one of `KINDS`.
    """
    key = kind.strip().lower()
    if key not in KINDS:
        raise InvalidInput("the document is one of: " + ", ".join(KINDS))
    return key


@dataclass(frozen=True)
class Printed:
    """A rendered document and what printing it changed."""

    kind: str
    pdf: bytes
    now_awaiting_signature: bool


def _identity(
    session: Session, ctx: ProgramContext, user: UserSession, client: Client
) -> ClientIdentity | None:
    """The client's identity if the caller can open it (audited), else None."""
    target = client_target(client)
    if vault.may_open(session, ctx, user, target) is None:
        return None
    keys = vault.open_for_user(session, ctx, user, target)
    identity = unseal_identity(ctx, user.who, client, keys)
    audit.record(
        session, ctx, user.who, "client.view", object_type="client", object_id=client.id
    )
    return identity


def _name(identity: ClientIdentity | None, client: Client) -> str:
    return identity.name if identity else f"client {client.case_code}"


def _access_lines(
    session: Session, ctx: ProgramContext, consent: ConsentForm
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(who may have access, in plain lines; the supervisors' names)."""
    trainee = session.get(Account, consent.trainee_id)
    lines = [f"{display_name(trainee)}, the trainee clinician who records the sessions"]
    supervisors = [
        display_name(s) for s in vault.supervisors_of(session, ctx, consent.trainee_id)
    ]
    if consent.include_supervisors:
        now = ", ".join(supervisors) if supervisors else "none assigned today"
        lines.append(
            f"The trainee's assigned clinical supervisors, now and later (today: {now})"
        )
    for account_id in consents.access_ids(consent):
        lines.append(
            f"{display_name(session.get(Account, account_id))}, named on this form"
        )
    lines.append(
        "The program's sealed emergency key, kept offline, used only when the "
        "law requires access and recorded each time"
    )
    return tuple(lines), tuple(supervisors)


def _retention_text(session: Session, consent: ConsentForm) -> str:
    rule = session.get(RetentionRule, consent.jurisdiction)
    state = rule.name if rule and rule.name else consent.jurisdiction
    years = consent.retention_years or 0
    text = (
        f"Each recording is destroyed {years} years after the session date, "
        f"under the rule the program applies for {state}."
    )
    if consent.retain_minor_until is not None:
        text += (
            " Because the client is a minor, recordings are kept at least "
            f"until {docs.long_date(consent.retain_minor_until)} (after the client "
            "comes of age), whichever date is later."
        )
    return text + " Nothing is kept forever."


def _notes(session: Session, consent: ConsentForm) -> tuple[str, ...]:
    rule = session.get(RetentionRule, consent.jurisdiction)
    if rule is None:
        return ()
    notes = []
    if rule.all_party_consent:
        notes.append(
            f"{rule.name or rule.jurisdiction} requires the consent of every "
            "person in a recorded conversation."
        )
    if rule.statute:
        notes.append(rule.statute)
    if consent.minor and rule.minor_rule:
        notes.append(rule.minor_rule)
    return tuple(notes)


def build_document(
    session: Session, ctx: ProgramContext, user: UserSession, consent: ConsentForm
) -> docs.ConsentDocument:
    """Everything the consent form says, with names the caller can open."""
    assert consent.id is not None
    client = session.get(Client, consent.client_id)
    assert client is not None
    identity = _identity(session, ctx, user, client)
    others = {}
    for other_id in consents.participant_ids(session, consent.id):
        other = session.get(Client, other_id)
        assert other is not None
        others[other_id] = (other, _name(_identity(session, ctx, user, other), other))
    access, supervisors = _access_lines(session, ctx, consent)
    trainee_name = display_name(session.get(Account, consent.trainee_id))
    lines = []
    for spec in consents.signature_lines(session, consent):
        if spec.key == "guardian":
            name = identity.guardian if identity and identity.guardian else ""
        elif spec.key == "client":
            name = _name(identity, client)
        elif spec.key.startswith("participant:") and spec.client_id in others:
            name = others[spec.client_id][1]
        elif spec.key == "trainee":
            name = trainee_name
        else:
            name = supervisors[0] if supervisors else ""
        lines.append(docs.SignatureLine(spec.key, spec.label, name, spec.required))
    rule = session.get(RetentionRule, consent.jurisdiction)
    return docs.ConsentDocument(
        program_name=vault.program_row(session).name,
        form_id=consent.id,
        version=consent.version,
        verification_code=consent.verification_code,
        case_code=client.case_code,
        client_name=_name(identity, client),
        minor=consent.minor,
        guardian_name=identity.guardian if identity else "",
        jurisdiction=consent.jurisdiction,
        jurisdiction_name=rule.name if rule and rule.name else consent.jurisdiction,
        jurisdiction_notes=_notes(session, consent),
        all_party=consent.all_party,
        participants=tuple((o.case_code, n) for o, n in others.values()),
        purposes=consents.purposes_of(consent),
        access=access,
        storage_location=consent.storage_location,
        retention_text=_retention_text(session, consent),
        disposition=consent.revocation_disposition,
        preserve_circumstances=consents.circumstances(session, ctx, user, consent),
        trainee_name=trainee_name,
        supervisor_names=supervisors,
        prepared_on=ctx.now().date(),
        signature_lines=tuple(lines),
        page_size=ctx.settings.page_size,
    )


def _counts(session: Session, consent: ConsentForm) -> tuple[int, int, int]:
    """(shredded, waiting on a hold, preserved) under the revoked series."""
    ids = [c.id for c in consents.series(session, consent.client_id) if c.id]
    recording_ids = session.exec(
        select(RecordingConsent.recording_id).where(
            col(RecordingConsent.consent_id).in_(ids)
        )
    ).all()
    shredded = waiting = kept = 0
    for recording_id in set(recording_ids):
        recording = session.get(Recording, recording_id)
        if recording is None:
            continue
        if recording.state != RecordingState.ACTIVE:
            shredded += 1
        elif recording.shred_on_release:
            waiting += 1
        else:
            kept += 1
    return shredded, waiting, kept


def _record(session: Session, consent: ConsentForm) -> docs.ConsentRecord:
    view = consents.view_of(session, consent)
    labels = {line.key: line.label for line in view.lines}
    return docs.ConsentRecord(
        status=view.status,
        verbal_on=view.verbal_on,
        verbal_by=display_name(session.get(Account, consent.verbal_by))
        if consent.verbal_by
        else "",
        signed_on=view.signed_on,
        signed_lines=tuple(labels.get(k, k) for k in view.signers),
        revoked_on=view.revoked_on,
        recordings=view.recordings,
    )


def _receipt(
    session: Session,
    ctx: ProgramContext,
    document: docs.ConsentDocument,
    consent: ConsentForm,
) -> docs.RevocationReceipt:
    if consent.status != ConsentStatus.REVOKED or consent.revoked_on is None:
        raise Conflict(f"form {consent.id} has not been revoked: there is no receipt")
    shredded, waiting, kept = _counts(session, consent)
    return docs.RevocationReceipt(
        document=document,
        revoked_on=consent.revoked_on,
        received_how=RECEIVED.get(consent.revocation_received, "other"),
        recorded_by=display_name(session.get(Account, consent.revoked_by))
        if consent.revoked_by
        else "?",
        shredded=shredded,
        waiting_on_hold=waiting,
        preserved=kept,
        issued_at=ctx.now(),
    )


def render(
    ctx: ProgramContext, user: UserSession, reference: str | int, kind: str
) -> Printed:
    """Render one document of a consent into memory (audited).

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput (kind),
        Conflict (a receipt for a consent not revoked), Unavailable (the
        font is not installed).
    """
    from supervise.export import pdf
    from supervise.export.fonts import FontMissing

    kind = check_kind(kind)
    with session_scope(ctx.engine) as session:
        consent = consents.find(session, str(reference))
        action = Action.CONSENT_REVOKE if kind == "receipt" else Action.CONSENT_VIEW
        authorize(
            session,
            ctx,
            user,
            action,
            owner_id=consent.trainee_id,
            object_type="consent",
            object_id=consent.id,
        )
        out = io.BytesIO()
        try:
            if kind == "request":
                pdf.render_revocation_request(
                    vault.program_row(session).name,
                    out,
                    case_code=_case_code(session, consent),
                    form_id=consent.id,
                    page_size=ctx.settings.page_size,
                )
            else:
                document = build_document(session, ctx, user, consent)
                _render_into(session, ctx, kind, document, consent, out)
        except FontMissing as exc:
            raise Unavailable(str(exc)) from None
        audit.record(
            session,
            ctx,
            user.who,
            "consent.print",
            object_type="consent",
            object_id=consent.id,
            reason=kind,
        )
        session.commit()
        consent_id = consent.id
    assert consent_id is not None
    moved = kind == "form" and consent_signing.mark_printed(ctx, user, consent_id)
    return Printed(kind, out.getvalue(), moved)


def _case_code(session: Session, consent: ConsentForm) -> str:
    client = session.get(Client, consent.client_id)
    return client.case_code if client else ""


def _render_into(
    session: Session,
    ctx: ProgramContext,
    kind: str,
    document: docs.ConsentDocument,
    consent: ConsentForm,
    out: BinaryIO,
) -> None:
    from supervise.export import pdf, script

    if kind == "chart":
        pdf.render_chart_note(document, _record(session, consent), out)
    elif kind == "receipt":
        pdf.render_revocation_receipt(_receipt(session, ctx, document, consent), out)
    elif kind == "script":
        script.render_verbal_script(document, out)
    else:
        pdf.render_consent_form(document, out)


def save(
    ctx: ProgramContext,
    user: UserSession,
    reference: str | int,
    kind: str,
    target: Path,
) -> Printed:
    """Render a document and write it to a new private file (never over one).

    Raises:
        As `render`, and Conflict (the file exists), InvalidInput (no folder).
    """
    from supervise.services.recordings import check_new_output

    check_new_output(Path(target))
    printed = render(ctx, user, reference, kind)
    with new_output(Path(target)) as out:
        out.write(printed.pdf)
    return printed


def verbal_script_text(
    ctx: ProgramContext, user: UserSession, reference: str | int
) -> str:
    """The verbal consent script, filled in, as text for the screen (audited).

    Raises:
        NotFound, PermissionDenied (audited).
    """
    from supervise.export.script import verbal_script

    with session_scope(ctx.engine) as session:
        consent = consents.find(session, str(reference))
        authorize(
            session,
            ctx,
            user,
            Action.CONSENT_VIEW,
            owner_id=consent.trainee_id,
            object_type="consent",
            object_id=consent.id,
        )
        text = verbal_script(build_document(session, ctx, user, consent))
        session.commit()
        return text
