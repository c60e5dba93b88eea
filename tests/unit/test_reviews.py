"""Reviews: comments, ratings, feedback, sign-off, and who may read them.

The demo's recordings: 1 and 2 are tara's (sam and sofia supervise her), 3 is
tomas's (sofia alone supervises him).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from supervise.models import AuditEvent
from supervise.models.audit import Outcome
from supervise.models.clinical import Review, ReviewComment
from supervise.services import pairs, reviews, rubric, vault
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from tests.conftest import Demo

TARA_1, TARA_2, TOMAS_3 = 1, 2, 3
SECRET = "Client disclosed the panic attacks began after the move"


def denials(program: Demo) -> list[AuditEvent]:
    """Every denied audit row, oldest first."""
    with Session(program.ctx.engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.outcome == Outcome.DENIED)
                .order_by(col(AuditEvent.seq))
            )
        )


def rows(program: Demo, action: str) -> list[AuditEvent]:
    with Session(program.ctx.engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.action == action)
                .order_by(col(AuditEvent.seq))
            )
        )


def test_a_signed_off_review_reaches_the_trainee_and_stops_being_new(
    program: Demo,
) -> None:
    sam, tara = program.login("sam"), program.login("tara")
    ctx = program.ctx
    reviews.add_comment(ctx, sam, TARA_1, 4.0, "Warm opening.")
    reviews.add_comment(ctx, sam, TARA_1, 1.5, "Good check-in.")
    reviews.set_ratings(ctx, sam, TARA_1, {"empathy": 4, "risk": None})
    reviews.set_feedback(ctx, sam, TARA_1, "Keep the pacing.\nWell done.")
    signed = reviews.sign_off(ctx, sam, TARA_1)
    assert not signed.editable and signed.signed_off_at == program.clock()

    assert reviews.new_feedback_count(ctx, tara) == 1
    [item] = reviews.feedback_for_trainee(ctx, tara)
    assert (item.recording_id, item.supervisor, item.new) == (TARA_1, "sam", True)

    seen = reviews.open_review(ctx, tara, TARA_1)
    assert [c.text for c in seen.comments] == ["Good check-in.", "Warm opening."]
    assert [(r.code, r.label, r.score) for r in seen.ratings] == [
        ("empathy", "Empathic reflection", 4),
        ("risk", "Risk and safety", None),  # marked not observed
    ]
    assert seen.feedback == "Keep the pacing.\nWell done."
    assert f"recording export {TARA_1} -o - --as tara |" in seen.play_hint
    assert not seen.editable
    assert reviews.new_feedback_count(ctx, tara) == 0
    assert not reviews.feedback_for_trainee(ctx, tara)[0].new
    views = rows(program, "review.view")
    assert views[-1].actor_id == tara.account_id
    assert views[-1].object_id == str(signed.id)


def test_every_write_is_audited_with_ids_only(program: Demo) -> None:
    sam = program.login("sam")
    ctx = program.ctx
    comment = reviews.add_comment(ctx, sam, TARA_1, 2.0, SECRET)
    reviews.edit_comment(ctx, sam, comment.id, 3.0, SECRET + " (edited)")
    reviews.set_ratings(ctx, sam, TARA_1, {"alliance": 5})
    reviews.set_feedback(ctx, sam, TARA_1, SECRET)
    reviews.delete_comment(ctx, sam, comment.id)
    reviews.sign_off(ctx, sam, TARA_1)
    actions = [
        "review.comment",
        "review.comment",
        "review.rate",
        "review.feedback",
        "review.comment",
        "review.sign_off",
    ]
    with Session(ctx.engine) as session:
        trail = list(
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action).in_(set(actions)))
                .order_by(col(AuditEvent.seq))
            )
        )
    assert [row.action for row in trail] == actions
    assert [row.reason for row in trail][:2] == [
        f"add-{comment.id}",
        f"edit-{comment.id}",
    ]
    for row in trail:
        assert row.outcome == Outcome.ALLOWED
        assert "panic" not in f"{row.reason} {row.object_id} {row.object_type}"


def test_comments_are_edited_and_deleted_by_their_author_only(program: Demo) -> None:
    sam, sofia = program.login("sam"), program.login("sofia")
    ctx = program.ctx
    mine = reviews.add_comment(ctx, sofia, TARA_1, 2.0, "Sofia's note.")
    with pytest.raises(PermissionDenied, match="another supervisor"):
        reviews.edit_comment(ctx, sam, mine.id, 2.0, "Overwritten by sam.")
    with pytest.raises(PermissionDenied):
        reviews.delete_comment(ctx, sam, mine.id)
    refused = denials(program)[-2:]
    assert [(r.actor_id, r.action, r.reason) for r in refused] == [
        (sam.account_id, "review.comment", "not-author"),
        (sam.account_id, "review.comment", "not-author"),
    ]
    assert [c.text for c in reviews.open_review(ctx, sofia, TARA_1).comments] == [
        "Sofia's note."
    ]
    edited = reviews.edit_comment(ctx, sofia, mine.id, 5.5, "Sofia's better note.")
    assert (edited.at_seconds, edited.text) == (5.5, "Sofia's better note.")
    assert edited.updated_at is not None
    reviews.delete_comment(ctx, sofia, mine.id)
    assert reviews.open_review(ctx, sofia, TARA_1).comments == ()
    # sam's own review of the same recording was never touched
    assert reviews.open_review(ctx, sam, TARA_1).id is None


@pytest.mark.parametrize(
    ("scores", "fragment"),
    [
        ({"charisma": 3}, "no item 'charisma'"),
        ({"empathy": 0}, "1 to 5"),
        ({"empathy": 6}, "1 to 5"),
        ({"empathy": True}, "1 to 5"),
    ],
)
def test_ratings_outside_the_rubric_or_the_scale_are_refused(
    program: Demo, scores: dict[str, int | None], fragment: str
) -> None:
    sam = program.login("sam")
    reviews.set_ratings(program.ctx, sam, TARA_1, {"alliance": 3})
    with pytest.raises(InvalidInput, match=fragment):
        reviews.set_ratings(program.ctx, sam, TARA_1, scores)
    view = reviews.open_review(program.ctx, sam, TARA_1)
    assert {r.code: r.score for r in view.ratings if r.score} == {"alliance": 3}


def test_not_observed_is_kept_apart_from_not_rated_through_sign_off(
    program: Demo,
) -> None:
    sam = program.login("sam")
    reviews.set_ratings(program.ctx, sam, TARA_1, {"alliance": 4, "risk": None})
    reviews.set_ratings(program.ctx, sam, TARA_1, {"empathy": 2})
    draft = {r.code: r for r in reviews.open_review(program.ctx, sam, TARA_1).ratings}
    assert (draft["risk"].score, draft["risk"].rated) == (None, True)
    assert (draft["goals"].score, draft["goals"].rated) == (None, False)
    assert (draft["alliance"].score, draft["empathy"].score) == (4, 2)
    signed = reviews.sign_off(program.ctx, sam, TARA_1)
    kept = {r.code: (r.score, r.rated) for r in signed.ratings}
    assert kept == {"alliance": (4, True), "empathy": (2, True), "risk": (None, True)}


def test_a_retired_item_cannot_be_rated_and_a_draft_shows_the_current_rubric(
    program: Demo,
) -> None:
    sam, dana = program.login("sam"), program.login("dana")
    rubric.retire_item(program.ctx, dana, "culture")
    with pytest.raises(InvalidInput, match="no item 'culture'"):
        reviews.set_ratings(program.ctx, sam, TARA_1, {"culture": 3})
    draft = reviews.open_review(program.ctx, sam, TARA_1)
    assert [r.code for r in draft.ratings] == [
        e.code for e in rubric.list_rubric(program.ctx, sam)
    ]
    assert "culture" not in {r.code for r in draft.ratings}
    assert all(r.score is None for r in draft.ratings)


def test_sign_off_locks_the_review_and_each_late_edit_is_refused_and_audited(
    program: Demo,
) -> None:
    sam = program.login("sam")
    ctx = program.ctx
    with pytest.raises(InvalidInput, match="empty"):
        reviews.sign_off(ctx, sam, TARA_1)
    reviews.set_ratings(ctx, sam, TARA_1, {"goals": None})  # not observed only
    with pytest.raises(InvalidInput, match="empty"):
        reviews.sign_off(ctx, sam, TARA_1)
    comment = reviews.add_comment(ctx, sam, TARA_1, 1.0, "Fine.")
    reviews.sign_off(ctx, sam, TARA_1)
    attempts: list[Callable[[], object]] = [
        lambda: reviews.add_comment(ctx, sam, TARA_1, 2.0, "Late."),
        lambda: reviews.edit_comment(ctx, sam, comment.id, 2.0, "Late."),
        lambda: reviews.delete_comment(ctx, sam, comment.id),
        lambda: reviews.set_ratings(ctx, sam, TARA_1, {"goals": 2}),
        lambda: reviews.set_feedback(ctx, sam, TARA_1, "Late."),
        lambda: reviews.sign_off(ctx, sam, TARA_1),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="can no longer be edited"):
            attempt()
    refused = denials(program)[-len(attempts) :]
    assert {r.reason for r in refused} == {"signed-off"}
    assert [r.action for r in refused] == [
        "review.comment",
        "review.comment",
        "review.comment",
        "review.rate",
        "review.feedback",
        "review.sign_off",
    ]
    view = reviews.open_review(ctx, sam, TARA_1)
    assert [c.text for c in view.comments] == ["Fine."]
    assert view.feedback == "" and all(r.score is None for r in view.ratings)


def test_a_supervisor_not_assigned_to_the_trainee_is_refused_and_audited(
    program: Demo,
) -> None:
    sam = program.login("sam")  # supervises tara and theo, not tomas
    ctx = program.ctx
    before = len(denials(program))
    attempts: list[Callable[[], object]] = [
        lambda: reviews.add_comment(ctx, sam, TOMAS_3, 1.0, "Not mine."),
        lambda: reviews.set_feedback(ctx, sam, TOMAS_3, "Not mine."),
        lambda: reviews.open_review(ctx, sam, TOMAS_3),
        lambda: reviews.queue(ctx, sam, trainee="tomas"),
        lambda: reviews.list_reviews(ctx, sam, trainee="tomas"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    refused = denials(program)[before:]
    assert len(refused) == 5
    assert {r.actor_id for r in refused} == {sam.account_id}
    with Session(ctx.engine) as session:
        assert session.exec(select(Review)).all() == []


def test_a_draft_is_invisible_to_the_trainee(program: Demo) -> None:
    sam, tara = program.login("sam"), program.login("tara")
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "Draft thought.")
    reviews.set_feedback(program.ctx, sam, TARA_1, "Draft feedback.")
    with pytest.raises(NotFound, match="no signed-off review"):
        reviews.open_review(program.ctx, tara, TARA_1)
    with pytest.raises(NotFound):
        reviews.open_review(program.ctx, tara, TARA_1, supervisor="sam")
    assert reviews.feedback_for_trainee(program.ctx, tara) == []
    assert reviews.new_feedback_count(program.ctx, tara) == 0
    assert reviews.list_reviews(program.ctx, tara) == []
    # nor to a co-supervisor
    with pytest.raises(NotFound):
        reviews.open_review(program.ctx, program.login("sofia"), TARA_1, "sam")


def test_with_two_signed_off_reviews_the_trainee_names_the_supervisor(
    program: Demo,
) -> None:
    sam, sofia, tara = (program.login(n) for n in ("sam", "sofia", "tara"))
    for who, words in ((sam, "From sam."), (sofia, "From sofia.")):
        reviews.set_feedback(program.ctx, who, TARA_2, words)
        reviews.sign_off(program.ctx, who, TARA_2)
    with pytest.raises(InvalidInput, match="name the supervisor"):
        reviews.open_review(program.ctx, tara, TARA_2)
    view = reviews.open_review(program.ctx, tara, TARA_2, supervisor="sofia")
    assert (view.supervisor, view.feedback) == ("sofia", "From sofia.")
    assert reviews.new_feedback_count(program.ctx, tara) == 1


def test_stored_columns_hold_no_plaintext(program: Demo) -> None:
    sam = program.login("sam")
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, SECRET)
    reviews.set_feedback(program.ctx, sam, TARA_1, SECRET)
    reviews.set_ratings(program.ctx, sam, TARA_1, {"empathy": 2})
    with program.ctx.engine.connect() as conn:
        stored = [
            *conn.execute(text("SELECT text_sealed FROM review_comment")).scalars(),
            *conn.execute(
                text("SELECT feedback_sealed, ratings_sealed FROM review")
            ).one(),
        ]
    assert len(stored) == 3
    for value in stored:
        assert isinstance(value, bytes) and len(value) > 16
        for needle in (SECRET, "panic", "empathy", "Empathic"):
            assert needle.encode() not in value
            assert needle.encode("utf-16-le") not in value


def test_a_sealed_comment_moved_to_another_comment_does_not_open(
    program: Demo,
) -> None:
    sam = program.login("sam")
    first = reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "First.")
    second = reviews.add_comment(program.ctx, sam, TARA_1, 2.0, "Second.")
    with Session(program.ctx.engine) as session:
        a = session.get(ReviewComment, first.id)
        b = session.get(ReviewComment, second.id)
        assert a is not None and b is not None
        a.text_sealed = b.text_sealed
        session.add(a)
        session.commit()
    with pytest.raises(vault.KeyTampered, match="altered or moved"):
        reviews.open_review(program.ctx, sam, TARA_1)
    assert rows(program, "review.view")[-1].reason == "sealed-field-tampered"


def test_after_the_pair_ends_the_supervisor_cannot_open_the_review_but_the_trainee_can(
    program: Demo,
) -> None:
    sam, tara, dana = (program.login(n) for n in ("sam", "tara", "dana"))
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "Kept for the trainee.")
    reviews.sign_off(program.ctx, sam, TARA_1)
    [pair] = [
        p
        for p in pairs.list_pairs(program.ctx, dana, active_only=True)
        if (p.supervisor, p.trainee) == ("sam", "tara")
    ]
    pairs.end_pair(program.ctx, dana, pair.id)
    before = len(denials(program))
    with pytest.raises(PermissionDenied):
        reviews.open_review(program.ctx, sam, TARA_1)
    assert len(denials(program)) == before + 1
    assert reviews.queue(program.ctx, sam).total == 0
    assert reviews.list_reviews(program.ctx, sam) == []
    view = reviews.open_review(program.ctx, tara, TARA_1)
    assert [c.text for c in view.comments] == ["Kept for the trainee."]


def test_comment_times_and_texts_are_checked(program: Demo) -> None:
    sam = program.login("sam")  # the demo recordings last 6 seconds
    for at, words, fragment in (
        (-1.0, "x", "from 0:00"),
        (float("nan"), "x", "from 0:00"),
        (60.0, "x", "after the end"),
        (1.0, "   ", "empty"),
        (1.0, "bell\x07", "cannot be shown"),
        (1.0, "x" * (reviews.MAX_COMMENT + 1), "at most"),
    ):
        with pytest.raises(InvalidInput, match=fragment):
            reviews.add_comment(program.ctx, sam, TARA_1, at, words)
    with Session(program.ctx.engine) as session:
        assert session.exec(select(ReviewComment)).all() == []


def test_an_unknown_recording_or_comment_is_not_found(program: Demo) -> None:
    sam = program.login("sam")
    with pytest.raises(NotFound):
        reviews.add_comment(program.ctx, sam, 999, 1.0, "x")
    with pytest.raises(NotFound):
        reviews.edit_comment(program.ctx, sam, 999, 1.0, "x")
    with pytest.raises(NotFound):
        reviews.open_review(program.ctx, sam, 999)


def test_review_list_shows_each_caller_what_they_may_see(program: Demo) -> None:
    sam, sofia, tara, dana = (
        program.login(n) for n in ("sam", "sofia", "tara", "dana")
    )
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "Draft.")
    reviews.set_feedback(program.ctx, sofia, TARA_2, "Done.")
    reviews.sign_off(program.ctx, sofia, TARA_2)

    def seen(user: object, **kw: object) -> set[tuple[int, str]]:
        found = reviews.list_reviews(program.ctx, user, **kw)  # type: ignore[arg-type]
        return {(r.recording_id, r.supervisor) for r in found}

    assert seen(sam) == {(TARA_1, "sam")}
    assert seen(sofia) == {(TARA_2, "sofia")}
    assert seen(tara) == {(TARA_2, "sofia")}
    assert seen(dana) == {(TARA_1, "sam"), (TARA_2, "sofia")}
    assert seen(dana, signed=False) == {(TARA_1, "sam")}
    assert seen(sam, trainee="tara", signed=True) == set()
    with pytest.raises(PermissionDenied):
        reviews.list_reviews(program.ctx, program.login("audrey"))


def test_a_hard_revoke_reseals_the_reviews_under_the_new_keys(program: Demo) -> None:
    from supervise.services import recordings

    sam, tara = program.login("sam"), program.login("tara")
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "Still readable.")
    reviews.set_feedback(program.ctx, sam, TARA_1, "Feedback kept.")
    reviews.set_ratings(program.ctx, sam, TARA_1, {"goals": 3})
    with program.ctx.engine.connect() as conn:
        before = conn.execute(text("SELECT text_sealed FROM review_comment")).scalar()
    recordings.hard_revoke(program.ctx, tara, TARA_1)
    with program.ctx.engine.connect() as conn:
        after = conn.execute(text("SELECT text_sealed FROM review_comment")).scalar()
    assert before != after
    view = reviews.open_review(program.ctx, sam, TARA_1)
    assert [c.text for c in view.comments] == ["Still readable."]
    assert view.feedback == "Feedback kept."
    assert {r.code: r.score for r in view.ratings if r.score} == {"goals": 3}


def test_an_admin_reads_a_finished_review_with_the_escrow_key_stated_and_audited(
    program: Demo,
) -> None:
    from supervise.crypto.offline import read_offline_key

    sam, dana = program.login("sam"), program.login("dana")
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "For the record.")
    reviews.sign_off(program.ctx, sam, TARA_1)
    [pair] = [
        p
        for p in pairs.list_pairs(program.ctx, dana, active_only=True)
        if (p.supervisor, p.trainee) == ("sam", "tara")
    ]
    pairs.end_pair(program.ctx, dana, pair.id)
    with pytest.raises(PermissionDenied):  # no grant of her own
        reviews.open_review(program.ctx, dana, TARA_1, "sam")
    escrow = read_offline_key(
        program.ctx.settings.home / "offline-keys" / "escrow.key", "escrow"
    )
    with pytest.raises(InvalidInput, match="reason"):
        reviews.open_review_with_escrow(program.ctx, dana, TARA_1, "sam", escrow, "")
    view = reviews.open_review_with_escrow(
        program.ctx, dana, TARA_1, "sam", escrow, "Complaint review for C-1001."
    )
    assert [c.text for c in view.comments] == ["For the record."]
    assert not view.editable
    row = rows(program, "review.view")[-1]
    assert (row.actor_id, row.object_id) == (dana.account_id, str(view.id))
    assert row.reason.startswith("escrow-note-") and "C-1001" not in row.reason
    with pytest.raises(PermissionDenied):
        reviews.open_review_with_escrow(
            program.ctx, sam, TARA_1, "sam", escrow, "Not an admin at all."
        )
    assert denials(program)[-1].action == "recording.break_glass"


def test_a_failed_escrow_reading_keeps_its_stated_reason(program: Demo) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from supervise.models.clinical import StatedReason

    sam, dana = program.login("sam"), program.login("dana")
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "For the record.")
    reviews.sign_off(program.ctx, sam, TARA_1)
    wrong = X25519PrivateKey.generate()
    with pytest.raises(InvalidInput, match="not the program's escrow key"):
        reviews.open_review_with_escrow(
            program.ctx, dana, TARA_1, "sam", wrong, "Complaint review for C-1001."
        )
    with Session(program.ctx.engine) as session:
        [note] = session.exec(select(StatedReason)).all()
    assert (note.object_type, note.text) == ("review", "Complaint review for C-1001.")
    failed = rows(program, "recording.break_glass")[-1]
    assert (failed.outcome, failed.reason) == (Outcome.DENIED, "bad-escrow-key")


def test_an_item_retired_before_sign_off_is_left_out_of_the_signed_review(
    program: Demo,
) -> None:
    sam, dana = program.login("sam"), program.login("dana")
    reviews.set_ratings(program.ctx, sam, TARA_1, {"culture": 2, "empathy": 4})
    rubric.retire_item(program.ctx, dana, "culture")
    draft = reviews.open_review(program.ctx, sam, TARA_1)
    assert "culture" not in {r.code for r in draft.ratings}
    signed = reviews.sign_off(program.ctx, sam, TARA_1)
    assert [(r.code, r.score) for r in signed.ratings] == [("empathy", 4)]
    tara = program.login("tara")
    seen = reviews.open_review(program.ctx, tara, TARA_1)
    assert [r.code for r in seen.ratings] == ["empathy"]


def test_a_reader_not_allowed_learns_nothing_about_a_recordings_reviewers(
    program: Demo,
) -> None:
    sam, theo = program.login("sam"), program.login("theo")
    reviews.add_comment(program.ctx, sam, TARA_1, 1.0, "Fine.")
    reviews.sign_off(program.ctx, sam, TARA_1)
    for name in ("sam", "nobody-at-all"):
        with pytest.raises(PermissionDenied):
            reviews.open_review(program.ctx, theo, TARA_1, name)
    assert denials(program)[-1].action == "review.view"
