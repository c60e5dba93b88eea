"""`supervise user ...`: logging in with `--as`, the policy, and each command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from supervise.cli import common
from tests.cli.helpers import (
    PASSWORDS,
    Result,
    as_user,
    assert_one_error_line,
    cli,
    sql,
)


def _failed_logins(home: Path, username: str) -> int:
    (row,) = sql(
        home, "SELECT failed_logins FROM account WHERE username = :u", u=username
    )
    return int(row[0])


def _one_time(out: str) -> str:
    match = re.search(r"one-time password: (\S+)", out)
    assert match, out
    return match.group(1)


def test_an_admin_lists_every_account_as_json(home: Path) -> None:
    done = as_user(home, "dana", "user", "list", "--json")
    assert done.code == 0, done.err
    names = {account["username"] for account in json.loads(done.out)}
    assert names == set(PASSWORDS)


def test_the_account_table_shows_names_roles_and_status(home: Path) -> None:
    done = as_user(home, "dana", "user", "list")
    assert done.code == 0, done.err
    header, *rows = done.out.splitlines()
    assert header.split() == ["USERNAME", "FULL", "NAME", "ROLES", "STATUS", "CREATED"]
    assert any(row.startswith("sofia ") and "Sofía Herrera" in row for row in rows)


def test_a_trainee_listing_accounts_is_refused_and_the_denial_audited(
    home: Path,
) -> None:
    done = as_user(home, "tara", "user", "list", "--json")
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted: account.list")
    assert done.out == ""
    denied = sql(
        home,
        "SELECT reason FROM audit_event "
        "WHERE action = 'account.list' AND outcome = 'denied'",
    )
    assert denied == [("role",)]


def test_a_wrong_password_is_refused_counted_and_audited(home: Path) -> None:
    done = as_user(home, "dana", "user", "list", password="not-her-password")
    assert done.code == 4
    assert_one_error_line(done.err, "wrong username or password")
    assert _failed_logins(home, "dana") == 1
    failures = sql(home, "SELECT reason FROM audit_event WHERE action='login.failure'")
    assert failures == [("bad-password",)]


def test_five_wrong_passwords_lock_the_account(home: Path) -> None:
    for _ in range(5):
        done = as_user(home, "sam", "user", "list", password="guess-guess-guess")
        assert done.code == 4
    assert "locked" in done.err
    right = as_user(home, "sam", "user", "list")
    assert right.code == 4
    assert_one_error_line(right.err, "locked")


def test_a_new_account_gets_a_one_time_password_the_cli_will_not_accept(
    home: Path,
) -> None:
    done = as_user(
        home,
        "dana",
        "user",
        "add",
        "nadia",
        "--role",
        "trainee",
        "--full-name",
        "Nadia Park",
    )
    assert done.code == 0, done.err
    assert "created account nadia (trainee)" in done.out
    assert "must change it" in done.out
    password = _one_time(done.out)
    assert done.out.count(password) == 1
    first = as_user(home, "nadia", "user", "list", password=password)
    assert first.code == 4
    assert_one_error_line(first.err, "one-time password")


def test_a_disabled_account_cannot_log_in_until_enabled(home: Path) -> None:
    assert as_user(home, "dana", "user", "disable", "tara").code == 0
    refused = as_user(home, "tara", "user", "list")
    assert refused.code == 4
    assert_one_error_line(refused.err, "disabled")
    enabled = as_user(home, "dana", "user", "enable", "tara")
    assert enabled.out == "enabled account tara\n"
    assert as_user(home, "tara", "user", "list").code == 3  # in, but not allowed


def test_a_reset_replaces_the_password_with_a_one_time_one(home: Path) -> None:
    done = as_user(home, "dana", "user", "reset", "theo")
    assert done.code == 0, done.err
    assert "new key pair" in done.out
    assert as_user(home, "theo", "user", "list").code == 4  # old password
    fresh = as_user(home, "theo", "user", "list", password=_one_time(done.out))
    assert "one-time password" in fresh.err


def test_roles_are_replaced_and_may_be_comma_separated(home: Path) -> None:
    done = as_user(home, "dana", "user", "roles", "sam", "--role", "supervisor,auditor")
    assert done.out == "sam now holds: supervisor, auditor\n"
    listed = json.loads(as_user(home, "dana", "user", "list", "--json").out)
    (sam,) = [a for a in listed if a["username"] == "sam"]
    assert sam["roles"] == ["supervisor", "auditor"]


def test_an_unknown_role_is_refused_with_the_services_message(home: Path) -> None:
    done = as_user(home, "dana", "user", "add", "nadia", "--role", "wizard")
    assert done.code == 1
    assert_one_error_line(done.err, "unknown role 'wizard'")


def test_control_characters_in_a_full_name_cannot_reach_the_terminal(
    sqlite_home: Path,
) -> None:
    sneaky = "Eve\x1b[2J\x1b]0;pwned\x07\u202e"
    added = as_user(
        sqlite_home,
        "dana",
        "user",
        "add",
        "eve",
        "--role",
        "trainee",
        "--full-name",
        sneaky,
    )
    assert added.code == 0, added.err
    table = as_user(sqlite_home, "dana", "user", "list").out
    assert "\x1b" not in table and "\x07" not in table and "\u202e" not in table
    assert "Eve\\x1b[2J\\x1b]0;pwned\\x07\\u202e" in table
    raw = as_user(sqlite_home, "dana", "user", "list", "--json").out
    assert "\x1b" not in raw
    assert sneaky in [a["full_name"] for a in json.loads(raw)]


def test_without_a_terminal_the_password_must_come_on_stdin(
    sqlite_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "TTY_PATH", str(tmp_path / "no-tty"))
    done = cli("user", "list", "--home", sqlite_home, "--as", "dana")
    assert done.code == 1
    assert_one_error_line(done.err, "--password-stdin")


def test_an_empty_first_line_on_stdin_is_refused(sqlite_home: Path) -> None:
    done = cli(
        "user", "list", "--home", sqlite_home, "--as", "dana", "--password-stdin"
    )
    assert done.code == 1
    assert_one_error_line(done.err, "standard input is empty")


def _new_trainee(home: Path) -> str:
    done = as_user(home, "dana", "user", "add", "nadia", "--role", "trainee")
    assert done.code == 0, done.err
    return _one_time(done.out)


def _change_password(home: Path, current: str, new: str) -> Result:
    """`supervise password --as nadia`, both passwords on standard input."""
    return cli(
        "password",
        "--home",
        home,
        "--as",
        "nadia",
        "--password-stdin",
        stdin=f"{current}\n{new}\n",
    )


def test_a_one_time_password_is_replaced_with_supervise_password(home: Path) -> None:
    one_time = _new_trainee(home)
    done = _change_password(home, one_time, "heron-quarry-lantern")
    assert done.code == 0, done.err
    assert done.out == "password changed for nadia\n"
    assert sql(
        home, "SELECT must_change_password FROM account WHERE username='nadia'"
    ) == [(False,)]
    # The account now works on the command line, with the new password only.
    listed = as_user(home, "nadia", "user", "list", password="heron-quarry-lantern")
    assert listed.code == 3  # logged in; a trainee may not list accounts
    old = as_user(home, "nadia", "user", "list", password=one_time)
    assert old.code == 4


def test_a_weak_new_password_is_refused_and_the_old_one_kept(home: Path) -> None:
    one_time = _new_trainee(home)
    done = _change_password(home, one_time, "password1234")
    assert done.code == 1
    assert_one_error_line(done.err, "too common")
    again = _change_password(home, one_time, "heron-quarry-lantern")
    assert again.code == 0, again.err
