"""A supervisor not assigned to a trainee can neither list nor export that
trainee's recordings, clients, consents or reviews from the command line, and
each refusal is audited.

In the demo sam supervises tara and theo, not tomas; sofia supervises tomas
and tara. Recording 3 and clients C-3001 and C-3002 are tomas's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import as_user, assert_one_error_line, sql

TOMAS_RECORDING = "3"


def _denials(home: Path) -> list[tuple[str, str, str, str]]:
    found = sql(
        home,
        "SELECT action, object_type, object_id, reason FROM audit_event "
        "WHERE outcome = 'denied' ORDER BY seq",
    )
    return [tuple(str(v) for v in row) for row in found]  # type: ignore[misc]


def _account_id(home: Path, username: str) -> str:
    [(found,)] = sql(home, "SELECT id FROM account WHERE username = :u", u=username)
    return str(found)


def _tomas_consent(home: Path) -> str:
    found = sql(
        home,
        "SELECT c.id FROM consent_form c JOIN account a ON a.id = c.trainee_id "
        "WHERE a.username = 'tomas' ORDER BY c.id",
    )
    return str(found[0][0])


def test_each_refusal_to_an_unassigned_supervisor_is_audited(
    home: Path, tmp_path: Path
) -> None:
    tomas = _account_id(home, "tomas")
    consent = _tomas_consent(home)
    out = tmp_path / "tomas.wav"
    cases: list[tuple[tuple[str, ...], tuple[str, str, str, str], str]] = [
        (
            ("recording", "list", "--trainee", "tomas"),
            ("recording.list", "account", tomas, "not-assigned"),
            "recording.list",
        ),
        (
            ("recording", "show", TOMAS_RECORDING),
            ("recording.list", "recording", TOMAS_RECORDING, "not-visible"),
            "not one you may see",
        ),
        (
            ("recording", "export", TOMAS_RECORDING, "-o", str(out)),
            ("recording.export", "recording", TOMAS_RECORDING, "no-grant"),
            "not shared with you",
        ),
        (
            ("client", "list", "--trainee", "tomas"),
            ("client.view", "account", tomas, "not-assigned"),
            "client.view",
        ),
        (
            ("consent", "show", consent),
            ("consent.view", "consent", consent, "not-assigned"),
            "consent.view",
        ),
        (
            ("consent", "pdf", consent, "-o", str(tmp_path / "form.pdf")),
            ("consent.view", "consent", consent, "not-assigned"),
            "consent.view",
        ),
        (
            ("review", "list", "--trainee", "tomas"),
            ("review.view", "account", tomas, "not-assigned"),
            "review.view",
        ),
        (
            ("review", "show", TOMAS_RECORDING),
            ("review.view", "recording", TOMAS_RECORDING, "no-grant"),
            "not shared with you",
        ),
    ]
    for argv, row, fragment in cases:
        before = _denials(home)
        done = as_user(home, "sam", *argv)
        assert done.code == 3, (argv, done.err)
        assert_one_error_line(done.err, fragment)
        assert done.out == ""
        assert _denials(home) == [*before, row], argv
    assert not out.exists() and not (tmp_path / "form.pdf").exists()


def test_unnamed_lists_leave_out_what_is_not_the_supervisors(home: Path) -> None:
    recordings = json.loads(as_user(home, "sam", "recording", "list", "--json").out)
    assert {r["trainee"] for r in recordings} == {"tara"}
    clients = json.loads(as_user(home, "sam", "client", "list", "--json").out)
    assert {c["trainee"] for c in clients} == {"tara", "theo"}
    consents = json.loads(as_user(home, "sam", "consent", "list", "--json").out)
    assert "tomas" not in {c["trainee"] for c in consents}


@pytest.mark.parametrize(
    "argv",
    [
        ("recording", "list", "--trainee", "tomas", "--json"),
        ("client", "list", "--trainee", "tomas", "--json"),
        ("review", "list", "--trainee", "tomas", "--json"),
    ],
)
def test_the_assigned_supervisor_lists_the_same_trainee(
    sqlite_home: Path, argv: tuple[str, ...]
) -> None:
    done = as_user(sqlite_home, "sofia", *argv)
    assert done.code == 0, done.err
    assert {row["trainee"] for row in json.loads(done.out)} <= {"tomas"}
    assert _denials(sqlite_home) == []


def test_a_named_trainee_who_does_not_exist_is_not_found(sqlite_home: Path) -> None:
    for group in ("recording", "client", "review"):
        done = as_user(sqlite_home, "sam", group, "list", "--trainee", "nobody")
        assert done.code == 1
        assert_one_error_line(done.err, "no account named 'nobody'")


def test_after_the_pair_ends_the_supervisor_is_refused_the_trainee(
    sqlite_home: Path, tmp_path: Path
) -> None:
    home = sqlite_home
    pairs = json.loads(as_user(home, "dana", "pair", "list", "--json").out)
    [pair] = [p for p in pairs if (p["supervisor"], p["trainee"]) == ("sam", "tara")]
    assert as_user(home, "dana", "pair", "end", str(pair["id"])).code == 0
    tara = _account_id(home, "tara")
    listed = as_user(home, "sam", "recording", "list", "--trainee", "tara")
    assert listed.code == 3
    exported = as_user(home, "sam", "recording", "export", "1", "-o", tmp_path / "x")
    assert exported.code == 3
    assert _denials(home)[-2:] == [
        ("recording.list", "account", tara, "not-assigned"),
        ("recording.export", "recording", "1", "no-grant"),
    ]
