"""Reading a pasted SSH public key: which kinds are accepted, and why not.

Pure functions, no database: a key arrives as text (OpenSSH's one-line
`.pub` form), is parsed with asyncssh, checked against the program's rules and
comes back as a `PublicKey` with its fingerprint as `ssh-keygen -l` prints it.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import struct
from dataclasses import dataclass

import asyncssh

from supervise.services.errors import InvalidInput

ACCEPTED = frozenset(
    {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-rsa",
    }
)
"""Key types a person may register (RSA only from `MIN_RSA_BITS`)."""

MIN_RSA_BITS = 3072
MAX_RSA_BITS = 8192
COMMENT_MAX = 100
MAKE_ONE = "make one with `ssh-keygen -t ed25519`"

_KEY_TYPE = re.compile(r"(?:sk-)?(?:ssh|ecdsa)-[a-z0-9@.-]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True)
class PublicKey:
    """A checked public key, ready to store."""

    algorithm: str
    """As OpenSSH names it, e.g. `ssh-ed25519`."""
    key_data: str
    """`<algorithm> <base64>`: the one-line form without the comment."""
    fingerprint: str
    """`SHA256:...`, as `ssh-keygen -l` prints it."""
    comment: str = ""


def from_asyncssh(key: asyncssh.SSHKey) -> PublicKey:
    """The stored form of a key asyncssh already holds (a login's key)."""
    blob = bytes(key.public_data)
    algorithm = _blob_type(blob)
    data = f"{algorithm} {base64.b64encode(blob).decode('ascii')}"
    return PublicKey(algorithm, data, str(key.get_fingerprint("sha256")))


def from_wire(algorithm: str, b64: str) -> PublicKey | None:
    """A key as sshd hands it to AuthorizedKeysCommand (`%t %k`), or None
    when the two do not make a key."""
    try:
        return _parse(algorithm, b64, "")
    except InvalidInput:
        return None


def parse_public_key(text: str) -> PublicKey:
    """Check one pasted public key and return it.

    Raises:
        InvalidInput: Not one acceptable public key; the message says what
            to paste instead.
    """
    lines = [ln.strip() for ln in text.strip().splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    _refuse_wrong_kinds(text, lines)
    parts = lines[0].split(None, 2)
    if len(parts) < 2:
        raise InvalidInput(_not_a_key())
    comment = parts[2] if len(parts) == 3 else ""
    if _KEY_TYPE.search(comment) and _looks_like_key(comment):
        raise InvalidInput("paste one key at a time")
    return _parse(parts[0], parts[1], _clean_comment(comment))


def _refuse_wrong_kinds(text: str, lines: list[str]) -> None:
    if "PRIVATE KEY" in text or "PuTTY-User-Key-File" in text:
        raise InvalidInput(
            "that is a private key: never share it; paste the public key, "
            "the contents of the .pub file (e.g. ~/.ssh/id_ed25519.pub)"
        )
    if not lines:
        raise InvalidInput("paste a public key (the contents of your .pub file)")
    if "BEGIN SSH2 PUBLIC KEY" in text:
        raise InvalidInput(
            "paste the key in OpenSSH's one-line form "
            "(`ssh-keygen -i -f key.pub` converts this one)"
        )
    if len(lines) > 1:
        raise InvalidInput("paste one key at a time")


def _looks_like_key(comment: str) -> bool:
    words = comment.split()
    return any(
        _KEY_TYPE.fullmatch(a) and len(b) > 40 and _BASE64.fullmatch(b)
        for a, b in itertools.pairwise(words)
    )


def _not_a_key() -> str:
    return (
        "this is not an SSH public key: paste one line from your .pub file, "
        "starting with its type (e.g. ssh-ed25519 AAAA...)"
    )


def _clean_comment(comment: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in comment)
    return " ".join(printable.split())[:COMMENT_MAX]


def _parse(algorithm: str, b64: str, comment: str) -> PublicKey:
    if algorithm.endswith("-cert-v01@openssh.com"):
        raise InvalidInput("certificates are not accepted: paste the plain public key")
    if algorithm == "ssh-dss":
        raise InvalidInput(f"DSA keys are no longer safe; {MAKE_ONE}")
    if algorithm not in ACCEPTED:
        raise InvalidInput(_not_a_key())
    try:
        blob = base64.b64decode(b64, validate=True)
        key = asyncssh.import_public_key(f"{algorithm} {b64}")
    except (binascii.Error, ValueError):
        raise InvalidInput(_not_a_key()) from None
    if _blob_type(blob) != algorithm:
        raise InvalidInput(_not_a_key())
    if algorithm == "ssh-rsa":
        _check_rsa(blob)
    return PublicKey(
        algorithm,
        f"{algorithm} {base64.b64encode(blob).decode('ascii')}",
        str(key.get_fingerprint("sha256")),
        comment,
    )


def _check_rsa(blob: bytes) -> None:
    _, rest = _read_string(blob)
    _, rest = _read_string(rest)  # the public exponent
    modulus, _ = _read_string(rest)
    bits = int.from_bytes(modulus, "big").bit_length()
    if bits < MIN_RSA_BITS:
        raise InvalidInput(
            f"this RSA key has {bits} bits; at least {MIN_RSA_BITS} are needed "
            f"({MAKE_ONE})"
        )
    if bits > MAX_RSA_BITS:
        raise InvalidInput(f"RSA keys above {MAX_RSA_BITS} bits are not accepted")


def _read_string(data: bytes) -> tuple[bytes, bytes]:
    if len(data) < 4:
        raise InvalidInput(_not_a_key())
    (length,) = struct.unpack(">I", data[:4])
    if len(data) < 4 + length:
        raise InvalidInput(_not_a_key())
    return data[4 : 4 + length], data[4 + length :]


def _blob_type(blob: bytes) -> str:
    name, _ = _read_string(blob)
    return name.decode("ascii", errors="replace")
