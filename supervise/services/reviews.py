"""Reviews: a supervisor's time-coded comments, rubric ratings and feedback.

A supervisor reviews a recording they may open (a trainee of theirs in a pair
not yet ended, or one shared with them): comments at points in the recording,
a score per rubric item, and written feedback, then signs the review off,
which locks it and shows it to the trainee. One review per supervisor and
recording; a draft is the supervisor's alone.

The clinical text (comments, feedback, ratings) is sealed under the
recording's keys (`crypto.sealedfields`), each value under a field name that
carries the review's or the comment's id, so a sealed value cannot be moved
to another review or comment. Opening a review therefore needs the caller's
grant on the recording, as exporting it does: a supervisor loses it when the
pair ends, the trainee keeps it. Audit rows hold ids and codes, never text.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from supervise.crypto.recording_keys import ObjectKeys
from supervise.crypto.sealedfields import SealedFieldError, open_field, seal_field
from supervise.crypto.sealing import ObjectKind
from supervise.models.accounts import Account, Role, Supervision
from supervise.models.audit import Outcome
from supervise.models.clinical import (
    Client,
    Grant,
    GrantVia,
    Recording,
    RecordingState,
    Review,
    ReviewComment,
    RubricItem,
)
from supervise.models.database import session_scope
from supervise.services import audit, recordings, rubric, vault
from supervise.services.accounts import (
    UserSession,
    active_pairs_query,
    actor_for,
    authorize,
    named_trainee,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from supervise.services.policy import Action

MAX_COMMENT = 4000
MAX_FEEDBACK = 20000
MAX_PAGE = 500
COUNT_CAP = 500
"""The queue counts waiting recordings up to this many, then says "500+":
an exact count would cost a pass over every waiting row on each page."""

A_COMMENT = "review.comment"
A_RATE = "review.rate"
A_FEEDBACK = "review.feedback"
A_SIGN_OFF = "review.sign_off"
A_VIEW = "review.view"


# --- what callers see ----------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A recording waiting for the caller's review."""

    recording_id: int
    trainee: str
    case_code: str
    purpose: str
    duration_seconds: float | None
    imported_at: datetime
    waited: timedelta
    review_id: int | None
    """The caller's draft review, if started."""
    comments: int
    """Comments in that draft."""


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, and how many recordings wait in all."""

    items: list[QueueItem]
    total: int
    """How many wait, counted up to `COUNT_CAP` (or a little past the page)."""
    offset: int
    more_than_total: bool = False
    """More than `total` wait: the count stopped at its cap."""


@dataclass(frozen=True)
class CommentView:
    """One time-coded comment, opened."""

    id: int
    at_seconds: float
    text: str
    author: str
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True)
class Rating:
    """One rubric item's score; None: not observed (when `rated`) or not
    rated yet."""

    code: str
    label: str
    score: int | None
    rated: bool = True
    """The supervisor gave this item a score or marked it not observed."""


@dataclass(frozen=True)
class ReviewView:
    """A review, opened (or the empty start of one)."""

    id: int | None
    recording_id: int
    supervisor: str
    trainee: str
    case_code: str
    purpose: str
    media_type: str
    duration_seconds: float | None
    imported_at: datetime
    comments: tuple[CommentView, ...]
    ratings: tuple[Rating, ...]
    feedback: str
    signed_off_at: datetime | None
    editable: bool
    play_hint: str

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready data (it holds clinical text)."""
        return {
            "id": self.id,
            "recording_id": self.recording_id,
            "supervisor": self.supervisor,
            "trainee": self.trainee,
            "case_code": self.case_code,
            "purpose": self.purpose,
            "media_type": self.media_type,
            "duration_seconds": self.duration_seconds,
            "imported_at": self.imported_at.isoformat(),
            "comments": [
                {
                    "id": c.id,
                    "at_seconds": c.at_seconds,
                    "text": c.text,
                    "author": c.author,
                    "created_at": c.created_at.isoformat(),
                    "updated_at": c.updated_at.isoformat() if c.updated_at else None,
                }
                for c in self.comments
            ],
            "ratings": [
                {"code": r.code, "label": r.label, "score": r.score, "rated": r.rated}
                for r in self.ratings
            ],
            "feedback": self.feedback,
            "signed_off_at": self.signed_off_at.isoformat()
            if self.signed_off_at
            else None,
            "editable": self.editable,
        }


@dataclass(frozen=True)
class FeedbackItem:
    """A signed-off review of one of the caller's recordings."""

    review_id: int
    recording_id: int
    case_code: str
    supervisor: str
    signed_off_at: datetime
    new: bool
    """Not yet opened by the trainee."""


