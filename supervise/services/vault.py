"""What recordings and clients share: grants, the keystore, opening keys.

A sealed object (a recording, a client's identity) has one `Grant` row per
account that may open it, plus one for the program's escrow key. Whether a
grant counts depends on why it exists (`GrantVia`): the owner's always does
while they own the object, a supervisor's only while the pair is active (the
policy decides), a share until it is removed. A grant alone is never enough:
opening also needs the keystore row, which a shred destroys.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session, col, select

from supervise.crypto.keys import KeyUnwrapError, public_bytes
from supervise.crypto.recording_keys import (
    ObjectKeys,
    ObjectShreddedError,
    grant_to,
    open_object_keys,
)
from supervise.crypto.sealing import (
    ESCROW,
    Grantee,
    ObjectKind,
    derive_identity,
    open_retain,
)
from supervise.models.accounts import Account, Supervision
from supervise.models.audit import Outcome
from supervise.models.clinical import Grant, GrantVia
from supervise.models.program import Program
from supervise.services import audit
from supervise.services.accounts import (
    UserSession,
    active_pairs_query,
    actor_for,
    authorize,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import InvalidInput, PermissionDenied, ServiceError
from supervise.services.policy import Action, decide

log = logging.getLogger(__name__)


class ObjectGone(ServiceError):
    """The object was shredded: nothing can open it any more."""


class KeyTampered(ServiceError):
    """A grant, keystore row or header did not open as it must: refused."""


@dataclass(frozen=True)
class Sealed:
    """Which sealed object a caller wants to open, and on whose behalf."""

    kind: ObjectKind
    object_id: int
    uid: str
    owner_id: int
    """The trainee who owns the object."""
    action: Action
    """The policy action that governs non-share grants (export, view)."""

    @property
    def object_type(self) -> str:
        """The `Grant.object_type` and audit object type of this kind."""
        return self.kind.value


def program_row(session: Session) -> Program:
    """The program's one row."""
    return session.exec(select(Program)).one()


def live(grant: Grant, now: datetime) -> bool:
    """Whether a grant still holds its secret and has not expired."""
    return (
        grant.wrapped_secret is not None
        and grant.revoked_at is None
        and (grant.expires_at is None or grant.expires_at > now)
    )


def wipe(session: Session, grant: Grant, now: datetime) -> None:
    """Take a grant's secret away; the row stays, dated, for the record."""
    grant.wrapped_secret = None
    grant.revoked_at = grant.revoked_at or now
    session.add(grant)


def supervisors_of(
    session: Session, ctx: ProgramContext, trainee_id: int
) -> list[Account]:
    """The accounts supervising `trainee_id` today, each once."""
    found = session.exec(
        active_pairs_query(ctx.now().date()).where(Supervision.trainee_id == trainee_id)
    )
    ids = sorted({pair.supervisor_id for pair in found})
    accounts = [session.get(Account, account_id) for account_id in ids]
    return [a for a in accounts if a is not None and a.disabled_at is None]


def add_grant(
    session: Session,
    keys: ObjectKeys,
    object_id: int,
    public_raw: bytes,
    grantee: Grantee,
    via: GrantVia,
    granted_by: int | None,
    granted_at: datetime | None = None,
    *,
    expires_at: datetime | None = None,
    purpose: str = "",
) -> Grant:
    """Seal `S_grant` to one grantee (or the escrow key) and add its row."""
    row = Grant(
        object_type=keys.kind.value,
        object_id=object_id,
        grantee_id=None if grantee == ESCROW else int(grantee),
        via=via,
        wrapped_secret=grant_to(keys, public_raw, grantee),
        granted_by=granted_by,
        expires_at=expires_at,
        purpose=purpose,
    )
    if granted_at is not None:
        row.granted_at = granted_at
    session.add(row)
    return row


def grant_initial(
    session: Session,
    ctx: ProgramContext,
    keys: ObjectKeys,
    object_id: int,
    owner: Account,
    *,
    with_supervisors: bool = True,
) -> list[Grant]:
    """The grants every new object gets: its owner, their supervisors (unless
    the consent leaves them out), escrow."""
    assert owner.id is not None
    grantees: list[tuple[bytes, Grantee, GrantVia]] = [
        (owner.public_key, owner.id, GrantVia.OWNER)
    ]
    supervisors = supervisors_of(session, ctx, owner.id) if with_supervisors else []
    for supervisor in supervisors:
        assert supervisor.id is not None
        grantees.append((supervisor.public_key, supervisor.id, GrantVia.SUPERVISOR))
    escrow = program_row(session).escrow_public_key
    grantees.append((escrow, ESCROW, GrantVia.ESCROW))
    return [
        add_grant(session, keys, object_id, public, grantee, via, owner.id, ctx.now())
        for public, grantee, via in grantees
    ]


