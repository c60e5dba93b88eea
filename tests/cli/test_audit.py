"""`supervise audit verify|export`: tampering is caught; exports can be checked."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.cli.helpers import as_user, assert_one_error_line, cli, script, sql

TAMPERED = {
    "seq": 100000,
    "ts": "2001-01-01T00:00:00.000000+00:00",
    "actor_id": 999,
    "actor_role": "admin",
    "session_id": "f00d",
    "action": "x",
    "object_type": "x",
    "object_id": "999",
    "outcome": "error",
    "reason": "x",
    "prev_hash": "0" * 64,
    "entry_hash": "f" * 64,
    "mac": "f" * 64,
}
"""A changed value for every column of the audit table."""


def _rows(home: Path) -> int:
    (row,) = sql(home, "SELECT COUNT(*) FROM audit_event")
    return int(row[0])


def test_a_fresh_trail_verifies_and_the_check_is_itself_audited(home: Path) -> None:
    before = _rows(home)
    done = cli("audit", "verify", "--home", home)
    assert done.code == 0, done.err
    assert done.out == f"audit trail intact: {before} rows\n"
    last = sql(
        home,
        "SELECT action, actor_role, reason FROM audit_event ORDER BY seq DESC LIMIT 1",
    )
    assert last == [("audit.verify", "system", "intact")]
    assert cli("audit", "verify", "--home", home).code == 0


@pytest.mark.parametrize("column", sorted(TAMPERED))
def test_changing_any_column_of_one_row_is_caught_at_that_row(
    home: Path, column: str
) -> None:
    sql(home, f"UPDATE audit_event SET {column} = :v WHERE seq = 5", v=TAMPERED[column])
    done = cli("audit", "verify", "--home", home)
    assert done.code == 1
    assert_one_error_line(done.err, "audit trail broken at row 5:")
    assert done.out == ""


def test_verify_as_a_user_needs_the_admin_or_auditor_role(
    sqlite_home: Path,
) -> None:
    auditor = as_user(sqlite_home, "audrey", "audit", "verify")
    assert auditor.code == 0, auditor.err
    trainee = as_user(sqlite_home, "tara", "audit", "verify")
    assert trainee.code == 3
    assert_one_error_line(trainee.err, "not permitted: audit.verify")


def test_an_export_holds_every_row_and_a_checkpoint_signed_by_the_host(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "trail.jsonl"
    done = as_user(home, "audrey", "audit", "export", "-o", out)
    assert done.code == 0, done.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    *lines, last = out.read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
    checkpoint = json.loads(last)
    body = checkpoint["checkpoint"].encode()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["public_key"]))
    key.verify(base64.b64decode(checkpoint["signature"]), body)
    origin, size, head = checkpoint["checkpoint"].splitlines()
    assert origin.startswith("supervise/")
    assert int(size) == len(rows)
    assert base64.b64decode(head).hex() == rows[-1]["entry_hash"]
    exported = sql(
        home, "SELECT actor_role FROM audit_event WHERE action='audit.export'"
    )
    assert exported == [("auditor",)]


def test_an_export_goes_to_stdout_by_default_and_never_over_a_file(
    sqlite_home: Path,
) -> None:
    done = cli("audit", "export", "--home", sqlite_home)
    assert done.code == 0, done.err
    assert "checkpoint" in json.loads(done.out.splitlines()[-1])
    assert "exported" in done.err
    taken = sqlite_home / "taken.jsonl"
    taken.write_text("keep me")
    refused = cli("audit", "export", "--home", sqlite_home, "-o", taken)
    assert refused.code == 1
    assert_one_error_line(refused.err, "exists already")
    assert taken.read_text() == "keep me"


def test_a_tampered_trail_fails_verify_in_a_real_process(sqlite_home: Path) -> None:
    assert script("audit", "verify", "--home", sqlite_home).returncode == 0
    sql(sqlite_home, "UPDATE audit_event SET action = 'x' WHERE seq = 5")
    done = script("audit", "verify", "--home", sqlite_home)
    assert done.returncode == 1
    assert_one_error_line(done.stderr, "row 5")
