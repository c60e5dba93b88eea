"""The keystore database: permissions, rows, concurrency and scrubbing.

The scrub tests read the raw SQLite files (main, `-wal`, `-shm`) and look for
the destroyed bytes themselves, the way someone holding the disk would.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from supervise.crypto.keystore import Keystore, KeystoreError
from supervise.crypto.sealing import ObjectKind, new_secret, seal_retain

REC = ObjectKind.RECORDING
KEY = bytes(range(32))


def _sealed(uid: str) -> bytes:
    return seal_retain(new_secret(), KEY, REC, uid)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _raw_files(path: Path) -> list[Path]:
    candidates = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return [candidate for candidate in candidates if candidate.exists()]


def _found_on_disk(path: Path, needle: bytes) -> bool:
    return any(needle in file.read_bytes() for file in _raw_files(path))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "keystore" / "keystore.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[Keystore]:
    with Keystore(store_path) as keystore:
        yield keystore


@pytest.fixture
def idle_reader(store: Keystore) -> Iterator[sqlite3.Connection]:
    """Another connection left open, so the write-ahead log files stay."""
    conn = sqlite3.connect(store.path)
    conn.execute("SELECT count(*) FROM retained_secret").fetchall()
    yield conn
    conn.close()


def test_the_keystore_file_is_0600_in_a_0700_folder(
    store: Keystore, idle_reader: sqlite3.Connection
) -> None:
    store.put(REC, "r1", _sealed("r1"))
    assert _mode(store.path.parent) == 0o700
    files = _raw_files(store.path)
    assert len(files) == 3
    assert all(_mode(file) == 0o600 for file in files)


def test_the_keystore_uses_wal_incremental_vacuum_and_one_table(
    store: Keystore,
) -> None:
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        assert [row[0] for row in tables] == ["retained_secret"]
    finally:
        conn.close()


def test_a_folder_open_to_other_users_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(KeystoreError, match="0700"):
        Keystore(folder / "keystore.sqlite3")


def test_a_file_open_to_other_users_is_refused(store_path: Path) -> None:
    store_path.parent.mkdir(mode=0o700)
    store_path.touch(mode=0o644)
    store_path.chmod(0o644)
    with pytest.raises(KeystoreError, match="0600"):
        Keystore(store_path)


def test_a_row_is_stored_read_and_destroyed(store: Keystore) -> None:
    sealed = _sealed("r1")
    store.put(REC, "r1", sealed)
    assert store.get(REC, "r1") == sealed
    assert store.get(ObjectKind.CLIENT, "r1") is None
    assert store.destroy(REC, "r1") is True
    assert store.get(REC, "r1") is None
    assert store.destroy(REC, "r1") is False


def test_a_second_put_for_one_object_is_refused(store: Keystore) -> None:
    first = _sealed("r1")
    store.put(REC, "r1", first)
    with pytest.raises(KeystoreError):
        store.put(REC, "r1", _sealed("r1"))
    assert store.get(REC, "r1") == first


def test_replace_needs_an_existing_row(store: Keystore) -> None:
    with pytest.raises(KeystoreError):
        store.replace(REC, "r1", _sealed("r1"))
    assert store.get(REC, "r1") is None


def test_a_reopened_keystore_keeps_its_rows(store_path: Path) -> None:
    sealed = _sealed("r1")
    with Keystore(store_path) as first:
        first.put(REC, "r1", sealed)
    with Keystore(store_path) as second:
        assert second.get(REC, "r1") == sealed


def test_a_closed_keystore_refuses_calls(store_path: Path) -> None:
    with Keystore(store_path) as keystore:
        pass
    with pytest.raises(KeystoreError):
        keystore.get(REC, "r1")


def test_a_malformed_uid_is_refused(store: Keystore) -> None:
    with pytest.raises(ValueError):
        store.put(REC, "a b", _sealed("r1"))


def _fill(store: Keystore, count: int) -> dict[str, bytes]:
    rows = {f"r{index}": _sealed(f"r{index}") for index in range(count)}
    for uid, sealed in rows.items():
        store.put(REC, uid, sealed)
    return rows


def test_destroyed_bytes_are_gone_from_every_keystore_file(
    store: Keystore, idle_reader: sqlite3.Connection
) -> None:
    rows = _fill(store, 60)
    assert _found_on_disk(store.path, rows["r30"])
    assert store.destroy(REC, "r30")
    assert len(_raw_files(store.path)) == 3
    assert not _found_on_disk(store.path, rows["r30"])
    assert all(_found_on_disk(store.path, rows[uid]) for uid in ("r0", "r59"))


def test_destroying_every_row_leaves_none_of_their_bytes(store: Keystore) -> None:
    rows = _fill(store, 30)
    for uid in rows:
        store.destroy(REC, uid)
    assert not any(_found_on_disk(store.path, sealed) for sealed in rows.values())


def test_a_replaced_row_leaves_none_of_its_old_bytes(
    store: Keystore, idle_reader: sqlite3.Connection
) -> None:
    old, new = _sealed("r1"), _sealed("r1")
    store.put(REC, "r1", old)
    store.replace(REC, "r1", new, key_version=2)
    assert store.get(REC, "r1") == new
    assert not _found_on_disk(store.path, old)
    assert _found_on_disk(store.path, new)


def test_concurrent_puts_from_several_threads_all_land(store_path: Path) -> None:
    stores = [Keystore(store_path) for _ in range(2)]
    jobs = [
        (stores[index % 2], f"t{index}", _sealed(f"t{index}")) for index in range(48)
    ]

    def put(job: tuple[Keystore, str, bytes]) -> None:
        job[0].put(REC, job[1], job[2])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, jobs))
    for _, uid, sealed in jobs:
        assert stores[0].get(REC, uid) == sealed


_WRITER = """
import sys
from pathlib import Path
from supervise.crypto.keystore import Keystore
from supervise.crypto.sealing import ObjectKind
store = Keystore(Path(sys.argv[1]))
for index in range(12):
    uid = f"{sys.argv[2]}-{index}"
    store.put(ObjectKind.RECORDING, uid, uid.encode() * 4)
"""


def test_concurrent_puts_from_several_processes_all_land(store: Keystore) -> None:
    names = ["p0", "p1", "p2"]
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(store.path), name])
        for name in names
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    for name in names:
        for index in range(12):
            uid = f"{name}-{index}"
            assert store.get(REC, uid) == uid.encode() * 4


def test_concurrent_destroys_and_reads_leave_no_destroyed_bytes(
    store: Keystore,
) -> None:
    rows = _fill(store, 24)
    victims = set(list(rows)[::2])

    def touch(uid: str) -> bool:
        if uid in victims:
            return store.destroy(REC, uid)
        return store.get(REC, uid) == rows[uid]

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert all(pool.map(touch, rows))
    assert not any(_found_on_disk(store.path, rows[uid]) for uid in victims)
    assert all(store.get(REC, uid) == rows[uid] for uid in rows if uid not in victims)


def test_the_keystore_repr_shows_only_its_path(store: Keystore) -> None:
    assert repr(store) == f"Keystore({str(store.path)!r})"
    assert os.fspath(store.path) in repr(store)
