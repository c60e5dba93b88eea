"""Bech32 (BIP 173 checksum) as age uses it for X25519 keys.

age writes recipients as `age1...` in lower case and identities as
`AGE-SECRET-KEY-1...` in upper case. Unlike BIP 173 it sets no 90-character
limit, but the keys are fixed-size, so the lengths here are fixed too.
Decoding is strict: one case throughout, a valid checksum, the expected
human-readable part, and zero padding bits.
"""

from __future__ import annotations

from supervise.crypto.age.errors import KeyFormatError

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUES = {char: index for index, char in enumerate(CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_CHECKSUM_LENGTH = 6


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                check ^= generator
    return check


def _expand_hrp(hrp: str) -> list[int]:
    codes = [ord(char) for char in hrp]
    return [code >> 5 for code in codes] + [0] + [code & 31 for code in codes]


def _to_groups(data: bytes) -> list[int]:
    """Bytes as five-bit groups, the last one padded with zero bits."""
    accumulator, bits, result = 0, 0, []
    for value in data:
        accumulator = (accumulator << 8) | value
        bits += 8
        while bits >= 5:
            bits -= 5
            result.append((accumulator >> bits) & 31)
    if bits:
        result.append((accumulator << (5 - bits)) & 31)
    return result


def _to_bytes(groups: list[int]) -> bytes:
    """Five-bit groups back to bytes, refusing leftover or non-zero padding."""
    accumulator, bits, result = 0, 0, bytearray()
    for value in groups:
        accumulator = (accumulator << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            result.append((accumulator >> bits) & 0xFF)
    if bits >= 5 or accumulator & ((1 << bits) - 1):
        raise KeyFormatError("The key has invalid padding.")
    return bytes(result)


def encode(hrp: str, data: bytes) -> str:
    """Encode bytes under a human-readable part, in the case of `hrp`.

    Args:
        hrp: The human-readable part, all lower or all upper case.
        data: The bytes to encode.

    Returns:
        The Bech32 string.
    """
    groups = _to_groups(data)
    values = _expand_hrp(hrp.lower()) + groups + [0] * _CHECKSUM_LENGTH
    checksum = _polymod(values) ^ 1
    groups += [(checksum >> 5 * (5 - i)) & 31 for i in range(_CHECKSUM_LENGTH)]
    text = hrp.lower() + "1" + "".join(CHARSET[group] for group in groups)
    return text.upper() if hrp.isupper() else text


def decode(text: str, hrp: str) -> bytes:
    """Decode a Bech32 string that must carry exactly the given `hrp`.

    The comparison of the human-readable part is case-sensitive, so an
    identity must be upper case and a recipient lower case, as age writes them.

    Args:
        text: The Bech32 string.
        hrp: The expected human-readable part.

    Returns:
        The decoded bytes.

    Raises:
        KeyFormatError: The string is not valid Bech32 under `hrp`.
    """
    if text != text.lower() and text != text.upper():
        raise KeyFormatError("The key mixes upper and lower case.")
    if any(not 33 <= ord(char) <= 126 for char in text):
        raise KeyFormatError("The key contains characters that are not allowed.")
    separator = text.rfind("1")
    if separator < 0 or text[:separator] != hrp:
        raise KeyFormatError("The key is not of the expected kind.")
    payload = text[separator + 1 :].lower()
    if len(payload) < _CHECKSUM_LENGTH or any(c not in _VALUES for c in payload):
        raise KeyFormatError("The key contains characters that are not allowed.")
    groups = [_VALUES[char] for char in payload]
    if _polymod(_expand_hrp(hrp.lower()) + groups) != 1:
        raise KeyFormatError("The key's checksum does not match.")
    return _to_bytes(groups[:-_CHECKSUM_LENGTH])
