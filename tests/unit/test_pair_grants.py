"""Pairs over time: an ended pair loses its grants at once; a new supervisor
gains the trainee's older recordings and clients at the trainee's next login,
or at once through the escrow key.

The demo: tara is supervised by sam and sofia, theo by sam alone; theo has
two clients (C-2001 with a consent in force for every purpose) and no
recordings, so a recording imported for him before sofia is assigned has no
grant to her.
"""

from __future__ import annotations

import io
import logging
import wave
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from supervise.crypto.offline import read_offline_key, write_offline_key
from supervise.crypto.recording_keys import ObjectKeys
from supervise.crypto.sealing import ObjectKind
from supervise.models import AuditEvent
from supervise.models.accounts import Account
from supervise.models.clinical import Grant, GrantVia, Recording
from supervise.services import (
    accounts,
    clients,
    consents,
    pair_grants,
    pairs,
    recordings,
    reviews,
)
from supervise.services.accounts import UserSession
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from supervise.services.vault import Sealed
from tests.conftest import Demo
from tests.consent_helpers import active_for, naming


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "session.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(range(256)) * 64)
    return path


def pair_id(program: Demo, supervisor: str, trainee: str) -> int:
    dana = program.login("dana")
    return next(
        p.id
        for p in pairs.list_pairs(program.ctx, dana, active_only=True)
        if (p.supervisor, p.trainee) == (supervisor, trainee)
    )


def theo_recording(program: Demo, wav: Path) -> int:
    """A recording of theo's client C-2001, made while only sam supervises him."""
    return recordings.import_recording(
        program.ctx, program.login("theo"), wav, "C-2001"
    ).id


def assign_sofia_to_theo(program: Demo) -> int:
    return pairs.add_pair(program.ctx, program.login("dana"), "sofia", "theo").id


def account_id(program: Demo, username: str) -> int:
    """An account's id, read without logging in (a login may grant)."""
    with Session(program.ctx.engine) as session:
        found = session.exec(
            select(Account.id).where(Account.username == username)
        ).one()
        assert found is not None
        return found


def supervisor_grants(
    program: Demo, grantee: str, object_type: str, object_id: int
) -> list[Grant]:
    with Session(program.ctx.engine) as session:
        return list(
            session.exec(
                select(Grant)
                .where(
                    Grant.grantee_id == account_id(program, grantee),
                    Grant.via == GrantVia.SUPERVISOR,
                    Grant.object_type == object_type,
                    Grant.object_id == object_id,
                )
                .order_by(col(Grant.id))
            )
        )


def all_grant_rows(program: Demo) -> list[tuple[object, ...]]:
    with Session(program.ctx.engine) as session:
        return [
            (g.id, g.object_type, g.object_id, g.grantee_id, g.via, g.wrapped_secret)
            for g in session.exec(select(Grant).order_by(col(Grant.id)))
        ]


def audit_rows(program: Demo, action: str) -> list[AuditEvent]:
    with Session(program.ctx.engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == action)
                .order_by(col(AuditEvent.seq))
            )
        )


def exports(program: Demo, user: UserSession, recording_id: int) -> bool:
    """Whether `user` can export the recording now (a refusal is audited)."""
    try:
        recordings.export_recording(program.ctx, user, recording_id, io.BytesIO())
    except PermissionDenied:
        return False
    return True


def escrow_key(program: Demo):  # type: ignore[no-untyped-def]
    path = program.ctx.settings.home / "offline-keys" / "escrow.key"
    return read_offline_key(path, "escrow")


def tara_recordings(program: Demo) -> list[int]:
    with Session(program.ctx.engine) as session:
        tara = account_id(program, "tara")
        query = select(col(Recording.id)).where(Recording.trainee_id == tara)
        return [rid for rid in session.exec(query) if rid is not None]


# --- ending a pair ---------------------------------------------------------------


