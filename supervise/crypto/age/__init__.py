"""The age v1 file format (C2SP `age`), X25519 recipients only.

Recordings are stored as age files split in two: the header in the database,
the payload in the blob store. This package reads and writes both halves on
`cryptography`'s primitives, with streaming, random access and strict,
fail-closed parsing. Armour, passphrases and post-quantum recipients are not
supported.

A detached file is written as `header = new_header(file_key, recipients,
extra)` (store `header.encode()`) and `encrypt_payload(reader, blob,
file_key)`; it is read back with `Header.parse`, `unwrap_file_key` and then
`decrypt_payload` or `SeekablePayload`. `encrypt` and `decrypt` handle a
whole file (`header + payload`) in one stream.
"""

from __future__ import annotations

from supervise.crypto.age.errors import (
    AgeError,
    ArmorNotSupportedError,
    Cancelled,
    HeaderError,
    HeaderMacError,
    KeyFormatError,
    NoIdentityMatchError,
    PayloadError,
)
from supervise.crypto.age.filekey import FileKey
from supervise.crypto.age.files import (
    Identity,
    Recipient,
    decrypt,
    encrypt,
    new_header,
    unwrap_file_key,
)
from supervise.crypto.age.header import (
    MAX_HEADER_SIZE,
    MAX_STANZAS,
    Header,
    Stanza,
    read_header,
)
from supervise.crypto.age.seekable import SeekablePayload, payload_length
from supervise.crypto.age.stream import CHUNK_SIZE, decrypt_payload, encrypt_payload
from supervise.crypto.age.x25519 import X25519Identity, X25519Recipient

__all__ = [
    "CHUNK_SIZE",
    "MAX_HEADER_SIZE",
    "MAX_STANZAS",
    "AgeError",
    "ArmorNotSupportedError",
    "Cancelled",
    "FileKey",
    "Header",
    "HeaderError",
    "HeaderMacError",
    "Identity",
    "KeyFormatError",
    "NoIdentityMatchError",
    "PayloadError",
    "Recipient",
    "SeekablePayload",
    "Stanza",
    "X25519Identity",
    "X25519Recipient",
    "decrypt",
    "decrypt_payload",
    "encrypt",
    "encrypt_payload",
    "new_header",
    "payload_length",
    "read_header",
    "unwrap_file_key",
]
