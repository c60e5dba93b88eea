"""Opening the first page of the review queue: 5,000 waiting against 50.

Seeds a demo program with two more supervisors: one with 50 trainees of 100
recordings each (5,000 in the queue), one with 5 trainees of 10 (50), their
recordings imported in turns over the same year, each with the usual three
grants (owner, supervisor, escrow). The queue reads rows only, so the rows
are inserted directly, with placeholder headers and grant secrets: nothing is
encrypted and nothing is opened. Then `reviews.queue(limit=50)` runs for the
two supervisors in turns, `--rounds` rounds of `--calls` calls each, so that
both share the machine's noise; the figure that matters is the ratio of the
medians of the per-call times. Target: the long queue's first page costs at
most twice the short one's, which holds only if the page is found in SQL
(the caller's grants walked in import order, stopping at the page and at a
count capped at `reviews.COUNT_CAP`) rather than by loading every row. On PostgreSQL the
tables are analysed after seeding, as autovacuum does after a bulk load:
with no statistics at all the planner picks nested loops over every row.

Peak memory is Python's own allocation high-water mark during one call
(tracemalloc), for each queue.

    python benchmarks/queue.py [--rounds 20] [--calls 10] [--database-url URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on the path, and this file
# would stand in for the standard library's `queue` (which psycopg imports).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).parent.resolve():
    del sys.path[0]

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext

TARGET = 2.0
PAGE = 50
FAST_ARGON2 = {
    "SUPERVISE_ARGON2_TIME_COST": "1",
    "SUPERVISE_ARGON2_MEMORY_KIB": "8192",
    "SUPERVISE_ARGON2_PARALLELISM": "1",
}
"""Cheap Argon2id parameters, as in tests/conftest.py: logins are not measured."""
PLACEHOLDER = b"placeholder: the queue never opens this"
FIRST_IMPORT = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
QUEUES = {"long": (50, 100), "short": (5, 10)}
"""Supervisor name: (trainees, recordings per trainee)."""


def say(text: str) -> None:
    """Progress for the person waiting, on standard error."""
    print(text, file=sys.stderr, flush=True)


# --- seeding -------------------------------------------------------------------


def _account(username: str) -> object:
    from supervise.models.accounts import Account

    return Account(
        username=username,
        full_name="",
        password_hash="!",
        must_change_password=False,
        public_key=b"\0" * 32,
        kek_salt=b"",
        kek_params="",
        wrapped_private_key=b"",
        recovery_wrapped_key=b"",
    )


def seed(ctx: ProgramContext) -> dict[str, int]:
    """The two supervisors, their trainees, clients, recordings and grants;
    returns the supervisors' account ids."""
    from sqlalchemy import insert
    from sqlmodel import Session, col, select

    from supervise.models.accounts import Account, AccountRole, Role, Supervision
    from supervise.models.clinical import Client, Grant, GrantVia, Recording

    today = ctx.now().date()
    supervisors: dict[str, int] = {}
    plan: list[tuple[int, int, int]] = []  # (supervisor, trainee, count)
    with Session(ctx.engine) as session:
        for name, (trainees, per_trainee) in QUEUES.items():
            boss = _account(f"bench-{name}")
            assert isinstance(boss, Account)
            session.add(boss)
            session.flush()
            assert boss.id is not None
            supervisors[name] = boss.id
            session.add(AccountRole(account_id=boss.id, role=Role.SUPERVISOR))
            for number in range(trainees):
                trainee = _account(f"bench-{name}-t{number}")
                assert isinstance(trainee, Account)
                session.add(trainee)
                session.flush()
                assert trainee.id is not None
                session.add(AccountRole(account_id=trainee.id, role=Role.TRAINEE))
                session.add(
                    Supervision(
                        supervisor_id=boss.id,
                        trainee_id=trainee.id,
                        started_on=today - timedelta(days=400),
                    )
                )
                plan.append((boss.id, trainee.id, per_trainee))
        session.commit()
        clients = []
        for _, trainee_id, _ in plan:
            clients.append(
                {
                    "uid": str(uuid.uuid4()),
                    "case_code": f"B-{trainee_id}",
                    "trainee_id": trainee_id,
                    "jurisdiction": "CA",
                    "is_minor": False,
                    "identity_sealed": PLACEHOLDER,
                    "created_at": FIRST_IMPORT,
                }
            )
        session.execute(insert(Client), clients)
        session.commit()
        client_of = {
            c.trainee_id: c.id
            for c in session.exec(
                select(Client).where(col(Client.case_code).startswith("B-"))
            )
        }
        total = sum(count for _, _, count in plan)
        step = timedelta(days=365) / total
        rows = []
        owners = []
        order = 0
        # recordings of all trainees in turns, so both queues span the year
        longest = max(count for _, _, count in plan)
        for index in range(longest):
            for boss_id, trainee_id, count in plan:
                if index >= count:
                    continue
                uid = str(uuid.uuid4())
                rows.append(
                    {
                        "uid": uid,
                        "client_id": client_of[trainee_id],
                        "trainee_id": trainee_id,
                        "session_date": date(2025, 12, 1),
                        "purpose": "supervision",
                        "media_type": "audio/wav",
                        "duration_seconds": 3000.0,
                        "size_bytes": 1000,
                        "legal_hold": False,
                        "shred_on_release": False,
                        "state": "active",
                        "age_header": PLACEHOLDER,
                        "blob_name": f"bench-{uid}",
                        "created_at": FIRST_IMPORT + step * order,
                    }
                )
                owners.append((boss_id, trainee_id))
                order += 1
        session.execute(insert(Recording), rows)
        session.commit()
        found = session.exec(
            select(Recording.id, Recording.uid).where(
                col(Recording.blob_name).startswith("bench-")
            )
        )
        ids = {uid: rid for rid, uid in found}
        grants = []
        for row, (boss_id, trainee_id) in zip(rows, owners, strict=True):
            for grantee, via in (
                (trainee_id, GrantVia.OWNER),
                (boss_id, GrantVia.SUPERVISOR),
                (None, GrantVia.ESCROW),
            ):
                grants.append(
                    {
                        "object_type": "recording",
                        "object_id": ids[str(row["uid"])],
                        "grantee_id": grantee,
                        "via": via.value,
                        "wrapped_secret": PLACEHOLDER,
                        "granted_by": trainee_id,
                        "granted_at": row["created_at"],
                        "purpose": "",
                    }
                )
        session.execute(insert(Grant), grants)
        session.commit()
    return supervisors


