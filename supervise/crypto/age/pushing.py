"""An age payload written as data arrives, and one read back like a file.

`PayloadSealer` is the push side of the STREAM: the caller hands it bytes
as they come (from a network upload, say) and it writes each 64 KiB chunk
sealed as soon as it knows the chunk is not the last one. At most one
chunk of plaintext is held, in memory; nothing is written unsealed.

`PayloadReader` is the pull side for a seekable payload: a read-only,
seekable binary file whose bytes are verified plaintext, one chunk decrypted
at a time, for code that wants a file object (media probing, an import).
"""

from __future__ import annotations

import errno
import io
import os
from typing import BinaryIO

from supervise.crypto.age.errors import PayloadError
from supervise.crypto.age.filekey import FileKey
from supervise.crypto.age.iohelpers import Writable
from supervise.crypto.age.seekable import SeekablePayload
from supervise.crypto.age.stream import (
    CHUNK_SIZE,
    NONCE_SIZE,
    chunk_nonce,
    payload_cipher,
)


class PayloadSealer:
    """Encrypts a payload pushed in pieces of any size, in order."""

    def __init__(self, writer: Writable, file_key: FileKey) -> None:
        """Start a payload: its random nonce goes to `writer` at once."""
        nonce = os.urandom(NONCE_SIZE)
        writer.write(nonce)
        self._writer = writer
        self._cipher = payload_cipher(file_key, nonce)
        self._pending = bytearray()
        self._counter = 0
        self._finished = False
        self.length = 0
        """Plaintext bytes taken so far."""

    def push(self, data: bytes) -> None:
        """Take the next bytes; seal every chunk known not to be the last.

        A full chunk is held until at least one more byte arrives, because
        a payload whose length is a multiple of 64 KiB ends with a full
        final chunk.

        Raises:
            ValueError: The payload was already finished.
        """
        if self._finished:
            raise ValueError("The payload is already finished.")
        self._pending += data
        self.length += len(data)
        while len(self._pending) > CHUNK_SIZE:
            self._seal(bytes(self._pending[:CHUNK_SIZE]), final=False)
            del self._pending[:CHUNK_SIZE]

    def finish(self) -> int:
        """Seal the final chunk (empty only for an empty payload).

        Returns:
            The plaintext length.
        """
        if not self._finished:
            self._seal(bytes(self._pending), final=True)
            self._pending.clear()
            self._finished = True
        return self.length

    def drop(self) -> None:
        """Forget the plaintext still held (an abandoned payload)."""
        self._pending.clear()
        self._finished = True

    def _seal(self, chunk: bytes, *, final: bool) -> None:
        nonce = chunk_nonce(self._counter, final=final)
        self._writer.write(self._cipher.encrypt(nonce, chunk, None))
        self._counter += 1


class PayloadReader(io.RawIOBase):
    """The verified plaintext of a payload, as a read-only seekable file.

    Reading a damaged chunk raises `OSError` (EIO), as a failing disk would,
    so that callers written for files report it as an unreadable file.
    """

    def __init__(
        self, payload: SeekablePayload, *, source: BinaryIO | None = None
    ) -> None:
        """Serve `payload`, whose source file must stay open while in use;
        when that file is given as `source`, closing this reader closes it."""
        super().__init__()
        self._payload = payload
        self._source = source
        self._position = 0
        self._index = -1
        self._chunk = b""

    @property
    def size(self) -> int:
        """The plaintext length, authenticated by the final chunk."""
        return self._payload.plaintext_length

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Always seekable."""
        return True

    def tell(self) -> int:
        """The current position in the plaintext."""
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move within the plaintext, as a file does."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}
        if whence not in base:
            raise ValueError("whence is SEEK_SET, SEEK_CUR or SEEK_END")
        position = base[whence] + offset
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill `buffer` from the current chunk; 0 at the end."""
        if self._position >= self.size:
            return 0
        index, start = divmod(self._position, CHUNK_SIZE)
        chunk = self._chunk_at(index)
        data = chunk[start : start + len(buffer)]
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _chunk_at(self, index: int) -> bytes:
        if index != self._index:
            try:
                self._chunk = self._payload.read_chunk(index)
            except PayloadError as exc:
                raise OSError(errno.EIO, str(exc)) from None
            self._index = index
        return self._chunk

    def close(self) -> None:
        """Forget the plaintext held."""
        self._chunk = b""
        self._index = -1
        if self._source is not None:
            self._source.close()
        super().close()
