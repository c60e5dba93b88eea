"""`supervise recording ...`: import, list, export, share, hold, shred, break glass."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import signal
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from supervise.cli.main import main
from supervise.crypto.age import encrypt_payload
from supervise.services import recordings as service
from tests.cli.helpers import (
    PASSWORDS,
    Result,
    TerminalProcess,
    as_user,
    assert_one_error_line,
    cli,
    consent_in_force,
    sql,
)

TONE = Path(__file__).parents[1] / "data" / "media" / "tone.wav"
SESSION_DAY = "2025-01-15"
DEMO_RECORDING = 1
"""tara's sample recording of C-1001, made by the demo."""
ALL_PURPOSES = [
    arg
    for p in ("clinical_record", "supervision", "training")
    for arg in ("--purpose", p)
]


def _import(home: Path, trainee: str = "tara", client: str = "C-1001") -> Result:
    return as_user(
        home,
        trainee,
        "recording",
        "import",
        TONE,
        "--client",
        client,
        "--date",
        SESSION_DAY,
    )


def _imported(home: Path) -> int:
    done = _import(home)
    assert done.code == 0, done.err
    match = re.fullmatch(
        r"recording (\d+) imported \(audio/wav, 0:02, 16\.0 KB\)\n", done.out
    )
    assert match, done.out
    return int(match.group(1))


def _listed(home: Path, username: str) -> dict[int, dict[str, Any]]:
    done = as_user(home, username, "recording", "list", "--json")
    assert done.code == 0, done.err
    return {row["id"]: row for row in json.loads(done.out)}


def _export(home: Path, username: str, recording: int, target: Path) -> Result:
    return as_user(home, username, "recording", "export", str(recording), "-o", target)


def _streamed(home: Path, username: str, *argv: str | Path) -> tuple[int, bytes, str]:
    """Run a command whose standard output takes bytes, as a pipe's would."""
    raw, err = io.BytesIO(), io.StringIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    code = main(
        [*map(str, argv), "--home", str(home), "--as", username, "--password-stdin"],
        stdin=io.StringIO(PASSWORDS[username] + "\n"),
        stdout=out,
        stderr=err,
    )
    out.flush()
    return code, raw.getvalue(), err.getvalue()


def _stored(home: Path) -> tuple[set[str], list[tuple[Any, ...]], int]:
    """What the vault holds: blob files, recording rows, keystore entries."""
    blobs = {
        str(path.relative_to(home / "blobs"))
        for path in (home / "blobs").rglob("*")
        if path.is_file()
    }
    rows = sql(home, "SELECT id, uid FROM recording ORDER BY id")
    keystore = home / "keystore" / "keystore.db"
    with contextlib.closing(sqlite3.connect(keystore)) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM retained_secret").fetchone()
    return blobs, rows, int(count)


def _assert_nothing_left(home: Path, before: tuple[Any, ...]) -> None:
    assert _stored(home) == before
    assert list((home / "blobs" / "tmp").iterdir()) == []


# --- import and list ------------------------------------------------------------


def test_an_import_is_listed_to_those_who_may_see_it(home: Path) -> None:
    new = _imported(home)
    own = _listed(home, "tara")[new]
    assert own["case_code"] == "C-1001" and own["session_date"] == SESSION_DAY
    assert own["media_type"] == "audio/wav" and own["size_bytes"] == 16044
    assert own["can_open"] is True
    assert _listed(home, "sam")[new]["can_open"] is True
    assert new not in _listed(home, "tomas")
    admin = _listed(home, "dana")[new]
    assert admin["trainee"] == "tara" and admin["can_open"] is False


def test_the_list_table_shows_lengths_and_sizes(sqlite_home: Path) -> None:
    done = as_user(sqlite_home, "tara", "recording", "list")
    assert done.code == 0, done.err
    header, *rows = done.out.splitlines()
    assert header.split()[:5] == ["ID", "CLIENT", "TRAINEE", "SESSION", "MEDIA"]
    (row,) = (row for row in rows if row.split()[0] == str(DEMO_RECORDING))
    assert row.split()[1] == "C-1001"
    assert "0:06" in row and "96.0 KB" in row and row.endswith("active  yes")


