"""The age payload: sizes, progress, cancellation and random access."""

from __future__ import annotations

import io

import pytest

from supervise.crypto.age import (
    CHUNK_SIZE,
    Cancelled,
    FileKey,
    PayloadError,
    SeekablePayload,
    X25519Identity,
    decrypt,
    decrypt_payload,
    encrypt,
    encrypt_payload,
    payload_length,
)
from supervise.crypto.age.stream import MAX_COUNTER, chunk_nonce
from tests.unit.age_helpers import make_sample, sample_bytes

BOUNDARY_SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE]


def _encrypt(plaintext: bytes, file_key: FileKey) -> bytes:
    out = io.BytesIO()
    encrypt_payload(io.BytesIO(plaintext), out, file_key)
    return out.getvalue()


def _decrypt(payload: bytes, file_key: FileKey) -> bytes:
    out = io.BytesIO()
    decrypt_payload(io.BytesIO(payload), out, file_key)
    return out.getvalue()


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_a_payload_round_trips_with_the_expected_length(size: int) -> None:
    file_key, plaintext = FileKey.generate(), sample_bytes(size)
    payload = _encrypt(plaintext, file_key)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(payload) == 16 + size + 16 * chunks
    assert _decrypt(payload, file_key) == plaintext


def test_an_empty_payload_is_one_empty_final_chunk() -> None:
    file_key = FileKey.generate()
    payload = _encrypt(b"", file_key)
    assert len(payload) == 32
    assert payload_length(io.BytesIO(payload), file_key) == 0


def test_each_payload_gets_a_fresh_nonce() -> None:
    file_key = FileKey.generate()
    first, second = _encrypt(b"same", file_key), _encrypt(b"same", file_key)
    assert first[:16] != second[:16]
    assert first[16:] != second[16:]


def test_the_chunk_counter_stops_at_eleven_bytes() -> None:
    assert chunk_nonce(MAX_COUNTER, final=True) == b"\xff" * 11 + b"\x01"
    assert chunk_nonce(0, final=False) == bytes(12)
    with pytest.raises(PayloadError, match="more chunks"):
        chunk_nonce(MAX_COUNTER + 1, final=False)


def test_progress_reports_the_running_totals_both_ways() -> None:
    identity = X25519Identity.generate()
    plaintext = sample_bytes(2 * CHUNK_SIZE + 5)
    seen: list[int] = []
    sealed = io.BytesIO()
    encrypt(io.BytesIO(plaintext), sealed, [identity.recipient], progress=seen.append)
    assert seen == [CHUNK_SIZE, 2 * CHUNK_SIZE, len(plaintext)]
    seen.clear()
    out = io.BytesIO()
    decrypt(io.BytesIO(sealed.getvalue()), out, [identity], progress=seen.append)
    assert seen == [CHUNK_SIZE, 2 * CHUNK_SIZE, len(plaintext)]


def test_cancelling_stops_encryption_part_way() -> None:
    plaintext = sample_bytes(5 * CHUNK_SIZE)
    out = io.BytesIO()
    calls = iter([False, False, True])
    with pytest.raises(Cancelled):
        encrypt_payload(
            io.BytesIO(plaintext),
            out,
            FileKey.generate(),
            should_cancel=lambda: next(calls),
        )
    assert len(out.getvalue()) == 16 + 2 * (CHUNK_SIZE + 16)


def test_cancelling_stops_decryption_part_way() -> None:
    sample = make_sample(5 * CHUNK_SIZE)
    out = io.BytesIO()
    calls = iter([False, True])
    with pytest.raises(Cancelled):
        decrypt(
            io.BytesIO(sample.data),
            out,
            [sample.identity],
            should_cancel=lambda: next(calls),
        )
    assert out.getvalue() == sample.plaintext[:CHUNK_SIZE]


def _seekable(size: int) -> tuple[bytes, SeekablePayload]:
    file_key, plaintext = FileKey.generate(), sample_bytes(size)
    payload = SeekablePayload(io.BytesIO(_encrypt(plaintext, file_key)), file_key)
    return plaintext, payload


@pytest.mark.parametrize(
    ("start", "size"),
    [
        (0, 10),
        (CHUNK_SIZE - 3, 6),  # across the first boundary
        (CHUNK_SIZE, CHUNK_SIZE),  # exactly the second chunk
        (10, 3 * CHUNK_SIZE),  # across several chunks
        (3 * CHUNK_SIZE + 100, 10_000),  # runs past the end
        (3 * CHUNK_SIZE + 777, 5),  # the last byte and nothing beyond
        (3 * CHUNK_SIZE + 778, 5),  # at the end: nothing
    ],
)
def test_random_access_returns_the_same_bytes_as_a_full_decrypt(
    start: int, size: int
) -> None:
    plaintext, payload = _seekable(3 * CHUNK_SIZE + 778)
    assert payload.read(start, size) == plaintext[start : start + size]


def test_random_access_reads_single_chunks() -> None:
    plaintext, payload = _seekable(2 * CHUNK_SIZE + 1)
    assert payload.chunk_count == 3
    assert payload.read_chunk(1) == plaintext[CHUNK_SIZE : 2 * CHUNK_SIZE]
    assert payload.read_chunk(2) == plaintext[-1:]
    with pytest.raises(IndexError):
        payload.read_chunk(3)
    with pytest.raises(ValueError):
        payload.read(-1, 1)


@pytest.mark.parametrize("chunks", [1, 2, 3])
def test_the_length_of_an_exact_multiple_of_64_kib_is_verified(chunks: int) -> None:
    plaintext, payload = _seekable(chunks * CHUNK_SIZE)
    assert payload.plaintext_length == len(plaintext)
    assert payload.chunk_count == chunks
    assert payload.read(0, len(plaintext)) == plaintext


def test_random_access_works_inside_a_whole_age_file() -> None:
    sample = make_sample(CHUNK_SIZE + 9)
    file_key = sample.identity.unwrap(sample.header.stanzas)
    assert file_key is not None
    payload = SeekablePayload(
        io.BytesIO(sample.data), file_key, offset=len(sample.header.raw)
    )
    assert payload.read(CHUNK_SIZE, 9) == sample.plaintext[CHUNK_SIZE:]
