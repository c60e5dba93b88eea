"""Account key pairs and the wraps that protect their private halves.

Each account holds an X25519 key pair. The private key is stored twice:
AEAD-wrapped under a key-encryption key (KEK) derived from the password with
Argon2id, and HPKE-wrapped to the program's offline recovery key. The
context (account id and key version) is bound into each wrap, so a wrapped
key copied to another account's row fails to open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

KEK_SALT_BYTES = 16
NONCE_BYTES = 12
HPKE_SUITE = hpke.Suite(
    hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305
)


class KeyUnwrapError(Exception):
    """A wrapped key did not open: wrong password or key, or altered data."""


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def encode(self) -> str:
        """The form stored beside a KEK salt: `t=3,m=65536,p=4`."""
        return f"t={self.time_cost},m={self.memory_kib},p={self.parallelism}"

    @classmethod
    def decode(cls, text: str) -> Argon2Params:
        """Read the stored form back."""
        fields = dict(part.split("=", 1) for part in text.split(","))
        return cls(int(fields["t"]), int(fields["m"]), int(fields["p"]))

    def at_least(self, other: Argon2Params) -> bool:
        """Whether every cost here is at least the other's."""
        return (
            self.time_cost >= other.time_cost
            and self.memory_kib >= other.memory_kib
            and self.parallelism >= other.parallelism
        )


def derive_kek(password: str, salt: bytes, params: Argon2Params) -> bytes:
    """The 32-byte key-encryption key for a password (never stored)."""
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def new_kek_salt() -> bytes:
    """A fresh random salt for a KEK (distinct from the login hash's salt)."""
    return os.urandom(KEK_SALT_BYTES)


def generate_key_pair() -> tuple[X25519PrivateKey, bytes]:
    """A new X25519 key pair: the private key and the raw public key."""
    private = X25519PrivateKey.generate()
    return private, public_bytes(private)


def public_bytes(private: X25519PrivateKey) -> bytes:
    """The raw 32-byte public key of a private key."""
    return private.public_key().public_bytes_raw()


def _account_context(account_id: int, key_version: int) -> bytes:
    return f"supervise/user-key/v1|{account_id}|{key_version}".encode()


def wrap_private_key(
    private: X25519PrivateKey, kek: bytes, account_id: int, key_version: int
) -> bytes:
    """Seal a private key under a KEK: nonce then ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = ChaCha20Poly1305(kek).encrypt(
        nonce, private.private_bytes_raw(), _account_context(account_id, key_version)
    )
    return nonce + sealed


def unwrap_private_key(
    wrapped: bytes, kek: bytes, account_id: int, key_version: int
) -> X25519PrivateKey:
    """Open a private key sealed by `wrap_private_key`.

    Raises:
        KeyUnwrapError: The KEK is wrong or the data or its context changed.
    """
    nonce, sealed = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        raw = ChaCha20Poly1305(kek).decrypt(
            nonce, sealed, _account_context(account_id, key_version)
        )
    except (InvalidTag, ValueError):
        raise KeyUnwrapError("the account's private key did not open") from None
    return X25519PrivateKey.from_private_bytes(raw)


def hpke_seal(secret: bytes, recipient: bytes, info: bytes) -> bytes:
    """HPKE-wrap a secret to a raw X25519 public key, bound to `info`."""
    public = X25519PublicKey.from_public_bytes(recipient)
    return HPKE_SUITE.encrypt(secret, public, info=info)


def hpke_open(sealed: bytes, private: X25519PrivateKey, info: bytes) -> bytes:
    """Open an HPKE wrap made by `hpke_seal` with the same `info`.

    Raises:
        KeyUnwrapError: The key is not the recipient's, or data or context changed.
    """
    try:
        return HPKE_SUITE.decrypt(sealed, private, info=info)
    except (InvalidTag, ValueError):
        raise KeyUnwrapError("the wrapped secret did not open") from None


def recovery_info(account_id: int) -> bytes:
    """The HPKE context of an account's recovery copy."""
    return f"supervise/recovery/v1|{account_id}".encode()
