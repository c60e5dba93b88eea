"""Revoking a consent: new imports stop at once, and the disposition is applied.

With `delete`, every recording imported under any version of the client's
consent (as the client or as a participant) is shredded; one on legal hold is
marked and shredded when the hold is released. With `preserve`, recordings
stay until their destroy-after date, open only to the trainee, the assigned
supervisors and escrow: every share is withdrawn. The recordings to shred are
marked `shredding` in the revocation's own transaction, so a crash part-way
leaves work that the next `purge` finishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from supervise.crypto.sealedfields import seal_field
from supervise.crypto.sealing import ObjectKind
from supervise.models.clinical import (
    Client,
    ConsentForm,
    ConsentStatus,
    GrantVia,
    Recording,
    RecordingConsent,
    RecordingState,
)
from supervise.models.database import session_scope
from supervise.services import audit, vault
from supervise.services.accounts import UserSession, authorize
from supervise.services.clients import _target as client_target
from supervise.services.consents import (
    OPEN_STATES,
    ConsentView,
    check_day,
    load,
    series,
    view_of,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, InvalidInput
from supervise.services.policy import Action

RECEIVED = {
    "in_person": "in person",
    "phone": "by phone",
    "mail": "by mail",
    "email": "by email",
    "other": "other",
}
"""How a revocation can reach the program, and how the receipt words it."""
MAX_NOTES = 500


@dataclass(frozen=True)
class RevocationOutcome:
    """What a revocation did to the recordings under the consent."""

    consent: ConsentView
    shredded: tuple[int, ...]
    waiting: tuple[int, ...]
    """On legal hold: shredded when the hold is released."""
    preserved: tuple[int, ...]

    def as_json(self) -> dict[str, object]:
        """The outcome as JSON-ready data."""
        return {
            "consent": self.consent.as_json(),
            "shredded": list(self.shredded),
            "waiting_on_hold": list(self.waiting),
            "preserved": list(self.preserved),
        }


def check_received(value: str) -> str:
    """A known way of receiving a revocation.

    Raises:
        InvalidInput: Not one of `RECEIVED`.
    """
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in RECEIVED:
        raise InvalidInput(
            "say how the revocation was received: " + ", ".join(RECEIVED)
        )
    return key


def _check_notes(notes: str) -> str:
    text = " ".join(notes.split())
    if len(text) > MAX_NOTES or not text.isprintable():
        raise InvalidInput(f"notes are at most {MAX_NOTES} printable characters")
    return text


def _recordings_under(session: Session, consent_ids: list[int]) -> list[Recording]:
    ids = session.exec(
        select(RecordingConsent.recording_id).where(
            col(RecordingConsent.consent_id).in_(consent_ids)
        )
    ).all()
    return list(
        session.exec(
            select(Recording)
            .where(
                col(Recording.id).in_(sorted(set(ids))),
                col(Recording.state) == RecordingState.ACTIVE,
            )
            .order_by(col(Recording.id))
        )
    )


def _seal_notes(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    consent: ConsentForm,
    notes: str,
) -> bytes | None:
    if not notes:
        return None
    client = session.get(Client, consent.client_id)
    assert client is not None
    target = client_target(client)
    if vault.may_open(session, ctx, user, target) is None:
        raise InvalidInput(
            "notes are sealed under the client's key, which you cannot open: "
            "leave the notes out, or let the client's trainee record them"
        )
    keys = vault.open_for_user(session, ctx, user, target)
    return seal_field(keys, f"consent.{consent.id}.revocation", notes.encode())


def _check_revocable(consent: ConsentForm) -> None:
    if consent.status == ConsentStatus.REVOKED:
        raise Conflict(f"form {consent.id} was revoked already")
    if consent.status == ConsentStatus.EXPIRED:
        raise Conflict(
            f"form {consent.id} was replaced by a later version: revoke the "
            "version in force"
        )


def _apply_delete(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    recordings: list[Recording],
) -> tuple[list[int], list[int]]:
    """Mark each recording for shredding, or for shredding on release."""
    shred, waiting = [], []
    for recording in recordings:
        assert recording.id is not None
        if recording.legal_hold:
            recording.shred_on_release = True
            waiting.append(recording.id)
            reason = "consent-revoked-held"
        else:
            recording.state = RecordingState.SHREDDING
            shred.append(recording.id)
            reason = "consent-revoked"
        session.add(recording)
        audit.record(
            session,
            ctx,
            user.who,
            "recording.shred",
            object_type="recording",
            object_id=recording.id,
            reason=reason,
        )
    return shred, waiting


def _apply_preserve(
    session: Session, ctx: ProgramContext, recordings: list[Recording]
) -> list[int]:
    """Withdraw every share; owner, supervisor and escrow grants stay."""
    now = ctx.now()
    kept = []
    for recording in recordings:
        assert recording.id is not None
        for grant in vault.grants_of(session, ObjectKind.RECORDING, recording.id):
            if grant.via == GrantVia.SHARE and grant.wrapped_secret is not None:
                vault.wipe(session, grant, now)
        kept.append(recording.id)
    return kept


def revoke(
    ctx: ProgramContext,
    user: UserSession,
    consent_id: int,
    *,
    on: date,
    received: str,
    notes: str = "",
) -> RevocationOutcome:
    """Record a client's revocation and apply the form's disposition.

    Args:
        ctx: The program.
        user: The client's trainee, or an admin.
        consent_id: The consent in force (or an unsigned one).
        on: The date the revocation was received.
        received: How: one of `RECEIVED`.
        notes: Optional words about it (sealed under the client's key).

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput, Conflict
        (revoked already, or replaced by a later version).
    """
    from supervise.services.recordings import run_shred

    how = check_received(received)
    text = _check_notes(notes)
    with session_scope(ctx.engine) as session:
        consent = load(session, consent_id)
        authorize(
            session,
            ctx,
            user,
            Action.CONSENT_REVOKE,
            owner_id=consent.trainee_id,
            object_type="consent",
            object_id=consent.id,
        )
        _check_revocable(consent)
        check_day(on, ctx.now().date(), "revocation")
        sealed = _seal_notes(session, ctx, user, consent, text)
        # This version, the ones it replaced, and any unsigned one after it.
        versions = [
            c
            for c in series(session, consent.client_id)
            if c.version <= consent.version or c.status in OPEN_STATES
        ]
        for version in versions:
            if version.status in (ConsentStatus.ACTIVE, *OPEN_STATES):
                version.status = ConsentStatus.REVOKED
                version.revoked_on = on
                version.revocation_received = how
                version.revoked_by = user.account_id
                session.add(version)
        consent.revocation_sealed = sealed
        recordings = _recordings_under(
            session, [v.id for v in versions if v.id is not None]
        )
        if consent.revocation_disposition == "delete":
            shred, waiting = _apply_delete(session, ctx, user, recordings)
            kept: list[int] = []
        else:
            shred, waiting = [], []
            kept = _apply_preserve(session, ctx, recordings)
        audit.record(
            session,
            ctx,
            user.who,
            "consent.revoke",
            object_type="consent",
            object_id=consent.id,
            reason=f"{consent.revocation_disposition}-{len(recordings)}",
        )
        session.commit()
    for recording_id in shred:
        run_shred(ctx, user.who, recording_id, reason="consent-revoked")
    with session_scope(ctx.engine) as session:
        view = view_of(session, load(session, consent_id), viewer_id=user.account_id)
    return RevocationOutcome(view, tuple(shred), tuple(waiting), tuple(kept))
