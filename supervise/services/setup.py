"""Creating a program (`init`) and the throwaway demo program (`demo`)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from supervise.crypto import passwords
from supervise.crypto.hostsecrets import (
    HostSecrets,
    HostSecretsError,
    write_host_secrets,
)
from supervise.crypto.offline import OfflineKeyError, write_offline_key
from supervise.logsafe import safe_summary
from supervise.models.accounts import Role, Supervision, SupervisionKind
from supervise.models.base import utcnow
from supervise.models.database import (
    SchemaError,
    current_revision,
    make_engine,
    migrate,
    session_scope,
)
from supervise.models.program import Program
from supervise.services import audit
from supervise.services.accounts import (
    UserSession,
    check_username,
    insert_account,
    roles_code,
)
from supervise.services.context import Clock, ProgramContext, prepare_home
from supervise.services.errors import Conflict, InvalidInput, ServiceError
from supervise.services.rules import seed_rules
from supervise.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitRequest:
    """What `init` needs to create a program."""

    program_name: str
    admin_username: str
    admin_password: str
    escrow_key_file: Path
    recovery_key_file: Path
    admin_full_name: str = ""
    jurisdiction: str = ""


def _validate(request: InitRequest, settings: Settings) -> None:
    name = request.program_name.strip()
    if not name or len(name) > 200 or not name.isprintable():
        raise InvalidInput("the program name must be 1 to 200 printable characters")
    check_username(request.admin_username)
    try:
        passwords.check_password_policy(
            request.admin_password,
            request.admin_username,
            settings.min_password_length,
        )
    except passwords.PasswordPolicyError as exc:
        raise InvalidInput(str(exc)) from None
    jur = request.jurisdiction
    if jur and not (len(jur) == 2 and jur.isalpha() and jur.isupper()):
        raise InvalidInput("the jurisdiction is a two-letter state code, like CA")
    if request.escrow_key_file.resolve() == request.recovery_key_file.resolve():
        raise InvalidInput("the escrow and recovery keys need two different files")
    for path in (request.escrow_key_file, request.recovery_key_file):
        if path.exists():
            raise Conflict(f"{path} exists already; name a new file")
        if not path.parent.is_dir():
            raise InvalidInput(f"the folder {path.parent} does not exist")


def init_program(
    settings: Settings, request: InitRequest, clock: Clock = utcnow
) -> ProgramContext:
    """Create the database, host secrets, offline keys and first admin.

    Nothing is left behind if it fails part-way: files it wrote are removed.

    Raises:
        InvalidInput, Conflict: Bad values, or a program exists here already.
    """
    prepare_home(settings)
    _validate(request, settings)
    engine = make_engine(settings.resolved_database_url, create=True)
    try:
        existing = current_revision(engine)
    except SchemaError as exc:
        engine.dispose()
        raise ServiceError(str(exc)) from None
    if existing is not None:
        engine.dispose()
        raise Conflict(f"a program exists already in {settings.home}")
    secrets_path = settings.resolved_secrets_file
    created: list[Path] = []
    try:
        secrets = HostSecrets.generate()
        write_host_secrets(secrets_path, secrets)
        created.append(secrets_path)
        escrow = write_offline_key(
            request.escrow_key_file, "escrow", request.program_name
        )
        created.append(request.escrow_key_file)
        recovery = write_offline_key(
            request.recovery_key_file, "recovery", request.program_name
        )
        created.append(request.recovery_key_file)
        migrate(engine)
        ctx = ProgramContext(settings, engine, secrets, clock)
        _first_rows(ctx, request, escrow, recovery)
    except (HostSecretsError, OfflineKeyError) as exc:
        _undo(created, engine)
        raise Conflict(str(exc)) from None
    except BaseException:
        _undo(created, engine)
        raise
    return ctx


def _first_rows(
    ctx: ProgramContext, request: InitRequest, escrow: bytes, recovery: bytes
) -> None:
    with session_scope(ctx.engine) as session:
        program = Program(
            name=request.program_name.strip(),
            jurisdiction=request.jurisdiction,
            escrow_public_key=escrow,
            recovery_public_key=recovery,
            host_secrets_id=ctx.secrets.fingerprint,
        )
        session.add(program)
        audit.create_head(session, ctx)
        seed_rules(session)
        session.flush()
        audit.record(
            session,
            ctx,
            audit.SYSTEM,
            "program.init",
            object_type="program",
            object_id=program.id,
        )
        admin = insert_account(
            session,
            ctx,
            request.admin_username,
            request.admin_full_name,
            frozenset({Role.ADMIN}),
            request.admin_password,
            must_change=False,
        )
        audit.record(
            session,
            ctx,
            audit.SYSTEM,
            "account.create",
            object_type="account",
            object_id=admin.id,
            reason="admin",
        )


def _undo(created: list[Path], engine: Engine) -> None:
    """Remove what a failed `init` made: its files and its tables."""
    for path in created:
        path.unlink(missing_ok=True)
    try:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    except Exception as exc:  # the first failure is the one to report
        log.error("could not remove a partly created schema: %s", safe_summary(exc))
    engine.dispose()


# --- the demo program --------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    """A sample login, printed by `supervise demo` and listed in the README."""

    username: str
    password: str
    roles: tuple[str, ...]
    full_name: str = ""

    def as_json(self) -> dict[str, object]:
        """The form `demo --json` prints."""
        return {
            "username": self.username,
            "password": self.password,
            "roles": list(self.roles),
        }


DEMO_ACCOUNTS = (
    DemoAccount("dana", "cobalt-harbor-41", ("admin",), "Dana Whitfield"),
    DemoAccount("audrey", "quiet-ledger-73", ("auditor",), "Audrey Nakamura"),
    DemoAccount("sam", "maple-review-28", ("supervisor",), "Dr. Samuel Okafor"),
    DemoAccount("sofia", "river-feedback-64", ("supervisor",), "Dr. Sofía Herrera"),
    DemoAccount("tara", "lantern-session-19", ("trainee",), "Tara Lindqvist"),
    DemoAccount("theo", "orchid-practice-52", ("trainee",), "Théo Marchand"),
    DemoAccount("tomas", "granite-consent-86", ("trainee",), "Tomás Ruiz"),
)
DEMO_PAIRS = (
    ("sam", "tara", "individual"),
    ("sam", "theo", "individual"),
    ("sofia", "tomas", "individual"),
    ("sofia", "tara", "group"),
)


@dataclass
class DemoProgram:
    """The seeded demo: where it lives and who can log in."""

    context: ProgramContext
    accounts: list[DemoAccount] = field(default_factory=list)


def seed_demo(
    settings: Settings, clock: Clock = utcnow, *, supervision: bool = True
) -> DemoProgram:
    """Create a sample program in an empty home folder.

    With `supervision`, sam has signed off a review of tara's first
    recording and the hours log has two entries; without, nothing has been
    reviewed or logged yet (the test suite's starting point).

    The offline keys go to `offline-keys/` inside the demo home, which is
    acceptable only because the demo is throwaway.

    Raises:
        Conflict: The home holds a program already.
    """
    keys_dir = settings.home / "offline-keys"
    prepare_home(settings)
    keys_dir.mkdir(mode=0o700, exist_ok=True)
    admin, *others = DEMO_ACCOUNTS
    ctx = init_program(
        settings,
        InitRequest(
            program_name="Riverside Counselling Training Clinic (demo)",
            admin_username=admin.username,
            admin_password=admin.password,
            admin_full_name=admin.full_name,
            escrow_key_file=keys_dir / "escrow.key",
            recovery_key_file=keys_dir / "recovery.key",
            jurisdiction="CA",
        ),
        clock,
    )
    with session_scope(ctx.engine) as session:
        ids: dict[str, int] = {}
        for sample in others:
            roles = frozenset(Role(r) for r in sample.roles)
            account = insert_account(
                session,
                ctx,
                sample.username,
                sample.full_name,
                roles,
                sample.password,
                must_change=False,
            )
            assert account.id is not None
            ids[sample.username] = account.id
            audit.record(
                session,
                ctx,
                audit.SYSTEM,
                "account.create",
                object_type="account",
                object_id=account.id,
                reason=roles_code(roles),
            )
        today = ctx.now().date()
        for sup, trainee, kind in DEMO_PAIRS:
            pair = Supervision(
                supervisor_id=ids[sup],
                trainee_id=ids[trainee],
                kind=SupervisionKind(kind),
                started_on=today,
            )
            session.add(pair)
            session.flush()
            audit.record(
                session,
                ctx,
                audit.SYSTEM,
                "pair.create",
                object_type="pair",
                object_id=pair.id,
            )
    _seed_clinical(ctx, supervision=supervision)
    return DemoProgram(ctx, list(DEMO_ACCOUNTS))


DEMO_CLIENTS = (
    # trainee, case code, name, date of birth, guardian, jurisdiction
    ("tara", "C-1001", "Maya Fenwick", date(1991, 5, 14), "", ""),
    ("tara", "C-1002", "Jordan Ellery", date(2011, 9, 2), "Pat Ellery", ""),
    ("tara", "C-1003", "Noor Haddad", date(1988, 3, 21), "", ""),
    ("tara", "C-1004", "Élise Haddad", date(1990, 7, 9), "", ""),
    ("theo", "C-2001", "Ruth Abernathy", date(1978, 1, 30), "", ""),
    ("theo", "C-2002", "Nguyễn Thị Hồng", date(1995, 12, 2), "", "NY"),
    ("tomas", "C-3001", "Luis Ocampo", date(1986, 11, 8), "", ""),
    ("tomas", "C-3002", "Zoë Ångström", date(2000, 2, 29), "", "IL"),
)
"""Fictional sample clients; the names exist only in sealed form."""

ALL_PURPOSES = ("clinical_record", "supervision", "training")
SUPERVISION = ("clinical_record", "supervision")


def _seed_clinical(ctx: ProgramContext, *, supervision: bool) -> None:
    """Sample clients with consents in every state, and recordings.

    tara: C-1001 active (a recording), C-1002 a minor awaiting the guardian's
    signature (verbal consent logged), C-1003 and C-1004 a couple, both
    active (a couple session). theo: C-2001 amended (v1 expired, v2 active
    with training), C-2002 a New York draft. tomas: C-3001 revoked, C-3002 an
    Illinois client, active with preservation on revocation.
    """
    from supervise.services import accounts, clients

    users = {
        name: accounts.login(ctx, name, _demo_password(name))
        for name in ("tara", "theo", "tomas")
    }
    for trainee, code, name, born, guardian, state in DEMO_CLIENTS:
        identity = clients.ClientIdentity(name, born, guardian, "")
        clients.add_client(ctx, users[trainee], code, identity, state)
    reviewed = _seed_consents(ctx, users)
    if supervision:
        _seed_supervision(ctx, users["tara"], reviewed)
    for user in users.values():
        accounts.logoff(ctx, user)


def _demo_password(username: str) -> str:
    return next(a.password for a in DEMO_ACCOUNTS if a.username == username)


def _signed(
    ctx: ProgramContext,
    user: UserSession,
    code: str,
    terms: object,
    on: date,
) -> int:
    """Draft, print and sign a consent with every line; return its id."""
    from supervise.services import consent_signing, consents

    assert isinstance(terms, consents.ConsentTerms)
    view = consents.new_consent(ctx, user, code, terms)
    consent_signing.mark_printed(ctx, user, view.id)
    keys = [line.key for line in view.lines]
    consent_signing.sign(ctx, user, view.id, on=on, lines=keys)
    return view.id


def _seed_consents(ctx: ProgramContext, users: dict[str, UserSession]) -> int:
    """Consents in every state and three recordings; returns the id of
    tara's C-1001 recording, which the demo's supervisor reviews."""
    from supervise.services import consent_signing, consents, recordings, revocation

    terms = consents.ConsentTerms
    today = ctx.now().date()
    tara, theo, tomas = users["tara"], users["theo"], users["tomas"]
    _signed(ctx, tara, "C-1001", terms(ALL_PURPOSES), today)
    minor = consents.new_consent(ctx, tara, "C-1002", terms(SUPERVISION))
    consent_signing.mark_printed(ctx, tara, minor.id)
    consent_signing.record_verbal(ctx, tara, minor.id, today)
    _signed(ctx, tara, "C-1004", terms(SUPERVISION), today)
    _signed(ctx, tara, "C-1003", terms(SUPERVISION, participants=("C-1004",)), today)
    _signed(ctx, theo, "C-2001", terms(SUPERVISION), today)
    _signed(ctx, theo, "C-2001", terms(ALL_PURPOSES), today)
    consents.new_consent(ctx, theo, "C-2002", terms(SUPERVISION))
    revoked = _signed(ctx, tomas, "C-3001", terms(SUPERVISION), today)
    revocation.revoke(ctx, tomas, revoked, on=today, received="in_person")
    preserve = terms(
        SUPERVISION,
        disposition="preserve",
        circumstances="Kept for the clinical record only, until the retention date.",
    )
    _signed(ctx, tomas, "C-3002", preserve, today)
    sample = ctx.settings.home / f".demo-tone-{os.getpid()}.wav"
    try:
        write_demo_tone(sample)
        first = recordings.import_recording(
            ctx, tara, sample, "C-1001", session_date=today - timedelta(days=3)
        )
        recordings.import_recording(
            ctx,
            tara,
            sample,
            "C-1003",
            session_date=today - timedelta(days=2),
            participants=("C-1004",),
        )
        recordings.import_recording(
            ctx, tomas, sample, "C-3002", session_date=today - timedelta(days=1)
        )
    finally:
        sample.unlink(missing_ok=True)
    return first.id


DEMO_REVIEW = (
    (1.5, "Warm opening; you named the time boundary clearly."),
    (4.0, "Try reflecting the feeling here before the next question."),
)
DEMO_RATINGS = {"alliance": 4, "listening": 4, "empathy": 3, "risk": None}


def _seed_supervision(ctx: ProgramContext, tara: UserSession, recording: int) -> None:
    """sam signs off a review of tara's C-1001 session (tara sees new
    feedback) and logs the hour, co-signed; the couple session waits in his
    queue; tara logs an hour of group supervision with sofia, awaiting her
    co-sign."""
    from supervise.services import accounts, hours, reviews

    sam = accounts.login(ctx, "sam", _demo_password("sam"))
    try:
        for at, text in DEMO_REVIEW:
            reviews.add_comment(ctx, sam, recording, at, text)
        reviews.set_ratings(ctx, sam, recording, DEMO_RATINGS)
        reviews.set_feedback(
            ctx,
            sam,
            recording,
            "A steady first session. Next time, slow down after the client "
            "names a feeling and stay with it.",
        )
        review = reviews.sign_off(ctx, sam, recording)
        assert review.id is not None
        hours.log_from_review(ctx, sam, review.id, 60)
    finally:
        accounts.logoff(ctx, sam)
    hours.log_hours(ctx, tara, "sofia", ctx.now().date(), 90, "group")


def write_demo_tone(path: Path, seconds: int = 6, rate: int = 8000) -> None:
    """A short synthetic WAV (a soft two-note chime) to stand in for a session."""
    import math
    import struct
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = bytearray()
        for i in range(seconds * rate):
            t = i / rate
            note = 440.0 if int(t) % 2 == 0 else 523.25
            fade = 1.0 - (t % 1.0)
            value = 0.25 * fade * math.sin(2 * math.pi * note * t)
            frames += struct.pack("<h", int(value * 32767))
        out.writeframes(bytes(frames))


__all__ = [
    "DEMO_ACCOUNTS",
    "DemoAccount",
    "InitRequest",
    "ServiceError",
    "init_program",
    "seed_demo",
]
