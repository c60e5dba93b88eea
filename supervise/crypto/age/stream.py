"""The age payload: ChaCha20-Poly1305 STREAM in 64 KiB chunks.

The payload is a 16-byte random nonce followed by chunks. The payload key is
HKDF-SHA-256(file key, salt = nonce, info "payload"); chunk i is sealed under
the nonce `i` (11 bytes, big-endian) || final flag. Only the last chunk has
the flag; it may be shorter than 64 KiB and is empty only in an empty payload.

Decryption writes a chunk only after its tag has verified, so a reader of the
output never sees unauthenticated bytes; truncation, reordering, splicing and
trailing data are all errors.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from supervise.crypto.age.errors import PayloadError
from supervise.crypto.age.filekey import FileKey
from supervise.crypto.age.iohelpers import (
    CancelCheck,
    Progress,
    Readable,
    Writable,
    check_cancel,
    read_full,
)

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
NONCE_SIZE = 16
MAX_COUNTER = 2**88 - 1


def payload_cipher(file_key: FileKey, nonce: bytes) -> ChaCha20Poly1305:
    """The payload AEAD for one file key and payload nonce."""
    return ChaCha20Poly1305(file_key.derive(salt=nonce, info=b"payload"))


def chunk_nonce(counter: int, *, final: bool) -> bytes:
    """The 12-byte nonce of chunk `counter`.

    Raises:
        PayloadError: The counter is past what 11 bytes can hold.
    """
    if not 0 <= counter <= MAX_COUNTER:
        raise PayloadError("The payload has more chunks than the age format allows.")
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def encrypt_payload(
    reader: Readable,
    writer: Writable,
    file_key: FileKey,
    *,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> int:
    """Encrypt everything `reader` yields into a payload written to `writer`.

    Args:
        reader: The plaintext.
        writer: Receives the nonce and the sealed chunks.
        file_key: The file's key (never reuse it for another payload).
        progress: Called with the plaintext bytes done after each chunk.
        should_cancel: Checked before each chunk; True stops the work.

    Returns:
        The plaintext length.

    Raises:
        Cancelled: `should_cancel` returned True; the output is incomplete.
    """
    nonce = os.urandom(NONCE_SIZE)
    writer.write(nonce)
    cipher = payload_cipher(file_key, nonce)
    return encrypt_chunks(reader, writer, cipher, progress, should_cancel)


def encrypt_chunks(
    reader: Readable,
    writer: Writable,
    cipher: ChaCha20Poly1305,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> int:
    """Seal the plaintext into chunks (the payload after its nonce)."""
    done, counter = 0, 0
    chunk = read_full(reader, CHUNK_SIZE)
    while True:
        check_cancel(should_cancel)
        following = read_full(reader, CHUNK_SIZE) if len(chunk) == CHUNK_SIZE else b""
        final = not following
        writer.write(cipher.encrypt(chunk_nonce(counter, final=final), chunk, None))
        done += len(chunk)
        if progress is not None:
            progress(done)
        if final:
            return done
        chunk, counter = following, counter + 1


def read_nonce(reader: Readable) -> bytes | None:
    """The 16-byte payload nonce, or None if the input ends first."""
    nonce = read_full(reader, NONCE_SIZE)
    return nonce if len(nonce) == NONCE_SIZE else None


def decrypt_payload(
    reader: Readable,
    writer: Writable,
    file_key: FileKey,
    *,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> int:
    """Decrypt a payload, writing each chunk only once it has authenticated.

    Args:
        reader: The payload (nonce and chunks), read to its end.
        writer: Receives the plaintext.
        file_key: The file's key.
        progress: Called with the plaintext bytes released after each chunk.
        should_cancel: Checked before each chunk; True stops the work.

    Returns:
        The plaintext length.

    Raises:
        PayloadError: The payload is damaged; what was written before the error
            is authentic but incomplete, and must be discarded.
        Cancelled: `should_cancel` returned True.
    """
    nonce = read_nonce(reader)
    if nonce is None:
        raise PayloadError("The payload is truncated: it ends inside its nonce.")
    cipher = payload_cipher(file_key, nonce)
    return decrypt_chunks(reader, writer, cipher, progress, should_cancel)


def decrypt_chunks(
    reader: Readable,
    writer: Writable,
    cipher: ChaCha20Poly1305,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> int:
    """Open the chunks that follow the nonce, up to and including the final one."""
    done, counter = 0, 0
    while True:
        check_cancel(should_cancel)
        plaintext, final = open_next_chunk(cipher, counter, reader)
        writer.write(plaintext)
        done += len(plaintext)
        if progress is not None:
            progress(done)
        if final:
            if reader.read(1):
                raise PayloadError("There is unexpected data after the payload.")
            return done
        counter += 1


def open_next_chunk(
    cipher: ChaCha20Poly1305, counter: int, reader: Readable
) -> tuple[bytes, bool]:
    """Read and open chunk `counter`; return its plaintext and whether it is final.

    A short chunk can only be the final one. A full-size chunk is tried as a
    middle chunk first and then as a final one, since a payload whose length
    is a multiple of 64 KiB ends with a full-size final chunk.
    """
    sealed = read_full(reader, SEALED_CHUNK_SIZE)
    if not sealed:
        raise PayloadError("The payload is truncated: it ends without a final chunk.")
    if len(sealed) < TAG_SIZE:
        raise PayloadError("The payload is truncated: its last chunk is cut short.")
    if len(sealed) == TAG_SIZE and counter > 0:
        raise PayloadError("The payload ends with an empty chunk, which is invalid.")
    if len(sealed) == SEALED_CHUNK_SIZE:
        plaintext = open_chunk(cipher, counter, sealed, final=False)
        if plaintext is not None:
            return plaintext, False
    plaintext = open_chunk(cipher, counter, sealed, final=True)
    if plaintext is None:
        raise PayloadError(
            "A payload chunk failed authentication: the file is damaged, "
            "truncated or altered."
        )
    return plaintext, True


def open_chunk(
    cipher: ChaCha20Poly1305, counter: int, sealed: bytes, *, final: bool
) -> bytes | None:
    """The plaintext of one sealed chunk, or None if it does not authenticate."""
    try:
        return cipher.decrypt(chunk_nonce(counter, final=final), sealed, None)
    except InvalidTag:
        return None
