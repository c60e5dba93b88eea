"""Pairs over time: a supervisor assigned later gains the trainee's older objects.

A recording or client gets a supervisor grant for each supervisor assigned
when it is made (`vault.grant_initial`). A supervisor assigned afterwards has
no grant on what came before, and making one needs the object's keys, which
only a grantee can open: the trainee, at their next login, with their own key
(through their owner grant), or an admin at once with the offline escrow key
(`grant_with_escrow`, `supervise pair grant`). Ending a pair takes that
supervisor's grants away (`pairs.end_pair`).

Consent decides as it does at import: a recording gets no supervisor grant if
any of the consents it was stored under leaves supervisors out, nor if one of
its clients has no consent in force that includes them (revoked, or lapsed
without a new version). A client record is granted to every assigned
supervisor, as when it is created.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    exists,
    literal,
    not_,
    or_,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from supervise.crypto.keys import KeyUnwrapError
from supervise.crypto.recording_keys import ObjectKeys, open_object_keys
from supervise.crypto.sealing import ObjectKind
from supervise.models.accounts import Account, Supervision
from supervise.models.audit import Outcome
from supervise.models.clinical import (
    Client,
    ConsentForm,
    ConsentStatus,
    Grant,
    GrantVia,
    Recording,
    RecordingConsent,
    RecordingState,
)
from supervise.models.database import session_scope
from supervise.services import audit, vault
from supervise.services.accounts import UserSession, active_pairs_query, authorize
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, NotFound, ServiceError
from supervise.services.policy import Action

log = logging.getLogger(__name__)

Opener = Callable[[Session, vault.Sealed], ObjectKeys]
"""Opens one object's keys inside the caller's session, or raises."""

OPEN_ACTION = {
    ObjectKind.RECORDING: Action.RECORDING_EXPORT,
    ObjectKind.CLIENT: Action.CLIENT_VIEW,
}
"""The action under which the trainee opens each kind (their own objects)."""


class NotOpened(ServiceError):
    """The caller's key did not open an object: no grant is made from it."""


@dataclass(frozen=True)
class Missing:
    """One object a current supervisor should hold a grant on, and does not."""

    kind: ObjectKind
    object_id: int
    uid: str
    supervisor_id: int


def _held(kind: ObjectKind, object_id: object) -> ColumnElement[bool]:
    """A live supervisor grant on the object to the pair's supervisor exists."""
    return exists().where(
        col(Grant.object_type) == kind.value,
        col(Grant.object_id) == object_id,
        col(Grant.grantee_id) == col(Supervision.supervisor_id),
        col(Grant.via) == GrantVia.SUPERVISOR,
        col(Grant.wrapped_secret).is_not(None),
        col(Grant.revoked_at).is_(None),
    )


def _consent_excludes() -> ColumnElement[bool]:
    """Some consent of the recording leaves supervisors out, or is no longer
    in force (nor replaced by a version that includes them)."""
    stored_under = aliased(ConsentForm)
    in_force = aliased(ConsentForm)
    current = exists().where(
        col(in_force.client_id) == col(RecordingConsent.client_id),
        col(in_force.status) == ConsentStatus.ACTIVE,
        col(in_force.include_supervisors),
    )
    return exists().where(
        col(RecordingConsent.recording_id) == col(Recording.id),
        col(stored_under.id) == col(RecordingConsent.consent_id),
        or_(not_(col(stored_under.include_supervisors)), not_(current)),
    )


def _pairs_of(trainee_id: int, ctx: ProgramContext) -> list[ColumnElement[bool]]:
    today = ctx.now().date()
    return [
        col(Supervision.trainee_id) == trainee_id,
        col(Supervision.started_on) <= today,
        col(Supervision.ended_on).is_(None) | (col(Supervision.ended_on) > today),
        col(Account.disabled_at).is_(None),
    ]


def _missing_query(
    ctx: ProgramContext, trainee_id: int, supervisor_id: int | None
) -> CompoundSelect[tuple[str, int, str, int]]:
    """One query: (kind, object id, uid, supervisor id) for each grant missing."""
    pairs = _pairs_of(trainee_id, ctx)
    if supervisor_id is not None:
        pairs.append(col(Supervision.supervisor_id) == supervisor_id)
    recordings = (
        select(
            literal(ObjectKind.RECORDING.value),
            col(Recording.id),
            col(Recording.uid),
            col(Supervision.supervisor_id),
        )
        .join(Recording, col(Recording.trainee_id) == col(Supervision.trainee_id))
        .join(Account, col(Account.id) == col(Supervision.supervisor_id))
        .where(
            *pairs,
            col(Recording.state) == RecordingState.ACTIVE,
            not_(_held(ObjectKind.RECORDING, col(Recording.id))),
            not_(_consent_excludes()),
        )
    )
    clients = (
        select(
            literal(ObjectKind.CLIENT.value),
            col(Client.id),
            col(Client.uid),
            col(Supervision.supervisor_id),
        )
        .join(Client, col(Client.trainee_id) == col(Supervision.trainee_id))
        .join(Account, col(Account.id) == col(Supervision.supervisor_id))
        .where(
            *pairs,
            not_(_held(ObjectKind.CLIENT, col(Client.id))),
        )
    )
    return union_all(recordings, clients)