@dataclass(frozen=True)
class ReviewSummary:
    """A review as `supervise review list` shows it: no clinical text."""

    id: int
    recording_id: int
    trainee: str
    supervisor: str
    case_code: str
    comments: int
    signed_off_at: datetime | None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {
            "id": self.id,
            "recording_id": self.recording_id,
            "trainee": self.trainee,
            "supervisor": self.supervisor,
            "case_code": self.case_code,
            "comments": self.comments,
            "signed_off_at": self.signed_off_at.isoformat()
            if self.signed_off_at
            else None,
        }


# --- checks ------------------------------------------------------------------------


def _clean_text(text: str, what: str, limit: int, *, required: bool) -> str:
    """Text as typed, without control characters other than line breaks."""
    value = text.replace("\r\n", "\n").strip()
    if required and not value:
        raise InvalidInput(f"the {what} is empty")
    if len(value) > limit:
        raise InvalidInput(f"the {what} is at most {limit} characters")
    if any(not (ch.isprintable() or ch in "\n\t") for ch in value):
        raise InvalidInput(f"the {what} holds characters that cannot be shown")
    return value


def _check_at(at_seconds: float, recording: Recording) -> float:
    value = float(at_seconds)
    if not math.isfinite(value) or value < 0:
        raise InvalidInput("the time is a point in the recording, from 0:00")
    length = recording.duration_seconds
    if length is not None and value > length + 1:
        raise InvalidInput("the time is after the end of the recording")
    return round(value, 3)


def play_hint(recording_id: int, username: str) -> str:
    """How `username` plays a recording from a shell or over SSH."""
    user = shlex.quote(username)
    return (
        f"supervise recording export {recording_id} -o - --as {user} | mpv -   "
        f"(over SSH: ssh {user}@SERVER export {recording_id} | mpv -)"
    )


# --- helpers --------------------------------------------------------------------------


def _feedback_field(review_id: int) -> str:
    return f"review.{review_id}.feedback"


def _ratings_field(review_id: int) -> str:
    return f"review.{review_id}.ratings"


def _comment_field(comment_id: int) -> str:
    return f"comment.{comment_id}"


def _deny(
    ctx: ProgramContext,
    user: UserSession,
    action: str,
    object_type: str,
    object_id: object,
    reason: str,
) -> None:
    audit.record_alone(
        ctx,
        user.who,
        action,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )


def _open_keys(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    recording: Recording,
    action: Action,
) -> ObjectKeys:
    """The recording's keys through the caller's grant, or refuse (audited)."""

    def opener(session: Session, target: vault.Sealed) -> ObjectKeys:
        return vault.open_for_user(session, ctx, user, target)

    keys, _ = recordings.open_keys(session, ctx, user.who, recording, action, opener)
    return keys


def _writer_keys(
    session: Session, ctx: ProgramContext, user: UserSession, recording: Recording
) -> ObjectKeys:
    """Keys for writing a review: a supervisor with a grant that counts."""
    if Role.SUPERVISOR not in actor_for(session, ctx, user.account_id).roles:
        authorize(
            session,
            ctx,
            user,
            Action.REVIEW_WRITE,
            owner_id=recording.trainee_id,
            object_type="recording",
            object_id=recording.id,
        )
    return _open_keys(session, ctx, user, recording, Action.REVIEW_WRITE)


def _own_review(
    session: Session, recording_id: int, supervisor_id: int
) -> Review | None:
    """The supervisor's review of the recording, its row locked (PostgreSQL)
    so that a sign-off and a write cannot cross."""
    return session.exec(
        select(Review)
        .where(
            Review.recording_id == recording_id, Review.supervisor_id == supervisor_id
        )
        .with_for_update()
    ).first()


def _refuse_signed(
    ctx: ProgramContext, user: UserSession, review: Review, action: str
) -> Conflict:
    _deny(ctx, user, action, "review", review.id, "signed-off")
    assert review.signed_off_at is not None
    return Conflict(
        f"review {review.id} was signed off on {review.signed_off_at:%Y-%m-%d}: "
        "it can no longer be edited"
    )


def _draft(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    recording: Recording,
    action: str,
    *,
    create: bool,
) -> Review | None:
    """The caller's unsigned review of `recording`, made when `create`."""
    assert recording.id is not None
    review = _own_review(session, recording.id, user.account_id)
    if review is not None and review.signed_off_at is not None:
        raise _refuse_signed(ctx, user, review, action)
    if review is None and create:
        review = Review(
            recording_id=recording.id,
            supervisor_id=user.account_id,
            created_at=ctx.now(),
        )
        session.add(review)
        try:
            session.flush()
        except IntegrityError:  # started at the same moment elsewhere (CLI, TUI)
            raise Conflict(
                f"your review of recording {recording.id} was started elsewhere "
                "at the same moment: try again"
            ) from None
    return review


