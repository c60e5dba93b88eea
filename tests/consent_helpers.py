"""Consents in force for tests that need one: made, printed and signed."""

from __future__ import annotations

from supervise.services import consent_signing, consents
from supervise.services.accounts import UserSession
from supervise.services.consents import ConsentTerms
from tests.conftest import Demo

ALL_PURPOSES = ("clinical_record", "supervision", "training")


def sign_all(program: Demo, user: UserSession, consent_id: int) -> None:
    """Print the form and record every signature line, today."""
    consent_signing.mark_printed(program.ctx, user, consent_id)
    view = consents.consent_detail(program.ctx, user, consent_id)
    keys = [line.key for line in view.lines]
    consent_signing.sign(
        program.ctx, user, consent_id, on=program.clock().date(), lines=keys
    )


def active_for(program: Demo, user: UserSession, code: str, terms: ConsentTerms) -> int:
    """A signed consent for client `code` (a new version if one is in force)."""
    view = consents.new_consent(program.ctx, user, code, terms)
    sign_all(program, user, view.id)
    return view.id


def naming(program: Demo, user: UserSession, code: str, *usernames: str) -> int:
    """A signed consent for every purpose that names `usernames` for access."""
    return active_for(
        program, user, code, ConsentTerms(ALL_PURPOSES, access=tuple(usernames))
    )
