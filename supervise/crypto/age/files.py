"""Whole age files: a header followed by its payload.

`encrypt` and `decrypt` handle a complete file in one pass. The header-only
helpers serve callers that keep the header apart from the payload (the vault
stores the header in a database row and the payload in a blob file, and
`header + payload` is a standard age file).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from supervise.crypto.age.errors import HeaderError, NoIdentityMatchError
from supervise.crypto.age.filekey import FileKey
from supervise.crypto.age.header import Header, Stanza, read_header
from supervise.crypto.age.iohelpers import (
    CancelCheck,
    PrefixedReader,
    Progress,
    Readable,
    Writable,
)
from supervise.crypto.age.stream import (
    decrypt_chunks,
    encrypt_payload,
    payload_cipher,
    read_nonce,
)


class Recipient(Protocol):
    """Something a file key can be wrapped to."""

    def wrap(self, file_key: FileKey) -> Stanza:
        """A stanza carrying `file_key` to this recipient."""
        ...


class Identity(Protocol):
    """Something that may unwrap a file key from a header's stanzas."""

    def unwrap(self, stanzas: Sequence[Stanza]) -> FileKey | None:
        """The file key, or None if no stanza is addressed to this identity."""
        ...


def new_header(
    file_key: FileKey,
    recipients: Sequence[Recipient],
    extra_stanzas: Sequence[Stanza] = (),
) -> Header:
    """A header wrapping `file_key` to each recipient, then the extra stanzas.

    Raises:
        ValueError: There are no recipients.
    """
    if not recipients:
        raise ValueError("An age file needs at least one recipient.")
    wrapped = tuple(recipient.wrap(file_key) for recipient in recipients)
    return Header.build(wrapped + tuple(extra_stanzas), file_key)


def unwrap_file_key(header: Header, identities: Sequence[Identity]) -> FileKey:
    """The file key of a (possibly detached) header, with its MAC verified.

    Raises:
        HeaderError: A stanza meant for one of the identities is malformed.
        HeaderMacError: The header was altered after it was written.
        NoIdentityMatchError: No identity can open any stanza.
    """
    types = [stanza.type for stanza in header.stanzas]
    if "scrypt" in types and len(types) > 1:
        raise HeaderError("A passphrase stanza must be the only one in an age header.")
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            header.verify_mac(file_key)
            return file_key
    if "scrypt" in types:
        raise NoIdentityMatchError(
            "This age file is protected by a passphrase, which is not supported."
        )
    raise NoIdentityMatchError("None of the available keys can open this file.")


def encrypt(
    reader: Readable,
    writer: Writable,
    recipients: Sequence[Recipient],
    extra_stanzas: Sequence[Stanza] = (),
    *,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> Header:
    """Encrypt `reader` into a complete age file written to `writer`.

    Args:
        reader: The plaintext.
        writer: Receives the header, then the payload.
        recipients: Who can open the file (at least one).
        extra_stanzas: Stanzas added after the recipients' (covered by the MAC).
        progress: Called with the plaintext bytes done after each chunk.
        should_cancel: Checked before each chunk; True stops the work.

    Returns:
        The header that was written.

    Raises:
        Cancelled: `should_cancel` returned True; the output is incomplete.
    """
    file_key = FileKey.generate()
    header = new_header(file_key, recipients, extra_stanzas)
    writer.write(header.encode())
    encrypt_payload(
        reader, writer, file_key, progress=progress, should_cancel=should_cancel
    )
    return header


def decrypt(
    reader: Readable,
    writer: Writable,
    identities: Sequence[Identity],
    *,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> Header:
    """Decrypt a complete age file, writing only authenticated plaintext.

    Args:
        reader: The age file, read to its end.
        writer: Receives the plaintext, chunk by verified chunk.
        identities: The keys to try.
        progress: Called with the plaintext bytes released after each chunk.
        should_cancel: Checked before each chunk; True stops the work.

    Returns:
        The file's header.

    Raises:
        HeaderError: The header is malformed or unsupported.
        HeaderMacError: The header was altered.
        NoIdentityMatchError: No identity can open the file.
        PayloadError: The payload is damaged; discard whatever was written.
        Cancelled: `should_cancel` returned True.
    """
    header, surplus = read_header(reader)
    file_key = unwrap_file_key(header, identities)
    payload = PrefixedReader(surplus, reader)
    nonce = read_nonce(payload)
    if nonce is None:
        raise HeaderError("The file ends before the payload nonce.")
    cipher = payload_cipher(file_key, nonce)
    decrypt_chunks(payload, writer, cipher, progress, should_cancel)
    return header