def _unseal(
    ctx: ProgramContext,
    user: UserSession,
    keys: ObjectKeys,
    field: str,
    sealed: bytes,
    review_id: int | None,
) -> str:
    try:
        return open_field(keys, field, sealed).decode("utf-8")
    except (SealedFieldError, UnicodeDecodeError):
        audit.record_alone(
            ctx,
            user.who,
            A_VIEW,
            object_type="review",
            object_id=review_id,
            outcome=Outcome.ERROR,
            reason="sealed-field-tampered",
        )
        raise vault.KeyTampered(
            f"review {review_id} does not open: a sealed value has been altered "
            "or moved; the attempt is on the audit record"
        ) from None


def _stored_ratings(
    ctx: ProgramContext, user: UserSession, keys: ObjectKeys, review: Review
) -> list[Rating]:
    if review.ratings_sealed is None or review.id is None:
        return []
    text = _unseal(
        ctx, user, keys, _ratings_field(review.id), review.ratings_sealed, review.id
    )
    data: list[dict[str, Any]] = json.loads(text)
    return [Rating(str(r["code"]), str(r["label"]), r["score"]) for r in data]


def _username(session: Session, account_id: int | None) -> str:
    account = session.get(Account, account_id) if account_id is not None else None
    return account.username if account else "?"


def _comment_view(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    keys: ObjectKeys,
    comment: ReviewComment,
) -> CommentView:
    assert comment.id is not None
    text = _unseal(
        ctx,
        user,
        keys,
        _comment_field(comment.id),
        comment.text_sealed,
        comment.review_id,
    )
    return CommentView(
        comment.id,
        comment.at_seconds,
        text,
        _username(session, comment.author_id),
        comment.created_at,
        comment.updated_at,
    )


def _comments(session: Session, review_id: int) -> list[ReviewComment]:
    return list(
        session.exec(
            select(ReviewComment)
            .where(ReviewComment.review_id == review_id)
            .order_by(col(ReviewComment.at_seconds), col(ReviewComment.id))
        )
    )


def _view(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    keys: ObjectKeys,
    recording: Recording,
    review: Review | None,
    supervisor_id: int,
) -> ReviewView:
    assert recording.id is not None
    client = session.get(Client, recording.client_id)
    comments: tuple[CommentView, ...] = ()
    feedback = ""
    stored: list[Rating] = []
    if review is not None and review.id is not None:
        comments = tuple(
            _comment_view(session, ctx, user, keys, c)
            for c in _comments(session, review.id)
        )
        if review.feedback_sealed is not None:
            feedback = _unseal(
                ctx,
                user,
                keys,
                _feedback_field(review.id),
                review.feedback_sealed,
                review.id,
            )
        stored = _stored_ratings(ctx, user, keys, review)
    signed = review.signed_off_at if review is not None else None
    if signed is not None:
        ratings = tuple(stored)
    else:
        scores = {r.code: r.score for r in stored}
        ratings = tuple(
            Rating(item.code, item.label, scores.get(item.code), item.code in scores)
            for item in rubric.current_items(session)
        )
    return ReviewView(
        review.id if review is not None else None,
        recording.id,
        _username(session, supervisor_id),
        _username(session, recording.trainee_id),
        client.case_code if client else "?",
        recording.purpose,
        recording.media_type,
        recording.duration_seconds,
        recording.created_at,
        comments,
        ratings,
        feedback,
        signed,
        signed is None and supervisor_id == user.account_id,
        play_hint(recording.id, user.username),
    )


def _touch(session: Session, ctx: ProgramContext, review: Review) -> None:
    review.updated_at = ctx.now()
    session.add(review)


def _record(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    action: str,
    review: Review,
    reason: str = "",
) -> None:
    audit.record(
        session,
        ctx,
        user.who,
        action,
        object_type="review",
        object_id=review.id,
        reason=reason,
    )


def reseal(
    session: Session, old: ObjectKeys, new: ObjectKeys, recording_id: int
) -> int:
    """Seal every review value of a re-keyed recording again under its new
    keys, in the re-key's transaction; returns how many values.

    Raises:
        vault.KeyTampered: A value does not open with the old keys (the
            re-key is then rolled back, losing nothing).
    """

    def again(field: str, sealed: bytes) -> bytes:
        try:
            return seal_field(new, field, open_field(old, field, sealed))
        except SealedFieldError:
            raise vault.KeyTampered(
                f"a review of recording {recording_id} does not open: a sealed "
                "value has been altered or moved; nothing was re-keyed"
            ) from None

    count = 0
    found = session.exec(select(Review).where(Review.recording_id == recording_id))
    for review in found:
        assert review.id is not None
        if review.feedback_sealed is not None:
            field = _feedback_field(review.id)
            review.feedback_sealed = again(field, review.feedback_sealed)
            count += 1
        if review.ratings_sealed is not None:
            field = _ratings_field(review.id)
            review.ratings_sealed = again(field, review.ratings_sealed)
            count += 1
        session.add(review)
        for comment in _comments(session, review.id):
            assert comment.id is not None
            field = _comment_field(comment.id)
            comment.text_sealed = again(field, comment.text_sealed)
            session.add(comment)
            count += 1
    return count


