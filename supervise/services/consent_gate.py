"""The import gate: no recording is stored unless active consents cover it.

A session's client and every participant must each have a consent in force
(signed, not revoked) with the importing trainee that lists the purpose; in
an all-party jurisdiction every participant must also be named on the
client's form, which they signed. A refusal says what is missing and is
audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from supervise.models.audit import Outcome
from supervise.models.clinical import (
    Client,
    ConsentForm,
    ConsentStatus,
    RecordingConsent,
)
from supervise.services import audit
from supervise.services.accounts import UserSession, actor_for
from supervise.services.clients import find_client
from supervise.services.consents import (
    access_ids,
    active_consent,
    participant_ids,
    purposes_of,
    series,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import InvalidInput, NotConsented
from supervise.services.policy import Action, decide
from supervise.units import add_years


@dataclass(frozen=True)
class Covered:
    """One client of a session and the consent that covers them."""

    client: Client
    consent: ConsentForm


def _why_not(consent: ConsentForm | None, client: Client) -> tuple[str, str]:
    """(reason code, message) for a client with no consent in force."""
    code = client.case_code
    if consent is None:
        return "no-consent", (
            f"{code} has no consent on record: make one (`consent new`), print "
            "it and record the client's signature"
        )
    label = f"form {consent.id} v{consent.version}"
    if consent.status == ConsentStatus.DRAFT:
        return "consent-draft", (
            f"{code}'s consent ({label}) is a draft: print it and record the "
            "signature first"
        )
    if consent.status == ConsentStatus.AWAITING_SIGNATURE:
        extra = " (verbal consent alone is not enough)" if consent.verbal_on else ""
        return "consent-unsigned", (
            f"{code}'s consent ({label}) is not signed yet{extra}: record the "
            "written signature first"
        )
    if consent.status == ConsentStatus.REVOKED:
        when = consent.revoked_on.isoformat() if consent.revoked_on else "?"
        return "consent-revoked", (
            f"{code} revoked consent on {when}: no new recordings may be stored"
        )
    return "consent-expired", f"{code}'s consent ({label}) has expired"


def check_covered(
    session: Session,
    trainee_id: int,
    client: Client,
    participants: Sequence[Client],
    purpose: str,
) -> list[Covered] | tuple[str, str]:
    """Whether active consents cover this session; the covering consents, or
    (reason code, message) naming the first thing missing."""
    covered = []
    primary: ConsentForm | None = None
    for person in [client, *participants]:
        assert person.id is not None
        consent = active_consent(session, person.id)
        if consent is None:
            versions = series(session, person.id)
            return _why_not(versions[-1] if versions else None, person)
        if consent.trainee_id != trainee_id:
            return "consent-other-trainee", (
                f"{person.case_code}'s consent is with another trainee"
            )
        if purpose not in purposes_of(consent):
            return "purpose", (
                f"{person.case_code}'s consent does not cover "
                f"{purpose.replace('_', ' ')} (it covers: "
                + ", ".join(p.replace("_", " ") for p in purposes_of(consent))
                + ")"
            )
        primary = primary or consent
        covered.append(Covered(person, consent))
    assert primary is not None and primary.id is not None
    if primary.all_party:
        named = set(participant_ids(session, primary.id))
        for person in participants:
            if person.id not in named:
                return "participant-unsigned", (
                    f"{client.case_code}'s state requires every participant's "
                    f"consent on the form, and {person.case_code} is not on "
                    f"form {primary.id}: make a new version naming them"
                )
    return covered


def covering_consents(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    client: Client,
    participant_codes: Sequence[str],
    purpose: str,
) -> list[Covered]:
    """The import gate: the consents covering a session, or refuse (audited).

    Raises:
        NotFound: A participant's case code is unknown.
        InvalidInput: A participant is the client, repeated, or another
            trainee's.
        NotConsented: Something is missing; the message says what.
    """
    participants = []
    for code in dict.fromkeys(
        c.strip().upper() for c in participant_codes if c.strip()
    ):
        other = find_client(session, code)
        if other.id == client.id:
            raise InvalidInput("the client is not also a participant of their session")
        if not decide(
            actor_for(session, ctx, user.account_id),
            Action.RECORDING_IMPORT,
            other.trainee_id,
        ).allowed:
            raise InvalidInput(f"participant {other.case_code} is not your client")
        participants.append(other)
    result = check_covered(session, user.account_id, client, participants, purpose)
    if isinstance(result, tuple):
        reason, message = result
        audit.record_alone(
            ctx,
            user.who,
            "recording.import",
            object_type="client",
            object_id=client.id,
            outcome=Outcome.DENIED,
            reason=reason,
        )
        raise NotConsented(f"the recording cannot be stored: {message}")
    return result


def destroy_after(covered: Sequence[Covered], session_date: date) -> date:
    """The latest date any covering consent's retention rule keeps it to."""
    dates = []
    for item in covered:
        dates.append(add_years(session_date, item.consent.retention_years or 0))
        if item.consent.retain_minor_until is not None:
            dates.append(item.consent.retain_minor_until)
    return max(dates)


