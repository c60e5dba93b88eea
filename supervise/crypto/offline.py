"""The program's offline key files: escrow (break glass) and account recovery.

`init` writes each private half once, to a file the admin names, and keeps only
the public half in the database. The file is text, so it can be printed.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from supervise.crypto.keys import public_bytes

_MARKERS = {
    "escrow": "SUPERVISE-ESCROW-KEY-V1",
    "recovery": "SUPERVISE-RECOVERY-KEY-V1",
}
_PURPOSE = {
    "escrow": "opens every recording and client record in an emergency (break glass)",
    "recovery": "restores an account whose password is lost",
}


class OfflineKeyError(Exception):
    """An offline key file could not be written or read."""


def write_offline_key(path: Path, kind: str, program: str) -> bytes:
    """Generate a key pair, write its private half to `path` once.

    Returns:
        The raw public key, to be kept in the database.

    Raises:
        OfflineKeyError: The file exists or cannot be created.
    """
    private = X25519PrivateKey.generate()
    public = public_bytes(private)
    text = (
        f"# supervise {kind} key for the program {program!r}\n"
        f"# It {_PURPOSE[kind]}.\n"
        "# Keep it off the server: print it or store it on removable media,\n"
        "# in a safe, under the custody your program's policy names.\n"
        f"# public: {base64.b64encode(public).decode()}\n"
        f"{_MARKERS[kind]} "
        f"{base64.b64encode(private.private_bytes_raw()).decode()}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise OfflineKeyError(f"{path} exists already; not replacing it") from None
    except OSError as exc:
        raise OfflineKeyError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return public


def read_offline_key(path: Path, kind: str) -> X25519PrivateKey:
    """Read an offline private key written by `write_offline_key`.

    Raises:
        OfflineKeyError: Missing, unreadable, or not a key of this kind.
    """
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        raise OfflineKeyError(f"cannot read the {kind} key file {path}") from None
    for line in lines:
        marker, _, value = line.partition(" ")
        if marker == _MARKERS[kind]:
            try:
                raw = base64.b64decode(value.strip(), validate=True)
                return X25519PrivateKey.from_private_bytes(raw)
            except ValueError:
                break
    raise OfflineKeyError(f"{path} is not a supervise {kind} key file")
