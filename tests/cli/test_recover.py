"""`supervise user recover`: a lost password, the key pair kept."""

from __future__ import annotations

import re
from pathlib import Path

from supervise.crypto.offline import write_offline_key
from tests.cli.helpers import Result, as_user, assert_one_error_line, sql


def _recover(home: Path, username: str, key_file: Path, actor: str = "dana") -> Result:
    return as_user(home, actor, "user", "recover", username, "--recovery-key", key_file)


def _public_key(home: Path, username: str) -> bytes:
    (row,) = sql(home, "SELECT public_key FROM account WHERE username = :u", u=username)
    return bytes(row[0])


def test_recovery_prints_a_one_time_password_and_keeps_the_key(home: Path) -> None:
    before = _public_key(home, "theo")
    done = _recover(home, "theo", home / "offline-keys" / "recovery.key")
    assert done.code == 0, done.err
    assert "recovered the account theo; its key pair is kept" in done.out
    match = re.search(r"one-time password: (\S+)", done.out)
    assert match, done.out
    assert _public_key(home, "theo") == before
    old = as_user(home, "theo", "user", "list")
    assert old.code == 4
    assert_one_error_line(old.err, "wrong username or password")
    fresh = as_user(home, "theo", "user", "list", password=match.group(1))
    assert fresh.code == 4
    assert_one_error_line(fresh.err, "one-time password")


def test_the_escrow_key_file_is_refused_in_one_line(home: Path) -> None:
    done = _recover(home, "theo", home / "offline-keys" / "escrow.key")
    assert done.code == 1
    assert_one_error_line(done.err, "is not a supervise recovery key file")
    assert done.out == ""


def test_a_missing_key_file_is_refused_in_one_line(home: Path, tmp_path: Path) -> None:
    done = _recover(home, "theo", tmp_path / "nowhere.key")
    assert done.code == 1
    assert_one_error_line(done.err, "cannot read the recovery key file")


def test_another_programs_recovery_key_is_refused_and_audited(
    home: Path, tmp_path: Path
) -> None:
    stranger = tmp_path / "other-recovery.key"
    write_offline_key(stranger, "recovery", "another program")
    done = _recover(home, "theo", stranger)
    assert done.code == 1
    assert_one_error_line(done.err, "does not open theo's key copy")
    denied = sql(
        home,
        "SELECT reason FROM audit_event "
        "WHERE action = 'account.recover' AND outcome = 'denied'",
    )
    assert denied == [("bad-recovery-key",)]
    assert as_user(home, "theo", "user", "list").code == 3  # old password works


def test_a_trainee_cannot_recover_an_account(home: Path) -> None:
    done = _recover(home, "theo", home / "offline-keys" / "recovery.key", "tara")
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted: account.recover")
