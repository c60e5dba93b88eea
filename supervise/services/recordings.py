"""Recordings: import, list, export, share, hold, shred and purge.

A recording is an age v1 file split in two: the header in the `recording`
row, the payload in the blob store under a random name. Its identity comes
from two secrets (see `crypto.sealing`): `S_grant`, wrapped to each grantee
and the escrow key in `grant` rows, and `S_retain`, in the keystore. Import
writes the payload to a locked temporary file, syncs it, commits the row,
grants, keystore entry and audit row, and only then renames the payload into
place; `recover_interrupted` finishes or removes whatever a killed process
left. Every export is audited, and the payload's final chunk verified, before
the first plaintext byte is released.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from supervise import media
from supervise.crypto.age import (
    AgeError,
    Cancelled,
    FileKey,
    Header,
    PayloadError,
    SeekablePayload,
    encrypt_payload,
)
from supervise.crypto.age.stream import decrypt_payload
from supervise.crypto.recording_keys import (
    ObjectKeys,
    keystore_entry,
    new_object_keys,
    recording_file_key,
    recording_header,
)
from supervise.crypto.recording_keys import (
    hard_revoke as rekey,
)
from supervise.crypto.sealing import ObjectKind
from supervise.models.accounts import Account, Role
from supervise.models.audit import Outcome
from supervise.models.clinical import (
    Client,
    Grant,
    GrantVia,
    Recording,
    RecordingConsent,
    RecordingState,
    StatedReason,
)
from supervise.models.database import session_scope
from supervise.models.remote import PendingUpload, UploadState
from supervise.services import audit, consent_gate, dropbox, dropbox_owner, vault
from supervise.services.accounts import (
    UserSession,
    actor_for,
    authorize,
    named_trainee,
    roles_of,
)
from supervise.services.blobs import BackgroundSync, BlobStoreError, PendingBlob
from supervise.services.clients import find_client
from supervise.services.context import ProgramContext
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from supervise.services.policy import Action

log = logging.getLogger(__name__)

PURPOSES = ("clinical_record", "supervision", "training")
EARLIEST_SESSION = date(1990, 1, 1)
MIN_REASON, MAX_REASON = 10, 500
Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) as a transfer goes."""
CancelCheck = Callable[[], bool]
OnCommit = Callable[[Session, int], None]
"""Called inside an import's transaction with the new recording's id."""


class ImportCancelled(ServiceError):
    """The person cancelled an import; nothing was stored."""


class TransferCancelled(ServiceError):
    """The person cancelled an export; no output file was left."""


