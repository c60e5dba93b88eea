"""Interoperability with the real `age` command, in both directions.

Skipped only where `age` is not installed; CI installs it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from supervise.crypto.age import (
    CHUNK_SIZE,
    HeaderMacError,
    Stanza,
    X25519Identity,
    X25519Recipient,
    decrypt,
    encrypt,
)
from tests.unit.age_helpers import sample_bytes

pytestmark = pytest.mark.skipif(
    shutil.which("age") is None or shutil.which("age-keygen") is None,
    reason="the age command is not installed",
)

SIZES = [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 5 * 1024 * 1024 + 123]


def _age(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["age", *args], input=stdin, capture_output=True, check=False, timeout=60
    )


def _keygen(tmp_path: Path) -> tuple[Path, X25519Identity]:
    """A key made by `age-keygen`, read back by our parser."""
    key_file = tmp_path / "age-keygen.txt"
    subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
    secret = next(
        line
        for line in key_file.read_text().splitlines()
        if line.startswith("AGE-SECRET-KEY-1")
    )
    return key_file, X25519Identity.parse(secret)


def _our_key_file(tmp_path: Path) -> tuple[Path, X25519Identity]:
    identity = X25519Identity.generate()
    key_file = tmp_path / "ours.txt"
    key_file.write_text(identity.secret_string() + "\n")
    return key_file, identity


def test_age_keygen_recipients_match_ours(tmp_path: Path) -> None:
    key_file, identity = _keygen(tmp_path)
    shown = subprocess.run(
        ["age-keygen", "-y", str(key_file)], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert X25519Recipient.parse(shown) == identity.recipient
    assert str(identity.recipient) == shown


@pytest.mark.parametrize("size", SIZES)
def test_age_decrypts_what_we_encrypt(tmp_path: Path, size: int) -> None:
    key_file, identity = _our_key_file(tmp_path)
    plaintext = sample_bytes(size)
    sealed = io.BytesIO()
    encrypt(io.BytesIO(plaintext), sealed, [identity.recipient])
    result = _age("-d", "-i", str(key_file), stdin=sealed.getvalue())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_we_decrypt_what_age_encrypts(tmp_path: Path, size: int) -> None:
    _, identity = _keygen(tmp_path)
    plaintext = sample_bytes(size)
    result = _age("-r", str(identity.recipient), stdin=plaintext)
    assert result.returncode == 0, result.stderr.decode()
    out = io.BytesIO()
    decrypt(io.BytesIO(result.stdout), out, [identity])
    assert out.getvalue() == plaintext


def test_age_decrypts_a_file_to_several_recipients(tmp_path: Path) -> None:
    key_file, identity = _keygen(tmp_path)
    others = [X25519Identity.generate().recipient for _ in range(2)]
    sealed = io.BytesIO()
    encrypt(io.BytesIO(b"shared"), sealed, [*others, identity.recipient])
    result = _age("-d", "-i", str(key_file), stdin=sealed.getvalue())
    assert result.stdout == b"shared"


def test_an_extra_stanza_is_ignored_by_age_but_covered_by_the_mac(
    tmp_path: Path,
) -> None:
    key_file, identity = _our_key_file(tmp_path)
    bind = Stanza("supervise.example/bind", ("rec-7f3a", "v1"), b"")
    plaintext = sample_bytes(2 * CHUNK_SIZE)
    sealed = io.BytesIO()
    encrypt(io.BytesIO(plaintext), sealed, [identity.recipient], [bind])
    result = _age("-d", "-i", str(key_file), stdin=sealed.getvalue())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == plaintext

    edited = sealed.getvalue().replace(b"rec-7f3a", b"rec-7f3b", 1)
    result = _age("-d", "-i", str(key_file), stdin=edited)
    assert result.returncode != 0
    assert b"mac" in result.stderr.lower()
    assert result.stdout == b""
    with pytest.raises(HeaderMacError):
        decrypt(io.BytesIO(edited), io.BytesIO(), [identity])