# --- the queue ---------------------------------------------------------------------


def _queue_filter(ctx: ProgramContext, user: UserSession, trainee_id: int | None):  # type: ignore[no-untyped-def]
    """The WHERE clause of the caller's queue over `Grant` joined to
    `Recording` (see `queue`)."""
    now = ctx.now()
    supervisees = (
        active_pairs_query(now.date())
        .where(Supervision.supervisor_id == user.account_id)
        .with_only_columns(col(Supervision.trainee_id))
    )
    counts = (col(Grant.via) == GrantVia.SHARE.value) | (
        (col(Grant.via) == GrantVia.SUPERVISOR.value)
        & col(Recording.trainee_id).in_(supervisees)
    )
    signed = (
        select(Review.id)
        .where(
            Review.recording_id == Recording.id,
            Review.supervisor_id == user.account_id,
            col(Review.signed_off_at).is_not(None),
        )
        .exists()
    )
    clauses: list[ColumnElement[bool]] = [
        col(Grant.grantee_id) == user.account_id,
        col(Grant.object_type) == ObjectKind.RECORDING.value,
        col(Grant.wrapped_secret).is_not(None),
        col(Grant.revoked_at).is_(None),
        col(Grant.expires_at).is_(None) | (col(Grant.expires_at) > now),
        counts,
        col(Recording.state) == RecordingState.ACTIVE.value,
        ~signed,
    ]
    if trainee_id is not None:
        clauses.append(col(Recording.trainee_id) == trainee_id)
    return and_(*clauses)


def _mine(user: UserSession):  # type: ignore[no-untyped-def]
    return and_(
        col(Review.recording_id) == Recording.id,
        col(Review.supervisor_id) == user.account_id,
    )


def queue(
    ctx: ProgramContext,
    user: UserSession,
    *,
    offset: int = 0,
    limit: int = 50,
    trainee: str | None = None,
) -> QueuePage:
    """The recordings waiting for the caller's review, oldest first (in the
    order they were imported).

    Active recordings with a live grant to the caller that counts (as their
    supervisor while the pair is active, or shared with them), that the
    caller has not signed a review of. One query finds the page in SQL
    (LIMIT and OFFSET) and counts the matches up to `COUNT_CAP` (or two
    pages past `offset`, if further) in the same pass; `more_than_total`
    says the count stopped there. A second query counts only when the page
    is empty. No row beyond the page is loaded.

    Raises:
        PermissionDenied: Not a supervisor, or `trainee` is not the caller's
            (audited).
        NotFound: No account named `trainee`.
        InvalidInput: A negative offset or a limit outside 1 to 500.
    """
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"the page is 1 to {MAX_PAGE} rows from offset 0 up")
    with session_scope(ctx.engine) as session:
        if Role.SUPERVISOR not in actor_for(session, ctx, user.account_id).roles:
            authorize(session, ctx, user, Action.REVIEW_WRITE, object_type="recording")
        trainee_id = None
        if trainee is not None:
            trainee_id = named_trainee(session, ctx, user, trainee, Action.REVIEW_WRITE)
        where = _queue_filter(ctx, user, trainee_id)
        # The caller's grants, in the order their recordings were imported
        # (ids rise with each import), give the oldest matches up to the
        # count's cap, which always reaches past the page: the database walks
        # the caller's grants by recording id and stops there. The page is
        # cut from those; names, case codes and drafts are joined to its rows
        # only.
        cap = max(COUNT_CAP, offset + 2 * limit)
        matches = (
            sa_select(col(Grant.object_id).label("id"))
            .distinct()
            .join(Recording, col(Recording.id) == Grant.object_id)
            .where(where)
            .order_by(col(Grant.object_id))
            .limit(cap + 1)
            .cte("matches")
        )
        ids = (
            sa_select(matches.c.id)
            .order_by(matches.c.id)
            .offset(offset)
            .limit(limit)
            .subquery()
        )
        counted = sa_select(func.count()).select_from(matches).scalar_subquery()
        comments = (
            select(func.count(col(ReviewComment.id)))
            .where(ReviewComment.review_id == Review.id)
            .scalar_subquery()
        )
        page = session.execute(
            sa_select(
                col(Recording.id),
                col(Account.username),
                col(Client.case_code),
                col(Recording.purpose),
                col(Recording.duration_seconds),
                col(Recording.created_at),
                col(Review.id),
                comments,
                counted,
            )
            .select_from(Recording)
            .join(ids, ids.c.id == Recording.id)
            .join(Client, col(Client.id) == Recording.client_id)
            .join(Account, col(Account.id) == Recording.trainee_id)
            .outerjoin(Review, _mine(user))
            .order_by(col(Recording.id))
        ).all()
        if page:
            total = int(page[0][-1])
        else:  # past the end, or nothing waits: the count alone
            total = int(
                session.execute(
                    sa_select(func.count()).select_from(matches)
                ).scalar_one()
            )
        now = ctx.now()
        items = []
        for row in page:
            rid, username, case_code, purpose, length, created, review_id, count, _ = (
                row
            )
            items.append(
                QueueItem(
                    int(rid),
                    str(username),
                    str(case_code),
                    str(purpose),
                    length,
                    created,
                    now - created,
                    review_id,
                    int(count or 0) if review_id is not None else 0,
                )
            )
        return QueuePage(items, min(total, cap), offset, total > cap)