@dataclass(frozen=True)
class GrantView:
    """Who can open a recording, and why."""

    grantee: str
    """A username, or `escrow` for the program's offline key."""
    via: str
    granted_at: datetime
    live: bool

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready data."""
        return {
            "grantee": self.grantee,
            "via": self.via,
            "granted_at": self.granted_at.isoformat(),
            "live": self.live,
        }


@dataclass(frozen=True)
class RecordingView:
    """A recording as lists show it: metadata only, never content."""

    id: int
    case_code: str
    trainee: str
    session_date: date
    purpose: str
    media_type: str
    duration_seconds: float | None
    size_bytes: int
    destroy_after: date | None
    legal_hold: bool
    state: str
    created_at: datetime
    can_open: bool
    grants: tuple[GrantView, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        """The view as JSON-ready data."""
        data: dict[str, object] = {
            "id": self.id,
            "case_code": self.case_code,
            "trainee": self.trainee,
            "session_date": self.session_date.isoformat(),
            "purpose": self.purpose,
            "media_type": self.media_type,
            "duration_seconds": self.duration_seconds,
            "size_bytes": self.size_bytes,
            "destroy_after": self.destroy_after.isoformat()
            if self.destroy_after
            else None,
            "legal_hold": self.legal_hold,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "can_open": self.can_open,
        }
        if self.grants:
            data["grants"] = [grant.as_json() for grant in self.grants]
        return data


@dataclass(frozen=True)
class ExportedAge:
    """Where `export_age` wrote the age file and its one-recording identity."""

    age_file: Path
    identity_file: Path


# --- helpers ---------------------------------------------------------------


def check_purpose(purpose: str) -> str:
    """A known purpose, or refuse it.

    Raises:
        InvalidInput: Not one of `PURPOSES`.
    """
    value = purpose.strip().lower().replace("-", "_")
    if value not in PURPOSES:
        raise InvalidInput(f"the purpose is one of: {', '.join(PURPOSES)}")
    return value


def check_session_date(day: date, today: date) -> date:
    """A session date that is not in the future nor implausibly old.

    Raises:
        InvalidInput: Out of range.
    """
    if not EARLIEST_SESSION <= day <= today:
        raise InvalidInput(
            f"the session date must be between {EARLIEST_SESSION.isoformat()} and today"
        )
    return day


def check_reason(text: str) -> str:
    """A stated reason, tidied, or refuse it.

    Raises:
        InvalidInput: Too short, too long or unprintable.
    """
    reason = " ".join(text.split())
    if not MIN_REASON <= len(reason) <= MAX_REASON or not reason.isprintable():
        raise InvalidInput(
            f"state the reason in {MIN_REASON} to {MAX_REASON} printable "
            "characters (use case codes, never client names)"
        )
    return reason


def load_recording(session: Session, recording_id: int) -> Recording:
    """The recording with this id.

    Raises:
        NotFound: None.
    """
    recording = session.get(Recording, recording_id)
    if recording is None:
        raise NotFound(f"there is no recording {recording_id}")
    return recording


def sealed_target(recording: Recording, action: Action) -> vault.Sealed:
    """The recording as the vault opens it, for `action`."""
    assert recording.id is not None
    return vault.Sealed(
        ObjectKind.RECORDING, recording.id, recording.uid, recording.trainee_id, action
    )


def _grant_views(
    session: Session, ctx: ProgramContext, recording_id: int
) -> tuple[GrantView, ...]:
    now = ctx.now()
    views = []
    for grant in vault.grants_of(session, ObjectKind.RECORDING, recording_id):
        if grant.grantee_id is None:
            name = "escrow"
        else:
            account = session.get(Account, grant.grantee_id)
            name = account.username if account else "?"
        views.append(
            GrantView(name, str(grant.via), grant.granted_at, vault.live(grant, now))
        )
    return tuple(views)


def _view(
    session: Session,
    ctx: ProgramContext,
    recording: Recording,
    *,
    can_open: bool,
    with_grants: bool = False,
) -> RecordingView:
    assert recording.id is not None
    client = session.get(Client, recording.client_id)
    trainee = session.get(Account, recording.trainee_id)
    return RecordingView(
        recording.id,
        client.case_code if client else "?",
        trainee.username if trainee else "?",
        recording.session_date,
        recording.purpose,
        recording.media_type,
        recording.duration_seconds,
        recording.size_bytes,
        recording.destroy_after,
        recording.legal_hold,
        str(recording.state),
        recording.created_at,
        can_open,
        _grant_views(session, ctx, recording.id) if with_grants else (),
    )


# --- import ----------------------------------------------------------------


def import_recording(
    ctx: ProgramContext,
    user: UserSession,
    source: Path | BinaryIO,
    case_code: str,
    *,
    purpose: str = "supervision",
    session_date: date | None = None,
    participants: Sequence[str] = (),
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
    on_commit: OnCommit | None = None,
) -> RecordingView:
    """Encrypt a session recording into the vault.

    Args:
        ctx: The program.
        user: The trainee whose client this is.
        source: The audio or video file (read, never changed), or an open,
            seekable binary stream of it, which the import closes.
        case_code: The client's case code.
        purpose: One of `PURPOSES`.
        session_date: When the session took place; today by default.
        participants: Case codes of the other clients in a couple, family or
            group session; each must have consented too.
        progress: Called with (bytes done, bytes in all) after each chunk.
        should_cancel: Checked before each chunk; True cancels the import.
        on_commit: Run inside the import's transaction with the recording's
            id (the drop box marks its upload attached there); raising
            stops the import and stores nothing.

    Raises:
        InvalidInput: Not a regular readable file, not audio or video, or a
            bad purpose or date.
        NotFound: No such client or participant.
        PermissionDenied: Not the client's trainee (audited).
        NotConsented: No active consent covers the client, a participant or
            the purpose (audited; the message says what is missing).
        ImportCancelled: Cancelled; nothing is left behind.
    """
    purpose = check_purpose(purpose)
    today = ctx.now().date()
    day = check_session_date(session_date or today, today)
    handle, total, info = _open_source(source)
    with handle:
        with session_scope(ctx.engine) as session:
            client = find_client(session, case_code)
            authorize(
                session,
                ctx,
                user,
                Action.RECORDING_IMPORT,
                owner_id=client.trainee_id,
                object_type="client",
                object_id=client.id,
            )
            covered = consent_gate.covering_consents(
                session, ctx, user, client, participants, purpose
            )
            under = [(c.client.id, c.consent.id) for c in covered]
            due = consent_gate.destroy_after(covered, day)
        uid = str(uuid.uuid4())
        keys = new_object_keys(ObjectKind.RECORDING, uid)
        file_key = FileKey.generate()
        header = recording_header(keys, file_key)

        def report(done: int) -> None:
            if progress is not None:
                progress(done, total)

        with ctx.blobs.writing(uid) as pending:
            try:
                length = encrypt_payload(
                    handle,
                    pending.file,
                    file_key,
                    progress=report,
                    should_cancel=should_cancel,
                )
            except Cancelled:
                raise ImportCancelled(
                    "the import was cancelled; nothing was stored"
                ) from None
            except OSError as exc:
                raise InvalidInput(
                    f"the file could not be read to the end ({exc.strerror})"
                ) from None
            pending.seal()
            ctx.keystore.put(
                ObjectKind.RECORDING,
                uid,
                keystore_entry(keys, ctx.secrets.keystore_key),
            )
            try:
                view = _commit_import(
                    ctx,
                    user,
                    keys,
                    header,
                    pending,
                    under,
                    day,
                    purpose,
                    info,
                    length,
                    due,
                    on_commit,
                )
            except BaseException:
                if not pending.committed:
                    ctx.keystore.destroy(ObjectKind.RECORDING, uid)
                raise
            pending.place()
    return view


def _open_source(source: Path | BinaryIO) -> tuple[BinaryIO, int, media.MediaInfo]:
    if not isinstance(source, Path):
        return _open_stream(source)
    path = source
    try:
        if not path.is_file():
            raise InvalidInput("choose a recording file (this is not a regular file)")
        info = media.probe(path)
        handle = path.open("rb")
    except media.NotMediaError as exc:
        raise InvalidInput(str(exc)) from None
    except OSError as exc:
        raise InvalidInput(
            f"the file cannot be read ({exc.strerror or 'error'})"
        ) from None
    return handle, os.fstat(handle.fileno()).st_size, info


def _open_stream(handle: BinaryIO) -> tuple[BinaryIO, int, media.MediaInfo]:
    try:
        total = handle.seek(0, os.SEEK_END)
        info = media.probe_stream(handle, total)
        handle.seek(0)
    except media.NotMediaError as exc:
        handle.close()
        raise InvalidInput(str(exc)) from None
    except OSError as exc:
        handle.close()
        raise InvalidInput(
            f"the file cannot be read ({exc.strerror or 'error'})"
        ) from None
    return handle, total, info


def _commit_import(
    ctx: ProgramContext,
    user: UserSession,
    keys: ObjectKeys,
    header: Header,
    pending: PendingBlob,
    under: list[tuple[int | None, int | None]],
    day: date,
    purpose: str,
    info: media.MediaInfo,
    length: int,
    destroy_after: date,
    on_commit: OnCommit | None = None,
) -> RecordingView:
    """Store the row, its consents, grants and audit row in one transaction.

    The consents are read again, locked, in this transaction: a revocation
    that landed while the file was being encrypted stops the import.
    """
    with session_scope(ctx.engine) as session:
        consents = consent_gate.still_in_force(session, ctx, user, under)
        client_id = under[0][0]
        assert client_id is not None
        trainee = session.get(Account, user.account_id)
        assert trainee is not None
        recording = Recording(
            uid=keys.uid,
            client_id=client_id,
            trainee_id=user.account_id,
            session_date=day,
            purpose=purpose,
            media_type=info.media_type,
            duration_seconds=info.duration_seconds,
            size_bytes=length,
            destroy_after=destroy_after,
            age_header=header.encode(),
            blob_name=pending.name,
            created_at=ctx.now(),
        )
        recording.consent_id = under[0][1]
        session.add(recording)
        session.flush()
        assert recording.id is not None
        for person_id, consent_id in under:
            assert person_id is not None and consent_id is not None
            session.add(
                RecordingConsent(
                    recording_id=recording.id,
                    client_id=person_id,
                    consent_id=consent_id,
                )
            )
        vault.grant_initial(
            session,
            ctx,
            keys,
            recording.id,
            trainee,
            with_supervisors=all(c.include_supervisors for c in consents),
        )
        audit.record(
            session,
            ctx,
            user.who,
            "recording.import",
            object_type="recording",
            object_id=recording.id,
        )
        if on_commit is not None:
            on_commit(session, recording.id)
        session.commit()
        pending.committed = True
        return _view(session, ctx, recording, can_open=True)


def recover_interrupted(ctx: ProgramContext) -> tuple[int, int]:
    """Finish or remove what killed imports left; return (finished, removed).

    A temporary payload whose row committed is renamed into place; any other
    is deleted with its keystore entry. Writes still in progress (their lock
    is held) are left alone.
    """
    finished = removed = 0
    for orphan in ctx.blobs.orphans():
        with session_scope(ctx.engine) as session:
            row = session.exec(
                select(Recording).where(Recording.uid == orphan.uid)
            ).first()
            keep = (
                row is not None
                and row.blob_name == orphan.name
                and row.state == RecordingState.ACTIVE
            ) or _upload_committed(session, orphan.uid, orphan.name)
        if keep:
            ctx.blobs.adopt(orphan)
            finished += 1
        else:
            ctx.blobs.drop(orphan)
            if row is None:
                ctx.keystore.destroy(ObjectKind.RECORDING, orphan.uid)
            dropbox.mark_interrupted(ctx, orphan.uid)
            removed += 1
    if finished or removed:
        log.info("interrupted imports: %d finished, %d removed", finished, removed)
    return finished, removed


def _upload_committed(session: Session, uid: str, blob_name: str) -> bool:
    """Whether a drop-box upload's row committed naming this payload."""
    upload = session.exec(select(PendingUpload).where(PendingUpload.uid == uid)).first()
    return (
        upload is not None
        and upload.blob_name == blob_name
        and upload.state == UploadState.PENDING
    )