def test_a_text_file_is_refused_and_leaves_nothing(
    sqlite_home: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("session notes, not a recording\n")
    before = _stored(sqlite_home)
    done = as_user(
        sqlite_home, "tara", "recording", "import", notes, "--client", "C-1001"
    )
    assert done.code == 1
    assert_one_error_line(done.err, "not an audio or video recording")
    _assert_nothing_left(sqlite_home, before)


def test_a_trainee_cannot_import_for_another_trainees_client(
    sqlite_home: Path,
) -> None:
    before = _stored(sqlite_home)
    done = _import(sqlite_home, client="C-2001")
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted")
    (last,) = sql(
        sqlite_home,
        "SELECT outcome, object_type FROM audit_event "
        "WHERE action = 'recording.import' ORDER BY seq DESC LIMIT 1",
    )
    assert last == ("denied", "client")
    _assert_nothing_left(sqlite_home, before)


def test_a_bad_session_date_is_a_usage_error(sqlite_env: None) -> None:
    done = cli("recording", "import", TONE, "--client", "C-1", "--date", "15/01/2025")
    assert done.code == 2
    assert_one_error_line(done.err, "argument --date: write the date as YYYY-MM-DD")


def test_ctrl_c_during_an_import_cancels_it_and_leaves_nothing(
    sqlite_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> int:
        signal.raise_signal(signal.SIGINT)  # as ctrl+c would, mid-import
        return encrypt_payload(*args, **kwargs)

    monkeypatch.setattr(service, "encrypt_payload", interrupted)
    handler = signal.getsignal(signal.SIGINT)
    before = _stored(sqlite_home)
    done = _import(sqlite_home)
    assert done.code == 130
    assert_one_error_line(done.err, "the import was cancelled; nothing was stored")
    _assert_nothing_left(sqlite_home, before)
    assert signal.getsignal(signal.SIGINT) is handler


def test_an_interrupt_after_the_key_is_stored_leaves_nothing(
    sqlite_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def commit(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "_commit_import", commit)
    before = _stored(sqlite_home)
    done = _import(sqlite_home)
    assert done.code == 130
    assert done.err.endswith("supervise: interrupted\n")
    _assert_nothing_left(sqlite_home, before)


def test_progress_shows_only_on_a_terminal(sqlite_home: Path) -> None:
    quiet = _import(sqlite_home)
    assert quiet.code == 0 and "%" not in quiet.err
    with TerminalProcess(
        "--home",
        sqlite_home,
        "recording",
        "import",
        TONE,
        "--client",
        "C-1001",
        "--as",
        "tara",
        "--password-stdin",
    ) as term:
        term.type(PASSWORDS["tara"] + "\r")
        assert term.finish() == 0, term.output
    assert "importing 100%" in term.output
    assert "imported (audio/wav, 0:02, 16.0 KB)" in term.output


# --- show and export ------------------------------------------------------------


def test_show_lists_the_grants_and_how_to_play_it(sqlite_home: Path) -> None:
    done = as_user(sqlite_home, "tara", "recording", "show", str(DEMO_RECORDING))
    assert done.code == 0, done.err
    assert done.out.startswith(f"recording {DEMO_RECORDING}\n")
    assert re.search(r"^escrow +escrow ", done.out, re.MULTILINE), done.out
    assert f"recording export {DEMO_RECORDING} -o - --as tara | mpv -" in done.out
    data = json.loads(
        as_user(sqlite_home, "sam", "recording", "show", "1", "--json").out
    )
    assert {g["grantee"] for g in data["grants"]} == {"tara", "sam", "sofia", "escrow"}


def test_an_export_to_a_file_is_the_original_and_never_overwrites(
    home: Path, tmp_path: Path
) -> None:
    new = _imported(home)
    target = tmp_path / "session.wav"
    done = _export(home, "tara", new, target)
    assert done.code == 0, done.err
    assert f"recording {new} written to {target} (16.0 KB)" in done.out
    assert target.read_bytes() == TONE.read_bytes()

    kept = tmp_path / "kept.wav"
    kept.write_bytes(b"not to be replaced")
    again = _export(home, "tara", new, kept)
    assert again.code == 1
    assert_one_error_line(again.err, "exists already")
    assert kept.read_bytes() == b"not to be replaced"


def test_an_export_to_standard_output_streams_the_original(
    sqlite_home: Path,
) -> None:
    new = _imported(sqlite_home)
    code, out, err = _streamed(
        sqlite_home, "sam", "recording", "export", str(new), "-o", "-"
    )
    assert code == 0, err
    assert out == TONE.read_bytes()
    assert err == f"recording {new} sent to standard output (16.0 KB)\n"


def test_an_age_export_opens_with_the_age_command(
    sqlite_home: Path, tmp_path: Path
) -> None:
    age = shutil.which("age")
    if age is None:
        pytest.skip("the age command is not installed (Debian package 'age')")
    new = _imported(sqlite_home)
    done = as_user(
        sqlite_home, "tara", "recording", "export", str(new), "--age", tmp_path
    )
    assert done.code == 0, done.err
    key, sealed = tmp_path / f"recording-{new}.key", tmp_path / f"recording-{new}.age"
    assert f"age -d -i {key} {sealed} > recording-{new}" in done.out
    plain = subprocess.run(
        [age, "-d", "-i", str(key), str(sealed)],
        capture_output=True,
        timeout=30,
        check=True,
    )
    assert plain.stdout == TONE.read_bytes()


# --- sharing, holds, shredding, break glass -------------------------------------------


def _share(home: Path, *flags: str) -> Result:
    return as_user(home, "tara", "recording", "share", "1", "--with", "theo", *flags)


def test_a_share_needs_the_consent_to_name_the_person(sqlite_home: Path) -> None:
    before = sql(sqlite_home, 'SELECT COUNT(*) FROM "grant"')
    refused = _share(sqlite_home)
    assert refused.code == 3
    assert_one_error_line(
        refused.err,
        "the recording cannot be shared: C-1001's consent (form 1) does not "
        "name that person",
    )
    assert sql(sqlite_home, 'SELECT COUNT(*) FROM "grant"') == before


def test_a_share_for_training_needs_an_end_date(sqlite_home: Path) -> None:
    consent_in_force(sqlite_home, "tara", "C-1001", *ALL_PURPOSES, "--access", "theo")
    undated = _share(sqlite_home, "--purpose", "training")
    assert undated.code == 1
    assert_one_error_line(undated.err, "a share for training needs an end date")
    until = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    dated = _share(sqlite_home, "--purpose", "training", "--until", until)
    assert dated.code == 0, dated.err
    assert dated.out == f"recording 1 is now open to theo for training until {until}\n"


def test_a_share_opens_the_recording_until_it_is_taken_back(
    sqlite_home: Path, tmp_path: Path
) -> None:
    refused = _export(sqlite_home, "theo", DEMO_RECORDING, tmp_path / "a.wav")
    assert refused.code == 3
    consent_in_force(sqlite_home, "tara", "C-1001", *ALL_PURPOSES, "--access", "theo")
    shared = _share(sqlite_home)
    assert shared.code == 0, shared.err
    assert shared.out == "recording 1 is now open to theo for supervision\n"
    assert _export(sqlite_home, "theo", DEMO_RECORDING, tmp_path / "b.wav").code == 0
    assert (tmp_path / "b.wav").stat().st_size > 0

    taken = as_user(sqlite_home, "tara", "recording", "unshare", "1", "--with", "theo")
    assert taken.code == 0, taken.err
    after = _export(sqlite_home, "theo", DEMO_RECORDING, tmp_path / "c.wav")
    assert after.code == 3
    assert_one_error_line(after.err, "not shared with you")
    assert not (tmp_path / "c.wav").exists()


def test_a_legal_hold_blocks_shredding_until_released(
    sqlite_home: Path, tmp_path: Path
) -> None:
    reason = ["--reason", "litigation hold for C-1001"]
    held = as_user(sqlite_home, "dana", "recording", "hold", "1", *reason)
    assert held.code == 0, held.err
    blocked = as_user(sqlite_home, "dana", "recording", "shred", "1", "--yes")
    assert blocked.code == 1
    assert_one_error_line(blocked.err, "is on legal hold")

    assert as_user(sqlite_home, "dana", "recording", "release", "1", *reason).code == 0
    unasked = as_user(sqlite_home, "dana", "recording", "shred", "1")
    assert unasked.code == 2
    assert_one_error_line(unasked.err, "add --yes")
    shredded = as_user(sqlite_home, "dana", "recording", "shred", "1", "--yes")
    assert shredded.code == 0, shredded.err
    assert sql(sqlite_home, "SELECT state FROM recording WHERE id = 1") == [
        ("shredded",)
    ]
    gone = _export(sqlite_home, "tara", DEMO_RECORDING, tmp_path / "gone.wav")
    assert gone.code == 1
    assert_one_error_line(gone.err, "has been shredded")


def test_break_glass_opens_with_the_escrow_key_only(
    sqlite_home: Path, tmp_path: Path
) -> None:
    new = _imported(sqlite_home)
    keys = sqlite_home / "offline-keys"

    def glass(key: str, target: Path) -> Result:
        return as_user(
            sqlite_home,
            "dana",
            "recording",
            "break-glass",
            str(new),
            "--escrow-key",
            keys / key,
            "--reason",
            "court order 2025-17 for C-1001",
            "-o",
            target,
        )

    wrong = glass("recovery.key", tmp_path / "wrong.wav")
    assert wrong.code == 1
    assert_one_error_line(wrong.err, "is not a supervise escrow key file")
    assert not (tmp_path / "wrong.wav").exists()

    opened = glass("escrow.key", tmp_path / "opened.wav")
    assert opened.code == 0, opened.err
    assert (tmp_path / "opened.wav").read_bytes() == TONE.read_bytes()
    (last,) = sql(
        sqlite_home,
        "SELECT outcome, reason FROM audit_event "
        "WHERE action = 'recording.break_glass' ORDER BY seq DESC LIMIT 1",
    )
    assert last[0] == "allowed" and last[1].startswith("note-")


def test_shredding_on_a_terminal_asks_first(sqlite_home: Path) -> None:
    with TerminalProcess(
        "--home",
        sqlite_home,
        "recording",
        "shred",
        "1",
        "--as",
        "dana",
        "--password-stdin",
    ) as term:
        term.type(PASSWORDS["dana"] + "\r")
        term.wait_for("Type yes to go on:")
        term.type("yes\r")
        assert term.finish() == 0, term.output
    assert "Shred recording 1 (client C-1001, session" in term.output
    assert "recording 1 shredded" in term.output
    assert sql(sqlite_home, "SELECT state FROM recording WHERE id = 1") == [
        ("shredded",)
    ]