# --- opening a review ---------------------------------------------------------------


def open_review(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    supervisor: str | None = None,
) -> ReviewView:
    """Open a review of a recording (audited as `review.view`).

    A supervisor opens their own review, started or not, of a recording they
    may open; naming another supervisor opens that one's signed-off review. A
    trainee opens a signed-off review of their own recording, by `supervisor`
    when there are several, and it stops being new. Drafts are their
    author's alone.

    Raises:
        NotFound: No such recording, or no review the caller may see.
        InvalidInput: Several supervisors reviewed it: name one.
        PermissionDenied, vault.ObjectGone, vault.KeyTampered (audited).
    """
    with session_scope(ctx.engine) as session:
        recording = recordings.load_recording(session, recording_id)
        assert recording.id is not None
        owner = recording.trainee_id == user.account_id
        if not owner and supervisor in (None, user.username):
            keys = _open_keys(session, ctx, user, recording, Action.REVIEW_VIEW)
            review = _own_review(session, recording.id, user.account_id)
            reviewer_id = user.account_id
        else:
            review = _signed_review(session, ctx, user, recording, supervisor)
            keys = _open_keys(session, ctx, user, recording, Action.REVIEW_VIEW)
            reviewer_id = review.supervisor_id
            if owner and review.trainee_seen_at is None:
                review.trainee_seen_at = ctx.now()
                session.add(review)
        view = _view(session, ctx, user, keys, recording, review, reviewer_id)
        audit.record(
            session,
            ctx,
            user.who,
            A_VIEW,
            object_type="review" if review is not None else "recording",
            object_id=review.id if review is not None else recording.id,
        )
        return view


def _signed_review(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    recording: Recording,
    supervisor: str | None,
) -> Review:
    """The one signed-off review of `recording` a reader asks for.

    A caller who may not see the recording's reviews at all is refused
    (audited) before anything is said about them, supervisors' names included.
    """
    authorize(
        session,
        ctx,
        user,
        Action.REVIEW_VIEW,
        owner_id=recording.trainee_id,
        object_type="recording",
        object_id=recording.id,
    )
    query = select(Review).where(
        Review.recording_id == recording.id, col(Review.signed_off_at).is_not(None)
    )
    if supervisor is not None:
        query = query.join(Account, col(Account.id) == Review.supervisor_id).where(
            Account.username == supervisor
        )
    found = list(session.exec(query.order_by(col(Review.signed_off_at))))
    if not found:
        who = f" by {supervisor}" if supervisor else ""
        raise NotFound(f"recording {recording.id} has no signed-off review{who}")
    if len(found) > 1:
        names = ", ".join(_username(session, r.supervisor_id) for r in found)
        raise InvalidInput(
            f"recording {recording.id} has reviews by {names}: name the supervisor"
        )
    return found[0]


def open_review_with_escrow(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    supervisor: str | None,
    escrow_private: X25519PrivateKey,
    reason: str,
) -> ReviewView:
    """An admin reads a signed-off review with the program's offline escrow
    key (break glass): after a pair has ended, say. The stated reason is kept
    (`StatedReason`) and the reading audited as `review.view` naming it.

    Raises:
        InvalidInput: No reason, or several reviews and no `supervisor`.
        NotFound, PermissionDenied (audited), vault.ObjectGone,
        vault.KeyTampered (a wrong escrow key too; audited).
    """
    text = recordings.check_reason(reason)
    # The reason is kept before the key is tried, as for break-glass: a
    # failed attempt stays on record with what was said.
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.BREAK_GLASS,
            object_type="recording",
            object_id=recording_id,
        )
        recording = recordings.load_recording(session, recording_id)
        review = _signed_review(session, ctx, user, recording, supervisor)
        assert review.id is not None
        code = recordings.state_reason(
            session, user, A_VIEW, review.id, text, object_type="review"
        )
        session.commit()

    def opener(session: Session, target: vault.Sealed) -> ObjectKeys:
        return vault.open_with_escrow(session, ctx, user.who, target, escrow_private)

    with session_scope(ctx.engine) as session:
        recording = recordings.load_recording(session, recording_id)
        signed = session.get(Review, review.id)
        assert signed is not None
        keys, _ = recordings.open_keys(
            session, ctx, user.who, recording, Action.BREAK_GLASS, opener
        )
        view = _view(session, ctx, user, keys, recording, signed, signed.supervisor_id)
        _record(session, ctx, user, A_VIEW, signed, f"escrow-{code}")
        return view


