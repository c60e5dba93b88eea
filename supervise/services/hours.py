"""The supervision hours log: entries for licensure, co-signed by the supervisor.

A trainee logs hours by hand (a date, minutes, individual or group, and a
supervisor who supervised them on that date) or from a signed-off review of
one of their recordings. An entry counts as co-signed once its supervisor
co-signs it; one the supervisor makes from their own review is co-signed at
once. A trainee may remove an entry until it is co-signed.

Who sees what: a trainee their own entries; a supervisor the entries of their
current supervisees on which they are the supervisor; an admin every entry.
Every write is audited with ids only (the hours log holds no clinical text,
but names stay out of the audit trail all the same).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from supervise.export.hours import HoursDocument, HoursRow, hours_csv
from supervise.models.accounts import Account, Role, Supervision, SupervisionKind
from supervise.models.audit import Outcome
from supervise.models.clinical import HoursEntry, Recording, Review
from supervise.models.database import session_scope
from supervise.services import audit, vault
from supervise.services.accounts import (
    UserSession,
    actor_for,
    authorize,
    display_name,
    named_trainee,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from supervise.services.policy import Action

KINDS: tuple[str, ...] = (SupervisionKind.INDIVIDUAL.value, SupervisionKind.GROUP.value)
"""The kinds of supervision hours a licensure board counts separately."""
MAX_MINUTES = 720
"""The most one entry may hold: twelve hours."""
FORMATS = ("pdf", "csv")
"""What `export_hours` writes."""


def check_kind(kind: str) -> str:
    """A known kind of hours.

    Raises:
        InvalidInput: Not one of `KINDS`.
    """
    value = kind.strip().lower()
    if value not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
    return value


def check_minutes(minutes: int) -> int:
    """Minutes from 1 to `MAX_MINUTES`.

    Raises:
        InvalidInput: Outside that range.
    """
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(
            f"minutes must be from 1 to {MAX_MINUTES} (12 hours), not {minutes}"
        )
    return minutes


def check_period(since: date | None, until: date | None) -> None:
    """A period whose start is not after its end.

    Raises:
        InvalidInput: `since` is after `until`.
    """
    if since is not None and until is not None and since > until:
        raise InvalidInput(
            f"the period starts ({since.isoformat()}) after it ends "
            f"({until.isoformat()})"
        )


# --- views -------------------------------------------------------------------


@dataclass(frozen=True)
class HoursView:
    """One entry of the hours log as lists and exports show it."""

    id: int
    trainee: str
    supervisor: str
    kind: str
    on_date: date
    minutes: int
    review_id: int | None
    cosigned_at: datetime | None

    @property
    def cosigned(self) -> bool:
        """Whether the supervisor has co-signed the entry."""
        return self.cosigned_at is not None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {
            "id": self.id,
            "trainee": self.trainee,
            "supervisor": self.supervisor,
            "kind": self.kind,
            "on_date": self.on_date.isoformat(),
            "minutes": self.minutes,
            "review_id": self.review_id,
            "cosigned": self.cosigned,
            "cosigned_at": self.cosigned_at.isoformat() if self.cosigned_at else None,
        }


@dataclass(frozen=True)
class HoursTotals:
    """Sums of a list of entries, in minutes."""

    by_kind: dict[str, int] = field(default_factory=dict)
    """Every kind of `KINDS`, zero when there is none."""
    cosigned: int = 0
    awaiting: int = 0
    """Not yet co-signed."""
    total: int = 0

    @classmethod
    def of(cls, entries: tuple[HoursView, ...] | list[HoursView]) -> HoursTotals:
        """The totals of `entries`."""
        by_kind = dict.fromkeys(KINDS, 0)
        for entry in entries:
            by_kind[entry.kind] = by_kind.get(entry.kind, 0) + entry.minutes
        cosigned = sum(e.minutes for e in entries if e.cosigned)
        total = sum(e.minutes for e in entries)
        return cls(by_kind, cosigned, total - cosigned, total)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form, in minutes."""
        return {
            "by_kind": dict(self.by_kind),
            "cosigned": self.cosigned,
            "awaiting": self.awaiting,
            "total": self.total,
        }


@dataclass(frozen=True)
class HoursReport:
    """The entries a listing found, oldest first, and their totals."""

    entries: tuple[HoursView, ...]
    totals: HoursTotals
    since: date | None = None
    until: date | None = None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `hours list --json`."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "entries": [entry.as_json() for entry in self.entries],
            "totals_minutes": self.totals.as_json(),
        }


