"""Account recovery: a new one-time password over the same key pair."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session, col, select

from supervise.crypto import keys
from supervise.crypto.offline import read_offline_key
from supervise.models import Account, AuditEvent
from supervise.models.program import Program
from supervise.services import accounts
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    LoginFailed,
    NotFound,
    PermissionDenied,
)
from tests.conftest import Demo

NEW_PASSWORD = "violet-tandem-harvest"
GRANT_INFO = b"supervise/test-grant|1"


def _offline_key(program: Demo, kind: str) -> X25519PrivateKey:
    path = program.ctx.settings.home / "offline-keys" / f"{kind}.key"
    return read_offline_key(path, kind)


def _account(program: Demo, username: str) -> Account:
    with Session(program.ctx.engine) as session:
        return session.exec(select(Account).where(Account.username == username)).one()


def _row(program: Demo, username: str) -> dict[str, object]:
    """Every stored column of an account, to compare before and after."""
    return _account(program, username).model_dump()


def _key(user: accounts.UserSession) -> X25519PrivateKey:
    assert user.private_key is not None, "the session holds no key"
    return user.private_key


def _last_audit(program: Demo) -> tuple[str, str, str, str]:
    with Session(program.ctx.engine) as session:
        query = select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)
        event = session.exec(query).one()
        return (event.action, event.outcome, event.reason, event.object_id)


def _recover(program: Demo, username: str, kind: str = "recovery") -> str:
    dana = program.login("dana")
    key = _offline_key(program, kind)
    _, one_time = accounts.recover_account(program.ctx, dana, username, key)
    return one_time


def test_recovery_keeps_the_key_pair_behind_a_one_time_password(
    program: Demo,
) -> None:
    before = _account(program, "tara")
    sealed = keys.hpke_seal(
        b"a recording's grant secret", before.public_key, GRANT_INFO
    )
    one_time = _recover(program, "tara")
    assert _last_audit(program) == (
        "account.recover",
        "allowed",
        "key-kept",
        str(before.id),
    )
    tara = accounts.login(program.ctx, "tara", one_time)
    assert tara.must_change_password
    after = _account(program, "tara")
    assert keys.public_bytes(_key(tara)) == after.public_key == before.public_key
    assert after.key_version == before.key_version
    assert after.recovery_wrapped_key == before.recovery_wrapped_key
    opened = keys.hpke_open(sealed, _key(tara), GRANT_INFO)
    assert opened == b"a recording's grant secret"
    # Choosing a password keeps the same key too.
    accounts.change_password(program.ctx, tara, one_time, NEW_PASSWORD)
    again = accounts.login(program.ctx, "tara", NEW_PASSWORD)
    assert not again.must_change_password
    assert keys.hpke_open(sealed, _key(again), GRANT_INFO) == opened


def test_after_recovery_the_old_password_no_longer_works(program: Demo) -> None:
    _recover(program, "theo")
    with pytest.raises(LoginFailed):
        program.login("theo")


def test_the_escrow_key_is_refused_audited_and_changes_nothing(
    program: Demo,
) -> None:
    before = _row(program, "theo")
    with pytest.raises(InvalidInput, match="does not open theo's key copy"):
        _recover(program, "theo", kind="escrow")
    assert _row(program, "theo") == before
    assert _last_audit(program) == (
        "account.recover",
        "denied",
        "bad-recovery-key",
        str(before["id"]),
    )
    assert program.login("theo").private_key is not None


def test_a_recovery_copy_of_another_key_is_refused_and_changes_nothing(
    program: Demo,
) -> None:
    theo = _account(program, "theo")
    assert theo.id is not None
    with Session(program.ctx.engine) as session:
        recovery_public = session.exec(select(Program)).one().recovery_public_key
        stored = session.get(Account, theo.id)
        assert stored is not None
        stranger, _ = keys.generate_key_pair()
        stored.recovery_wrapped_key = keys.hpke_seal(
            stranger.private_bytes_raw(), recovery_public, keys.recovery_info(theo.id)
        )
        session.add(stored)
        session.commit()
    before = _row(program, "theo")
    with pytest.raises(Conflict, match="does not match"):
        _recover(program, "theo")
    assert _row(program, "theo") == before
    assert _last_audit(program)[:3] == (
        "account.recover",
        "denied",
        "recovery-copy-mismatch",
    )


@pytest.mark.parametrize("username", ["tara", "sam"])
def test_trainees_and_supervisors_cannot_recover_accounts(
    program: Demo, username: str
) -> None:
    before = _row(program, "theo")
    user = program.login(username)
    with pytest.raises(PermissionDenied, match=r"account\.recover"):
        accounts.recover_account(
            program.ctx, user, "theo", _offline_key(program, "recovery")
        )
    assert _row(program, "theo") == before
    assert _last_audit(program)[:3] == ("account.recover", "denied", "role")


def test_an_admin_cannot_recover_their_own_account(program: Demo) -> None:
    before = _row(program, "dana")
    with pytest.raises(Conflict, match="your own account"):
        _recover(program, "dana")
    assert _row(program, "dana")["password_hash"] == before["password_hash"]


def test_an_unknown_account_is_not_found(program: Demo) -> None:
    with pytest.raises(NotFound, match="nobody"):
        _recover(program, "nobody")


def test_recovery_unlocks_a_locked_account(program: Demo) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.login(program.ctx, "theo", "wrong-password-guess")
    assert _account(program, "theo").locked_until is not None
    one_time = _recover(program, "theo")
    theo = _account(program, "theo")
    assert (theo.failed_logins, theo.locked_until) == (0, None)
    assert accounts.login(program.ctx, "theo", one_time).must_change_password
