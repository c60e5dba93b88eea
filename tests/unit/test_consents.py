"""The consent lifecycle through its services: the import gate, versions,
signatures and scans, revocation and its dispositions, retention dates, and
shares for training.

Each test runs on a real SQLite file and, when configured, PostgreSQL. The
demo seeds (see `supervise.services.setup`): tara's C-1001 (active, every
purpose, one recording), C-1002 (a minor, awaiting the guardian's signature),
C-1003 with C-1004 (a couple, both active for supervision, one recording);
theo's C-2001 (v1 expired, v2 active with training); tomas's C-3001 (revoked)
and C-3002 (Illinois, active, preserve on revocation, one recording).
"""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from supervise.models import AuditEvent
from supervise.models.audit import Outcome
from supervise.models.clinical import (
    ConsentForm,
    ConsentStatus,
    Grant,
    GrantVia,
    Recording,
    RecordingConsent,
    RecordingState,
)
from supervise.services import (
    clients,
    consent_signing,
    consents,
    recordings,
    revocation,
    rules,
)
from supervise.services.accounts import UserSession
from supervise.services.consents import ConsentTerms
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotConsented,
    PermissionDenied,
)
from supervise.services.setup import write_demo_tone
from supervise.units import add_years
from tests.conftest import Demo
from tests.consent_helpers import active_for, sign_all

SUPERVISION = ("clinical_record", "supervision")


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    path = tmp_path / "session.wav"
    write_demo_tone(path, seconds=1)
    return path


def add_client(
    program: Demo,
    user: UserSession,
    code: str,
    *,
    born: date = date(1985, 4, 2),
    guardian: str = "",
    state: str = "",
) -> None:
    identity = clients.ClientIdentity("Anaïs Delacroix-Øster", born, guardian, "")
    clients.add_client(program.ctx, user, code, identity, state)


def recording_count(program: Demo) -> int:
    with Session(program.ctx.engine) as session:
        return len(session.exec(select(Recording)).all())


def newest_denial(program: Demo, action: str) -> AuditEvent:
    with Session(program.ctx.engine) as session:
        row = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == Outcome.DENIED)
            .order_by(col(AuditEvent.seq).desc())
        ).first()
    assert row is not None, f"no denied {action} in the audit trail"
    return row


def refused(
    program: Demo,
    user: UserSession,
    tone: Path,
    code: str,
    *,
    purpose: str = "supervision",
    participants: tuple[str, ...] = (),
) -> str:
    """Import and expect a refusal; returns its message. Nothing is stored."""
    before = recording_count(program)
    with pytest.raises(NotConsented) as caught:
        recordings.import_recording(
            program.ctx, user, tone, code, purpose=purpose, participants=participants
        )
    assert recording_count(program) == before
    return str(caught.value)


def state_of(program: Demo, recording_id: int) -> RecordingState:
    with Session(program.ctx.engine) as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        return row.state


def consent_status(program: Demo, consent_id: int) -> ConsentStatus:
    with Session(program.ctx.engine) as session:
        row = session.get(ConsentForm, consent_id)
        assert row is not None
        return row.status


def recordings_of(program: Demo, code: str) -> list[int]:
    with Session(program.ctx.engine) as session:
        client = clients.find_client(session, code)
        return [
            r.id
            for r in session.exec(
                select(Recording).where(Recording.client_id == client.id)
            )
            if r.id is not None
        ]


def blob_exists(program: Demo, recording_id: int) -> bool:
    with Session(program.ctx.engine) as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        name = row.blob_name
    return bool(name) and any(program.ctx.settings.home.rglob(name))


# --- the import gate ---------------------------------------------------------


