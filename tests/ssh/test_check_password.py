"""`accounts.check_password`: the login's checks without opening the key."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from supervise.models import Account, AuditEvent
from supervise.services import accounts
from supervise.services.errors import AccountDisabled, AccountLocked, LoginFailed
from tests.conftest import Demo


def actions(program: Demo) -> list[tuple[str, str, str]]:
    with Session(program.ctx.engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq))  # type: ignore[arg-type]
        return [(e.action, e.outcome, e.reason) for e in rows]


def failed_logins(program: Demo, username: str) -> int:
    with Session(program.ctx.engine) as session:
        account = session.exec(select(Account).where(Account.username == username))
        return account.one().failed_logins


def test_the_right_password_gives_the_id_and_writes_no_login(program: Demo) -> None:
    before = actions(program)
    account_id = accounts.check_password(program.ctx, "tara", program.password("tara"))
    assert actions(program) == before
    assert account_id == program.login("tara").account_id


def test_a_success_resets_the_failure_count(program: Demo) -> None:
    with pytest.raises(LoginFailed):
        accounts.check_password(program.ctx, "tara", "not-her-password")
    assert failed_logins(program, "tara") == 1
    accounts.check_password(program.ctx, "tara", program.password("tara"))
    assert failed_logins(program, "tara") == 0


def test_failures_are_audited_and_lock_the_account_as_logins_do(
    program: Demo,
) -> None:
    threshold = program.ctx.settings.lockout_threshold
    for _ in range(threshold):
        with pytest.raises(LoginFailed):
            accounts.check_password(program.ctx, "tara", "not-her-password")
    rows = actions(program)
    assert rows.count(("login.failure", "denied", "bad-password")) == threshold
    assert rows[-1][0] == "account.locked"
    with pytest.raises(AccountLocked):
        accounts.check_password(program.ctx, "tara", program.password("tara"))
    with pytest.raises(AccountLocked):
        program.login("tara")


def test_unknown_and_disabled_accounts_are_refused(program: Demo) -> None:
    with pytest.raises(LoginFailed):
        accounts.check_password(program.ctx, "nobody", "whatever-it-is")
    assert actions(program)[-1] == ("login.failure", "denied", "unknown-user")
    accounts.set_disabled(program.ctx, program.login("dana"), "tomas", True)
    with pytest.raises(AccountDisabled):
        accounts.check_password(program.ctx, "tomas", program.password("tomas"))
    assert actions(program)[-1] == ("login.failure", "denied", "disabled")
