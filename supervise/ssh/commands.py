"""The commands an SSH connection may ask to run instead of the app.

Only one exists: `export ID`, which streams a recording's plaintext to the
client's standard output. Shared by the built-in server and by the OpenSSH
forced command (`tui --key-id`), so both accept and refuse the same things.
"""

from __future__ import annotations

EXPORT_USAGE = "the only command is 'export ID' (a recording id)"
"""What a refused command is told."""

_MAX_ID_DIGITS = 18


def export_id(command: str) -> int | None:
    """The recording id of `export ID`, or None for anything else."""
    words = command.split()
    if len(words) != 2 or words[0] != "export":
        return None
    digits = words[1]
    if not digits.isascii() or not digits.isdigit() or len(digits) > _MAX_ID_DIGITS:
        return None
    return int(digits)
