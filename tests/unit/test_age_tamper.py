"""Altered age files are refused with the right error, releasing nothing
that has not authenticated.

The sample file holds three full chunks and a short final one, so the
released prefix after a failure in chunk k is exactly k full chunks.
"""

from __future__ import annotations

import io

import pytest

from supervise.crypto.age import (
    CHUNK_SIZE,
    AgeError,
    FileKey,
    HeaderError,
    HeaderMacError,
    NoIdentityMatchError,
    PayloadError,
    SeekablePayload,
    Stanza,
    X25519Identity,
    decrypt,
    encrypt,
)
from supervise.crypto.age.stream import NONCE_SIZE, SEALED_CHUNK_SIZE, TAG_SIZE
from tests.unit.age_helpers import SampleFile, make_sample

SIZE = 3 * CHUNK_SIZE + 1000
HEADER_ERRORS = (HeaderError, HeaderMacError, NoIdentityMatchError)


@pytest.fixture(scope="module")
def sample() -> SampleFile:
    return make_sample(SIZE)


def _file_key(sample: SampleFile) -> FileKey:
    key = sample.identity.unwrap(sample.header.stanzas)
    assert key is not None
    return key


def _run(data: bytes, identity: X25519Identity) -> tuple[bytes, AgeError | None]:
    released = io.BytesIO()
    try:
        decrypt(io.BytesIO(data), released, [identity])
    except AgeError as error:
        return released.getvalue(), error
    return released.getvalue(), None


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def test_the_untouched_sample_decrypts(sample: SampleFile) -> None:
    assert _run(sample.data, sample.identity) == (sample.plaintext, None)


def test_a_flipped_byte_anywhere_in_the_header_releases_nothing(
    sample: SampleFile,
) -> None:
    header_length = len(sample.header.raw)
    for position in range(0, header_length, 7):
        released, error = _run(_flip(sample.data, position), sample.identity)
        assert isinstance(error, HEADER_ERRORS), position
        assert released == b""


def _swap_character(data: bytes, position: int) -> bytes:
    """Replace one base64 character by another valid one."""
    replacement = b"B" if data[position : position + 1] == b"A" else b"A"
    return data[:position] + replacement + data[position + 1 :]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("version", HeaderError),
        ("share", NoIdentityMatchError),
        ("body", NoIdentityMatchError),
        ("mac", HeaderMacError),
    ],
)
def test_an_edited_header_field_gives_its_error(
    sample: SampleFile, where: str, expected: type[AgeError]
) -> None:
    raw = sample.header.raw
    lines = raw.split(b"\n")
    position = {
        "version": 0,
        "share": len(lines[0]) + 1 + len(b"-> X25519 "),
        "body": len(lines[0]) + len(lines[1]) + 2,
        "mac": raw.rindex(b"--- ") + 4,
    }[where]
    edited = _swap_character(sample.data, position)
    released, error = _run(edited, sample.identity)
    assert isinstance(error, expected)
    assert released == b""


@pytest.mark.parametrize("chunk", [0, 1, 2, 3])
@pytest.mark.parametrize("offset", [0, 1000, -TAG_SIZE, -1])
def test_a_flipped_byte_in_a_chunk_stops_before_that_chunk(
    sample: SampleFile, chunk: int, offset: int
) -> None:
    start = sample.chunk_offset(chunk)
    end = min(start + SEALED_CHUNK_SIZE, len(sample.data))
    position = start + offset if offset >= 0 else end + offset
    released, error = _run(_flip(sample.data, position), sample.identity)
    assert isinstance(error, PayloadError)
    assert released == sample.plaintext[: chunk * CHUNK_SIZE]


def test_a_flipped_payload_nonce_releases_nothing(sample: SampleFile) -> None:
    position = len(sample.header.raw) + 3
    released, error = _run(_flip(sample.data, position), sample.identity)
    assert isinstance(error, PayloadError)
    assert released == b""


@pytest.mark.parametrize(
    ("cut", "error_class", "released_chunks"),
    [
        (0, HeaderError, 0),  # the header only
        (8, HeaderError, 0),  # inside the nonce
        (NONCE_SIZE, PayloadError, 0),  # no chunks at all
        (NONCE_SIZE + TAG_SIZE - 1, PayloadError, 0),  # less than a tag
        (NONCE_SIZE + 5000, PayloadError, 0),  # inside chunk 0
        (NONCE_SIZE + SEALED_CHUNK_SIZE, PayloadError, 1),  # at a boundary
        (NONCE_SIZE + SEALED_CHUNK_SIZE + TAG_SIZE, PayloadError, 1),  # tag only
        (NONCE_SIZE + 2 * SEALED_CHUNK_SIZE + 1, PayloadError, 2),  # just past one
        (NONCE_SIZE + 3 * SEALED_CHUNK_SIZE, PayloadError, 3),  # final chunk gone
        (NONCE_SIZE + 3 * SEALED_CHUNK_SIZE + 500, PayloadError, 3),  # final cut
    ],
)
def test_truncation_is_refused(
    sample: SampleFile, cut: int, error_class: type[AgeError], released_chunks: int
) -> None:
    data = sample.data[: len(sample.header.raw) + cut]
    released, error = _run(data, sample.identity)
    assert isinstance(error, error_class)
    assert released == sample.plaintext[: released_chunks * CHUNK_SIZE]


