"""Small I/O pieces shared by the age modules: stream protocols and exact reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from supervise.crypto.age.errors import Cancelled

Progress = Callable[[int], None]
"""Called with the number of plaintext bytes handled so far."""

CancelCheck = Callable[[], bool]
"""Returns True when the caller wants the work to stop."""


class Readable(Protocol):
    """Anything with a binary `read`, such as an open file or `io.BytesIO`."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to `size` bytes; an empty result means end of file."""
        ...


class Writable(Protocol):
    """Anything with a binary `write`."""

    def write(self, data: bytes, /) -> object:
        """Write all of `data`."""
        ...


def read_full(reader: Readable, size: int) -> bytes:
    """Read exactly `size` bytes, or fewer only at end of file."""
    parts: list[bytes] = []
    missing = size
    while missing > 0:
        part = reader.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def check_cancel(should_cancel: CancelCheck | None) -> None:
    """Raise `Cancelled` if the caller asked to stop."""
    if should_cancel is not None and should_cancel():
        raise Cancelled("The operation was cancelled.")


class PrefixedReader:
    """A reader that first returns some bytes already read, then the rest."""

    def __init__(self, prefix: bytes, rest: Readable) -> None:
        """Serve `prefix` before reading on from `rest`."""
        self._prefix = prefix
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        """Read up to `size` bytes (all that remain if `size` is negative)."""
        if not self._prefix:
            return self._rest.read(size)
        if size < 0:
            data, self._prefix = self._prefix + self._rest.read(), b""
            return data
        data, self._prefix = self._prefix[:size], self._prefix[size:]
        return data
