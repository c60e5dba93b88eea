"""Accounts: creation, login with lockout, passwords, roles, and the session.

A login derives the account's key-encryption key from the password and opens
the account's private key; the `UserSession` holds it until logoff, when it is
dropped. Every login, failure, lockout, logoff and account change is audited.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from supervise.crypto import keys, passwords
from supervise.models.accounts import Account, AccountRole, Role, Supervision
from supervise.models.audit import Outcome
from supervise.models.database import session_scope
from supervise.models.program import Program
from supervise.services import audit
from supervise.services.context import ProgramContext
from supervise.services.errors import (
    AccountDisabled,
    AccountLocked,
    Conflict,
    InvalidInput,
    LoginFailed,
    NotFound,
    PermissionDenied,
)
from supervise.services.policy import Action, Actor, decide

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"[a-z][a-z0-9._-]{1,31}")


@dataclass(repr=False)
class UserSession:
    """A logged-in person: who they are and, until logoff, their private key."""

    account_id: int
    username: str
    roles: frozenset[Role]
    must_change_password: bool
    session_id: str = field(default_factory=lambda: secrets.token_hex(8))
    private_key: X25519PrivateKey | None = None

    def __repr__(self) -> str:
        return f"UserSession(account_id={self.account_id})"

    @property
    def who(self) -> audit.Who:
        """How this session appears in the audit trail."""
        return audit.Who(self.account_id, roles_code(self.roles), self.session_id)

    def drop_keys(self) -> None:
        """Forget the private key (logoff, idle logoff)."""
        self.private_key = None


@dataclass(frozen=True)
class AccountView:
    """An account as lists show it: no key material, no hashes."""

    id: int
    username: str
    full_name: str
    roles: tuple[Role, ...]
    disabled: bool
    locked_until: datetime | None
    must_change_password: bool
    created_at: datetime

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {
            "id": self.id,
            "username": self.username,
            "full_name": self.full_name,
            "roles": [str(role) for role in self.roles],
            "disabled": self.disabled,
            "locked_until": self.locked_until.isoformat()
            if self.locked_until
            else None,
            "must_change_password": self.must_change_password,
            "created_at": self.created_at.isoformat(),
        }


ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.TRAINEE, Role.AUDITOR)


def roles_code(roles: Iterable[Role]) -> str:
    """Roles as one audit code, in a fixed order: `admin+supervisor`."""
    held = set(roles)
    return "+".join(str(role) for role in ROLE_ORDER if role in held)


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Role names to roles; at least one, each known.

    Raises:
        InvalidInput: An unknown role, or none.
    """
    found: set[Role] = set()
    for name in names:
        try:
            found.add(Role(name.strip().lower()))
        except ValueError:
            known = ", ".join(str(role) for role in ROLE_ORDER)
            raise InvalidInput(f"unknown role {name!r}; roles are {known}") from None
    if not found:
        raise InvalidInput("an account needs at least one role")
    return frozenset(found)


def check_username(username: str) -> str:
    """A valid username, or a clear refusal.

    Raises:
        InvalidInput: Not 2-32 characters of a-z, 0-9, '.', '_', '-'.
    """
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            "a username is 2 to 32 characters: lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter"
        )
    return username


def _check_full_name(full_name: str) -> str:
    name = full_name.strip()
    if "\x00" in name or len(name) > 200:
        raise InvalidInput("a full name is at most 200 characters, without NUL")
    return name


def roles_of(session: Session, account_id: int) -> frozenset[Role]:
    """An account's roles, read from the database."""
    query = select(AccountRole.role).where(AccountRole.account_id == account_id)
    return frozenset(Role(role) for role in session.exec(query))


def active_pairs_query(today: date):  # type: ignore[no-untyped-def]
    """Supervision pairs in force on `today` (started, not yet ended)."""
    return select(Supervision).where(
        col(Supervision.started_on) <= today,
        (col(Supervision.ended_on).is_(None)) | (col(Supervision.ended_on) > today),
    )


