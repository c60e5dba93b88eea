"""`supervise purge`: the retention job cron or a systemd timer runs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.cli.helpers import as_user, assert_one_error_line, cli, sql

PAST = date(2020, 1, 31)
DEMO_RECORDING = 1


def _due(home: Path, recording: int = DEMO_RECORDING) -> None:
    sql(
        home,
        "UPDATE recording SET destroy_after = :d WHERE id = :i",
        d=PAST,
        i=recording,
    )


def _state(home: Path) -> str:
    ((state,),) = sql(home, "SELECT state FROM recording WHERE id = 1")
    return str(state)


def test_a_dry_run_lists_what_is_due_and_changes_nothing(home: Path) -> None:
    _due(home)
    audit_rows = sql(home, "SELECT COUNT(*) FROM audit_event")
    done = cli("purge", "--dry-run", "--home", home)
    assert done.code == 0, done.err
    line, summary = done.out.splitlines()
    assert line == "recording 1  C-1001  destroy after 2020-01-31  would be shredded"
    assert summary.startswith("dry run: 1 to shred, 0 to finish, 0 on hold")
    assert _state(home) == "active"
    assert sql(home, "SELECT COUNT(*) FROM audit_event") == audit_rows


def test_purge_runs_as_the_system_and_shreds_what_is_due(
    home: Path, tmp_path: Path
) -> None:
    _due(home)
    done = cli("purge", "--home", home)
    assert done.code == 0, done.err
    assert done.out.splitlines() == [
        "recording 1  C-1001  destroy after 2020-01-31  shredded",
        "purge: 1 shredded, 0 finished, 0 on hold and kept; 0 expired shares "
        "wiped; 0 unattached uploads shredded",
    ]
    assert _state(home) == "shredded"
    roles = sql(
        home,
        "SELECT actor_role FROM audit_event "
        "WHERE action IN ('retention.purge', 'recording.shredded')",
    )
    assert roles == [("system",), ("system",)]
    gone = as_user(home, "tara", "recording", "export", "1", "-o", tmp_path / "x")
    assert gone.code == 1
    assert_one_error_line(gone.err, "has been shredded")
    again = cli("purge", "--home", home)
    assert again.out.startswith("purge: 0 shredded")


def test_a_recording_on_hold_is_reported_and_kept(sqlite_home: Path) -> None:
    reason = ["--reason", "records request for C-1001"]
    assert as_user(sqlite_home, "dana", "recording", "hold", "1", *reason).code == 0
    _due(sqlite_home)
    done = as_user(sqlite_home, "dana", "purge", "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["dry_run"] is False
    assert report["recordings"] == [
        {
            "id": 1,
            "case_code": "C-1001",
            "destroy_after": "2020-01-31",
            "step": "held",
        }
    ]
    assert _state(sqlite_home) == "active"
    text = cli("purge", "--home", sqlite_home)
    assert "recording 1  C-1001  destroy after 2020-01-31  on legal hold, skipped" in (
        text.out
    )
    assert "Traceback" not in text.out + text.err


def test_only_an_admin_purges_with_as(sqlite_home: Path) -> None:
    _due(sqlite_home)
    done = as_user(sqlite_home, "tara", "purge")
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted")
    assert _state(sqlite_home) == "active"