def missing_grants(
    session: Session,
    ctx: ProgramContext,
    trainee_id: int,
    *,
    supervisor_id: int | None = None,
) -> list[Missing]:
    """The supervisor grants the trainee's current supervisors lack (one query).

    Active recordings (whose consents allow supervisors) and client records
    of `trainee_id`, for each supervisor in a pair in force today whose
    account is enabled; only `supervisor_id`'s if given.
    """
    rows = session.execute(_missing_query(ctx, trainee_id, supervisor_id)).all()
    found = [Missing(ObjectKind(kind), oid, uid, sid) for kind, oid, uid, sid in rows]
    return sorted(found, key=lambda m: (m.kind.value, m.object_id, m.supervisor_id))


def _supervisors(
    session: Session, ctx: ProgramContext, trainee_id: int
) -> dict[int, Account]:
    """The trainee's supervisors today, their pair rows locked until commit.

    The lock orders us with `pairs.end_pair`: a pair ended meanwhile is not
    granted to, and an end that waits for us wipes what we grant.
    """
    pairs = session.exec(
        active_pairs_query(ctx.now().date())
        .where(Supervision.trainee_id == trainee_id)
        .with_for_update()
    ).all()
    accounts = [session.get(Account, pair.supervisor_id) for pair in pairs]
    return {
        a.id: a
        for a in accounts
        if a is not None and a.id is not None and a.disabled_at is None
    }


def _open_all(
    session: Session,
    ctx: ProgramContext,
    trainee_id: int,
    missing: list[Missing],
    opener: Opener,
) -> dict[tuple[ObjectKind, int], ObjectKeys]:
    """Each object's keys, once; shredded or unopenable objects are left out.

    All opening happens before any grant is added, so that an audited failure
    (written in a transaction of its own) never waits on ours.
    """
    opened: dict[tuple[ObjectKind, int], ObjectKeys] = {}
    for item in missing:
        key = (item.kind, item.object_id)
        if key in opened or ctx.keystore.get(item.kind, item.uid) is None:
            continue
        target = vault.Sealed(
            item.kind, item.object_id, item.uid, trainee_id, OPEN_ACTION[item.kind]
        )
        try:
            opened[key] = opener(session, target)
        except NotOpened:
            continue  # the opener said why
        except (vault.ObjectGone, vault.KeyTampered):
            log.warning(
                "supervisor grant skipped: %s %s did not open (audited)",
                item.kind.value,
                item.object_id,
            )
    return opened


def grant_missing(
    session: Session,
    ctx: ProgramContext,
    trainee_id: int,
    opener: Opener,
    *,
    supervisor_id: int | None = None,
    granted_by: int | None = None,
) -> int:
    """Add the supervisor grants the trainee's current supervisors lack.

    Idempotent: an object a supervisor already holds a live grant on is left
    alone. Objects whose keystore row is gone (shredded) are skipped, as are
    recordings whose consents leave supervisors out.

    Args:
        session: The caller's transaction; the grants commit with it.
        ctx: The program.
        trainee_id: The trainee whose recordings and clients are granted.
        opener: Opens an object's keys (the trainee's own key, or escrow).
        supervisor_id: Only this supervisor's grants (the escrow path).
        granted_by: Recorded on each grant; the trainee by default.

    Returns:
        How many grants were added.

    Raises:
        PermissionDenied: The opener refused (audited by the vault).
    """
    if not missing_grants(session, ctx, trainee_id, supervisor_id=supervisor_id):
        return 0
    supervisors = _supervisors(session, ctx, trainee_id)
    # Asked again under the lock: a login granting at the same time has
    # committed by now, and what it granted is no longer missing.
    missing = [
        m
        for m in missing_grants(session, ctx, trainee_id, supervisor_id=supervisor_id)
        if m.supervisor_id in supervisors
    ]
    opened = _open_all(session, ctx, trainee_id, missing, opener)
    added = [
        vault.add_grant(
            session,
            keys,
            item.object_id,
            supervisors[item.supervisor_id].public_key,
            item.supervisor_id,
            GrantVia.SUPERVISOR,
            trainee_id if granted_by is None else granted_by,
            ctx.now(),
        )
        for item in missing
        if (keys := opened.get((item.kind, item.object_id))) is not None
    ]
    return len(added) - _drop_for_ended_pairs(session, ctx, trainee_id, added)


def _drop_for_ended_pairs(
    session: Session, ctx: ProgramContext, trainee_id: int, added: list[Grant]
) -> int:
    """Take back new grants whose pair ended meanwhile; how many.

    SQLite ignores the pair lock, but once our rows are written we hold its
    write lock, so this second look cannot miss an end committed before it.
    """
    if not added:
        return 0
    session.flush()
    still = _supervisors(session, ctx, trainee_id)
    dropped = [grant for grant in added if grant.grantee_id not in still]
    for grant in dropped:
        session.delete(grant)
    return len(dropped)