# --- listing ---------------------------------------------------------------


def list_recordings(
    ctx: ProgramContext, user: UserSession, *, trainee: str | None = None
) -> list[RecordingView]:
    """The recordings the caller may see, newest session first.

    A trainee sees their own; a supervisor their current supervisees' and any
    shared with them; an admin every recording's metadata (to manage holds
    and shredding), without the means to open any. Naming a `trainee` the
    caller may not list is refused, not answered with an empty list.

    Raises:
        PermissionDenied: An auditor, or an account with no such role, or a
            `trainee` not the caller's (audited).
        NotFound: No account named `trainee`.
    """
    with session_scope(ctx.engine) as session:
        query = _visible(session, ctx, user).order_by(
            col(Recording.session_date).desc(), col(Recording.id).desc()
        )
        if trainee is not None:
            owner = named_trainee(session, ctx, user, trainee, Action.RECORDING_LIST)
            query = query.where(Recording.trainee_id == owner)
        return [_listed(session, ctx, user, r) for r in session.exec(query)]


def recording_detail(
    ctx: ProgramContext, user: UserSession, recording_id: int
) -> RecordingView:
    """One recording with its grants, if the caller may see it in a list.

    Raises:
        NotFound: No such recording, or not one the caller may see.
        PermissionDenied: As for `list_recordings`.
    """
    with session_scope(ctx.engine) as session:
        query = _visible(session, ctx, user).where(Recording.id == recording_id)
        recording = session.exec(query).first()
        if recording is None and session.get(Recording, recording_id) is not None:
            audit.record_alone(
                ctx,
                user.who,
                str(Action.RECORDING_LIST),
                object_type="recording",
                object_id=recording_id,
                outcome=Outcome.DENIED,
                reason="not-visible",
            )
            raise PermissionDenied(f"recording {recording_id} is not one you may see")
        if recording is None:
            raise NotFound(f"there is no recording {recording_id} that you may see")
        return _listed(session, ctx, user, recording, with_grants=True)