def test_dropping_the_full_final_chunk_of_an_exact_multiple_is_refused() -> None:
    exact = make_sample(2 * CHUNK_SIZE)
    released, error = _run(exact.data[: exact.chunk_offset(1)], exact.identity)
    assert isinstance(error, PayloadError)
    assert released == exact.plaintext[:CHUNK_SIZE]
    with pytest.raises(PayloadError):
        SeekablePayload(
            io.BytesIO(exact.payload[: NONCE_SIZE + SEALED_CHUNK_SIZE]),
            _file_key(exact),
        )


@pytest.mark.parametrize("extra", [b"\x00", b"x" * 40, None])
def test_data_after_a_short_final_chunk_is_refused(
    sample: SampleFile, extra: bytes | None
) -> None:
    tail = sample.data[sample.chunk_offset(3) :] if extra is None else extra
    released, error = _run(sample.data + tail, sample.identity)
    assert isinstance(error, PayloadError)
    assert released == sample.plaintext[: 3 * CHUNK_SIZE]


def test_data_after_a_full_final_chunk_is_refused_once_it_is_seen() -> None:
    exact = make_sample(2 * CHUNK_SIZE)
    released, error = _run(exact.data + b"\x00", exact.identity)
    assert isinstance(
        error,
        PayloadError,
    )
    # The full-size final chunk authenticates as final before the extra byte
    # can be seen, so it is released (as the CCTV vectors expect); the error
    # still tells the caller to discard the output.
    assert released == exact.plaintext


def test_payloads_swapped_between_files_are_refused(sample: SampleFile) -> None:
    other = make_sample(SIZE, seed=8)
    released, error = _run(sample.header.raw + other.payload, sample.identity)
    assert isinstance(error, PayloadError)
    assert released == b""


def test_a_re_encryption_of_the_same_plaintext_does_not_splice(
    sample: SampleFile,
) -> None:
    again = io.BytesIO()
    encrypt(io.BytesIO(sample.plaintext), again, [sample.identity.recipient])
    second_chunk = slice(sample.chunk_offset(1), sample.chunk_offset(2))
    spliced = bytearray(sample.data)
    offset = len(again.getvalue()) - len(sample.data)
    spliced[second_chunk] = again.getvalue()[
        second_chunk.start + offset : second_chunk.stop + offset
    ]
    released, error = _run(bytes(spliced), sample.identity)
    assert isinstance(error, PayloadError)
    assert released == sample.plaintext[:CHUNK_SIZE]


def _chunks(sample: SampleFile) -> list[bytes]:
    return [
        sample.data[sample.chunk_offset(i) : sample.chunk_offset(i + 1)]
        for i in range(4)
    ]


@pytest.mark.parametrize(
    ("order", "released_chunks"),
    [((1, 0, 2, 3), 0), ((0, 2, 1, 3), 1), ((0, 1, 1, 3), 2), ((0, 1, 2, 2, 3), 3)],
)
def test_reordered_or_duplicated_chunks_are_refused(
    sample: SampleFile, order: tuple[int, ...], released_chunks: int
) -> None:
    chunks = _chunks(sample)
    prefix = sample.data[: sample.chunk_offset(0)]
    released, error = _run(prefix + b"".join(chunks[i] for i in order), sample.identity)
    assert isinstance(error, PayloadError)
    assert released == sample.plaintext[: released_chunks * CHUNK_SIZE]


def test_an_extra_stanza_survives_and_its_edit_breaks_the_mac() -> None:
    identity = X25519Identity.generate()
    out = io.BytesIO()
    bind = Stanza("supervise.example/bind", ("rec-1",), b"")
    encrypt(io.BytesIO(b"hello"), out, [identity.recipient], [bind])
    assert _run(out.getvalue(), identity) == (b"hello", None)
    edited = out.getvalue().replace(b"rec-1", b"rec-2")
    released, error = _run(edited, identity)
    assert isinstance(error, HeaderMacError)
    assert released == b""


def test_opening_a_truncated_blob_for_random_access_fails_first(
    sample: SampleFile,
) -> None:
    payload = sample.payload[:-1]
    with pytest.raises(PayloadError):
        SeekablePayload(io.BytesIO(payload), _file_key(sample))
