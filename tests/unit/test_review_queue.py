"""The review queue: what waits for a supervisor, oldest first, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from supervise.models.clinical import GrantVia, RecordingState, Review, ReviewComment
from supervise.services import reviews
from supervise.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.conftest import Demo
from tests.review_helpers import PLACEHOLDER, fake_recordings

EARLY = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
DEMO_TARA = [1, 2]  # the demo's own, imported before every fake one


def ids(page: reviews.QueuePage) -> list[int]:
    return [item.recording_id for item in page.items]


def test_the_queue_pages_oldest_first_over_what_the_supervisor_may_review(
    program: Demo,
) -> None:
    ctx = program.ctx
    sam, sofia = program.login("sam"), program.login("sofia")
    theo, tomas = program.login("theo"), program.login("tomas")
    own = {theo.account_id: GrantVia.OWNER, sam.account_id: GrantVia.SUPERVISOR}
    theos = fake_recordings(ctx, "C-2001", own, 7, EARLY)
    # tomas is sofia's: his recordings reach sam only when shared with him
    tomas_own = {
        tomas.account_id: GrantVia.OWNER,
        sofia.account_id: GrantVia.SUPERVISOR,
    }
    fake_recordings(ctx, "C-3002", tomas_own, 3, EARLY)
    [shared] = fake_recordings(
        ctx,
        "C-3002",
        {**tomas_own, sam.account_id: GrantVia.SHARE},
        1,
        EARLY + timedelta(minutes=90),
    )
    fake_recordings(
        ctx,
        "C-3002",
        {**tomas_own, sam.account_id: GrantVia.SHARE},
        1,
        EARLY,
        expires_at=program.clock() - timedelta(days=1),
    )
    fake_recordings(ctx, "C-2001", own, 1, EARLY, state=RecordingState.SHREDDED)
    signed, drafted = theos[0], theos[1]
    with Session(ctx.engine) as session:
        session.add(
            Review(
                recording_id=signed,
                supervisor_id=sam.account_id,
                signed_off_at=program.clock(),
            )
        )
        draft = Review(recording_id=drafted, supervisor_id=sam.account_id)
        session.add(draft)
        session.flush()
        assert draft.id is not None
        draft_id = draft.id
        for at in (1.0, 2.0):
            session.add(
                ReviewComment(
                    review_id=draft.id, at_seconds=at, text_sealed=PLACEHOLDER
                )
            )
        # sofia signing off on a theo recording takes nothing from sam's queue
        session.add(
            Review(
                recording_id=theos[2],
                supervisor_id=sofia.account_id,
                signed_off_at=program.clock(),
            )
        )
        session.commit()

    # Oldest first is the order of import (ids), whatever the import times say.
    expected = [*DEMO_TARA, theos[1], *theos[2:], shared]
    assert expected == sorted(expected)
    first = reviews.queue(ctx, sam, limit=3)
    assert first.total == len(expected) == 9
    seen: list[int] = []
    for offset in range(0, 12, 3):
        page = reviews.queue(ctx, sam, offset=offset, limit=3)
        assert (page.total, page.offset) == (len(expected), offset)
        assert len(page.items) == min(3, max(0, len(expected) - offset))
        seen += ids(page)
    assert seen == expected

    item = first.items[2]
    assert (item.recording_id, item.review_id, item.comments) == (drafted, draft_id, 2)
    assert (item.trainee, item.case_code, item.purpose) == (
        "theo",
        "C-2001",
        "supervision",
    )
    assert item.waited == program.clock() - item.imported_at
    assert first.items[0].review_id is None and first.items[0].comments == 0

    only_theo = reviews.queue(ctx, sam, trainee="theo")
    assert ids(only_theo) == theos[1:] and only_theo.total == 6
    theirs = reviews.queue(ctx, sofia)
    assert not set(ids(theirs)) & set(theos)
    assert {1, 2, 3, shared} <= set(ids(theirs))


def test_a_named_trainee_who_is_not_the_supervisors_is_refused(program: Demo) -> None:
    sam = program.login("sam")
    with pytest.raises(PermissionDenied):
        reviews.queue(program.ctx, sam, trainee="tomas")
    with pytest.raises(NotFound):
        reviews.queue(program.ctx, sam, trainee="nobody")
    with pytest.raises(PermissionDenied):
        reviews.queue(program.ctx, program.login("tara"))
    for offset, limit in ((-1, 10), (0, 0), (0, reviews.MAX_PAGE + 1)):
        with pytest.raises(InvalidInput):
            reviews.queue(program.ctx, sam, offset=offset, limit=limit)


@contextmanager
def statements(program: Demo) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(program.ctx.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(program.ctx.engine, "before_cursor_execute", note)


def test_a_page_costs_the_same_statements_however_long_the_queue(
    program: Demo,
) -> None:
    ctx = program.ctx
    sam, theo = program.login("sam"), program.login("theo")
    own = {theo.account_id: GrantVia.OWNER, sam.account_id: GrantVia.SUPERVISOR}
    with statements(program) as short:
        reviews.queue(ctx, sam, limit=5)
    fake_recordings(ctx, "C-2001", own, 60, EARLY)
    with statements(program) as long:
        page = reviews.queue(ctx, sam, limit=5)
    assert page.total == 62 and len(page.items) == 5
    assert not page.more_than_total
    assert len(long) == len(short)
    on_queue = [s for s in long if "WITH matches" in s]
    assert len(on_queue) == 1  # the page, counting up to the cap as it goes
    assert "LIMIT" in on_queue[0]
    with statements(program) as past_the_end:
        beyond = reviews.queue(ctx, sam, offset=100, limit=5)
    assert (beyond.items, beyond.total) == ([], 62)
    assert len([s for s in past_the_end if "WITH matches" in s]) == 2


def test_the_count_stops_at_its_cap_and_says_more_wait(
    program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = program.ctx
    sam, theo = program.login("sam"), program.login("theo")
    own = {theo.account_id: GrantVia.OWNER, sam.account_id: GrantVia.SUPERVISOR}
    fake_recordings(ctx, "C-2001", own, 30, EARLY)
    monkeypatch.setattr(reviews, "COUNT_CAP", 20)
    first = reviews.queue(ctx, sam, limit=5)
    assert (first.total, first.more_than_total, len(first.items)) == (20, True, 5)
    # Two pages past a far offset are always counted, so paging never ends early.
    further = reviews.queue(ctx, sam, offset=15, limit=5)
    assert (further.total, further.more_than_total) == (25, True)
    last = reviews.queue(ctx, sam, offset=25, limit=5)  # 30 made + tara's 2
    assert (last.total, last.more_than_total, len(last.items)) == (32, False, 5)
