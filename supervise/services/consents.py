"""Consent forms: made, printed, consented to aloud, signed, amended, revoked.

A client's consents form one series of versions. Changing an active consent
makes a new version that must be printed and signed again; once it is signed
the version before it expires. Only an active (signed) consent lets a
recording in: `covering_consents` is the import gate, and it says what is
missing. Revocation is in `services.revocation`; the printed documents are
built in `services.consent_documents`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlmodel import Session, col, select

from supervise.crypto.recording_keys import ObjectKeys
from supervise.crypto.sealedfields import (
    SealedFieldError,
    open_field,
    seal_field,
)
from supervise.models.accounts import Account, Role
from supervise.models.audit import Outcome
from supervise.models.clinical import (
    Client,
    ConsentForm,
    ConsentParticipant,
    ConsentStatus,
    RecordingConsent,
    RetentionRule,
)
from supervise.models.database import session_scope
from supervise.services import audit, vault
from supervise.services.accounts import (
    UserSession,
    actor_for,
    authorize,
    roles_of,
)
from supervise.services.clients import _target as client_target
from supervise.services.clients import age_on, find_client
from supervise.services.context import ProgramContext
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
)
from supervise.services.policy import Action
from supervise.units import add_years

PURPOSES = ("clinical_record", "supervision", "training")
DISPOSITIONS = ("delete", "preserve")
EARLIEST = date(1990, 1, 1)
MIN_CIRCUMSTANCES, MAX_CIRCUMSTANCES = 10, 500
MAX_ACCESS = 12
MAX_PARTICIPANTS = 12
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
OPEN_STATES = (ConsentStatus.DRAFT, ConsentStatus.AWAITING_SIGNATURE)


@dataclass(frozen=True)
class ConsentTerms:
    """What a trainee chooses in the wizard; everything else is computed."""

    purposes: tuple[str, ...]
    disposition: str = "delete"
    circumstances: str = ""
    """For `preserve`: the circumstances in which recordings are kept."""
    include_supervisors: bool = True
    access: tuple[str, ...] = ()
    """Usernames of further accounts named on the form."""
    participants: tuple[str, ...] = ()
    """Case codes of the other clients in the sessions (couple, family, group)."""


@dataclass(frozen=True)
class SignatureLineSpec:
    """One signature line of a form, before names are filled in."""

    key: str
    label: str
    required: bool
    client_id: int | None = None
    """The client whose name the line prints (client, guardian, participant)."""


@dataclass(frozen=True)
class ConsentView:
    """A consent as lists and detail screens show it (no names)."""

    id: int
    case_code: str
    trainee: str
    version: int
    status: str
    purposes: tuple[str, ...]
    disposition: str
    jurisdiction: str
    all_party: bool
    minor: bool
    retention_years: int
    retain_minor_until: date | None
    include_supervisors: bool
    access: tuple[str, ...]
    participants: tuple[str, ...]
    storage_location: str
    verification_code: str
    created_at: datetime
    printed_at: datetime | None = None
    verbal_on: date | None = None
    verbal_by: str = ""
    signed_on: date | None = None
    signers: tuple[str, ...] = ()
    signed_by: str = ""
    has_scan: bool = False
    revoked_on: date | None = None
    revocation_received: str = ""
    revoked_by: str = ""
    supersedes_id: int | None = None
    lines: tuple[SignatureLineSpec, ...] = field(default=())
    recordings: int = 0
    can_edit: bool = False

    @property
    def label(self) -> str:
        """How a person names this form: `form 12 v2`."""
        return f"form {self.id} v{self.version}"

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready data."""

        def day(value: date | datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "case_code": self.case_code,
            "trainee": self.trainee,
            "version": self.version,
            "status": self.status,
            "purposes": list(self.purposes),
            "disposition": self.disposition,
            "jurisdiction": self.jurisdiction,
            "all_party": self.all_party,
            "minor": self.minor,
            "retention_years": self.retention_years,
            "retain_minor_until": day(self.retain_minor_until),
            "include_supervisors": self.include_supervisors,
            "access": list(self.access),
            "participants": list(self.participants),
            "storage_location": self.storage_location,
            "verification_code": self.verification_code,
            "created_at": day(self.created_at),
            "printed_at": day(self.printed_at),
            "verbal_on": day(self.verbal_on),
            "verbal_by": self.verbal_by or None,
            "signed_on": day(self.signed_on),
            "signers": list(self.signers),
            "signed_by": self.signed_by or None,
            "has_scan": self.has_scan,
            "revoked_on": day(self.revoked_on),
            "revocation_received": self.revocation_received or None,
            "revoked_by": self.revoked_by or None,
            "supersedes_id": self.supersedes_id,
            "signature_lines": [
                {"key": line.key, "label": line.label, "required": line.required}
                for line in self.lines
            ],
            "recordings": self.recordings,
        }


