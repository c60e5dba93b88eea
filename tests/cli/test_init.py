"""`supervise init` and `supervise migrate`: creating and upgrading a program."""

from __future__ import annotations

import getpass
import stat
from pathlib import Path

import pytest

from supervise.cli import common
from tests.cli.helpers import (
    Result,
    as_user,
    assert_one_error_line,
    cli,
    script,
    sql,
)

PASSWORD = "violet-tandem-harbor-88"


def _init(
    tmp_path: Path, password: str = PASSWORD, keys_folder: str = "offline"
) -> tuple[Result, Path, Path]:
    keys = tmp_path / keys_folder
    keys.mkdir()
    done = cli(
        "init",
        "--home",
        tmp_path / "prog",
        "--name",
        "Eastside Clinic",
        "--admin",
        "ada",
        "--full-name",
        "Ada Osei",
        "--jurisdiction",
        "NY",
        "--escrow-key",
        keys / "escrow.key",
        "--recovery-key",
        keys / "recovery.key",
        "--password-stdin",
        stdin=password + "\n",
    )
    return done, keys / "escrow.key", keys / "recovery.key"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_a_private_program_and_two_offline_keys(
    tmp_path: Path, cli_env: str
) -> None:
    done, escrow, recovery = _init(tmp_path)
    assert done.code == 0, done.err
    home = tmp_path / "prog"
    assert _mode(home) == 0o700
    assert _mode(home / "host-secrets.json") == 0o600
    assert "SUPERVISE-ESCROW-KEY-V1 " in escrow.read_text()
    assert "SUPERVISE-RECOVERY-KEY-V1 " in recovery.read_text()
    for place in (home / "host-secrets.json", escrow, recovery):
        assert str(place) in done.out
    assert "off this server" in done.out
    listed = cli(
        "user",
        "list",
        "--home",
        home,
        "--as",
        "ada",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert listed.code == 0, listed.err
    assert "Ada Osei" in listed.out


def test_init_twice_is_refused(tmp_path: Path, cli_env: str) -> None:
    assert _init(tmp_path)[0].code == 0
    again, _, new_key = _init(tmp_path, keys_folder="second")
    assert again.code == 1
    assert_one_error_line(again.err, "a program exists already")
    assert not new_key.exists()


def test_a_weak_password_is_refused_and_nothing_is_left_behind(
    tmp_path: Path, cli_env: str
) -> None:
    done, escrow, recovery = _init(tmp_path, password="password123")
    assert done.code == 1
    assert_one_error_line(done.err, "password")
    assert not (tmp_path / "prog" / "host-secrets.json").exists()
    assert not escrow.exists() and not recovery.exists()


def test_passwords_typed_twice_must_match(
    tmp_path: Path, sqlite_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(common, "TTY_PATH", "/dev/null")
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    done = cli(
        "init",
        "--home",
        tmp_path / "prog",
        "--name",
        "X",
        "--admin",
        "ada",
        "--escrow-key",
        tmp_path / "e.key",
        "--recovery-key",
        tmp_path / "r.key",
    )
    assert done.code == 1
    assert_one_error_line(done.err, "the two passwords differ")
    assert not (tmp_path / "e.key").exists()


def test_init_as_a_real_script_makes_private_files(
    tmp_path: Path, sqlite_env: None
) -> None:
    home = tmp_path / "prog"
    done = script(
        "--home",
        home,
        "init",
        "--name",
        "Eastside Clinic",
        "--admin",
        "ada",
        "--escrow-key",
        tmp_path / "e.key",
        "--recovery-key",
        tmp_path / "r.key",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert _mode(home) == 0o700
    for private in ("supervise.db", "host-secrets.json", "logs/supervise.log"):
        assert _mode(home / private) == 0o600, private
    assert _mode(tmp_path / "e.key") == 0o600


def test_migrate_on_a_current_schema_does_nothing(home: Path) -> None:
    done = cli("migrate", "--home", home)
    assert done.code == 0, done.err
    assert "nothing to do" in done.out


def test_a_schema_newer_than_this_code_is_refused(home: Path) -> None:
    sql(home, "UPDATE alembic_version SET version_num = '9999'")
    listed = as_user(home, "dana", "user", "list")
    assert listed.code == 1
    assert_one_error_line(listed.err, "newer than this version")
    migrated = cli("migrate", "--home", home)
    assert migrated.code == 1
    assert_one_error_line(migrated.err, "newer than this version")


def test_migrate_without_a_program_says_to_run_init(
    tmp_path: Path, sqlite_env: None
) -> None:
    done = cli("migrate", "--home", tmp_path)
    assert done.code == 1
    assert_one_error_line(done.err, "supervise init")
