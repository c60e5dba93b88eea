"""One object's keys from start to end: create, grant, open, hard revoke.

This ties `sealing`, `binding` and the age format together for callers that
create or open recordings and client records. It stores nothing: the grant
rows, the keystore row and the header are the caller's to keep.

A recording's age header has one X25519 stanza addressed to the recording's
identity and one binding stanza naming its uid. A hard revoke draws new
secrets and writes a new header around the same file key, so the payload in
the blob store is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from supervise.crypto.age import (
    FileKey,
    Header,
    X25519Identity,
    new_header,
    unwrap_file_key,
)
from supervise.crypto.binding import binding_stanza, check_binding
from supervise.crypto.keys import KeyUnwrapError
from supervise.crypto.sealing import (
    Grantee,
    ObjectKind,
    check_uid,
    derive_identity,
    new_secret,
    open_grant,
    open_retain,
    seal_grant,
    seal_retain,
)


class ObjectShreddedError(KeyUnwrapError):
    """The object's keystore row is gone: it was shredded."""


@dataclass(frozen=True, eq=False, repr=False)
class ObjectKeys:
    """A new object's two secrets and the identity derived from them.

    Held only while an object is created or re-keyed; `repr` names the object
    and its public recipient, never a secret.
    """

    kind: ObjectKind
    uid: str
    s_grant: bytes
    s_retain: bytes
    identity: X25519Identity

    def __repr__(self) -> str:
        recipient = str(self.identity.recipient)
        return (
            f"ObjectKeys(kind={self.kind.value!r}, uid={self.uid!r}, "
            f"recipient={recipient!r})"
        )


@dataclass(frozen=True)
class Rekeyed:
    """The result of a hard revoke: the new keys and the rewritten header."""

    keys: ObjectKeys
    header: Header


def new_object_keys(kind: ObjectKind, uid: str) -> ObjectKeys:
    """Draw fresh `S_grant` and `S_retain` and derive the object's identity.

    Raises:
        ValueError: The kind or uid is malformed.
    """
    kind = ObjectKind(kind)
    s_grant, s_retain = new_secret(), new_secret()
    identity = derive_identity(s_grant, s_retain, kind, uid)
    return ObjectKeys(kind, check_uid(uid), s_grant, s_retain, identity)


def grant_to(keys: ObjectKeys, public_raw: bytes, grantee: Grantee) -> bytes:
    """The wrapped `S_grant` for one grantee's row (or the escrow row).

    Args:
        keys: The object's keys.
        public_raw: The grantee's (or the escrow key's) raw X25519 public key.
        grantee: The account id, or `ESCROW`.
    """
    return seal_grant(keys.s_grant, public_raw, keys.kind, keys.uid, grantee)


def keystore_entry(keys: ObjectKeys, keystore_key: bytes) -> bytes:
    """The sealed `S_retain` to store in the keystore."""
    return seal_retain(keys.s_retain, keystore_key, keys.kind, keys.uid)


def open_object_keys(
    kind: ObjectKind,
    uid: str,
    sealed_grant: bytes,
    private: X25519PrivateKey,
    grantee: Grantee,
    keystore_sealed: bytes | None,
    keystore_key: bytes,
) -> ObjectKeys:
    """Rebuild an object's secrets and identity from a grant and its keystore row.

    Args:
        kind: The kind of object.
        uid: The object's uid.
        sealed_grant: The grant row's wrapped secret.
        private: The grantee's account private key, or the escrow private key.
        grantee: The account id the grant was made to, or `ESCROW`.
        keystore_sealed: The keystore row, or None if the keystore has none.
        keystore_key: The host keystore key.

    Raises:
        ObjectShreddedError: There is no keystore row.
        KeyUnwrapError: The grant or the keystore row does not open for this
            object and grantee.
    """
    if keystore_sealed is None:
        raise ObjectShreddedError("the object has been shredded")
    s_grant = open_grant(sealed_grant, private, kind, uid, grantee)
    s_retain = open_retain(keystore_sealed, keystore_key, kind, uid)
    identity = derive_identity(s_grant, s_retain, kind, uid)
    return ObjectKeys(kind, uid, s_grant, s_retain, identity)


def recording_header(keys: ObjectKeys, file_key: FileKey) -> Header:
    """A detached age header for a recording: its identity, then its binding."""
    return new_header(file_key, [keys.identity.recipient], [binding_stanza(keys.uid)])


def recording_file_key(header: Header, uid: str, identity: X25519Identity) -> FileKey:
    """A recording's file key, once the header is shown to belong to `uid`.

    Raises:
        BindingError: The header is bound to another recording, or not at all.
        HeaderMacError: The header was altered.
        NoIdentityMatchError: The identity is not the recording's.
    """
    check_binding(header, uid)
    return unwrap_file_key(header, [identity])


def hard_revoke(header: Header, uid: str, old_identity: X25519Identity) -> Rekeyed:
    """New secrets and a new header for a recording; the payload stays as it is.

    The new header wraps the same file key to the new identity, carries a new
    binding stanza and a new MAC. The caller then grants the new `S_grant` to
    the remaining grantees and the escrow key, replaces the keystore row, and
    deletes the old grants.

    Raises:
        BindingError: The header is not this recording's.
        HeaderMacError: The header was altered.
        NoIdentityMatchError: `old_identity` does not open the header.
    """
    file_key = recording_file_key(header, uid, old_identity)
    keys = new_object_keys(ObjectKind.RECORDING, uid)
    return Rekeyed(keys, recording_header(keys, file_key))
