"""What the SSH server records: an audit row and a log line per event.

Rows and lines carry ids, event codes, the method, the key's fingerprint and
the client's address; never a user name (a refused name may be anything a
stranger typed). The log lines suit fail2ban: `ssh.auth.failure peer=ADDR`.
"""

from __future__ import annotations

import logging

from supervise.models.audit import Outcome
from supervise.services import audit
from supervise.services.context import ProgramContext

log = logging.getLogger("supervise.ssh")

AUTH_SUCCESS = "ssh.auth.success"
AUTH_FAILURE = "ssh.auth.failure"
SESSION_START = "ssh.session.start"
SESSION_END = "ssh.session.end"
REFUSED = "ssh.refused"


def details(**fields: object) -> str:
    """`key=value` pairs in order, the values with spaces removed."""
    return " ".join(
        f"{key}={str(value).replace(' ', '_')}"
        for key, value in fields.items()
        if value not in (None, "")
    )


def record(
    ctx: ProgramContext,
    action: str,
    reason: str,
    *,
    account_id: int | None = None,
    denied: bool = False,
) -> None:
    """Write the audit row and the log line for one event (blocking)."""
    outcome = Outcome.DENIED if denied else Outcome.ALLOWED
    level = logging.WARNING if denied else logging.INFO
    log.log(level, "%s account=%s %s", action, account_id or "-", reason)
    audit.record_alone(
        ctx,
        audit.Who(account_id),
        action,
        object_type="ssh",
        object_id="" if account_id is None else account_id,
        outcome=outcome,
        reason=reason,
    )
