"""Recognising ASCII-armoured age files, which this program refuses."""

from __future__ import annotations

from supervise.crypto.age.errors import ArmorNotSupportedError

_ARMOR_START = b"-----BEGIN"


def refuse_armor(start: bytes | bytearray) -> None:
    """Raise if the bytes look like the start of an armoured age file.

    Args:
        start: The first bytes of the file (leading whitespace is allowed).

    Raises:
        ArmorNotSupportedError: The file is armoured.
    """
    if start.lstrip(b" \t\r\n").startswith(_ARMOR_START):
        raise ArmorNotSupportedError(
            "This age file is ASCII-armoured ('-----BEGIN AGE ENCRYPTED "
            "FILE-----'); only binary age files can be read."
        )