def actor_for(session: Session, ctx: ProgramContext, account_id: int) -> Actor:
    """The policy's view of an account, read fresh from the database."""
    pairs = session.exec(
        active_pairs_query(ctx.now().date()).where(
            Supervision.supervisor_id == account_id
        )
    )
    return Actor(
        account_id,
        roles_of(session, account_id),
        frozenset(pair.trainee_id for pair in pairs),
    )


def authorize(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    action: Action,
    *,
    owner_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
) -> None:
    """Ask the policy; on refusal audit the denial and raise.

    Raises:
        PermissionDenied: The policy refused; the denial is committed.
    """
    account = session.get(Account, user.account_id)
    disabled = account is None or account.disabled_at is not None
    decision = decide(actor_for(session, ctx, user.account_id), action, owner_id)
    if decision.allowed and not disabled:
        return
    reason = "account-disabled" if disabled else decision.reason
    audit.record_alone(
        ctx,
        user.who,
        str(action),
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )
    raise PermissionDenied(f"not permitted: {action} ({reason})")


# --- creating accounts -----------------------------------------------------


def display_name(account: Account | None) -> str:
    """How documents name a person: the full name, else the username."""
    if account is None:
        return "?"
    return account.full_name or account.username


def named_trainee(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    username: str,
    action: Action,
) -> int:
    """The id of the trainee a caller names to narrow a list, if the policy
    lets the caller do `action` on that trainee's objects.

    Raises:
        NotFound: No such account.
        PermissionDenied: Not the caller's (audited, on the account), rather
            than an empty list.
    """
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None or account.id is None:
        raise NotFound(f"no account named {username!r}")
    authorize(
        session,
        ctx,
        user,
        action,
        owner_id=account.id,
        object_type="account",
        object_id=account.id,
    )
    return account.id


def _set_credentials(
    account: Account,
    ctx: ProgramContext,
    password: str,
    private: X25519PrivateKey,
) -> None:
    """Hash the password and wrap the private key under a KEK from it."""
    assert account.id is not None
    params = ctx.argon2
    account.password_hash = passwords.hash_password(password, params)
    account.kek_salt = keys.new_kek_salt()
    account.kek_params = params.encode()
    kek = keys.derive_kek(password, account.kek_salt, params)
    account.wrapped_private_key = keys.wrap_private_key(
        private, kek, account.id, account.key_version
    )


def _new_key_pair(account: Account, recovery_public: bytes) -> X25519PrivateKey:
    assert account.id is not None
    private, public = keys.generate_key_pair()
    account.public_key = public
    account.recovery_wrapped_key = keys.hpke_seal(
        private.private_bytes_raw(), recovery_public, keys.recovery_info(account.id)
    )
    return private


def insert_account(
    session: Session,
    ctx: ProgramContext,
    username: str,
    full_name: str,
    roles: frozenset[Role],
    password: str,
    *,
    must_change: bool,
) -> Account:
    """Add an account with its key pair inside the caller's transaction.

    Raises:
        Conflict: The username is taken.
    """
    taken = session.exec(select(Account.id).where(Account.username == username))
    if taken.first() is not None:
        raise Conflict(f"the username {username!r} is taken")
    program = session.exec(select(Program)).one()
    account = Account(
        username=username,
        full_name=full_name,
        password_hash="",
        must_change_password=must_change,
        public_key=b"",
        kek_salt=b"",
        kek_params="",
        wrapped_private_key=b"",
        recovery_wrapped_key=b"",
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError:  # taken between our check and our insert
        raise Conflict(f"the username {username!r} is taken") from None
    assert account.id is not None
    private = _new_key_pair(account, program.recovery_public_key)
    _set_credentials(account, ctx, password, private)
    for role in roles:
        session.add(AccountRole(account_id=account.id, role=role))
    return account


def create_account(
    ctx: ProgramContext,
    user: UserSession,
    username: str,
    full_name: str,
    roles: Iterable[str],
) -> tuple[AccountView, str]:
    """Create an account with a one-time password it must change at first login.

    Returns:
        The new account and its one-time password (shown once, never stored).

    Raises:
        PermissionDenied, InvalidInput, Conflict.
    """
    check_username(username)
    role_set = parse_roles(roles)
    name = _check_full_name(full_name)
    one_time = passwords.one_time_password()
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.ACCOUNT_CREATE, object_type="account")
        account = insert_account(
            session, ctx, username, name, role_set, one_time, must_change=True
        )
        audit.record(
            session,
            ctx,
            user.who,
            "account.create",
            object_type="account",
            object_id=account.id,
            reason=roles_code(role_set),
        )
        return _view(account, role_set), one_time