# --- timing --------------------------------------------------------------------


@dataclass
class Sample:
    """One call: wall-clock and CPU seconds."""

    wall: float
    cpu: float


def time_call(call: Callable[[], object]) -> Sample:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return Sample(time.perf_counter() - wall, time.process_time() - cpu)


def peak_kib(call: Callable[[], object]) -> float:
    """Python's allocation high-water mark during one call, in KiB."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        call()
        peak: int = tracemalloc.get_traced_memory()[1]
        return peak / 1024
    finally:
        tracemalloc.stop()


def run(
    calls: Mapping[str, Callable[[], object]], rounds: int, per_round: int
) -> dict[str, list[Sample]]:
    """The queues taking turns, `rounds` times, `per_round` calls each."""
    samples: dict[str, list[Sample]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            samples[name] += [time_call(call) for _ in range(per_round)]
    return samples


def report(
    samples: dict[str, list[Sample]],
    totals: dict[str, int],
    peaks: dict[str, float],
    backend: str,
) -> None:
    """Per-call medians, peaks and the ratio against the target."""

    def median_ms(name: str, field: str) -> float:
        values: list[float] = [getattr(s, field) for s in samples[name]]
        return statistics.median(values) * 1000

    count = len(samples["long"])
    print(
        f"reviews.queue(limit={PAGE}) on {backend}: {count} calls per queue, "
        "taking turns; medians per call"
    )
    columns = ("waiting", "wall ms", "cpu ms", "p90 ms")
    print(f"{'':<26}" + "".join(f"{c:>9}" for c in columns) + f"{'peak KiB':>10}")
    for name in ("long", "short"):
        walls = sorted(s.wall for s in samples[name])
        p90 = walls[int(len(walls) * 0.9) - 1] * 1000
        print(
            f"  {name + ' queue':<24}{totals[name]:9d}{median_ms(name, 'wall'):9.2f}"
            f"{median_ms(name, 'cpu'):9.2f}{p90:9.2f}{peaks[name]:10.0f}"
        )
    wall = median_ms("long", "wall") / median_ms("short", "wall")
    cpu = median_ms("long", "cpu") / median_ms("short", "cpu")
    print(
        f"ratio {totals['long']} / {totals['short']}: {wall:.2f}x wall, {cpu:.2f}x cpu"
    )
    verdict = "PASS" if wall <= TARGET else "MISS"
    print(
        f"{verdict} the first page of {totals['long']} within {TARGET:.0f}x that of "
        f"{totals['short']}: {wall:.2f}x"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--calls", type=int, default=10, help="calls per round")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SUPERVISE_DATABASE_URL", ""),
        help="a PostgreSQL database to use instead of a SQLite file (an empty "
        "database or schema; default: $SUPERVISE_DATABASE_URL, else SQLite)",
    )
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.rounds < 1 or args.calls < 1:
        raise SystemExit("--rounds and --calls must be at least 1")
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        bench(Path(work) / "home", args)


def bench(home: Path, args: argparse.Namespace) -> None:
    from supervise.models.accounts import Role
    from supervise.services import reviews
    from supervise.services.accounts import UserSession
    from supervise.services.setup import seed_demo
    from supervise.settings import load_settings

    environ = dict(FAST_ARGON2)
    if args.database_url:
        environ["SUPERVISE_DATABASE_URL"] = args.database_url
    say("seeding the demo program and 5,050 recordings...")
    ctx = seed_demo(load_settings(home, environ=environ)).context
    try:
        ids = seed(ctx)
        if args.database_url:
            # What autovacuum does after a bulk load; not waited for here.
            with ctx.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        users: dict[str, UserSession] = {
            name: UserSession(
                account_id, f"bench-{name}", frozenset({Role.SUPERVISOR}), False
            )
            for name, account_id in ids.items()
        }

        def call_for(name: str) -> Callable[[], reviews.QueuePage]:
            return lambda: reviews.queue(ctx, users[name], limit=PAGE)

        calls = {name: call_for(name) for name in ("long", "short")}
        totals = {name: t * n for name, (t, n) in QUEUES.items()}
        for name, call in calls.items():  # warm up, and check what the page says
            page = call()
            counted = min(totals[name], reviews.COUNT_CAP)
            more = totals[name] > reviews.COUNT_CAP
            assert (page.total, page.more_than_total) == (counted, more), page
            assert len(page.items) == PAGE, len(page.items)
        peaks = {name: peak_kib(call) for name, call in calls.items()}
        say("timing...")
        samples = run(calls, args.rounds, args.calls)
        backend = "PostgreSQL" if args.database_url else "SQLite"
        report(samples, totals, peaks, backend)
    finally:
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
