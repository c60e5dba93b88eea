"""Fixtures for the command line: settings through the environment, as in use.

The CLI reads its settings from `os.environ`, so these fixtures set the cheap
Argon2 parameters and the database URL there (and clear anything from the
environment the tests run in).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from supervise.services.setup import seed_demo
from supervise.settings import load_settings
from tests.conftest import FAST_ARGON2, make_settings

_CLEARED = ("SUPERVISE_HOME", "SUPERVISE_SECRETS_FILE", "SUPERVISE_DATABASE_URL")


def _environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAST_ARGON2.items():
        monkeypatch.setenv(name, value)
    if database_url:
        monkeypatch.setenv("SUPERVISE_DATABASE_URL", database_url)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    """The environment for a run on both databases; returns the URL (or "")."""
    _environment(monkeypatch, database_url)
    return database_url


@pytest.fixture
def sqlite_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment for a run on a SQLite file only."""
    _environment(monkeypatch, "")


def _seed(path: Path) -> Path:
    # Without the demo's review and hours: tests start before any supervision.
    demo = seed_demo(load_settings(path, environ=os.environ), supervision=False)
    demo.context.engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded SQLite home, copied for each test (seeding is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "home"
    demo = seed_demo(make_settings(path), supervision=False)
    demo.context.engine.dispose()
    return path


@pytest.fixture
def home(tmp_path: Path, cli_env: str, sqlite_template: Path) -> Path:
    """A home holding the demo program (real clock), on both databases."""
    path = tmp_path / "home"
    if cli_env:
        return _seed(path)
    shutil.copytree(sqlite_template, path)
    return path


@pytest.fixture
def sqlite_home(tmp_path: Path, sqlite_env: None, sqlite_template: Path) -> Path:
    """A home holding the demo program on a SQLite file."""
    path = tmp_path / "home"
    shutil.copytree(sqlite_template, path)
    return path