def grants_of(session: Session, kind: ObjectKind, object_id: int) -> list[Grant]:
    """Every grant row of one object, oldest first."""
    return list(
        session.exec(
            select(Grant)
            .where(Grant.object_type == kind.value, Grant.object_id == object_id)
            .order_by(col(Grant.id))
        )
    )


def live_grant_for(
    session: Session, ctx: ProgramContext, target: Sealed, account_id: int
) -> Grant | None:
    """The account's usable grant on the object, if it has one."""
    now = ctx.now()
    for grant in grants_of(session, target.kind, target.object_id):
        if grant.grantee_id == account_id and live(grant, now):
            return grant
    return None


def may_open(
    session: Session, ctx: ProgramContext, user: UserSession, target: Sealed
) -> Grant | None:
    """The grant through which `user` may open the object now, or None.

    No audit row: for lists, which show what a caller may open.
    """
    grant = live_grant_for(session, ctx, target, user.account_id)
    if grant is None:
        return None
    if grant.via == GrantVia.SHARE:
        return grant
    actor = actor_for(session, ctx, user.account_id)
    return grant if decide(actor, target.action, target.owner_id).allowed else None


def _refuse(
    ctx: ProgramContext, user: UserSession, target: Sealed, reason: str, message: str
) -> PermissionDenied:
    audit.record_alone(
        ctx,
        user.who,
        str(target.action),
        object_type=target.object_type,
        object_id=target.object_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )
    return PermissionDenied(message)


def open_for_user(
    session: Session, ctx: ProgramContext, user: UserSession, target: Sealed
) -> ObjectKeys:
    """Open an object's keys with the caller's grant, or refuse (audited).

    Raises:
        PermissionDenied: No usable grant, or the policy refuses (audited).
        ObjectGone: The object was shredded (audited).
        KeyTampered: The grant or keystore row does not open (audited).
    """
    what = "recording" if target.kind is ObjectKind.RECORDING else "client record"
    if user.private_key is None:
        raise PermissionDenied("your session has ended: log in again")
    grant = live_grant_for(session, ctx, target, user.account_id)
    if grant is None:
        raise _refuse(
            ctx, user, target, "no-grant", f"this {what} is not shared with you"
        )
    if grant.via != GrantVia.SHARE:
        authorize(
            session,
            ctx,
            user,
            target.action,
            owner_id=target.owner_id,
            object_type=target.object_type,
            object_id=target.object_id,
        )
    assert grant.wrapped_secret is not None
    return _open(
        ctx, user.who, target, grant.wrapped_secret, user.private_key, user.account_id
    )


def check_escrow_key(
    session: Session,
    ctx: ProgramContext,
    who: audit.Who,
    escrow_private: X25519PrivateKey,
    action: Action,
    object_type: str,
    object_id: object,
) -> None:
    """Refuse a key file that is not this program's escrow key, before it is
    tried on anything (audited as `bad-escrow-key`).

    Raises:
        InvalidInput: Another key: another program's, or a recovery key.
    """
    if public_bytes(escrow_private) == program_row(session).escrow_public_key:
        return
    audit.record_alone(
        ctx,
        who,
        str(action),
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        reason="bad-escrow-key",
    )
    raise InvalidInput(
        "this is not the program's escrow key (the key file opens nothing "
        "here): nothing was opened or changed"
    )


def open_with_escrow(
    session: Session,
    ctx: ProgramContext,
    who: audit.Who,
    target: Sealed,
    escrow_private: X25519PrivateKey,
) -> ObjectKeys:
    """Open an object's keys with the offline escrow key (break glass).

    Raises:
        InvalidInput: Not this program's escrow key (audited).
        ObjectGone, KeyTampered: As for `open_for_user` (audited).
    """
    check_escrow_key(
        session,
        ctx,
        who,
        escrow_private,
        target.action,
        target.object_type,
        target.object_id,
    )
    escrow = next(
        (
            g
            for g in grants_of(session, target.kind, target.object_id)
            if g.via == GrantVia.ESCROW and g.wrapped_secret is not None
        ),
        None,
    )
    if escrow is None or escrow.wrapped_secret is None:
        audit_failure(ctx, who, target, "shredded")
        raise ObjectGone(f"{target.object_type} {target.object_id} has been shredded")
    return _open(ctx, who, target, escrow.wrapped_secret, escrow_private, ESCROW)