# --- checks ------------------------------------------------------------------


def check_purposes(values: Iterable[str]) -> tuple[str, ...]:
    """The purposes in canonical order, or refuse them.

    Raises:
        InvalidInput: None given, or one not known.
    """
    chosen = set()
    for value in values:
        name = value.strip().lower().replace("-", "_").replace(" ", "_")
        if name not in PURPOSES:
            raise InvalidInput(f"a purpose is one of: {', '.join(PURPOSES)}")
        chosen.add(name)
    if not chosen:
        raise InvalidInput(f"choose at least one purpose ({', '.join(PURPOSES)})")
    return tuple(p for p in PURPOSES if p in chosen)


def check_day(day: date, today: date, what: str) -> date:
    """A date not in the future nor before 1990.

    Raises:
        InvalidInput: Out of range.
    """
    if not EARLIEST <= day <= today:
        raise InvalidInput(
            f"the {what} date must be between {EARLIEST.isoformat()} and today"
        )
    return day


def _check_terms(terms: ConsentTerms) -> ConsentTerms:
    purposes = check_purposes(terms.purposes)
    disposition = terms.disposition.strip().lower()
    if disposition not in DISPOSITIONS:
        raise InvalidInput("on revocation, recordings are either deleted or preserved")
    circumstances = " ".join(terms.circumstances.split())
    if disposition == "preserve":
        if not (
            MIN_CIRCUMSTANCES <= len(circumstances) <= MAX_CIRCUMSTANCES
            and circumstances.isprintable()
        ):
            raise InvalidInput(
                "to preserve recordings on revocation, state the circumstances "
                f"in {MIN_CIRCUMSTANCES} to {MAX_CIRCUMSTANCES} printable characters"
            )
    else:
        circumstances = ""
    if "supervision" in purposes and not terms.include_supervisors:
        raise InvalidInput(
            "supervision is a purpose, so the assigned supervisors must have access"
        )
    if len(terms.access) > MAX_ACCESS or len(terms.participants) > MAX_PARTICIPANTS:
        raise InvalidInput(
            f"a form names at most {MAX_ACCESS} further accounts and "
            f"{MAX_PARTICIPANTS} participants"
        )
    return replace(
        terms,
        purposes=purposes,
        disposition=disposition,
        circumstances=circumstances,
        access=tuple(dict.fromkeys(a.strip() for a in terms.access if a.strip())),
        participants=tuple(
            dict.fromkeys(p.strip().upper() for p in terms.participants if p.strip())
        ),
    )


def new_code() -> str:
    """A fresh verification code, like `K7QD-3MXA` (40 random bits)."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


# --- reading -----------------------------------------------------------------


def series(session: Session, client_id: int) -> list[ConsentForm]:
    """Every version of a client's consent, oldest first."""
    return list(
        session.exec(
            select(ConsentForm)
            .where(ConsentForm.client_id == client_id)
            .order_by(col(ConsentForm.version))
        )
    )


def active_consent(session: Session, client_id: int) -> ConsentForm | None:
    """The client's consent in force (signed, not revoked), if any."""
    return session.exec(
        select(ConsentForm).where(
            ConsentForm.client_id == client_id,
            ConsentForm.status == ConsentStatus.ACTIVE,
        )
    ).first()