def still_in_force(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    under: Sequence[tuple[int | None, int | None]],
) -> list[ConsentForm]:
    """Check again, with the consent rows locked, that each is in force.

    Called in the import's own transaction, so that a revocation committed
    while the file was being encrypted stops the import.

    Returns:
        The consent rows, locked until the transaction ends.

    Raises:
        NotConsented: A consent was revoked or replaced meanwhile (audited).
    """
    rows = []
    for client_id, consent_id in under:
        consent = session.exec(
            select(ConsentForm).where(ConsentForm.id == consent_id).with_for_update()
        ).one()
        if consent.status != ConsentStatus.ACTIVE:
            client = session.get(Client, client_id)
            assert client is not None
            reason, message = _why_not(consent, client)
            session.rollback()
            audit.record_alone(
                ctx,
                user.who,
                "recording.import",
                object_type="client",
                object_id=client_id,
                outcome=Outcome.DENIED,
                reason=reason,
            )
            raise NotConsented(f"the recording cannot be stored: {message}")
        rows.append(consent)
    return rows


MAX_TRAINING_DAYS = 366


def check_share(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    grantee_id: int,
    purpose: str,
    until: date | None,
) -> datetime | None:
    """May this recording be shared with this account for this purpose?

    Every client of the session must have a consent in force that lists the
    purpose and names the grantee (or the assigned supervisors, for one of
    them). A training share must end: it returns the grant's expiry time.

    Raises:
        InvalidInput: A bad purpose or end date.
        NotConsented: A consent is not in force, leaves the purpose out, or
            does not name the grantee (audited).
    """
    today = ctx.now().date()
    if purpose == "training" and until is None:
        raise InvalidInput("a share for training needs an end date (--until)")
    if until is not None and not today < until <= today + timedelta(
        days=MAX_TRAINING_DAYS
    ):
        raise InvalidInput(
            f"the share's end date must be after today and within "
            f"{MAX_TRAINING_DAYS} days"
        )
    problem = _share_problem(session, ctx, recording_id, grantee_id, purpose)
    if problem is not None:
        reason, message = problem
        audit.record_alone(
            ctx,
            user.who,
            "recording.share",
            object_type="recording",
            object_id=recording_id,
            outcome=Outcome.DENIED,
            reason=reason,
        )
        raise NotConsented(f"the recording cannot be shared: {message}")
    if until is None:
        return None
    return datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC)


def _share_problem(
    session: Session,
    ctx: ProgramContext,
    recording_id: int,
    grantee_id: int,
    purpose: str,
) -> tuple[str, str] | None:
    from supervise.services.vault import supervisors_of

    rows = session.exec(
        select(RecordingConsent).where(RecordingConsent.recording_id == recording_id)
    ).all()
    if not rows:
        return "no-consent", "it was stored before consents were recorded"
    for row in rows:
        client = session.get(Client, row.client_id)
        assert client is not None
        consent = active_consent(session, row.client_id)
        if consent is None:
            versions = series(session, row.client_id)
            return _why_not(versions[-1] if versions else None, client)
        if purpose not in purposes_of(consent):
            return "purpose", (
                f"{client.case_code}'s consent does not cover "
                f"{purpose.replace('_', ' ')}"
            )
        supervisors = {s.id for s in supervisors_of(session, ctx, consent.trainee_id)}
        named = grantee_id in access_ids(consent) or (
            consent.include_supervisors and grantee_id in supervisors
        )
        if not named:
            return "not-on-form", (
                f"{client.case_code}'s consent (form {consent.id}) does not name "
                "that person among those who may have access: make a new "
                "version of the form naming them"
            )
    return None
