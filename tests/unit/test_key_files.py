"""Host secrets and offline key files: written once, private, read strictly."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from supervise.crypto.hostsecrets import (
    HostSecrets,
    HostSecretsError,
    read_host_secrets,
    write_host_secrets,
)
from supervise.crypto.keys import public_bytes
from supervise.crypto.offline import (
    OfflineKeyError,
    read_offline_key,
    write_offline_key,
)


def test_host_secrets_round_trip_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    secrets = HostSecrets.generate()
    write_host_secrets(path, secrets)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_host_secrets(path) == secrets
    assert secrets.keystore_key.hex() not in repr(secrets)


def test_host_secrets_are_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    write_host_secrets(path, HostSecrets.generate())
    before = path.read_bytes()
    with pytest.raises(HostSecretsError, match="exists already"):
        write_host_secrets(path, HostSecrets.generate())
    assert path.read_bytes() == before


@pytest.mark.parametrize("body", ["", "{}", '{"format": 1}', "not json at all"])
def test_a_malformed_secrets_file_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(body)
    with pytest.raises(HostSecretsError):
        read_host_secrets(path)


def test_an_offline_key_file_holds_the_private_half_of_the_kept_public_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "escrow.key"
    public = write_offline_key(path, "escrow", "Test Program")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_bytes(read_offline_key(path, "escrow")) == public
    with pytest.raises(OfflineKeyError, match="not a supervise recovery key"):
        read_offline_key(path, "recovery")
    with pytest.raises(OfflineKeyError, match="exists already"):
        write_offline_key(path, "escrow", "Test Program")
