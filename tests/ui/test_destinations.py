"""The destinations table: well-formed rows that agree with the services."""

from __future__ import annotations

import re

from supervise.models.accounts import Role
from supervise.screens.destinations import (
    DESTINATIONS,
    ROLE_ORDER,
    first_role,
    for_roles,
    next_role,
)
from supervise.services.accounts import ROLE_ORDER as SERVICE_ROLE_ORDER
from supervise.services.policy import Action
from tests.conftest import Demo


def test_the_role_order_is_the_services_order() -> None:
    assert tuple(str(role) for role in SERVICE_ROLE_ORDER) == ROLE_ORDER


def test_every_row_is_well_formed() -> None:
    ids = [item.id for item in DESTINATIONS]
    assert len(set(ids)) == len(ids)
    for item in DESTINATIONS:
        assert re.fullmatch(r"[a-z]+: [a-z ]+", item.command), item.command
        assert item.roles and item.roles <= set(ROLE_ORDER)
        assert item.policy == "" or Action(item.policy)
    for role in ROLE_ORDER:
        keys = [item.key for item in for_roles([role])]
        assert len(set(keys)) == len(keys), role
        assert "r" not in keys  # r switches role on every home


def test_every_row_builds_its_screen(sqlite_program: Demo) -> None:
    dana = sqlite_program.login("dana")
    for item in DESTINATIONS:
        screen = item.screen(sqlite_program.ctx, dana)
        assert screen.HELP, item.id


def test_an_account_lands_on_its_first_role_and_cycles_through_the_rest() -> None:
    held = {Role.AUDITOR, Role.SUPERVISOR}
    assert first_role(held) == "supervisor"
    assert next_role(held, "supervisor") == "auditor"
    assert next_role(held, "auditor") == "supervisor"
    assert first_role(set()) is None
