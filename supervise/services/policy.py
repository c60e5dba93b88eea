"""The one place that answers: may this account do this action on this object?

Access follows from roles and from relationships: a trainee acts on what they
own, a supervisor on what belongs to the trainees currently assigned to them.
The policy is a table; `decide` reads it and is pure (no database, no I/O), so
that a test can walk every role and action. Screens and commands never decide
access themselves: services call `decide` and audit every denial.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from supervise.models.accounts import Role


class Action(enum.StrEnum):
    """Everything the policy rules on, named `area.verb`."""

    ACCOUNT_CREATE = "account.create"
    ACCOUNT_LIST = "account.list"
    ACCOUNT_DISABLE = "account.disable"
    ACCOUNT_ENABLE = "account.enable"
    ACCOUNT_RESET = "account.reset"
    ACCOUNT_SET_ROLES = "account.set_roles"
    ACCOUNT_RECOVER = "account.recover"
    PAIR_CREATE = "pair.create"
    PAIR_END = "pair.end"
    PAIR_LIST = "pair.list"
    PAIR_GRANT = "pair.grant"
    AUDIT_VIEW = "audit.view"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_EXPORT = "audit.export"
    SETTINGS_EDIT = "settings.edit"
    CLIENT_CREATE = "client.create"
    CLIENT_VIEW = "client.view"
    CONSENT_EDIT = "consent.edit"
    CONSENT_VIEW = "consent.view"
    CONSENT_REVOKE = "consent.revoke"
    RECORDING_IMPORT = "recording.import"
    RECORDING_LIST = "recording.list"
    RECORDING_EXPORT = "recording.export"
    RECORDING_SHARE = "recording.share"
    RECORDING_SHRED = "recording.shred"
    LEGAL_HOLD = "recording.hold"
    BREAK_GLASS = "recording.break_glass"
    PURGE = "retention.purge"
    REVIEW_WRITE = "review.write"
    REVIEW_VIEW = "review.view"
    RUBRIC_EDIT = "rubric.edit"
    HOURS_LOG = "hours.log"
    HOURS_COSIGN = "hours.cosign"
    HOURS_VIEW = "hours.view"
    SSH_KEY_ADD = "sshkey.add"
    SSH_KEY_LIST = "sshkey.list"
    SSH_KEY_REMOVE = "sshkey.remove"
    UPLOAD_RECEIVE = "upload.receive"
    UPLOAD_LIST = "upload.list"
    UPLOAD_ATTACH = "upload.attach"
    UPLOAD_DISCARD = "upload.discard"


class Relation(enum.Enum):
    """How the actor must stand to the object's owner (a trainee)."""

    ANY = "any"
    """No relationship needed (or the action has no owned object)."""
    OWNER = "owner"
    """The actor owns the object: a trainee's records, or any account's own
    SSH keys."""
    SUPERVISOR = "supervisor"
    """The actor supervises the owning trainee, in a pair not yet ended."""


@dataclass(frozen=True)
class Clause:
    """One way to be allowed: hold `role` and stand in `relation`."""

    role: Role
    relation: Relation = Relation.ANY


A, S, T, AU = Role.ADMIN, Role.SUPERVISOR, Role.TRAINEE, Role.AUDITOR
OWN, SUP = Relation.OWNER, Relation.SUPERVISOR
OWN_OR_ADMIN = (Clause(A), Clause(S, OWN), Clause(T, OWN), Clause(AU, OWN))
"""Every role may log in over SSH, so each manages its own account's keys."""

