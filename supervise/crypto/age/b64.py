"""Unpadded standard base64, as used in age headers, decoded strictly."""

from __future__ import annotations

import base64
import binascii
import re

_ALPHABET = re.compile(rb"[A-Za-z0-9+/]*")


def encode_unpadded(data: bytes) -> bytes:
    """Standard base64 without `=` padding."""
    return base64.b64encode(data).rstrip(b"=")


def decode_canonical(text: bytes) -> bytes | None:
    """Decode unpadded base64, or return None unless it is canonical.

    Canonical means: only the standard alphabet, no padding, no impossible
    length, and unused trailing bits set to zero, so that exactly one text
    encodes each byte string.
    """
    if not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return None
    return data if encode_unpadded(data) == text else None
