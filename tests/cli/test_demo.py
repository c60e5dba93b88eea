"""`supervise demo` and plain `supervise`: the sample program and the TUI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.helpers import (
    PASSWORDS,
    TerminalProcess,
    assert_one_error_line,
    cli,
    on_terminal,
    script,
    sql,
)


def test_demo_seed_only_json_lists_the_seven_sample_logins(
    tmp_path: Path, cli_env: str
) -> None:
    home = tmp_path / "demo"
    done = script("demo", "--seed-only", "--json", "--home", home)
    assert done.returncode == 0, done.stderr
    logins = json.loads(done.stdout)
    assert all(set(login) == {"username", "password", "roles"} for login in logins)
    roles = Counter(role for login in logins for role in login["roles"])
    assert roles == {"admin": 1, "auditor": 1, "supervisor": 2, "trainee": 3}
    assert len(logins) == 7
    assert str(home) in done.stderr
    assert (home / "host-secrets.json").is_file()


def test_demo_seed_only_prints_a_table_and_keeps_the_home(
    tmp_path: Path, sqlite_env: None
) -> None:
    home = tmp_path / "demo"
    done = cli("demo", "--seed-only", "--home", home)
    assert done.code == 0, done.err
    assert "dana      admin       cobalt-harbor-41" in done.out
    assert f"--home {home}" in done.out
    assert done.err == ""
    assert (home / "supervise.db").is_file()


def test_demo_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, sqlite_env: None
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    done = cli("demo", "--seed-only", "--home", tmp_path)
    assert done.code == 1
    assert_one_error_line(done.err, "not empty")
    assert not (tmp_path / "supervise.db").exists()


READY = {"SUPERVISE_EXIT_WHEN_READY": "1"}
"""Makes the real TUI quit as soon as its login screen is drawn."""


def test_demo_runs_the_tui_on_the_seeded_program_then_deletes_its_temporary_home(
    tmp_path: Path, sqlite_env: None
) -> None:
    code, screen = on_terminal("demo", env={**READY, "TMPDIR": str(tmp_path)})
    assert code == 0, screen
    assert "Demo accounts (throwaway program)" in screen
    assert "supervise-demo-" in screen  # where it was, printed before the TUI
    assert list(tmp_path.glob("supervise-demo-*")) == []


def test_demo_keeps_a_home_named_with_home_after_the_tui(
    tmp_path: Path, sqlite_env: None
) -> None:
    code, screen = on_terminal("demo", "--home", tmp_path / "kept", env=READY)
    assert code == 0, screen
    assert (tmp_path / "kept" / "supervise.db").is_file()


def test_plain_supervise_opens_the_login_screen_and_then_the_program(
    sqlite_home: Path,
) -> None:
    # "open": quit once the program is open behind the login screen.
    code, screen = on_terminal(
        "--home", sqlite_home, env={"SUPERVISE_EXIT_WHEN_READY": "open"}
    )
    assert code == 0, screen
    assert "Log in" in screen
    assert "Traceback" not in screen


def test_plain_supervise_without_a_program_exits_2_with_the_reason(
    tmp_path: Path, sqlite_env: None
) -> None:
    code, screen = on_terminal("--home", tmp_path / "nothing")
    assert code == 2, screen
    assert "no supervise program in" in screen
    assert "Traceback" not in screen
    assert not (tmp_path / "nothing").exists()


def test_plain_supervise_reaches_the_tui_without_loading_the_database_layer(
    tmp_path: Path, sqlite_env: None
) -> None:
    probe = textwrap.dedent(
        f"""
        import sys, types
        class App:
            def __init__(self, settings):
                self.return_code = 0
            def run(self):
                heavy = ("sqlalchemy", "sqlmodel", "supervise.services")
                loaded = [name for name in heavy if name in sys.modules]
                print("loaded:", loaded)
        module = types.ModuleType("supervise.app")
        module.SuperviseApp = App
        sys.modules["supervise.app"] = module
        from supervise.cli.main import main
        sys.exit(main(["--home", {str(tmp_path)!r}]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded: []"


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_a_closed_terminal_ends_the_demo_and_removes_its_folder(
    tmp_path: Path, sqlite_env: None, signum: int
) -> None:
    with TerminalProcess("demo", env={"TMPDIR": str(tmp_path)}) as term:
        term.wait_for("Demo accounts (throwaway program)")
        assert len(list(tmp_path.glob("supervise-demo-*"))) == 1
        term.proc.send_signal(signum)
        assert term.finish() == 0, term.output
    assert list(tmp_path.glob("supervise-demo-*")) == []


def test_a_dropped_connection_logs_the_session_off(sqlite_home: Path) -> None:
    with TerminalProcess("--home", sqlite_home) as term:
        term.wait_for("Log in")
        term.type("tara\t" + PASSWORDS["tara"] + "\r")
        term.wait_for("trainee home")
        term.proc.send_signal(signal.SIGHUP)
        assert term.finish() == 0, term.output
    action, actor = sql(
        sqlite_home,
        "SELECT action, actor_role FROM audit_event ORDER BY seq DESC LIMIT 1",
    )[0]
    assert (action, actor) == ("logoff", "trainee")


def test_a_terminal_closed_without_a_signal_ends_the_session(
    sqlite_home: Path,
) -> None:
    with TerminalProcess("--home", sqlite_home) as term:
        term.wait_for("Log in")
        term.type("theo\t" + PASSWORDS["theo"] + "\r")
        term.wait_for("trainee home")
        term.hang_up()  # no SIGHUP: the program is not the terminal's controller
        assert term.proc.wait(timeout=30) == 0
    action, actor = sql(
        sqlite_home,
        "SELECT action, actor_role FROM audit_event ORDER BY seq DESC LIMIT 1",
    )[0]
    assert (action, actor) == ("logoff", "trainee")