RULES: dict[Action, tuple[Clause, ...]] = {
    Action.ACCOUNT_CREATE: (Clause(A),),
    Action.ACCOUNT_LIST: (Clause(A),),
    Action.ACCOUNT_DISABLE: (Clause(A),),
    Action.ACCOUNT_ENABLE: (Clause(A),),
    Action.ACCOUNT_RESET: (Clause(A),),
    Action.ACCOUNT_SET_ROLES: (Clause(A),),
    Action.ACCOUNT_RECOVER: (Clause(A),),
    Action.PAIR_CREATE: (Clause(A),),
    Action.PAIR_END: (Clause(A),),
    Action.PAIR_LIST: (Clause(A),),
    # Granting a new supervisor the trainee's objects at once, with escrow.
    Action.PAIR_GRANT: (Clause(A),),
    Action.AUDIT_VIEW: (Clause(A), Clause(AU)),
    Action.AUDIT_VERIFY: (Clause(A), Clause(AU)),
    Action.AUDIT_EXPORT: (Clause(A), Clause(AU)),
    Action.SETTINGS_EDIT: (Clause(A),),
    Action.CLIENT_CREATE: (Clause(T, OWN),),
    Action.CLIENT_VIEW: (Clause(T, OWN), Clause(S, SUP)),
    Action.CONSENT_EDIT: (Clause(T, OWN),),
    Action.CONSENT_VIEW: (Clause(T, OWN), Clause(S, SUP), Clause(A)),
    Action.CONSENT_REVOKE: (Clause(T, OWN), Clause(A)),
    Action.RECORDING_IMPORT: (Clause(T, OWN),),
    Action.RECORDING_LIST: (Clause(T, OWN), Clause(S, SUP), Clause(A)),
    Action.RECORDING_EXPORT: (Clause(T, OWN), Clause(S, SUP)),
    Action.RECORDING_SHARE: (Clause(T, OWN),),
    Action.RECORDING_SHRED: (Clause(A),),
    Action.LEGAL_HOLD: (Clause(A),),
    Action.BREAK_GLASS: (Clause(A),),
    Action.PURGE: (Clause(A),),
    Action.REVIEW_WRITE: (Clause(S, SUP),),
    Action.REVIEW_VIEW: (Clause(T, OWN), Clause(S, SUP), Clause(A)),
    Action.RUBRIC_EDIT: (Clause(A),),
    Action.HOURS_LOG: (Clause(T, OWN),),
    Action.HOURS_COSIGN: (Clause(S, SUP),),
    Action.HOURS_VIEW: (Clause(T, OWN), Clause(S, SUP), Clause(A)),
    Action.SSH_KEY_ADD: OWN_OR_ADMIN,
    Action.SSH_KEY_LIST: OWN_OR_ADMIN,
    Action.SSH_KEY_REMOVE: OWN_OR_ADMIN,
    # The drop box: a trainee's own inbox, encrypted to the trainee alone.
    Action.UPLOAD_RECEIVE: (Clause(T, OWN),),
    Action.UPLOAD_LIST: (Clause(T, OWN),),
    Action.UPLOAD_ATTACH: (Clause(T, OWN),),
    Action.UPLOAD_DISCARD: (Clause(T, OWN),),
}
"""Who may do what. An action absent from this table is refused to everyone."""


@dataclass(frozen=True)
class Actor:
    """The account asking, as the policy sees it."""

    account_id: int
    roles: frozenset[Role]
    supervisees: frozenset[int] = frozenset()
    """Trainees in this account's current (not ended) supervision pairs."""


@dataclass(frozen=True)
class Decision:
    """The policy's answer, with a reason code for the audit row when refused."""

    allowed: bool
    reason: str = ""


def _relation_holds(relation: Relation, actor: Actor, owner_id: int | None) -> bool:
    if relation is Relation.ANY:
        return True
    if owner_id is None:
        return False
    if relation is Relation.OWNER:
        return owner_id == actor.account_id
    return owner_id in actor.supervisees


def decide(actor: Actor, action: Action, owner_id: int | None = None) -> Decision:
    """May `actor` do `action` on an object owned by trainee `owner_id`?

    Args:
        actor: Who asks.
        action: What they ask to do.
        owner_id: The trainee who owns the object, for owned objects.
    """
    clauses = RULES.get(action, ())
    held = [clause for clause in clauses if clause.role in actor.roles]
    if not held:
        return Decision(False, "role")
    if any(_relation_holds(c.relation, actor, owner_id) for c in held):
        return Decision(True)
    if any(c.relation is Relation.SUPERVISOR for c in held):
        return Decision(False, "not-assigned")
    return Decision(False, "not-owner")
