"""The state table: the shipped defaults, seeding them, and the admin's edits."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from sqlmodel import Session, delete

from supervise.models.clinical import RetentionRule
from supervise.services import rules
from supervise.services.errors import InvalidInput, NotFound, PermissionDenied
from supervise.services.rules import RuleView
from tests.conftest import Demo, newest_audit_rows

STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS "
    "MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
)
ALL_PARTY_CODES = "CA CT DE FL IL MD MA MI MT NV NH OR PA WA"
STATES_AND_DC = frozenset(STATE_CODES.split())
ALL_PARTY = frozenset(ALL_PARTY_CODES.split())


@pytest.fixture(scope="module")
def defaults() -> dict[str, RuleView]:
    return {view.jurisdiction: view for view in rules.default_rules()}


def edit_values(view: RuleView, **changes: Any) -> dict[str, Any]:
    """The keyword arguments of `update_rule` for `view`, with `changes`."""
    values = asdict(view)
    del values["jurisdiction"], values["name"]
    return {**values, **changes}


def stored(demo: Demo, code: str) -> RuleView:
    with Session(demo.ctx.engine) as session:
        rule = rules.get_rule(session, code)
        assert rule is not None
        return RuleView(**{name: getattr(rule, name) for name in rules.COLUMNS})


def audit_seq(demo: Demo) -> int:
    return newest_audit_rows(demo.ctx)[0].seq


# --- the shipped table -------------------------------------------------------


def test_the_defaults_have_one_row_for_each_state_and_dc(
    defaults: dict[str, RuleView],
) -> None:
    assert len(rules.default_rules()) == 51
    assert set(defaults) == STATES_AND_DC
    assert all(view.name for view in defaults.values())


def test_majority_is_21_in_mississippi_19_in_alabama_and_nebraska_else_18(
    defaults: dict[str, RuleView],
) -> None:
    ages = {code: view.age_of_majority for code, view in defaults.items()}
    assert ages.pop("MS") == 21
    assert ages.pop("AL") == ages.pop("NE") == 19
    assert set(ages.values()) == {18}


def test_exactly_the_commonly_listed_all_party_states_are_marked(
    defaults: dict[str, RuleView],
) -> None:
    marked = {code for code, view in defaults.items() if view.all_party_consent}
    assert marked == ALL_PARTY


@pytest.mark.parametrize(
    ("code", "cited"),
    [
        ("CA", "§56"),
        ("CA", "5328"),
        ("IL", "740 ILCS 110"),
        ("NY", "Mental Hygiene Law §33.13"),
    ],
)
def test_california_illinois_and_new_york_name_their_stricter_statute(
    defaults: dict[str, RuleView], code: str, cited: str
) -> None:
    assert defaults[code].has_statute
    assert cited in defaults[code].statute


def test_every_row_names_its_source_and_asks_for_counsel(
    defaults: dict[str, RuleView],
) -> None:
    for code, view in defaults.items():
        assert "verify with counsel" in view.source.lower(), code
        assert view.minor_rule, code


def test_every_default_would_pass_the_admin_editors_checks(
    defaults: dict[str, RuleView],
) -> None:
    for view in defaults.values():
        assert 1 <= view.adult_years <= 100
        assert 0 <= view.minor_years <= 50
        assert len(view.minor_rule) <= 200
        assert len(view.statute) <= 400 and len(view.source) <= 400


def test_a_rule_as_json_carries_every_column(defaults: dict[str, RuleView]) -> None:
    assert tuple(defaults["CA"].as_json()) == rules.COLUMNS
    assert defaults["CA"].as_json()["all_party_consent"] is True


# --- seeding -------------------------------------------------------------------


def test_a_new_program_holds_every_default_row(
    program: Demo, defaults: dict[str, RuleView]
) -> None:
    listed = rules.list_rules(program.ctx, program.login("tara"))
    assert [view.jurisdiction for view in listed] == sorted(STATES_AND_DC)
    assert {view.jurisdiction: view for view in listed} == defaults


def test_seeding_fills_an_empty_table_once(program: Demo) -> None:
    with Session(program.ctx.engine) as session:
        session.exec(delete(RetentionRule))
        assert rules.seed_rules(session) == 51
        session.commit()
    with Session(program.ctx.engine) as session:
        assert rules.seed_rules(session) == 0


def test_seeding_adds_missing_rows_and_keeps_an_edited_one(
    program: Demo, defaults: dict[str, RuleView]
) -> None:
    dana = program.login("dana")
    rules.update_rule(
        program.ctx, dana, "CA", **edit_values(defaults["CA"], adult_years=9)
    )
    with Session(program.ctx.engine) as session:
        for code in ("TX", "WY"):
            session.delete(rules.get_rule(session, code))
        session.commit()
        assert rules.seed_rules(session) == 2
        session.commit()
    assert stored(program, "CA").adult_years == 9
    assert stored(program, "TX") == defaults["TX"]


def test_seeding_names_a_row_from_before_names_and_keeps_its_values(
    program: Demo, defaults: dict[str, RuleView]
) -> None:
    with Session(program.ctx.engine) as session:
        rule = rules.get_rule(session, "OR")
        assert rule is not None
        rule.name, rule.adult_years = "", 12
        session.add(rule)
        session.commit()
        assert rules.seed_rules(session) == 0
        session.commit()
    assert stored(program, "OR").name == "Oregon"
    assert stored(program, "OR").adult_years == 12


# --- editing -------------------------------------------------------------------


def test_an_admin_edit_changes_the_row_and_is_audited(
    program: Demo, defaults: dict[str, RuleView]
) -> None:
    dana = program.login("dana")
    values = edit_values(
        defaults["CA"], adult_years=10, statute="  Civ. Code §56  ", source="memo"
    )
    saved = rules.update_rule(program.ctx, dana, "ca", **values)
    assert saved == stored(program, "CA")
    assert (saved.adult_years, saved.statute, saved.source) == (
        10,
        "Civ. Code §56",
        "memo",
    )
    assert saved.name == "California"
    event = newest_audit_rows(program.ctx)[0]
    assert (event.action, str(event.outcome)) == ("rules.edit", "allowed")
    assert (event.object_type, event.object_id) == ("retention_rule", "CA")
    assert event.actor_id == dana.account_id
    assert event.reason == "adult,statute,source"


def test_a_trainee_is_refused_the_refusal_is_audited_and_nothing_changes(
    program: Demo, defaults: dict[str, RuleView]
) -> None:
    tara = program.login("tara")
    with pytest.raises(PermissionDenied):
        rules.update_rule(
            program.ctx, tara, "CA", **edit_values(defaults["CA"], adult_years=1)
        )
    assert stored(program, "CA") == defaults["CA"]
    event = newest_audit_rows(program.ctx)[0]
    assert (event.action, str(event.outcome)) == ("settings.edit", "denied")
    assert (event.object_type, event.object_id) == ("retention_rule", "CA")
    assert event.actor_id == tara.account_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"adult_years": 0}, "Adult years"),
        ({"adult_years": 101}, "Adult years"),
        ({"minor_years": -1}, "Minor years"),
        ({"minor_years": 51}, "Minor years"),
        ({"age_of_majority": 15}, "age of majority"),
        ({"age_of_majority": 22}, "age of majority"),
        ({"minor_rule": "x" * 201}, "the most is 200"),
        ({"statute": "a\nb"}, "printable"),
        ({"source": "y" * 401}, "the most is 400"),
        ({"source": "   "}, "source note cannot be empty"),
    ],
)
def test_invalid_values_are_refused_with_no_change_and_no_audit_row(
    program: Demo,
    defaults: dict[str, RuleView],
    changes: dict[str, Any],
    message: str,
) -> None:
    dana = program.login("dana")
    before = audit_seq(program)
    with pytest.raises(InvalidInput, match=message):
        rules.update_rule(
            program.ctx, dana, "NY", **edit_values(defaults["NY"], **changes)
        )
    assert stored(program, "NY") == defaults["NY"]
    assert audit_seq(program) == before


def test_an_unknown_jurisdiction_is_not_found(
    program: Demo, defaults: dict[str, RuleView]
) -> None:
    with pytest.raises(NotFound, match="ZZ"):
        rules.update_rule(
            program.ctx, program.login("dana"), "ZZ", **edit_values(defaults["NY"])
        )
