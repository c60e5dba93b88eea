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

Listing, discarding and purging uploads is in `dropbox_owner`; attaching one
(`dropbox_attach`) decrypts it as a stream into the ordinary recording
import. Pending uploads not attached within `dropbox_keep_days` are shredded
by `purge`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from supervise.crypto.age import FileKey, X25519Recipient, new_header
from supervise.crypto.age.pushing import PayloadSealer
from supervise.crypto.binding import binding_stanza
from supervise.crypto.keys import hpke_seal
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
WAITING = (UploadState.RECEIVING, UploadState.PENDING)
"""States that count against the limits and that purge may shred."""


class QuotaExceeded(ServiceError):
    """The account's drop box is full: attach or discard uploads first."""


def name_info(uid: str) -> bytes:
    """The HPKE context that binds a sealed file name to its upload."""
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
        .where(col(PendingUpload.state).in_([str(s) for s in WAITING]))
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
                    self.name, account.public_key, name_info(self._uid)
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
            row = locked_upload(session, self.upload_id)
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
            row = locked_upload(session, self.upload_id)
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


def locked_upload(session: Session, upload_id: int) -> PendingUpload | None:
    """The upload's row, locked for this transaction (PostgreSQL)."""
    query = select(PendingUpload).where(PendingUpload.id == upload_id)
    return session.exec(query.with_for_update()).first()