def participant_ids(session: Session, consent_id: int) -> list[int]:
    """The client ids named as participants on a consent."""
    return list(
        session.exec(
            select(ConsentParticipant.client_id)
            .where(ConsentParticipant.consent_id == consent_id)
            .order_by(col(ConsentParticipant.id))
        )
    )


def access_ids(consent: ConsentForm) -> list[int]:
    """The further accounts named on a consent."""
    return [int(part) for part in consent.access_ids.split(",") if part]


def purposes_of(consent: ConsentForm) -> tuple[str, ...]:
    """A consent's purposes as a tuple."""
    return tuple(p for p in consent.purposes.split(",") if p)


def signature_lines(
    session: Session, consent: ConsentForm
) -> tuple[SignatureLineSpec, ...]:
    """The form's signature lines: who signs, and which lines are required.

    A minor's parent or guardian signs (the minor's own line is optional
    assent). In an all-party jurisdiction every participant signs this form
    too. The trainee always signs; the supervisor's line is optional.
    """
    lines = []
    if consent.minor:
        lines.append(
            SignatureLineSpec("guardian", "Parent or guardian", True, consent.client_id)
        )
        lines.append(
            SignatureLineSpec(
                "client", "Client (assent, optional)", False, consent.client_id
            )
        )
    else:
        lines.append(SignatureLineSpec("client", "Client", True, consent.client_id))
    if consent.all_party:
        assert consent.id is not None
        for client_id in participant_ids(session, consent.id):
            other = session.get(Client, client_id)
            code = other.case_code if other else "?"
            label = f"Participant {code}"
            if other is not None and other.is_minor:
                label += " (or parent or guardian)"
            lines.append(
                SignatureLineSpec(f"participant:{code}", label, True, client_id)
            )
    lines.append(SignatureLineSpec("trainee", "Trainee clinician", True))
    lines.append(SignatureLineSpec("supervisor", "Supervisor (optional)", False))
    return tuple(lines)


def _username(session: Session, account_id: int | None) -> str:
    if account_id is None:
        return ""
    account = session.get(Account, account_id)
    return account.username if account else "?"


def _recording_count(session: Session, consent_id: int) -> int:
    return len(
        session.exec(
            select(RecordingConsent.id).where(RecordingConsent.consent_id == consent_id)
        ).all()
    )


def view_of(
    session: Session, consent: ConsentForm, *, viewer_id: int | None = None
) -> ConsentView:
    """The view of one consent row."""
    assert consent.id is not None
    client = session.get(Client, consent.client_id)
    participants = []
    for client_id in participant_ids(session, consent.id):
        other = session.get(Client, client_id)
        participants.append(other.case_code if other else "?")
    return ConsentView(
        id=consent.id,
        case_code=client.case_code if client else "?",
        trainee=_username(session, consent.trainee_id),
        version=consent.version,
        status=str(consent.status),
        purposes=purposes_of(consent),
        disposition=consent.revocation_disposition,
        jurisdiction=consent.jurisdiction,
        all_party=consent.all_party,
        minor=consent.minor,
        retention_years=consent.retention_years or 0,
        retain_minor_until=consent.retain_minor_until,
        include_supervisors=consent.include_supervisors,
        access=tuple(_username(session, a) for a in access_ids(consent)),
        participants=tuple(participants),
        storage_location=consent.storage_location,
        verification_code=consent.verification_code,
        created_at=consent.created_at,
        printed_at=consent.printed_at,
        verbal_on=consent.verbal_on,
        verbal_by=_username(session, consent.verbal_by),
        signed_on=consent.signed_on,
        signers=tuple(s for s in consent.signers.split(",") if s),
        signed_by=_username(session, consent.signed_by),
        has_scan=consent.scan_sealed is not None,
        revoked_on=consent.revoked_on,
        revocation_received=consent.revocation_received,
        revoked_by=_username(session, consent.revoked_by),
        supersedes_id=consent.supersedes_id,
        lines=signature_lines(session, consent),
        recordings=_recording_count(session, consent.id),
        can_edit=viewer_id == consent.trainee_id and consent.status in OPEN_STATES,
    )


