"""Host secrets: the keys kept in a 0600 file outside the database.

The file holds the keystore key (wraps each recording's `S_retain`), the audit
MAC key, and the Ed25519 key that signs audit checkpoints. It is backed up on
its own channel: a stolen database without it reveals nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FORMAT_VERSION = 1


class HostSecretsError(Exception):
    """The host secrets file is missing, unreadable or malformed."""


@dataclass(frozen=True, repr=False)
class HostSecrets:
    """The three host keys. `repr` is withheld so keys never reach a log."""

    keystore_key: bytes
    audit_key: bytes
    checkpoint_key: bytes

    def __repr__(self) -> str:
        return f"HostSecrets(id={self.fingerprint})"

    @property
    def fingerprint(self) -> str:
        """A non-secret id that ties a database to this secrets file."""
        digest = hashlib.sha256(b"supervise/host-secrets-id/v1")
        for key in (self.keystore_key, self.audit_key, self.checkpoint_key):
            digest.update(key)
        return digest.hexdigest()[:32]

    def signing_key(self) -> Ed25519PrivateKey:
        """The audit checkpoint signing key."""
        return Ed25519PrivateKey.from_private_bytes(self.checkpoint_key)

    @classmethod
    def generate(cls) -> HostSecrets:
        """Fresh random host secrets."""
        return cls(os.urandom(32), os.urandom(32), os.urandom(32))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def write_host_secrets(path: Path, secrets: HostSecrets) -> None:
    """Create the secrets file, 0600; refuse to replace an existing one.

    Raises:
        HostSecretsError: The file exists already.
    """
    body = {
        "format": FORMAT_VERSION,
        "keystore_key": _b64(secrets.keystore_key),
        "audit_key": _b64(secrets.audit_key),
        "checkpoint_key": _b64(secrets.checkpoint_key),
    }
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HostSecretsError(f"{path} exists already; not replacing it") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        json.dump(body, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_host_secrets(path: Path) -> HostSecrets:
    """Load the secrets file.

    Raises:
        HostSecretsError: Missing, unreadable or malformed.
    """
    try:
        body = json.loads(path.read_text(encoding="ascii"))
        if body.get("format") != FORMAT_VERSION:
            raise ValueError("unknown format")
        keys = [
            base64.b64decode(body[name], validate=True)
            for name in ("keystore_key", "audit_key", "checkpoint_key")
        ]
    except FileNotFoundError:
        raise HostSecretsError(f"host secrets file {path} is missing") from None
    except PermissionError:
        raise HostSecretsError(f"cannot read host secrets file {path}") from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise HostSecretsError(f"host secrets file {path} is malformed") from None
    if any(len(key) != 32 for key in keys):
        raise HostSecretsError(f"host secrets file {path} is malformed")
    return HostSecrets(*keys)
