"""age headers: encoding, strict parsing, limits, the MAC, detached storage."""

from __future__ import annotations

import io

import pytest

from supervise.crypto.age import (
    MAX_HEADER_SIZE,
    MAX_STANZAS,
    ArmorNotSupportedError,
    FileKey,
    Header,
    HeaderError,
    HeaderMacError,
    NoIdentityMatchError,
    Stanza,
    X25519Identity,
    decrypt_payload,
    new_header,
    read_header,
    unwrap_file_key,
)
from tests.unit.age_helpers import make_sample

BIND = Stanza("supervise.example/bind", ("3f2a9c", "v1"), b"")


def _header(*extra: Stanza) -> tuple[X25519Identity, FileKey, Header]:
    identity, file_key = X25519Identity.generate(), FileKey.generate()
    return identity, file_key, new_header(file_key, [identity.recipient], extra)


def test_a_body_is_wrapped_at_64_columns_with_a_shorter_last_line() -> None:
    assert Stanza("t", (), bytes(48)).encode() == b"-> t\n" + b"A" * 64 + b"\n\n"
    assert Stanza("t", (), bytes(49)).encode() == (b"-> t\n" + b"A" * 64 + b"\nAA\n")
    assert Stanza("t", ("a", "b"), b"").encode() == b"-> t a b\n\n"


@pytest.mark.parametrize("args", [("",), ("a b",), ("caf\u00e9",), ("tab\t",)])
def test_a_stanza_argument_must_be_non_empty_printable_ascii(
    args: tuple[str, ...],
) -> None:
    with pytest.raises(ValueError):
        Stanza("type", args)


def test_a_header_with_an_extra_stanza_round_trips_and_still_opens() -> None:
    identity, file_key, header = _header(BIND)
    parsed = Header.parse(header.encode())
    assert parsed == header
    assert parsed.stanzas[-1] == BIND
    assert unwrap_file_key(parsed, [identity]) == file_key


def test_the_mac_covers_an_extra_stanza() -> None:
    identity, _, header = _header(BIND)
    edited = header.encode().replace(b"3f2a9c", b"3f2a9d")
    with pytest.raises(HeaderMacError):
        unwrap_file_key(Header.parse(edited), [identity])


def test_a_mac_made_under_another_file_key_is_refused() -> None:
    _, _, header = _header()
    with pytest.raises(HeaderMacError):
        header.verify_mac(FileKey.generate())


def test_a_header_for_someone_else_is_no_match() -> None:
    _, _, header = _header(BIND)
    with pytest.raises(NoIdentityMatchError):
        unwrap_file_key(header, [X25519Identity.generate()])


def test_a_detached_header_and_payload_decrypt_apart() -> None:
    sample = make_sample(70_000)
    header = Header.parse(sample.data[: len(sample.header.raw)])
    file_key = unwrap_file_key(header, [sample.identity])
    out = io.BytesIO()
    decrypt_payload(io.BytesIO(sample.payload), out, file_key)
    assert out.getvalue() == sample.plaintext


def test_parsing_header_bytes_refuses_anything_after_the_mac_line() -> None:
    _, _, header = _header()
    for extra in (b"\x00", b"\n", header.encode()):
        with pytest.raises(HeaderError, match="after the age header"):
            Header.parse(header.encode() + extra)


def test_reading_a_header_from_a_stream_returns_the_payload_start() -> None:
    _, _, header = _header()
    parsed, surplus = read_header(io.BytesIO(header.encode() + b"payload"))
    assert parsed == header
    assert surplus == b"payload"


def test_an_oversized_header_is_refused_without_reading_on() -> None:
    _, file_key, _ = _header()
    stanzas = tuple(Stanza("big", (), bytes(3000)) for _ in range(30))
    header = Header.build(stanzas, file_key)
    assert len(header.encode()) > MAX_HEADER_SIZE
    with pytest.raises(HeaderError, match="too large"):
        Header.parse(header.encode())
    stream = io.BytesIO(b"age-encryption.org/v1\n" + b"-> x\n" * 1_000_000)
    with pytest.raises(HeaderError, match="too large"):
        read_header(stream)
    assert stream.tell() < 2 * MAX_HEADER_SIZE


def test_too_many_stanzas_are_refused() -> None:
    _, file_key, _ = _header()
    lines = b"".join(Stanza("s").encode() for _ in range(MAX_STANZAS + 1))
    with pytest.raises(ValueError):
        Header.build((Stanza("s"),) * (MAX_STANZAS + 1), file_key)
    data = b"age-encryption.org/v1\n" + lines + b"--- " + b"A" * 43 + b"\n"
    with pytest.raises(HeaderError, match="stanzas"):
        Header.parse(data)


def _replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"\n", b"\r\n"),  # CR LF after the version line
        (b"/v1\n", b"/v2\n"),  # unknown version
        (b"-> ", b"->  "),  # empty argument
        (b"-> supervise.example/bind 3f2a9c v1\n", b"->\n"),  # no type
        (b"\n---", b"\n-> extra\n---"),  # no final body line
        (b"--- ", b"---"),  # no space before the MAC
    ],
)
def test_malformed_headers_are_refused(old: bytes, new: bytes) -> None:
    _, _, header = _header(BIND)
    with pytest.raises(HeaderError):
        Header.parse(_replace_once(header.encode(), old, new))


def test_non_canonical_base64_and_long_lines_are_refused() -> None:
    _, file_key, _ = _header()
    good = Header.build((Stanza("t", (), b"\xff"),), file_key).encode()
    assert b"\n/w\n" in good
    for body in (b"/x", b"/w==", b"/w\r", b"A" * 65):
        with pytest.raises(HeaderError):
            Header.parse(good.replace(b"\n/w\n", b"\n" + body + b"\n"))


def test_a_header_with_no_stanzas_is_refused() -> None:
    with pytest.raises(HeaderError):
        Header.parse(b"age-encryption.org/v1\n--- " + b"A" * 43 + b"\n")


@pytest.mark.parametrize(
    "start", [b"-----BEGIN AGE ENCRYPTED FILE-----\n", b"  \n-----BEGIN AGE"]
)
def test_an_armoured_file_is_refused_clearly(start: bytes) -> None:
    with pytest.raises(ArmorNotSupportedError, match="armoured"):
        read_header(io.BytesIO(start + b"YWdl\n-----END AGE ENCRYPTED FILE-----\n"))
    with pytest.raises(ArmorNotSupportedError):
        Header.parse(start)


def test_an_empty_input_or_other_data_is_not_an_age_file() -> None:
    with pytest.raises(HeaderError):
        read_header(io.BytesIO(b""))
    with pytest.raises(HeaderError, match="not an age"):
        read_header(io.BytesIO(b"hello\n---\n"))


def test_a_passphrase_stanza_must_stand_alone() -> None:
    identity, _, header = _header(Stanza("scrypt", ("c2FsdA", "18"), bytes(32)))
    with pytest.raises(HeaderError, match="only one"):
        unwrap_file_key(header, [identity])
    _, file_key, _ = _header()
    alone = Header.build((Stanza("scrypt", ("c2FsdA", "18"), bytes(32)),), file_key)
    with pytest.raises(NoIdentityMatchError, match="passphrase"):
        unwrap_file_key(alone, [identity])