def load(session: Session, consent_id: int) -> ConsentForm:
    """The consent row, or refuse.

    Raises:
        NotFound: No such consent.
    """
    consent = session.get(ConsentForm, consent_id)
    if consent is None:
        raise NotFound(f"there is no consent form {consent_id}")
    return consent


def find(session: Session, reference: str) -> ConsentForm:
    """A consent by its id or by the verification code printed on the form.

    Raises:
        NotFound: No such consent.
    """
    text = reference.strip().upper()
    if text.isdigit():
        return load(session, int(text))
    consent = session.exec(
        select(ConsentForm).where(ConsentForm.verification_code == text)
    ).first()
    if consent is None:
        raise NotFound(f"no consent form has the id or check code {text or '(empty)'}")
    return consent


def authorize_consent(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    action: Action,
    consent: ConsentForm,
) -> None:
    authorize(
        session,
        ctx,
        user,
        action,
        owner_id=consent.trainee_id,
        object_type="consent",
        object_id=consent.id,
    )


def list_consents(
    ctx: ProgramContext, user: UserSession, case_code: str = ""
) -> list[ConsentView]:
    """The consents the caller may see, or one client's, newest version last.

    Trainees see their own clients', supervisors their supervisees', admins
    every one (metadata only: names stay sealed).

    Raises:
        NotFound: No such client.
        PermissionDenied: Not allowed to see that client's consents (audited).
    """
    with session_scope(ctx.engine) as session:
        actor = actor_for(session, ctx, user.account_id)
        query = select(ConsentForm)
        if case_code:
            client = find_client(session, case_code)
            authorize(
                session,
                ctx,
                user,
                Action.CONSENT_VIEW,
                owner_id=client.trainee_id,
                object_type="client",
                object_id=client.id,
            )
            query = query.where(ConsentForm.client_id == client.id)
        elif Role.ADMIN not in actor.roles:
            owners = set(actor.supervisees) if Role.SUPERVISOR in actor.roles else set()
            if Role.TRAINEE in actor.roles:
                owners.add(user.account_id)
            if not owners:
                authorize(
                    session, ctx, user, Action.CONSENT_VIEW, object_type="consent"
                )
            query = query.where(col(ConsentForm.trainee_id).in_(sorted(owners)))
        rows = session.exec(
            query.join(Client, col(Client.id) == col(ConsentForm.client_id)).order_by(
                col(Client.case_code), col(ConsentForm.version)
            )
        ).all()
        return [view_of(session, row, viewer_id=user.account_id) for row in rows]


def consent_detail(
    ctx: ProgramContext, user: UserSession, reference: str | int
) -> ConsentView:
    """One consent, by id or check code.

    Raises:
        NotFound, PermissionDenied (audited).
    """
    with session_scope(ctx.engine) as session:
        consent = find(session, str(reference))
        authorize_consent(session, ctx, user, Action.CONSENT_VIEW, consent)
        return view_of(session, consent, viewer_id=user.account_id)


# --- making and editing ------------------------------------------------------


def retention_for(
    session: Session, ctx: ProgramContext, jurisdiction: str
) -> tuple[int, int, int]:
    """(adult years, minors' years after majority, age of majority)."""
    rule = session.get(RetentionRule, jurisdiction)
    if rule is None:
        return ctx.settings.retention_years, ctx.settings.retention_years, 18
    return rule.adult_years, rule.minor_years, rule.age_of_majority


def minor_keep_until(
    born: date, today: date, majority: int, minor_years: int
) -> date | None:
    """For a client under the age of majority today, the date before which
    their recordings are not destroyed (majority plus the state's years for
    minors); None for an adult."""
    if age_on(born, today) >= majority:
        return None
    return add_years(born, majority + minor_years)