def _view(account: Account, roles: frozenset[Role]) -> AccountView:
    assert account.id is not None
    return AccountView(
        id=account.id,
        username=account.username,
        full_name=account.full_name,
        roles=tuple(role for role in ROLE_ORDER if role in roles),
        disabled=account.disabled_at is not None,
        locked_until=account.locked_until,
        must_change_password=account.must_change_password,
        created_at=account.created_at,
    )


def list_accounts(ctx: ProgramContext, user: UserSession) -> list[AccountView]:
    """Every account, by username.

    Raises:
        PermissionDenied: Only admins list accounts.
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.ACCOUNT_LIST, object_type="account")
        accounts = session.exec(select(Account).order_by(col(Account.username)))
        return [_view(a, roles_of(session, a.id or 0)) for a in accounts]


def _load(session: Session, username: str) -> Account:
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None:
        raise NotFound(f"no account named {username!r}")
    return account


def set_disabled(
    ctx: ProgramContext, user: UserSession, username: str, disabled: bool
) -> AccountView:
    """Disable an account (it can no longer log in) or enable it again.

    Raises:
        PermissionDenied, NotFound, Conflict: An admin cannot disable themself.
    """
    action = Action.ACCOUNT_DISABLE if disabled else Action.ACCOUNT_ENABLE
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, action, object_type="account")
        account = _load(session, username)
        if disabled and account.id == user.account_id:
            raise Conflict("you cannot disable your own account")
        account.disabled_at = ctx.now() if disabled else None
        if not disabled:
            account.failed_logins, account.locked_until = 0, None
        session.add(account)
        audit.record(
            session,
            ctx,
            user.who,
            str(action),
            object_type="account",
            object_id=account.id,
        )
        return _view(account, roles_of(session, account.id or 0))


def reset_password(
    ctx: ProgramContext, user: UserSession, username: str
) -> tuple[AccountView, str]:
    """Give an account a new one-time password, and clear any lockout.

    Without the old password the old private key cannot be opened, so the
    account gets a new key pair; grants to the old key stop working until they
    are made again. To keep the key pair, and so every grant, use
    `recover_account` (`supervise user recover`), which needs the offline
    recovery key.

    Raises:
        PermissionDenied, NotFound, Conflict: Not one's own account (the open
        session would keep a key the reset replaces).
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.ACCOUNT_RESET, object_type="account")
        account = _load(session, username)
        if account.id == user.account_id:
            raise Conflict(
                "you cannot reset your own password: change it instead "
                "(account: change password), or ask another admin"
            )
        program = session.exec(select(Program)).one()
        account.key_version += 1
        private = _new_key_pair(account, program.recovery_public_key)
        return _issue_one_time(
            session, ctx, user, account, private, "account.reset", "key-replaced"
        )


def _issue_one_time(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    account: Account,
    private: X25519PrivateKey,
    action: str,
    reason: str,
) -> tuple[AccountView, str]:
    """Wrap `private` under a new one-time password, unlock, audit `action`."""
    one_time = passwords.one_time_password()
    _set_credentials(account, ctx, one_time, private)
    account.must_change_password = True
    account.failed_logins, account.locked_until = 0, None
    session.add(account)
    audit.record(
        session,
        ctx,
        user.who,
        action,
        object_type="account",
        object_id=account.id,
        reason=reason,
    )
    return _view(account, roles_of(session, account.id or 0)), one_time


