"""Errors raised while reading or writing age v1 files.

Each subclass of `AgeError` matches one outcome of the public conformance
vectors (header failure, HMAC failure, no match, payload failure), so callers
and tests can tell a damaged file from a file meant for someone else. Messages
are written for a person and never carry key material or plaintext.
"""

from __future__ import annotations


class AgeError(Exception):
    """Base class of every age format error."""


class KeyFormatError(AgeError):
    """A recipient or identity string is not a valid age X25519 key."""


class HeaderError(AgeError):
    """The header is malformed, unsupported or too large."""


class ArmorNotSupportedError(HeaderError):
    """The file is ASCII-armoured; only binary age files are read."""


class HeaderMacError(AgeError):
    """The header MAC does not match: the header was altered or misattributed."""


class NoIdentityMatchError(AgeError):
    """None of the given identities can open any recipient stanza."""


class PayloadError(AgeError):
    """The payload is truncated, altered, reordered or followed by extra data."""


class Cancelled(Exception):
    """The caller asked for an encryption or decryption to stop part-way.

    Deliberately not an `AgeError`: nothing is wrong with the data.
    """