# --- writing a review -------------------------------------------------------------


def add_comment(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    at_seconds: float,
    text: str,
) -> CommentView:
    """Add a time-coded comment to the caller's review (started if need be).

    Raises:
        NotFound, InvalidInput, Conflict (signed off, audited),
        PermissionDenied, vault.ObjectGone (audited).
    """
    with session_scope(ctx.engine) as session:
        recording = recordings.load_recording(session, recording_id)
        keys = _writer_keys(session, ctx, user, recording)
        at = _check_at(at_seconds, recording)
        value = _clean_text(text, "comment", MAX_COMMENT, required=True)
        review = _draft(session, ctx, user, recording, A_COMMENT, create=True)
        assert review is not None and review.id is not None
        now = ctx.now()
        comment = ReviewComment(
            review_id=review.id,
            author_id=user.account_id,
            at_seconds=at,
            text_sealed=b"",
            created_at=now,
        )
        session.add(comment)
        session.flush()
        assert comment.id is not None
        comment.text_sealed = seal_field(
            keys, _comment_field(comment.id), value.encode("utf-8")
        )
        session.add(comment)
        _touch(session, ctx, review)
        _record(session, ctx, user, A_COMMENT, review, f"add-{comment.id}")
        return CommentView(comment.id, at, value, user.username, now, None)


def _own_comment(
    session: Session, ctx: ProgramContext, user: UserSession, comment_id: int
) -> tuple[ReviewComment, Review, Recording, ObjectKeys]:
    """A comment the caller wrote in their unsigned review, with the keys.

    Raises:
        NotFound; PermissionDenied (not theirs, or no longer allowed; audited);
        Conflict (signed off; audited).
    """
    comment = session.get(ReviewComment, comment_id)
    review = session.get(Review, comment.review_id) if comment else None
    if comment is None or review is None:
        raise NotFound(f"there is no comment {comment_id}")
    if review.supervisor_id != user.account_id or comment.author_id not in (
        None,
        user.account_id,
    ):
        _deny(ctx, user, A_COMMENT, "review", review.id, "not-author")
        raise PermissionDenied(
            f"comment {comment_id} is in another supervisor's review"
        )
    recording = recordings.load_recording(session, review.recording_id)
    keys = _writer_keys(session, ctx, user, recording)
    if review.signed_off_at is not None:
        raise _refuse_signed(ctx, user, review, A_COMMENT)
    return comment, review, recording, keys


def edit_comment(
    ctx: ProgramContext,
    user: UserSession,
    comment_id: int,
    at_seconds: float,
    text: str,
) -> CommentView:
    """Change the time or text of a comment of the caller's unsigned review.

    Raises:
        NotFound, InvalidInput, Conflict, PermissionDenied (as `add_comment`).
    """
    with session_scope(ctx.engine) as session:
        comment, review, recording, keys = _own_comment(session, ctx, user, comment_id)
        comment.at_seconds = _check_at(at_seconds, recording)
        value = _clean_text(text, "comment", MAX_COMMENT, required=True)
        comment.text_sealed = seal_field(
            keys, _comment_field(comment_id), value.encode("utf-8")
        )
        comment.updated_at = ctx.now()
        session.add(comment)
        _touch(session, ctx, review)
        _record(session, ctx, user, A_COMMENT, review, f"edit-{comment_id}")
        return CommentView(
            comment_id,
            comment.at_seconds,
            value,
            user.username,
            comment.created_at,
            comment.updated_at,
        )


def delete_comment(ctx: ProgramContext, user: UserSession, comment_id: int) -> None:
    """Delete a comment of the caller's unsigned review.

    Raises:
        NotFound, Conflict, PermissionDenied (as `add_comment`).
    """
    with session_scope(ctx.engine) as session:
        comment, review, _recording, _keys = _own_comment(
            session, ctx, user, comment_id
        )
        session.delete(comment)
        _touch(session, ctx, review)
        _record(session, ctx, user, A_COMMENT, review, f"delete-{comment_id}")


def _seal_ratings(
    keys: ObjectKeys,
    review: Review,
    items: list[RubricItem],
    scores: Mapping[str, int | None],
) -> list[Rating]:
    """Store the scores of the rubric's current `items` (with their labels
    now); scores of retired items are dropped. Returns what was stored."""
    assert review.id is not None
    kept = [
        Rating(item.code, item.label, scores[item.code])
        for item in items
        if item.code in scores
    ]
    data = [{"code": r.code, "label": r.label, "score": r.score} for r in kept]
    review.ratings_sealed = (
        seal_field(keys, _ratings_field(review.id), json.dumps(data).encode("utf-8"))
        if data
        else None
    )
    return kept


