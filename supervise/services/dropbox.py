"""The drop box: files a trainee copies into their SSH inbox, encrypted on arrival.

An upload is written as it arrives: the bytes go through a `PayloadSealer`
into a locked temporary file in the blob store, sealed chunk by chunk under
a fresh file key, and that key is wrapped in an age header to the trainee's
account public key, which the server holds without any password. So the
payload never exists as plaintext on disk, and only the trainee (with their
password, in a logged-in session) can open it again. The file's name is
sealed to the same key. A clean close stores the header and marks the upload
`pending`; a dropped connection leaves no payload and marks it `aborted`.

The server does see the bytes in memory while it encrypts them (at most one
64 KiB chunk at a time): "encrypted as it arrives" protects the disk and
backups, not a compromised running server.

Attaching an upload (`supervise.services.dropbox_attach`) decrypts it as a
stream into the ordinary recording import. Pending uploads not attached
within `dropbox_keep_days` are shredded by `purge`.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from supervise.crypto.age import FileKey, X25519Recipient, new_header
from supervise.crypto.age.pushing import PayloadSealer
from supervise.crypto.binding import binding_stanza
from supervise.crypto.keys import KeyUnwrapError, hpke_open, hpke_seal
from supervise.crypto.sealing import context
from supervise.models.accounts import Account
from supervise.models.audit import Outcome
from supervise.models.database import session_scope
from supervise.models.remote import PendingUpload, UploadState
from supervise.services import audit
from supervise.services.accounts import UserSession, authorize, roles_of
from supervise.services.blobs import PendingBlob, new_blob_name
from supervise.services.context import ProgramContext
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceError,
)
from supervise.services.policy import Action

log = logging.getLogger(__name__)

MAX_PENDING_UPLOADS = 20
"""Uploads one account may have waiting (or arriving) at once."""
MAX_PENDING_BYTES = 64 * 1024**3
"""Bytes one account may have waiting (or arriving) at once, all uploads
together: a day's recordings fit, a full disk does not."""
MAX_NAME_BYTES = 255
_NAME_LABEL = "supervise/upload-name/v1"
_WAITING = (UploadState.RECEIVING, UploadState.PENDING)
LOCKED_NAME = "(name sealed to an earlier key)"
"""Shown when the account's key was replaced after the upload arrived."""


class QuotaExceeded(ServiceError):
    """The account's drop box is full: attach or discard uploads first."""


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


def _name_info(uid: str) -> bytes:
    return context(_NAME_LABEL, uid)


def check_name(name: bytes) -> bytes:
    """A file name an upload may carry: one path part, no NUL.

    Raises:
        InvalidInput: Empty, too long, `.`/`..`, or with `/` or NUL in it.
    """
    if not 0 < len(name) <= MAX_NAME_BYTES or name in (b".", b".."):
        raise InvalidInput(f"a file name is 1 to {MAX_NAME_BYTES} bytes")
    if b"/" in name or b"\x00" in name:
        raise InvalidInput("the inbox has no folders: send a file, not a path")
    return name


