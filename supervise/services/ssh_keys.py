"""SSH public keys registered to accounts: adding, listing, removing, and the
lookups the SSH server and OpenSSH's AuthorizedKeysCommand make at login.

A key belongs to exactly one account (its fingerprint is unique). A login is
bound to the account the key's row names, and only when the name the client
offered is that account's: another account's key under this name finds
nothing. A disabled account's keys find nothing either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import asyncssh
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from supervise.models.accounts import Account
from supervise.models.database import session_scope
from supervise.models.remote import SshKey
from supervise.services import audit
from supervise.services.accounts import UserSession, authorize
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, NotFound
from supervise.services.policy import Action
from supervise.services.ssh_key_text import PublicKey, from_asyncssh, from_wire
from supervise.services.ssh_key_text import parse_public_key as parse_public_key

log = logging.getLogger(__name__)

DUPLICATE = "this key is already registered; make a new key for this account"


@dataclass(frozen=True)
class KeyView:
    """A registered key as lists show it (no key material beyond its type)."""

    id: int
    account_id: int
    username: str
    algorithm: str
    fingerprint: str
    comment: str
    created_at: datetime
    last_used_at: datetime | None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {
            "id": self.id,
            "username": self.username,
            "type": self.algorithm,
            "fingerprint": self.fingerprint,
            "comment": self.comment,
            "added_at": self.created_at.isoformat(),
            "last_used_at": (
                self.last_used_at.isoformat() if self.last_used_at else None
            ),
        }


# --- lookups at login (no policy: the caller is the SSH layer) --------------


def _enabled_key_row(session: Session, key: PublicKey) -> tuple[SshKey, Account] | None:
    row = session.exec(
        select(SshKey, Account)
        .join(Account, col(Account.id) == col(SshKey.account_id))
        .where(SshKey.fingerprint == key.fingerprint)
    ).first()
    if row is None or row[0].key_data != key.key_data:
        return None
    if row[1].disabled_at is not None:
        return None
    return row[0], row[1]


def account_for_key(
    ctx: ProgramContext, username: str, key: asyncssh.SSHKey
) -> int | None:
    """The enabled account named `username` that has `key` registered, else
    None. A pure lookup: it binds nothing and writes nothing."""
    with Session(ctx.engine) as session:
        found = _enabled_key_row(session, from_asyncssh(key))
    if found is None or found[1].username != username:
        return None
    return found[1].id


def note_key_login(ctx: ProgramContext, account_id: int, key: asyncssh.SSHKey) -> None:
    """Record that `key` has just logged `account_id` in (its last use)."""
    fingerprint = from_asyncssh(key).fingerprint
    with session_scope(ctx.engine) as session:
        session.execute(
            update(SshKey)
            .where(
                col(SshKey.fingerprint) == fingerprint,
                col(SshKey.account_id) == account_id,
            )
            .values(last_used_at=ctx.now())
        )


def note_key_id_login(ctx: ProgramContext, key_id: int) -> None:
    """Record that key `key_id` has just logged its account in (design b)."""
    with session_scope(ctx.engine) as session:
        session.execute(
            update(SshKey)
            .where(col(SshKey.id) == key_id)
            .values(last_used_at=ctx.now())
        )


def account_for_key_id(ctx: ProgramContext, key_id: int) -> tuple[int, str] | None:
    """(account id, username) of key `key_id`'s account if it is enabled."""
    with Session(ctx.engine) as session:
        row = session.exec(
            select(Account)
            .join(SshKey, col(Account.id) == col(SshKey.account_id))
            .where(SshKey.id == key_id)
        ).first()
    if row is None or row.disabled_at is not None or row.id is None:
        return None
    return row.id, row.username


def key_for_wire(
    ctx: ProgramContext, algorithm: str, b64: str
) -> tuple[int, str] | None:
    """(id, `<type> <base64>`) of the registered key sshd offers as `%t %k`,
    if its account is enabled; None for anything else (unknown, malformed,
    disabled)."""
    key = from_wire(algorithm, b64)
    if key is None:
        return None
    with Session(ctx.engine) as session:
        found = _enabled_key_row(session, key)
    if found is None or found[0].id is None:
        return None
    return found[0].id, found[0].key_data


