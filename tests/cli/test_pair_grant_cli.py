"""`supervise pair grant`, and a new supervisor's access through the trainee's
next command (each command logs the trainee in)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from supervise.crypto.offline import write_offline_key
from tests.cli.helpers import as_user, assert_one_error_line, cli, sql

TONE = Path(__file__).parents[1] / "data" / "media" / "tone.wav"


def _theo_recording(home: Path) -> int:
    """A recording of theo's client C-2001, while only sam supervises him."""
    done = as_user(home, "theo", "recording", "import", TONE, "--client", "C-2001")
    assert done.code == 0, done.err
    match = re.match(r"recording (\d+) imported", done.out)
    assert match, done.out
    return int(match.group(1))


def _assign_sofia(home: Path) -> int:
    added = as_user(
        home, "dana", "pair", "add", "--supervisor", "sofia", "--trainee", "theo"
    )
    assert added.code == 0, added.err
    listed = as_user(home, "dana", "pair", "list", "--json")
    return next(
        int(p["id"])
        for p in json.loads(listed.out)
        if (p["supervisor"], p["trainee"]) == ("sofia", "theo")
    )


def _sofia_exports(home: Path, recording_id: int, target: Path) -> int:
    return as_user(
        home, "sofia", "recording", "export", str(recording_id), "-o", target
    ).code


def _grant_rows(home: Path) -> list[tuple[object, ...]]:
    return sql(
        home,
        "SELECT id, object_type, object_id, grantee_id, via, wrapped_secret "
        'FROM "grant" ORDER BY id',
    )


def _audit(home: Path, action: str) -> list[tuple[object, ...]]:
    return sql(
        home,
        "SELECT object_type, object_id, outcome, reason FROM audit_event "
        "WHERE action = :action ORDER BY seq",
        action=action,
    )


def test_an_admin_grants_a_new_supervisor_at_once_with_the_escrow_key(
    home: Path, tmp_path: Path
) -> None:
    recording_id = _theo_recording(home)
    pair_id = _assign_sofia(home)
    assert _sofia_exports(home, recording_id, tmp_path / "before.wav") == 3
    key = home / "offline-keys" / "escrow.key"
    done = as_user(home, "dana", "pair", "grant", str(pair_id), "--escrow-key", key)
    assert done.code == 0, done.err
    assert done.out == f"pair {pair_id}: 3 grants made\n"
    assert "Take the escrow key away" in done.err
    assert _sofia_exports(home, recording_id, tmp_path / "now.wav") == 0
    assert (tmp_path / "now.wav").read_bytes() == TONE.read_bytes()
    assert ("pair", str(pair_id), "allowed", "granted-3") in _audit(home, "pair.grant")
    assert _audit(home, "pair.regrant") == []
    again = as_user(home, "dana", "pair", "grant", str(pair_id), "--escrow-key", key)
    assert again.code == 0, again.err
    assert "lacked nothing" in again.out


def test_a_new_supervisor_gains_access_at_the_trainees_next_command(
    home: Path, tmp_path: Path
) -> None:
    recording_id = _theo_recording(home)
    _assign_sofia(home)
    assert _sofia_exports(home, recording_id, tmp_path / "before.wav") == 3
    assert as_user(home, "theo", "recording", "list").code == 0
    assert _sofia_exports(home, recording_id, tmp_path / "after.wav") == 0
    assert _audit(home, "pair.regrant")[-1][3] == "granted-3"


def test_ending_a_pair_refuses_the_supervisor_at_once(
    home: Path, tmp_path: Path
) -> None:
    recording_id = _theo_recording(home)
    listed = as_user(home, "dana", "pair", "list", "--json")
    (sam_theo,) = [
        p
        for p in json.loads(listed.out)
        if (p["supervisor"], p["trainee"]) == ("sam", "theo")
    ]
    assert as_user(home, "dana", "pair", "end", str(sam_theo["id"])).code == 0
    done = as_user(
        home, "sam", "recording", "export", str(recording_id), "-o", tmp_path / "x"
    )
    assert done.code == 3
    assert_one_error_line(done.err, "not shared with you")
    assert not (tmp_path / "x").exists()
    assert _audit(home, "pair.end")[-1][3] == "wiped-3"


def test_a_wrong_key_file_is_refused_clearly_and_changes_nothing(
    home: Path, tmp_path: Path
) -> None:
    recording_id = _theo_recording(home)
    pair_id = str(_assign_sofia(home))
    before = _grant_rows(home)
    recovery = home / "offline-keys" / "recovery.key"
    done = as_user(home, "dana", "pair", "grant", pair_id, "--escrow-key", recovery)
    assert done.code == 1
    assert_one_error_line(done.err, "is not a supervise escrow key file")
    missing = as_user(
        home, "dana", "pair", "grant", pair_id, "--escrow-key", tmp_path / "none"
    )
    assert missing.code == 1
    assert_one_error_line(missing.err, "cannot read the escrow key file")
    other = tmp_path / "other-escrow.key"
    write_offline_key(other, "escrow", "another program")
    foreign = as_user(home, "dana", "pair", "grant", pair_id, "--escrow-key", other)
    assert foreign.code == 1
    assert_one_error_line(foreign.err, "not the program's escrow key")
    assert _grant_rows(home) == before
    assert _audit(home, "pair.grant") == [("pair", pair_id, "denied", "bad-escrow-key")]
    assert _sofia_exports(home, recording_id, tmp_path / "out.wav") == 3


def test_a_non_admin_is_refused_and_audited(home: Path) -> None:
    _theo_recording(home)
    pair_id = str(_assign_sofia(home))
    before = _grant_rows(home)
    key = home / "offline-keys" / "escrow.key"
    done = as_user(home, "sofia", "pair", "grant", pair_id, "--escrow-key", key)
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted: pair.grant")
    assert _grant_rows(home) == before
    assert _audit(home, "pair.grant") == [("pair", pair_id, "denied", "role")]


def test_an_unknown_pair_is_refused(sqlite_home: Path) -> None:
    key = sqlite_home / "offline-keys" / "escrow.key"
    done = as_user(sqlite_home, "dana", "pair", "grant", "999", "--escrow-key", key)
    assert done.code == 1
    assert_one_error_line(done.err, "no supervision pair 999")


def test_pair_grant_has_help(sqlite_home: Path) -> None:
    done = cli("pair", "grant", "--help")
    assert done.code == 0
    assert "--escrow-key FILE" in done.out and "next" in done.out
