"""Shared fixtures: real SQLite files, real PostgreSQL schemas, a fake clock.

PostgreSQL cases run when SUPERVISE_TEST_DATABASE_URL is set (`.ci/run` sets
it); each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supervise.models import AuditEvent
from supervise.services.context import ProgramContext, open_program
from supervise.services.setup import DEMO_ACCOUNTS, DemoAccount, seed_demo
from supervise.settings import Settings, load_settings

PG_URL = os.environ.get("SUPERVISE_TEST_DATABASE_URL", "")

FAST_ARGON2 = {
    "SUPERVISE_ARGON2_TIME_COST": "1",
    "SUPERVISE_ARGON2_MEMORY_KIB": "8192",
    "SUPERVISE_ARGON2_PARALLELISM": "1",
}
"""Cheap Argon2id parameters: tests check behaviour, not hashing cost."""


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward, e.g. `advance(minutes=11)`."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _pg_schema_url() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    if not PG_URL:
        pytest.skip("SUPERVISE_TEST_DATABASE_URL is not set")
    base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test using this runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        yield ""
    else:
        yield from _pg_schema_url()


def make_settings(home: Path, database_url: str = "", **env: str) -> Settings:
    """Settings for a test home, with cheap Argon2 parameters."""
    environ = {**FAST_ARGON2, **env}
    if database_url:
        environ["SUPERVISE_DATABASE_URL"] = database_url
    return load_settings(home, environ=environ)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings on both databases."""
    return make_settings(tmp_path / "home", database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings on a SQLite file only (UI tests)."""
    return make_settings(tmp_path / "home")


@dataclass
class Demo:
    """A seeded demo program and helpers to log in as its people."""

    ctx: ProgramContext
    accounts: dict[str, DemoAccount]
    clock: FakeClock

    def password(self, username: str) -> str:
        return self.accounts[username].password

    def login(self, username: str):  # type: ignore[no-untyped-def]
        from supervise.services.accounts import login

        return login(self.ctx, username, self.password(username))


def _seed(
    settings: Settings, clock: FakeClock, template: Path | None = None
) -> Iterator[Demo]:
    """The demo program in `settings.home`, copied from `template` (a SQLite
    home seeded at the fake clock's usual start) when one fits."""
    if template is not None and clock.now == FakeClock().now:
        shutil.copytree(template, settings.home)
        ctx = open_program(settings, clock)
    else:
        # Without the demo's review and hours: tests start before supervision.
        ctx = seed_demo(settings, clock, supervision=False).context
    try:
        yield Demo(ctx, {a.username: a for a in DEMO_ACCOUNTS}, clock)
    finally:
        ctx.engine.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo program on a SQLite file, seeded once per test process and
    copied for each test that fits it (seeding is the slow part)."""
    path = tmp_path_factory.mktemp("demo-template") / "home"
    ctx = seed_demo(make_settings(path), FakeClock(), supervision=False).context
    ctx.keystore.close()
    ctx.engine.dispose()
    return path


@pytest.fixture
def program(
    settings: Settings, clock: FakeClock, database_url: str, demo_template: Path
) -> Iterator[Demo]:
    """The demo program, on both databases, with a fake clock."""
    yield from _seed(settings, clock, None if database_url else demo_template)


@pytest.fixture
def sqlite_program(
    sqlite_settings: Settings, clock: FakeClock, demo_template: Path
) -> Iterator[Demo]:
    """The demo program on a SQLite file, with a fake clock."""
    yield from _seed(sqlite_settings, clock, demo_template)


__all__ = [
    "FAST_ARGON2",
    "Demo",
    "FakeClock",
    "make_settings",
    "newest_audit_rows",
    "replace",
]


def newest_audit_rows(ctx: ProgramContext, limit: int = 1) -> list[AuditEvent]:
    """The newest audit rows, newest first, read straight from the table."""
    from sqlmodel import Session, col, select

    with Session(ctx.engine) as session:
        query = select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(limit)
        return list(session.exec(query))