def _visible(session: Session, ctx: ProgramContext, user: UserSession):  # type: ignore[no-untyped-def]
    """The query of the recordings `user` may see (see `list_recordings`).

    Raises:
        PermissionDenied: Neither trainee, supervisor nor admin (audited).
    """
    actor = actor_for(session, ctx, user.account_id)
    if not ({Role.TRAINEE, Role.SUPERVISOR, Role.ADMIN} & actor.roles):
        authorize(session, ctx, user, Action.RECORDING_LIST, object_type="recording")
    query = select(Recording)
    if Role.ADMIN in actor.roles:
        return query
    owners = set(actor.supervisees)
    if Role.TRAINEE in actor.roles:
        owners.add(user.account_id)
    shared = select(Grant.object_id).where(
        Grant.object_type == ObjectKind.RECORDING.value,
        Grant.grantee_id == user.account_id,
        Grant.via == GrantVia.SHARE,
        col(Grant.wrapped_secret).is_not(None),
    )
    return query.where(
        col(Recording.trainee_id).in_(sorted(owners)) | col(Recording.id).in_(shared)
    )


def _listed(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    recording: Recording,
    *,
    with_grants: bool = False,
) -> RecordingView:
    """A visible recording's view, saying whether `user` can open it now."""
    target = sealed_target(recording, Action.RECORDING_EXPORT)
    can_open = (
        recording.state == RecordingState.ACTIVE
        and vault.may_open(session, ctx, user, target) is not None
    )
    return _view(session, ctx, recording, can_open=can_open, with_grants=with_grants)


# --- opening and export ----------------------------------------------------


@dataclass
class _Opened:
    recording_id: int
    uid: str
    blob_name: str
    size_bytes: int
    header: bytes
    file_key: FileKey
    keys: ObjectKeys


Opener = Callable[[Session, vault.Sealed], ObjectKeys]


def open_keys(
    session: Session,
    ctx: ProgramContext,
    who: audit.Who,
    recording: Recording,
    action: Action,
    opener: Opener,
) -> tuple[ObjectKeys, FileKey]:
    """A recording's keys through `opener`, checked against its header, and
    its file key. A re-key that died before its keystore swap is finished
    here, so the keys returned are always the header's own (what is sealed
    under them opens after the swap too).

    Raises:
        vault.ObjectGone: Shredded (audited).
        vault.KeyTampered: The header does not open with them (audited).
        PermissionDenied: As `opener` refuses (audited).
    """
    target = sealed_target(recording, action)
    if recording.state != RecordingState.ACTIVE or recording.age_header is None:
        vault.audit_failure(ctx, who, target, "shredded")
        raise vault.ObjectGone(f"recording {recording.id} has been shredded")
    keys = opener(session, target)
    try:
        return _file_key(ctx, Header.parse(recording.age_header), keys)
    except AgeError:
        vault.audit_failure(ctx, who, target, "header-tampered")
        raise vault.KeyTampered(
            f"the header of recording {recording.id} has been altered or moved; "
            "nothing was released and the attempt is on the audit record"
        ) from None


def _open(
    ctx: ProgramContext,
    who: audit.Who,
    recording_id: int,
    opener: Opener,
    action: Action,
    reason: str,
) -> _Opened:
    """Open a recording's keys and header, verify its payload's end, audit.

    The audit row (`action`, allowed, with `reason`) commits before this
    returns, so no byte is released unaudited.
    """
    with session_scope(ctx.engine) as session:
        recording = load_recording(session, recording_id)
        target = sealed_target(recording, action)
        keys, file_key = open_keys(session, ctx, who, recording, action, opener)
        assert recording.age_header is not None  # open_keys refuses without
        opened = _Opened(
            recording_id,
            recording.uid,
            recording.blob_name,
            recording.size_bytes,
            recording.age_header,
            file_key,
            keys,
        )
        _verify_payload_end(ctx, who, target, opened)
        audit.record(
            session,
            ctx,
            who,
            str(action),
            object_type="recording",
            object_id=recording_id,
            reason=reason,
        )
        session.commit()
    return opened


def _file_key(
    ctx: ProgramContext, header: Header, keys: ObjectKeys
) -> tuple[ObjectKeys, FileKey]:
    """The file key, finishing a re-key that died before its keystore swap."""
    try:
        return keys, recording_file_key(header, keys.uid, keys.identity)
    except AgeError:
        staged = vault.with_staged_retain(ctx, keys)
        if staged is None:
            raise
        file_key = recording_file_key(header, keys.uid, staged.identity)
        vault.promote_retain(ctx, ObjectKind.RECORDING, keys.uid)
        return staged, file_key


