"""The textual header of an age v1 file: stanzas and the header MAC.

A header is the version line, one or more stanzas (`-> type args...` and a
base64 body wrapped at 64 columns whose last line is shorter than 64), and the
MAC line `--- <base64>`. The MAC is HMAC-SHA-256 over every byte up to and
including `---`, keyed from the file key. Parsing is strict (canonical
unpadded base64, LF line ends, no empty arguments, bounded size), and the
bytes that were read are kept so the MAC is checked over exactly them.

A header can live apart from its payload: `Header.parse` takes the header
bytes alone and refuses anything after the MAC line.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from hashlib import sha256

from supervise.crypto.age.armor import refuse_armor
from supervise.crypto.age.b64 import decode_canonical, encode_unpadded
from supervise.crypto.age.errors import HeaderError, HeaderMacError
from supervise.crypto.age.filekey import FileKey
from supervise.crypto.age.iohelpers import Readable

VERSION_LINE = b"age-encryption.org/v1"
MAX_HEADER_SIZE = 64 * 1024
MAX_STANZAS = 256
BODY_COLUMNS = 64
MAC_SIZE = 32
_READ_BLOCK = 4096


def _is_valid_arg(arg: str) -> bool:
    return arg != "" and all(33 <= ord(char) <= 126 for char in arg)


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: a type, further arguments and a binary body.

    Stanzas of types this code does not know are kept as they are: the MAC
    covers them and identities skip them.
    """

    type: str
    args: tuple[str, ...] = ()
    body: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        if not all(_is_valid_arg(arg) for arg in (self.type, *self.args)):
            raise ValueError("Stanza arguments must be non-empty printable ASCII.")

    def encode(self) -> bytes:
        """The stanza as header lines, each ending in LF."""
        words = " ".join((self.type, *self.args)).encode("ascii")
        text = encode_unpadded(self.body)
        lines = [text[i : i + BODY_COLUMNS] for i in range(0, len(text), BODY_COLUMNS)]
        if not lines or len(lines[-1]) == BODY_COLUMNS:
            lines.append(b"")
        return b"-> " + words + b"\n" + b"".join(line + b"\n" for line in lines)


def _mac_key(file_key: FileKey) -> bytes:
    return file_key.derive(salt=b"", info=b"header")


def _compute_mac(file_key: FileKey, covered: bytes) -> bytes:
    return hmac.new(_mac_key(file_key), covered, sha256).digest()


@dataclass(frozen=True)
class Header:
    """A parsed or newly built header, with the exact bytes it came from."""

    stanzas: tuple[Stanza, ...]
    mac: bytes = field(repr=False)
    raw: bytes = field(repr=False)

    @classmethod
    def build(cls, stanzas: tuple[Stanza, ...], file_key: FileKey) -> Header:
        """A new header over these stanzas, with its MAC under `file_key`.

        Raises:
            ValueError: There are no stanzas, or too many.
        """
        if not 1 <= len(stanzas) <= MAX_STANZAS:
            raise ValueError(f"A header holds 1 to {MAX_STANZAS} stanzas.")
        covered = VERSION_LINE + b"\n" + b"".join(s.encode() for s in stanzas) + b"---"
        mac = _compute_mac(file_key, covered)
        raw = covered + b" " + encode_unpadded(mac) + b"\n"
        return cls(stanzas, mac, raw)

    @classmethod
    def parse(cls, data: bytes) -> Header:
        """Parse header bytes that hold one header and nothing else.

        Raises:
            HeaderError: The bytes are not exactly one valid header.
        """
        refuse_armor(data)
        end = _header_end(data)
        if end is None:
            raise HeaderError("The age header is incomplete or has no MAC line.")
        if end != len(data):
            raise HeaderError("There is unexpected data after the age header.")
        return _parse(data)

    def encode(self) -> bytes:
        """The header bytes, exactly as read or built."""
        return self.raw

    def verify_mac(self, file_key: FileKey) -> None:
        """Check the MAC over the header bytes as they were read.

        Raises:
            HeaderMacError: The MAC does not match this file key.
        """
        covered = self.raw[: self.raw.rindex(b"\n---") + 4]
        if not hmac.compare_digest(_compute_mac(file_key, covered), self.mac):
            raise HeaderMacError(
                "The age header's MAC is wrong: the header was altered or does "
                "not belong with this key."
            )