def test_ending_a_pair_wipes_the_supervisors_grants_and_refuses_them_at_once(
    program: Demo,
) -> None:
    recording_id = tara_recordings(program)[0]
    sam = program.login("sam")
    assert exports(program, sam, recording_id)
    pairs.end_pair(program.ctx, program.login("dana"), pair_id(program, "sam", "tara"))
    # The same day, without waiting for the policy's date to pass.
    assert not exports(program, sam, recording_id)
    denied = [
        e for e in audit_rows(program, "recording.export") if e.outcome == "denied"
    ][-1]
    assert (denied.actor_id, denied.object_id, denied.reason) == (
        sam.account_id,
        str(recording_id),
        "no-grant",
    )
    with pytest.raises(PermissionDenied, match="not shared with you"):
        clients.open_client(program.ctx, sam, "C-1001")
    for rid in tara_recordings(program):
        for grant in supervisor_grants(program, "sam", "recording", rid):
            assert grant.wrapped_secret is None and grant.revoked_at is not None
    # sofia's pair with tara goes on: her grants are untouched.
    assert exports(program, program.login("sofia"), recording_id)
    assert clients.open_client(program.ctx, program.login("sofia"), "C-1001")


def test_the_pair_end_audit_row_counts_the_wiped_grants(program: Demo) -> None:
    pairs.end_pair(program.ctx, program.login("dana"), pair_id(program, "sam", "tara"))
    ended = audit_rows(program, "pair.end")[-1]
    # tara's four clients and two demo recordings.
    assert ended.reason == "wiped-6"
    pairs.end_pair(program.ctx, program.login("dana"), pair_id(program, "sam", "theo"))
    assert audit_rows(program, "pair.end")[-1].reason == "wiped-2"  # two clients


def test_a_share_made_on_purpose_outlives_the_pair(program: Demo) -> None:
    tara = program.login("tara")
    naming(program, tara, "C-1001", "sam")
    recording_id = tara_recordings(program)[0]
    dana = program.login("dana")
    pairs.end_pair(program.ctx, dana, pair_id(program, "sam", "tara"))
    until = date(2027, 1, 31)
    recordings.share(
        program.ctx, tara, recording_id, "sam", purpose="training", until=until
    )
    program.clock.advance(days=1)
    pairs.add_pair(program.ctx, dana, "sam", "tara")
    program.login("tara")  # sam's supervisor grant comes back beside the share
    assert len(supervisor_grants(program, "sam", "recording", recording_id)) == 2
    pairs.end_pair(program.ctx, dana, pair_id(program, "sam", "tara"))
    assert exports(program, program.login("sam"), recording_id)
    share = [
        g
        for g in _grants_of(program, "recording", recording_id)
        if g.via == GrantVia.SHARE
    ]
    assert len(share) == 1 and share[0].wrapped_secret is not None
    assert all(
        g.wrapped_secret is None
        for g in supervisor_grants(program, "sam", "recording", recording_id)
    )


def _grants_of(program: Demo, object_type: str, object_id: int) -> list[Grant]:
    with Session(program.ctx.engine) as session:
        return list(
            session.exec(
                select(Grant).where(
                    Grant.object_type == object_type, Grant.object_id == object_id
                )
            )
        )


def test_a_signed_off_review_stays_readable_to_the_trainee_after_the_pair_ends(
    program: Demo,
) -> None:
    recording_id = tara_recordings(program)[0]
    sam = program.login("sam")
    reviews.add_comment(program.ctx, sam, recording_id, 2.0, "Good reflection here.")
    reviews.set_feedback(program.ctx, sam, recording_id, "Warm, well paced.")
    reviews.sign_off(program.ctx, sam, recording_id)
    pairs.end_pair(program.ctx, program.login("dana"), pair_id(program, "sam", "tara"))
    seen = reviews.open_review(
        program.ctx, program.login("tara"), recording_id, supervisor="sam"
    )
    assert seen.feedback == "Warm, well paced."
    assert [c.text for c in seen.comments] == ["Good reflection here."]
    with pytest.raises(PermissionDenied):
        reviews.open_review(program.ctx, sam, recording_id)


# --- a new supervisor, at the trainee's login ----------------------------------


def test_a_new_supervisor_gains_older_objects_at_the_trainees_next_login(
    program: Demo, wav: Path
) -> None:
    recording_id = theo_recording(program, wav)
    assign_sofia_to_theo(program)
    sofia = program.login("sofia")
    assert not exports(program, sofia, recording_id)
    with pytest.raises(PermissionDenied, match="not shared with you"):
        clients.open_client(program.ctx, sofia, "C-2001")
    program.login("theo")
    assert exports(program, sofia, recording_id)
    assert clients.open_client(program.ctx, sofia, "C-2001").case_code == "C-2001"
    regrant = audit_rows(program, "pair.regrant")[-1]
    assert (regrant.actor_id, regrant.reason) == (
        account_id(program, "theo"),
        "granted-3",  # the recording and theo's two clients
    )
    (grant,) = supervisor_grants(program, "sofia", "recording", recording_id)
    assert grant.granted_by == account_id(program, "theo")


