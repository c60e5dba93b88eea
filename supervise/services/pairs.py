"""Supervision pairs: which supervisor is assigned to which trainee, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from supervise.crypto.sealing import ObjectKind
from supervise.models.accounts import Account, AccountRole, Role, Supervision
from supervise.models.accounts import SupervisionKind as Kind
from supervise.models.clinical import Client, Grant, GrantVia, Recording
from supervise.models.database import session_scope
from supervise.services import audit, vault
from supervise.services.accounts import UserSession, active_pairs_query, authorize
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, InvalidInput, NotFound
from supervise.services.policy import Action


@dataclass(frozen=True)
class PairView:
    """A supervision pair as lists show it."""

    id: int
    supervisor: str
    trainee: str
    kind: str
    started_on: date
    ended_on: date | None

    @property
    def active(self) -> bool:
        """Whether the pair has not been ended."""
        return self.ended_on is None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {
            "id": self.id,
            "supervisor": self.supervisor,
            "trainee": self.trainee,
            "kind": self.kind,
            "started_on": self.started_on.isoformat(),
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
        }


def _account_with_role(session: Session, username: str, role: Role) -> Account:
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None:
        raise NotFound(f"no account named {username!r}")
    held = session.exec(
        select(AccountRole).where(
            AccountRole.account_id == account.id, AccountRole.role == role
        )
    ).first()
    if held is None:
        raise InvalidInput(f"{username!r} does not hold the {role} role")
    if account.disabled_at is not None:
        raise InvalidInput(f"{username!r} is disabled")
    return account


def add_pair(
    ctx: ProgramContext,
    user: UserSession,
    supervisor: str,
    trainee: str,
    kind: str = "individual",
) -> PairView:
    """Assign a supervisor to a trainee from today.

    Raises:
        PermissionDenied, NotFound, InvalidInput, Conflict.
    """
    try:
        pair_kind = Kind(kind)
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise InvalidInput(f"unknown kind {kind!r}; kinds are {known}") from None
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.PAIR_CREATE, object_type="pair")
        sup = _account_with_role(session, supervisor, Role.SUPERVISOR)
        trn = _account_with_role(session, trainee, Role.TRAINEE)
        if sup.id == trn.id:
            raise InvalidInput("a trainee cannot supervise themself")
        today = ctx.now().date()
        existing = session.exec(
            active_pairs_query(today).where(
                Supervision.supervisor_id == sup.id, Supervision.trainee_id == trn.id
            )
        ).first()
        if existing is not None:
            raise Conflict(
                f"{supervisor} already supervises {trainee} (pair {existing.id})"
            )
        assert sup.id is not None and trn.id is not None
        pair = Supervision(
            supervisor_id=sup.id, trainee_id=trn.id, kind=pair_kind, started_on=today
        )
        session.add(pair)
        try:
            session.flush()
        except IntegrityError:  # one pair of the two a day (or a race)
            raise Conflict(
                f"{supervisor} and {trainee} already have a pair that started "
                "today; assign them again from tomorrow"
            ) from None
        audit.record(
            session,
            ctx,
            user.who,
            "pair.create",
            object_type="pair",
            object_id=pair.id,
            reason=f"s{sup.id}-t{trn.id}",
        )
        return PairView(pair.id or 0, supervisor, trainee, pair_kind, today, None)


def end_pair(ctx: ProgramContext, user: UserSession, pair_id: int) -> PairView:
    """End a pair today: the supervisor loses the trainee at once.

    In the same transaction the supervisor's grants on the trainee's
    recordings and client records lose their secrets (the rows stay, dated),
    unless another pair of the two is still in force; the audit row counts
    them (`wiped-N`). Shares (made on purpose, e.g. for training) are not
    touched: they last until unshared or expired. Signed-off reviews stay
    readable to the trainee, who holds the recordings' keys.

    Raises:
        PermissionDenied, NotFound, Conflict: Already ended.
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.PAIR_END, object_type="pair")
        pair = session.get(Supervision, pair_id)
        if pair is None:
            raise NotFound(f"no supervision pair {pair_id}")
        if pair.ended_on is not None:
            raise Conflict(f"pair {pair_id} ended on {pair.ended_on.isoformat()}")
        pair.ended_on = ctx.now().date()
        session.add(pair)
        session.flush()
        wiped = _wipe_supervisor_grants(session, ctx, pair)
        audit.record(
            session,
            ctx,
            user.who,
            "pair.end",
            object_type="pair",
            object_id=pair.id,
            reason=f"wiped-{wiped}",
        )
        return _views(session, [pair])[0]


def _wipe_supervisor_grants(
    session: Session, ctx: ProgramContext, pair: Supervision
) -> int:
    """Take the secret from each of the ended pair's supervisor grants; count."""
    still = session.exec(
        active_pairs_query(ctx.now().date()).where(
            Supervision.supervisor_id == pair.supervisor_id,
            Supervision.trainee_id == pair.trainee_id,
            col(Supervision.id) != pair.id,
        )
    ).first()
    if still is not None:
        return 0
    recordings = select(Recording.id).where(Recording.trainee_id == pair.trainee_id)
    clients = select(Client.id).where(Client.trainee_id == pair.trainee_id)
    owned = or_(
        (col(Grant.object_type) == ObjectKind.RECORDING.value)
        & col(Grant.object_id).in_(recordings),
        (col(Grant.object_type) == ObjectKind.CLIENT.value)
        & col(Grant.object_id).in_(clients),
    )
    grants = session.exec(
        select(Grant).where(
            Grant.grantee_id == pair.supervisor_id,
            Grant.via == GrantVia.SUPERVISOR,
            col(Grant.wrapped_secret).is_not(None),
            owned,
        )
    ).all()
    now = ctx.now()
    for grant in grants:
        vault.wipe(session, grant, now)
    return len(grants)


def _views(session: Session, pairs: list[Supervision]) -> list[PairView]:
    ids = {p.supervisor_id for p in pairs} | {p.trainee_id for p in pairs}
    names = dict(
        session.exec(
            select(Account.id, Account.username).where(col(Account.id).in_(ids))
        ).all()
    )
    return [
        PairView(
            p.id or 0,
            names[p.supervisor_id],
            names[p.trainee_id],
            str(p.kind),
            p.started_on,
            p.ended_on,
        )
        for p in pairs
    ]


def list_pairs(
    ctx: ProgramContext, user: UserSession, *, active_only: bool = False
) -> list[PairView]:
    """All pairs (admins), newest first.

    Raises:
        PermissionDenied: Only admins list every pair.
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.PAIR_LIST, object_type="pair")
        query = (
            active_pairs_query(ctx.now().date()) if active_only else select(Supervision)
        )
        pairs = list(session.exec(query.order_by(col(Supervision.id).desc())))
        return _views(session, pairs)


def my_pairs(ctx: ProgramContext, user: UserSession) -> list[PairView]:
    """The caller's own current pairs, as supervisor or as trainee."""
    with session_scope(ctx.engine) as session:
        me = user.account_id
        query = active_pairs_query(ctx.now().date()).where(
            (col(Supervision.supervisor_id) == me) | (col(Supervision.trainee_id) == me)
        )
        return _views(session, list(session.exec(query.order_by(col(Supervision.id)))))
