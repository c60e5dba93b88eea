"""Object secrets: grant wraps, keystore wraps, identities, bindings, fields.

Each wrap must open only in the row it was made for; errors and reprs never
show a secret or a sealed plaintext.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from supervise.crypto.age import FileKey, Header, HeaderError, Stanza, new_header
from supervise.crypto.binding import (
    BIND_TYPE,
    BindingError,
    binding_stanza,
    check_binding,
)
from supervise.crypto.keys import KeyUnwrapError, generate_key_pair
from supervise.crypto.recording_keys import ObjectKeys, new_object_keys
from supervise.crypto.sealedfields import SealedFieldError, open_field, seal_field
from supervise.crypto.sealing import (
    ESCROW,
    Grantee,
    ObjectKind,
    check_uid,
    context,
    derive_identity,
    new_secret,
    open_grant,
    open_retain,
    seal_grant,
    seal_retain,
)

REC = ObjectKind.RECORDING
UID = "0b5e6c1e-5d0c-4d5e-9a43-6f1f2f3c4d5e"
OTHER_UID = "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"


def _leaks(text: str, *secrets: bytes) -> bool:
    """Whether `text` shows any secret raw, in hex or in base64."""
    forms = []
    for secret in secrets:
        forms += [repr(secret), secret.hex(), base64.b64encode(secret).decode()]
    return any(form in text for form in forms)


def test_context_encoding_keeps_part_boundaries() -> None:
    assert context("ab", "c") != context("a", "bc")
    assert context("a|b") != context("a", "b")
    assert context("x", "") != context("x")


@pytest.mark.parametrize("uid", [UID, "42", "a", "client.7_x-y", "a" * 64])
def test_a_uuid_or_decimal_id_is_a_valid_uid(uid: str) -> None:
    assert check_uid(uid) == uid


@pytest.mark.parametrize("uid", ["", " 1", "a b", "../x", "a" * 65, "é", "a\n"])
def test_a_uid_that_is_empty_long_or_unusual_is_refused(uid: str) -> None:
    with pytest.raises(ValueError):
        check_uid(uid)


def test_a_grant_opens_for_its_own_object_and_grantee() -> None:
    private, public = generate_key_pair()
    s_grant = new_secret()
    sealed = seal_grant(s_grant, public, REC, UID, 7)
    assert open_grant(sealed, private, REC, UID, 7) == s_grant


@pytest.mark.parametrize(
    ("kind", "uid", "grantee"),
    [
        (REC, UID, 8),
        (REC, UID, ESCROW),
        (REC, OTHER_UID, 7),
        (ObjectKind.CLIENT, UID, 7),
    ],
)
def test_a_grant_copied_to_another_row_does_not_open(
    kind: ObjectKind, uid: str, grantee: Grantee
) -> None:
    private, public = generate_key_pair()
    sealed = seal_grant(new_secret(), public, REC, UID, 7)
    with pytest.raises(KeyUnwrapError):
        open_grant(sealed, private, kind, uid, grantee)


def test_an_escrow_grant_opens_only_as_escrow() -> None:
    private, public = generate_key_pair()
    s_grant = new_secret()
    sealed = seal_grant(s_grant, public, REC, UID, ESCROW)
    assert open_grant(sealed, private, REC, UID, ESCROW) == s_grant
    with pytest.raises(KeyUnwrapError):
        open_grant(sealed, private, REC, UID, 0)


def test_a_grant_does_not_open_with_another_private_key() -> None:
    _, public = generate_key_pair()
    sealed = seal_grant(new_secret(), public, REC, UID, 7)
    with pytest.raises(KeyUnwrapError):
        open_grant(sealed, X25519PrivateKey.generate(), REC, UID, 7)


@pytest.mark.parametrize("grantee", [True, -1, "7", "Escrow"])
def test_a_grantee_must_be_an_account_id_or_escrow(grantee: object) -> None:
    _, public = generate_key_pair()
    with pytest.raises(ValueError):
        seal_grant(new_secret(), public, REC, UID, grantee)  # type: ignore[arg-type]


def test_a_keystore_entry_opens_for_its_own_object_only() -> None:
    key, s_retain = os.urandom(32), new_secret()
    sealed = seal_retain(s_retain, key, REC, UID)
    assert open_retain(sealed, key, REC, UID) == s_retain
    for kind, uid in [(REC, OTHER_UID), (ObjectKind.CLIENT, UID)]:
        with pytest.raises(KeyUnwrapError):
            open_retain(sealed, key, kind, uid)


def test_a_keystore_entry_refuses_another_key_or_altered_bytes() -> None:
    key = os.urandom(32)
    sealed = seal_retain(new_secret(), key, REC, UID)
    flipped = sealed[:20] + bytes([sealed[20] ^ 1]) + sealed[21:]
    for bad_key, data in [(os.urandom(32), sealed), (key, flipped), (key, sealed[:-1])]:
        with pytest.raises(KeyUnwrapError):
            open_retain(data, bad_key, REC, UID)


def test_two_keystore_seals_of_one_secret_differ() -> None:
    key, s_retain = os.urandom(32), new_secret()
    assert seal_retain(s_retain, key, REC, UID) != seal_retain(s_retain, key, REC, UID)


def test_the_identity_depends_on_both_secrets_the_uid_and_the_kind() -> None:
    s_grant, s_retain = new_secret(), new_secret()
    base = derive_identity(s_grant, s_retain, REC, UID).recipient
    assert derive_identity(s_grant, s_retain, REC, UID).recipient == base
    variants = [
        derive_identity(new_secret(), s_retain, REC, UID),
        derive_identity(s_grant, new_secret(), REC, UID),
        derive_identity(s_grant, s_retain, REC, OTHER_UID),
        derive_identity(s_grant, s_retain, ObjectKind.CLIENT, UID),
    ]
    assert all(identity.recipient != base for identity in variants)


def test_a_secret_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError):
        derive_identity(b"short", new_secret(), REC, UID)


def _bound_header(*extra_uids: str) -> Header:
    identity = derive_identity(new_secret(), new_secret(), REC, UID)
    stanzas = [binding_stanza(uid) for uid in extra_uids]
    return new_header(FileKey.generate(), [identity.recipient], stanzas)


def test_the_binding_stanza_names_the_uid_with_an_empty_body() -> None:
    stanza = binding_stanza(UID)
    assert stanza.encode() == f"-> {BIND_TYPE} {UID} v1\n\n".encode()


def test_a_header_bound_to_its_uid_passes_the_check() -> None:
    header = Header.parse(_bound_header(UID).encode())
    check_binding(header, UID)


@pytest.mark.parametrize("uids", [(), (OTHER_UID,), (UID, UID), (UID, OTHER_UID)])
def test_a_header_without_exactly_one_matching_binding_fails(
    uids: tuple[str, ...],
) -> None:
    header = Header.parse(_bound_header(*uids).encode())
    with pytest.raises(BindingError):
        check_binding(header, UID)


def test_a_malformed_binding_stanza_fails_as_a_header_error() -> None:
    identity = derive_identity(new_secret(), new_secret(), REC, UID)
    for stanza in [
        Stanza(BIND_TYPE, (UID, "v2")),
        Stanza(BIND_TYPE, (UID,)),
        Stanza(BIND_TYPE, (UID, "v1"), b"x"),
    ]:
        header = new_header(FileKey.generate(), [identity.recipient], [stanza])
        with pytest.raises(HeaderError):
            check_binding(header, UID)


def _keys(kind: ObjectKind = REC, uid: str = UID) -> ObjectKeys:
    return new_object_keys(kind, uid)


def _moved(keys: ObjectKeys, kind: ObjectKind, uid: str) -> ObjectKeys:
    """The same secrets, presented as another object's."""
    return replace(keys, kind=kind, uid=uid)


