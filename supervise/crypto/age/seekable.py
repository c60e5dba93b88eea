"""Random access to an age payload in a seekable file.

The chunk layout follows from the payload's size, so any chunk can be read
and verified on its own. Opening a payload first verifies that its last
chunk is a valid final chunk, which the spec requires before seeking from
the end; that also authenticates the plaintext length before anything is
served. Every chunk is verified before its bytes are returned.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from supervise.crypto.age.errors import PayloadError
from supervise.crypto.age.filekey import FileKey
from supervise.crypto.age.iohelpers import read_full
from supervise.crypto.age.stream import (
    CHUNK_SIZE,
    SEALED_CHUNK_SIZE,
    TAG_SIZE,
    open_chunk,
    payload_cipher,
    read_nonce,
)


class SeekablePayload:
    """A payload whose chunks are read on demand from a seekable file.

    The file must stay open and unchanged while this object is used.
    """

    def __init__(self, source: BinaryIO, file_key: FileKey, *, offset: int = 0) -> None:
        """Open the payload that starts at `offset` and runs to the end of `source`.

        Args:
            source: A seekable binary file.
            file_key: The file's key.
            offset: Where the payload's nonce starts (the header length for a
                complete age file, 0 for a detached payload).

        Raises:
            PayloadError: The payload is truncated, or its final chunk does not
                verify.
        """
        self._source = source
        source.seek(offset)
        nonce = read_nonce(source)
        if nonce is None:
            raise PayloadError("The payload is truncated: it ends inside its nonce.")
        self._cipher = payload_cipher(file_key, nonce)
        self._start = source.tell()
        sealed_size = source.seek(0, os.SEEK_END) - self._start
        self._count = _chunk_count(sealed_size)
        last = self.read_chunk(self._count - 1)
        self._length = (self._count - 1) * CHUNK_SIZE + len(last)

    @property
    def plaintext_length(self) -> int:
        """The plaintext length, authenticated by the final chunk."""
        return self._length

    @property
    def chunk_count(self) -> int:
        """How many chunks the payload holds (at least one)."""
        return self._count

    def read_chunk(self, index: int) -> bytes:
        """The verified plaintext of chunk `index`.

        Raises:
            IndexError: There is no such chunk.
            PayloadError: The chunk does not authenticate at its position.
        """
        if not 0 <= index < self._count:
            raise IndexError("There is no such chunk in the payload.")
        self._source.seek(self._start + index * SEALED_CHUNK_SIZE)
        sealed = read_full(self._source, SEALED_CHUNK_SIZE)
        final = index == self._count - 1
        plaintext = open_chunk(self._cipher, index, sealed, final=final)
        if plaintext is None:
            raise PayloadError(
                "A payload chunk failed authentication: the file is damaged, "
                "truncated or altered."
            )
        return plaintext

    def read(self, start: int, size: int) -> bytes:
        """The plaintext bytes `start` to `start + size`, cut at the end.

        Raises:
            ValueError: `start` or `size` is negative, or `start` is past the end.
            PayloadError: A chunk in the range does not authenticate.
        """
        if start < 0 or size < 0 or start > self._length:
            raise ValueError("The range lies outside the payload.")
        end = min(start + size, self._length)
        if end <= start:
            return b""
        parts = []
        for index in range(start // CHUNK_SIZE, -(-end // CHUNK_SIZE)):
            chunk_start = index * CHUNK_SIZE
            chunk = self.read_chunk(index)
            parts.append(chunk[max(start - chunk_start, 0) : end - chunk_start])
        return b"".join(parts)


def _chunk_count(sealed_size: int) -> int:
    """How many chunks the bytes after the nonce hold, if the layout is possible.

    Raises:
        PayloadError: No chunk fits, or the last one is impossible.
    """
    if sealed_size <= 0:
        raise PayloadError("The payload is truncated: it holds no chunks.")
    count = -(-sealed_size // SEALED_CHUNK_SIZE)
    last_size = sealed_size - (count - 1) * SEALED_CHUNK_SIZE
    if last_size < TAG_SIZE:
        raise PayloadError("The payload is truncated: its last chunk is cut short.")
    if last_size == TAG_SIZE and count > 1:
        raise PayloadError("The payload ends with an empty chunk, which is invalid.")
    return count


def payload_length(source: BinaryIO, file_key: FileKey, *, offset: int = 0) -> int:
    """The verified plaintext length of the payload at `offset` in `source`.

    Raises:
        PayloadError: The payload is truncated or its final chunk is invalid.
    """
    return SeekablePayload(source, file_key, offset=offset).plaintext_length