def recover_account(
    ctx: ProgramContext,
    user: UserSession,
    username: str,
    recovery_key: X25519PrivateKey,
) -> tuple[AccountView, str]:
    """Give an account a one-time password and keep its key pair.

    The recovery copy of the private key is opened with the program's offline
    recovery key and re-wrapped under the new password, so grants made to the
    account stay readable. The key version stays as it is: it names the key
    pair (bound into the password wrap's context so that a wrap from an
    earlier pair cannot be swapped in), and the pair is unchanged, as after a
    password change; a fresh salt and KEK already make the new wrap differ.

    Returns:
        The account and its one-time password (shown once, never stored).

    Raises:
        PermissionDenied, NotFound, Conflict: Not one's own account (as for a
        reset), or a recovery copy that does not match the public key.
        InvalidInput: The key does not open the recovery copy (audited as
        denied; nothing is changed).
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.ACCOUNT_RECOVER, object_type="account")
        account = _load(session, username)
        if account.id == user.account_id:
            raise Conflict(
                "you cannot recover your own account: change your password "
                "instead (account: change password), or ask another admin"
            )
        private = _open_recovery_copy(session, ctx, user, account, recovery_key)
        return _issue_one_time(
            session,
            ctx,
            user,
            account,
            private,
            str(Action.ACCOUNT_RECOVER),
            "key-kept",
        )


def _open_recovery_copy(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    account: Account,
    recovery_key: X25519PrivateKey,
) -> X25519PrivateKey:
    """The account's private key, opened from its recovery copy.

    The key is checked against the stored public key; a refusal is audited
    and committed before raising.

    Raises:
        InvalidInput: The key does not open the copy.
        Conflict: The copy opens but holds another key pair's private key.
    """
    assert account.id is not None
    try:
        raw = keys.hpke_open(
            account.recovery_wrapped_key, recovery_key, keys.recovery_info(account.id)
        )
    except keys.KeyUnwrapError:
        _deny_recovery(session, ctx, user, account.id, "bad-recovery-key")
        raise InvalidInput(
            f"this recovery key does not open {account.username}'s key copy: "
            "is it this program's recovery key?"
        ) from None
    try:
        private = X25519PrivateKey.from_private_bytes(raw)
    except ValueError:
        private = None
    if private is None or keys.public_bytes(private) != account.public_key:
        _deny_recovery(session, ctx, user, account.id, "recovery-copy-mismatch")
        raise Conflict(
            f"the recovery copy of {account.username}'s key does not match the "
            "account's public key; nothing was changed (use `user reset`)"
        )
    return private


def _deny_recovery(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    account_id: int,
    reason: str,
) -> None:
    """Audit a refused recovery and commit it; nothing else is pending."""
    audit.record(
        session,
        ctx,
        user.who,
        str(Action.ACCOUNT_RECOVER),
        object_type="account",
        object_id=account_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )
    session.commit()


def set_roles(
    ctx: ProgramContext, user: UserSession, username: str, roles: Iterable[str]
) -> AccountView:
    """Replace an account's roles.

    Raises:
        PermissionDenied, NotFound, InvalidInput, Conflict: The last active
        admin cannot lose the admin role.
    """
    role_set = parse_roles(roles)
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.ACCOUNT_SET_ROLES, object_type="account")
        account = _load(session, username)
        assert account.id is not None
        if Role.ADMIN not in role_set and _is_last_admin(session, account.id):
            raise Conflict("the program's last active admin must stay an admin")
        session.execute(
            delete(AccountRole).where(col(AccountRole.account_id) == account.id)
        )
        for role in role_set:
            session.add(AccountRole(account_id=account.id, role=role))
        audit.record(
            session,
            ctx,
            user.who,
            "account.set_roles",
            object_type="account",
            object_id=account.id,
            reason=roles_code(role_set),
        )
        return _view(account, role_set)


def _is_last_admin(session: Session, account_id: int) -> bool:
    admins = session.exec(
        select(Account.id)
        .join(AccountRole, col(AccountRole.account_id) == col(Account.id))
        .where(AccountRole.role == Role.ADMIN, col(Account.disabled_at).is_(None))
    ).all()
    return list(admins) == [account_id]


# --- logging in and out ------------------------------------------------------


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made once, to verify unknown users against."""
    return passwords.hash_password(secrets.token_hex(16), keys.Argon2Params(1, 8192, 1))