def test_a_second_login_adds_nothing_and_writes_no_audit_row(
    program: Demo, wav: Path
) -> None:
    theo_recording(program, wav)
    assign_sofia_to_theo(program)
    program.login("theo")
    before = all_grant_rows(program)
    regrants = len(audit_rows(program, "pair.regrant"))
    program.login("theo")
    assert all_grant_rows(program) == before
    assert len(audit_rows(program, "pair.regrant")) == regrants


def test_a_login_with_nothing_missing_asks_one_query(program: Demo) -> None:
    from sqlalchemy import event

    theo = program.login("theo")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(program.ctx.engine, "before_cursor_execute", count)
    try:
        with Session(program.ctx.engine) as session:
            made = pair_grants.grant_missing(
                session, program.ctx, theo.account_id, _never_opens
            )
    finally:
        event.remove(program.ctx.engine, "before_cursor_execute", count)
    assert made == 0
    assert len(statements) == 1


def _never_opens(session: Session, target: Sealed) -> ObjectKeys:
    raise AssertionError("nothing should be opened")


def test_a_pair_ended_and_made_again_regains_access_at_the_next_login(
    program: Demo,
) -> None:
    recording_id = tara_recordings(program)[0]
    dana = program.login("dana")
    pairs.end_pair(program.ctx, dana, pair_id(program, "sam", "tara"))
    program.clock.advance(days=1)
    pairs.add_pair(program.ctx, dana, "sam", "tara")
    sam = program.login("sam")
    assert not exports(program, sam, recording_id)
    program.login("tara")
    assert exports(program, sam, recording_id)


def test_a_consent_that_leaves_supervisors_out_stays_so(
    program: Demo, wav: Path
) -> None:
    theo = program.login("theo")
    identity = clients.ClientIdentity("Private Person", date(1980, 1, 1), "", "")
    clients.add_client(program.ctx, theo, "C-2009", identity)
    terms = consents.ConsentTerms(("clinical_record",), include_supervisors=False)
    active_for(program, theo, "C-2009", terms)
    kept = recordings.import_recording(
        program.ctx, theo, wav, "C-2009", purpose="clinical_record"
    ).id
    assert supervisor_grants(program, "sam", "recording", kept) == []
    assign_sofia_to_theo(program)
    program.login("theo")
    assert supervisor_grants(program, "sofia", "recording", kept) == []
    assert supervisor_grants(program, "sam", "recording", kept) == []
    assert not exports(program, program.login("sofia"), kept)
    granted = pair_grants.grant_with_escrow(
        program.ctx,
        program.login("dana"),
        pair_id(program, "sofia", "theo"),
        escrow_key(program),
    )
    assert granted == 0  # the clients came at theo's login; the recording never
    assert supervisor_grants(program, "sofia", "recording", kept) == []


def test_a_revoked_consent_kept_for_the_record_grants_no_new_supervisor(
    program: Demo,
) -> None:
    from supervise.services import revocation

    # tomas's C-3002 recording is kept on revocation ("preserve").
    tomas = program.login("tomas")
    with Session(program.ctx.engine) as session:
        recording = session.exec(
            select(Recording).where(Recording.trainee_id == tomas.account_id)
        ).one()
        consent_id = recording.consent_id
    assert recording.id is not None and consent_id is not None
    revocation.revoke(
        program.ctx, tomas, consent_id, on=program.clock().date(), received="mail"
    )
    pairs.add_pair(program.ctx, program.login("dana"), "sam", "tomas")
    program.login("tomas")
    assert supervisor_grants(program, "sam", "recording", recording.id) == []
    assert supervisor_grants(program, "sofia", "recording", recording.id) != []


def test_shredded_recordings_are_skipped(program: Demo, wav: Path) -> None:
    recording_id = theo_recording(program, wav)
    gone = theo_recording(program, wav)
    recordings.shred(program.ctx, program.login("dana"), gone)
    # A shred cut off after the keystore row went: the row still says active.
    cut = theo_recording(program, wav)
    with Session(program.ctx.engine) as session:
        row = session.get(Recording, cut)
        assert row is not None
        uid = row.uid
    program.ctx.keystore.destroy(ObjectKind.RECORDING, uid)
    assign_sofia_to_theo(program)
    program.login("theo")
    assert len(supervisor_grants(program, "sofia", "recording", recording_id)) == 1
    assert supervisor_grants(program, "sofia", "recording", gone) == []
    assert supervisor_grants(program, "sofia", "recording", cut) == []


