"""The schema: migrations match the models, and a newer schema is refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from supervise.models.database import SCHEMA_REVISIONS, SchemaError, check_schema
from supervise.services.context import open_program
from supervise.services.errors import ServiceError
from supervise.settings import Settings
from tests.conftest import Demo, make_settings


def test_the_known_revisions_are_alembics_history() -> None:
    config = Config()
    config.set_main_option("script_location", "supervise/migrations")
    script = ScriptDirectory.from_config(config)
    history = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(history) == SCHEMA_REVISIONS


def test_the_migrations_build_exactly_the_models(program: Demo) -> None:
    with program.ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_a_newer_schema_is_refused_with_a_clear_message(program: Demo) -> None:
    with program.ctx.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="newer than this version"):
        check_schema(program.ctx.engine)
    with pytest.raises(ServiceError, match="upgrade supervise"):
        open_program(program.ctx.settings)


def test_an_empty_home_is_not_a_program(sqlite_settings: Settings) -> None:
    with pytest.raises(ServiceError, match="supervise init"):
        open_program(sqlite_settings)


def test_the_home_and_its_files_are_private(sqlite_program: Demo) -> None:
    home = sqlite_program.ctx.settings.home
    sqlite_program.login("tara")
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in home.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_program: Demo) -> None:
    with sqlite_program.ctx.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_opening_a_mistyped_home_creates_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "no-such-home")
    with pytest.raises(ServiceError, match="no supervise program in"):
        open_program(settings)
    assert not (tmp_path / "no-such-home").exists()


def test_an_unreachable_database_server_is_named_as_such(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2"
    settings = make_settings(tmp_path / "home", url)
    with pytest.raises(ServiceError, match="cannot reach the database"):
        open_program(settings)


def test_migration_0002_gives_existing_clients_a_uid_each(tmp_path: Path) -> None:
    from alembic import command

    from supervise.models.database import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}", create=True)
    config = Config()
    config.set_main_option("script_location", "supervise/migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text(
                "INSERT INTO account (id, username, full_name, created_at,"
                " password_hash, must_change_password, failed_logins,"
                " public_key, key_version, kek_salt, kek_params,"
                " wrapped_private_key, recovery_wrapped_key)"
                " VALUES (1, 'tara', '', '2026-01-01T00:00:00+00:00', '', 0, 0,"
                " x'00', 1, x'00', '', x'00', x'00')"
            )
        )
        for number in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO client (id, case_code, trainee_id, jurisdiction,"
                    " is_minor, identity_sealed, created_at) VALUES"
                    f" ({number}, 'C-{number}', 1, 'CA', 0, x'00',"
                    " '2026-01-01T00:00:00+00:00')"
                )
            )
        command.upgrade(config, "head")
        uids = [row[0] for row in conn.execute(text("SELECT uid FROM client"))]
    check_schema(engine)
    engine.dispose()
    assert len(uids) == 2 and len(set(uids)) == 2 and all(len(u) == 36 for u in uids)