def _dummy_verify(password: str) -> None:
    """Spend a verify's time for an unknown user, so timing tells nothing."""
    passwords.verify_password(_dummy_hash(), password)


def _lock_seconds(ctx: ProgramContext, failures: int) -> int:
    s = ctx.settings
    steps = failures - s.lockout_threshold
    return int(min(s.lockout_base_seconds * 2**steps, s.lockout_max_seconds))


def login(ctx: ProgramContext, username: str, password: str) -> UserSession:
    """Check a password and open the account's private key.

    Raises:
        LoginFailed: Unknown user or wrong password (counted toward lockout).
        AccountLocked: Locked after repeated failures; says for how long.
        AccountDisabled: The password was right but the account is disabled.
    """
    with session_scope(ctx.engine) as session:
        account = _checked_account(session, ctx, username, password)
        user = _open_session(session, ctx, account, password)
    _grant_supervisors(ctx, user)
    return user


def _grant_supervisors(ctx: ProgramContext, user: UserSession) -> None:
    """Give a trainee's newly assigned supervisors their older objects.

    Only the trainee's key can open those objects' grants, so this happens at
    their login; it never stops one: a failure is logged (ids only) and the
    next login tries again.
    """
    if Role.TRAINEE not in user.roles:
        return
    from supervise.services import pair_grants  # it builds on this module

    try:
        pair_grants.grant_at_login(ctx, user)
    except Exception as exc:  # a login must not fail for this
        log.warning(
            "granting supervisors at login failed for account %s (%s)",
            user.account_id,
            type(exc).__name__,
        )


def check_password(ctx: ProgramContext, username: str, password: str) -> int:
    """Check a password as `login` does, without opening the private key.

    For the SSH server, which only needs to know who connects: failures are
    counted and audited exactly as for a login; success resets the count and
    writes no `login.success` row (the session's own login does).

    Returns:
        The account's id.

    Raises:
        LoginFailed: Unknown user or wrong password (counted toward lockout).
        AccountLocked: Locked after repeated failures; says for how long.
        AccountDisabled: The password was right but the account is disabled.
    """
    with session_scope(ctx.engine) as session:
        account = _checked_account(session, ctx, username, password)
        assert account.id is not None
        account.failed_logins, account.locked_until = 0, None
        session.add(account)
        return account.id


def _checked_account(
    session: Session, ctx: ProgramContext, username: str, password: str
) -> Account:
    """The account if `password` opens it; else audit, count and raise."""
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None:
        _dummy_verify(password)
        _refuse(session, ctx, audit.Who(), None, "unknown-user")
        raise LoginFailed("wrong username or password")
    who = audit.Who(account.id, roles_code(roles_of(session, account.id or 0)))
    now = ctx.now()
    if account.locked_until is not None and account.locked_until > now:
        _refuse(session, ctx, who, account.id, "locked")
        raise AccountLocked(_locked_message(account.locked_until - now))
    if not passwords.verify_password(account.password_hash, password):
        _count_failure(session, ctx, account, who, now)
    if account.disabled_at is not None:
        _refuse(session, ctx, who, account.id, "disabled")
        raise AccountDisabled("this account is disabled; ask an admin")
    return account


def _refuse(
    session: Session,
    ctx: ProgramContext,
    who: audit.Who,
    account_id: int | None,
    reason: str,
) -> None:
    """Audit a refused login and commit it, since the caller then raises."""
    audit.record(
        session,
        ctx,
        who,
        "login.failure",
        object_type="account",
        object_id="" if account_id is None else account_id,
        outcome=Outcome.DENIED,
        reason=reason,
    )
    session.commit()


def _locked_message(left: timedelta) -> str:
    seconds = max(1, int(left.total_seconds()))
    return f"too many failed logins: the account is locked for {seconds} s"