def _resolve_access(session: Session, names: Sequence[str], owner_id: int) -> list[int]:
    ids = []
    for name in names:
        account = session.exec(select(Account).where(Account.username == name)).first()
        if account is None or account.disabled_at is not None or account.id is None:
            raise InvalidInput(
                f"there is no active account {name!r} to name on the form"
            )
        if account.id == owner_id:
            continue  # the trainee is always on the form
        if not ({Role.SUPERVISOR, Role.TRAINEE} & roles_of(session, account.id)):
            raise InvalidInput(
                f"{name} cannot be given access: only supervisors and trainees can"
            )
        ids.append(account.id)
    return ids


def _resolve_participants(
    session: Session, codes: Sequence[str], client: Client
) -> list[Client]:
    found = []
    for code in codes:
        other = find_client(session, code)
        if other.id == client.id:
            raise InvalidInput("the client is not a participant in their own consent")
        if other.trainee_id != client.trainee_id:
            raise InvalidInput(
                f"participant {other.case_code} is not a client of the same trainee"
            )
        found.append(other)
    return found


def open_client_keys(
    session: Session, ctx: ProgramContext, user: UserSession, client: Client
) -> ObjectKeys:
    return vault.open_for_user(session, ctx, user, client_target(client))


def _apply_terms(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    consent: ConsentForm,
    client: Client,
    terms: ConsentTerms,
) -> None:
    """Write the chosen terms (and the participants) onto a consent row."""
    assert consent.id is not None
    consent.purposes = ",".join(terms.purposes)
    consent.revocation_disposition = terms.disposition
    consent.include_supervisors = terms.include_supervisors
    consent.access_ids = ",".join(
        str(i) for i in _resolve_access(session, terms.access, client.trainee_id)
    )
    others = _resolve_participants(session, terms.participants, client)
    for row in session.exec(
        select(ConsentParticipant).where(ConsentParticipant.consent_id == consent.id)
    ):
        session.delete(row)
    session.flush()
    for other in others:
        assert other.id is not None
        session.add(ConsentParticipant(consent_id=consent.id, client_id=other.id))
    if terms.circumstances:
        keys = open_client_keys(session, ctx, user, client)
        consent.terms_sealed = seal_field(
            keys, f"consent.{consent.id}.terms", terms.circumstances.encode("utf-8")
        )
    else:
        consent.terms_sealed = None
    consent.verification_code = new_code()
    session.add(consent)


def _retention_fields(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    client: Client,
) -> tuple[bool, int, date | None, bool]:
    """(minor, adult years, keep-a-minor's-records-until, all-party)."""
    from supervise.services.clients import unseal_identity

    adult_years, minor_years, majority = retention_for(
        session, ctx, client.jurisdiction
    )
    rule = session.get(RetentionRule, client.jurisdiction)
    all_party = bool(rule and rule.all_party_consent)
    keys = open_client_keys(session, ctx, user, client)
    born = unseal_identity(ctx, user.who, client, keys).date_of_birth
    until = minor_keep_until(born, ctx.now().date(), majority, minor_years)
    return until is not None, adult_years, until, all_party


def new_consent(
    ctx: ProgramContext, user: UserSession, case_code: str, terms: ConsentTerms
) -> ConsentView:
    """Draft a consent for one of the caller's clients (a new version if one
    is in force: it must be printed and signed again).

    Raises:
        NotFound: No such client or participant.
        PermissionDenied: Not the client's trainee (audited).
        InvalidInput: Bad terms.
        Conflict: A draft or unsigned version exists already: edit that one.
    """
    terms = _check_terms(terms)
    with session_scope(ctx.engine) as session:
        client = find_client(session, case_code)
        authorize(
            session,
            ctx,
            user,
            Action.CONSENT_EDIT,
            owner_id=client.trainee_id,
            object_type="client",
            object_id=client.id,
        )
        assert client.id is not None
        versions = series(session, client.id)
        pending = [c for c in versions if c.status in OPEN_STATES]
        if pending:
            raise Conflict(
                f"client {client.case_code} has an unsigned consent "
                f"(form {pending[-1].id} v{pending[-1].version}): edit that one"
            )
        active = active_consent(session, client.id)
        minor, years, until, all_party = _retention_fields(session, ctx, user, client)
        consent = ConsentForm(
            client_id=client.id,
            trainee_id=client.trainee_id,
            version=(versions[-1].version + 1) if versions else 1,
            supersedes_id=active.id if active else None,
            jurisdiction=client.jurisdiction,
            all_party=all_party,
            minor=minor,
            retention_years=years,
            retain_minor_until=until,
            storage_location=ctx.settings.resolved_storage_location,
            created_at=ctx.now(),
        )
        session.add(consent)
        session.flush()
        _apply_terms(session, ctx, user, consent, client, terms)
        audit.record(
            session,
            ctx,
            user.who,
            "consent.create",
            object_type="consent",
            object_id=consent.id,
            reason=f"v{consent.version}",
        )
        session.commit()
        return view_of(session, consent, viewer_id=user.account_id)


