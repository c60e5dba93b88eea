"""Writing, verifying and exporting the audit trail.

Every row is written inside the transaction of the action it records, so the
two commit together; a denial is committed on its own, because the action it
records does not happen. Writers take the head row's lock first, which orders
them on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import Session, col, select

from supervise.crypto import auditchain
from supervise.models.audit import AuditEvent, AuditHead, Outcome
from supervise.models.database import session_scope
from supervise.services.context import ProgramContext

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Who:
    """Who is acting, as the audit trail records it: ids and codes only."""

    account_id: int | None = None
    role: str = ""
    session_id: str = ""


SYSTEM = Who(role="system")


def create_head(session: Session, ctx: ProgramContext) -> None:
    """Start an empty chain (run once, by `init`)."""
    mac = auditchain.head_mac(ctx.secrets.audit_key, 0, auditchain.GENESIS)
    session.add(AuditHead(id=1, seq=0, entry_hash=auditchain.GENESIS, mac=mac))


def record(
    session: Session,
    ctx: ProgramContext,
    who: Who,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    outcome: Outcome = Outcome.ALLOWED,
    reason: str = "",
) -> AuditEvent:
    """Append one row to the chain inside the caller's transaction."""
    bump = (
        update(AuditHead)
        .where(col(AuditHead.id) == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(col(AuditHead.seq), col(AuditHead.entry_hash))
    )
    seq, prev_hash = session.execute(bump).one()
    event = AuditEvent(
        seq=seq,
        ts=ctx.now().isoformat(timespec="microseconds"),
        actor_id=who.account_id,
        actor_role=who.role,
        session_id=who.session_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        outcome=Outcome(outcome),
        reason=reason,
        prev_hash=prev_hash,
        entry_hash="",
        mac="",
    )
    event.entry_hash = auditchain.entry_hash(prev_hash, _fields(event))
    event.mac = auditchain.row_mac(ctx.secrets.audit_key, event.entry_hash)
    session.add(event)
    session.execute(
        update(AuditHead)
        .where(col(AuditHead.id) == 1)
        .values(
            entry_hash=event.entry_hash,
            mac=auditchain.head_mac(ctx.secrets.audit_key, seq, event.entry_hash),
        )
    )
    log.info("audit %s %s %s#%s", seq, action, object_type, event.object_id)
    return event


def record_alone(ctx: ProgramContext, who: Who, action: str, **fields: object) -> None:
    """Append one row in a transaction of its own (denials, failed logins)."""
    with session_scope(ctx.engine) as session:
        record(session, ctx, who, action, **fields)  # type: ignore[arg-type]


def _fields(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "ts": event.ts,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "session_id": event.session_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": str(event.outcome),
        "reason": event.reason,
    }


@dataclass(frozen=True)
class Verification:
    """What `verify` found."""

    rows: int
    """Rows checked."""
    bad_seq: int | None = None
    """The first row found bad, or None when the trail is intact."""
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Whether the whole trail checked out."""
        return self.bad_seq is None


def _check_row(event: AuditEvent, expected: int, prev: str, key: bytes) -> str | None:
    if event.seq != expected:
        return "is missing, or its sequence number was changed"
    if event.prev_hash != prev:
        return "does not follow the row before it (its previous-hash was changed)"
    if auditchain.entry_hash(prev, _fields(event)) != event.entry_hash:
        return "was changed after it was written"
    if not auditchain.macs_equal(auditchain.row_mac(key, event.entry_hash), event.mac):
        return "has a MAC that does not match (forged or changed)"
    return None


def verify(ctx: ProgramContext, who: Who | None = None) -> Verification:
    """Recompute the whole chain and every MAC; name the first bad row.

    Args:
        ctx: The program.
        who: When given, the run itself is audited (after the check, so that
            the new row is not part of what was checked).
    """
    result = _verify(ctx)
    if who is not None:
        record_alone(
            ctx,
            who,
            "audit.verify",
            object_type="audit",
            object_id=result.rows if result.ok else result.bad_seq,
            reason="intact" if result.ok else "broken",
        )
    return result


def _verify(ctx: ProgramContext) -> Verification:
    key = ctx.secrets.audit_key
    expected, prev = 1, auditchain.GENESIS
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .order_by(col(AuditEvent.seq))
            .execution_options(yield_per=1000)
        )
        for event in rows:
            if event.seq < expected:
                return Verification(
                    expected - 1, event.seq, "is out of place: its number was changed"
                )
            problem = _check_row(event, expected, prev, key)
            if problem:
                return Verification(expected - 1, expected, problem)
            expected, prev = expected + 1, event.entry_hash
        head = session.get(AuditHead, 1)
    count = expected - 1
    if head is None:
        return Verification(count, expected, "the chain head is missing")
    head_ok = auditchain.macs_equal(
        auditchain.head_mac(key, head.seq, head.entry_hash), head.mac
    )
    if not head_ok or head.seq != count or head.entry_hash != prev:
        return Verification(
            count,
            count + 1,
            "is missing: the trail ends early, or its head was changed",
        )
    return Verification(count)


def iter_events(ctx: ProgramContext) -> Iterator[AuditEvent]:
    """Every audit row, oldest first, read in batches."""
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .order_by(col(AuditEvent.seq))
            .execution_options(yield_per=1000)
        )
        yield from rows


def recent_events(
    ctx: ProgramContext, user: UserSession, limit: int = 200
) -> list[AuditEvent]:
    """The newest rows, newest first, for the audit screen.

    Raises:
        PermissionDenied: Only admins and auditors read the trail (audited).
    """
    from supervise.services.accounts import authorize
    from supervise.services.policy import Action

    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.AUDIT_VIEW, object_type="audit")
        query = select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(limit)
        return list(session.exec(query))


def export(
    ctx: ProgramContext, out: IO[str], origin: str, who: Who | None = None
) -> int:
    """Write every row as JSON lines, then a signed checkpoint of the head.

    The checkpoint line lets someone off the host detect a later rewrite of
    the whole chain: keep exported checkpoints somewhere the host cannot edit.
    When `who` is given, the export itself is audited once it is written.

    Returns:
        The number of rows written.
    """
    count, head = 0, auditchain.GENESIS
    for event in iter_events(ctx):
        out.write(
            json.dumps(
                {
                    **_fields(event),
                    "prev_hash": event.prev_hash,
                    "entry_hash": event.entry_hash,
                    "mac": event.mac,
                },
                sort_keys=True,
            )
            + "\n"
        )
        count, head = event.seq, event.entry_hash
    body = auditchain.checkpoint_body(origin, count, head)
    signing = ctx.secrets.signing_key()
    signature = base64.b64encode(signing.sign(body)).decode("ascii")
    public = base64.b64encode(signing.public_key().public_bytes_raw()).decode()
    out.write(
        json.dumps(
            {"checkpoint": body.decode(), "signature": signature, "public_key": public},
            sort_keys=True,
        )
        + "\n"
    )
    if who is not None:
        record_alone(ctx, who, "audit.export", object_type="audit", object_id=count)
    return count
