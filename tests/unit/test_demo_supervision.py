"""The demo's supervision samples: a signed-off review, a waiting queue, hours."""

from __future__ import annotations

from supervise.services import accounts, hours, reviews
from supervise.services.setup import DEMO_REVIEW, seed_demo
from supervise.settings import Settings
from tests.conftest import FakeClock


def test_the_demo_has_feedback_for_tara_a_queue_for_sam_and_hours(
    settings: Settings, clock: FakeClock
) -> None:
    ctx = seed_demo(settings, clock).context
    try:
        tara = accounts.login(ctx, "tara", "lantern-session-19")
        sam = accounts.login(ctx, "sam", "maple-review-28")
        sofia = accounts.login(ctx, "sofia", "river-feedback-64")
        assert reviews.new_feedback_count(ctx, tara) == 1
        [item] = reviews.feedback_for_trainee(ctx, tara)
        assert (item.case_code, item.supervisor) == ("C-1001", "sam")
        seen = reviews.open_review(ctx, tara, item.recording_id)
        assert [c.text for c in seen.comments] == [text for _, text in DEMO_REVIEW]
        assert {r.code: r.score for r in seen.ratings}["risk"] is None
        assert seen.feedback.startswith("A steady first session.")
        # the couple session waits for sam; the reviewed one has left his queue
        queue = reviews.queue(ctx, sam)
        assert [i.case_code for i in queue.items] == ["C-1003"]
        log = hours.list_hours(ctx, tara)
        assert [(e.supervisor, e.kind, e.minutes, e.cosigned) for e in log.entries] == [
            ("sam", "individual", 60, True),
            ("sofia", "group", 90, False),
        ]
        assert log.totals.total == 150 and log.totals.awaiting == 90
        assert [e.cosigned for e in hours.list_hours(ctx, sofia).entries] == [False]
    finally:
        ctx.engine.dispose()
