"""The server's counters: session slots and failed logins per address."""

from __future__ import annotations

from supervise.ssh.commands import export_id
from supervise.ssh.limits import FailedAuth, SessionSlots


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_slots_hold_the_global_and_the_per_account_caps() -> None:
    slots = SessionSlots(total_cap=3, per_user_cap=2)
    assert slots.acquire(1) is None and slots.acquire(1) is None
    assert slots.acquire(1) == "cap-user"
    assert slots.acquire(2) is None
    assert slots.acquire(3) == "cap-global"
    slots.release(1)
    assert slots.acquire(3) is None
    assert slots.in_use == 3


def test_an_address_is_refused_at_the_limit_until_the_window_passes() -> None:
    ticks = Ticks()
    failures = FailedAuth(limit=3, window_seconds=600, clock=ticks)
    for _ in range(2):
        failures.add("192.0.2.7")
        ticks.now += 100
    assert not failures.refused("192.0.2.7")
    failures.add("192.0.2.7")
    assert failures.refused("192.0.2.7")
    assert not failures.refused("192.0.2.8")
    ticks.now += 401  # the first failure leaves the window
    assert not failures.refused("192.0.2.7")


def test_only_export_with_a_plain_number_is_a_command() -> None:
    assert export_id("export 12") == 12
    assert export_id("  export   7 ") == 7
    for refused in ("export", "export 1 2", "export -1", "export ١٢", "ls", "export x"):
        assert export_id(refused) is None