def _views(session: Session, entries: list[HoursEntry]) -> list[HoursView]:
    ids = {e.trainee_id for e in entries} | {e.supervisor_id for e in entries}
    names = dict(
        session.exec(
            select(Account.id, Account.username).where(col(Account.id).in_(ids))
        ).all()
    )
    return [
        HoursView(
            e.id or 0,
            names[e.trainee_id],
            names[e.supervisor_id],
            e.kind,
            e.on_date,
            e.minutes,
            e.review_id,
            e.cosigned_at,
        )
        for e in entries
    ]


def _load(session: Session, entry_id: int) -> HoursEntry:
    entry = session.get(HoursEntry, entry_id)
    if entry is None:
        raise NotFound(f"no hours entry {entry_id}")
    return entry


def _record(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    action: str,
    entry: HoursEntry,
    reason: str = "",
) -> None:
    audit.record(
        session,
        ctx,
        user.who,
        action,
        object_type="hours",
        object_id=entry.id,
        reason=reason,
    )


def _refuse(
    ctx: ProgramContext, user: UserSession, action: str, entry_id: int, reason: str
) -> None:
    """Audit a refusal the policy table cannot see (it is about the entry)."""
    audit.record_alone(
        ctx,
        user.who,
        str(action),
        object_type="hours",
        object_id=entry_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )


# --- logging hours -------------------------------------------------------------


def _pair_on(
    session: Session, supervisor_id: int, trainee_id: int, day: date
) -> Supervision | None:
    """A pair of the two that covered `day` (its last day included)."""
    return session.exec(
        select(Supervision).where(
            Supervision.supervisor_id == supervisor_id,
            Supervision.trainee_id == trainee_id,
            col(Supervision.started_on) <= day,
            col(Supervision.ended_on).is_(None) | (col(Supervision.ended_on) >= day),
        )
    ).first()


def log_hours(
    ctx: ProgramContext,
    user: UserSession,
    supervisor: str,
    on_date: date,
    minutes: int,
    kind: str = "individual",
) -> HoursView:
    """Log the caller's own supervision hours, awaiting the supervisor's co-sign.

    The supervisor must have supervised the caller on `on_date` (a pair that
    started on or before it and had not ended before it).

    Raises:
        PermissionDenied: Not a trainee (audited).
        InvalidInput: Kind, minutes, a future date, or no such supervisor then.
    """
    kind = check_kind(kind)
    check_minutes(minutes)
    if on_date > ctx.now().date():
        raise InvalidInput(f"{on_date.isoformat()} is in the future")
    with session_scope(ctx.engine) as session:
        me = user.account_id
        authorize(
            session, ctx, user, Action.HOURS_LOG, owner_id=me, object_type="hours"
        )
        sup = session.exec(
            select(Account).where(Account.username == supervisor)
        ).first()
        # One message whether or not the account exists: no probing names.
        if (
            sup is None
            or sup.id is None
            or _pair_on(session, sup.id, me, on_date) is None
        ):
            raise InvalidInput(
                f"{supervisor!r} was not your supervisor on {on_date.isoformat()}"
            )
        entry = HoursEntry(
            trainee_id=me,
            supervisor_id=sup.id,
            kind=kind,
            on_date=on_date,
            minutes=minutes,
            created_by=me,
            created_at=ctx.now(),
        )
        session.add(entry)
        session.flush()
        _record(session, ctx, user, "hours.log", entry, kind)
        return _views(session, [entry])[0]


def log_from_review(
    ctx: ProgramContext,
    user: UserSession,
    review_id: int,
    minutes: int,
    kind: str = "individual",
) -> HoursView:
    """Log hours from a signed-off review, dated the day it was signed off.

    Its trainee logs them to await co-signing; its supervisor logs them
    co-signed at once. A review gives one entry.

    Raises:
        NotFound: No such review.
        PermissionDenied: Neither the review's trainee nor its supervisor, or
            the supervisor no longer assigned (audited).
        InvalidInput: Kind, minutes, or the review is not signed off.
        Conflict: The review is logged already.
    """
    kind = check_kind(kind)
    check_minutes(minutes)
    with session_scope(ctx.engine) as session:
        review = session.exec(
            select(Review).where(Review.id == review_id).with_for_update()
        ).first()
        if review is None:
            raise NotFound(f"no review {review_id}")
        recording = session.get(Recording, review.recording_id)
        assert recording is not None
        trainee_id = recording.trainee_id
        by_supervisor = user.account_id == review.supervisor_id
        action = Action.HOURS_COSIGN if by_supervisor else Action.HOURS_LOG
        authorize(
            session,
            ctx,
            user,
            action,
            owner_id=trainee_id,
            object_type="review",
            object_id=review_id,
        )
        if review.signed_off_at is None:
            raise InvalidInput(f"review {review_id} is not signed off yet")
        logged = session.exec(
            select(HoursEntry).where(HoursEntry.review_id == review_id)
        ).first()
        if logged is not None:
            raise Conflict(
                f"review {review_id} is logged already, as entry {logged.id}"
            )
        now = ctx.now()
        entry = HoursEntry(
            trainee_id=trainee_id,
            supervisor_id=review.supervisor_id,
            kind=kind,
            on_date=review.signed_off_at.date(),
            minutes=minutes,
            review_id=review_id,
            cosigned_at=now if by_supervisor else None,
            created_by=user.account_id,
            created_at=now,
        )
        session.add(entry)
        try:
            session.flush()
        except IntegrityError:  # logged at the same moment elsewhere
            raise Conflict(f"review {review_id} has its hours logged already") from None
        _record(session, ctx, user, "hours.log", entry, f"review-{review_id}")
        if by_supervisor:
            _record(session, ctx, user, "hours.cosign", entry)
        return _views(session, [entry])[0]