def read_header(reader: Readable) -> tuple[Header, bytes]:
    """Read a header from the start of a binary stream.

    Args:
        reader: The stream, positioned at the start of an age file.

    Returns:
        The header and any bytes read past it (the start of the payload).

    Raises:
        HeaderError: The stream does not start with a valid header.
    """
    buffer = bytearray()
    while (end := _header_end(buffer)) is None:
        if len(buffer) > MAX_HEADER_SIZE:
            raise HeaderError("The age header is too large.")
        block = reader.read(_READ_BLOCK)
        if not block:
            raise HeaderError("The file ends before the age header is complete.")
        buffer += block
        refuse_armor(buffer)
    return Header.parse(bytes(buffer[:end])), bytes(buffer[end:])


def _header_end(data: bytes | bytearray) -> int | None:
    """The offset just past the MAC line (the first line starting `---`)."""
    start = data.find(b"\n---")
    if start < 0:
        return None
    newline = data.find(b"\n", start + 1)
    if newline < 0:
        return None
    return newline + 1


def _parse(raw: bytes) -> Header:
    if len(raw) > MAX_HEADER_SIZE:
        raise HeaderError("The age header is too large.")
    lines = raw[:-1].split(b"\n")
    _check_version(lines[0])
    stanzas: list[Stanza] = []
    index = 1
    while index < len(lines) - 1:
        stanza, index = _parse_stanza(lines, index)
        stanzas.append(stanza)
    if not 1 <= len(stanzas) <= MAX_STANZAS:
        raise HeaderError(f"An age header must hold 1 to {MAX_STANZAS} stanzas.")
    return Header(tuple(stanzas), _parse_mac_line(lines[-1]), raw)


def _check_version(line: bytes) -> None:
    if line == VERSION_LINE:
        return
    if line.rstrip(b"\r") == VERSION_LINE:
        raise HeaderError("The age header has CR LF line ends; it must use LF.")
    if line.startswith(b"age-encryption.org/"):
        raise HeaderError("This age file uses a version this program cannot read.")
    raise HeaderError("This is not an age encrypted file.")


def _parse_stanza(lines: list[bytes], index: int) -> tuple[Stanza, int]:
    """Parse the stanza starting at `lines[index]`; return it and the next index.

    The last entry of `lines` is the MAC line and never part of a stanza.
    """
    words = _parse_stanza_line(lines[index])
    body: list[bytes] = []
    while True:
        index += 1
        if index >= len(lines) - 1:
            raise HeaderError("A stanza in the age header has no final body line.")
        line = lines[index]
        if len(line) > BODY_COLUMNS:
            raise HeaderError("A stanza body line in the age header is too long.")
        body.append(_decode(line))
        if len(line) < BODY_COLUMNS:
            return Stanza(words[0], tuple(words[1:]), b"".join(body)), index + 1


def _parse_stanza_line(line: bytes) -> list[str]:
    if line == b"->":
        raise HeaderError("A stanza in the age header has no type.")
    if not line.startswith(b"-> "):
        raise HeaderError("The age header holds a line that is not a stanza.")
    try:
        words = line[3:].decode("ascii").split(" ")
    except UnicodeDecodeError:
        raise HeaderError("A stanza in the age header has invalid bytes.") from None
    if not all(_is_valid_arg(word) for word in words):
        raise HeaderError(
            "A stanza in the age header has an empty or invalid argument."
        )
    return words


def _parse_mac_line(line: bytes) -> bytes:
    if not line.startswith(b"--- "):
        raise HeaderError("The age header's MAC line is malformed.")
    mac = _decode(line[4:])
    if len(mac) != MAC_SIZE:
        raise HeaderError("The age header's MAC has the wrong length.")
    return mac


def _decode(text: bytes) -> bytes:
    decoded = decode_canonical(text)
    if decoded is None:
        raise HeaderError("The age header holds invalid or non-canonical base64.")
    return decoded