def edit_consent(
    ctx: ProgramContext, user: UserSession, consent_id: int, terms: ConsentTerms
) -> ConsentView:
    """Change an unsigned consent's terms. A printed one goes back to draft
    with a new check code: the paper copy no longer matches.

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput,
        Conflict: The consent is signed, revoked or expired.
    """
    terms = _check_terms(terms)
    with session_scope(ctx.engine) as session:
        consent = load(session, consent_id)
        authorize_consent(session, ctx, user, Action.CONSENT_EDIT, consent)
        if consent.status not in OPEN_STATES:
            raise Conflict(
                f"form {consent.id} is {status_words(consent)}: a signed consent "
                "is changed by making a new version (`consent new`)"
            )
        client = session.get(Client, consent.client_id)
        assert client is not None
        _apply_terms(session, ctx, user, consent, client, terms)
        consent.status = ConsentStatus.DRAFT
        consent.printed_at = None
        audit.record(
            session,
            ctx,
            user.who,
            "consent.edit",
            object_type="consent",
            object_id=consent.id,
        )
        session.commit()
        return view_of(session, consent, viewer_id=user.account_id)


def circumstances(
    session: Session, ctx: ProgramContext, user: UserSession, consent: ConsentForm
) -> str:
    """The sealed circumstances of preservation, opened with the client key.

    Raises:
        PermissionDenied, vault.KeyTampered (audited).
    """
    if consent.terms_sealed is None:
        return ""
    client = session.get(Client, consent.client_id)
    assert client is not None
    keys = open_client_keys(session, ctx, user, client)
    try:
        return open_field(
            keys, f"consent.{consent.id}.terms", consent.terms_sealed
        ).decode("utf-8")
    except (SealedFieldError, UnicodeDecodeError):
        raise tampered(ctx, user, consent, "terms") from None


def tampered(
    ctx: ProgramContext, user: UserSession, consent: ConsentForm, what: str
) -> vault.KeyTampered:
    audit.record_alone(
        ctx,
        user.who,
        "consent.view",
        object_type="consent",
        object_id=consent.id,
        outcome=Outcome.ERROR,
        reason=f"sealed-{what}-tampered",
    )
    return vault.KeyTampered(
        f"the sealed {what} of form {consent.id} does not open: it has been "
        "altered or moved; the attempt is on the audit record"
    )


def status_words(consent: ConsentForm) -> str:
    return str(consent.status).replace("_", " ")


def terms_of(
    ctx: ProgramContext, user: UserSession, reference: str | int
) -> ConsentTerms:
    """The terms a consent was made with, the sealed circumstances opened, so
    that a person can change them (the wizard's edit and new version).

    Raises:
        NotFound, PermissionDenied (audited), vault.KeyTampered.
    """
    with session_scope(ctx.engine) as session:
        consent = find(session, str(reference))
        authorize_consent(session, ctx, user, Action.CONSENT_EDIT, consent)
        view = view_of(session, consent)
        return ConsentTerms(
            purposes=view.purposes,
            disposition=view.disposition,
            circumstances=circumstances(session, ctx, user, consent),
            include_supervisors=view.include_supervisors,
            access=view.access,
            participants=view.participants,
        )
