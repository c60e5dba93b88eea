"""The drop box's services: encrypt on arrival, abort, attach, discard, purge.

Real SQLite file and PostgreSQL (when configured), real blob store and
keystore in the test's home, the real `age` command as the oracle for the
stored format, the fake clock for the keep time.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from supervise.crypto.age import X25519Identity
from supervise.models import AuditEvent
from supervise.models.remote import PendingUpload
from supervise.services import audit, dropbox, dropbox_owner, recordings
from supervise.services.accounts import UserSession
from supervise.services.dropbox import UploadWriter
from supervise.services.dropbox_attach import attach_upload
from supervise.services.errors import (
    InvalidInput,
    NotConsented,
    NotFound,
    PermissionDenied,
)
from tests.conftest import Demo
from tests.dropbox_helpers import MARKER, files_under, holding_marker, marked_wav

NAME = "Maya Fenwick séance 2026-12-01.wav".encode()


def upload(program: Demo, data: bytes, piece: int = 32768) -> int:
    """Send `data` into tara's inbox in pieces, as the SSH inbox does."""
    writer = UploadWriter.start(program.ctx, inbox(program, "tara"), NAME)
    for start in range(0, len(data), piece):
        writer.write(data[start : start + piece])
    return writer.finish()


def inbox(program: Demo, username: str) -> UserSession:
    """The keyless session the SSH inbox uses for an account."""
    account_id = program.login(username).account_id
    return dropbox.inbox_user(program.ctx, account_id)


def row(program: Demo, upload_id: int) -> PendingUpload:
    with Session(program.ctx.engine) as session:
        found = session.get(PendingUpload, upload_id)
        assert found is not None
        return found


def audited(program: Demo, action: str, upload_id: int) -> list[AuditEvent]:
    with Session(program.ctx.engine) as session:
        query = (
            select(AuditEvent)
            .where(AuditEvent.action == action)
            .where(AuditEvent.object_id == str(upload_id))
            .order_by(col(AuditEvent.seq))
        )
        return list(session.exec(query))


@pytest.fixture
def wav(tmp_path: Path) -> bytes:
    """A WAV of about 300 KiB with the marker all through it."""
    return marked_wav(tmp_path / "source.wav", 300_000)


