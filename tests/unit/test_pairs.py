"""Supervision pairs: assigning, ending, and the rules around them."""

from __future__ import annotations

import pytest

from supervise.services import pairs
from supervise.services.errors import Conflict, InvalidInput, NotFound
from tests.conftest import Demo


def test_an_assigned_pair_is_listed_for_both_people(program: Demo) -> None:
    dana = program.login("dana")
    pair = pairs.add_pair(program.ctx, dana, "sofia", "theo", "triadic")
    assert pair.active
    theo_sees = pairs.my_pairs(program.ctx, program.login("theo"))
    assert ("sofia", "theo", "triadic") in {
        (p.supervisor, p.trainee, p.kind) for p in theo_sees
    }


@pytest.mark.parametrize(
    ("supervisor", "trainee", "kind", "error"),
    [
        ("tara", "theo", "individual", InvalidInput),  # tara is no supervisor
        ("sam", "sofia", "individual", InvalidInput),  # sofia is no trainee
        ("sam", "nobody", "individual", NotFound),
        ("sam", "tara", "individual", Conflict),  # already paired
        ("sam", "tomas", "weekly", InvalidInput),  # no such kind
    ],
)
def test_bad_pairs_are_refused_and_nothing_is_stored(
    program: Demo, supervisor: str, trainee: str, kind: str, error: type[Exception]
) -> None:
    dana = program.login("dana")
    before = pairs.list_pairs(program.ctx, dana)
    with pytest.raises(error):
        pairs.add_pair(program.ctx, dana, supervisor, trainee, kind)
    assert pairs.list_pairs(program.ctx, dana) == before


def test_an_ended_pair_stays_on_record_and_cannot_end_twice(program: Demo) -> None:
    dana = program.login("dana")
    pair = pairs.add_pair(program.ctx, dana, "sofia", "theo")
    ended = pairs.end_pair(program.ctx, dana, pair.id)
    assert ended.ended_on == program.clock().date()
    with pytest.raises(Conflict, match="ended on"):
        pairs.end_pair(program.ctx, dana, pair.id)
    active = pairs.list_pairs(program.ctx, dana, active_only=True)
    assert pair.id not in {p.id for p in active}
    with pytest.raises(Conflict, match="from tomorrow"):
        pairs.add_pair(program.ctx, dana, "sofia", "theo")
    program.clock.advance(days=1)
    assert pairs.add_pair(program.ctx, dana, "sofia", "theo").active