# --- managing keys (through the policy) -------------------------------------


def _account_named(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    username: str | None,
    action: Action,
) -> int:
    """The id of the account `username` names (the caller's by default).

    Asking about another account is first put to the policy as acting on
    anyone's keys, so that a refused caller cannot probe which names exist.
    """
    if username is None or username == user.username:
        return user.account_id
    authorize(session, ctx, user, action, object_type="sshkey")
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None or account.id is None:
        raise NotFound(f"no account named {username!r}")
    return account.id


def add_key(
    ctx: ProgramContext, user: UserSession, text: str, *, username: str | None = None
) -> KeyView:
    """Register a pasted public key to the caller's account (or, for an
    admin, to `username`'s).

    Raises:
        InvalidInput: Not one acceptable public key.
        PermissionDenied, NotFound, Conflict: The key is registered already.
    """
    key = parse_public_key(text)
    with session_scope(ctx.engine) as session:
        owner = _account_named(session, ctx, user, username, Action.SSH_KEY_ADD)
        authorize(
            session, ctx, user, Action.SSH_KEY_ADD, owner_id=owner, object_type="sshkey"
        )
        row = SshKey(
            account_id=owner,
            algorithm=key.algorithm,
            key_data=key.key_data,
            fingerprint=key.fingerprint,
            comment=key.comment,
            created_at=ctx.now(),
        )
        _insert(session, row)
        _audit(session, ctx, user, "sshkey.add", row)
        return _views(session, [row])[0]


def _insert(session: Session, row: SshKey) -> None:
    taken = session.exec(
        select(SshKey.id).where(SshKey.fingerprint == row.fingerprint)
    ).first()
    if taken is not None:
        raise Conflict(DUPLICATE)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # added at the same moment elsewhere
        raise Conflict(DUPLICATE) from None


def _audit(
    session: Session, ctx: ProgramContext, user: UserSession, action: str, row: SshKey
) -> None:
    audit.record(
        session,
        ctx,
        user.who,
        action,
        object_type="sshkey",
        object_id=row.id,
        reason=f"a{row.account_id} {row.fingerprint}",
    )


def list_keys(
    ctx: ProgramContext,
    user: UserSession,
    *,
    username: str | None = None,
    every_account: bool = False,
) -> list[KeyView]:
    """The caller's keys; an admin may name an account or ask for all.

    Raises:
        PermissionDenied, NotFound.
    """
    with session_scope(ctx.engine) as session:
        owner = (
            None
            if every_account
            else _account_named(session, ctx, user, username, Action.SSH_KEY_LIST)
        )
        authorize(
            session,
            ctx,
            user,
            Action.SSH_KEY_LIST,
            owner_id=owner,
            object_type="sshkey",
        )
        query = select(SshKey).order_by(col(SshKey.account_id), col(SshKey.id))
        if owner is not None:
            query = query.where(SshKey.account_id == owner)
        return _views(session, list(session.exec(query)))


def remove_key(ctx: ProgramContext, user: UserSession, key_id: int) -> KeyView:
    """Remove a key: it no longer logs anyone in.

    Raises:
        NotFound: No such key.
        PermissionDenied: Someone else's key, and the caller is no admin.
    """
    with session_scope(ctx.engine) as session:
        row = session.get(SshKey, key_id)
        if row is None:
            raise NotFound(f"no SSH key {key_id}")
        authorize(
            session,
            ctx,
            user,
            Action.SSH_KEY_REMOVE,
            owner_id=row.account_id,
            object_type="sshkey",
            object_id=key_id,
        )
        view = _views(session, [row])[0]
        _audit(session, ctx, user, "sshkey.remove", row)
        session.delete(row)
        return view


def _views(session: Session, rows: list[SshKey]) -> list[KeyView]:
    ids = {r.account_id for r in rows}
    names = dict(
        session.exec(
            select(Account.id, Account.username).where(col(Account.id).in_(ids))
        ).all()
    )
    return [
        KeyView(
            r.id or 0,
            r.account_id,
            names.get(r.account_id, ""),
            r.algorithm,
            r.fingerprint,
            r.comment,
            r.created_at,
            r.last_used_at,
        )
        for r in rows
    ]
