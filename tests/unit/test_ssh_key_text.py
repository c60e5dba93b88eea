"""Reading pasted public keys: the accepted kinds, every refusal and its
message, and fingerprints exactly as the real `ssh-keygen -l` prints them."""

from __future__ import annotations

import base64
import shutil
import struct
import subprocess
from pathlib import Path

import asyncssh
import pytest

from supervise.services.errors import InvalidInput
from supervise.services.ssh_key_text import from_wire, parse_public_key

needs_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"
)


def public_text(kind: str, comment: str = "", **options: int) -> str:
    key = asyncssh.generate_private_key(kind, comment=comment or None, **options)
    return bytes(key.convert_to_public().export_public_key("openssh")).decode()


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def security_key_text(kind: str) -> str:
    """A security-key (sk-) public key built from a software key's public
    part: the same wire layout a FIDO token's `.pub` file has."""
    if kind == "sk-ssh-ed25519@openssh.com":
        base = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
        fields = bytes(base.public_data)[4 + len(b"ssh-ed25519") :]
    else:
        base = asyncssh.generate_private_key("ecdsa-sha2-nistp256")
        fields = bytes(base.convert_to_public().public_data)[4 + 19 :]
    blob = ssh_string(kind.encode()) + fields + ssh_string(b"ssh:")
    return f"{kind} {base64.b64encode(blob).decode()} token"


def keygen_fingerprint(tmp_path: Path, text: str) -> str:
    path = tmp_path / "key.pub"
    path.write_text(text + "\n")
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.split()[1]


ACCEPTED = [
    ("ssh-ed25519", {}),
    ("ecdsa-sha2-nistp256", {}),
    ("ecdsa-sha2-nistp384", {}),
    ("ecdsa-sha2-nistp521", {}),
    ("ssh-rsa", {"key_size": 3072}),
]


@needs_keygen
@pytest.mark.parametrize(("kind", "options"), ACCEPTED)
def test_accepted_kinds_parse_with_ssh_keygens_fingerprint(
    tmp_path: Path, kind: str, options: dict[str, int]
) -> None:
    text = public_text(kind, "me@laptop", **options)
    key = parse_public_key(text)
    assert key.algorithm == kind
    assert key.comment == "me@laptop"
    assert key.key_data == " ".join(text.split()[:2])
    assert key.fingerprint == keygen_fingerprint(tmp_path, text)


@needs_keygen
@pytest.mark.parametrize(
    "kind", ["sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"]
)
def test_security_keys_are_accepted_with_ssh_keygens_fingerprint(
    tmp_path: Path, kind: str
) -> None:
    text = security_key_text(kind)
    key = parse_public_key(text)
    assert key.algorithm == kind
    assert key.fingerprint == keygen_fingerprint(tmp_path, text)


@needs_keygen
def test_a_key_made_by_ssh_keygen_is_read_with_its_fingerprint(
    tmp_path: Path,
) -> None:
    path = tmp_path / "id"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t@h", "-f", str(path)],
        check=True,
    )
    text = path.with_suffix(".pub").read_text()
    assert parse_public_key(text).fingerprint == keygen_fingerprint(tmp_path, text)


def test_surrounding_blank_lines_and_spaces_are_ignored() -> None:
    text = public_text("ssh-ed25519", "a  b")
    key = parse_public_key(f"\n\n   {text}  \n\n")
    assert key.comment == "a b"


def test_control_characters_in_the_comment_are_dropped() -> None:
    algorithm, b64 = public_text("ssh-ed25519").split()[:2]
    key = parse_public_key(f"{algorithm} {b64} ok\x1b[31mred\x07")
    assert key.comment.isprintable()
    assert "\x1b" not in key.comment


REFUSALS = [
    ("", "paste a public key"),
    ("   \n\n", "paste a public key"),
    ("hello world", "not an SSH public key"),
    ("ssh-ed25519", "not an SSH public key"),
    ("ssh-ed25519 not-base64!!", "not an SSH public key"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "not an SSH public key"),
    ("ssh-foo AAAAB3NzaC1yc2E=", "not an SSH public key"),
    ('from="10.0.0.1" ssh-ed25519 AAAA', "not an SSH public key"),
    ("ssh-ed25519-cert-v01@openssh.com AAAA", "certificates are not accepted"),
    (
        "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----",
        "one-line",
    ),
]


@pytest.mark.parametrize(("text", "message"), REFUSALS)
def test_text_that_is_not_one_key_is_refused_with_a_clear_message(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_public_key(text)


def test_a_key_whose_type_disagrees_with_its_body_is_refused() -> None:
    b64 = public_text("ecdsa-sha2-nistp256").split()[1]
    with pytest.raises(InvalidInput, match="not an SSH public key"):
        parse_public_key(f"ssh-ed25519 {b64}")


def test_a_dsa_key_is_refused_and_the_message_says_what_to_make() -> None:
    with pytest.raises(InvalidInput, match=r"DSA.*ssh-keygen -t ed25519"):
        parse_public_key(public_text("ssh-dss"))


def test_a_short_rsa_key_is_refused_naming_its_size() -> None:
    with pytest.raises(InvalidInput, match="2048 bits; at least 3072"):
        parse_public_key(public_text("ssh-rsa", key_size=2048))


@pytest.mark.parametrize("kind", ["ssh-ed25519", "ssh-rsa"])
def test_a_pasted_private_key_is_refused_and_the_pub_file_is_asked_for(
    kind: str,
) -> None:
    if kind == "ssh-rsa":
        private = asyncssh.generate_private_key(kind, key_size=3072)
    else:
        private = asyncssh.generate_private_key(kind)
    for form in ("openssh", "pkcs8-pem"):
        text = bytes(private.export_private_key(form)).decode()
        with pytest.raises(InvalidInput, match=r"private key.*\.pub file"):
            parse_public_key(text)


def test_a_putty_private_key_is_refused_as_private() -> None:
    text = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"
    with pytest.raises(InvalidInput, match="private key"):
        parse_public_key(text)


def test_several_keys_at_once_are_refused() -> None:
    one, two = public_text("ssh-ed25519"), public_text("ssh-ed25519")
    for text in (f"{one}\n{two}", f"{one.strip()} {two.strip()}"):
        with pytest.raises(InvalidInput, match="one key at a time"):
            parse_public_key(text)


def test_the_wire_form_reads_a_key_and_gives_none_for_junk() -> None:
    algorithm, b64 = public_text("ssh-ed25519").split()[:2]
    key = from_wire(algorithm, b64)
    assert key is not None and key.key_data == f"{algorithm} {b64}"
    assert from_wire("ssh-ed25519", "junk") is None
    assert from_wire("ssh-dss", b64) is None
