"""Accounts: key pairs, login, lockout, password changes and parameter upgrades."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session, select

from supervise.crypto import keys
from supervise.models import Account, AuditEvent
from supervise.services import accounts
from supervise.services.errors import (
    AccountDisabled,
    AccountLocked,
    Conflict,
    InvalidInput,
    LoginFailed,
    PermissionDenied,
)
from tests.conftest import Demo

NEW_PASSWORD = "violet-tandem-harvest"


def _account(program: Demo, username: str) -> Account:
    with Session(program.ctx.engine) as session:
        return session.exec(select(Account).where(Account.username == username)).one()


def _key(user: accounts.UserSession) -> X25519PrivateKey:
    assert user.private_key is not None, "the session holds no key"
    return user.private_key


def _id(account: Account) -> int:
    assert account.id is not None
    return account.id


def _actions(program: Demo) -> list[tuple[str, str, str]]:
    with Session(program.ctx.engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq))  # type: ignore[arg-type]
        return [(e.action, e.outcome, e.reason) for e in rows]


def test_login_opens_the_private_key_that_matches_the_public_key(program: Demo) -> None:
    user = program.login("tara")
    assert user.private_key is not None
    assert keys.public_bytes(_key(user)) == _account(program, "tara").public_key
    assert _actions(program)[-1] == ("login.success", "allowed", "")


def test_a_wrapped_key_copied_to_another_account_does_not_open(program: Demo) -> None:
    tara, theo = _account(program, "tara"), _account(program, "theo")
    kek = keys.derive_kek(
        program.password("tara"),
        tara.kek_salt,
        keys.Argon2Params.decode(tara.kek_params),
    )
    with pytest.raises(keys.KeyUnwrapError):
        keys.unwrap_private_key(tara.wrapped_private_key, kek, _id(theo), 1)


def test_the_recovery_copy_opens_with_the_recovery_key(program: Demo) -> None:
    from supervise.crypto.offline import read_offline_key

    home = program.ctx.settings.home
    recovery = read_offline_key(home / "offline-keys" / "recovery.key", "recovery")
    escrow = read_offline_key(home / "offline-keys" / "escrow.key", "escrow")
    tara = _account(program, "tara")
    raw = keys.hpke_open(
        tara.recovery_wrapped_key, recovery, keys.recovery_info(_id(tara))
    )
    assert raw == _key(program.login("tara")).private_bytes_raw()
    with pytest.raises(keys.KeyUnwrapError):
        keys.hpke_open(tara.recovery_wrapped_key, escrow, keys.recovery_info(_id(tara)))


def test_a_wrong_password_is_refused_counted_and_audited(program: Demo) -> None:
    with pytest.raises(LoginFailed):
        accounts.login(program.ctx, "theo", "not-the-password-at-all")
    assert _account(program, "theo").failed_logins == 1
    assert _actions(program)[-1] == ("login.failure", "denied", "bad-password")


def test_an_unknown_user_is_refused_like_a_wrong_password(program: Demo) -> None:
    with pytest.raises(LoginFailed, match="wrong username or password"):
        accounts.login(program.ctx, "nobody", "whatever-password")
    assert _actions(program)[-1] == ("login.failure", "denied", "unknown-user")


def test_five_failures_lock_with_a_delay_that_grows(program: Demo) -> None:
    ctx, clock = program.ctx, program.clock
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login(ctx, "theo", "wrong-password-guess")
    first = _account(program, "theo").locked_until
    assert first is not None
    assert (first - clock()).total_seconds() == 30
    # Even the right password is refused while locked.
    with pytest.raises(AccountLocked):
        program.login("theo")
    clock.advance(seconds=31)
    with pytest.raises(LoginFailed, match="locked for 60 s"):
        accounts.login(ctx, "theo", "wrong-password-guess")
    assert ("account.locked", "allowed", "60s") in _actions(program)
    clock.advance(seconds=61)
    assert program.login("theo").private_key is not None
    assert _account(program, "theo").failed_logins == 0


def test_a_disabled_account_cannot_log_in(program: Demo) -> None:
    dana = program.login("dana")
    accounts.set_disabled(program.ctx, dana, "tomas", True)
    with pytest.raises(AccountDisabled):
        program.login("tomas")
    assert _actions(program)[-1] == ("login.failure", "denied", "disabled")
    accounts.set_disabled(program.ctx, dana, "tomas", False)
    assert program.login("tomas").username == "tomas"


def test_a_new_account_has_a_one_time_password_it_must_change(program: Demo) -> None:
    dana = program.login("dana")
    view, one_time = accounts.create_account(
        program.ctx, dana, "nia", "Nia Okonkwo", ["trainee"]
    )
    assert view.must_change_password
    nia = accounts.login(program.ctx, "nia", one_time)
    assert nia.must_change_password
    accounts.change_password(program.ctx, nia, one_time, NEW_PASSWORD)
    assert not _account(program, "nia").must_change_password
    again = accounts.login(program.ctx, "nia", NEW_PASSWORD)
    assert keys.public_bytes(_key(again)) == _account(program, "nia").public_key
    with pytest.raises(LoginFailed):
        accounts.login(program.ctx, "nia", one_time)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-one", "at least 12"),
        ("Password1234", "too common"),
        ("qwertyuiop!!", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("my-tara-password", "username"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_changes(
    program: Demo, password: str, why: str
) -> None:
    tara = program.login("tara")
    before = _account(program, "tara").password_hash
    with pytest.raises(InvalidInput, match=why):
        accounts.change_password(program.ctx, tara, program.password("tara"), password)
    assert _account(program, "tara").password_hash == before


def test_a_password_change_rewraps_the_same_key_pair(program: Demo) -> None:
    tara = program.login("tara")
    old = _account(program, "tara")
    accounts.change_password(program.ctx, tara, program.password("tara"), NEW_PASSWORD)
    new = _account(program, "tara")
    assert new.public_key == old.public_key
    assert new.wrapped_private_key != old.wrapped_private_key
    assert new.kek_salt != old.kek_salt
    reopened = accounts.login(program.ctx, "tara", NEW_PASSWORD)
    assert _key(reopened).private_bytes_raw() == (_key(tara).private_bytes_raw())


def test_a_wrong_current_password_does_not_change_it(program: Demo) -> None:
    tara = program.login("tara")
    with pytest.raises(LoginFailed):
        accounts.change_password(program.ctx, tara, "not-my-password", NEW_PASSWORD)
    assert _actions(program)[-1] == ("password.change", "denied", "bad-password")


def test_hashes_are_upgraded_after_login_when_the_program_asks_for_more(
    program: Demo,
) -> None:
    before = _account(program, "sam")
    stronger = replace(program.ctx.settings, argon2_memory_kib=16384)
    ctx = replace(program.ctx, settings=stronger)
    accounts.login(ctx, "sam", program.password("sam"))
    after = _account(program, "sam")
    assert "m=16384" in after.password_hash
    assert after.kek_params == "t=1,m=16384,p=1"
    assert after.public_key == before.public_key
    assert _actions(program)[-1] == ("login.success", "allowed", "rehashed")
    # Weaker program parameters never downgrade a hash.
    accounts.login(program.ctx, "sam", program.password("sam"))
    assert _account(program, "sam").password_hash == after.password_hash


def test_usernames_are_checked_and_unique(program: Demo) -> None:
    dana = program.login("dana")
    with pytest.raises(InvalidInput):
        accounts.create_account(program.ctx, dana, "Bad Name", "", ["trainee"])
    with pytest.raises(Conflict):
        accounts.create_account(program.ctx, dana, "tara", "", ["trainee"])
    with pytest.raises(InvalidInput, match="unknown role"):
        accounts.create_account(program.ctx, dana, "zed", "", ["wizard"])


def test_a_reset_issues_a_one_time_password_and_unlocks(program: Demo) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login(program.ctx, "theo", "wrong-password-guess")
    dana = program.login("dana")
    _, one_time = accounts.reset_password(program.ctx, dana, "theo")
    theo = accounts.login(program.ctx, "theo", one_time)
    assert theo.must_change_password
    assert keys.public_bytes(_key(theo)) == _account(program, "theo").public_key


def test_the_last_admin_keeps_the_admin_role(program: Demo) -> None:
    dana = program.login("dana")
    with pytest.raises(Conflict):
        accounts.set_roles(program.ctx, dana, "dana", ["supervisor"])
    accounts.set_roles(program.ctx, dana, "sam", ["supervisor", "admin"])
    assert accounts.set_roles(program.ctx, dana, "dana", ["supervisor"]).roles


def test_trainees_cannot_manage_accounts(program: Demo) -> None:
    tara = program.login("tara")
    with pytest.raises(PermissionDenied):
        accounts.create_account(program.ctx, tara, "zed", "", ["admin"])
    with pytest.raises(PermissionDenied):
        accounts.reset_password(program.ctx, tara, "theo")
    assert _actions(program)[-1] == ("account.reset", "denied", "role")


def test_a_disabled_admin_session_is_refused_at_once(program: Demo) -> None:
    dana = program.login("dana")
    accounts.set_roles(program.ctx, dana, "sam", ["supervisor", "admin"])
    sam = program.login("sam")
    accounts.set_disabled(program.ctx, dana, "sam", True)
    with pytest.raises(PermissionDenied, match="account-disabled"):
        accounts.list_accounts(program.ctx, sam)


def test_logoff_drops_the_key_and_is_audited(program: Demo) -> None:
    user = program.login("sofia")
    accounts.logoff(program.ctx, user, idle=True)
    assert user.private_key is None
    assert _actions(program)[-1] == ("logoff.idle", "allowed", "")
    assert "private" not in repr(user) and "key" not in repr(user)


def test_an_admin_cannot_reset_their_own_password(program: Demo) -> None:
    dana = program.login("dana")
    before = _account(program, "dana").password_hash
    with pytest.raises(Conflict, match="change it instead"):
        accounts.reset_password(program.ctx, dana, "dana")
    assert _account(program, "dana").password_hash == before
