"""The owner's side of the drop box: list, discard and purge uploads.

Names are opened only with the owner's private key, held by a logged-in
session; nobody else sees them. Discarding and purging shred an upload's
header and sealed name in the database first (which alone makes it
unreadable), then delete its payload, resumably.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from supervise.crypto.keys import KeyUnwrapError, hpke_open
from supervise.models.database import session_scope
from supervise.models.remote import PendingUpload, UploadState
from supervise.services import audit
from supervise.services.accounts import UserSession, authorize
from supervise.services.context import ProgramContext
from supervise.services.dropbox import WAITING, locked_upload, name_info
from supervise.services.errors import InvalidInput, NotFound
from supervise.services.policy import Action

LOCKED_NAME = "(name sealed to an earlier key)"
"""Shown when the account's key was replaced after the upload arrived."""


@dataclass(frozen=True)
class UploadView:
    """A pending upload as its owner sees it."""

    id: int
    name: str
    """The file's name as sent, unsealed with the owner's key."""
    size_bytes: int
    received_at: datetime
    shred_after: datetime | None
    days_left: int

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready data."""
        return {
            "id": self.id,
            "name": self.name,
            "size_bytes": self.size_bytes,
            "received_at": self.received_at.isoformat(),
            "shred_after": self.shred_after.isoformat() if self.shred_after else None,
            "days_left": self.days_left,
        }


def days_left(row: PendingUpload, now: datetime) -> int:
    """Whole days (rounded up) until purge may shred the upload."""
    if row.shred_after is None:
        return 0
    seconds = (row.shred_after - now).total_seconds()
    return max(0, math.ceil(seconds / 86400))


def open_name(row: PendingUpload, user: UserSession) -> str:
    """The upload's file name, unsealed with the logged-in owner's key.

    Raises:
        InvalidInput: The session holds no private key (log in again).
    """
    if user.private_key is None:
        raise InvalidInput("log in with your password to see your uploads")
    if row.name_sealed is None:
        return ""
    try:
        raw = hpke_open(row.name_sealed, user.private_key, name_info(row.uid))
    except KeyUnwrapError:
        return LOCKED_NAME
    return raw.decode("utf-8", "replace")


def owned_upload(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    upload_id: int,
    action: Action,
) -> PendingUpload:
    """The caller's own upload, refused (and audited) for anyone else.

    Raises:
        NotFound: No such upload (or not pending any more).
        PermissionDenied: Not the caller's (audited).
    """
    row = session.get(PendingUpload, upload_id)
    if row is None:
        raise NotFound(f"there is no upload {upload_id} waiting in your inbox")
    authorize(
        session,
        ctx,
        user,
        action,
        owner_id=row.account_id,
        object_type="pending_upload",
        object_id=upload_id,
    )
    if row.state != UploadState.PENDING:
        raise NotFound(f"there is no upload {upload_id} waiting in your inbox")
    return row


def list_uploads(ctx: ProgramContext, user: UserSession) -> list[UploadView]:
    """The caller's pending uploads, oldest first, with their real names.

    Raises:
        PermissionDenied: Not a trainee (audited).
        InvalidInput: The session holds no private key.
    """
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.UPLOAD_LIST,
            owner_id=user.account_id,
            object_type="pending_upload",
        )
        now = ctx.now()
        return [
            UploadView(
                row.id or 0,
                open_name(row, user),
                row.size_bytes,
                row.received_at,
                row.shred_after,
                days_left(row, now),
            )
            for row in pending_rows(session, user.account_id)
        ]


def pending_rows(session: Session, account_id: int) -> list[PendingUpload]:
    """An account's pending uploads, oldest first (no names opened)."""
    query = (
        select(PendingUpload)
        .where(PendingUpload.account_id == account_id)
        .where(PendingUpload.state == UploadState.PENDING)
        .order_by(col(PendingUpload.received_at), col(PendingUpload.id))
    )
    return list(session.exec(query))


def pending_count(ctx: ProgramContext, account_id: int) -> int:
    """How many uploads wait in an account's inbox (for a note on its home)."""
    with session_scope(ctx.engine) as session:
        return len(pending_rows(session, account_id))


def discard_upload(ctx: ProgramContext, user: UserSession, upload_id: int) -> None:
    """Shred one of the caller's pending uploads: header, name and payload.

    Raises:
        NotFound, PermissionDenied (audited).
    """
    with session_scope(ctx.engine) as session:
        owned_upload(session, ctx, user, upload_id, Action.UPLOAD_DISCARD)
        row = locked_upload(session, upload_id)
        assert row is not None
        _forget(row, UploadState.SHREDDED)
        session.add(row)
        audit.record(
            session,
            ctx,
            user.who,
            "upload.discard",
            object_type="pending_upload",
            object_id=upload_id,
        )
        session.commit()
    remove_payload(ctx, upload_id)


def _forget(row: PendingUpload, state: UploadState) -> None:
    """Drop the header and sealed name (the payload goes after the commit)."""
    row.state = state
    row.age_header = None
    row.name_sealed = None


def remove_payload(ctx: ProgramContext, upload_id: int) -> None:
    """Delete a finished upload's payload and clear its name from the row.

    Resumable: purge repeats it for any finished row that still names one.
    """
    with session_scope(ctx.engine) as session:
        row = session.get(PendingUpload, upload_id)
        if row is None or not row.blob_name or row.state in WAITING:
            return
        blob_name = row.blob_name
    ctx.blobs.remove(blob_name)
    with session_scope(ctx.engine) as session:
        row = session.get(PendingUpload, upload_id)
        assert row is not None
        row.blob_name = ""
        session.add(row)
        session.commit()


# --- purge ---------------------------------------------------------------


def purge_uploads(ctx: ProgramContext, who: audit.Who, *, dry_run: bool) -> int:
    """Shred every upload past its keep time; return how many (would be).

    Uploads still arriving after the keep time are stale and shredded too
    (their writer, if alive, then aborts). Payloads left behind by an
    interrupted attach or discard are removed as well.
    """
    now = ctx.now()
    with session_scope(ctx.engine) as session:
        due = session.exec(
            select(PendingUpload)
            .where(col(PendingUpload.state).in_([str(s) for s in WAITING]))
            .where(col(PendingUpload.shred_after).is_not(None))
            .where(col(PendingUpload.shred_after) < now)
            .order_by(col(PendingUpload.id))
        ).all()
        ids = [row.id or 0 for row in due]
        if dry_run:
            return len(ids)
        for row in due:
            _forget(row, UploadState.SHREDDED)
            session.add(row)
            audit.record(
                session,
                ctx,
                who,
                "upload.shred",
                object_type="pending_upload",
                object_id=row.id,
                reason="keep-time",
            )
        session.commit()
        leftover = session.exec(
            select(PendingUpload.id)
            .where(PendingUpload.blob_name != "")
            .where(col(PendingUpload.state).not_in([str(s) for s in WAITING]))
        ).all()
    for upload_id in sorted(set(ids) | {i for i in leftover if i is not None}):
        remove_payload(ctx, upload_id)
    return len(ids)