def _verify_payload_end(
    ctx: ProgramContext, who: audit.Who, target: vault.Sealed, opened: _Opened
) -> None:
    """Check the payload's final chunk and length before anything is released."""
    try:
        with ctx.blobs.open(opened.blob_name) as blob:
            length = SeekablePayload(blob, opened.file_key).plaintext_length
    except (BlobStoreError, PayloadError):
        length = -1
    if length != opened.size_bytes:
        vault.audit_failure(ctx, who, target, "payload-tampered")
        raise vault.KeyTampered(
            f"the encrypted payload of recording {opened.recording_id} is "
            "missing, truncated, altered or not its own; nothing was released "
            "and the attempt is on the audit record"
        )


def _user_opener(ctx: ProgramContext, user: UserSession) -> Opener:
    def opener(session: Session, target: vault.Sealed) -> ObjectKeys:
        return vault.open_for_user(session, ctx, user, target)

    return opener


def _stream(
    ctx: ProgramContext,
    who: audit.Who,
    opened: _Opened,
    out: BinaryIO,
    progress: Progress | None,
    should_cancel: CancelCheck | None,
) -> int:
    total = opened.size_bytes

    def report(done: int) -> None:
        if progress is not None:
            progress(done, total)

    try:
        with ctx.blobs.open(opened.blob_name) as blob:
            return decrypt_payload(
                blob, out, opened.file_key, progress=report, should_cancel=should_cancel
            )
    except Cancelled:
        raise TransferCancelled("the export was cancelled; no file was left") from None
    except (PayloadError, BlobStoreError):
        audit.record_alone(
            ctx,
            who,
            "recording.export",
            object_type="recording",
            object_id=opened.recording_id,
            outcome=Outcome.ERROR,
            reason="payload-tampered",
        )
        raise vault.KeyTampered(
            f"the encrypted payload of recording {opened.recording_id} is "
            "damaged; the output was discarded and the failure is on the audit "
            "record"
        ) from None


def check_new_output(path: Path) -> Path:
    """Refuse an output path that exists or has no folder, before any audit.

    Raises:
        Conflict: Something is there already.
        InvalidInput: The folder does not exist, or the path cannot be used.
    """
    path = Path(path)
    try:
        if path.exists() or path.is_symlink():
            raise Conflict(f"{path} exists already: name a new file")
        if not path.parent.is_dir():
            raise InvalidInput(f"the folder {path.parent} does not exist")
    except OSError as exc:  # a name too long, a folder that cannot be read
        raise InvalidInput(f"{path} cannot be used: {exc.strerror}") from None
    return path