def set_ratings(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    scores: Mapping[str, int | None],
) -> ReviewView:
    """Score rubric items (1 to 5, or None: not observed) in the caller's
    review; items not named keep their score.

    Raises:
        InvalidInput: An unknown or retired code, or a score outside 1..5.
        NotFound, Conflict, PermissionDenied (as `add_comment`).
    """
    with session_scope(ctx.engine) as session:
        recording = recordings.load_recording(session, recording_id)
        keys = _writer_keys(session, ctx, user, recording)
        items = rubric.current_items(session)
        known = {item.code for item in items}
        for code, score in scores.items():
            if code not in known:
                raise InvalidInput(f"the rubric has no item {code!r} in use")
            if score is not None and (
                isinstance(score, bool) or score not in rubric.SCORES
            ):
                raise InvalidInput(
                    f"a score is 1 to 5, or none for not observed (got {score!r} "
                    f"for {code})"
                )
        review = _draft(session, ctx, user, recording, A_RATE, create=True)
        assert review is not None and review.id is not None
        merged = {r.code: r.score for r in _stored_ratings(ctx, user, keys, review)}
        merged.update(scores)
        _seal_ratings(keys, review, items, merged)
        _touch(session, ctx, review)
        _record(session, ctx, user, A_RATE, review)
        return _view(session, ctx, user, keys, recording, review, user.account_id)


def set_feedback(
    ctx: ProgramContext, user: UserSession, recording_id: int, text: str
) -> ReviewView:
    """Write (or, with empty text, clear) the caller's written feedback.

    Raises:
        InvalidInput, NotFound, Conflict, PermissionDenied (as `add_comment`).
    """
    with session_scope(ctx.engine) as session:
        recording = recordings.load_recording(session, recording_id)
        keys = _writer_keys(session, ctx, user, recording)
        value = _clean_text(text, "feedback", MAX_FEEDBACK, required=False)
        review = _draft(session, ctx, user, recording, A_FEEDBACK, create=True)
        assert review is not None and review.id is not None
        review.feedback_sealed = (
            seal_field(keys, _feedback_field(review.id), value.encode("utf-8"))
            if value
            else None
        )
        _touch(session, ctx, review)
        _record(session, ctx, user, A_FEEDBACK, review)
        return _view(session, ctx, user, keys, recording, review, user.account_id)


def _empty(recording_id: int) -> InvalidInput:
    return InvalidInput(
        f"the review of recording {recording_id} is empty: add a comment, a "
        "rating or feedback before signing it off"
    )


def sign_off(ctx: ProgramContext, user: UserSession, recording_id: int) -> ReviewView:
    """Sign the caller's review off: it is locked and the trainee sees it.

    Raises:
        InvalidInput: Nothing written yet (no comment, rating or feedback).
        NotFound, Conflict (already signed off), PermissionDenied (audited).
    """
    with session_scope(ctx.engine) as session:
        recording = recordings.load_recording(session, recording_id)
        keys = _writer_keys(session, ctx, user, recording)
        review = _draft(session, ctx, user, recording, A_SIGN_OFF, create=False)
        if review is None or review.id is None:
            raise _empty(recording_id)
        # The ratings are fixed as the rubric stands now: an item retired
        # since it was rated is left out, as the draft already showed it.
        stored = {r.code: r.score for r in _stored_ratings(ctx, user, keys, review)}
        kept = _seal_ratings(keys, review, rubric.current_items(session), stored)
        # Items marked not observed say nothing by themselves.
        if (
            review.feedback_sealed is None
            and all(r.score is None for r in kept)
            and not _comments(session, review.id)
        ):
            raise _empty(recording_id)
        review.signed_off_at = ctx.now()
        _touch(session, ctx, review)
        _record(session, ctx, user, A_SIGN_OFF, review)
        return _view(session, ctx, user, keys, recording, review, user.account_id)


# --- the trainee's feedback and the lists --------------------------------------------


def _feedback_of(user: UserSession) -> ColumnElement[bool]:
    """The signed-off reviews of the caller's own recordings still kept."""
    return and_(
        col(Recording.trainee_id) == user.account_id,
        col(Recording.state) == RecordingState.ACTIVE.value,
        col(Review.signed_off_at).is_not(None),
    )


def _feedback_query(user: UserSession):  # type: ignore[no-untyped-def]
    return (
        select(Review, Recording, Client, Account)
        .join(Recording, col(Recording.id) == Review.recording_id)
        .join(Client, col(Client.id) == Recording.client_id)
        .join(Account, col(Account.id) == Review.supervisor_id)
        .where(_feedback_of(user))
    )


