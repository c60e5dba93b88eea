"""The blob store: encrypted recording payloads in files with random names.

A payload is written to `tmp/<uid>~<name>.part` while the writer holds an
exclusive `flock` on it, flushed and synced, and renamed into place
(`<name[:2]>/<name>`) only after the database row that names it has
committed. The lock tells a later start which temporary files are orphans:
a lock that can be taken belongs to a process that is gone. Such a file is
rolled forward if its row committed, and removed otherwise (see
`BlobStore.orphans`).

Nothing here knows what a payload holds; the names carry no clinical data.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

_NAME = re.compile(r"[0-9a-f]{32}")
_TEMP = re.compile(
    r"(?P<uid>[A-Za-z0-9][A-Za-z0-9._-]{0,63})~(?P<name>[0-9a-f]{32})\.part"
)


class BlobStoreError(Exception):
    """The blob store cannot be used as asked."""


def new_blob_name() -> str:
    """A fresh random blob name (128 bits, hex)."""
    return secrets.token_hex(16)


def _check_name(name: str) -> str:
    if _NAME.fullmatch(name) is None:
        raise BlobStoreError("a blob name is 32 hexadecimal digits")
    return name


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Orphan:
    """A temporary payload whose writer is gone."""

    uid: str
    name: str
    path: Path


class BackgroundSync:
    """Syncs a file being written, every so often, from a second thread.

    The final `fsync` then finds little left to write, so the disk works
    while the CPU encrypts instead of after it. `fdatasync` releases the
    GIL, and syncing a file that is still being appended to is safe.
    """

    INTERVAL = 0.25
    """Seconds between syncs."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="supervise-sync", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            try:
                os.fdatasync(self._fd)
            except OSError:
                return  # the final fsync reports any real problem

    def stop(self) -> None:
        """Stop syncing (before the final fsync, or when the file is closed)."""
        self._stop.set()
        self._thread.join()


class PendingBlob:
    """A payload being written: a locked temporary file, not yet in place."""

    def __init__(self, store: BlobStore, uid: str, name: str) -> None:
        self._store = store
        self.uid = uid
        self.name = _check_name(name)
        self.path = store.temp_folder / f"{uid}~{name}.part"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.file: BinaryIO = os.fdopen(fd, "wb", buffering=1024 * 1024)
        self._sync = BackgroundSync(fd)
        self._placed = False
        self.committed = False
        """Set once the row naming this payload has committed: from then on
        the file is never deleted, only placed (now, or by a later start)."""

    def seal(self) -> int:
        """Flush and sync the written bytes to disk; return the file's size.

        The file stays open (and locked) until `place` or `discard`.
        """
        self.file.flush()
        self._sync.stop()
        os.fsync(self.file.fileno())
        return os.fstat(self.file.fileno()).st_size

    def place(self) -> Path:
        """Rename the synced file to its final name, then release the lock."""
        final = self._store.path_of(self.name)
        final.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(self.path, final)
        _sync_folder(final.parent)
        _sync_folder(self.path.parent)
        self._placed = True
        self.file.close()
        return final

    def discard(self) -> None:
        """Remove the temporary file (a failed or cancelled write).

        A committed payload that could not be placed is kept, and its lock
        released, for `BlobStore.orphans` to roll forward.
        """
        self._sync.stop()
        if self._placed:
            return
        if self.committed:
            self.file.close()
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.file.close()


class BlobStore:
    """The folder of payloads, with `tmp/` for writes in progress."""

    def __init__(self, folder: Path) -> None:
        """Use `folder`, creating it (and `tmp/`) private if missing."""
        self.folder = Path(folder)
        self.temp_folder = self.folder / "tmp"
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.temp_folder.mkdir(mode=0o700, exist_ok=True)

    def path_of(self, name: str) -> Path:
        """Where the payload called `name` lives."""
        name = _check_name(name)
        return self.folder / name[:2] / name

    @contextlib.contextmanager
    def writing(self, uid: str) -> Iterator[PendingBlob]:
        """A new locked temporary payload; discarded unless placed in the block."""
        pending = PendingBlob(self, uid, new_blob_name())
        try:
            yield pending
        finally:
            pending.discard()

    def open(self, name: str) -> BinaryIO:
        """Open a payload for reading.

        Raises:
            BlobStoreError: The payload is missing.
        """
        try:
            return self.path_of(name).open("rb")
        except FileNotFoundError:
            raise BlobStoreError(
                "the recording's encrypted payload is missing"
            ) from None

    def size(self, name: str) -> int | None:
        """A payload's size in bytes, or None if it is missing."""
        try:
            return self.path_of(name).stat().st_size
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> bool:
        """Delete a payload and sync its folder; True if there was one."""
        path = self.path_of(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _sync_folder(path.parent)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only if no other payload shares the folder
        return True

    def orphans(self) -> Iterator[Orphan]:
        """Temporary payloads whose writing process has gone.

        Each is yielded while this process holds its lock, so no other
        cleaner acts on it at the same time; the caller rolls it forward with
        `adopt` or drops it with `drop` before asking for the next.
        """
        for path in sorted(self.temp_folder.iterdir()):
            match = _TEMP.fullmatch(path.name)
            if match is None:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its writer is still at work
                if path.exists():
                    yield Orphan(match["uid"], match["name"], path)
            finally:
                os.close(fd)

    def adopt(self, orphan: Orphan) -> None:
        """Finish an orphan's rename: its row committed before its writer died."""
        final = self.path_of(orphan.name)
        final.parent.mkdir(mode=0o700, exist_ok=True)
        with open(orphan.path, "rb") as source:
            os.fsync(source.fileno())
        os.replace(orphan.path, final)
        _sync_folder(final.parent)
        log.info("blob store: completed an interrupted write")

    def drop(self, orphan: Orphan) -> None:
        """Delete an orphan whose row never committed."""
        with contextlib.suppress(FileNotFoundError):
            orphan.path.unlink()
        log.info("blob store: removed an interrupted write")
