"""The recording vault through its services: access, tampering, shredding.

Each test runs on a real SQLite file and, when configured, PostgreSQL, with a
real keystore file and blob store in the test's home folder. The demo seeds
clients (C-1001 is tara's, supervised by sam and sofia) and one recording.
"""

from __future__ import annotations

import io
import wave
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from supervise.crypto.offline import read_offline_key
from supervise.crypto.sealing import ObjectKind
from supervise.models import AuditEvent
from supervise.models.clinical import Grant, GrantVia, Recording
from supervise.services import recordings
from supervise.services.accounts import UserSession
from supervise.services.errors import Conflict, InvalidInput, PermissionDenied
from supervise.services.vault import KeyTampered, ObjectGone
from tests.conftest import Demo
from tests.consent_helpers import naming

MEDIA = Path(__file__).resolve().parent.parent / "data" / "media"


def write_wav(path: Path, frames: bytes) -> bytes:
    """A mono 16-bit WAV holding `frames`; returns the file's bytes."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(frames)
    return path.read_bytes()


@pytest.fixture
def big_wav(tmp_path: Path) -> tuple[Path, bytes]:
    """A WAV of a little over three 64 KiB chunks, with varied content."""
    path = tmp_path / "session.wav"
    frames = bytes((i * 7 + i // 256) % 256 for i in range(3 * 65536 + 1000))
    return path, write_wav(path, frames)


def imported(program: Demo, source: Path) -> tuple[UserSession, int]:
    tara = program.login("tara")
    view = recordings.import_recording(program.ctx, tara, source, "C-1001")
    return tara, view.id


def row(program: Demo, recording_id: int) -> Recording:
    with Session(program.ctx.engine) as session:
        found = session.get(Recording, recording_id)
        assert found is not None
        return found


def update(program: Demo, recording_id: int, **values: object) -> None:
    with Session(program.ctx.engine) as session:
        found = session.get(Recording, recording_id)
        assert found is not None
        for name, value in values.items():
            setattr(found, name, value)
        session.add(found)
        session.commit()


def audit_rows(program: Demo, action: str, recording_id: int) -> list[AuditEvent]:
    with Session(program.ctx.engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(
                    AuditEvent.action == action,
                    AuditEvent.object_id == str(recording_id),
                )
                .order_by(col(AuditEvent.seq))
            )
        )


def grants(program: Demo, recording_id: int, via: str = "") -> list[Grant]:
    """The recording's grant rows, only those made for `via` if given."""
    query = select(Grant).where(
        Grant.object_type == "recording", Grant.object_id == recording_id
    )
    if via:
        query = query.where(Grant.via == via)
    with Session(program.ctx.engine) as session:
        return list(session.exec(query.order_by(col(Grant.id))))


def add_share_grant(
    program: Demo, recording_id: int, grantee_id: int | None, wrapped: bytes | None
) -> None:
    """Put a share grant row in behind the program's back (a tamper test)."""
    with Session(program.ctx.engine) as session:
        session.add(
            Grant(
                object_type="recording",
                object_id=recording_id,
                grantee_id=grantee_id,
                via=GrantVia.SHARE,
                wrapped_secret=wrapped,
            )
        )
        session.commit()


def blob_path(program: Demo, recording_id: int) -> Path:
    return program.ctx.blobs.path_of(row(program, recording_id).blob_name)


def export_bytes(program: Demo, user: UserSession, recording_id: int) -> bytes:
    out = io.BytesIO()
    recordings.export_recording(program.ctx, user, recording_id, out)
    return out.getvalue()


# --- round trips and access ----------------------------------------------------


