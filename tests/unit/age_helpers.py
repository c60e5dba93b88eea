"""Shared pieces for the age tests: the CCTV vectors, sample files, a recorder.

The CCTV vectors live in `shared/testdata/age-cctv/` beside the project
checkout (in CI a copy of `shared/` is placed there). Loading never skips
silently: a missing folder gives no vectors, and the count test fails.
"""

from __future__ import annotations

import hashlib
import io
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

from supervise.crypto.age import Header, X25519Identity, encrypt
from supervise.crypto.age.stream import NONCE_SIZE, SEALED_CHUNK_SIZE

CCTV_DIR = (
    Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "age-cctv"
)


@dataclass(frozen=True)
class Vector:
    """One CCTV test file, split into its metadata and its age file."""

    name: str
    fields: dict[str, list[str]]
    data: bytes

    @property
    def expect(self) -> str:
        """The expected outcome, e.g. `success` or `payload failure`."""
        return self.fields["expect"][0]

    @property
    def identities(self) -> list[X25519Identity]:
        """The identities the vector says to decrypt with."""
        return [X25519Identity.parse(text) for text in self.fields.get("identity", [])]

    @property
    def payload_sha256(self) -> str | None:
        """The hash of all plaintext a decryptor may release, if given."""
        return self.fields.get("payload", [None])[0]

    def skip_reason(self) -> str | None:
        """Why this implementation cannot run the vector, or None to run it."""
        if self.fields.get("armored") == ["yes"]:
            return "armored (ASCII armour is refused by design)"
        if "passphrase" in self.fields:
            return "scrypt (passphrase recipients are not supported)"
        if any(
            i.startswith("AGE-SECRET-KEY-PQ-") for i in self.fields.get("identity", [])
        ):
            return "hybrid post-quantum identity (not supported)"
        return None


def load_vector(path: Path) -> Vector:
    """Read one CCTV file, inflating the age file when it is zlib-compressed."""
    meta, _, data = path.read_bytes().partition(b"\n\n")
    fields: dict[str, list[str]] = {}
    for line in meta.decode("utf-8").splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    if fields.get("compressed") == ["zlib"]:
        data = zlib.decompress(data)
    return Vector(path.name, fields, data)


def all_vectors() -> list[Vector]:
    """Every CCTV vector, or none if the folder is missing."""
    if not CCTV_DIR.is_dir():
        return []
    return [load_vector(path) for path in sorted(CCTV_DIR.iterdir())]


def runnable_vectors() -> list[Vector]:
    """The vectors this implementation's feature set can run."""
    return [vector for vector in all_vectors() if vector.skip_reason() is None]


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sample_bytes(size: int, seed: int = 7) -> bytes:
    """Deterministic pseudo-random plaintext of the given size."""
    return random.Random(seed).randbytes(size)


@dataclass(frozen=True)
class SampleFile:
    """An age file made by this code, with the pieces tests poke at."""

    identity: X25519Identity
    plaintext: bytes
    header: Header
    data: bytes

    @property
    def payload(self) -> bytes:
        """The bytes after the header."""
        return self.data[len(self.header.raw) :]

    def chunk_offset(self, index: int) -> int:
        """Where sealed chunk `index` starts in the whole file."""
        return len(self.header.raw) + NONCE_SIZE + index * SEALED_CHUNK_SIZE


def make_sample(size: int, *, seed: int = 7) -> SampleFile:
    """Encrypt `size` deterministic bytes to a fresh identity."""
    identity = X25519Identity.generate()
    plaintext = sample_bytes(size, seed)
    out = io.BytesIO()
    header = encrypt(io.BytesIO(plaintext), out, [identity.recipient])
    return SampleFile(identity, plaintext, header, out.getvalue())
