"""A recording's keys end to end: grants, keystore, header, payload, revoke.

Everything is real: HPKE grants, a keystore SQLite file, a detached age
header, a payload in memory, and the `age` command as the outside reader.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from supervise.crypto.age import (
    CHUNK_SIZE,
    FileKey,
    Header,
    HeaderMacError,
    NoIdentityMatchError,
    X25519Identity,
    decrypt_payload,
    encrypt_payload,
)
from supervise.crypto.binding import BindingError
from supervise.crypto.hostsecrets import HostSecrets
from supervise.crypto.keys import KeyUnwrapError, generate_key_pair
from supervise.crypto.keystore import Keystore
from supervise.crypto.recording_keys import (
    ObjectKeys,
    ObjectShreddedError,
    grant_to,
    hard_revoke,
    keystore_entry,
    new_object_keys,
    open_object_keys,
    recording_file_key,
    recording_header,
)
from supervise.crypto.sealedfields import SealedFieldError, open_field, seal_field
from supervise.crypto.sealing import ESCROW, Grantee, ObjectKind

REC = ObjectKind.RECORDING
PLAINTEXT = random.Random(3).randbytes(CHUNK_SIZE + 4321)
ALICE, BOB = 11, 12
EVERYONE: tuple[Grantee, ...] = (ALICE, BOB, ESCROW)
REMAINING: tuple[Grantee, ...] = (ALICE, ESCROW)


@dataclass
class Program:
    """Two accounts, the escrow key, the host keystore key and the keystore."""

    keystore: Keystore
    keystore_key: bytes
    privates: dict[Grantee, X25519PrivateKey] = field(default_factory=dict)
    publics: dict[Grantee, bytes] = field(default_factory=dict)


@dataclass
class Stored:
    """What the program keeps of one recording."""

    uid: str
    header: bytes
    payload: bytes
    grants: dict[Grantee, bytes]


@pytest.fixture
def program(tmp_path: Path) -> Iterator[Program]:
    with Keystore(tmp_path / "keystore" / "keystore.sqlite3") as keystore:
        prog = Program(keystore, HostSecrets.generate().keystore_key)
        for grantee in EVERYONE:
            prog.privates[grantee], prog.publics[grantee] = generate_key_pair()
        yield prog


def _store(program: Program, uid: str) -> tuple[Stored, ObjectKeys]:
    keys = new_object_keys(REC, uid)
    file_key = FileKey.generate()
    payload = io.BytesIO()
    encrypt_payload(io.BytesIO(PLAINTEXT), payload, file_key)
    header = recording_header(keys, file_key).encode()
    grants = {g: _grant(program, keys, g) for g in EVERYONE}
    program.keystore.put(REC, uid, keystore_entry(keys, program.keystore_key))
    return Stored(uid, header, payload.getvalue(), grants), keys


def _grant(program: Program, keys: ObjectKeys, grantee: Grantee) -> bytes:
    return grant_to(keys, program.publics[grantee], grantee)


def _open(
    program: Program,
    uid: str,
    grant: bytes,
    grantee: Grantee,
    as_grantee: Grantee | None = None,
) -> X25519Identity:
    """Open the identity of `uid` with `grant`, claimed by `grantee`."""
    key_of = as_grantee if as_grantee is not None else grantee
    return open_object_keys(
        REC,
        uid,
        grant,
        program.privates[key_of],
        grantee,
        program.keystore.get(REC, uid),
        program.keystore_key,
    ).identity


def _play(stored: Stored, identity: X25519Identity, header: bytes = b"") -> bytes:
    parsed = Header.parse(header or stored.header)
    file_key = recording_file_key(parsed, stored.uid, identity)
    out = io.BytesIO()
    decrypt_payload(io.BytesIO(stored.payload), out, file_key)
    return out.getvalue()


@pytest.mark.parametrize("grantee", [ALICE, BOB, ESCROW])
def test_each_grantee_and_escrow_open_and_play_the_recording(
    program: Program, grantee: Grantee
) -> None:
    stored, keys = _store(program, "rec-1")
    identity = _open(program, "rec-1", stored.grants[grantee], grantee)
    assert identity.recipient == keys.identity.recipient
    assert _play(stored, identity) == PLAINTEXT


@pytest.mark.skipif(shutil.which("age") is None, reason="age is not installed")
def test_the_age_command_decrypts_header_and_payload_with_the_identity(
    program: Program, tmp_path: Path
) -> None:
    stored, _ = _store(program, "rec-1")
    identity = _open(program, "rec-1", stored.grants[ALICE], ALICE)
    assert _age_decrypt(tmp_path, identity, stored.header + stored.payload) == (
        PLAINTEXT
    )


def _age_decrypt(tmp_path: Path, identity: X25519Identity, data: bytes) -> bytes:
    key_file = tmp_path / "recording.key"
    key_file.write_text(identity.secret_string() + "\n")
    result = subprocess.run(
        ["age", "-d", "-i", str(key_file)],
        input=data,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.mark.parametrize(("grantee", "key_of"), [(BOB, ALICE), (ESCROW, ALICE)])
def test_a_grant_copied_to_another_grantee_fails(
    program: Program, grantee: Grantee, key_of: Grantee
) -> None:
    stored, _ = _store(program, "rec-1")
    # Alice's grant in Bob's (or the escrow) row, opened with Alice's own key.
    with pytest.raises(KeyUnwrapError):
        _open(program, "rec-1", stored.grants[ALICE], grantee, as_grantee=key_of)


def test_a_grant_copied_to_another_recording_fails(program: Program) -> None:
    first, _ = _store(program, "rec-1")
    _store(program, "rec-2")
    with pytest.raises(KeyUnwrapError):
        _open(program, "rec-2", first.grants[ALICE], ALICE)


def test_a_keystore_row_copied_to_another_recording_fails(program: Program) -> None:
    _store(program, "rec-1")
    second, _ = _store(program, "rec-2")
    moved = program.keystore.get(REC, "rec-1")
    with pytest.raises(KeyUnwrapError):
        open_object_keys(
            REC,
            "rec-2",
            second.grants[ALICE],
            program.privates[ALICE],
            ALICE,
            moved,
            program.keystore_key,
        )


def test_a_header_moved_to_another_recording_fails_the_binding_check(
    program: Program,
) -> None:
    first, _ = _store(program, "rec-1")
    second, _ = _store(program, "rec-2")
    identity = _open(program, "rec-2", second.grants[ALICE], ALICE)
    with pytest.raises(BindingError):
        _play(second, identity, header=first.header)


def test_editing_the_binding_stanza_breaks_the_header_mac(program: Program) -> None:
    stored, keys = _store(program, "rec-1")
    edited = stored.header.replace(b"bind rec-1 v1", b"bind rec-2 v1")
    moved = Stored("rec-2", edited, stored.payload, stored.grants)
    with pytest.raises(HeaderMacError):
        _play(moved, keys.identity)


def test_after_the_keystore_row_is_destroyed_nobody_opens_the_identity(
    program: Program,
) -> None:
    stored, _ = _store(program, "rec-1")
    sealed = program.keystore.get(REC, "rec-1")
    assert sealed is not None
    assert program.keystore.destroy(REC, "rec-1")
    for grantee in EVERYONE:
        with pytest.raises(ObjectShreddedError):
            _open(program, "rec-1", stored.grants[grantee], grantee)
    path = program.keystore.path
    for raw in [path, Path(f"{path}-wal"), Path(f"{path}-shm")]:
        assert not raw.exists() or sealed not in raw.read_bytes()


def test_a_forged_keystore_row_yields_an_identity_that_opens_nothing(
    program: Program,
) -> None:
    stored, _ = _store(program, "rec-1")
    program.keystore.destroy(REC, "rec-1")
    forged = new_object_keys(REC, "rec-1")
    program.keystore.put(REC, "rec-1", keystore_entry(forged, program.keystore_key))
    identity = _open(program, "rec-1", stored.grants[ESCROW], ESCROW)
    with pytest.raises(NoIdentityMatchError):
        _play(stored, identity)


def _revoke_bob(program: Program, stored: Stored) -> tuple[Stored, ObjectKeys]:
    old_identity = _open(program, stored.uid, stored.grants[ALICE], ALICE)
    rekeyed = hard_revoke(Header.parse(stored.header), stored.uid, old_identity)
    entry = keystore_entry(rekeyed.keys, program.keystore_key)
    program.keystore.replace(REC, stored.uid, entry)
    grants = {g: _grant(program, rekeyed.keys, g) for g in REMAINING}
    new = Stored(stored.uid, rekeyed.header.encode(), stored.payload, grants)
    return new, rekeyed.keys


def test_after_a_hard_revoke_old_grants_open_nothing(program: Program) -> None:
    old, _ = _store(program, "rec-1")
    new, _ = _revoke_bob(program, old)
    for grantee in EVERYONE:
        stale = _open(program, "rec-1", old.grants[grantee], grantee)
        for header in (new.header, old.header):
            with pytest.raises(NoIdentityMatchError):
                _play(new, stale, header=header)


def test_after_a_hard_revoke_new_grants_play_the_untouched_payload(
    program: Program,
) -> None:
    old, old_keys = _store(program, "rec-1")
    payload_before = bytes(old.payload)
    new, new_keys = _revoke_bob(program, old)
    assert new.payload == payload_before
    assert new.header != old.header
    assert new_keys.identity.recipient != old_keys.identity.recipient
    for grantee in REMAINING:
        identity = _open(program, "rec-1", new.grants[grantee], grantee)
        assert _play(new, identity) == PLAINTEXT
    with pytest.raises(NoIdentityMatchError):
        _play(new, old_keys.identity)


@pytest.mark.skipif(shutil.which("age") is None, reason="age is not installed")
def test_the_age_command_decrypts_the_rewritten_header_with_the_old_payload(
    program: Program, tmp_path: Path
) -> None:
    old, _ = _store(program, "rec-1")
    new, _ = _revoke_bob(program, old)
    identity = _open(program, "rec-1", new.grants[ALICE], ALICE)
    assert _age_decrypt(tmp_path, identity, new.header + old.payload) == PLAINTEXT


def test_a_hard_revoke_refuses_a_header_of_another_recording(
    program: Program,
) -> None:
    first, first_keys = _store(program, "rec-1")
    with pytest.raises(BindingError):
        hard_revoke(Header.parse(first.header), "rec-2", first_keys.identity)


def test_no_repr_shows_a_secret() -> None:
    keys = new_object_keys(REC, "rec-1")
    rekeyed = hard_revoke(
        recording_header(keys, FileKey.generate()), "rec-1", keys.identity
    )
    for obj in (keys, rekeyed, rekeyed.keys, keys.identity):
        text = repr(obj) + str(obj)
        for holder in (keys, rekeyed.keys):
            for secret in (holder.s_grant, holder.s_retain):
                assert secret.hex() not in text and repr(secret) not in text
            assert holder.identity.secret_string() not in text
    assert "rec-1" in repr(keys)


def test_fields_sealed_at_creation_open_for_a_grantee_and_not_from_an_export(
    program: Program,
) -> None:
    keys = new_object_keys(ObjectKind.CLIENT, "client-7")
    sealed = seal_field(keys, "identity", b"Jane Q. Client")
    grant = grant_to(keys, program.publics[ALICE], ALICE)
    program.keystore.put(
        ObjectKind.CLIENT, "client-7", keystore_entry(keys, program.keystore_key)
    )
    opened = open_object_keys(
        ObjectKind.CLIENT,
        "client-7",
        grant,
        program.privates[ALICE],
        ALICE,
        program.keystore.get(ObjectKind.CLIENT, "client-7"),
        program.keystore_key,
    )
    assert open_field(opened, "identity", sealed) == b"Jane Q. Client"
    # Someone holding only the exported one-object age identity has no secrets
    # to derive the field key from: a guess built on the identity fails.
    guess = ObjectKeys(
        ObjectKind.CLIENT,
        "client-7",
        keys.identity.secret_string().encode()[:32],
        bytes(32),
        keys.identity,
    )
    with pytest.raises(SealedFieldError):
        open_field(guess, "identity", sealed)