def feedback_for_trainee(ctx: ProgramContext, user: UserSession) -> list[FeedbackItem]:
    """The signed-off reviews of the caller's own recordings, newest first."""
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            _feedback_query(user).order_by(
                col(Review.signed_off_at).desc(), col(Review.id).desc()
            )
        ).all()
        items = []
        for review, recording, client, supervisor in rows:
            assert review.id is not None and recording.id is not None
            assert review.signed_off_at is not None
            items.append(
                FeedbackItem(
                    review.id,
                    recording.id,
                    client.case_code,
                    supervisor.username,
                    review.signed_off_at,
                    review.trainee_seen_at is None,
                )
            )
        return items


def new_feedback_count(ctx: ProgramContext, user: UserSession) -> int:
    """How many signed-off reviews of the caller's recordings are unread."""
    with session_scope(ctx.engine) as session:
        count = session.exec(
            select(func.count(col(Review.id)))
            .select_from(Review)
            .join(Recording, col(Recording.id) == Review.recording_id)
            .where(_feedback_of(user), col(Review.trainee_seen_at).is_(None))
        ).one()
        return int(count)


def list_reviews(
    ctx: ProgramContext,
    user: UserSession,
    *,
    trainee: str | None = None,
    signed: bool | None = None,
) -> list[ReviewSummary]:
    """Reviews the caller may list, newest first: a supervisor's own (of
    their current trainees' recordings, or ones shared with them), the
    signed-off reviews of a trainee's own recordings, every review for an
    admin. No clinical text.

    Raises:
        NotFound: No account named `trainee`.
        PermissionDenied: `trainee` is not the caller's, or the caller has no
            role that sees reviews (audited).
    """
    with session_scope(ctx.engine) as session:
        actor = actor_for(session, ctx, user.account_id)
        if not ({Role.TRAINEE, Role.SUPERVISOR, Role.ADMIN} & actor.roles):
            authorize(session, ctx, user, Action.REVIEW_VIEW, object_type="review")
        # A shredded recording's reviews went with its keys.
        query = (
            select(Review, Recording, Client)
            .join(Recording, col(Recording.id) == Review.recording_id)
            .join(Client, col(Client.id) == Recording.client_id)
            .where(Recording.state == RecordingState.ACTIVE.value)
        )
        if trainee is not None:
            named = named_trainee(session, ctx, user, trainee, Action.REVIEW_VIEW)
            query = query.where(Recording.trainee_id == named)
        if Role.ADMIN not in actor.roles:
            now = ctx.now()
            shared = select(Grant.object_id).where(
                Grant.object_type == ObjectKind.RECORDING.value,
                Grant.grantee_id == user.account_id,
                Grant.via == GrantVia.SHARE.value,
                col(Grant.wrapped_secret).is_not(None),
                col(Grant.revoked_at).is_(None),
                col(Grant.expires_at).is_(None) | (col(Grant.expires_at) > now),
            )
            visible = [
                and_(
                    col(Recording.trainee_id) == user.account_id,
                    col(Review.signed_off_at).is_not(None),
                ),
                and_(
                    col(Review.supervisor_id) == user.account_id,
                    col(Recording.trainee_id).in_(sorted(actor.supervisees))
                    | col(Recording.id).in_(shared),
                ),
            ]
            query = query.where(or_(*visible))
        if signed is True:
            query = query.where(col(Review.signed_off_at).is_not(None))
        elif signed is False:
            query = query.where(col(Review.signed_off_at).is_(None))
        rows = session.exec(
            query.order_by(col(Review.created_at).desc(), col(Review.id).desc())
        ).all()
        counted: dict[int, int] = {
            review_id: count
            for review_id, count in session.execute(
                sa_select(col(ReviewComment.review_id), func.count())
                .where(col(ReviewComment.review_id).in_([r[0].id for r in rows]))
                .group_by(col(ReviewComment.review_id))
            )
        }
        people = {r.trainee_id for _, r, _ in rows} | {
            v.supervisor_id for v, _, _ in rows
        }
        names = dict(
            session.exec(
                select(Account.id, Account.username).where(col(Account.id).in_(people))
            ).all()
        )
        summaries = []
        for review, recording, client in rows:
            assert review.id is not None and recording.id is not None
            summaries.append(
                ReviewSummary(
                    review.id,
                    recording.id,
                    names[recording.trainee_id],
                    names[review.supervisor_id],
                    client.case_code,
                    int(counted.get(review.id, 0)),
                    review.signed_off_at,
                )
            )
        return summaries


__all__ = [
    "CommentView",
    "FeedbackItem",
    "QueueItem",
    "QueuePage",
    "Rating",
    "ReviewSummary",
    "ReviewView",
    "add_comment",
    "delete_comment",
    "edit_comment",
    "feedback_for_trainee",
    "list_reviews",
    "new_feedback_count",
    "open_review",
    "open_review_with_escrow",
    "play_hint",
    "queue",
    "reseal",
    "set_feedback",
    "set_ratings",
    "sign_off",
]
