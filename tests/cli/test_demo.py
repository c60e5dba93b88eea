"""`supervise demo` and plain `supervise`: the sample program and the TUI."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.conftest import FakeApp
from tests.cli.helpers import assert_one_error_line, cli, script


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


def test_demo_runs_the_tui_on_the_seeded_program_then_deletes_its_temporary_home(
    tmp_path: Path,
    sqlite_env: None,
    fake_app: type[FakeApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fake_app.exit_with = 5
    done = cli("demo")
    assert done.code == 5, done.err
    (app,) = fake_app.made
    assert app.home_during_run
    assert app.settings.home.name.startswith("supervise-demo-")
    assert app.options["demo_accounts"][0].username == "dana"
    assert app.options["context"].settings.home == app.settings.home
    assert not app.settings.home.exists()


def test_demo_keeps_a_home_named_with_home_after_the_tui(
    tmp_path: Path, sqlite_env: None, fake_app: type[FakeApp]
) -> None:
    done = cli("demo", "--home", tmp_path / "kept")
    assert done.code == 0, done.err
    assert (tmp_path / "kept" / "supervise.db").is_file()


def test_plain_supervise_opens_the_tui_and_returns_its_exit_status(
    tmp_path: Path, sqlite_env: None, fake_app: type[FakeApp]
) -> None:
    fake_app.exit_with = 3
    done = cli("--home", tmp_path)
    assert done.code == 3
    (app,) = fake_app.made
    assert app.settings.home == tmp_path
    assert app.options == {}


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
