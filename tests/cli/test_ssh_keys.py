"""`supervise ssh-key ...`: adding, listing and removing keys from the command
line, and the AuthorizedKeysCommand lookup sshd runs (design b)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from supervise.cli.parser import build_parser
from tests.cli.helpers import (
    PASSWORDS,
    Result,
    as_user,
    assert_one_error_line,
    cli,
    sql,
)

DENIED = 3


def public_text(comment: str = "work laptop") -> str:
    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
    return bytes(key.convert_to_public().export_public_key("openssh")).decode()


def add_from_stdin(home: Path, username: str, text: str, *flags: str) -> Result:
    """`ssh-key add` with the password line, then the key, on standard input."""
    return cli(
        "ssh-key",
        "add",
        *flags,
        "--home",
        home,
        "--as",
        username,
        "--password-stdin",
        stdin=f"{PASSWORDS[username]}\n{text}",
    )


def listed(home: Path, username: str, *flags: str) -> list[dict[str, Any]]:
    done = as_user(home, username, "ssh-key", "list", "--json", *flags)
    assert done.code == 0, done.err
    rows: list[dict[str, Any]] = json.loads(done.out)
    return rows


def key_rows(home: Path) -> list[tuple[Any, ...]]:
    return sql(home, "SELECT id, account_id, fingerprint FROM ssh_key ORDER BY id")


def newest_audit(home: Path) -> tuple[Any, ...]:
    """The newest audit row about SSH keys (a command's logoff comes after)."""
    return sql(
        home,
        "SELECT action, object_id, outcome, reason FROM audit_event "
        "WHERE action LIKE 'sshkey.%' ORDER BY seq DESC LIMIT 1",
    )[0]


def lookup(home: Path, user: str, text: str, service: str = "supervise") -> Result:
    kind, blob = text.split()[:2]
    return cli(
        "--home",
        home,
        "ssh-key",
        "authorized-keys",
        "--service-user",
        service,
        user,
        kind,
        blob,
    )


def test_a_key_read_from_stdin_is_added_listed_and_removed(home: Path) -> None:
    added = add_from_stdin(home, "tara", public_text())
    assert added.code == 0, added.err
    assert added.out.startswith("added SSH key ") and "SHA256:" in added.out
    (row,) = listed(home, "tara")
    assert (row["username"], row["type"]) == ("tara", "ssh-ed25519")
    assert row["comment"] == "work laptop" and row["last_used_at"] is None
    assert newest_audit(home)[:3] == ("sshkey.add", str(row["id"]), "allowed")
    assert row["fingerprint"] in newest_audit(home)[3]

    removed = as_user(home, "tara", "ssh-key", "remove", str(row["id"]))
    assert removed.code == 0, removed.err
    assert f"SSH key {row['id']} of tara" in removed.out
    assert key_rows(home) == []
    assert newest_audit(home)[:2] == ("sshkey.remove", str(row["id"]))


def test_a_key_is_read_from_a_file_and_the_table_shows_it(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "id_ed25519.pub"
    path.write_text(public_text("from file"))
    added = as_user(home, "sam", "ssh-key", "add", path)
    assert added.code == 0, added.err
    table = as_user(home, "sam", "ssh-key", "list")
    assert table.code == 0, table.err
    header, line = table.out.splitlines()
    assert header.split()[:4] == ["ID", "ACCOUNT", "TYPE", "FINGERPRINT"]
    assert "sam" in line and "from file" in line and line.endswith("never")


def test_an_empty_list_says_none(home: Path) -> None:
    done = as_user(home, "theo", "ssh-key", "list")
    assert done.code == 0 and done.out.splitlines()[-1] == "(none)"


BAD_KEYS = [
    ("", "paste a public key"),
    ("hello", "not an SSH public key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "private key"),
    ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "DSA"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_KEYS)
def test_a_bad_key_is_refused_with_one_line_and_nothing_is_stored(
    home: Path, text: str, fragment: str
) -> None:
    done = add_from_stdin(home, "tara", text)
    assert done.code == 1
    assert_one_error_line(done.err, fragment)
    assert key_rows(home) == [] and done.out == ""


def test_two_keys_at_once_are_refused(home: Path) -> None:
    done = add_from_stdin(home, "tara", public_text() + public_text())
    assert done.code == 1
    assert_one_error_line(done.err, "one key at a time")
    assert key_rows(home) == []


def test_a_missing_file_is_one_error_line(home: Path, tmp_path: Path) -> None:
    done = as_user(home, "tara", "ssh-key", "add", tmp_path / "nope.pub")
    assert done.code == 1
    assert_one_error_line(done.err, "cannot read")


def test_a_duplicate_key_is_refused_without_naming_its_account(home: Path) -> None:
    text = public_text()
    assert add_from_stdin(home, "tara", text).code == 0
    again = add_from_stdin(home, "theo", text)
    assert again.code == 1
    assert_one_error_line(again.err, "already registered")
    assert "tara" not in again.err
    assert len(key_rows(home)) == 1


def test_an_admin_manages_another_accounts_keys(home: Path) -> None:
    added = add_from_stdin(home, "dana", public_text(), "--user", "tomas")
    assert added.code == 0, added.err
    assert "of tomas" in added.out
    assert [r["username"] for r in listed(home, "dana", "--user", "tomas")] == ["tomas"]
    assert [r["username"] for r in listed(home, "dana", "--all")] == ["tomas"]
    assert listed(home, "dana") == []
    key_id = str(key_rows(home)[0][0])
    assert as_user(home, "dana", "ssh-key", "remove", key_id).code == 0
    assert key_rows(home) == []


@pytest.mark.parametrize(
    "argv",
    [
        ("list", "--all"),
        ("list", "--user", "tara"),
    ],
)
def test_a_non_admin_cannot_see_others_keys(home: Path, argv: tuple[str, ...]) -> None:
    done = as_user(home, "theo", "ssh-key", *argv)
    assert done.code == DENIED
    assert_one_error_line(done.err, "not permitted")
    assert newest_audit(home)[:3] == ("sshkey.list", "", "denied")


def test_a_non_admin_cannot_add_or_remove_others_keys(home: Path) -> None:
    added = add_from_stdin(home, "theo", public_text(), "--user", "tara")
    assert added.code == DENIED and key_rows(home) == []
    assert add_from_stdin(home, "tara", public_text()).code == 0
    key_id = str(key_rows(home)[0][0])
    removed = as_user(home, "theo", "ssh-key", "remove", key_id)
    assert removed.code == DENIED
    assert_one_error_line(removed.err, "not permitted")
    assert newest_audit(home)[:3] == ("sshkey.remove", key_id, "denied")
    assert len(key_rows(home)) == 1


def test_list_with_user_and_all_is_a_usage_error(home: Path) -> None:
    done = as_user(home, "dana", "ssh-key", "list", "--all", "--user", "tara")
    assert done.code == 2


def test_removing_an_unknown_key_fails(home: Path) -> None:
    done = as_user(home, "tara", "ssh-key", "remove", "999")
    assert done.code == 1
    assert_one_error_line(done.err, "no SSH key 999")


# --- AuthorizedKeysCommand ----------------------------------------------------


def test_the_lookup_prints_one_forced_command_line_for_a_registered_key(
    home: Path,
) -> None:
    text = public_text()
    assert add_from_stdin(home, "tara", text).code == 0
    key_id = key_rows(home)[0][0]
    done = lookup(home, "supervise", text)
    assert done.code == 0 and done.err == ""
    (line,) = done.out.splitlines()
    options, key = line.split('" ', 1)
    assert key == " ".join(text.split()[:2])
    assert options.startswith('restrict,pty,command="')
    command = shlex.split(options.removeprefix('restrict,pty,command="'))
    assert command[-5:] == [
        "--home",
        str(home.absolute()),
        "tui",
        "--key-id",
        str(key_id),
    ]
    assert os.path.isabs(command[0])


def test_the_lookup_leaves_no_audit_row(home: Path) -> None:
    text = public_text()
    assert add_from_stdin(home, "tara", text).code == 0
    before = newest_audit(home)
    count = sql(home, "SELECT count(*) FROM audit_event")
    assert lookup(home, "supervise", text).out
    assert lookup(home, "supervise", public_text()).out == ""
    assert sql(home, "SELECT count(*) FROM audit_event") == count
    assert newest_audit(home) == before


def test_the_lookup_prints_nothing_for_another_unix_user(home: Path) -> None:
    text = public_text()
    assert add_from_stdin(home, "tara", text).code == 0
    for user in ("tara", "root", "git"):
        done = lookup(home, user, text)
        assert (done.code, done.out) == (0, "")


def test_the_lookup_prints_nothing_for_an_unknown_or_malformed_key(
    home: Path,
) -> None:
    assert add_from_stdin(home, "tara", public_text()).code == 0
    assert lookup(home, "supervise", public_text()).out == ""
    junk = cli(
        "--home",
        home,
        "ssh-key",
        "authorized-keys",
        "--service-user",
        "supervise",
        "supervise",
        "ssh-ed25519",
        "AAAA!!",
    )
    assert (junk.code, junk.out) == (0, "")


def test_the_lookup_prints_nothing_for_a_disabled_account(home: Path) -> None:
    text = public_text()
    assert add_from_stdin(home, "theo", text).code == 0
    assert lookup(home, "supervise", text).out
    disabled = as_user(home, "dana", "user", "disable", "theo")
    assert disabled.code == 0, disabled.err
    assert (lookup(home, "supervise", text).out, lookup(home, "x", text).code) == (
        "",
        0,
    )


def test_the_lookup_logs_a_miss_by_event_code_only(home: Path) -> None:
    assert lookup(home, "supervise", public_text("tara's key")).out == ""
    log_text = (home / "logs" / "supervise.log").read_text()
    assert "ssh.authorized_keys.miss reason=unknown-key" in log_text
    assert "tara" not in log_text and "AAAA" not in log_text


def test_the_installed_script_names_itself_in_the_forced_command(
    home: Path,
) -> None:
    executable = Path(sys.executable).parent / "supervise"
    if not executable.is_file():
        pytest.skip("the supervise console script is not installed")
    text = public_text()
    assert add_from_stdin(home, "tara", text).code == 0
    kind, blob = text.split()[:2]
    done = subprocess.run(
        [
            *(executable, "--home", home, "ssh-key", "authorized-keys"),
            *("--service-user", "supervise", "supervise", kind, blob),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f'command="{executable} --home {home.absolute()} tui' in done.stdout


def test_the_sshd_snippets_command_prints_a_line_the_tui_command_accepts(
    home: Path,
) -> None:
    snippet = Path(__file__).resolve().parents[2] / "contrib/sshd_config.supervise"
    (line,) = [
        ln.split(None, 1)[1]
        for ln in snippet.read_text().splitlines()
        if ln.strip().startswith("AuthorizedKeysCommand ")
    ]
    text = public_text()
    assert add_from_stdin(home, "tara", text).code == 0
    kind, blob = text.split()[:2]
    given = {"%u": "supervise", "%t": kind, "%k": blob, "/srv/supervise": str(home)}
    argv = [given.get(arg, arg) for arg in shlex.split(line)[1:]]
    done = cli(*argv)
    assert done.code == 0, done.err
    forced = shlex.split(done.out.split('command="', 1)[1].split('" ', 1)[0])
    args = build_parser().parse_args(forced[forced.index("--home") :])
    assert (args.handler, args.key_id) == ("tui:tui", key_rows(home)[0][0])
    assert args.home == str(home.absolute())
