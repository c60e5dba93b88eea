"""Attaching a drop-box upload: decrypt it as a stream into the recording import.

The upload's file key is unwrapped with the owner's private key (held only
by a logged-in session); its payload is read through a seekable decrypting
reader, chunk by verified chunk, straight into `recordings.import_recording`,
so the consent gate, its messages and its audit rows are exactly those of
importing a file, and no plaintext touches the disk. The upload is marked
attached inside the import's own transaction, so it becomes one recording
at most; its payload is removed after that commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import NoReturn

from sqlmodel import Session

from supervise.crypto.age import (
    AgeError,
    FileKey,
    Header,
    SeekablePayload,
    X25519Identity,
    unwrap_file_key,
)
from supervise.crypto.age.pushing import PayloadReader
from supervise.crypto.binding import check_binding
from supervise.models.audit import Outcome
from supervise.models.database import session_scope
from supervise.models.remote import UploadState
from supervise.services import audit, recordings
from supervise.services.accounts import UserSession
from supervise.services.blobs import BlobStoreError
from supervise.services.context import ProgramContext
from supervise.services.dropbox import locked_upload
from supervise.services.dropbox_owner import owned_upload, remove_payload
from supervise.services.errors import Conflict, InvalidInput, ServiceError
from supervise.services.policy import Action
from supervise.services.recordings import CancelCheck, Progress, RecordingView


class UploadUnreadable(ServiceError):
    """The upload does not open with the owner's key, or its payload is
    damaged; nothing was imported and the failure is on the audit record."""


@dataclass(frozen=True)
class _Opened:
    uid: str
    blob_name: str
    size_bytes: int
    file_key: FileKey


def attach_upload(
    ctx: ProgramContext,
    user: UserSession,
    upload_id: int,
    case_code: str,
    *,
    purpose: str = "supervision",
    session_date: date | None = None,
    participants: Sequence[str] = (),
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> RecordingView:
    """Import one of the caller's pending uploads as a recording.

    The options and refusals are those of `recordings.import_recording`.

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput (no key in the
        session, not audio or video, bad purpose or date), NotConsented
        (audited), UploadUnreadable (audited), ImportCancelled, Conflict
        (attached or discarded meanwhile).
    """
    opened = _open(ctx, user, upload_id)
    reader = _reader(ctx, user, upload_id, opened)
    with reader:
        view = recordings.import_recording(
            ctx,
            user,
            reader,  # type: ignore[arg-type]
            case_code,
            purpose=purpose,
            session_date=session_date,
            participants=participants,
            progress=progress,
            should_cancel=should_cancel,
            on_commit=partial(_mark_attached, ctx, user, upload_id),
        )
    remove_payload(ctx, upload_id)
    return view


def _open(ctx: ProgramContext, user: UserSession, upload_id: int) -> _Opened:
    """Check ownership and state, and unwrap the file key with the user's key."""
    with session_scope(ctx.engine) as session:
        row = owned_upload(session, ctx, user, upload_id, Action.UPLOAD_ATTACH)
        if user.private_key is None:
            raise InvalidInput("log in with your password to attach an upload")
        try:
            header = Header.parse(row.age_header or b"")
            check_binding(header, row.uid)
            identity = X25519Identity(user.private_key)
            file_key = unwrap_file_key(header, [identity])
        except AgeError:
            _unreadable(ctx, user, upload_id, "header")
        return _Opened(row.uid, row.blob_name, row.size_bytes, file_key)


def _reader(
    ctx: ProgramContext, user: UserSession, upload_id: int, opened: _Opened
) -> PayloadReader:
    """The verified plaintext, its length checked before any byte is read."""
    try:
        blob = ctx.blobs.open(opened.blob_name)
    except BlobStoreError:
        _unreadable(ctx, user, upload_id, "payload-missing")
    try:
        payload = SeekablePayload(blob, opened.file_key)
        if payload.plaintext_length != opened.size_bytes:
            raise AgeError("length")
    except AgeError:
        blob.close()
        _unreadable(ctx, user, upload_id, "payload")
    return PayloadReader(payload, source=blob)


def _unreadable(
    ctx: ProgramContext, user: UserSession, upload_id: int, reason: str
) -> NoReturn:
    audit.record_alone(
        ctx,
        user.who,
        "upload.attach",
        object_type="pending_upload",
        object_id=upload_id,
        outcome=Outcome.ERROR,
        reason=reason,
    )
    if reason == "header":
        raise UploadUnreadable(
            f"upload {upload_id} does not open with your key (was your account "
            "reset since it arrived?); discard it and send the file again"
        )
    raise UploadUnreadable(
        f"the encrypted data of upload {upload_id} is missing or damaged; "
        "discard it and send the file again"
    )


def _mark_attached(
    ctx: ProgramContext,
    user: UserSession,
    upload_id: int,
    session: Session,
    recording_id: int,
) -> None:
    """Inside the import's transaction: the upload became this recording."""
    row = locked_upload(session, upload_id)
    if row is None or row.state != UploadState.PENDING:
        raise Conflict(f"upload {upload_id} was attached or discarded meanwhile")
    row.state = UploadState.ATTACHED
    row.recording_id = recording_id
    row.age_header = None
    row.name_sealed = None
    session.add(row)
    audit.record(
        session,
        ctx,
        user.who,
        "upload.attach",
        object_type="pending_upload",
        object_id=upload_id,
        reason=f"recording-{recording_id}",
    )
