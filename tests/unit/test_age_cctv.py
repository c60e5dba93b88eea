"""The C2SP CCTV conformance vectors for age v1, run against our decryptor.

Every vector that needs only X25519 identities runs (armour, scrypt and hybrid
post-quantum vectors are skipped by design), and the count is asserted so a
wrong path cannot skip them silently. Each run checks the outcome class and
the SHA-256 of all plaintext released, also when decryption fails.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest

from supervise.crypto.age import (
    AgeError,
    FileKey,
    HeaderError,
    HeaderMacError,
    NoIdentityMatchError,
    PayloadError,
    SeekablePayload,
    decrypt,
    read_header,
    unwrap_file_key,
)
from supervise.crypto.age.stream import (
    NONCE_SIZE,
    encrypt_chunks,
    payload_cipher,
)
from tests.unit.age_helpers import (
    CCTV_DIR,
    Vector,
    all_vectors,
    runnable_vectors,
    sha256_hex,
)

EXPECTED_ERRORS: dict[str, type[AgeError] | None] = {
    "success": None,
    "header failure": HeaderError,
    "HMAC failure": HeaderMacError,
    "no match": NoIdentityMatchError,
    "payload failure": PayloadError,
}

RUNNABLE = runnable_vectors()
SUCCESSES = [vector for vector in RUNNABLE if vector.expect == "success"]


def _ids(vectors: list[Vector]) -> list[str]:
    return [vector.name for vector in vectors]


def _decrypt(vector: Vector) -> tuple[bytes, AgeError | None]:
    released = io.BytesIO()
    try:
        decrypt(io.BytesIO(vector.data), released, vector.identities)
    except AgeError as error:
        return released.getvalue(), error
    return released.getvalue(), None


def test_the_vectors_are_all_there_and_the_right_ones_run() -> None:
    assert CCTV_DIR.is_dir(), f"CCTV vectors missing at {CCTV_DIR}"
    vectors = all_vectors()
    skipped = Counter(reason for v in vectors if (reason := v.skip_reason()))
    assert len(vectors) == 143
    assert len(RUNNABLE) == 67
    assert skipped == {
        "armored (ASCII armour is refused by design)": 33,
        "scrypt (passphrase recipients are not supported)": 25,
        "hybrid post-quantum identity (not supported)": 18,
    }
    assert Counter(v.expect for v in RUNNABLE) == {
        "success": 14,
        "header failure": 31,
        "HMAC failure": 1,
        "no match": 3,
        "payload failure": 18,
    }


@pytest.mark.parametrize("vector", RUNNABLE, ids=_ids(RUNNABLE))
def test_a_vector_gives_its_outcome_and_releases_exactly_its_plaintext(
    vector: Vector,
) -> None:
    released, error = _decrypt(vector)
    expected = EXPECTED_ERRORS[vector.expect]
    if expected is None:
        assert error is None, f"unexpected {error!r}"
    else:
        assert isinstance(error, expected), f"expected {expected}, got {error!r}"
    expected_hash = vector.payload_sha256 or sha256_hex(b"")
    assert sha256_hex(released) == expected_hash


@pytest.mark.parametrize("vector", RUNNABLE, ids=_ids(RUNNABLE))
def test_error_messages_carry_no_key_material(vector: Vector) -> None:
    _, error = _decrypt(vector)
    secrets = [*vector.fields.get("identity", []), *vector.fields.get("file key", [])]
    for secret in secrets:
        assert secret.lower() not in str(error).lower()


@pytest.mark.parametrize("vector", RUNNABLE, ids=_ids(RUNNABLE))
def test_a_header_that_parses_encodes_back_to_the_same_bytes(vector: Vector) -> None:
    try:
        header, _ = read_header(io.BytesIO(vector.data))
    except HeaderError:
        assert vector.expect == "header failure"
        return
    assert vector.data.startswith(header.encode())
    assert header.encode() == header.raw


def test_the_headers_of_all_non_header_failures_parse() -> None:
    parsed = []
    for vector in RUNNABLE:
        try:
            parsed.append(read_header(io.BytesIO(vector.data))[0])
        except HeaderError:
            assert vector.expect == "header failure", vector.name
    # Of the 31 header failures, 22 are syntax errors; the other 9 parse and
    # fail later (X25519 stanza shape, low-order shares, a missing nonce).
    assert len(parsed) == 67 - 22


@pytest.mark.parametrize("vector", SUCCESSES, ids=_ids(SUCCESSES))
def test_re_encrypting_a_success_vector_gives_the_same_payload(
    vector: Vector,
) -> None:
    file_key = FileKey(bytes.fromhex(vector.fields["file key"][0]))
    header, surplus = read_header(io.BytesIO(vector.data))
    payload = vector.data[len(header.raw) :]
    plaintext, _ = _decrypt(vector)
    nonce = payload[:NONCE_SIZE]
    sealed = io.BytesIO()
    encrypt_chunks(io.BytesIO(plaintext), sealed, payload_cipher(file_key, nonce))
    assert nonce + sealed.getvalue() == payload
    assert surplus == payload[: len(surplus)]


@pytest.mark.parametrize(
    "vector",
    [v for v in RUNNABLE if v.expect in ("success", "payload failure")],
    ids=_ids([v for v in RUNNABLE if v.expect in ("success", "payload failure")]),
)
def test_random_access_agrees_with_streaming(vector: Vector) -> None:
    header, _ = read_header(io.BytesIO(vector.data))
    file_key = unwrap_file_key(header, vector.identities)
    source = io.BytesIO(vector.data)
    if vector.expect == "success":
        released, _ = _decrypt(vector)
        payload = SeekablePayload(source, file_key, offset=len(header.raw))
        assert payload.plaintext_length == len(released)
        assert payload.read(0, len(released)) == released
        return
    with pytest.raises(PayloadError):
        payload = SeekablePayload(source, file_key, offset=len(header.raw))
        payload.read(0, payload.plaintext_length)
