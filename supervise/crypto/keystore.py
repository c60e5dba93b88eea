"""The keystore: a small SQLite file holding each object's sealed `S_retain`.

It is deliberately not a table in the main database. Shredding a recording or
a client record means destroying its `S_retain`, and that has to be final: in
a file of its own the row can be deleted with `secure_delete` and the
write-ahead log truncated, without touching the main database, its
migrations, or PostgreSQL when that is the main engine. The file also gets
its own backup channel with a shorter retention than the main backups: once
the keystore copies older than a shred have expired, nothing anywhere can
rebuild the shredded object's identity. Its rows are useless without the host
keystore key, which lives in the host secrets file.

The file is created 0600 inside a 0700 folder. Every call opens its own
connection, so threads and processes may share a keystore; writes take the
write lock up front and wait on a busy timeout. Losing this file loses every
recording, so commits are fully synced.

What SQLite cannot promise: copies the storage device or the file system keep
of earlier blocks, and backups already taken.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from supervise.crypto.sealing import ObjectKind, check_uid

logger = logging.getLogger(__name__)

_CHECKPOINT_RETRY = 0.005
"""Seconds between checkpoint attempts while another connection runs one."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS retained_secret (
    kind TEXT NOT NULL,
    uid TEXT NOT NULL,
    sealed BLOB NOT NULL,
    key_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID
"""


class KeystoreError(Exception):
    """The keystore cannot be used, or an operation on it was refused."""


class Keystore:
    """The keystore database at one path."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        """Open the keystore, creating its folder, file and table if needed.

        Args:
            path: The SQLite file; its folder is the keystore's own.
            busy_timeout: Seconds to wait for another writer.

        Raises:
            KeystoreError: The folder or file is open to other users, or the
                database cannot use a write-ahead log.
        """
        self._path = Path(path)
        self._timeout = busy_timeout
        self._closed = False
        _prepare_folder(self._path.parent)
        _prepare_file(self._path)
        with self._connect() as conn:
            _initialise(conn)

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self._path

    def put(
        self, kind: ObjectKind, uid: str, sealed: bytes, *, key_version: int = 1
    ) -> None:
        """Store a new object's sealed `S_retain`.

        Raises:
            KeystoreError: The object has a row already (use `replace`).
            ValueError: The kind or uid is malformed, or `sealed` is empty.
        """
        row = _row(kind, uid, sealed, key_version)
        with self._connect() as conn, _transaction(conn):
            try:
                conn.execute("INSERT INTO retained_secret VALUES (?, ?, ?, ?, ?)", row)
            except sqlite3.IntegrityError:
                raise KeystoreError(
                    f"the keystore already holds {row[0]} {row[1]}"
                ) from None

    def replace(
        self, kind: ObjectKind, uid: str, sealed: bytes, *, key_version: int = 1
    ) -> None:
        """Swap an object's sealed `S_retain` (a hard revoke) and scrub the old.

        Raises:
            KeystoreError: The object has no row, or the old bytes could not
                be cleared from the write-ahead log yet (call `destroy` or
                `replace` again).
            ValueError: The kind or uid is malformed, or `sealed` is empty.
        """
        kind_text, uid, sealed, version, created = _row(kind, uid, sealed, key_version)
        with self._connect() as conn:
            with _transaction(conn):
                changed = conn.execute(
                    "UPDATE retained_secret SET sealed = ?, key_version = ?,"
                    " created_at = ? WHERE kind = ? AND uid = ?",
                    (sealed, version, created, kind_text, uid),
                ).rowcount
            if changed != 1:
                raise KeystoreError(f"the keystore holds no {kind_text} {uid}")
            _scrub(conn, self._timeout)

    def get(self, kind: ObjectKind, uid: str) -> bytes | None:
        """The sealed `S_retain` of an object, or None if it has none (shredded)."""
        key = (ObjectKind(kind).value, check_uid(uid))
        with self._connect() as conn:
            found = conn.execute(
                "SELECT sealed FROM retained_secret WHERE kind = ? AND uid = ?", key
            ).fetchone()
        return None if found is None else bytes(found[0])

    def destroy(self, kind: ObjectKind, uid: str) -> bool:
        """Delete an object's row and scrub its bytes from the database files.

        Safe to repeat: a second call finds no row but scrubs again, which
        completes a scrub that an earlier call could not finish.

        Returns:
            Whether a row was deleted.

        Raises:
            KeystoreError: The write-ahead log could not be truncated yet
                because other connections were busy; call again.
        """
        key = (ObjectKind(kind).value, check_uid(uid))
        with self._connect() as conn:
            with _transaction(conn):
                deleted = conn.execute(
                    "DELETE FROM retained_secret WHERE kind = ? AND uid = ?", key
                ).rowcount
            _scrub(conn, self._timeout)
        if deleted:
            logger.info("keystore: destroyed %s %s", *key)
        return deleted == 1

    def close(self) -> None:
        """Refuse further calls (each call's connection is already closed)."""
        self._closed = True

    def __enter__(self) -> Keystore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Keystore({str(self._path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise KeystoreError("the keystore is closed")
        conn = sqlite3.connect(self._path, timeout=self._timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            yield conn
        finally:
            conn.close()


def _row(
    kind: ObjectKind, uid: str, sealed: bytes, key_version: int
) -> tuple[str, str, bytes, int, str]:
    if not sealed:
        raise ValueError("A keystore entry cannot be empty.")
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return ObjectKind(kind).value, check_uid(uid), bytes(sealed), key_version, created


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that holds the write lock from its start."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _scrub(conn: sqlite3.Connection, timeout: float) -> None:
    """Push deleted bytes out of free pages and the write-ahead log.

    `secure_delete` has already zeroed the deleted cells in the new page
    images; the vacuum returns free pages to the file system, and the
    checkpoint copies the zeroed pages into the main file and truncates the
    log that still held the old images. A checkpoint reports busy at once
    while another connection runs one, so it is retried until `timeout`.
    """
    conn.execute("PRAGMA incremental_vacuum").fetchall()
    deadline = time.monotonic() + timeout
    while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
        if time.monotonic() >= deadline:
            raise KeystoreError(
                "the keystore's write-ahead log is in use and could not be cleared yet"
            )
        time.sleep(_CHECKPOINT_RETRY)


def _initialise(conn: sqlite3.Connection) -> None:
    # auto_vacuum only takes effect before the first table is created.
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise KeystoreError("the keystore cannot use a write-ahead log")
    conn.execute(_SCHEMA)


def _prepare_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        raise KeystoreError(
            f"the keystore folder {folder} is open to other users "
            f"(mode {mode:o}); it must be 0700"
        )


def _prepare_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise KeystoreError(
            f"cannot open the keystore {path}: {exc.strerror}"
        ) from None
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
    if mode & 0o077:
        raise KeystoreError(
            f"the keystore {path} is open to other users (mode {mode:o}); "
            "it must be 0600"
        )