def _own_key(ctx: ProgramContext, user: UserSession, failed: list[int]) -> Opener:
    """Open with the trainee's key, quietly: a grant made to a key the account
    no longer has (after `user reset`) is expected, not tampering, so it is
    counted in `failed` rather than audited object by object."""

    def open_quietly(session: Session, target: vault.Sealed) -> ObjectKeys:
        grant = vault.may_open(session, ctx, user, target)
        if grant is None or grant.wrapped_secret is None or user.private_key is None:
            failed.append(target.object_id)
            raise NotOpened(f"{target.object_type} {target.object_id}")
        try:
            return open_object_keys(
                target.kind,
                target.uid,
                grant.wrapped_secret,
                user.private_key,
                user.account_id,
                ctx.keystore.get(target.kind, target.uid),
                ctx.secrets.keystore_key,
            )
        except KeyUnwrapError:
            failed.append(target.object_id)
            raise NotOpened(f"{target.object_type} {target.object_id}") from None

    return open_quietly


def grant_at_login(ctx: ProgramContext, user: UserSession) -> int:
    """At a trainee's login: grant their supervisors what they lack.

    Cheap when there is nothing to do (one query). The trainee's own key opens
    each object through their owner grant; the count is audited
    (`pair.regrant`) when grants were made. Objects the key does not open
    (the account's key was replaced by a reset) are skipped, counted in one
    `pair.regrant` error row (`unopened-N`): an admin can grant those with
    the escrow key.

    Returns:
        How many grants were added.
    """
    failed: list[int] = []
    with session_scope(ctx.engine) as session:
        made = grant_missing(session, ctx, user.account_id, _own_key(ctx, user, failed))
        if made:
            _regrant_row(session, ctx, user, Outcome.ALLOWED, f"granted-{made}")
        if failed:
            log.warning(
                "%s objects did not open with account %s's key; not granted",
                len(failed),
                user.account_id,
            )
            _regrant_row(session, ctx, user, Outcome.ERROR, f"unopened-{len(failed)}")
        return made


def _regrant_row(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    outcome: Outcome,
    reason: str,
) -> None:
    audit.record(
        session,
        ctx,
        user.who,
        "pair.regrant",
        object_type="account",
        object_id=user.account_id,
        outcome=outcome,
        reason=reason,
    )


def _active_pair(session: Session, ctx: ProgramContext, pair_id: int) -> Supervision:
    pair = session.get(Supervision, pair_id)
    if pair is None:
        raise NotFound(f"no supervision pair {pair_id}")
    today = ctx.now().date()
    if pair.ended_on is not None and pair.ended_on <= today:
        raise Conflict(
            f"pair {pair_id} ended on {pair.ended_on.isoformat()}: nothing to grant"
        )
    supervisor = session.get(Account, pair.supervisor_id)
    if supervisor is None or supervisor.disabled_at is not None:
        raise Conflict(f"pair {pair_id}'s supervisor is disabled: nothing to grant")
    return pair


def grant_with_escrow(
    ctx: ProgramContext,
    user: UserSession,
    pair_id: int,
    escrow_private: X25519PrivateKey,
) -> int:
    """Grant a pair's supervisor the trainee's objects now, with the escrow key.

    For an admin who cannot wait for the trainee's next login. A use of the
    offline escrow key, so audited as break glass is: one `pair.grant` row for
    each object the key opened, and one for the pair with the count.

    Returns:
        How many grants were added (0 when the supervisor lacks none).

    Raises:
        PermissionDenied: Not an admin (audited).
        NotFound: No such pair.
        Conflict: The pair has ended.
        InvalidInput: The key is not this program's escrow key (audited;
            nothing is changed).
    """
    with session_scope(ctx.engine) as session:
        authorize(
            session, ctx, user, Action.PAIR_GRANT, object_type="pair", object_id=pair_id
        )
        pair = _active_pair(session, ctx, pair_id)
        vault.check_escrow_key(
            session, ctx, user.who, escrow_private, Action.PAIR_GRANT, "pair", pair_id
        )
        opened: list[vault.Sealed] = []

        def with_escrow(session: Session, target: vault.Sealed) -> ObjectKeys:
            target = replace(target, action=Action.PAIR_GRANT)
            keys = vault.open_with_escrow(
                session, ctx, user.who, target, escrow_private
            )
            opened.append(target)
            return keys

        made = grant_missing(
            session,
            ctx,
            pair.trainee_id,
            with_escrow,
            supervisor_id=pair.supervisor_id,
            granted_by=user.account_id,
        )
        for target in opened:
            audit.record(
                session,
                ctx,
                user.who,
                str(Action.PAIR_GRANT),
                object_type=target.object_type,
                object_id=target.object_id,
                reason=f"escrow-pair-{pair_id}",
            )
        audit.record(
            session,
            ctx,
            user.who,
            str(Action.PAIR_GRANT),
            object_type="pair",
            object_id=pair_id,
            reason=f"granted-{made}",
        )
        return made
