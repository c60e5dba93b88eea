"""The SSH inbox: a write-only SFTP (and SCP) folder for a trainee's recordings.

Each SFTP or SCP session of an authenticated account sees one flat folder,
`/`, its inbox. A new file written there goes through
`dropbox.UploadWriter`, encrypted as it arrives to the account's public key;
closing it cleanly stores it as a pending upload, and a dropped connection
aborts it with nothing kept. Listing shows the account's pending uploads
under neutral names (`upload-<id>`), never the real names, which are
sealed. Reading, removing, renaming, links, subfolders and paths outside
the inbox are refused with SFTP permission errors, audited.

Nothing here touches the server's own files: every `SFTPServer` method that
would reach the local file system is overridden.

asyncssh handles one SFTP request at a time per session, in the order they
arrived, so writes on a handle come in the client's order. Clients send them
at increasing offsets; a write that arrives ahead of a gap is held (within
`MAX_HELD_BYTES`) until the gap is filled, and a write behind what was
already encrypted is refused: an upload is written once, from start to end.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
import re
import stat
from collections.abc import AsyncIterator, Callable
from typing import Any, NoReturn

import asyncssh
from asyncssh import SFTPAttrs, SFTPName

from supervise._compat import channel_input_ended
from supervise.models.audit import Outcome
from supervise.models.database import session_scope
from supervise.services import audit, dropbox, dropbox_owner
from supervise.services.accounts import UserSession
from supervise.services.context import ProgramContext
from supervise.services.errors import PermissionDenied, ServiceError
from supervise.ssh.server import account_of_channel

log = logging.getLogger(__name__)

MAX_HELD_BYTES = 4 * 1024 * 1024
"""Bytes of out-of-order writes held in memory per file before refusing (one
write of asyncssh's largest size; OpenSSH's clients never need any)."""
_NEUTRAL = re.compile(rb"upload-(\d{1,12})")
_ROOT = b"/"
SftpFactory = Callable[[asyncssh.SSHServerChannel[Any]], asyncssh.SFTPServer]


def make_sftp_factory(ctx: ProgramContext) -> SftpFactory:
    """The `sftp_factory` for asyncssh: one inbox per SFTP or SCP session."""

    def factory(chan: asyncssh.SSHServerChannel[Any]) -> asyncssh.SFTPServer:
        return InboxServer(ctx, chan, account_of_channel(chan))

    return factory


def refuse(reason: str = "the inbox only takes new files") -> NoReturn:
    """Answer the client with a permission error."""
    raise asyncssh.SFTPPermissionDenied(reason)


def inbox_name(path: bytes) -> bytes | None:
    """The file name a path names in the inbox, None for the inbox itself.

    Raises:
        SFTPPermissionDenied: A subfolder, `..`, or anything outside.
    """
    parts = [p for p in path.split(b"/") if p not in (b"", b".")]
    if not parts:
        return None
    if len(parts) > 1 or parts[0] == b"..":
        refuse("the inbox has no folders")
    return parts[0]


class InboxFile:
    """One file being written into the inbox."""

    def __init__(self, writer: dropbox.UploadWriter) -> None:
        self.writer = writer
        self.received = 0
        """Bytes handed to the writer: the next offset expected."""
        self.held: dict[int, bytes] = {}
        self.held_bytes = 0

    def take(self, offset: int, data: bytes) -> list[bytes]:
        """Accept a write; return the pieces now due for encryption, in order.

        Raises:
            SFTPFailure: Behind what was written, overlapping, or too far ahead.
        """
        if offset < self.received or offset in self.held:
            raise asyncssh.SFTPFailure("the inbox takes each byte once, in order")
        if offset > self.received:
            if self.held_bytes + len(data) > MAX_HELD_BYTES:
                raise asyncssh.SFTPFailure("writes arrived too far out of order")
            self.held[offset] = data
            self.held_bytes += len(data)
            return []
        due = [data]
        self.received += len(data)
        while self.received in self.held:
            piece = self.held.pop(self.received)
            self.held_bytes -= len(piece)
            due.append(piece)
            self.received += len(piece)
        return due

    @property
    def complete(self) -> bool:
        """Whether every write was in place (no gap left)."""
        return not self.held


class InboxServer(asyncssh.SFTPServer):
    """The inbox of the account bound to the channel (none: everything refused)."""

    def __init__(
        self,
        ctx: ProgramContext,
        chan: asyncssh.SSHServerChannel[Any],
        account_id: int | None,
    ) -> None:
        super().__init__(chan)
        self.ctx = ctx
        self.account_id = account_id
        self._user: UserSession | None = None
        self._open: set[InboxFile] = set()

    # --- who and what ------------------------------------------------------

    async def _session(self) -> UserSession:
        if self.account_id is None:
            refuse("not logged in")
        if self._user is None:
            try:
                self._user = await asyncio.to_thread(
                    dropbox.inbox_user, self.ctx, self.account_id
                )
            except ServiceError:
                refuse("this account cannot use the inbox")
        return self._user

    async def _refused(self, what: str, reason: str = "") -> NoReturn:
        """Audit an access the inbox does not allow, then refuse it."""
        user = await self._session()
        await asyncio.to_thread(
            audit.record_alone,
            self.ctx,
            user.who,
            "inbox.refused",
            object_type="account",
            object_id=user.account_id,
            outcome=Outcome.DENIED,
            reason=what,
        )
        refuse(reason or f"the inbox does not allow this ({what})")

    async def _name(self, path: bytes) -> bytes | None:
        """As `inbox_name`, a path outside the inbox refused and audited."""
        try:
            return inbox_name(path)
        except asyncssh.SFTPPermissionDenied as exc:
            await self._refused("outside", str(exc.reason))

    def _uploads(self) -> list[tuple[int, int, int]]:
        """The account's pending uploads: id, size, received (epoch seconds)."""
        assert self.account_id is not None
        with session_scope(self.ctx.engine) as session:
            return [
                (row.id or 0, row.size_bytes, int(row.received_at.timestamp()))
                for row in dropbox_owner.pending_rows(session, self.account_id)
            ]

    # --- paths and attributes ------------------------------------------------

    def _folder_attrs(self) -> SFTPAttrs:
        return SFTPAttrs(
            type=asyncssh.FILEXFER_TYPE_DIRECTORY,
            permissions=stat.S_IFDIR | 0o300,
            nlink=2,
        )

    async def _attrs_of(self, path: bytes) -> SFTPAttrs:
        await self._session()
        name = await self._name(path)
        if name is None:
            return self._folder_attrs()
        match = _NEUTRAL.fullmatch(name)
        if match is not None:
            for upload_id, size, when in await asyncio.to_thread(self._uploads):
                if upload_id == int(match[1]):
                    return _file_attrs(size, when)
        raise asyncssh.SFTPNoSuchFile("no such file in the inbox")

    async def stat(self, path: bytes) -> SFTPAttrs:
        """The inbox itself, or one of its uploads by neutral name."""
        return await self._attrs_of(path)

    async def lstat(self, path: bytes) -> SFTPAttrs:
        """As `stat`: there are no links."""
        return await self._attrs_of(path)

    async def realpath(self, path: bytes) -> bytes:
        """Paths in the inbox, absolute (`/` is the inbox)."""
        await self._session()
        name = await self._name(path)
        return _ROOT if name is None else posixpath.join(_ROOT, name)

    async def setstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        """Accepted and ignored in the inbox: clients set times and modes
        (`scp -O -p` by the name it just wrote, which the inbox hides)."""
        await self._session()
        await self._name(path)

    async def lsetstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        """As `setstat`."""
        await self.setstat(path, attrs)

    def scandir(self, path: bytes) -> AsyncIterator[SFTPName]:
        """The inbox's uploads by neutral name; no other folder exists."""
        if self.account_id is None:
            refuse("not logged in")
        if inbox_name(path) is not None:
            raise asyncssh.SFTPNoSuchFile("the inbox has no folders")
        return self._listing()

    async def _listing(self) -> AsyncIterator[SFTPName]:
        await self._session()
        yield SFTPName(b".", attrs=self._folder_attrs())
        for upload_id, size, when in await asyncio.to_thread(self._uploads):
            yield SFTPName(
                f"upload-{upload_id}".encode(), attrs=_file_attrs(size, when)
            )

    # --- files ---------------------------------------------------------------

    async def open(self, path: bytes, pflags: int, attrs: SFTPAttrs) -> InboxFile:
        """A new upload; reading, appending or reopening one is refused."""
        user = await self._session()
        name = await self._name(path)
        if name is None:
            refuse("name a file to write in the inbox")
        if pflags & asyncssh.FXF_READ or not pflags & asyncssh.FXF_WRITE:
            await self._refused("read", "uploads cannot be read back over SSH")
        if not pflags & asyncssh.FXF_CREAT or _NEUTRAL.fullmatch(name):
            await self._refused("overwrite", "an upload cannot be changed")
        try:
            writer = await asyncio.to_thread(
                dropbox.UploadWriter.start, self.ctx, user, name
            )
        except dropbox.QuotaExceeded as exc:
            raise asyncssh.SFTPQuotaExceeded(str(exc)) from None
        except PermissionDenied:
            refuse("only trainees have an inbox")
        except ServiceError as exc:
            raise asyncssh.SFTPInvalidFilename(str(exc)) from None
        handle = InboxFile(writer)
        self._open.add(handle)
        return handle

    async def open56(
        self, path: bytes, desired_access: int, flags: int, attrs: SFTPAttrs
    ) -> InboxFile:
        """SFTP v5/v6 opens: only write-and-create is allowed."""
        disposition = flags & asyncssh.FXF_ACCESS_DISPOSITION
        reads = desired_access & asyncssh.ACE4_READ_DATA
        if reads or disposition not in (
            asyncssh.FXF_CREATE_NEW,
            asyncssh.FXF_CREATE_TRUNCATE,
        ):
            await self._refused("read", "the inbox only takes new files")
        pflags = asyncssh.FXF_WRITE | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC
        return await self.open(path, pflags, attrs)

    async def write(self, file_obj: object, offset: int, data: bytes) -> int:
        """Encrypt the bytes that are now in order."""
        handle = _handle(file_obj)
        due = handle.take(offset, data)
        if due:
            try:
                await asyncio.to_thread(_push, handle.writer, due)
            except dropbox.QuotaExceeded as exc:
                raise asyncssh.SFTPQuotaExceeded(str(exc)) from None
            except ServiceError as exc:
                raise asyncssh.SFTPFailure(str(exc)) from None
        return len(data)

    async def close(self, file_obj: object) -> None:
        """Finish the upload, or abort it if the connection is going away.

        asyncssh also calls this for files left open when a session ends; a
        file is finished only on the client's own close, while the channel
        is still open, with every write in place.
        """
        handle = _handle(file_obj)
        self._open.discard(handle)
        writer = handle.writer
        if writer.closed:
            return
        if channel_input_ended(self.channel) or not handle.complete:
            await asyncio.to_thread(writer.abort)
            return
        try:
            await asyncio.to_thread(writer.finish)
        except ServiceError as exc:
            raise asyncssh.SFTPFailure(str(exc)) from None

    async def fstat(self, file_obj: object) -> SFTPAttrs:
        """The size written so far."""
        handle = _handle(file_obj)
        return _file_attrs(handle.received, 0)

    async def fsetstat(self, file_obj: object, attrs: SFTPAttrs) -> None:
        """Accepted and ignored (times and modes mean nothing here)."""
        _handle(file_obj)

    async def fsync(self, file_obj: object) -> None:
        """Accepted: the upload is synced to disk when it is closed."""
        _handle(file_obj)

    async def exit(self) -> None:
        """Abort whatever the session left unfinished; report exit status 0.

        asyncssh closes an SFTP channel without an exit status, which OpenSSH
        `scp` counts as a failure even after a good transfer; sftp-server
        exits 0 there, and so do we. (SCP sessions have sent theirs already.)
        """
        for handle in list(self._open):
            await asyncio.to_thread(handle.writer.abort)
        self._open.clear()
        self.channel.exit(0)

    # --- refused ---------------------------------------------------------------

    async def read(self, file_obj: object, offset: int, size: int) -> bytes:
        """Refused: uploads are write-only."""
        await self._refused("read", "uploads cannot be read back over SSH")

    async def remove(self, path: bytes) -> None:
        """Refused: discard an upload in the app."""
        await self._refused("remove", "discard uploads in supervise, not over SSH")

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        """Refused."""
        await self._refused("rename")

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        """Refused."""
        await self._refused("rename")

    async def mkdir(self, path: bytes, attrs: SFTPAttrs) -> None:
        """Refused: the inbox has no folders."""
        await self._refused("mkdir", "the inbox has no folders")

    async def rmdir(self, path: bytes) -> None:
        """Refused."""
        await self._refused("rmdir", "the inbox has no folders")

    async def readlink(self, path: bytes) -> bytes:
        """Refused: there are no links."""
        await self._refused("link")

    async def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        """Refused."""
        await self._refused("link")

    async def link(self, oldpath: bytes, newpath: bytes) -> None:
        """Refused."""
        await self._refused("link")

    def statvfs(self, path: bytes) -> NoReturn:
        """Not offered (it would describe the server's disk)."""
        raise asyncssh.SFTPOpUnsupported("not offered by the inbox")

    def fstatvfs(self, file_obj: object) -> NoReturn:
        """Not offered."""
        raise asyncssh.SFTPOpUnsupported("not offered by the inbox")

    def lock(self, file_obj: object, offset: int, length: int, flags: int) -> NoReturn:
        """Not offered."""
        raise asyncssh.SFTPOpUnsupported("not offered by the inbox")

    def unlock(self, file_obj: object, offset: int, length: int) -> NoReturn:
        """Not offered."""
        raise asyncssh.SFTPOpUnsupported("not offered by the inbox")


def _handle(file_obj: object) -> InboxFile:
    if not isinstance(file_obj, InboxFile):
        raise asyncssh.SFTPInvalidHandle("not an inbox file")
    return file_obj


def _push(writer: dropbox.UploadWriter, pieces: list[bytes]) -> None:
    for piece in pieces:
        writer.write(piece)


def _file_attrs(size: int, when: int) -> SFTPAttrs:
    """An upload as listings show it: write-only, its size and arrival time."""
    return SFTPAttrs(
        type=asyncssh.FILEXFER_TYPE_REGULAR,
        size=size,
        permissions=stat.S_IFREG | 0o200,
        atime=when,
        mtime=when,
        nlink=1,
    )
