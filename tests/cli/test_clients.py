"""`supervise client add|list`: case codes in clear, identities sealed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import PASSWORDS, as_user, assert_one_error_line, cli, sql


def _add(home: Path, trainee: str, code: str, *flags: str) -> Any:
    return as_user(
        home,
        trainee,
        "client",
        "add",
        code,
        "--name",
        "Nadia Quist",
        "--born",
        "2012-06-30",
        *flags,
    )


def _listed(home: Path, username: str, *flags: str) -> dict[str, dict[str, Any]]:
    done = as_user(home, username, "client", "list", "--json", *flags)
    assert done.code == 0, done.err
    return {row["case_code"]: row for row in json.loads(done.out)}


def test_a_new_client_is_listed_by_case_code_and_named_only_on_request(
    home: Path,
) -> None:
    added = _add(home, "tara", "c-4242", "--guardian", "Ola Quist")
    assert added.code == 0, added.err
    assert added.out == "client C-4242 added (CA, a minor)\n"
    assert "Nadia" not in added.out + added.err

    own = _listed(home, "tara")["C-4242"]
    assert own["trainee"] == "tara" and own["jurisdiction"] == "CA"
    assert own["is_minor"] is True and "name" not in own

    seen = _listed(home, "sam", "--names")["C-4242"]
    assert (seen["name"], seen["guardian"]) == ("Nadia Quist", "Ola Quist")
    assert seen["date_of_birth"] == "2012-06-30"
    (actor,) = sql(
        home,
        "SELECT a.username FROM audit_event e JOIN account a ON a.id = e.actor_id "
        "WHERE e.action = 'client.view' AND e.object_id = :i",
        i=str(seen["id"]),
    )
    assert actor == ("sam",)
    assert "C-4242" not in _listed(home, "theo")


def test_the_name_table_shows_what_the_caller_may_open(sqlite_home: Path) -> None:
    done = as_user(sqlite_home, "sam", "client", "list", "--names")
    assert done.code == 0, done.err
    header, *rows = done.out.splitlines()
    assert header.split()[:6] == ["CASE", "TRAINEE", "STATE", "MINOR", "ADDED", "NAME"]
    assert any(row.startswith("C-2001") and "Ruth Abernathy" in row for row in rows)
    plain = as_user(sqlite_home, "tara", "client", "list")
    assert "C-1001" in plain.out and "Maya" not in plain.out


def test_a_taken_case_code_is_refused_in_one_line(sqlite_home: Path) -> None:
    before = sql(sqlite_home, "SELECT COUNT(*) FROM client")
    done = _add(sqlite_home, "theo", "C-1001")
    assert done.code == 1
    assert_one_error_line(done.err, "the case code C-1001 is taken")
    assert sql(sqlite_home, "SELECT COUNT(*) FROM client") == before


def test_only_a_trainee_adds_clients(sqlite_home: Path) -> None:
    done = _add(sqlite_home, "sam", "C-5000")
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted")


@pytest.mark.parametrize("born", ["1990-5-14", "19900514", "1990-02-30", "May 1990"])
def test_a_loosely_written_date_is_a_usage_error(sqlite_env: None, born: str) -> None:
    done = cli("client", "add", "C-5001", "--name", "N", "--born", born, "--as", "tara")
    assert done.code == 2
    assert_one_error_line(done.err, "write the date as YYYY-MM-DD")
    assert born not in done.err  # a date of birth is not repeated back


@pytest.mark.parametrize(
    "command",
    [
        ["client", "add"],
        ["client", "list"],
        *(
            ["recording", name]
            for name in ("import", "list", "show", "export", "share", "unshare")
        ),
        *(["recording", name] for name in ("hold", "release", "shred", "break-glass")),
        ["purge"],
    ],
    ids=" ".join,
)
def test_every_new_command_has_help(command: list[str]) -> None:
    done = cli(*command, "--help")
    assert done.code == 0
    assert done.out.startswith(f"usage: supervise {' '.join(command)}")


def _add_from_stdin(home: Path, code: str, identity: str, *flags: str) -> Any:
    return cli(
        "client",
        "add",
        code,
        "--identity-stdin",
        *flags,
        "--home",
        home,
        "--as",
        "tara",
        "--password-stdin",
        stdin=PASSWORDS["tara"] + "\n" + identity,
    )


def test_the_identity_can_come_from_standard_input_instead_of_options(
    sqlite_home: Path,
) -> None:
    done = _add_from_stdin(
        sqlite_home,
        "C-5150",
        "name: Ilse Varga-Moreau\nborn: 1979-12-01\n\ncontact: 555-0142\n",
    )
    assert done.code == 0, done.err
    assert "Ilse" not in done.out + done.err
    seen = _listed(sqlite_home, "tara", "--names")["C-5150"]
    assert (seen["name"], seen["date_of_birth"], seen["contact"]) == (
        "Ilse Varga-Moreau",
        "1979-12-01",
        "555-0142",
    )


@pytest.mark.parametrize(
    ("identity", "flags", "message"),
    [
        ("nom: Ilse Varga\nborn: 1979-12-01\n", (), "line 1"),
        ("name: Ilse Varga\nborn: 01/12/1979\n", (), "YYYY-MM-DD"),
        ("name: Ilse Varga\n", (), "'born:'"),
        ("name: Ilse Varga\nname: Other\nborn: 1979-12-01\n", (), "twice"),
        ("name: Ilse Varga\nborn: 1979-12-01\n", ("--name", "Ilse"), "not both"),
    ],
)
def test_a_bad_identity_on_standard_input_is_a_usage_error_storing_nothing(
    sqlite_home: Path, identity: str, flags: tuple[str, ...], message: str
) -> None:
    before = sql(sqlite_home, "SELECT count(*) FROM client")
    done = _add_from_stdin(sqlite_home, "C-5151", identity, *flags)
    assert done.code == 2
    assert_one_error_line(done.err, message)
    assert "Varga" not in done.err and "1979" not in done.err
    assert sql(sqlite_home, "SELECT count(*) FROM client") == before


def test_add_without_an_identity_is_a_usage_error(sqlite_home: Path) -> None:
    done = as_user(sqlite_home, "tara", "client", "add", "C-5152")
    assert done.code == 2
    assert "--identity-stdin" in done.err