def _open(
    ctx: ProgramContext,
    who: audit.Who,
    target: Sealed,
    sealed_grant: bytes,
    private: X25519PrivateKey,
    grantee: Grantee,
) -> ObjectKeys:
    def attempt(retained: bytes | None) -> ObjectKeys:
        return open_object_keys(
            target.kind,
            target.uid,
            sealed_grant,
            private,
            grantee,
            retained,
            ctx.secrets.keystore_key,
        )

    try:
        return attempt(ctx.keystore.get(target.kind, target.uid))
    except ObjectShreddedError:
        audit_failure(ctx, who, target, "shredded")
        raise ObjectGone(
            f"{target.object_type} {target.object_id} has been shredded"
        ) from None
    except KeyUnwrapError:
        audit_failure(ctx, who, target, "key-tampered")
        log.warning(
            "a grant or keystore row did not open (%s %s)",
            target.object_type,
            target.object_id,
        )
        raise KeyTampered(
            f"the keys of {target.object_type} {target.object_id} do not open: a "
            "grant or keystore entry has been altered or moved; nothing was "
            "released and the attempt is on the audit record"
        ) from None


def audit_failure(
    ctx: ProgramContext, who: audit.Who, target: Sealed, reason: str
) -> None:
    audit.record_alone(
        ctx,
        who,
        str(target.action),
        object_type=target.object_type,
        object_id=target.object_id,
        outcome=Outcome.ERROR,
        reason=reason,
    )


def regrant(
    session: Session,
    keys: ObjectKeys,
    object_id: int,
    old: Iterable[Grant],
    now: datetime,
) -> int:
    """After new secrets (a hard revoke): a fresh grant for each live grantee.

    The old rows lose their secrets and are marked revoked; the new rows keep
    each grant's reason and granter. Returns how many grants were made.
    """
    escrow = program_row(session).escrow_public_key
    made = 0
    for grant in list(old):
        was_live = live(grant, now)
        wipe(session, grant, now)
        if not was_live:
            continue
        if grant.via == GrantVia.ESCROW:
            add_grant(
                session,
                keys,
                object_id,
                escrow,
                ESCROW,
                GrantVia.ESCROW,
                grant.granted_by,
                now,
            )
        else:
            account = session.get(Account, grant.grantee_id)
            if account is None or account.disabled_at is not None:
                continue
            assert account.id is not None
            add_grant(
                session,
                keys,
                object_id,
                account.public_key,
                account.id,
                GrantVia(grant.via),
                grant.granted_by,
                now,
            )
        made += 1
    return made


def staged_uid(uid: str) -> str:
    """The keystore name under which a re-key stages its new entry."""
    return f"{uid}.next"


def stage_retain(
    ctx: ProgramContext, kind: ObjectKind, uid: str, sealed: bytes
) -> None:
    """Keep a re-key's new keystore entry beside the current one until it commits."""
    unstage_retain(ctx, kind, uid)
    ctx.keystore.put(kind, staged_uid(uid), sealed)


def unstage_retain(ctx: ProgramContext, kind: ObjectKind, uid: str) -> None:
    """Drop a staged entry (the re-key failed, or the object is shredded)."""
    if ctx.keystore.get(kind, staged_uid(uid)) is not None:
        ctx.keystore.destroy(kind, staged_uid(uid))


def promote_retain(ctx: ProgramContext, kind: ObjectKind, uid: str) -> None:
    """Make the staged entry the object's own, scrubbing the old one."""
    staged = ctx.keystore.get(kind, staged_uid(uid))
    if staged is None:
        return
    ctx.keystore.replace(kind, uid, staged)
    ctx.keystore.destroy(kind, staged_uid(uid))


def with_staged_retain(ctx: ProgramContext, keys: ObjectKeys) -> ObjectKeys | None:
    """The object's keys under a staged keystore entry, if a re-key left one.

    A re-key that committed its new header and grants but died before its
    keystore swap leaves the new `S_retain` staged; the new grants then open
    only with it. The caller checks the result against the header and, if it
    fits, calls `promote_retain`.
    """
    staged = ctx.keystore.get(keys.kind, staged_uid(keys.uid))
    if staged is None:
        return None
    try:
        s_retain = open_retain(staged, ctx.secrets.keystore_key, keys.kind, keys.uid)
    except KeyUnwrapError:
        return None
    identity = derive_identity(keys.s_grant, s_retain, keys.kind, keys.uid)
    return ObjectKeys(keys.kind, keys.uid, keys.s_grant, s_retain, identity)
