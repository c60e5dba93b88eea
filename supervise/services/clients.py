"""Clients: a case code in clear, the identity sealed under a per-client key.

The identity (name, date of birth, guardian, contact) is one sealed field
under the client's own key, which is granted to the trainee who added the
client, that trainee's supervisors and the program's escrow key, the same way
as a recording's. A stolen database shows case codes, jurisdictions, minor
status and dates; never a name.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from supervise.crypto.recording_keys import ObjectKeys, keystore_entry, new_object_keys
from supervise.crypto.sealedfields import SealedFieldError, open_field, seal_field
from supervise.crypto.sealing import ObjectKind
from supervise.models.accounts import Account, Role
from supervise.models.audit import Outcome
from supervise.models.clinical import Client, RetentionRule
from supervise.models.database import session_scope
from supervise.services import audit, vault
from supervise.services.accounts import (
    UserSession,
    actor_for,
    authorize,
    named_trainee,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, InvalidInput, NotFound
from supervise.services.policy import Action, decide

IDENTITY_FIELD = "client.identity"
CASE_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,31}")
STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
    ]
)
"""US states, the District of Columbia and the territories."""
DEFAULT_AGE_OF_MAJORITY = 18
_MAX_TEXT = 200


@dataclass(frozen=True, repr=False)
class ClientIdentity:
    """Who a client is: the part that is never stored in clear."""

    name: str
    date_of_birth: date
    guardian: str = ""
    contact: str = ""

    def __repr__(self) -> str:
        return "ClientIdentity(<sealed>)"

    def encode(self) -> bytes:
        """The identity as the bytes that are sealed."""
        return json.dumps(
            {
                "name": self.name,
                "date_of_birth": self.date_of_birth.isoformat(),
                "guardian": self.guardian,
                "contact": self.contact,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def decode(cls, raw: bytes) -> ClientIdentity:
        """Read back what `encode` made."""
        data = json.loads(raw.decode("utf-8"))
        return cls(
            data["name"],
            date.fromisoformat(data["date_of_birth"]),
            data.get("guardian", ""),
            data.get("contact", ""),
        )


@dataclass(frozen=True)
class ClientView:
    """A client as lists show it; `identity` only when the caller opened it."""

    id: int
    uid: str
    case_code: str
    trainee: str
    jurisdiction: str
    is_minor: bool
    created_at: datetime
    identity: ClientIdentity | None = None

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready data (the identity only if it was opened)."""
        data: dict[str, object] = {
            "id": self.id,
            "case_code": self.case_code,
            "trainee": self.trainee,
            "jurisdiction": self.jurisdiction,
            "is_minor": self.is_minor,
            "created_at": self.created_at.isoformat(),
        }
        if self.identity is not None:
            data.update(
                name=self.identity.name,
                date_of_birth=self.identity.date_of_birth.isoformat(),
                guardian=self.identity.guardian,
                contact=self.identity.contact,
            )
        return data


def check_case_code(code: str) -> str:
    """The case code in canonical (upper-case) form, or refuse it.

    Raises:
        InvalidInput: Not 2 to 32 letters, digits and hyphens.
    """
    canonical = code.strip().upper()
    if CASE_CODE_RE.fullmatch(canonical) is None:
        raise InvalidInput(
            "a case code is 2 to 32 letters, digits and hyphens, like C-1042; "
            "never a name or initials that identify the client"
        )
    return canonical


def check_jurisdiction(code: str) -> str:
    """A two-letter US state or territory code, upper-case.

    Raises:
        InvalidInput: Not a known code.
    """
    canonical = code.strip().upper()
    if canonical not in STATES:
        raise InvalidInput("the jurisdiction is a two-letter US state code, like CA")
    return canonical


def _clean_text(value: str, what: str, *, required: bool) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise InvalidInput(f"the client's {what} is required")
    if len(text) > _MAX_TEXT or not all(ch.isprintable() for ch in text):
        raise InvalidInput(
            f"the client's {what} is at most {_MAX_TEXT} printable characters"
        )
    return text