@pytest.mark.parametrize("value", [b"", b"Jane Q. Client, 1990-04-01", bytes(5000)])
def test_a_sealed_field_round_trips(value: bytes) -> None:
    keys = _keys()
    sealed = seal_field(keys, "identity", value)
    assert open_field(keys, "identity", sealed) == value


@pytest.mark.parametrize(
    ("kind", "uid", "field"),
    [
        (REC, OTHER_UID, "identity"),
        (REC, UID, "feedback"),
        (ObjectKind.CLIENT, UID, "identity"),
    ],
)
def test_a_sealed_field_moved_to_another_object_or_field_fails(
    kind: ObjectKind, uid: str, field: str
) -> None:
    keys = _keys()
    sealed = seal_field(keys, "identity", b"Jane Q. Client")
    with pytest.raises(SealedFieldError):
        open_field(_moved(keys, kind, uid), field, sealed)


def test_a_sealed_field_refuses_other_keys_and_altered_bytes() -> None:
    keys, other = _keys(), _keys()
    sealed = seal_field(keys, "identity", b"Jane Q. Client")
    with pytest.raises(SealedFieldError):
        open_field(other, "identity", sealed)
    for bad in [b"\x02" + sealed[1:], sealed[:-1] + bytes([sealed[-1] ^ 1]), b"\x01"]:
        with pytest.raises(SealedFieldError):
            open_field(keys, "identity", bad)


@pytest.mark.parametrize("field", ["", "Identity", "a b", "x" * 49, "9lives"])
def test_a_field_name_outside_the_grammar_is_refused(field: str) -> None:
    with pytest.raises(ValueError):
        seal_field(_keys(), field, b"value")


def _failure(attempt: Callable[[], bytes]) -> Exception:
    with pytest.raises((SealedFieldError, KeyUnwrapError)) as caught:
        attempt()
    return caught.value


def test_failures_show_no_plaintext_and_no_key_material() -> None:
    keys = _keys()
    s_grant, s_retain, identity = keys.s_grant, keys.s_retain, keys.identity
    plaintext = b"Jane Q. Client, born 1990-04-01"
    sealed = seal_field(keys, "identity", plaintext)
    private, public = generate_key_pair()
    grant = seal_grant(s_grant, public, REC, UID, 1)
    entry = seal_retain(s_retain, s_grant, REC, UID)
    failures = [
        _failure(lambda: open_field(_moved(keys, REC, OTHER_UID), "identity", sealed)),
        _failure(lambda: open_grant(grant, private, REC, UID, 2)),
        _failure(lambda: open_retain(entry, s_retain, REC, UID)),
    ]
    secret_seed = identity.secret_string()
    for exc in failures:
        text = f"{exc!s} {exc!r} {exc.args!r}"
        assert exc.__cause__ is None and exc.__suppress_context__
        assert not _leaks(text, plaintext, s_grant, s_retain, sealed)
        assert "Jane" not in text and secret_seed not in text
    assert secret_seed not in repr(identity)