def cosign(ctx: ProgramContext, user: UserSession, entry_id: int) -> HoursView:
    """Co-sign an entry as its supervisor.

    Raises:
        NotFound: No such entry.
        PermissionDenied: Not the entry's supervisor, or no longer assigned to
            the trainee (audited).
        Conflict: Co-signed already.
    """
    with session_scope(ctx.engine) as session:
        entry = _load(session, entry_id)
        authorize(
            session,
            ctx,
            user,
            Action.HOURS_COSIGN,
            owner_id=entry.trainee_id,
            object_type="hours",
            object_id=entry_id,
        )
        if entry.supervisor_id != user.account_id:
            _refuse(ctx, user, "hours.cosign", entry_id, "not-entry-supervisor")
            raise PermissionDenied(
                f"not permitted: entry {entry_id} names another supervisor"
            )
        if entry.cosigned_at is not None:
            signed_on = entry.cosigned_at.date().isoformat()
            raise Conflict(f"entry {entry_id} was co-signed on {signed_on}")
        entry.cosigned_at = ctx.now()
        session.add(entry)
        _record(session, ctx, user, "hours.cosign", entry)
        return _views(session, [entry])[0]


def remove_entry(ctx: ProgramContext, user: UserSession, entry_id: int) -> HoursView:
    """Remove one of the caller's own entries that is not co-signed.

    Raises:
        NotFound: No such entry.
        PermissionDenied: Not the entry's trainee (audited).
        Conflict: Co-signed already (the refusal is audited).
    """
    with session_scope(ctx.engine) as session:
        entry = _load(session, entry_id)
        authorize(
            session,
            ctx,
            user,
            Action.HOURS_LOG,
            owner_id=entry.trainee_id,
            object_type="hours",
            object_id=entry_id,
        )
        if entry.cosigned_at is not None:
            _refuse(ctx, user, "hours.remove", entry_id, "remove-cosigned")
            raise Conflict(
                f"entry {entry_id} is co-signed and can no longer be removed"
            )
        view = _views(session, [entry])[0]
        _record(session, ctx, user, "hours.remove", entry)
        session.delete(entry)
        return view


# --- listing ---------------------------------------------------------------------


def _visible(
    session: Session, ctx: ProgramContext, user: UserSession, trainee: str | None
) -> ColumnElement[bool] | None:
    """The condition on entries the caller may list (None: every entry).

    Raises:
        NotFound: No account named `trainee`.
        PermissionDenied: Not allowed to see them (audited).
    """
    me = user.account_id
    actor = actor_for(session, ctx, me)
    if trainee is not None:
        owner = named_trainee(session, ctx, user, trainee, Action.HOURS_VIEW)
        of_trainee = col(HoursEntry.trainee_id) == owner
        if Role.ADMIN in actor.roles or owner == me:
            return of_trainee
        return of_trainee & (col(HoursEntry.supervisor_id) == me)
    if Role.ADMIN in actor.roles:
        return None
    conditions: list[ColumnElement[bool]] = []
    if Role.TRAINEE in actor.roles:
        conditions.append(col(HoursEntry.trainee_id) == me)
    if Role.SUPERVISOR in actor.roles:
        conditions.append(
            col(HoursEntry.trainee_id).in_(sorted(actor.supervisees))
            & (col(HoursEntry.supervisor_id) == me)
        )
    if not conditions:
        authorize(session, ctx, user, Action.HOURS_VIEW, object_type="hours")
    condition = conditions[0]
    for other in conditions[1:]:
        condition = condition | other
    return condition