def check_identity(identity: ClientIdentity, today: date) -> ClientIdentity:
    """The identity with its text tidied, or refuse it.

    Raises:
        InvalidInput: A missing name, unprintable text, or a date of birth in
            the future or before 1900.
    """
    born = identity.date_of_birth
    if not date(1900, 1, 1) <= born <= today:
        raise InvalidInput("the date of birth must be between 1900-01-01 and today")
    return ClientIdentity(
        _clean_text(identity.name, "name", required=True),
        born,
        _clean_text(identity.guardian, "guardian", required=False),
        _clean_text(identity.contact, "contact", required=False),
    )


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`."""
    years = day.year - born.year
    return years - ((day.month, day.day) < (born.month, born.day))


def age_of_majority(session: Session, jurisdiction: str) -> int:
    """The jurisdiction's age of majority from the retention rules, else 18."""
    rule = session.get(RetentionRule, jurisdiction)
    return rule.age_of_majority if rule is not None else DEFAULT_AGE_OF_MAJORITY


def _target(client: Client, action: Action = Action.CLIENT_VIEW) -> vault.Sealed:
    assert client.id is not None
    return vault.Sealed(
        ObjectKind.CLIENT, client.id, client.uid, client.trainee_id, action
    )


def add_client(
    ctx: ProgramContext,
    user: UserSession,
    case_code: str,
    identity: ClientIdentity,
    jurisdiction: str = "",
) -> ClientView:
    """Add a client of the calling trainee, with the identity sealed.

    Args:
        ctx: The program.
        user: A trainee.
        case_code: The program's case code for the client (shown in clear).
        identity: Name, date of birth, guardian, contact (sealed).
        jurisdiction: US state; empty means the program's.

    Raises:
        PermissionDenied: Not a trainee (audited).
        InvalidInput: A malformed field.
        Conflict: The case code is taken.
    """
    code = check_case_code(case_code)
    today = ctx.now().date()
    identity = check_identity(identity, today)
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.CLIENT_CREATE,
            owner_id=user.account_id,
            object_type="client",
        )
        state = check_jurisdiction(
            jurisdiction or vault.program_row(session).jurisdiction
        )
        if session.exec(select(Client).where(Client.case_code == code)).first():
            raise Conflict(f"the case code {code} is taken: choose another")
        trainee = session.get(Account, user.account_id)
        assert trainee is not None
        uid = str(uuid.uuid4())
        keys = new_object_keys(ObjectKind.CLIENT, uid)
        client = Client(
            uid=uid,
            case_code=code,
            trainee_id=user.account_id,
            jurisdiction=state,
            is_minor=age_on(identity.date_of_birth, today)
            < age_of_majority(session, state),
            identity_sealed=seal_field(keys, IDENTITY_FIELD, identity.encode()),
            created_at=ctx.now(),
        )
        session.add(client)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"the case code {code} is taken: choose another") from None
        assert client.id is not None
        vault.grant_initial(session, ctx, keys, client.id, trainee)
        ctx.keystore.put(
            ObjectKind.CLIENT, uid, keystore_entry(keys, ctx.secrets.keystore_key)
        )
        try:
            audit.record(
                session,
                ctx,
                user.who,
                "client.create",
                object_type="client",
                object_id=client.id,
            )
            session.commit()
        except BaseException:
            session.rollback()
            ctx.keystore.destroy(ObjectKind.CLIENT, uid)
            raise
        return _view(session, client, identity)


def _view(
    session: Session, client: Client, identity: ClientIdentity | None = None
) -> ClientView:
    assert client.id is not None
    trainee = session.get(Account, client.trainee_id)
    return ClientView(
        client.id,
        client.uid,
        client.case_code,
        trainee.username if trainee else "?",
        client.jurisdiction,
        client.is_minor,
        client.created_at,
        identity,
    )


def visible_clients_query(session: Session, ctx: ProgramContext, user: UserSession):  # type: ignore[no-untyped-def]
    """The clients the caller may list: their own, or their supervisees'."""
    actor = actor_for(session, ctx, user.account_id)
    owners = set(actor.supervisees) if Role.SUPERVISOR in actor.roles else set()
    if Role.TRAINEE in actor.roles:
        owners.add(user.account_id)
    return select(Client).where(col(Client.trainee_id).in_(sorted(owners)))


def list_clients(
    ctx: ProgramContext,
    user: UserSession,
    *,
    reveal: bool = False,
    trainee: str | None = None,
) -> list[ClientView]:
    """The caller's clients (a trainee's own, a supervisor's supervisees').

    With `reveal`, each identity the caller can open is opened and each
    opening is audited as `client.view`. Naming a `trainee` the caller may
    not see is refused, not answered with an empty list.

    Raises:
        PermissionDenied: Neither a trainee nor a supervisor, or `trainee`
            is not the caller's (audited).
        NotFound: No account named `trainee`.
    """
    with session_scope(ctx.engine) as session:
        actor = actor_for(session, ctx, user.account_id)
        if not ({Role.TRAINEE, Role.SUPERVISOR} & actor.roles):
            authorize(session, ctx, user, Action.CLIENT_VIEW, object_type="client")
        query = visible_clients_query(session, ctx, user)
        if trainee is not None:
            owner = named_trainee(session, ctx, user, trainee, Action.CLIENT_VIEW)
            query = query.where(Client.trainee_id == owner)
        clients = session.exec(query.order_by(col(Client.case_code))).all()
        views = []
        for client in clients:
            identity = None
            if reveal and decide(actor, Action.CLIENT_VIEW, client.trainee_id).allowed:
                identity = _open_identity(session, ctx, user, client, quiet=True)
            views.append(_view(session, client, identity))
        session.commit()
        return views


def find_client(session: Session, case_code: str) -> Client:
    """The client with this case code.

    Raises:
        NotFound: No such client.
    """
    code = case_code.strip().upper()
    client = session.exec(select(Client).where(Client.case_code == code)).first()
    if client is None:
        raise NotFound(f"no client has the case code {code or '(empty)'}")
    return client


def open_client(ctx: ProgramContext, user: UserSession, case_code: str) -> ClientView:
    """One client with the identity opened (audited as `client.view`).

    Raises:
        NotFound, PermissionDenied, vault.ObjectGone, vault.KeyTampered.
    """
    with session_scope(ctx.engine) as session:
        client = find_client(session, case_code)
        identity = _open_identity(session, ctx, user, client, quiet=False)
        session.commit()
        return _view(session, client, identity)


def _open_identity(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    client: Client,
    *,
    quiet: bool,
) -> ClientIdentity | None:
    """Open a client's identity and audit it in the caller's transaction.

    With `quiet`, a client the caller holds no usable grant for gives None
    instead of a refusal (lists show the case code only).
    """
    target = _target(client)
    if quiet:
        if vault.may_open(session, ctx, user, target) is None:
            return None
        try:
            keys = vault.open_for_user(session, ctx, user, target)
        except (vault.ObjectGone, vault.KeyTampered):
            return None  # audited; the list shows the case code alone
    else:
        keys = vault.open_for_user(session, ctx, user, target)
    identity = unseal_identity(ctx, user.who, client, keys)
    audit.record(
        session, ctx, user.who, "client.view", object_type="client", object_id=client.id
    )
    return identity


def unseal_identity(
    ctx: ProgramContext, who: audit.Who, client: Client, keys: ObjectKeys
) -> ClientIdentity:
    """Open the sealed identity with the client's keys.

    Raises:
        vault.KeyTampered: The sealed identity was altered or moved (audited).
    """
    try:
        return ClientIdentity.decode(
            open_field(keys, IDENTITY_FIELD, client.identity_sealed)
        )
    except (SealedFieldError, ValueError, KeyError):
        audit.record_alone(
            ctx,
            who,
            "client.view",
            object_type="client",
            object_id=client.id,
            outcome=Outcome.ERROR,
            reason="sealed-field-tampered",
        )
        raise vault.KeyTampered(
            f"the identity of client {client.case_code} does not open: it has "
            "been altered or moved; the attempt is on the audit record"
        ) from None
