"""Where a home screen can go, as one table.

Each row names a destination once: its label in a home's list, its key, its
command-palette title, the roles whose home lists it, the policy action the
services check before it opens, and how to build its screen. A later feature
plugs in by adding a row. Screens are imported only when opened, so that the
login screen starts without loading the database layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext

ScreenFactory = Callable[["ProgramContext", "UserSession"], "Screen[Any]"]

ROLE_ORDER = ("admin", "supervisor", "trainee", "auditor")
"""Roles in the order an account with several lands on them."""


@dataclass(frozen=True)
class Destination:
    """One place a home screen can open."""

    id: str
    label: str
    command: str
    """Command palette title, named `area: action`."""
    help: str
    roles: frozenset[str]
    """Roles whose home lists it and whose palette offers it."""
    key: str
    """Key that opens it from a home screen."""
    policy: str
    """The `Action` the services check before it opens; empty for none."""
    screen: ScreenFactory


def _accounts(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.accounts import AccountsScreen

    return AccountsScreen(ctx, user)


def _pairs(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.pairs import PairsScreen

    return PairsScreen(ctx, user)


def _audit(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.audit_trail import AuditTrailScreen

    return AuditTrailScreen(ctx, user)


def _clients(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.clients import ClientsScreen

    return ClientsScreen(ctx, user)


def _consents(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.consents import ConsentsScreen

    return ConsentsScreen(ctx, user)


def _recordings(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.recordings import RecordingsScreen

    return RecordingsScreen(ctx, user)


def _import(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.import_recording import ImportScreen

    return ImportScreen(ctx, user)


def _review_queue(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.review_queue import ReviewQueueScreen

    return ReviewQueueScreen(ctx, user)


def _feedback(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.feedback import FeedbackScreen

    return FeedbackScreen(ctx, user)


def _hours(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.hours import HoursScreen

    return HoursScreen(ctx, user)


def _pending_uploads(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.pending_uploads import PendingUploadsScreen

    return PendingUploadsScreen(ctx, user)


def _purge(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.purge import PurgeScreen

    return PurgeScreen(ctx, user)


def _state_rules(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.state_rules import StateRulesScreen

    return StateRulesScreen(ctx, user)


def _rubric(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.rubric import RubricScreen

    return RubricScreen(ctx, user)


def _ssh_keys(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.ssh_keys import SshKeysScreen

    return SshKeysScreen(ctx, user)


def _password(ctx: ProgramContext, user: UserSession) -> Screen[Any]:
    from supervise.screens.password import PasswordDialog

    return PasswordDialog(ctx, user)


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "accounts",
        "Accounts",
        "admin: accounts",
        "Create accounts, reset passwords, disable, edit roles",
        frozenset({"admin"}),
        "a",
        "account.list",
        _accounts,
    ),
    Destination(
        "pairs",
        "Supervision pairs",
        "admin: supervision pairs",
        "Assign supervisors to trainees and end pairs",
        frozenset({"admin"}),
        "p",
        "pair.list",
        _pairs,
    ),
    Destination(
        "audit",
        "Audit trail",
        "audit: trail",
        "Read recent audit events and verify the chain",
        frozenset({"admin", "auditor"}),
        "t",
        "audit.view",
        _audit,
    ),
    # Reviews are about one trainee's recordings, so the policy's supervisor
    # and owner clauses can only be checked per recording: the services
    # check review.write and review.view as they list (a non-supervisor is
    # refused the queue, audited).
    Destination(
        "review-queue",
        "Review queue",
        "reviews: queue",
        "Recordings waiting for your review, oldest first",
        frozenset({"supervisor"}),
        "q",
        "",
        _review_queue,
    ),
    Destination(
        "feedback",
        "Feedback",
        "reviews: feedback",
        "Your supervisors' signed-off reviews of your recordings",
        frozenset({"trainee"}),
        "b",
        "",
        _feedback,
    ),
    # The clinical screens need no check before they open: which clients and
    # recordings a person sees depends on whose they are, which the services
    # decide as they list them.
    Destination(
        "clients",
        "Clients",
        "clients: list",
        "Your clients, or your trainees' clients, by case code",
        frozenset({"supervisor", "trainee"}),
        "c",
        "",
        _clients,
    ),
    Destination(
        "consents",
        "Consent forms",
        "consents: list",
        "Consent forms by client: make, print, sign, revoke, new versions",
        frozenset({"admin", "supervisor", "trainee"}),
        "f",
        "",
        _consents,
    ),
    Destination(
        "recordings",
        "Session recordings",
        "recordings: list",
        "Recordings you may see: open, export, share, hold or shred",
        frozenset({"admin", "supervisor", "trainee"}),
        "s",
        "",
        _recordings,
    ),
    Destination(
        "import",
        "Import a recording",
        "recordings: import",
        "Encrypt a session recording of one of your clients into the vault",
        frozenset({"trainee"}),
        "i",
        "",
        _import,
    ),
    # hours.view is decided per trainee (own, or a current supervisee), so
    # the services check it as they list; an account with neither role is
    # refused there, audited.
    Destination(
        "hours",
        "Supervision hours",
        "hours: log",
        "The hours log: add, co-sign, totals, export as PDF or CSV",
        frozenset({"supervisor", "trainee"}),
        "h",
        "",
        _hours,
    ),
    Destination(
        "pending-uploads",
        "Pending uploads",
        "recordings: pending uploads",
        "Recordings you copied in over scp or sftp: attach them to a client",
        frozenset({"trainee"}),
        "n",
        "",  # the services check it is the trainee's own inbox as they list it
        _pending_uploads,
    ),
    Destination(
        "purge",
        "Retention purge",
        "admin: retention purge",
        "Preview what is past its destroy-after date, and run the purge",
        frozenset({"admin"}),
        "u",
        "retention.purge",
        _purge,
    ),
    Destination(
        "state-rules",
        "State table",
        "admin: state table",
        "Consent and retention rules by state; verify each with counsel",
        frozenset({"admin"}),
        "j",
        "settings.edit",
        _state_rules,
    ),
    Destination(
        "rubric",
        "Rubric",
        "admin: rubric",
        "The competencies supervisors rate: add, edit, order, retire",
        frozenset({"admin"}),
        "m",
        "rubric.edit",
        _rubric,
    ),
    # Every role may log in over SSH; the services decide whose keys show.
    Destination(
        "ssh-keys",
        "SSH keys",
        "account: ssh keys",
        "The public keys that log you in over SSH: add, remove",
        frozenset(ROLE_ORDER),
        "k",
        "",
        _ssh_keys,
    ),
    Destination(
        "password",
        "Change password",
        "account: change password",
        "Choose a new password for your account",
        frozenset(ROLE_ORDER),
        "w",
        "",
        _password,
    ),
)
"""Every destination, in the order home screens list them."""

BY_ID = {item.id: item for item in DESTINATIONS}


def for_roles(roles: Iterable[str]) -> tuple[Destination, ...]:
    """The destinations any of `roles` may see, in table order."""
    held = {str(role) for role in roles}
    return tuple(item for item in DESTINATIONS if item.roles & held)


def first_role(roles: Iterable[str]) -> str | None:
    """The role whose home an account lands on: first in `ROLE_ORDER`."""
    held = {str(role) for role in roles}
    return next((role for role in ROLE_ORDER if role in held), None)


def next_role(roles: Iterable[str], current: str) -> str:
    """The role after `current` among those held, wrapping around."""
    held = [role for role in ROLE_ORDER if role in {str(r) for r in roles}]
    if current not in held:
        return held[0]
    return held[(held.index(current) + 1) % len(held)]
