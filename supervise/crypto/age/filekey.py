"""The per-file key of an age file and the HKDF derivations made from it."""

from __future__ import annotations

import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FILE_KEY_SIZE = 16


def hkdf_sha256(ikm: bytes, *, salt: bytes, info: bytes) -> bytes:
    """A 32-byte HKDF-SHA-256 output.

    Args:
        ikm: Input keying material.
        salt: The salt (may be empty).
        info: The context string.

    Returns:
        32 bytes of derived key.
    """
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info)
    return kdf.derive(ikm)


class FileKey:
    """The 16 random bytes that every key of one age file is derived from.

    The bytes never appear in `repr`, so a traceback or log line cannot leak
    them; use `secret_bytes()` where the raw key is truly needed.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        """Wrap existing key bytes.

        Args:
            secret: Exactly 16 bytes.

        Raises:
            ValueError: The length is wrong.
        """
        if len(secret) != FILE_KEY_SIZE:
            raise ValueError("An age file key is 16 bytes long.")
        self._secret = bytes(secret)

    @classmethod
    def generate(cls) -> FileKey:
        """A fresh file key from the operating system's CSPRNG."""
        return cls(os.urandom(FILE_KEY_SIZE))

    def secret_bytes(self) -> bytes:
        """The raw key bytes (keep them out of logs and messages)."""
        return self._secret

    def derive(self, *, salt: bytes, info: bytes) -> bytes:
        """A 32-byte key derived from this file key with HKDF-SHA-256."""
        return hkdf_sha256(self._secret, salt=salt, info=info)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileKey):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "FileKey(<hidden>)"
