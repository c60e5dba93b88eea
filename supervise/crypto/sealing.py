"""The two secrets behind every sealed object, and how each is wrapped.

A recording, and likewise a client's identity record, owns two random 32-byte
secrets. `S_grant` is HPKE-wrapped to each grantee's account key and to the
program's escrow key, one wrap per grant. `S_retain` is sealed under the host
keystore key and kept in the separate keystore database, where deleting its
row shreds the object. The object's X25519 identity is HKDF over both, so
neither a grant nor the keystore can produce it alone.

Every wrap binds its context (a label, the object kind, the object's uid and,
for a grant, the grantee) in one unambiguous encoding, so a wrap copied to
another row fails to open.
"""

from __future__ import annotations

import enum
import os
import re
from typing import Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from supervise.crypto.age import X25519Identity
from supervise.crypto.age.filekey import hkdf_sha256
from supervise.crypto.keys import KeyUnwrapError, hpke_open, hpke_seal

SECRET_SIZE = 32
NONCE_SIZE = 12
ESCROW: Final = "escrow"
Grantee = int | Literal["escrow"]
"""An account id, or `ESCROW` for the program's break-glass grant."""

_GRANT_LABEL = "supervise/grant/v1"
_RETAIN_LABEL = "supervise/retain/v1"
_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SEALED_RETAIN_SIZE = NONCE_SIZE + SECRET_SIZE + 16


class ObjectKind(enum.StrEnum):
    """What a set of object secrets protects."""

    RECORDING = "recording"
    CLIENT = "client"


def check_uid(uid: str) -> str:
    """Return `uid` if it can name an object, else refuse it.

    A uid is 1 to 64 characters of letters, digits, `.`, `_` and `-`, starting
    with a letter or digit: a UUID or a decimal id fits, and so does an age
    stanza argument.

    Raises:
        ValueError: The uid is empty, too long or has other characters.
    """
    if not isinstance(uid, str) or _UID.fullmatch(uid) is None:
        raise ValueError("An object uid is 1 to 64 letters, digits, '.', '_' or '-'.")
    return uid


def context(*parts: str) -> bytes:
    """An unambiguous encoding of a tuple of strings.

    Each part is its UTF-8 bytes preceded by their length in two bytes, so no
    choice of parts can produce the encoding of a different tuple.

    Raises:
        ValueError: A part is longer than 65,535 bytes.
    """
    out = bytearray()
    for part in parts:
        raw = part.encode("utf-8")
        if len(raw) > 0xFFFF:
            raise ValueError("A context part is too long.")
        out += len(raw).to_bytes(2, "big") + raw
    return bytes(out)


def new_secret() -> bytes:
    """A fresh 32-byte secret (`S_grant` or `S_retain`) from the OS CSPRNG."""
    return os.urandom(SECRET_SIZE)


def _grantee_text(grantee: Grantee) -> str:
    if grantee == ESCROW:
        return ESCROW
    if isinstance(grantee, bool) or not isinstance(grantee, int) or grantee < 0:
        raise ValueError("A grantee is an account id or the escrow key.")
    return str(grantee)


def grant_info(kind: ObjectKind, uid: str, grantee: Grantee) -> bytes:
    """The HPKE `info` that ties a grant to one object and one grantee."""
    kind = ObjectKind(kind)
    return context(_GRANT_LABEL, kind.value, check_uid(uid), _grantee_text(grantee))


def seal_grant(
    s_grant: bytes, public_raw: bytes, kind: ObjectKind, uid: str, grantee: Grantee
) -> bytes:
    """HPKE-wrap `S_grant` to a grantee's (or the escrow) X25519 public key.

    Args:
        s_grant: The object's 32-byte grant secret.
        public_raw: The grantee's raw 32-byte X25519 public key.
        kind: The kind of object.
        uid: The object's uid.
        grantee: The account id, or `ESCROW`.

    Returns:
        The wrapped secret to store in the grant row.

    Raises:
        ValueError: The secret, key, uid or grantee is malformed.
    """
    _check_secret(s_grant)
    return hpke_seal(s_grant, public_raw, grant_info(kind, uid, grantee))


def open_grant(
    sealed: bytes,
    private: X25519PrivateKey,
    kind: ObjectKind,
    uid: str,
    grantee: Grantee,
) -> bytes:
    """Open a grant made by `seal_grant` for exactly this object and grantee.

    Raises:
        KeyUnwrapError: Wrong key, altered data, or a grant from another row.
    """
    secret = hpke_open(sealed, private, grant_info(kind, uid, grantee))
    if len(secret) != SECRET_SIZE:
        raise KeyUnwrapError("the grant holds a secret of the wrong size")
    return secret


def retain_aad(kind: ObjectKind, uid: str) -> bytes:
    """The AEAD associated data that ties a keystore row to one object."""
    return context(_RETAIN_LABEL, ObjectKind(kind).value, check_uid(uid))


def seal_retain(
    s_retain: bytes, keystore_key: bytes, kind: ObjectKind, uid: str
) -> bytes:
    """Seal `S_retain` under the host keystore key: nonce, then ciphertext.

    Raises:
        ValueError: The secret, key or uid is malformed.
    """
    _check_secret(s_retain)
    nonce = os.urandom(NONCE_SIZE)
    aead = ChaCha20Poly1305(keystore_key)
    return nonce + aead.encrypt(nonce, s_retain, retain_aad(kind, uid))


def open_retain(
    sealed: bytes, keystore_key: bytes, kind: ObjectKind, uid: str
) -> bytes:
    """Open a keystore row sealed by `seal_retain` for exactly this object.

    Raises:
        KeyUnwrapError: Wrong key, altered data, or a row from another object.
    """
    if len(sealed) != _SEALED_RETAIN_SIZE:
        raise KeyUnwrapError("the keystore entry has the wrong size")
    aad = retain_aad(kind, uid)
    try:
        aead = ChaCha20Poly1305(keystore_key)
        return aead.decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], aad)
    except (InvalidTag, ValueError):
        raise KeyUnwrapError("the keystore entry did not open") from None


def identity_info(kind: ObjectKind) -> bytes:
    """The HKDF `info` of an object identity, one per kind."""
    return f"supervise/{ObjectKind(kind).value}-identity/v1".encode("ascii")


def derive_identity(
    s_grant: bytes, s_retain: bytes, kind: ObjectKind, uid: str
) -> X25519Identity:
    """The object's age identity: HKDF-SHA-256(S_grant || S_retain, salt = uid).

    Raises:
        ValueError: A secret has the wrong size or the uid is malformed.
    """
    _check_secret(s_grant)
    _check_secret(s_retain)
    salt = check_uid(uid).encode("ascii")
    seed = hkdf_sha256(s_grant + s_retain, salt=salt, info=identity_info(kind))
    return X25519Identity.from_secret_bytes(seed)


def _check_secret(secret: bytes) -> None:
    if len(secret) != SECRET_SIZE:
        raise ValueError("An object secret is 32 bytes long.")
