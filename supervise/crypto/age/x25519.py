"""X25519 recipients and identities, and the stanzas that carry a file key.

A recipient wraps a file key for one public key: a fresh ephemeral key pair,
an X25519 exchange, HKDF-SHA-256 (salt = ephemeral share || recipient,
info `age-encryption.org/v1/X25519`) and ChaCha20-Poly1305 under a zero nonce.
An identity unwraps it again. Identities skip stanzas of other types but
refuse malformed X25519 stanzas, checking every length before any decryption.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from supervise.crypto.age import bech32
from supervise.crypto.age.b64 import decode_canonical, encode_unpadded
from supervise.crypto.age.errors import HeaderError, KeyFormatError
from supervise.crypto.age.filekey import FILE_KEY_SIZE, FileKey, hkdf_sha256
from supervise.crypto.age.header import Stanza

STANZA_TYPE = "X25519"
RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
KEY_SIZE = 32
WRAPPED_SIZE = FILE_KEY_SIZE + 16
_WRAP_INFO = b"age-encryption.org/v1/X25519"
_ZERO_NONCE = bytes(12)


def _shared_secret(private: X25519PrivateKey, public: bytes) -> bytes:
    """The X25519 shared secret, refusing the all-zero result of a bad point."""
    try:
        secret = private.exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:
        secret = bytes(KEY_SIZE)
    if secret == bytes(KEY_SIZE):
        raise HeaderError("An X25519 stanza uses a low-order key share.")
    return secret


def _wrap_key(secret: bytes, share: bytes, recipient: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(
        hkdf_sha256(secret, salt=share + recipient, info=_WRAP_INFO)
    )


class X25519Recipient:
    """The public half: files encrypted to it open with the matching identity."""

    __slots__ = ("_public",)

    def __init__(self, public_key: bytes) -> None:
        """Wrap a raw 32-byte X25519 public key.

        Raises:
            KeyFormatError: The key is not 32 bytes.
        """
        if len(public_key) != KEY_SIZE:
            raise KeyFormatError("An X25519 public key is 32 bytes long.")
        self._public = bytes(public_key)

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        """Read an `age1...` recipient string.

        Raises:
            KeyFormatError: The string is not an age X25519 recipient.
        """
        return cls(bech32.decode(text, RECIPIENT_HRP))

    def public_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        return self._public

    def wrap(self, file_key: FileKey) -> Stanza:
        """An `X25519` stanza that carries `file_key` to this recipient.

        Raises:
            KeyFormatError: The public key is a low-order point.
        """
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        try:
            secret = _shared_secret(ephemeral, self._public)
        except HeaderError:
            raise KeyFormatError("This recipient key cannot be used.") from None
        aead = _wrap_key(secret, share, self._public)
        body = aead.encrypt(_ZERO_NONCE, file_key.secret_bytes(), None)
        return Stanza(STANZA_TYPE, (encode_unpadded(share).decode("ascii"),), body)

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self._public)

    def __repr__(self) -> str:
        return f"X25519Recipient({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, X25519Recipient):
            return NotImplemented
        return self._public == other._public

    def __hash__(self) -> int:
        return hash(self._public)


class X25519Identity:
    """The private half. Its secret never appears in `str` or `repr`."""

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: X25519PrivateKey) -> None:
        """Use an existing private key."""
        self._private = private_key
        self._public = private_key.public_key().public_bytes_raw()

    @classmethod
    def generate(cls) -> X25519Identity:
        """A new random identity."""
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_secret_bytes(cls, secret: bytes) -> X25519Identity:
        """An identity from a raw 32-byte private key.

        Raises:
            KeyFormatError: The key is not 32 bytes.
        """
        if len(secret) != KEY_SIZE:
            raise KeyFormatError("An X25519 private key is 32 bytes long.")
        return cls(X25519PrivateKey.from_private_bytes(secret))

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        """Read an `AGE-SECRET-KEY-1...` identity string.

        Raises:
            KeyFormatError: The string is not an age X25519 identity.
        """
        return cls.from_secret_bytes(bech32.decode(text, IDENTITY_HRP))

    def secret_string(self) -> str:
        """The `AGE-SECRET-KEY-1...` form, for an identity file or an export."""
        return bech32.encode(IDENTITY_HRP, self._private.private_bytes_raw())

    @property
    def recipient(self) -> X25519Recipient:
        """The matching recipient."""
        return X25519Recipient(self._public)

    def unwrap(self, stanzas: Sequence[Stanza]) -> FileKey | None:
        """The file key from the first X25519 stanza addressed to this identity.

        Args:
            stanzas: All stanzas of a header; other types are skipped.

        Returns:
            The file key, or None if no stanza is addressed to this identity.

        Raises:
            HeaderError: An X25519 stanza is malformed or uses a low-order share.
        """
        checked = [_check_stanza(s) for s in stanzas if s.type == STANZA_TYPE]
        for share, body in checked:
            secret = _shared_secret(self._private, share)
            aead = _wrap_key(secret, share, self._public)
            try:
                return FileKey(aead.decrypt(_ZERO_NONCE, body, None))
            except InvalidTag:
                continue
        return None

    def __str__(self) -> str:
        return repr(self)

    def __repr__(self) -> str:
        return f"X25519Identity(recipient={str(self.recipient)!r})"


def _check_stanza(stanza: Stanza) -> tuple[bytes, bytes]:
    """The share and body of an X25519 stanza, once their shapes are right."""
    if len(stanza.args) != 1:
        raise HeaderError("An X25519 stanza has the wrong number of arguments.")
    share = decode_canonical(stanza.args[0].encode("ascii"))
    if share is None or len(share) != KEY_SIZE:
        raise HeaderError("An X25519 stanza has a malformed key share.")
    if len(stanza.body) != WRAPPED_SIZE:
        raise HeaderError("An X25519 stanza body has the wrong length.")
    return share, stanza.body
