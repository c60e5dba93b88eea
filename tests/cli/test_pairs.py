"""`supervise pair ...`: assigning supervisors to trainees, and ending pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.helpers import as_user, assert_one_error_line


def _pairs(home: Path, *flags: str) -> list[dict[str, Any]]:
    done = as_user(home, "dana", "pair", "list", "--json", *flags)
    assert done.code == 0, done.err
    result: list[dict[str, Any]] = json.loads(done.out)
    return result


def test_a_pair_is_added_listed_and_ended(home: Path) -> None:
    added = as_user(
        home,
        "dana",
        "pair",
        "add",
        "--supervisor",
        "sofia",
        "--trainee",
        "theo",
        "--kind",
        "triadic",
    )
    assert added.code == 0, added.err
    assert "sofia supervises theo (triadic)" in added.out
    (new,) = [
        p for p in _pairs(home) if p["trainee"] == "theo" and p["kind"] == "triadic"
    ]
    assert new["ended_on"] is None and len(_pairs(home)) == 5

    ended = as_user(home, "dana", "pair", "end", str(new["id"]))
    assert ended.code == 0, ended.err
    assert f"pair {new['id']}:" in ended.out
    assert new["id"] not in [p["id"] for p in _pairs(home)]
    (gone,) = [p for p in _pairs(home, "--all") if p["id"] == new["id"]]
    assert gone["ended_on"] is not None


def test_ending_a_pair_twice_is_refused(home: Path) -> None:
    pair_id = str(_pairs(home)[0]["id"])
    assert as_user(home, "dana", "pair", "end", pair_id).code == 0
    again = as_user(home, "dana", "pair", "end", pair_id)
    assert again.code == 1
    assert_one_error_line(again.err, "ended on")


def test_the_pair_table_lists_active_pairs(sqlite_home: Path) -> None:
    done = as_user(sqlite_home, "dana", "pair", "list")
    header, *rows = done.out.splitlines()
    assert header.split() == ["ID", "SUPERVISOR", "TRAINEE", "KIND", "STARTED", "ENDED"]
    assert len(rows) == 4
    assert any(row.split()[1:4] == ["sofia", "tara", "group"] for row in rows)


def test_an_unknown_kind_and_a_non_supervisor_are_refused(sqlite_home: Path) -> None:
    kind = as_user(
        sqlite_home,
        "dana",
        "pair",
        "add",
        "--supervisor",
        "sam",
        "--trainee",
        "tomas",
        "--kind",
        "casual",
    )
    assert kind.code == 1
    assert_one_error_line(kind.err, "unknown kind 'casual'")
    role = as_user(
        sqlite_home,
        "dana",
        "pair",
        "add",
        "--supervisor",
        "tara",
        "--trainee",
        "tomas",
    )
    assert role.code == 1
    assert_one_error_line(role.err, "does not hold the supervisor role")


def test_a_supervisor_may_not_manage_pairs(sqlite_home: Path) -> None:
    done = as_user(sqlite_home, "sam", "pair", "list")
    assert done.code == 3
    assert_one_error_line(done.err, "not permitted: pair.list")
