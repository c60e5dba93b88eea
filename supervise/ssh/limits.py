"""How many sessions may run, and which addresses are refused for a while.

asyncssh has no limits of its own: the server counts sessions (all of them,
and each account's) and failed authentications per client address.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
_MAX_ADDRESSES = 10_000
"""Past this many remembered addresses, expired ones are forgotten."""


@dataclass
class SessionSlots:
    """Open sessions, counted globally and per account."""

    total_cap: int
    per_user_cap: int
    _open: Counter[int] = field(default_factory=Counter)

    def acquire(self, account_id: int) -> str | None:
        """Take a slot for `account_id`; else the refusal's reason code."""
        if sum(self._open.values()) >= self.total_cap:
            return "cap-global"
        if self._open[account_id] >= self.per_user_cap:
            return "cap-user"
        self._open[account_id] += 1
        return None

    def release(self, account_id: int) -> None:
        """Give back a slot taken with `acquire`."""
        self._open[account_id] -= 1
        if self._open[account_id] <= 0:
            del self._open[account_id]

    @property
    def in_use(self) -> int:
        """Sessions open now."""
        return sum(self._open.values())


@dataclass
class FailedAuth:
    """Failed authentications per address within a sliding window."""

    limit: int
    window_seconds: float
    clock: Clock = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def add(self, address: str) -> None:
        """Count one failure from `address`."""
        if len(self._seen) >= _MAX_ADDRESSES:
            self._forget_expired()
        self._seen.setdefault(address, deque()).append(self.clock())

    def _forget_expired(self) -> None:
        """Drop addresses whose failures have all left the window."""
        horizon = self.clock() - self.window_seconds
        for address in [a for a, t in self._seen.items() if t[-1] <= horizon]:
            del self._seen[address]

    def refused(self, address: str) -> bool:
        """Whether `address` failed `limit` times within the window."""
        times = self._seen.get(address)
        if times is None:
            return False
        horizon = self.clock() - self.window_seconds
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._seen[address]
            return False
        return len(times) >= self.limit
