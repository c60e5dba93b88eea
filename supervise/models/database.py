"""The database engine, its sessions, and the schema version check.

The engine is made from a URL passed in, never at import time. SQLite files
run in WAL mode with foreign keys on, a busy timeout and `secure_delete`, so
that deleted key material is overwritten in the file. Engines hide statement
parameters from their error messages, so that a failed write cannot carry a
name into a log file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

SCHEMA_REVISIONS = ("0001", "0002", "0003", "0004", "0005")
"""Every migration this code knows, oldest first; the last is the head."""

BUSY_TIMEOUT_MS = 10_000


class SchemaError(RuntimeError):
    """The database's schema is missing, older or newer than this code."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str, *, create: bool = False) -> Engine:
    """Create the engine for a database URL (SQLite file or PostgreSQL).

    Args:
        url: The SQLAlchemy URL; plain `postgresql://` means psycopg 3.
        create: Create a missing SQLite file (0600, in a 0700 folder) now,
            rather than leave it to SQLite with the process's umask.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if create and path and path != ":memory:":
            _create_private_file(Path(path))
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _create_private_file(path: Path) -> None:
    """Make the SQLite file (and its WAL companions' folder) private to us."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One short session: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database.

    Raises:
        SchemaError: The database cannot be reached or read.
    """
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise SchemaError(f"cannot reach the database: {reason}") from None
    return None if row is None else str(row[0])


def check_schema(engine: Engine) -> None:
    """Refuse to run against a database this code does not fit.

    Raises:
        SchemaError: With a message saying what to do.
    """
    revision = current_revision(engine)
    if revision is None:
        raise SchemaError(
            "no supervise program here: run `supervise init` first "
            "(or pass --home to the folder of an existing program)"
        )
    if revision == SCHEMA_REVISIONS[-1]:
        return
    if revision in SCHEMA_REVISIONS:
        raise SchemaError(
            f"the database schema ({revision}) is older than this version of "
            "supervise: back it up, then run `supervise migrate`"
        )
    raise SchemaError(
        f"the database schema ({revision}) is newer than this version of "
        "supervise knows: upgrade supervise before using this program"
    )


def migrate(engine: Engine) -> None:
    """Bring the schema up to this code's head revision with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(Path(__file__).resolve().parent.parent / "migrations")
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("schema at revision %s", SCHEMA_REVISIONS[-1])