def test_import_is_refused_for_a_client_with_no_consent_and_audited(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    message = refused(program, tara, tone, "C-1010")
    assert "C-1010 has no consent on record" in message
    assert newest_denial(program, "recording.import").reason == "no-consent"


def test_import_is_refused_while_the_consent_is_a_draft_printed_or_only_verbal(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    view = consents.new_consent(program.ctx, tara, "C-1010", ConsentTerms(SUPERVISION))
    assert "is a draft" in refused(program, tara, tone, "C-1010")
    assert consent_signing.mark_printed(program.ctx, tara, view.id)
    assert "not signed yet" in refused(program, tara, tone, "C-1010")
    consent_signing.record_verbal(program.ctx, tara, view.id, program.clock().date())
    message = refused(program, tara, tone, "C-1010")
    assert "verbal consent alone is not enough" in message
    assert newest_denial(program, "recording.import").reason == "consent-unsigned"


def test_import_is_refused_after_revocation(program: Demo, tone: Path) -> None:
    tomas = program.login("tomas")
    message = refused(program, tomas, tone, "C-3001")
    assert "C-3001 revoked consent on" in message
    assert newest_denial(program, "recording.import").reason == "consent-revoked"


def test_import_is_refused_for_a_purpose_the_consent_leaves_out(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    message = refused(program, tara, tone, "C-1004", purpose="training")
    assert "does not cover training" in message
    assert "clinical record, supervision" in message


def test_import_is_refused_when_a_participant_has_not_consented(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    message = refused(program, tara, tone, "C-1003", participants=("C-1010",))
    assert "C-1010 has no consent on record" in message
    # A minor whose guardian has not signed yet is not covered either.
    message = refused(program, tara, tone, "C-1003", participants=("C-1002",))
    assert "C-1002's consent" in message and "not signed yet" in message


def test_import_is_refused_for_another_trainees_client(
    program: Demo, tone: Path
) -> None:
    theo = program.login("theo")
    with pytest.raises(PermissionDenied):
        recordings.import_recording(program.ctx, theo, tone, "C-1001")


def test_import_succeeds_once_every_consent_holds_and_records_which(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    add_client(program, tara, "C-1011")
    # California is all-party: the form names the other participant too.
    couple = ConsentTerms(SUPERVISION, participants=("C-1011",))
    first = active_for(program, tara, "C-1010", couple)
    refused(program, tara, tone, "C-1010", participants=("C-1011",))
    second = active_for(program, tara, "C-1011", ConsentTerms(SUPERVISION))
    view = recordings.import_recording(
        program.ctx, tara, tone, "C-1010", participants=("C-1011",)
    )
    with Session(program.ctx.engine) as session:
        under = {
            (row.consent_id)
            for row in session.exec(
                select(RecordingConsent).where(RecordingConsent.recording_id == view.id)
            )
        }
        stored = session.get(Recording, view.id)
        assert stored is not None and stored.consent_id == first
    assert under == {first, second}


def test_a_consent_revoked_while_the_file_is_encrypted_stops_the_import(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    consent = consents.list_consents(program.ctx, tara, "C-1001")[-1]
    before = recording_count(program)
    revoked = False

    def progress(done: int, total: int) -> None:
        nonlocal revoked
        if not revoked:
            revoked = True
            revocation.revoke(
                program.ctx,
                tara,
                consent.id,
                on=program.clock().date(),
                received="in_person",
            )

    with pytest.raises(NotConsented, match="revoked consent"):
        recordings.import_recording(
            program.ctx, tara, tone, "C-1001", progress=progress
        )
    assert revoked
    # The earlier recording was shredded by the revocation, the new one never
    # stored.
    assert recording_count(program) == before
    assert all(
        state_of(program, r) == RecordingState.SHREDDED
        for r in recordings_of(program, "C-1001")
    )


# --- versions, verbal consent, signatures --------------------------------------


def test_changing_an_active_consent_makes_a_new_version_to_sign_again(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    old = consents.list_consents(program.ctx, tara, "C-1004")[-1]
    new = consents.new_consent(
        program.ctx, tara, "C-1004", ConsentTerms(("clinical_record", "training"))
    )
    assert (new.version, new.status, new.supersedes_id) == (
        old.version + 1,
        "draft",
        old.id,
    )
    assert new.verification_code != old.verification_code
    # Until the new version is signed, the old one still governs.
    assert consent_status(program, old.id) == ConsentStatus.ACTIVE
    refused(program, tara, tone, "C-1004", purpose="training")
    recordings.import_recording(program.ctx, tara, tone, "C-1004")
    # A second unsigned version is refused: amend the open one instead.
    with pytest.raises(Conflict):
        consents.new_consent(program.ctx, tara, "C-1004", ConsentTerms(SUPERVISION))
    sign_all(program, tara, new.id)
    assert consent_status(program, old.id) == ConsentStatus.EXPIRED
    recordings.import_recording(program.ctx, tara, tone, "C-1004", purpose="training")
    refused(program, tara, tone, "C-1004", purpose="supervision")


def test_editing_a_printed_form_returns_it_to_draft_with_a_new_code(
    program: Demo,
) -> None:
    tara = program.login("tara")
    minor = consents.list_consents(program.ctx, tara, "C-1002")[-1]
    assert minor.status == "awaiting_signature"
    edited = consents.edit_consent(
        program.ctx, tara, minor.id, ConsentTerms(("clinical_record",))
    )
    assert edited.status == "draft"
    assert edited.purposes == ("clinical_record",)
    assert edited.verification_code != minor.verification_code


def test_signing_needs_a_printed_form_and_every_required_line(program: Demo) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    view = consents.new_consent(program.ctx, tara, "C-1010", ConsentTerms(SUPERVISION))
    today = program.clock().date()
    with pytest.raises(Conflict):
        consent_signing.sign(
            program.ctx, tara, view.id, on=today, lines=["client", "trainee"]
        )
    consent_signing.mark_printed(program.ctx, tara, view.id)
    with pytest.raises(InvalidInput, match="missing: Trainee"):
        consent_signing.sign(program.ctx, tara, view.id, on=today, lines=["client"])
    with pytest.raises(InvalidInput):
        consent_signing.sign(
            program.ctx, tara, view.id, on=today, lines=["client", "trainee", "nobody"]
        )
    with pytest.raises(InvalidInput):
        consent_signing.sign(
            program.ctx,
            tara,
            view.id,
            on=today + timedelta(days=1),
            lines=["client", "trainee"],
        )
    assert consent_status(program, view.id) == ConsentStatus.AWAITING_SIGNATURE
    signed = consent_signing.sign(
        program.ctx, tara, view.id, on=today, lines=["client", "trainee"]
    )
    assert signed.status == "active" and signed.signed_on == today


def test_a_minor_signs_through_a_guardian(program: Demo) -> None:
    tara = program.login("tara")
    minor = consents.list_consents(program.ctx, tara, "C-1002")[-1]
    assert minor.minor
    lines = {line.key: line.required for line in minor.lines}
    assert lines["guardian"] is True
    assert lines.get("client") is False  # the minor's own assent is optional
    with pytest.raises(InvalidInput, match="guardian"):
        consent_signing.sign(
            program.ctx,
            tara,
            minor.id,
            on=program.clock().date(),
            lines=["client", "trainee"],
        )


def test_an_all_party_state_needs_every_participant_on_the_form(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    # The demo program is in California, which the state table marks all-party.
    add_client(program, tara, "C-1010")
    add_client(program, tara, "C-1011")
    first = active_for(program, tara, "C-1010", ConsentTerms(SUPERVISION))
    active_for(program, tara, "C-1011", ConsentTerms(SUPERVISION))
    message = refused(program, tara, tone, "C-1010", participants=("C-1011",))
    assert "every participant" in message and "C-1011" in message
    assert newest_denial(program, "recording.import").reason == "participant-unsigned"
    named = consents.new_consent(
        program.ctx,
        tara,
        "C-1010",
        ConsentTerms(SUPERVISION, participants=("C-1011",)),
    )
    keys = {line.key: line.required for line in named.lines}
    assert keys["participant:C-1011"] is True
    sign_all(program, tara, named.id)
    assert consent_status(program, first) == ConsentStatus.EXPIRED
    recordings.import_recording(
        program.ctx, tara, tone, "C-1010", participants=("C-1011",)
    )


def tiny_png(marker: bytes) -> bytes:
    """A valid 1x1 PNG carrying `marker` in a text chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data))
            + body
            + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + marker)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def files_holding(home: Path, marker: bytes) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file() and marker in p.read_bytes()]


def test_a_signed_scan_is_stored_sealed_and_comes_back_byte_identical(
    program: Demo, tmp_path: Path
) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    view = consents.new_consent(program.ctx, tara, "C-1010", ConsentTerms(SUPERVISION))
    consent_signing.mark_printed(program.ctx, tara, view.id)
    marker = b"SIGNED-PAGE-MARKER-7f3a9c"
    scan = tmp_path / "signed.png"
    scan.write_bytes(tiny_png(marker))
    signed = consent_signing.sign(
        program.ctx,
        tara,
        view.id,
        on=program.clock().date(),
        lines=["client", "trainee"],
        scan=scan,
    )
    assert signed.has_scan
    assert files_holding(program.ctx.settings.home, marker) == []
    data, media_type = consent_signing.export_scan(program.ctx, tara, view.id)
    assert (data, media_type) == (scan.read_bytes(), "image/png")
    # Only those who may see the client open it.
    with pytest.raises(PermissionDenied):
        consent_signing.export_scan(program.ctx, program.login("theo"), view.id)


def test_a_scan_that_is_not_a_document_is_refused_and_nothing_changes(
    program: Demo, tmp_path: Path
) -> None:
    tara = program.login("tara")
    add_client(program, tara, "C-1010")
    view = consents.new_consent(program.ctx, tara, "C-1010", ConsentTerms(SUPERVISION))
    consent_signing.mark_printed(program.ctx, tara, view.id)
    scan = tmp_path / "notes.txt"
    scan.write_text("not a scan")
    with pytest.raises(InvalidInput, match="PDF"):
        consent_signing.sign(
            program.ctx,
            tara,
            view.id,
            on=program.clock().date(),
            lines=["client", "trainee"],
            scan=scan,
        )
    assert consent_status(program, view.id) == ConsentStatus.AWAITING_SIGNATURE


# --- revocation ---------------------------------------------------------------


def test_revoking_with_delete_shreds_exactly_that_consents_recordings(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    recordings.import_recording(program.ctx, tara, tone, "C-1001")
    doomed = recordings_of(program, "C-1001")
    spared = recordings_of(program, "C-1003") + recordings_of(program, "C-3002")
    assert len(doomed) == 2 and len(spared) == 2
    consent = consents.list_consents(program.ctx, tara, "C-1001")[-1]
    outcome = revocation.revoke(
        program.ctx,
        tara,
        consent.id,
        on=program.clock().date(),
        received="mail",
        notes="Letter dated the 1st, received at the front desk.",
    )
    assert sorted(outcome.shredded) == sorted(doomed)
    assert outcome.consent.status == "revoked"
    assert outcome.consent.revocation_received == "mail"
    assert outcome.consent.revoked_by == "tara"
    for recording_id in doomed:
        assert state_of(program, recording_id) == RecordingState.SHREDDED
        assert not blob_exists(program, recording_id)
    for recording_id in spared:
        assert state_of(program, recording_id) == RecordingState.ACTIVE
        assert blob_exists(program, recording_id)
    with pytest.raises(Conflict, match="revoked already"):
        revocation.revoke(
            program.ctx,
            tara,
            consent.id,
            on=program.clock().date(),
            received="mail",
        )


def test_a_participant_revoking_shreds_the_shared_session_too(program: Demo) -> None:
    tara = program.login("tara")
    couple = recordings_of(program, "C-1003")
    partner = consents.list_consents(program.ctx, tara, "C-1004")[-1]
    outcome = revocation.revoke(
        program.ctx, tara, partner.id, on=program.clock().date(), received="in_person"
    )
    assert list(outcome.shredded) == couple
    assert state_of(program, couple[0]) == RecordingState.SHREDDED


def test_a_recording_on_legal_hold_is_shredded_when_the_hold_is_released(
    program: Demo,
) -> None:
    tara, dana = program.login("tara"), program.login("dana")
    (held,) = recordings_of(program, "C-1001")
    recordings.set_legal_hold(
        program.ctx, dana, held, hold=True, reason="Subpoena 2026-118"
    )
    consent = consents.list_consents(program.ctx, tara, "C-1001")[-1]
    outcome = revocation.revoke(
        program.ctx, tara, consent.id, on=program.clock().date(), received="phone"
    )
    assert (outcome.shredded, outcome.waiting) == ((), (held,))
    assert state_of(program, held) == RecordingState.ACTIVE
    assert blob_exists(program, held)
    # A purge while the hold stands leaves it alone.
    recordings.purge(program.ctx, dana.who, user=dana)
    assert state_of(program, held) == RecordingState.ACTIVE
    recordings.set_legal_hold(
        program.ctx, dana, held, hold=False, reason="Subpoena withdrawn"
    )
    assert state_of(program, held) == RecordingState.SHREDDED
    assert not blob_exists(program, held)


def test_revoking_with_preserve_keeps_recordings_and_withdraws_shares(
    program: Demo, tmp_path: Path
) -> None:
    tomas = program.login("tomas")
    (kept,) = recordings_of(program, "C-3002")
    # sofia supervises tomas; sam is named on a new version of the form.
    named = consents.new_consent(
        program.ctx,
        tomas,
        "C-3002",
        ConsentTerms(
            SUPERVISION,
            disposition="preserve",
            circumstances="Kept for the clinical record only.",
            access=("sam",),
        ),
    )
    sign_all(program, tomas, named.id)
    recordings.share(program.ctx, tomas, kept, "sam")
    sam = program.login("sam")
    assert recordings.recording_detail(program.ctx, sam, kept).can_open
    outcome = revocation.revoke(
        program.ctx, tomas, named.id, on=program.clock().date(), received="in_person"
    )
    assert outcome.preserved == (kept,) and outcome.shredded == ()
    assert state_of(program, kept) == RecordingState.ACTIVE
    with Session(program.ctx.engine) as session:
        live = {
            grant.via
            for grant in session.exec(
                select(Grant).where(
                    Grant.object_id == kept, col(Grant.wrapped_secret).is_not(None)
                )
            )
        }
    assert GrantVia.SHARE not in live and GrantVia.OWNER in live
    with pytest.raises(PermissionDenied):
        recordings.export_recording(program.ctx, sam, kept, tmp_path / "out.wav")
    assert not (tmp_path / "out.wav").exists()


def test_only_the_trainee_or_an_admin_records_a_revocation(program: Demo) -> None:
    tara = program.login("tara")
    consent = consents.list_consents(program.ctx, tara, "C-1001")[-1]
    for other in ("theo", "sam"):
        with pytest.raises(PermissionDenied):
            revocation.revoke(
                program.ctx,
                program.login(other),
                consent.id,
                on=program.clock().date(),
                received="mail",
            )
    assert consent_status(program, consent.id) == ConsentStatus.ACTIVE


def test_a_revocation_with_a_bad_channel_or_future_date_changes_nothing(
    program: Demo,
) -> None:
    tara = program.login("tara")
    consent = consents.list_consents(program.ctx, tara, "C-1001")[-1]
    today = program.clock().date()
    with pytest.raises(InvalidInput):
        revocation.revoke(program.ctx, tara, consent.id, on=today, received="pigeon")
    with pytest.raises(InvalidInput):
        revocation.revoke(
            program.ctx,
            tara,
            consent.id,
            on=today + timedelta(days=2),
            received="mail",
        )
    assert consent_status(program, consent.id) == ConsentStatus.ACTIVE
    assert all(
        state_of(program, r) == RecordingState.ACTIVE
        for r in recordings_of(program, "C-1001")
    )


# --- retention dates ------------------------------------------------------------


def destroy_after(program: Demo, recording_id: int) -> date | None:
    with Session(program.ctx.engine) as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        return row.destroy_after


def test_an_adults_recording_is_kept_the_states_years_after_the_session(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    session_date = date(2026, 11, 20)
    view = recordings.import_recording(
        program.ctx, tara, tone, "C-1001", session_date=session_date
    )
    with Session(program.ctx.engine) as session:
        rule = rules.get_rule(session, "CA")
        assert rule is not None
    assert destroy_after(program, view.id) == add_years(session_date, rule.adult_years)


def test_a_minors_recording_is_kept_until_majority_plus_the_states_years(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    born = date(2014, 6, 30)
    add_client(
        program, tara, "C-1010", born=born, guardian="Rosa Delacroix", state="NY"
    )
    active_for(program, tara, "C-1010", ConsentTerms(SUPERVISION))
    session_date = date(2026, 11, 20)
    view = recordings.import_recording(
        program.ctx, tara, tone, "C-1010", session_date=session_date
    )
    with Session(program.ctx.engine) as session:
        rule = rules.get_rule(session, "NY")
        assert rule is not None
    majority_plus = add_years(born, rule.age_of_majority + rule.minor_years)
    assert majority_plus > add_years(session_date, rule.adult_years)
    assert destroy_after(program, view.id) == majority_plus


def test_retention_follows_the_state_table_as_the_admin_edits_it(
    program: Demo, tone: Path
) -> None:
    dana, tara = program.login("dana"), program.login("tara")
    rule = next(
        r for r in rules.list_rules(program.ctx, dana) if r.jurisdiction == "CA"
    )
    rules.update_rule(
        program.ctx,
        dana,
        "CA",
        all_party_consent=rule.all_party_consent,
        adult_years=12,
        minor_years=rule.minor_years,
        age_of_majority=rule.age_of_majority,
        minor_rule=rule.minor_rule,
        statute=rule.statute,
        source=rule.source,
    )
    add_client(program, tara, "C-1010")
    active_for(program, tara, "C-1010", ConsentTerms(SUPERVISION))
    session_date = date(2026, 11, 20)
    view = recordings.import_recording(
        program.ctx, tara, tone, "C-1010", session_date=session_date
    )
    assert destroy_after(program, view.id) == add_years(session_date, 12)


# --- shares for training ----------------------------------------------------------


def test_a_training_share_needs_training_consented_and_an_end_date(
    program: Demo, tone: Path
) -> None:
    tara = program.login("tara")
    (couple,) = recordings_of(program, "C-1003")
    with pytest.raises(InvalidInput, match="end date"):
        recordings.share(program.ctx, tara, couple, "sam", purpose="training")
    with pytest.raises(NotConsented, match="does not cover training"):
        recordings.share(
            program.ctx,
            tara,
            couple,
            "sam",
            purpose="training",
            until=program.clock().date() + timedelta(days=30),
        )
    assert newest_denial(program, "recording.share").reason == "purpose"


def test_a_share_to_someone_the_form_does_not_name_is_refused(
    program: Demo,
) -> None:
    tara = program.login("tara")
    (first,) = recordings_of(program, "C-1001")
    with pytest.raises(NotConsented, match="does not name"):
        recordings.share(program.ctx, tara, first, "theo")
    assert newest_denial(program, "recording.share").reason == "not-on-form"


def test_a_training_share_expires_and_purge_wipes_it(program: Demo, tone: Path) -> None:
    theo = program.login("theo")
    # sofia does not supervise theo: the new version of the form names her.
    named = consents.new_consent(
        program.ctx,
        theo,
        "C-2001",
        ConsentTerms(("clinical_record", "supervision", "training"), access=("sofia",)),
    )
    sign_all(program, theo, named.id)
    view = recordings.import_recording(
        program.ctx, theo, tone, "C-2001", purpose="training"
    )
    until = program.clock().date() + timedelta(days=10)
    recordings.share(
        program.ctx, theo, view.id, "sofia", purpose="training", until=until
    )
    sofia = program.login("sofia")
    assert recordings.recording_detail(program.ctx, sofia, view.id).can_open

    def share_grant() -> Grant:
        with Session(program.ctx.engine) as session:
            return session.exec(
                select(Grant).where(
                    Grant.object_id == view.id, Grant.via == GrantVia.SHARE
                )
            ).one()

    assert share_grant().purpose == "training"
    assert share_grant().expires_at is not None
    program.clock.advance(days=11)
    # Past its end the grant no longer opens, and purge wipes its secret.
    assert not recordings.recording_detail(program.ctx, sofia, view.id).can_open
    report = recordings.purge(program.ctx, program.login("dana").who)
    assert report.expired_grants == 1
    assert share_grant().wrapped_secret is None
