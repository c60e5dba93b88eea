"""The server's host key: made once, kept private, refused when it is not.

Clients pin the host key on their first connection, so it must survive
restarts; and it must stay private, or anyone who reads it can pretend to be
this server. A key file that others may read stops the server.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh


class HostKeyError(Exception):
    """The host key file is unsafe or unusable; the message says what to do."""


def load_or_create(path: Path) -> asyncssh.SSHKey:
    """The ed25519 host key at `path`, generated (mode 0600) if absent.

    Raises:
        HostKeyError: Readable by others, or not a key.
    """
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise HostKeyError(
            f"the SSH host key {path} can be read by others (mode {mode:04o}); "
            f"run: chmod 600 {path}"
        )
    try:
        return asyncssh.read_private_key(path)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise HostKeyError(f"the SSH host key {path} cannot be read: {exc}") from None


def _create(path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="supervise host key")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The SHA256 fingerprint clients show when they first connect."""
    return key.get_fingerprint("sha256")