def _entries(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    trainee: str | None,
    since: date | None,
    until: date | None,
    kind: str | None,
) -> list[HoursEntry]:
    query = select(HoursEntry)
    visible = _visible(session, ctx, user, trainee)
    if visible is not None:
        query = query.where(visible)
    if since is not None:
        query = query.where(col(HoursEntry.on_date) >= since)
    if until is not None:
        query = query.where(col(HoursEntry.on_date) <= until)
    if kind is not None:
        query = query.where(HoursEntry.kind == kind)
    return list(
        session.exec(query.order_by(col(HoursEntry.on_date), col(HoursEntry.id)))
    )


def list_hours(
    ctx: ProgramContext,
    user: UserSession,
    *,
    trainee: str | None = None,
    since: date | None = None,
    until: date | None = None,
    kind: str | None = None,
) -> HoursReport:
    """The entries the caller may see, oldest first, with their totals.

    Args:
        trainee: Only this trainee's entries (username).
        since: Only entries on or after this date.
        until: Only entries on or before this date.
        kind: Only entries of this kind.

    Raises:
        NotFound: No account named `trainee`.
        PermissionDenied: Not allowed to see them (audited).
        InvalidInput: An unknown kind, or a period that ends before it starts.
    """
    kind = check_kind(kind) if kind is not None else None
    check_period(since, until)
    with session_scope(ctx.engine) as session:
        rows = _entries(session, ctx, user, trainee, since, until, kind)
        entries = tuple(_views(session, rows))
    return HoursReport(entries, HoursTotals.of(entries), since, until)


# --- exporting ---------------------------------------------------------------------


def _document(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    trainee: str | None,
    since: date | None,
    until: date | None,
) -> tuple[HoursDocument, int]:
    """One trainee's hours as the export lays them out, and the trainee's id."""
    check_period(since, until)
    if trainee is None:
        actor = actor_for(session, ctx, user.account_id)
        if Role.TRAINEE not in actor.roles:
            raise InvalidInput("name the trainee whose hours to export")
        me = session.get(Account, user.account_id)
        assert me is not None
        trainee = me.username
    rows = _entries(session, ctx, user, trainee, since, until, None)
    owner = session.exec(select(Account).where(Account.username == trainee)).one()
    assert owner.id is not None
    supervisors = {
        account.id: display_name(account)
        for account in session.exec(
            select(Account).where(
                col(Account.id).in_({row.supervisor_id for row in rows})
            )
        )
    }
    document = HoursDocument(
        program_name=vault.program_row(session).name,
        trainee_name=display_name(owner),
        trainee_username=owner.username,
        since=since,
        until=until,
        prepared_on=ctx.now().date(),
        rows=tuple(
            HoursRow(
                entry_id=row.id or 0,
                on_date=row.on_date,
                kind=row.kind,
                minutes=row.minutes,
                supervisor=supervisors[row.supervisor_id],
                cosigned_on=row.cosigned_at.date() if row.cosigned_at else None,
                review_id=row.review_id,
            )
            for row in rows
        ),
        page_size=ctx.settings.page_size,
    )
    return document, owner.id


def _render(document: HoursDocument, fmt: str) -> bytes:
    """The document as PDF or CSV bytes (`fmt` checked by the caller).

    Raises:
        Unavailable: The PDF font is not installed.
    """
    from supervise.export.fonts import FontMissing
    from supervise.export.hours_pdf import render_hours_pdf

    if fmt == "csv":
        return hours_csv(document).encode("utf-8")
    out = io.BytesIO()
    try:
        render_hours_pdf(document, out)
    except FontMissing as exc:
        raise Unavailable(str(exc)) from None
    return out.getvalue()


def export_hours(
    ctx: ProgramContext,
    user: UserSession,
    target: Path,
    fmt: str,
    *,
    trainee: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> HoursDocument:
    """Write one trainee's hours as a new private (0600) PDF or CSV file.

    Rendered in memory, audited as `hours.export` (the trainee's id, the
    format and the number of entries), then written whole.

    Raises:
        As `list_hours`; InvalidInput: No trainee named by a non-trainee, an
        unknown format, or a folder that does not exist; Conflict: The file
        exists; Unavailable: The PDF font is not installed.
    """
    from supervise.services.recordings import check_new_output, new_output

    if fmt not in FORMATS:
        raise InvalidInput(f"the format is one of: {', '.join(FORMATS)}")
    check_new_output(Path(target))
    with session_scope(ctx.engine) as session:
        document, owner_id = _document(session, ctx, user, trainee, since, until)
        data = _render(document, fmt)
        audit.record(
            session,
            ctx,
            user.who,
            "hours.export",
            object_type="account",
            object_id=owner_id,
            reason=f"{fmt}-{len(document.rows)}-entries",
        )
    with new_output(Path(target)) as out:
        out.write(data)
    return document