def _count_failure(
    session: Session,
    ctx: ProgramContext,
    account: Account,
    who: audit.Who,
    now: datetime,
) -> None:
    """Record a wrong password, lock when due, commit, and raise."""
    account.failed_logins += 1
    session.add(account)
    audit.record(
        session,
        ctx,
        who,
        "login.failure",
        object_type="account",
        object_id=account.id,
        outcome=Outcome.DENIED,
        reason="bad-password",
    )
    message = "wrong username or password"
    if account.failed_logins >= ctx.settings.lockout_threshold:
        seconds = _lock_seconds(ctx, account.failed_logins)
        account.locked_until = now + timedelta(seconds=seconds)
        audit.record(
            session,
            ctx,
            who,
            "account.locked",
            object_type="account",
            object_id=account.id,
            reason=f"{seconds}s",
        )
        message += f"; {_locked_message(timedelta(seconds=seconds))}"
    session.commit()
    raise LoginFailed(message)


def _open_session(
    session: Session, ctx: ProgramContext, account: Account, password: str
) -> UserSession:
    assert account.id is not None
    params = keys.Argon2Params.decode(account.kek_params)
    kek = keys.derive_kek(password, account.kek_salt, params)
    private = keys.unwrap_private_key(
        account.wrapped_private_key, kek, account.id, account.key_version
    )
    account.failed_logins, account.locked_until = 0, None
    program_params = ctx.argon2
    if passwords.should_upgrade(
        passwords.hash_params(account.password_hash), program_params
    ) or passwords.should_upgrade(params, program_params):
        _set_credentials(account, ctx, password, private)
        upgraded = True
    else:
        upgraded = False
    session.add(account)
    roles = roles_of(session, account.id)
    user = UserSession(
        account.id,
        account.username,
        roles,
        account.must_change_password,
        private_key=private,
    )
    audit.record(
        session,
        ctx,
        user.who,
        "login.success",
        object_type="account",
        object_id=account.id,
        reason="rehashed" if upgraded else "",
    )
    return user


def logoff(ctx: ProgramContext, user: UserSession, *, idle: bool = False) -> None:
    """End a session: drop its keys and audit the logoff."""
    user.drop_keys()
    action = "logoff.idle" if idle else "logoff"
    audit.record_alone(
        ctx, user.who, action, object_type="account", object_id=user.account_id
    )


def change_password(ctx: ProgramContext, user: UserSession, old: str, new: str) -> None:
    """Set a new password, re-wrapping the private key under the new KEK.

    Raises:
        LoginFailed: The old password is wrong (audited).
        InvalidInput: The new password fails the policy or equals the old.
    """
    if new == old:
        raise InvalidInput("the new password must differ from the old one")
    try:
        passwords.check_password_policy(
            new, user.username, ctx.settings.min_password_length
        )
    except passwords.PasswordPolicyError as exc:
        raise InvalidInput(str(exc)) from None
    with session_scope(ctx.engine) as session:
        account = session.get(Account, user.account_id)
        if account is None or not passwords.verify_password(account.password_hash, old):
            audit.record_alone(
                ctx,
                user.who,
                "password.change",
                object_type="account",
                object_id=user.account_id,
                outcome=Outcome.DENIED,
                reason="bad-password",
            )
            raise LoginFailed("the current password is wrong")
        params = keys.Argon2Params.decode(account.kek_params)
        kek = keys.derive_kek(old, account.kek_salt, params)
        private = keys.unwrap_private_key(
            account.wrapped_private_key, kek, account.id or 0, account.key_version
        )
        _set_credentials(account, ctx, new, private)
        account.must_change_password = False
        session.add(account)
        audit.record(
            session,
            ctx,
            user.who,
            "password.change",
            object_type="account",
            object_id=account.id,
        )
    user.private_key = private
    user.must_change_password = False


def require(
    ctx: ProgramContext,
    user: UserSession,
    action: Action,
    *,
    owner_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
) -> None:
    """Check the policy before showing a screen or starting a command.

    Raises:
        PermissionDenied: Refused; the denial is audited.
    """
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            action,
            owner_id=owner_id,
            object_type=object_type,
            object_id=object_id,
        )


def own_account(ctx: ProgramContext, user: UserSession) -> AccountView:
    """The caller's own account (no policy check: everyone may see themself)."""
    with session_scope(ctx.engine) as session:
        account = session.get(Account, user.account_id)
        if account is None:
            raise NotFound("this account no longer exists")
        return _view(account, roles_of(session, user.account_id))