def _check_age_folder(folder: Path, recording_id: int) -> tuple[Path, Path]:
    """The age file and identity paths in `folder`, refused if either exists."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"the folder {folder} does not exist")
    paths = (
        folder / f"recording-{recording_id}.age",
        folder / f"recording-{recording_id}.key",
    )
    for path in paths:
        check_new_output(path)
    return paths


@contextlib.contextmanager
def new_output(path: Path) -> Iterator[BinaryIO]:
    """A private temporary file beside `path`, renamed to it on success only."""
    path = check_new_output(path)
    temp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.part"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise InvalidInput(f"cannot write in {path.parent} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as out:
            syncing = BackgroundSync(fd)
            try:
                yield out
                out.flush()
            finally:
                syncing.stop()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise Conflict(f"{path} exists already: name a new file") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def export_recording(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    out: Path | BinaryIO,
    *,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> int:
    """Write a recording's verified plaintext to a new file or a stream.

    A new file appears only when the whole recording has been verified; a
    stream (standard output, to a player) receives only authenticated chunks
    and sees an error if a later chunk is damaged.

    Returns:
        The bytes written.

    Raises:
        NotFound, PermissionDenied, vault.ObjectGone, vault.KeyTampered (all
        but NotFound audited), Conflict (the file exists), InvalidInput,
        TransferCancelled.
    """
    reason = "stream" if not isinstance(out, Path) else "file"
    if isinstance(out, Path):
        check_new_output(out)
    opened = _open(
        ctx,
        user.who,
        recording_id,
        _user_opener(ctx, user),
        Action.RECORDING_EXPORT,
        reason,
    )
    return _write_out(ctx, user.who, opened, out, progress, should_cancel)


def _write_out(
    ctx: ProgramContext,
    who: audit.Who,
    opened: _Opened,
    out: Path | BinaryIO,
    progress: Progress | None,
    should_cancel: CancelCheck | None,
) -> int:
    if isinstance(out, Path):
        with new_output(out) as handle:
            return _stream(ctx, who, opened, handle, progress, should_cancel)
    return _stream(ctx, who, opened, out, progress, should_cancel)


def export_age(
    ctx: ProgramContext, user: UserSession, recording_id: int, folder: Path
) -> ExportedAge:
    """Write the recording as a standard age file and its one-recording identity.

    `age -d -i recording-ID.key recording-ID.age` then decrypts it, with any
    age implementation: the program's way out. The identity opens this
    recording only.

    Raises:
        As `export_recording`.
    """
    _check_age_folder(folder, recording_id)
    opened = _open(
        ctx,
        user.who,
        recording_id,
        _user_opener(ctx, user),
        Action.RECORDING_EXPORT,
        "age",
    )
    return _write_age(ctx, opened, folder)


def _write_age(ctx: ProgramContext, opened: _Opened, folder: Path) -> ExportedAge:
    age_path, key_path = _check_age_folder(folder, opened.recording_id)
    with new_output(age_path) as out, ctx.blobs.open(opened.blob_name) as blob:
        out.write(opened.header)
        while chunk := blob.read(1024 * 1024):
            out.write(chunk)
    identity = opened.keys.identity.secret_string()
    with new_output(key_path) as out:
        out.write(
            f"# supervise recording {opened.recording_id}: opens this recording only\n"
            f"{identity}\n".encode("ascii")
        )
    return ExportedAge(age_path, key_path)


# --- sharing ---------------------------------------------------------------


def _grantee(session: Session, username: str, owner_id: int) -> Account:
    account = session.exec(
        select(Account).where(Account.username == username.strip())
    ).first()
    if account is None or account.disabled_at is not None:
        raise NotFound(f"there is no active account {username.strip()!r}")
    if account.id == owner_id:
        raise InvalidInput("a recording is always open to the trainee who made it")
    roles = roles_of(session, account.id or 0)
    if not ({Role.SUPERVISOR, Role.TRAINEE} & roles):
        raise InvalidInput(
            "recordings can be shared with supervisors and trainees only"
        )
    return account


def _owned(
    session: Session, ctx: ProgramContext, user: UserSession, recording_id: int
) -> Recording:
    """The recording, if the caller may manage its sharing (its owner).

    Raises:
        NotFound, PermissionDenied (audited).
    """
    recording = load_recording(session, recording_id)
    authorize(
        session,
        ctx,
        user,
        Action.RECORDING_SHARE,
        owner_id=recording.trainee_id,
        object_type="recording",
        object_id=recording_id,
    )
    return recording


def share(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    username: str,
    *,
    purpose: str = "supervision",
    until: date | None = None,
) -> RecordingView:
    """Give one more account access to a recording (its owner only), for a
    purpose the consents list, to a person they name.

    Args:
        ctx: The program.
        user: The recording's trainee.
        recording_id: The recording.
        username: Who gains access.
        purpose: What for (`training` needs the consent to say so).
        until: The last day of access; required for training.

    Raises:
        NotFound, PermissionDenied (audited), Conflict (already shared),
        InvalidInput (not a supervisor or trainee, oneself, bad date),
        NotConsented (audited), vault.ObjectGone, vault.KeyTampered.
    """
    purpose = check_purpose(purpose)
    with session_scope(ctx.engine) as session:
        recording = _owned(session, ctx, user, recording_id)
        grantee = _grantee(session, username, recording.trainee_id)
        assert grantee.id is not None
        expires = consent_gate.check_share(
            session, ctx, user, recording_id, grantee.id, purpose, until
        )
        target = sealed_target(recording, Action.RECORDING_SHARE)
        if vault.live_grant_for(session, ctx, target, grantee.id or 0) is not None:
            raise Conflict(
                f"recording {recording_id} is already open to {grantee.username}"
            )
        if recording.state != RecordingState.ACTIVE:
            raise vault.ObjectGone(f"recording {recording_id} has been shredded")
        keys = vault.open_for_user(
            session, ctx, user, sealed_target(recording, Action.RECORDING_EXPORT)
        )
        assert grantee.id is not None
        vault.add_grant(
            session,
            keys,
            recording_id,
            grantee.public_key,
            grantee.id,
            GrantVia.SHARE,
            user.account_id,
            ctx.now(),
            expires_at=expires,
            purpose=purpose,
        )
        audit.record(
            session,
            ctx,
            user.who,
            "recording.share",
            object_type="recording",
            object_id=recording_id,
            reason=f"account-{grantee.id}",
        )
        session.commit()
        return _view(session, ctx, recording, can_open=True, with_grants=True)


def unshare(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    username: str,
    *,
    hard: bool = False,
) -> RecordingView:
    """Take back a share: the grant loses its secret, its row stays on record.

    With `hard`, the recording is also re-keyed (see `hard_revoke`), so that
    a copy of the old grant, from a backup say, opens nothing.

    Raises:
        NotFound (no such share), PermissionDenied (audited), and for `hard`
        as `hard_revoke`.
    """
    with session_scope(ctx.engine) as session:
        _owned(session, ctx, user, recording_id)
        account = session.exec(
            select(Account).where(Account.username == username.strip())
        ).first()
        now = ctx.now()
        shares = [
            grant
            for grant in vault.grants_of(session, ObjectKind.RECORDING, recording_id)
            if account is not None
            and grant.grantee_id == account.id
            and grant.via == GrantVia.SHARE
            and vault.live(grant, now)
        ]
        if not shares:
            raise NotFound(
                f"recording {recording_id} is not shared with {username.strip()!r}"
            )
        for grant in shares:
            vault.wipe(session, grant, now)
        audit.record(
            session,
            ctx,
            user.who,
            "recording.unshare",
            object_type="recording",
            object_id=recording_id,
            reason=f"account-{account.id if account else 0}",
        )
        session.commit()
    if hard:
        return hard_revoke(ctx, user, recording_id)
    return recording_detail(ctx, user, recording_id)


def hard_revoke(
    ctx: ProgramContext, user: UserSession, recording_id: int
) -> RecordingView:
    """Re-key a recording: new secrets, a new header, fresh grants.

    Only the header changes; the payload stays. Every old grant row loses
    its secret and each still-live grantee (and the escrow key) gets a new
    one, so old grants, including copies in backups, open nothing. The new
    keystore entry is staged before the database commit and swapped in after
    it, so a crash at any point leaves a recording that still opens.

    Raises:
        NotFound, PermissionDenied (audited), vault.ObjectGone,
        vault.KeyTampered.
    """
    with session_scope(ctx.engine) as session:
        recording = _owned(session, ctx, user, recording_id)
    opened = _open(
        ctx,
        user.who,
        recording_id,
        _user_opener(ctx, user),
        Action.RECORDING_SHARE,
        "rekey-open",
    )
    rekeyed = rekey(Header.parse(opened.header), opened.uid, opened.keys.identity)
    sealed = keystore_entry(rekeyed.keys, ctx.secrets.keystore_key)
    vault.stage_retain(ctx, ObjectKind.RECORDING, opened.uid, sealed)
    try:
        with session_scope(ctx.engine) as session:
            recording = load_recording(session, recording_id)
            recording.age_header = rekeyed.header.encode()
            session.add(recording)
            from supervise.services import reviews  # it builds on this module

            reviews.reseal(session, opened.keys, rekeyed.keys, recording_id)
            vault.regrant(
                session,
                rekeyed.keys,
                recording_id,
                vault.grants_of(session, ObjectKind.RECORDING, recording_id),
                ctx.now(),
            )
            audit.record(
                session,
                ctx,
                user.who,
                "recording.rekey",
                object_type="recording",
                object_id=recording_id,
            )
            session.commit()
    except BaseException:
        vault.unstage_retain(ctx, ObjectKind.RECORDING, opened.uid)
        raise
    vault.promote_retain(ctx, ObjectKind.RECORDING, opened.uid)
    return recording_detail(ctx, user, recording_id)


# --- legal hold, shred, purge ------------------------------------------------


def state_reason(
    session: Session,
    user: UserSession,
    action: str,
    object_id: int,
    text: str,
    object_type: str = "recording",
) -> str:
    """Keep a stated reason out of the audit row; returns `note-<id>` for it."""
    note = StatedReason(
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_id=user.account_id,
        text=text,
    )
    session.add(note)
    session.flush()
    return f"note-{note.id}"


def set_legal_hold(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    *,
    hold: bool,
    reason: str,
) -> RecordingView:
    """Place or release a legal hold (admins), with the stated reason kept.

    Releasing the hold on a recording whose consent was revoked with `delete`
    shreds it at once.

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput (reason),
        Conflict (already so, or shredded).
    """
    text = check_reason(reason)
    action = "recording.hold" if hold else "recording.release"
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.LEGAL_HOLD,
            object_type="recording",
            object_id=recording_id,
        )
        recording = load_recording(session, recording_id)
        if recording.state != RecordingState.ACTIVE:
            raise Conflict(f"recording {recording_id} has been shredded")
        if recording.legal_hold == hold:
            raise Conflict(
                f"recording {recording_id} is "
                + ("already on legal hold" if hold else "not on legal hold")
            )
        recording.legal_hold = hold
        session.add(recording)
        code = state_reason(session, user, action, recording_id, text)
        audit.record(
            session,
            ctx,
            user.who,
            action,
            object_type="recording",
            object_id=recording_id,
            reason=code,
        )
        session.commit()
        due = not hold and recording.shred_on_release
        if not due:
            return _view(session, ctx, recording, can_open=False)
    run_shred(ctx, user.who, recording_id, reason="consent-revoked")
    with session_scope(ctx.engine) as session:
        return _view(
            session, ctx, load_recording(session, recording_id), can_open=False
        )


def shred(ctx: ProgramContext, user: UserSession, recording_id: int) -> RecordingView:
    """Destroy a recording for good (admins); refused while on legal hold.

    Raises:
        NotFound, PermissionDenied (audited), Conflict (legal hold, audited).
    """
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.RECORDING_SHRED,
            object_type="recording",
            object_id=recording_id,
        )
    run_shred(ctx, user.who, recording_id, reason="by-admin")
    with session_scope(ctx.engine) as session:
        return _view(
            session, ctx, load_recording(session, recording_id), can_open=False
        )


def run_shred(
    ctx: ProgramContext, who: audit.Who, recording_id: int, *, reason: str
) -> bool:
    """Run (or resume) a shred; return False if it was already complete.

    The steps, each safe to repeat: mark the row `shredding` (audited); destroy
    the keystore entry, which alone makes the recording unreadable; wipe the
    grants and the header; delete the payload; mark it `shredded` (audited).
    """
    with session_scope(ctx.engine) as session:
        recording = load_recording(session, recording_id)
        if recording.state == RecordingState.SHREDDED:
            return False
        if recording.state == RecordingState.ACTIVE:
            if recording.legal_hold:
                audit.record(
                    session,
                    ctx,
                    who,
                    "recording.shred",
                    object_type="recording",
                    object_id=recording_id,
                    outcome=Outcome.DENIED,
                    reason="legal-hold",
                )
                session.commit()
                raise Conflict(
                    f"recording {recording_id} is on legal hold: an admin must "
                    "release the hold before it can be shredded"
                )
            recording.state = RecordingState.SHREDDING
            session.add(recording)
            audit.record(
                session,
                ctx,
                who,
                "recording.shred",
                object_type="recording",
                object_id=recording_id,
                reason=reason,
            )
            session.commit()
        uid, blob_name = recording.uid, recording.blob_name
    ctx.keystore.destroy(ObjectKind.RECORDING, uid)
    vault.unstage_retain(ctx, ObjectKind.RECORDING, uid)
    now = ctx.now()
    with session_scope(ctx.engine) as session:
        recording = load_recording(session, recording_id)
        for grant in vault.grants_of(session, ObjectKind.RECORDING, recording_id):
            vault.wipe(session, grant, now)
        recording.age_header = None
        session.add(recording)
        session.commit()
    if blob_name:
        ctx.blobs.remove(blob_name)
    with session_scope(ctx.engine) as session:
        recording = load_recording(session, recording_id)
        recording.state = RecordingState.SHREDDED
        session.add(recording)
        audit.record(
            session,
            ctx,
            who,
            "recording.shredded",
            object_type="recording",
            object_id=recording_id,
            reason=reason,
        )
        session.commit()
    return True


@dataclass(frozen=True)
class PurgeItem:
    """One recording that purge shreds (or would)."""

    id: int
    case_code: str
    destroy_after: date | None
    step: str
    """`shred` (past its date), `revoked` (consent revoked, hold released),
    `resume` (an interrupted shred) or `held`."""

    def as_json(self) -> dict[str, object]:
        """The item as JSON-ready data."""
        return {
            "id": self.id,
            "case_code": self.case_code,
            "destroy_after": self.destroy_after.isoformat()
            if self.destroy_after
            else None,
            "step": self.step,
        }


_PURGE_REASONS = {
    "shred": "retention",
    "revoked": "consent-revoked",
    "resume": "resumed",
}


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did, or with `dry_run` would do."""

    dry_run: bool
    items: tuple[PurgeItem, ...]
    expired_grants: int
    uploads: int = 0
    """Drop-box uploads past their keep time, shredded (or due)."""