@pytest.mark.parametrize("size", [0, 65536, 2 * 65536, 200_001])
def test_an_upload_is_stored_as_an_age_file_the_age_command_opens(
    program: Demo, tmp_path: Path, size: int
) -> None:
    if shutil.which("age") is None:
        pytest.skip("the age command is not installed (Debian package age)")
    data = (MARKER * (size // len(MARKER) + 1))[:size]
    upload_id = upload(program, data, piece=7000)
    stored = row(program, upload_id)
    assert (stored.state, stored.size_bytes) == ("pending", size)
    assert stored.age_header is not None
    age_file = tmp_path / "upload.age"
    payload = program.ctx.blobs.path_of(stored.blob_name).read_bytes()
    age_file.write_bytes(stored.age_header + payload)
    identity = tmp_path / "tara.key"
    private = program.login("tara").private_key
    assert private is not None
    identity.write_text(X25519Identity(private).secret_string() + "\n")
    result = subprocess.run(
        ["age", "-d", "-i", str(identity), str(age_file)],
        capture_output=True,
        check=True,
    )
    assert result.stdout == data


def test_no_plaintext_byte_or_name_reaches_the_disk(program: Demo, wav: bytes) -> None:
    upload_id = upload(program, wav)
    home = program.ctx.settings.home
    assert holding_marker([home]) == []
    assert NAME not in (row(program, upload_id).name_sealed or b"")
    assert list(program.ctx.blobs.temp_folder.iterdir()) == []


def test_an_aborted_upload_leaves_no_payload_and_a_row_marked_aborted(
    program: Demo, wav: bytes
) -> None:
    before = set(files_under([program.ctx.blobs.folder]))
    writer = UploadWriter.start(program.ctx, inbox(program, "tara"), NAME)
    writer.write(wav[:150_000])
    writer.abort()
    assert set(files_under([program.ctx.blobs.folder])) == before
    stored = row(program, writer.upload_id)
    assert (stored.state, stored.blob_name, stored.name_sealed) == ("aborted", "", None)
    assert audited(program, "upload.receive", writer.upload_id)[-1].outcome == "error"
    tara = program.login("tara")
    assert dropbox_owner.list_uploads(program.ctx, tara) == []


def test_only_trainees_have_an_inbox_and_a_refusal_is_audited(program: Demo) -> None:
    with pytest.raises(PermissionDenied):
        UploadWriter.start(program.ctx, inbox(program, "sam"), NAME)
    with Session(program.ctx.engine) as session:
        last = session.exec(
            select(AuditEvent).order_by(col(AuditEvent.seq).desc())
        ).first()
    assert last is not None
    assert (last.action, last.outcome) == ("upload.receive", "denied")


def test_a_full_inbox_refuses_another_upload(
    program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dropbox, "MAX_PENDING_UPLOADS", 1)
    upload(program, b"first")
    with pytest.raises(dropbox.QuotaExceeded):
        UploadWriter.start(program.ctx, inbox(program, "tara"), NAME)


def test_the_owner_sees_the_real_name_only_with_their_key(
    program: Demo, wav: bytes
) -> None:
    upload_id = upload(program, wav)
    tara = program.login("tara")
    [view] = dropbox_owner.list_uploads(program.ctx, tara)
    assert (view.id, view.name, view.size_bytes) == (upload_id, NAME.decode(), len(wav))
    assert view.days_left == program.ctx.settings.dropbox_keep_days
    tara.drop_keys()
    with pytest.raises(InvalidInput):
        dropbox_owner.list_uploads(program.ctx, tara)
    with pytest.raises(PermissionDenied):
        dropbox_owner.list_uploads(program.ctx, program.login("dana"))


def test_attach_goes_through_the_consent_gate_and_exports_the_exact_file(
    program: Demo, wav: bytes
) -> None:
    upload_id = upload(program, wav)
    tara = program.login("tara")
    with pytest.raises(NotConsented):
        attach_upload(program.ctx, tara, upload_id, "C-1002")
    assert row(program, upload_id).state == "pending"
    view = attach_upload(program.ctx, tara, upload_id, "C-1001", purpose="supervision")
    assert view.media_type == "audio/wav"
    out = io.BytesIO()
    recordings.export_recording(program.ctx, tara, view.id, out)
    assert out.getvalue() == wav
    stored = row(program, upload_id)
    assert (stored.state, stored.recording_id) == ("attached", view.id)
    assert (stored.age_header, stored.name_sealed, stored.blob_name) == (None, None, "")
    assert audited(program, "upload.attach", upload_id)[-1].outcome == "allowed"
    with pytest.raises(NotFound):
        attach_upload(program.ctx, tara, upload_id, "C-1001")


def test_an_upload_that_is_not_a_recording_is_refused_and_stays(
    program: Demo,
) -> None:
    upload_id = upload(program, b"not audio at all " * 1000)
    tara = program.login("tara")
    with pytest.raises(InvalidInput, match="not an audio or video"):
        attach_upload(program.ctx, tara, upload_id, "C-1001")
    assert row(program, upload_id).state == "pending"


def test_another_trainee_can_neither_attach_nor_discard_it(
    program: Demo, wav: bytes
) -> None:
    upload_id = upload(program, wav)
    theo = program.login("theo")
    with pytest.raises(PermissionDenied):
        attach_upload(program.ctx, theo, upload_id, "C-1001")
    with pytest.raises(PermissionDenied):
        dropbox_owner.discard_upload(program.ctx, theo, upload_id)
    assert row(program, upload_id).state == "pending"


def test_discard_shreds_header_name_and_payload(program: Demo, wav: bytes) -> None:
    upload_id = upload(program, wav)
    payload = program.ctx.blobs.path_of(row(program, upload_id).blob_name)
    dropbox_owner.discard_upload(program.ctx, program.login("tara"), upload_id)
    stored = row(program, upload_id)
    assert (stored.state, stored.age_header, stored.name_sealed) == (
        "shredded",
        None,
        None,
    )
    assert not payload.exists()
    assert audited(program, "upload.discard", upload_id)


def test_purge_shreds_an_upload_after_the_keep_time_and_not_before(
    program: Demo, wav: bytes
) -> None:
    upload_id = upload(program, wav)
    payload = program.ctx.blobs.path_of(row(program, upload_id).blob_name)
    keep = program.ctx.settings.dropbox_keep_days
    program.clock.advance(days=keep - 1)
    assert recordings.purge(program.ctx, audit.SYSTEM).uploads == 0
    assert row(program, upload_id).state == "pending"
    program.clock.advance(days=1, seconds=1)
    assert recordings.purge(program.ctx, audit.SYSTEM, dry_run=True).uploads == 1
    assert row(program, upload_id).state == "pending"
    assert recordings.purge(program.ctx, audit.SYSTEM).uploads == 1
    assert row(program, upload_id).state == "shredded"
    assert not payload.exists()
    assert audited(program, "upload.shred", upload_id)[-1].reason == "keep-time"


def test_a_payload_committed_but_not_yet_renamed_is_kept_by_recovery(
    program: Demo, wav: bytes
) -> None:
    writer = UploadWriter.start(program.ctx, inbox(program, "tara"), NAME)
    writer.write(wav)
    writer.commit()  # finish() without the rename, as if the process died
    writer._blob.file.close()  # and its lock with it
    assert recordings.recover_interrupted(program.ctx) == (1, 0)
    tara = program.login("tara")
    view = attach_upload(program.ctx, tara, writer.upload_id, "C-1001")
    out = io.BytesIO()
    recordings.export_recording(program.ctx, tara, view.id, out)
    assert out.getvalue() == wav


def test_an_upload_cut_off_by_a_dead_process_is_marked_aborted_on_restart(
    program: Demo, wav: bytes
) -> None:
    writer = UploadWriter.start(program.ctx, inbox(program, "tara"), NAME)
    writer.write(wav)
    writer._blob.file.close()  # the process died: its lock went with it
    assert recordings.recover_interrupted(program.ctx) == (0, 1)
    stored = row(program, writer.upload_id)
    assert (stored.state, stored.blob_name) == ("aborted", "")
    assert list(program.ctx.blobs.temp_folder.iterdir()) == []