def test_import_then_export_returns_the_exact_file_to_owner_and_supervisors(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, original = big_wav
    tara, recording_id = imported(program, source)
    assert export_bytes(program, tara, recording_id) == original
    assert export_bytes(program, program.login("sam"), recording_id) == original
    assert export_bytes(program, program.login("sofia"), recording_id) == original
    assert row(program, recording_id).size_bytes == len(original)
    assert source.read_bytes() == original  # the source is left as it was


def test_the_payload_on_disk_is_ciphertext_under_a_random_name(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, original = big_wav
    _, recording_id = imported(program, source)
    stored = blob_path(program, recording_id).read_bytes()
    assert original[1000:1064] not in stored
    assert row(program, recording_id).uid not in str(blob_path(program, recording_id))


def test_a_trainee_without_a_grant_is_refused_and_the_refusal_is_audited(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    _, recording_id = imported(program, source)
    with pytest.raises(PermissionDenied, match="not shared with you"):
        export_bytes(program, program.login("theo"), recording_id)
    denied = audit_rows(program, "recording.export", recording_id)[-1]
    assert (denied.outcome, denied.reason) == ("denied", "no-grant")


def test_a_supervisor_whose_pair_ended_is_refused_though_the_grant_row_remains(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    from supervise.services import pairs

    source, _ = big_wav
    _, recording_id = imported(program, source)
    dana = program.login("dana")
    for pair in pairs.list_pairs(program.ctx, dana):
        if pair.supervisor == "sam" and pair.trainee == "tara":
            pairs.end_pair(program.ctx, dana, pair.id)
    program.clock.advance(days=1)
    with pytest.raises(PermissionDenied):
        export_bytes(program, program.login("sam"), recording_id)
    # Ending the pair took the grant's secret; the row stays for the record.
    assert audit_rows(program, "recording.export", recording_id)[-1].reason == (
        "no-grant"
    )
    sam_id = program.login("sam").account_id
    (kept,) = [g for g in grants(program, recording_id) if g.grantee_id == sam_id]
    assert kept.wrapped_secret is None and kept.revoked_at is not None


def test_list_shows_each_caller_exactly_what_they_may_see(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    _, recording_id = imported(program, source)

    def seen(username: str) -> dict[int, bool]:
        views = recordings.list_recordings(program.ctx, program.login(username))
        return {view.id: view.can_open for view in views}

    assert seen("tara")[recording_id] is True
    assert seen("sam")[recording_id] is True
    assert recording_id not in seen("theo")
    assert recording_id not in seen("tomas")
    assert seen("dana")[recording_id] is False  # metadata for holds, no key
    with pytest.raises(PermissionDenied):
        seen("audrey")


def test_import_refuses_a_file_that_is_not_audio_or_video_and_stores_nothing(
    program: Demo, tmp_path: Path
) -> None:
    fake = tmp_path / "notes.wav"
    fake.write_text("session notes, not a recording\n" * 100)
    before = _stored_state(program)
    with pytest.raises(InvalidInput, match="not an audio or video recording"):
        imported(program, fake)
    assert _stored_state(program) == before


def test_import_for_another_trainees_client_is_refused_and_audited(
    program: Demo,
) -> None:
    before = _stored_state(program)
    with pytest.raises(PermissionDenied):
        recordings.import_recording(
            program.ctx, program.login("theo"), MEDIA / "tone.wav", "C-1001"
        )
    assert _stored_state(program) == before
    with Session(program.ctx.engine) as session:
        denied = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "recording.import",
                AuditEvent.outcome == "denied",
            )
        ).all()
    assert [d.reason for d in denied] == ["not-owner"]


@pytest.mark.parametrize(
    ("purpose", "day", "message"),
    [
        ("gossip", None, "purpose"),
        ("supervision", date(2031, 1, 1), "session date"),
        ("supervision", date(1950, 1, 1), "session date"),
    ],
)
def test_import_refuses_bad_purposes_and_dates(
    program: Demo, purpose: str, day: date | None, message: str
) -> None:
    before = _stored_state(program)
    with pytest.raises(InvalidInput, match=message):
        recordings.import_recording(
            program.ctx,
            program.login("tara"),
            MEDIA / "tone.wav",
            "C-1001",
            purpose=purpose,
            session_date=day,
        )
    assert _stored_state(program) == before


def test_a_cancelled_import_leaves_no_row_blob_temporary_file_or_key(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    before = _stored_state(program)
    calls: list[int] = []

    def cancel_after_first_chunk() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(recordings.ImportCancelled):
        recordings.import_recording(
            program.ctx,
            program.login("tara"),
            source,
            "C-1001",
            should_cancel=cancel_after_first_chunk,
        )
    assert _stored_state(program) == before


def _stored_state(program: Demo) -> tuple[object, ...]:
    """Rows, blobs, temporaries and keystore entries, to compare before/after."""
    with Session(program.ctx.engine) as session:
        rows = session.exec(select(Recording.id)).all()
        grants = session.exec(select(Grant.id)).all()
    blobs = sorted(
        str(p.relative_to(program.ctx.blobs.folder))
        for p in program.ctx.blobs.folder.rglob("*")
        if p.is_file()
    )
    import sqlite3

    with sqlite3.connect(program.ctx.keystore.path) as conn:
        keys = conn.execute("SELECT kind, uid FROM retained_secret").fetchall()
    return (
        sorted(r or 0 for r in rows),
        sorted(g or 0 for g in grants),
        blobs,
        sorted(keys),
    )


# --- sharing -----------------------------------------------------------------


def test_share_opens_to_the_grantee_and_unshare_refuses_them_again(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, original = big_wav
    tara, recording_id = imported(program, source)
    theo = program.login("theo")
    naming(program, tara, "C-1001", "theo")
    recordings.share(program.ctx, tara, recording_id, "theo")
    assert export_bytes(program, theo, recording_id) == original
    with pytest.raises(Conflict):
        recordings.share(program.ctx, tara, recording_id, "theo")
    recordings.unshare(program.ctx, tara, recording_id, "theo")
    with pytest.raises(PermissionDenied):
        export_bytes(program, theo, recording_id)
    (kept,) = grants(program, recording_id, "share")
    assert kept.wrapped_secret is None and kept.revoked_at is not None


def test_only_the_owner_may_share(program: Demo, big_wav: tuple[Path, bytes]) -> None:
    source, _ = big_wav
    _, recording_id = imported(program, source)
    with pytest.raises(PermissionDenied):
        recordings.share(program.ctx, program.login("sam"), recording_id, "theo")


def test_after_a_hard_revoke_a_restored_old_grant_opens_nothing(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, original = big_wav
    tara, recording_id = imported(program, source)
    naming(program, tara, "C-1001", "theo")
    recordings.share(program.ctx, tara, recording_id, "theo")
    (old,) = grants(program, recording_id, "share")
    old_blob = blob_path(program, recording_id).read_bytes()
    recordings.unshare(program.ctx, tara, recording_id, "theo", hard=True)
    assert blob_path(program, recording_id).read_bytes() == old_blob
    # Everyone still granted opens it with the new keys...
    assert export_bytes(program, tara, recording_id) == original
    assert export_bytes(program, program.login("sam"), recording_id) == original
    # ...and theo's old grant, put back from a backup, does not.
    add_share_grant(program, recording_id, old.grantee_id, old.wrapped_secret)
    with pytest.raises(KeyTampered):
        export_bytes(program, program.login("theo"), recording_id)


def test_a_re_key_interrupted_before_its_keystore_swap_still_opens(
    program: Demo, big_wav: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from supervise.services import vault

    source, original = big_wav
    tara, recording_id = imported(program, source)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies between commit and swap

    monkeypatch.setattr(vault, "promote_retain", crash)
    with pytest.raises(KeyboardInterrupt):
        recordings.hard_revoke(program.ctx, tara, recording_id)
    monkeypatch.undo()
    assert export_bytes(program, program.login("sam"), recording_id) == original
    uid = row(program, recording_id).uid
    assert program.ctx.keystore.get(ObjectKind.RECORDING, f"{uid}.next") is None


# --- tampering ---------------------------------------------------------------


def _no_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_every_flipped_header_byte_is_refused_and_audited(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    header = row(program, recording_id).age_header
    assert header is not None
    for position in range(len(header)):
        damaged = bytearray(header)
        damaged[position] ^= 0x01
        update(program, recording_id, age_header=bytes(damaged))
        with pytest.raises(KeyTampered):
            export_bytes(program, tara, recording_id)
    update(program, recording_id, age_header=header)
    errors = [
        e
        for e in audit_rows(program, "recording.export", recording_id)
        if e.outcome == "error"
    ]
    assert len(errors) == len(header)
    assert {e.reason for e in errors} == {"header-tampered"}


@pytest.mark.parametrize("where", ["nonce", "first-chunk", "middle", "last-byte"])
def test_a_flipped_payload_byte_is_refused_with_no_output_file_left(
    program: Demo, big_wav: tuple[Path, bytes], tmp_path: Path, where: str
) -> None:
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    path = blob_path(program, recording_id)
    data = bytearray(path.read_bytes())
    position = {
        "nonce": 3,
        "first-chunk": 100,
        "middle": 16 + 65552 + 500,
        "last-byte": len(data) - 1,
    }[where]
    data[position] ^= 0x80
    path.write_bytes(bytes(data))
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    with pytest.raises(KeyTampered):
        recordings.export_recording(
            program.ctx, tara, recording_id, out_dir / "session.wav"
        )
    assert _no_leftovers(out_dir) == []
    assert audit_rows(program, "recording.export", recording_id)[-1].outcome == "error"


def test_a_flipped_byte_anywhere_in_the_payload_is_refused_and_leaves_no_file(
    sqlite_program: Demo, big_wav: tuple[Path, bytes], tmp_path: Path
) -> None:
    program = sqlite_program
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    path = blob_path(program, recording_id)
    pristine = path.read_bytes()
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    positions = [*range(0, len(pristine), 1499), len(pristine) - 1]
    for position in positions:
        damaged = bytearray(pristine)
        damaged[position] ^= 0x04
        path.write_bytes(bytes(damaged))
        with pytest.raises(KeyTampered):
            recordings.export_recording(
                program.ctx, tara, recording_id, out_dir / f"at-{position}.wav"
            )
    assert _no_leftovers(out_dir) == []
    errors = [
        e
        for e in audit_rows(program, "recording.export", recording_id)
        if e.outcome == "error"
    ]
    assert len(errors) == len(positions) > 100


def test_truncation_at_a_chunk_boundary_is_refused_before_any_byte_is_released(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    path = blob_path(program, recording_id)
    path.write_bytes(path.read_bytes()[: 16 + 2 * 65552])
    out = io.BytesIO()
    with pytest.raises(KeyTampered):
        recordings.export_recording(program.ctx, tara, recording_id, out)
    assert out.getvalue() == b""


def test_payloads_swapped_between_recordings_are_both_refused(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    tara, first = imported(program, source)
    _, second = imported(program, source)
    a, b = row(program, first).blob_name, row(program, second).blob_name
    update(program, first, blob_name=b)
    update(program, second, blob_name=a)
    for recording_id in (first, second):
        with pytest.raises(KeyTampered):
            export_bytes(program, tara, recording_id)
        assert audit_rows(program, "recording.export", recording_id)[-1].reason == (
            "payload-tampered"
        )


def test_a_grant_copied_to_another_account_is_refused_and_audited(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    _, recording_id = imported(program, source)
    theo = program.login("theo")
    (tara_grant,) = grants(program, recording_id, "owner")
    add_share_grant(program, recording_id, theo.account_id, tara_grant.wrapped_secret)
    with pytest.raises(KeyTampered):
        export_bytes(program, theo, recording_id)
    last = audit_rows(program, "recording.export", recording_id)[-1]
    assert (last.outcome, last.reason, last.actor_id) == (
        "error",
        "key-tampered",
        theo.account_id,
    )


def test_a_header_moved_to_another_recording_is_refused(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    tara, first = imported(program, source)
    _, second = imported(program, source)
    update(program, second, age_header=row(program, first).age_header)
    with pytest.raises(KeyTampered):
        export_bytes(program, tara, second)


# --- export to files and age ---------------------------------------------------


def test_export_refuses_to_overwrite_and_leaves_the_file_unchanged(
    program: Demo, big_wav: tuple[Path, bytes], tmp_path: Path
) -> None:
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    target = tmp_path / "already.wav"
    target.write_bytes(b"keep me")
    with pytest.raises(Conflict):
        recordings.export_recording(program.ctx, tara, recording_id, target)
    assert target.read_bytes() == b"keep me"
    # Nothing was released, so no export is on the record.
    assert audit_rows(program, "recording.export", recording_id) == []


def test_every_export_is_audited_before_release(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    seen_before_first_byte: list[int] = []

    class Watch(io.BytesIO):
        def write(self, data: bytes, /) -> int:  # type: ignore[override]
            if not seen_before_first_byte:
                seen_before_first_byte.append(
                    len(audit_rows(program, "recording.export", recording_id))
                )
            return super().write(data)

    recordings.export_recording(program.ctx, tara, recording_id, Watch())
    assert seen_before_first_byte == [1]


# --- shredding, holds, purge, break glass --------------------------------------


def test_after_a_shred_nobody_can_export_it_the_escrow_key_included(
    program: Demo, big_wav: tuple[Path, bytes], tmp_path: Path
) -> None:
    source, _ = big_wav
    tara, recording_id = imported(program, source)
    path = blob_path(program, recording_id)
    uid = row(program, recording_id).uid
    dana = program.login("dana")
    recordings.shred(program.ctx, dana, recording_id)
    assert not path.exists()
    assert program.ctx.keystore.get(ObjectKind.RECORDING, uid) is None
    assert row(program, recording_id).state == "shredded"
    assert row(program, recording_id).age_header is None
    for user in (tara, program.login("sam")):
        with pytest.raises((ObjectGone, PermissionDenied)):
            export_bytes(program, user, recording_id)
    escrow = read_offline_key(
        program.ctx.settings.home / "offline-keys" / "escrow.key", "escrow"
    )
    with pytest.raises(ObjectGone):
        recordings.break_glass(
            program.ctx,
            dana,
            recording_id,
            escrow,
            "emergency review after shred",
            out=io.BytesIO(),
        )
    wiped = grants(program, recording_id)
    assert wiped and all(g.wrapped_secret is None for g in wiped)


def test_a_legal_hold_blocks_shredding_until_released(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    source, original = big_wav
    tara, recording_id = imported(program, source)
    dana = program.login("dana")
    recordings.set_legal_hold(
        program.ctx, dana, recording_id, hold=True, reason="subpoena for C-1001"
    )
    with pytest.raises(Conflict, match="legal hold"):
        recordings.shred(program.ctx, dana, recording_id)
    assert export_bytes(program, tara, recording_id) == original
    assert (
        audit_rows(program, "recording.shred", recording_id)[-1].reason == "legal-hold"
    )
    recordings.set_legal_hold(
        program.ctx, dana, recording_id, hold=False, reason="matter closed, hold ends"
    )
    recordings.shred(program.ctx, dana, recording_id)
    assert row(program, recording_id).state == "shredded"


def test_a_shred_interrupted_after_the_key_is_gone_is_finished_by_purge(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    from supervise.services import audit

    source, _ = big_wav
    _, recording_id = imported(program, source)
    uid = row(program, recording_id).uid
    update(program, recording_id, state="shredding")
    program.ctx.keystore.destroy(ObjectKind.RECORDING, uid)
    report = recordings.purge(program.ctx, audit.SYSTEM, dry_run=True)
    assert [(i.id, i.step) for i in report.items] == [(recording_id, "resume")]
    recordings.purge(program.ctx, audit.SYSTEM)
    assert row(program, recording_id).state == "shredded"
    assert not blob_path_exists(program, recording_id)


def blob_path_exists(program: Demo, recording_id: int) -> bool:
    return blob_path(program, recording_id).exists()


def test_purge_shreds_only_what_is_past_its_date_and_not_held(
    program: Demo, big_wav: tuple[Path, bytes]
) -> None:
    from supervise.services import audit

    source, _ = big_wav
    _, due = imported(program, source)
    _, held = imported(program, source)
    _, later = imported(program, source)
    today = program.clock().date()
    update(program, due, destroy_after=date(today.year - 1, 1, 1))
    update(program, held, destroy_after=date(today.year - 1, 1, 1), legal_hold=True)
    dry = recordings.purge(program.ctx, audit.SYSTEM, dry_run=True)
    assert {(i.id, i.step) for i in dry.items} >= {(due, "shred"), (held, "held")}
    assert row(program, due).state == "active"
    recordings.purge(program.ctx, audit.SYSTEM)
    assert row(program, due).state == "shredded"
    assert row(program, held).state == "active"
    assert row(program, later).state == "active"


def test_purge_by_a_non_admin_is_refused(program: Demo) -> None:

    tara = program.login("tara")
    with pytest.raises(PermissionDenied):
        recordings.purge(program.ctx, tara.who, user=tara)


def test_break_glass_opens_with_the_escrow_key_and_records_the_reason(
    program: Demo, big_wav: tuple[Path, bytes], tmp_path: Path
) -> None:
    from supervise.models.clinical import StatedReason

    source, original = big_wav
    _, recording_id = imported(program, source)
    dana = program.login("dana")
    home = program.ctx.settings.home / "offline-keys"
    escrow = read_offline_key(home / "escrow.key", "escrow")
    out = io.BytesIO()
    recordings.break_glass(
        program.ctx,
        dana,
        recording_id,
        escrow,
        "client emergency, trainee away",
        out=out,
    )
    assert out.getvalue() == original
    event = audit_rows(program, "recording.break_glass", recording_id)[-1]
    with Session(program.ctx.engine) as session:
        note = session.get(StatedReason, int(event.reason.removeprefix("note-")))
    assert note is not None and note.text == "client emergency, trainee away"
    # The recovery key is a different key: refused before it is tried, and
    # said so (not as tampering).
    wrong = read_offline_key(home / "recovery.key", "recovery")
    with pytest.raises(InvalidInput, match="not the program's escrow key"):
        recordings.break_glass(
            program.ctx,
            dana,
            recording_id,
            wrong,
            "trying the wrong key file",
            out=io.BytesIO(),
        )
    refused = audit_rows(program, "recording.break_glass", recording_id)[-1]
    assert (refused.outcome, refused.reason) == ("denied", "bad-escrow-key")
    with pytest.raises(PermissionDenied):
        recordings.break_glass(
            program.ctx,
            program.login("sam"),
            recording_id,
            escrow,
            "not an admin here",
            out=io.BytesIO(),
        )


def test_export_age_decrypts_with_the_age_command(
    program: Demo, big_wav: tuple[Path, bytes], tmp_path: Path
) -> None:
    import shutil
    import subprocess

    if shutil.which("age") is None:
        pytest.skip("the age command is not installed (Debian package age)")
    source, original = big_wav
    tara, recording_id = imported(program, source)
    done = recordings.export_age(program.ctx, tara, recording_id, tmp_path)
    result = subprocess.run(
        ["age", "-d", "-i", str(done.identity_file), str(done.age_file)],
        capture_output=True,
        check=True,
    )
    assert result.stdout == original
    assert done.identity_file.stat().st_mode & 0o077 == 0
