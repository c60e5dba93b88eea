"""Several people at once: the audit chain stays whole under concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from supervise.services import accounts, audit
from supervise.services.errors import Conflict, LoginFailed
from tests.conftest import Demo

THREADS = 6
ROUNDS = 5


def test_concurrent_logins_keep_one_unbroken_chain(program: Demo) -> None:
    before = audit.verify(program.ctx).rows
    names = ["sam", "sofia", "tara", "theo", "tomas", "audrey"]

    def work(name: str) -> None:
        for _ in range(ROUNDS):
            program.login(name)
            with pytest.raises(LoginFailed):
                accounts.login(program.ctx, name, "not-the-password")

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(work, name) for name in names]:
            future.result()
    result = audit.verify(program.ctx)
    assert result.ok, result.problem
    assert result.rows == before + len(names) * ROUNDS * 2


def test_two_admins_creating_the_same_username_get_one_account(program: Demo) -> None:
    dana = program.login("dana")
    outcomes: list[str] = []

    def create() -> None:
        try:
            accounts.create_account(program.ctx, dana, "nadia", "", ["trainee"])
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(create) for _ in range(2)]:
            future.result()
    assert sorted(outcomes) == ["conflict", "created"]
    assert audit.verify(program.ctx).ok
