"""The policy table: every role against every action, denials included."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import Session, select

from supervise.models import AuditEvent, Role
from supervise.services.accounts import require
from supervise.services.errors import PermissionDenied
from supervise.services.policy import Action, Actor, decide
from tests.conftest import Demo

# Who may do what, written out independently of supervise.services.policy.RULES.
# "role" = allowed with that role whatever the object; "role:own" = only on the
# trainee's own objects; "role:assigned" = only for a currently assigned trainee.
EXPECTED: dict[str, set[str]] = {
    "account.create": {"admin"},
    "account.list": {"admin"},
    "account.disable": {"admin"},
    "account.enable": {"admin"},
    "account.reset": {"admin"},
    "account.set_roles": {"admin"},
    "account.recover": {"admin"},
    "pair.create": {"admin"},
    "pair.end": {"admin"},
    "pair.list": {"admin"},
    "pair.grant": {"admin"},
    "audit.view": {"admin", "auditor"},
    "audit.verify": {"admin", "auditor"},
    "audit.export": {"admin", "auditor"},
    "settings.edit": {"admin"},
    "client.create": {"trainee:own"},
    "client.view": {"trainee:own", "supervisor:assigned"},
    "consent.edit": {"trainee:own"},
    "consent.view": {"trainee:own", "supervisor:assigned", "admin"},
    "consent.revoke": {"trainee:own", "admin"},
    "recording.import": {"trainee:own"},
    "recording.list": {"trainee:own", "supervisor:assigned", "admin"},
    "recording.export": {"trainee:own", "supervisor:assigned"},
    "recording.share": {"trainee:own"},
    "recording.shred": {"admin"},
    "recording.hold": {"admin"},
    "recording.break_glass": {"admin"},
    "retention.purge": {"admin"},
    "review.write": {"supervisor:assigned"},
    "review.view": {"trainee:own", "supervisor:assigned", "admin"},
    "rubric.edit": {"admin"},
    "hours.log": {"trainee:own"},
    "hours.cosign": {"supervisor:assigned"},
    "hours.view": {"trainee:own", "supervisor:assigned", "admin"},
    "sshkey.add": {"admin", "supervisor:own", "trainee:own", "auditor:own"},
    "sshkey.list": {"admin", "supervisor:own", "trainee:own", "auditor:own"},
    "sshkey.remove": {"admin", "supervisor:own", "trainee:own", "auditor:own"},
    "upload.receive": {"trainee:own"},
    "upload.list": {"trainee:own"},
    "upload.attach": {"trainee:own"},
    "upload.discard": {"trainee:own"},
}

ME, MY_TRAINEE, SOMEONE_ELSE = 10, 20, 30
RELATIONS = {"own": ME, "assigned": MY_TRAINEE, "other": SOMEONE_ELSE}


def test_every_action_has_an_expectation() -> None:
    assert set(EXPECTED) == {str(action) for action in Action}


CASES = list(itertools.product(Action, Role, RELATIONS))


@pytest.mark.parametrize(("action", "role", "relation"), CASES)
def test_policy_allows_exactly_what_the_table_says(
    action: Action, role: Role, relation: str
) -> None:
    actor = Actor(ME, frozenset({role}), frozenset({MY_TRAINEE}))
    decision = decide(actor, action, owner_id=RELATIONS[relation])
    allowed = EXPECTED[str(action)]
    expected = str(role) in allowed or f"{role}:{relation}" in allowed
    assert decision.allowed is expected
    assert (decision.reason == "") is expected


def test_a_refusal_names_why() -> None:
    trainee = Actor(ME, frozenset({Role.TRAINEE}))
    supervisor = Actor(ME, frozenset({Role.SUPERVISOR}), frozenset({MY_TRAINEE}))
    assert decide(trainee, Action.ACCOUNT_LIST).reason == "role"
    assert decide(trainee, Action.CLIENT_VIEW, SOMEONE_ELSE).reason == "not-owner"
    assert decide(supervisor, Action.CLIENT_VIEW, SOMEONE_ELSE).reason == "not-assigned"


def test_roles_combine_in_one_account() -> None:
    both = Actor(ME, frozenset({Role.ADMIN, Role.TRAINEE}))
    assert decide(both, Action.ACCOUNT_CREATE).allowed
    assert decide(both, Action.RECORDING_IMPORT, ME).allowed
    assert not decide(both, Action.REVIEW_WRITE, SOMEONE_ELSE).allowed


def test_a_denial_through_the_services_is_audited(program: Demo) -> None:
    tara = program.login("tara")
    with pytest.raises(PermissionDenied):
        require(program.ctx, tara, Action.ACCOUNT_CREATE, object_type="account")
    with Session(program.ctx.engine) as session:
        last = session.exec(
            select(AuditEvent).order_by(AuditEvent.seq.desc())  # type: ignore[attr-defined]
        ).first()
    assert last is not None
    assert (last.action, last.outcome, last.reason) == (
        "account.create",
        "denied",
        "role",
    )
    assert last.actor_id == tara.account_id


def test_a_supervisor_loses_a_trainee_the_moment_the_pair_ends(program: Demo) -> None:
    from supervise.services import pairs

    sam = program.login("sam")
    dana = program.login("dana")
    tara_id = program.login("tara").account_id
    require(program.ctx, sam, Action.CLIENT_VIEW, owner_id=tara_id)
    pair = next(
        p
        for p in pairs.list_pairs(program.ctx, dana)
        if (p.supervisor, p.trainee) == ("sam", "tara")
    )
    pairs.end_pair(program.ctx, dana, pair.id)
    with pytest.raises(PermissionDenied, match="not-assigned"):
        require(program.ctx, sam, Action.CLIENT_VIEW, owner_id=tara_id)