def test_a_failure_while_granting_never_stops_the_login(
    program: Demo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(pair_grants, "grant_at_login", broken)
    with caplog.at_level(logging.WARNING):
        theo = program.login("theo")
    assert theo.private_key is not None
    assert "granting supervisors at login failed" in caplog.text
    assert "theo" not in caplog.text and "went away" not in caplog.text


def test_non_trainees_log_in_without_any_grant_query(
    program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[int] = []

    def counted(ctx: object, user: UserSession) -> int:
        called.append(user.account_id)
        return 0

    monkeypatch.setattr(pair_grants, "grant_at_login", counted)
    program.login("sam")
    program.login("dana")
    assert called == []
    tara = program.login("tara")
    assert called == [tara.account_id]


# --- at once, with the escrow key ----------------------------------------------


def test_an_admin_grants_a_new_supervisor_at_once_with_the_escrow_key(
    program: Demo, wav: Path
) -> None:
    recording_id = theo_recording(program, wav)
    new_pair = assign_sofia_to_theo(program)
    dana = program.login("dana")
    made = pair_grants.grant_with_escrow(
        program.ctx, dana, new_pair, escrow_key(program)
    )
    assert made == 3
    sofia = program.login("sofia")
    assert exports(program, sofia, recording_id)
    assert clients.open_client(program.ctx, sofia, "C-2001").case_code == "C-2001"
    assert audit_rows(program, "pair.regrant") == []  # theo never logged in since
    rows = audit_rows(program, "pair.grant")
    assert {(e.object_type, e.reason) for e in rows} == {
        ("recording", f"escrow-pair-{new_pair}"),
        ("client", f"escrow-pair-{new_pair}"),
        ("pair", "granted-3"),
    }
    assert all(e.actor_id == dana.account_id for e in rows)
    (grant,) = supervisor_grants(program, "sofia", "recording", recording_id)
    assert grant.granted_by == dana.account_id
    # Again: nothing is missing, nothing is added.
    assert (
        pair_grants.grant_with_escrow(program.ctx, dana, new_pair, escrow_key(program))
        == 0
    )


def test_the_escrow_path_grants_only_the_pairs_supervisor(
    program: Demo, wav: Path
) -> None:
    recording_id = theo_recording(program, wav)
    new_pair = assign_sofia_to_theo(program)
    # sam's grant on the new recording is wiped: only the trainee's login would
    # give it back, the escrow grant for sofia's pair does not.
    pairs.end_pair(program.ctx, program.login("dana"), pair_id(program, "sam", "theo"))
    program.clock.advance(days=1)
    pairs.add_pair(program.ctx, program.login("dana"), "sam", "theo")
    pair_grants.grant_with_escrow(
        program.ctx, program.login("dana"), new_pair, escrow_key(program)
    )
    live = [
        g
        for g in supervisor_grants(program, "sam", "recording", recording_id)
        if g.wrapped_secret is not None
    ]
    assert live == []
    assert exports(program, program.login("sofia"), recording_id)


def test_a_wrong_escrow_key_is_refused_audited_and_changes_nothing(
    program: Demo, wav: Path, tmp_path: Path
) -> None:
    theo_recording(program, wav)
    new_pair = assign_sofia_to_theo(program)
    before = all_grant_rows(program)
    dana = program.login("dana")
    recovery = read_offline_key(
        program.ctx.settings.home / "offline-keys" / "recovery.key", "recovery"
    )
    write_offline_key(tmp_path / "other.key", "escrow", "another program")
    other = read_offline_key(tmp_path / "other.key", "escrow")
    for wrong in (recovery, other):
        with pytest.raises(InvalidInput, match="not the program's escrow key"):
            pair_grants.grant_with_escrow(program.ctx, dana, new_pair, wrong)
    assert all_grant_rows(program) == before
    denied = audit_rows(program, "pair.grant")
    assert [(e.outcome, e.reason, e.object_id) for e in denied] == [
        ("denied", "bad-escrow-key", str(new_pair))
    ] * 2


def test_a_non_admin_is_refused_the_escrow_path_and_audited(
    program: Demo, wav: Path
) -> None:
    theo_recording(program, wav)
    new_pair = assign_sofia_to_theo(program)
    before = all_grant_rows(program)
    for name in ("sofia", "tara", "audrey"):
        with pytest.raises(PermissionDenied):
            pair_grants.grant_with_escrow(
                program.ctx, program.login(name), new_pair, escrow_key(program)
            )
    assert all_grant_rows(program) == before
    denied = audit_rows(program, "pair.grant")
    assert [(e.outcome, e.reason) for e in denied] == [("denied", "role")] * 3


def test_the_escrow_path_refuses_an_unknown_or_ended_pair(program: Demo) -> None:
    dana = program.login("dana")
    with pytest.raises(NotFound):
        pair_grants.grant_with_escrow(program.ctx, dana, 9999, escrow_key(program))
    ended = pair_id(program, "sam", "theo")
    pairs.end_pair(program.ctx, dana, ended)
    with pytest.raises(Conflict, match="ended"):
        pair_grants.grant_with_escrow(program.ctx, dana, ended, escrow_key(program))


def test_the_escrow_path_says_so_when_the_supervisor_is_disabled(
    program: Demo, wav: Path
) -> None:
    theo_recording(program, wav)
    new_pair = assign_sofia_to_theo(program)
    dana = program.login("dana")
    accounts.set_disabled(program.ctx, dana, "sofia", True)
    before = all_grant_rows(program)
    with pytest.raises(Conflict, match="supervisor is disabled"):
        pair_grants.grant_with_escrow(program.ctx, dana, new_pair, escrow_key(program))
    assert all_grant_rows(program) == before


def _waiting_on_a_lock(program: Demo) -> bool:
    """Whether some PostgreSQL backend waits on a row lock (always False on
    SQLite, whose writers do not wait on readers)."""
    from sqlalchemy import text

    if program.ctx.engine.dialect.name != "postgresql":
        return False
    with program.ctx.engine.connect() as conn:
        waiting = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        ).scalar_one()
    return bool(waiting)


def test_a_pair_ended_while_its_grants_are_being_made_keeps_none(
    program: Demo, wav: Path
) -> None:
    import threading
    import time

    from supervise.services import vault

    recording_id = theo_recording(program, wav)
    new_pair = assign_sofia_to_theo(program)
    theo = program.login("theo")  # grants; take the recording's back, quietly
    with Session(program.ctx.engine) as session:
        for grant in supervisor_grants(program, "sofia", "recording", recording_id):
            session.delete(grant)
        session.commit()
    dana = program.login("dana")
    ender = threading.Thread(
        target=pairs.end_pair, args=(program.ctx, dana, new_pair), daemon=True
    )

    def open_while_ending(session: Session, target: Sealed) -> ObjectKeys:
        if not ender.is_alive() and ender.ident is None:
            ender.start()
            deadline = time.monotonic() + 30
            while ender.is_alive() and not _waiting_on_a_lock(program):
                assert time.monotonic() < deadline, "the end neither ran nor waited"
                time.sleep(0.02)
        return vault.open_for_user(session, program.ctx, theo, target)

    with Session(program.ctx.engine) as session:
        pair_grants.grant_missing(
            session, program.ctx, theo.account_id, open_while_ending
        )
        session.commit()
    ender.join(timeout=30)
    assert not ender.is_alive()
    live = [
        g
        for g in supervisor_grants(program, "sofia", "recording", recording_id)
        if g.wrapped_secret is not None
    ]
    assert live == []


def test_after_a_reset_the_old_objects_are_counted_once_not_reported_tampered(
    program: Demo, wav: Path
) -> None:
    from supervise.services import accounts

    recording_id = theo_recording(program, wav)
    dana = program.login("dana")
    _, one_time = accounts.reset_password(program.ctx, dana, "theo")
    new_pair = assign_sofia_to_theo(program)
    theo = accounts.login(program.ctx, "theo", one_time)  # a new key pair
    assert theo.private_key is not None
    assert supervisor_grants(program, "sofia", "recording", recording_id) == []
    (row,) = audit_rows(program, "pair.regrant")
    assert (row.outcome, row.reason) == ("error", "unopened-3")
    assert audit_rows(program, "recording.export") == []
    assert audit_rows(program, "client.view") == []
    # The escrow key still opens them.
    made = pair_grants.grant_with_escrow(
        program.ctx, dana, new_pair, escrow_key(program)
    )
    assert made == 3
    assert exports(program, program.login("sofia"), recording_id)