def purge(
    ctx: ProgramContext,
    who: audit.Who,
    *,
    user: UserSession | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Shred every recording past its destroy-after date and not on hold.

    Also resumes interrupted shreds, wipes expired grants, and shreds the
    drop box's uploads left unattached past `dropbox_keep_days` (everyone's:
    no one needs to open them to destroy them). Run by cron or a
    systemd timer as the system (no login needed: it only destroys), or by an
    admin with `user`.

    Raises:
        PermissionDenied: `user` is not an admin (audited).
    """
    today = ctx.now().date()
    with session_scope(ctx.engine) as session:
        if user is not None:
            authorize(session, ctx, user, Action.PURGE, object_type="recording")
        due = session.exec(
            select(Recording)
            .where(
                or_(
                    col(Recording.state) == RecordingState.SHREDDING,
                    and_(
                        col(Recording.state) == RecordingState.ACTIVE,
                        col(Recording.shred_on_release),
                    ),
                    and_(
                        col(Recording.state) == RecordingState.ACTIVE,
                        col(Recording.destroy_after).is_not(None),
                        col(Recording.destroy_after) < today,
                    ),
                )
            )
            .order_by(col(Recording.id))
        ).all()
        items = []
        for recording in due:
            assert recording.id is not None
            client = session.get(Client, recording.client_id)
            if recording.state == RecordingState.SHREDDING:
                step = "resume"
            elif recording.shred_on_release and not recording.legal_hold:
                step = "revoked"
            else:
                step = "held" if recording.legal_hold else "shred"
            items.append(
                PurgeItem(
                    recording.id,
                    client.case_code if client else "?",
                    recording.destroy_after,
                    step,
                )
            )
        now = ctx.now()
        expired = [
            grant
            for grant in session.exec(
                select(Grant).where(
                    col(Grant.expires_at).is_not(None),
                    col(Grant.wrapped_secret).is_not(None),
                )
            )
            if grant.expires_at is not None and grant.expires_at <= now
        ]
        if not dry_run:
            for grant in expired:
                vault.wipe(session, grant, now)
            audit.record(
                session,
                ctx,
                who,
                "retention.purge",
                reason=f"due-{sum(i.step != 'held' for i in items)}",
            )
            session.commit()
    if not dry_run:
        for item in items:
            if item.step != "held":
                run_shred(
                    ctx,
                    who,
                    item.id,
                    reason=_PURGE_REASONS[item.step],
                )
    uploads = dropbox_owner.purge_uploads(ctx, who, dry_run=dry_run)
    return PurgeReport(dry_run, tuple(items), len(expired), uploads)


# --- break glass -----------------------------------------------------------


def break_glass(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    escrow_private: X25519PrivateKey,
    reason: str,
    *,
    out: Path | BinaryIO | None = None,
    age_folder: Path | None = None,
) -> int | ExportedAge:
    """Emergency access with the offline escrow key (admins), stated and audited.

    Exactly one of `out` (plaintext to a new file or a stream) and
    `age_folder` (an age file and its identity) is given.

    Raises:
        InvalidInput: No reason, or not exactly one destination.
        NotFound, PermissionDenied (audited), vault.ObjectGone,
        vault.KeyTampered (a wrong escrow key too; audited).
    """
    text = check_reason(reason)
    if (out is None) == (age_folder is None):
        raise InvalidInput("give one destination: an output file, '-' or an age folder")
    if age_folder is not None:
        _check_age_folder(age_folder, recording_id)
    elif isinstance(out, Path):
        check_new_output(out)
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.BREAK_GLASS,
            object_type="recording",
            object_id=recording_id,
        )
        load_recording(session, recording_id)
        code = state_reason(session, user, "recording.break_glass", recording_id, text)
        session.commit()

    def opener(session: Session, target: vault.Sealed) -> ObjectKeys:
        return vault.open_with_escrow(session, ctx, user.who, target, escrow_private)

    opened = _open(ctx, user.who, recording_id, opener, Action.BREAK_GLASS, code)
    if age_folder is not None:
        return _write_age(ctx, opened, age_folder)
    assert out is not None
    return _write_out(ctx, user.who, opened, out, None, None)
