"""Short values sealed under an object's keys: client details, clinical text.

A sealed field is encrypted with ChaCha20-Poly1305 under a key derived from
the object's two secrets (`S_grant || S_retain`, the same inputs as its
identity but under a label of its own) and the field's name, with the object
kind, uid and field name as associated data. Whoever can open the object's
grant and keystore row can open its fields; the one-recording age identity
that an export hands over cannot. A sealed value copied to another object or
another field fails. The stored form is a format byte, a random 12-byte nonce
and the ciphertext. Errors never carry the value or any key.

A hard revoke draws new secrets, so the object's fields must be opened with
the old keys and sealed again with the new ones.
"""

from __future__ import annotations

import os
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from supervise.crypto.age.filekey import hkdf_sha256
from supervise.crypto.recording_keys import ObjectKeys
from supervise.crypto.sealing import NONCE_SIZE, ObjectKind, check_uid, context

FORMAT_V1 = b"\x01"
MAX_VALUE_SIZE = 1024 * 1024
_LABEL = "supervise/sealed-field/v1"
_FIELD = re.compile(r"[a-z][a-z0-9_.]{0,47}")
_OVERHEAD = len(FORMAT_V1) + NONCE_SIZE + 16


class SealedFieldError(Exception):
    """A sealed field did not open: wrong object, wrong field, or altered."""


def check_field(name: str) -> str:
    """Return `name` if it can name a field, else refuse it.

    Raises:
        ValueError: Not 1 to 48 lower-case letters, digits, `_` or `.`,
            starting with a letter.
    """
    if not isinstance(name, str) or _FIELD.fullmatch(name) is None:
        raise ValueError("A field name is 1 to 48 of a-z, 0-9, '_' or '.'.")
    return name


def _field_cipher(keys: ObjectKeys, field: str) -> ChaCha20Poly1305:
    """The AEAD for one field of one object."""
    info = context(_LABEL, ObjectKind(keys.kind).value, check_field(field))
    secret = keys.s_grant + keys.s_retain
    return ChaCha20Poly1305(
        hkdf_sha256(secret, salt=check_uid(keys.uid).encode(), info=info)
    )


def _aad(kind: ObjectKind, uid: str, field: str) -> bytes:
    return context(_LABEL, ObjectKind(kind).value, check_uid(uid), field)


def seal_field(keys: ObjectKeys, field: str, value: bytes) -> bytes:
    """Encrypt one value of an object.

    Args:
        keys: The object's keys (new, or opened from a grant and the keystore).
        field: The field's name, e.g. `identity` or `feedback`.
        value: The plaintext, at most 1 MiB.

    Returns:
        The sealed value to store.

    Raises:
        ValueError: The uid or field name is malformed, or the value too long.
    """
    if len(value) > MAX_VALUE_SIZE:
        raise ValueError("A sealed field holds at most 1 MiB.")
    aead = _field_cipher(keys, field)
    nonce = os.urandom(NONCE_SIZE)
    aad = _aad(keys.kind, keys.uid, field)
    return FORMAT_V1 + nonce + aead.encrypt(nonce, value, aad)


def open_field(keys: ObjectKeys, field: str, sealed: bytes) -> bytes:
    """Decrypt a value sealed by `seal_field` for exactly this object and field.

    Raises:
        SealedFieldError: The value is malformed, altered, or belongs to
            another object or field, or the keys are not the object's.
        ValueError: The uid or field name is malformed.
    """
    if len(sealed) < _OVERHEAD or sealed[:1] != FORMAT_V1:
        raise SealedFieldError("The sealed value is malformed.")
    aead = _field_cipher(keys, field)
    nonce, body = sealed[1 : 1 + NONCE_SIZE], sealed[1 + NONCE_SIZE :]
    try:
        return aead.decrypt(nonce, body, _aad(keys.kind, keys.uid, field))
    except InvalidTag:
        raise SealedFieldError("The sealed value did not open.") from None


_CHUNK = 1024 * 1024 - 1024


def seal_large(keys: ObjectKeys, field: str, value: bytes) -> bytes:
    """Seal a value larger than one field allows, in 1 MiB chunks.

    Each chunk is sealed as `<field>.<index>.<count>`, so a chunk that is
    moved, dropped or reordered no longer opens.
    """
    chunks = [value[i : i + _CHUNK] for i in range(0, len(value), _CHUNK)] or [b""]
    out = bytearray()
    for index, chunk in enumerate(chunks):
        sealed = seal_field(keys, f"{field}.{index}.{len(chunks)}", chunk)
        out += struct.pack(">I", len(sealed)) + sealed
    return bytes(out)


def open_large(keys: ObjectKeys, field: str, sealed: bytes) -> bytes:
    """Open what `seal_large` made.

    Raises:
        SealedFieldError: Altered, reordered, cut short or moved.
    """
    parts = []
    at = 0
    while at < len(sealed):
        if at + 4 > len(sealed):
            raise SealedFieldError("a sealed value is cut short")
        (size,) = struct.unpack(">I", sealed[at : at + 4])
        if at + 4 + size > len(sealed):
            raise SealedFieldError("a sealed value is cut short")
        parts.append(sealed[at + 4 : at + 4 + size])
        at += 4 + size
    return b"".join(
        open_field(keys, f"{field}.{index}.{len(parts)}", part)
        for index, part in enumerate(parts)
    )
