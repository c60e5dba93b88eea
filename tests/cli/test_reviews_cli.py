"""`supervise review ...` and `supervise rubric ...` from a shell."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import PASSWORDS, as_user, assert_one_error_line, cli, sql


def _review(home: Path, who: str, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    done = cli(
        "review",
        *argv,
        "--home",
        home,
        "--as",
        who,
        "--password-stdin",
        stdin=PASSWORDS[who] + "\n" + stdin,
    )
    return done.code, done.out, done.err


def test_a_supervisor_reviews_from_the_shell_and_the_trainee_reads_it(
    home: Path,
) -> None:
    code, out, err = _review(
        home, "sam", "comment", "1", "--at", "0:04", "--text-stdin",
        stdin="Good pacing here.\nAsk about sleep next time.\n",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "comment 1 added at 0:04"), err
    assert _review(home, "sam", "rate", "1", "empathy=4", "risk=none")[0] == 0
    assert _review(home, "sam", "feedback", "1", "--text", "Solid session.")[0] == 0
    code, out, _ = _review(home, "sam", "list", "--json")
    [draft] = json.loads(out)
    assert (draft["recording_id"], draft["comments"], draft["signed_off_at"]) == (
        1,
        1,
        None,
    )
    code, out, err = _review(home, "tara", "show", "1")
    assert code == 1
    assert_one_error_line(err, "no signed-off review")

    code, out, err = _review(home, "sam", "sign-off", "1")
    assert code == 0 and "tara can read it now" in out, err
    code, out, err = _review(home, "tara", "show", "1")
    assert code == 0, err
    assert "0:04  Good pacing here." in out
    assert "Ask about sleep next time." in out
    assert "Empathic reflection (empathy): 4 of 5" in out
    assert "Risk and safety (risk): not observed" in out
    assert "Solid session." in out
    assert "signed off" in out and "play it" not in out
    assert sql(home, "SELECT trainee_seen_at IS NOT NULL FROM review") == [(True,)]
    code, out, _ = _review(home, "tara", "list", "--signed", "--json")
    assert [r["supervisor"] for r in json.loads(out)] == ["sam"]
    shown = json.loads(_review(home, "tara", "show", "1", "--json")[1])
    assert shown["comments"][0]["at_seconds"] == 4.0
    assert shown["ratings"] == [
        {"code": "empathy", "label": "Empathic reflection", "score": 4, "rated": True},
        {"code": "risk", "label": "Risk and safety", "score": None, "rated": True},
    ]


def test_a_signed_off_review_refuses_edits_with_one_line(sqlite_home: Path) -> None:
    home = sqlite_home
    assert _review(home, "sam", "feedback", "1", "--text", "Done.")[0] == 0
    assert _review(home, "sam", "sign-off", "1")[0] == 0
    for argv in (
        ("comment", "1", "--at", "3", "--text", "Late."),
        ("rate", "1", "goals=2"),
        ("feedback", "1", "--text", "Late."),
        ("sign-off", "1"),
    ):
        code, _, err = _review(home, "sam", *argv)
        assert code == 1
        assert_one_error_line(err, "can no longer be edited")
    denied = sql(
        home,
        "SELECT action FROM audit_event WHERE outcome = 'denied' AND "
        "reason = 'signed-off' ORDER BY seq",
    )
    assert [a for (a,) in denied] == [
        "review.comment",
        "review.rate",
        "review.feedback",
        "review.sign_off",
    ]


def test_bad_review_input_gets_a_clear_message_and_changes_nothing(
    sqlite_home: Path,
) -> None:
    home = sqlite_home
    for argv, fragment in (
        (("comment", "1", "--at", "1:75", "--text", "x"), "under 60"),
        (("comment", "1", "--at", "soon", "--text", "x"), "write the time as"),
        (("comment", "1", "--at", "9:00", "--text", "x"), "after the end"),
        (("comment", "1", "--at", "1"), "--text or --text-stdin"),
        (("rate", "1", "empathy"), "CODE=1..5"),
        (("rate", "1", "empathy="), "CODE=1..5"),
        (("rate", "1", "=3"), "CODE=1..5"),
        (("rate", "1", "empathy=high"), "1 to 5, or none"),
        (("rate", "1", "empathy=7"), "1 to 5"),
        (("rate", "1", "charm=3"), "no item 'charm'"),
        (("sign-off", "1"), "is empty"),
        (("show", "99"), "no recording 99"),
    ):
        code, _, err = _review(home, "sam", *argv)
        assert code == 1, argv
        assert_one_error_line(err, fragment)
    assert sql(home, "SELECT count(*) FROM review") == [(0,)]
    code, _, err = _review(home, "sam", "list", "--signed", "--open")
    assert code == 2


def test_the_rubric_is_listed_by_anyone_and_edited_by_admins(
    sqlite_home: Path,
) -> None:
    home = sqlite_home
    listed = as_user(home, "tara", "rubric", "list", "--json")
    assert [e["code"] for e in json.loads(listed.out)][:2] == ["alliance", "listening"]
    added = as_user(
        home,
        "dana",
        "rubric",
        "add",
        "humour",
        "Use of humour",
        "--description",
        "Apt.",
    )
    assert added.code == 0 and "11. humour: Use of humour" in added.out, added.err
    moved = as_user(home, "dana", "rubric", "edit", "humour", "--position", "1")
    assert "1. humour" in moved.out, moved.err
    assert as_user(home, "dana", "rubric", "retire", "humour").code == 0
    table = as_user(home, "sam", "rubric", "list").out
    assert "humour" not in table and "Therapeutic alliance" in table
    everything = as_user(home, "sam", "rubric", "list", "--all").out
    assert "humour" in everything and "retired" in everything
    assert as_user(home, "dana", "rubric", "restore", "humour").code == 0
    nothing = as_user(home, "dana", "rubric", "edit", "humour")
    assert nothing.code == 1
    assert_one_error_line(nothing.err, "--label, --description or --position")

    refused = as_user(home, "sam", "rubric", "add", "charm", "Charm")
    assert refused.code == 3
    assert_one_error_line(refused.err, "rubric.edit")
    denied = sql(
        home,
        "SELECT action, actor_role FROM audit_event WHERE outcome = 'denied'",
    )
    assert denied == [("rubric.edit", "supervisor")]


def test_an_admin_reads_a_signed_off_review_with_the_escrow_key(
    sqlite_home: Path,
) -> None:
    home = sqlite_home
    assert _review(home, "sam", "feedback", "1", "--text", "Kept on file.")[0] == 0
    assert _review(home, "sam", "sign-off", "1")[0] == 0
    key = home / "offline-keys" / "escrow.key"
    code, _, err = _review(home, "dana", "show", "1", "--escrow-key", str(key))
    assert code == 1
    assert_one_error_line(err, "--escrow-key needs --reason")
    code, out, err = _review(
        home, "dana", "show", "1", "--escrow-key", str(key),
        "--reason", "Audit of C-1001 at the board's request.",
    )  # fmt: skip
    assert code == 0, err
    assert "Kept on file." in out and "Take the escrow key away" in err
    [(reason,)] = sql(
        home, "SELECT reason FROM audit_event WHERE action = 'review.view'"
    )
    assert reason.startswith("escrow-note-")
    code, _, err = _review(home, "dana", "show", "1", "--reason", "Just curious now.")
    assert code == 1
    assert_one_error_line(err, "--reason goes with --escrow-key")