def inbox_user(ctx: ProgramContext, account_id: int) -> UserSession:
    """The account as the SSH inbox acts for it: no password, so no private
    key; it can only add uploads, never open one.

    Raises:
        NotFound: The account no longer exists.
    """
    with session_scope(ctx.engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound("this account no longer exists")
        roles = roles_of(session, account_id)
        return UserSession(account_id, account.username, roles, False)


def _waiting_totals(session: Session, account_id: int) -> tuple[int, int]:
    """How many uploads the account has waiting or arriving, and their bytes."""
    count, total = session.exec(
        select(func.count(), func.coalesce(func.sum(PendingUpload.size_bytes), 0))
        .where(PendingUpload.account_id == account_id)
        .where(col(PendingUpload.state).in_([str(s) for s in _WAITING]))
    ).one()
    return int(count), int(total)


class UploadWriter:
    """One upload being received: encrypt as it arrives, store on `finish`.

    Use `start` to make one; then `write` the bytes in order and `finish`,
    or `abort` if the transfer did not complete. Every outcome is audited.
    """

    def __init__(self, ctx: ProgramContext, user: UserSession, name: bytes) -> None:
        """Use `start`."""
        self.ctx = ctx
        self.user = user
        self.name = check_name(name)
        self.upload_id = 0
        self.closed = False
        self._others = 0
        self._recipient: X25519Recipient | None = None
        self._file_key = FileKey.generate()
        self._uid = str(uuid.uuid4())
        self._blob = PendingBlob(ctx.blobs, self._uid, new_blob_name())
        self._sealer = PayloadSealer(self._blob.file, self._file_key)

    @classmethod
    def start(cls, ctx: ProgramContext, user: UserSession, name: bytes) -> UploadWriter:
        """Begin an upload into `user`'s own inbox.

        Raises:
            InvalidInput: A bad name.
            PermissionDenied: Not a trainee, or disabled (audited).
            QuotaExceeded: Too many uploads waiting (audited).
        """
        check_name(name)
        with session_scope(ctx.engine) as session:
            authorize(
                session,
                ctx,
                user,
                Action.UPLOAD_RECEIVE,
                owner_id=user.account_id,
                object_type="pending_upload",
            )
            count, total = _waiting_totals(session, user.account_id)
        if count >= MAX_PENDING_UPLOADS:
            _refuse_quota(ctx, user, "too-many")
        writer = cls(ctx, user, name)
        writer._others = total
        try:
            writer._insert_row()
        except BaseException:
            writer._blob.discard()
            raise
        return writer

    @property
    def size(self) -> int:
        """Bytes received so far."""
        return self._sealer.length

    def _insert_row(self) -> None:
        with session_scope(self.ctx.engine) as session:
            account = session.get(Account, self.user.account_id)
            assert account is not None
            now = self.ctx.now()
            row = PendingUpload(
                uid=self._uid,
                account_id=self.user.account_id,
                name_sealed=hpke_seal(
                    self.name, account.public_key, _name_info(self._uid)
                ),
                blob_name=self._blob.name,
                received_at=now,
                shred_after=now + timedelta(days=self.ctx.settings.dropbox_keep_days),
                state=UploadState.RECEIVING,
            )
            self._recipient = X25519Recipient(account.public_key)
            session.add(row)
            session.commit()
            assert row.id is not None
            self.upload_id = row.id

    def write(self, data: bytes) -> None:
        """Encrypt the next bytes of the file.

        Raises:
            QuotaExceeded: The account's drop box would overflow (audited;
                the upload is aborted).
        """
        if self.closed:
            raise Conflict("this upload was stopped; send the file again")
        if self._others + self.size + len(data) > MAX_PENDING_BYTES:
            self.abort("quota")
            _refuse_quota(self.ctx, self.user, "too-large")
        try:
            self._sealer.push(data)
        except BaseException:  # a full disk, say: keep nothing half-written
            self.abort("write-failed")
            raise

    def finish(self) -> int:
        """Seal the last chunk, store the header, mark the upload pending,
        and put the payload in place.

        Returns:
            The upload's id.

        Raises:
            Conflict: The upload was purged while it arrived (it is aborted).
        """
        self.commit()
        self._blob.place()
        log.info("drop box: upload %d received", self.upload_id)
        return self.upload_id

    def commit(self) -> None:
        """`finish` up to the rename: the payload synced, the row committed.

        From here a crash loses nothing: the next start renames the payload
        (`recordings.recover_interrupted`).
        """
        if self.closed:
            raise Conflict("this upload was stopped; send the file again")
        assert self._recipient is not None
        try:
            length = self._sealer.finish()
            self._blob.seal()
            header = new_header(
                self._file_key, [self._recipient], [binding_stanza(self._uid)]
            )
            self._commit_pending(header.encode(), length)
        except BaseException:
            self.abort("not-stored")
            raise
        self.closed = True

    def _commit_pending(self, header: bytes, length: int) -> None:
        with session_scope(self.ctx.engine) as session:
            row = _locked(session, self.upload_id)
            if row is None or row.state != UploadState.RECEIVING:
                raise Conflict("the upload was purged while it arrived")
            row.state = UploadState.PENDING
            row.size_bytes = length
            row.age_header = header
            session.add(row)
            audit.record(
                session,
                self.ctx,
                self.user.who,
                "upload.receive",
                object_type="pending_upload",
                object_id=self.upload_id,
                reason=f"bytes-{length}",
            )
            session.commit()
            self._blob.committed = True

    def abort(self, reason: str = "incomplete") -> None:
        """Drop the transfer: no payload is kept and the row says `aborted`.

        Safe to call more than once, and after `finish` (it does nothing).
        """
        if self.closed:
            return
        self.closed = True
        self._sealer.drop()
        self._blob.discard()
        try:
            self._mark_aborted(reason)
        except Exception:  # the payload is gone; the row waits for purge
            log.exception("drop box: upload %d not marked aborted", self.upload_id)

    def _mark_aborted(self, reason: str) -> None:
        with session_scope(self.ctx.engine) as session:
            row = _locked(session, self.upload_id)
            if row is not None and row.state == UploadState.RECEIVING:
                row.state = UploadState.ABORTED
                row.name_sealed = None
                row.blob_name = ""
                row.size_bytes = self.size
                session.add(row)
            audit.record(
                session,
                self.ctx,
                self.user.who,
                "upload.receive",
                object_type="pending_upload",
                object_id=self.upload_id,
                outcome=Outcome.ERROR,
                reason=reason,
            )
            session.commit()
        log.info("drop box: upload %d aborted (%s)", self.upload_id, reason)


def mark_interrupted(ctx: ProgramContext, uid: str) -> None:
    """An upload whose writing process died mid-way: its temporary payload is
    gone (see `recordings.recover_interrupted`), so its row says `aborted`."""
    with session_scope(ctx.engine) as session:
        query = select(PendingUpload).where(PendingUpload.uid == uid)
        row = session.exec(query.with_for_update()).first()
        if row is None or row.state != UploadState.RECEIVING:
            return
        row.state = UploadState.ABORTED
        row.name_sealed = None
        row.blob_name = ""
        session.add(row)
        audit.record(
            session,
            ctx,
            audit.SYSTEM,
            "upload.receive",
            object_type="pending_upload",
            object_id=row.id,
            outcome=Outcome.ERROR,
            reason="interrupted",
        )
        session.commit()


def _refuse_quota(ctx: ProgramContext, user: UserSession, reason: str) -> None:
    audit.record_alone(
        ctx,
        user.who,
        "upload.receive",
        object_type="pending_upload",
        outcome=Outcome.DENIED,
        reason=reason,
    )
    raise QuotaExceeded(
        f"your inbox is full (at most {MAX_PENDING_UPLOADS} uploads and "
        f"{MAX_PENDING_BYTES // 1024**3} GiB waiting): attach or discard "
        "uploads first"
    )


def _locked(session: Session, upload_id: int) -> PendingUpload | None:
    """The upload's row, locked for this transaction (PostgreSQL)."""
    query = select(PendingUpload).where(PendingUpload.id == upload_id)
    return session.exec(query.with_for_update()).first()


# --- the owner's view --------------------------------------------------------


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
        raw = hpke_open(row.name_sealed, user.private_key, _name_info(row.uid))
    except KeyUnwrapError:
        return LOCKED_NAME
    return raw.decode("utf-8", "replace")


def _owned(
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
        _owned(session, ctx, user, upload_id, Action.UPLOAD_DISCARD)
        row = _locked(session, upload_id)
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
        if row is None or not row.blob_name or row.state in _WAITING:
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
            .where(col(PendingUpload.state).in_([str(s) for s in _WAITING]))
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
            .where(col(PendingUpload.state).not_in([str(s) for s in _WAITING]))
        ).all()
    for upload_id in sorted(set(ids) | {i for i in leftover if i is not None}):
        remove_payload(ctx, upload_id)
    return len(ids)
