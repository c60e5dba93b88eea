"""Failures end as one line and an exit status; tracebacks go to the log only."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from supervise.services import accounts as account_service
from tests.cli.helpers import as_user, assert_one_error_line, cli, script

COMMANDS = [
    [],
    ["init"],
    ["migrate"],
    ["demo"],
    ["user"],
    *(["user", name] for name in ("add", "list", "disable", "enable", "reset")),
    ["user", "roles"],
    ["pair"],
    *(["pair", name] for name in ("add", "end", "list")),
    ["audit"],
    ["audit", "verify"],
    ["audit", "export"],
    ["consent"],
    *(
        ["consent", name]
        for name in ("new", "edit", "list", "show", "verbal", "sign", "revoke")
    ),
    *(["consent", name] for name in ("pdf", "script", "scan")),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str]) -> None:
    done = cli(*command, "--help")
    assert done.code == 0
    assert done.out.startswith(f"usage: {' '.join(['supervise', *command])}")
    description = done.out.split("\n\n")[1]
    assert description.strip() and "\n" not in description.strip()[:60]


def test_a_command_without_a_program_fails_in_one_line(
    tmp_path: Path, sqlite_env: None
) -> None:
    done = script("user", "list", "--home", tmp_path, "--as", "dana")
    assert done.returncode == 1
    assert_one_error_line(done.stderr, "no supervise program in")
    assert done.stdout == ""


def test_a_usage_error_is_one_line_with_status_2(sqlite_env: None) -> None:
    done = cli("user", "add", "nadia")
    assert done.code == 2
    assert_one_error_line(done.err, "--as")
    assert "supervise user add --help" in done.err


def test_an_unreadable_settings_file_is_refused(
    tmp_path: Path, sqlite_env: None
) -> None:
    (tmp_path / "supervise.toml").write_text("idle_timeout_seconds = 'soon'\n")
    done = cli("audit", "verify", "--home", tmp_path)
    assert done.code == 1
    assert_one_error_line(done.err, "idle_timeout_seconds")


def test_a_bug_is_logged_by_kind_and_frames_not_shown(
    sqlite_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "Marker Name " + "Zyx"  # built here, so no source line holds it

    def broken(*args: object) -> None:
        raise RuntimeError(f"failed on {secret}")

    monkeypatch.setattr(account_service, "list_accounts", broken)
    done = as_user(sqlite_home, "dana", "user", "list")
    log_file = sqlite_home / "logs" / "supervise.log"
    assert done.code == 70
    assert done.err == f"supervise: internal error; details in {log_file}\n"
    logged = log_file.read_text()
    assert "internal error: RuntimeError" in logged
    assert ", in broken" in logged  # the frames say where
    assert secret not in logged  # but not what the message quoted
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_warnings_go_to_the_log_file_not_the_terminal(
    sqlite_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def noisy(*args: object) -> list[object]:
        logging.getLogger("supervise.probe").warning("probe-warning-17")
        warnings.warn("probe-python-warning", UserWarning, stacklevel=1)
        return []

    monkeypatch.setattr(account_service, "list_accounts", noisy)
    done = as_user(sqlite_home, "dana", "user", "list", "--json")
    assert (done.code, done.out, done.err) == (0, "[]\n", "")
    logged = (sqlite_home / "logs" / "supervise.log").read_text()
    assert "probe-warning-17" in logged and "probe-python-warning" in logged


def test_ctrl_c_exits_130_with_a_short_note(
    sqlite_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(account_service, "list_accounts", interrupted)
    done = as_user(sqlite_home, "dana", "user", "list")
    assert done.code == 130
    assert done.err.strip() == "supervise: interrupted"


def test_the_console_script_sets_umask_077_and_no_core_dumps() -> None:
    probe = textwrap.dedent(
        """
        import os, resource
        from supervise.cli import main as cli_main
        def report():
            print(oct(os.umask(0o077)), resource.getrlimit(resource.RLIMIT_CORE)[0])
            return 0
        cli_main.main = report
        cli_main.run()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0o77", "0"]
