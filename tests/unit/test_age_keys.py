"""age X25519 keys: strict Bech32 strings, wrapping, and secrets kept out of repr."""

from __future__ import annotations

import pytest

from supervise.crypto.age import (
    FileKey,
    HeaderError,
    KeyFormatError,
    Stanza,
    X25519Identity,
    X25519Recipient,
    bech32,
)

# From the CCTV vectors (public test data).
IDENTITY = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"


def test_an_identity_string_round_trips_and_gives_its_recipient() -> None:
    identity = X25519Identity.parse(IDENTITY)
    assert identity.secret_string() == IDENTITY
    recipient = identity.recipient
    assert str(recipient).startswith("age1")
    assert X25519Recipient.parse(str(recipient)) == recipient
    assert len(str(recipient)) == 62


def test_generated_identities_are_distinct_and_round_trip() -> None:
    first, second = X25519Identity.generate(), X25519Identity.generate()
    assert first.secret_string() != second.secret_string()
    again = X25519Identity.parse(first.secret_string())
    assert again.recipient == first.recipient


def test_a_secret_never_appears_in_repr_or_str() -> None:
    identity = X25519Identity.parse(IDENTITY)
    for text in (repr(identity), str(identity), repr([identity])):
        assert IDENTITY not in text
        assert IDENTITY.lower() not in text
    file_key = FileKey(bytes(range(16)))
    assert bytes(range(16)).hex() not in repr(file_key)
    assert "hidden" in repr(file_key)


def _flip_last_character(text: str) -> str:
    last = text[-1]
    replacement = "q" if last.lower() != "q" else "p"
    return text[:-1] + (replacement.upper() if text.isupper() else replacement)


@pytest.mark.parametrize(
    "text",
    [
        IDENTITY.lower(),  # identities are upper case, as age writes them
        IDENTITY[:20] + IDENTITY[20:].lower(),  # mixed case
        _flip_last_character(IDENTITY),  # checksum
        IDENTITY.replace("AGE-SECRET-KEY-1", "AGE-SECRET-KEY-PQ-1"),
        IDENTITY[:-1],  # one character short
        IDENTITY + "Q",
        IDENTITY.replace("E", "B", 3),  # 'b' is not in the Bech32 alphabet
        "",
        "AGE-SECRET-KEY-",
        IDENTITY + " ",
    ],
)
def test_a_malformed_identity_is_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        X25519Identity.parse(text)


def test_a_recipient_must_be_lower_case_with_the_age_prefix() -> None:
    recipient = str(X25519Identity.parse(IDENTITY).recipient)
    for text in (
        recipient.upper(),
        "agf" + recipient[3:],
        _flip_last_character(recipient),
    ):
        with pytest.raises(KeyFormatError):
            X25519Recipient.parse(text)


def test_a_key_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(KeyFormatError):
        X25519Recipient.parse(bech32.encode("age", bytes(31)))
    with pytest.raises(KeyFormatError):
        X25519Identity.parse(bech32.encode("AGE-SECRET-KEY-", bytes(33)))


def test_non_zero_padding_bits_are_refused() -> None:
    # 32 bytes take 52 five-bit groups with 4 padding bits; set one of them
    # and recompute the checksum, so only the padding is wrong.
    groups = [bech32.CHARSET.index(c) for c in bech32.encode("age", bytes(32))[4:-6]]
    groups[-1] |= 1
    checksum_input = bech32._expand_hrp("age") + groups + [0] * 6
    checksum = bech32._polymod(checksum_input) ^ 1
    groups += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    text = "age1" + "".join(bech32.CHARSET[g] for g in groups)
    with pytest.raises(KeyFormatError, match="padding"):
        bech32.decode(text, "age")


def test_a_wrapped_file_key_opens_only_with_its_identity() -> None:
    identity, other = X25519Identity.generate(), X25519Identity.generate()
    file_key = FileKey.generate()
    stanza = identity.recipient.wrap(file_key)
    assert stanza.type == "X25519"
    assert len(stanza.body) == 32
    assert identity.unwrap([stanza]) == file_key
    assert other.unwrap([stanza]) is None


def test_an_identity_skips_stanzas_of_other_types() -> None:
    identity = X25519Identity.generate()
    file_key = FileKey.generate()
    unknown = Stanza("x25519", ("not-ours",), b"\x00" * 32)
    stanzas = [unknown, Stanza("grease", (), b""), identity.recipient.wrap(file_key)]
    assert identity.unwrap(stanzas) == file_key


def test_a_malformed_x25519_stanza_is_refused_even_beside_a_good_one() -> None:
    identity = X25519Identity.generate()
    good = identity.recipient.wrap(FileKey.generate())
    long_body = Stanza("X25519", good.args, good.body + b"\x00")
    with pytest.raises(HeaderError, match="wrong length"):
        identity.unwrap([good, long_body])


def test_a_low_order_recipient_key_cannot_be_wrapped_to() -> None:
    with pytest.raises(KeyFormatError):
        X25519Recipient(bytes(32)).wrap(FileKey.generate())
