"""`supervise tui --key-id N`: OpenSSH's forced command for a registered key.

sshd runs it with the client's command (if any) in SSH_ORIGINAL_COMMAND and
the channel as standard input and output; here a subprocess stands in.
"""

from __future__ import annotations

import subprocess
import sys

import asyncssh

from supervise.services import ssh_keys
from tests.conftest import FAST_ARGON2, Demo, newest_audit_rows


def key_id(program: Demo, username: str) -> int:
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = key.export_public_key().decode()
    view = ssh_keys.add_key(program.ctx, program.login(username), public)
    return view.id


def forced(
    program: Demo, key: int, command: str | None, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    env = {**FAST_ARGON2, "PATH": "/usr/bin:/bin"}
    if command is not None:
        env["SSH_ORIGINAL_COMMAND"] = command
    home = str(program.ctx.settings.home)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "supervise",
            "--home",
            home,
            "tui",
            "--key-id",
            str(key),
        ],
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_without_a_terminal_the_app_is_refused_and_audited(
    sqlite_program: Demo,
) -> None:
    done = forced(sqlite_program, key_id(sqlite_program, "tara"), None)
    assert done.returncode == 1
    assert b"connect with a terminal (ssh -t)" in done.stderr
    newest = newest_audit_rows(sqlite_program.ctx)[0]
    assert (newest.action, newest.reason) == ("ssh.refused", "why=no-pty via=openssh")


def test_a_command_other_than_export_is_refused(sqlite_program: Demo) -> None:
    done = forced(sqlite_program, key_id(sqlite_program, "tara"), "sh -c id")
    assert done.returncode == 1
    assert b"the only command is 'export ID'" in done.stderr
    assert done.stdout == b""


def test_export_streams_the_recording_with_the_password_on_stdin(
    sqlite_program: Demo,
) -> None:
    key = key_id(sqlite_program, "tara")
    password = sqlite_program.password("tara").encode() + b"\n"
    done = forced(sqlite_program, key, "export 1", password)
    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"RIFF"
    newest = [row.action for row in newest_audit_rows(sqlite_program.ctx, 5)]
    assert "recording.export" in newest


def test_an_unknown_key_id_is_refused(sqlite_program: Demo) -> None:
    done = forced(sqlite_program, 999, None)
    assert done.returncode == 1
    assert b"no longer registered" in done.stderr
