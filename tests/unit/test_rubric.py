"""The rubric: everyone reads it, admins edit it, items retire rather than go."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, col, select

from supervise.models import AuditEvent
from supervise.models.audit import Outcome
from supervise.services import reviews, rubric
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from tests.conftest import Demo, newest_audit_rows


def codes(program: Demo, **kw: bool) -> list[str]:
    user = program.login("tara")
    return [e.code for e in rubric.list_rubric(program.ctx, user, **kw)]


def test_the_seeded_rubric_is_read_by_every_role_in_order(program: Demo) -> None:
    for name in ("dana", "audrey", "sam", "tara"):
        entries = rubric.list_rubric(program.ctx, program.login(name))
        assert len(entries) == 10
        assert [e.position for e in entries] == list(range(1, 11))
    assert codes(program)[:3] == ["alliance", "listening", "empathy"]


def test_an_admin_adds_edits_moves_retires_and_restores_an_item(
    program: Demo,
) -> None:
    dana = program.login("dana")
    ctx = program.ctx
    added = rubric.add_item(ctx, dana, "humour", "Use of humour", "Light, apt.")
    assert (added.position, added.retired) == (11, False)
    assert codes(program)[-1] == "humour"
    moved = rubric.edit_item(ctx, dana, "humour", label="Humour", position=1)
    assert (moved.label, moved.position) == ("Humour", 1)
    assert codes(program)[:2] == ["humour", "alliance"]
    entries = rubric.list_rubric(ctx, dana)
    assert [e.position for e in entries] == list(range(1, 12))

    rubric.retire_item(ctx, dana, "humour")
    assert "humour" not in codes(program)
    assert "humour" in codes(program, include_retired=True)
    with pytest.raises(Conflict, match="already retired"):
        rubric.retire_item(ctx, dana, "humour")
    with pytest.raises(Conflict, match="rubric restore humour"):
        rubric.add_item(ctx, dana, "humour", "Again")
    rubric.restore_item(ctx, dana, "humour")
    assert codes(program)[0] == "humour"
    with Session(ctx.engine) as session:
        trail = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "rubric.edit")
            .order_by(col(AuditEvent.seq))
        ).all()
    assert [r.reason for r in trail] == ["add", "edit", "retire", "restore"]
    assert {r.object_id for r in trail} == {str(added.id)}


@pytest.mark.parametrize("name", ["sam", "tara", "audrey"])
def test_only_admins_edit_the_rubric_and_refusals_are_audited(
    program: Demo, name: str
) -> None:
    user = program.login(name)
    attempts: list[Callable[[], object]] = [
        lambda: rubric.add_item(program.ctx, user, "humour", "Humour"),
        lambda: rubric.edit_item(program.ctx, user, "empathy", label="Kindness"),
        lambda: rubric.retire_item(program.ctx, user, "empathy"),
        lambda: rubric.restore_item(program.ctx, user, "empathy"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
        [row] = newest_audit_rows(program.ctx)
        assert (row.action, row.outcome, row.actor_id) == (
            "rubric.edit",
            Outcome.DENIED,
            user.account_id,
        )
    assert len(codes(program)) == 10
    assert rubric.list_rubric(program.ctx, user)[2].label == "Empathic reflection"


@pytest.mark.parametrize(
    ("code", "label", "error"),
    [
        ("Humour", "Humour", InvalidInput),  # upper case
        ("1st", "First", InvalidInput),
        ("x" * 33, "Long", InvalidInput),
        ("humour", "   ", InvalidInput),
        ("humour", "x" * 121, InvalidInput),
        ("empathy", "Twice", Conflict),
    ],
)
def test_bad_items_are_refused_and_nothing_changes(
    program: Demo, code: str, label: str, error: type[Exception]
) -> None:
    dana = program.login("dana")
    with pytest.raises(error):
        rubric.add_item(program.ctx, dana, code, label)
    assert len(codes(program)) == 10


def test_bad_edits_are_refused(program: Demo) -> None:
    dana = program.login("dana")
    with pytest.raises(NotFound):
        rubric.edit_item(program.ctx, dana, "charisma", label="x")
    for position in (0, 12):
        with pytest.raises(InvalidInput, match="between 1 and 10"):
            rubric.edit_item(program.ctx, dana, "empathy", position=position)
    with pytest.raises(InvalidInput):
        rubric.edit_item(program.ctx, dana, "empathy", description="x" * 401)
    assert codes(program)[2] == "empathy"


def test_a_signed_off_review_keeps_the_label_it_was_rated_under(
    program: Demo,
) -> None:
    dana, sam = program.login("dana"), program.login("sam")
    reviews.set_ratings(program.ctx, sam, 1, {"empathy": 5})
    reviews.sign_off(program.ctx, sam, 1)
    rubric.edit_item(program.ctx, dana, "empathy", label="Empathy (renamed)")
    rubric.retire_item(program.ctx, dana, "empathy")
    view = reviews.open_review(program.ctx, program.login("tara"), 1)
    assert [(r.code, r.label, r.score) for r in view.ratings] == [
        ("empathy", "Empathic reflection", 5)
    ]
