"""The audit trail detects any edit, names the row, and exports a signed head."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import text

from supervise.models.database import session_scope
from supervise.services import audit
from tests.conftest import Demo

EDITS = {
    "seq": "100000",
    "ts": "'2020-01-01T00:00:00.000000+00:00'",
    "actor_id": "999",
    "actor_role": "'admin'",
    "session_id": "'feedfeedfeedfeed'",
    "action": "'login.success'",
    "object_type": "'recording'",
    "object_id": "'42'",
    "outcome": "'error'",
    "reason": "'edited'",
    "prev_hash": f"'{'a' * 64}'",
    "entry_hash": f"'{'b' * 64}'",
    "mac": f"'{'c' * 64}'",
}


def test_a_fresh_trail_verifies(program: Demo) -> None:
    result = audit.verify(program.ctx)
    assert result.ok
    assert result.rows > 10


@pytest.mark.parametrize("column", list(EDITS))
def test_editing_any_column_of_a_row_is_caught_and_named(
    program: Demo, column: str
) -> None:
    with program.ctx.engine.begin() as conn:
        conn.execute(
            text(f"UPDATE audit_event SET {column} = {EDITS[column]} WHERE seq = 5")
        )
    result = audit.verify(program.ctx)
    assert not result.ok
    assert result.bad_seq == 5, result.problem


def test_deleting_a_row_in_the_middle_is_caught(program: Demo) -> None:
    with program.ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    assert audit.verify(program.ctx).bad_seq == 3


def test_cutting_off_the_tail_is_caught(program: Demo) -> None:
    total = audit.verify(program.ctx).rows
    with program.ctx.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM audit_event WHERE seq >= {total - 1}"))
    result = audit.verify(program.ctx)
    assert result.bad_seq == total - 1


def test_a_rewritten_chain_without_the_host_key_fails_its_macs(program: Demo) -> None:
    from supervise.crypto import auditchain

    # An attacker with database access recomputes the hashes but cannot MAC.
    with session_scope(program.ctx.engine) as session:
        rows = list(audit.iter_events(program.ctx))
        prev = auditchain.GENESIS
        for event in rows:
            fields = audit._fields(event)
            if event.seq == 4:
                fields["reason"] = "rewritten"
            new_hash = auditchain.entry_hash(prev, fields)
            session.execute(
                text(
                    "UPDATE audit_event SET reason=:r, prev_hash=:p, entry_hash=:h "
                    "WHERE seq=:s"
                ),
                {"r": fields["reason"], "p": prev, "h": new_hash, "s": event.seq},
            )
            prev = new_hash
    assert audit.verify(program.ctx).bad_seq == 4


def test_rows_written_in_one_transaction_commit_or_vanish_together(
    program: Demo,
) -> None:
    before = audit.verify(program.ctx).rows
    with pytest.raises(RuntimeError), session_scope(program.ctx.engine) as session:
        audit.record(session, program.ctx, audit.SYSTEM, "test.event")
        raise RuntimeError("the action failed")
    after = audit.verify(program.ctx)
    assert after.ok
    assert after.rows == before


def test_rows_hold_codes_and_ids_never_names(program: Demo) -> None:
    program.login("theo")
    names = {a.full_name for a in program.accounts.values()}
    usernames = set(program.accounts)
    for event in audit.iter_events(program.ctx):
        values = set(audit._fields(event).values())
        assert not values & names
        assert not values & usernames


def test_export_writes_every_row_and_a_signed_checkpoint(program: Demo) -> None:
    out = io.StringIO()
    count = audit.export(program.ctx, out, "supervise-test")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == count + 1
    checkpoint = lines[-1]
    origin, size, head, _ = checkpoint["checkpoint"].split("\n")
    assert (origin, int(size)) == ("supervise-test", count)
    assert base64.b64decode(head).hex() == lines[-2]["entry_hash"]
    public = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(checkpoint["public_key"])
    )
    public.verify(
        base64.b64decode(checkpoint["signature"]),
        checkpoint["checkpoint"].encode(),
    )


def test_only_admins_and_auditors_read_the_trail(program: Demo) -> None:
    from supervise.services.errors import PermissionDenied

    audrey = program.login("audrey")
    assert audit.recent_events(program.ctx, audrey, 3)[0].action == "login.success"
    sam = program.login("sam")
    with pytest.raises(PermissionDenied):
        audit.recent_events(program.ctx, sam)
    denied = audit.recent_events(program.ctx, audrey, 1)[0]
    assert (denied.action, denied.outcome, denied.actor_id) == (
        "audit.view",
        "denied",
        sam.account_id,
    )


def test_a_verification_run_is_itself_audited(program: Demo) -> None:
    auditor = program.login("audrey")
    result = audit.verify(program.ctx, auditor.who)
    newest = audit.recent_events(program.ctx, auditor, 1)[0]
    assert (newest.action, newest.reason, newest.object_id) == (
        "audit.verify",
        "intact",
        str(result.rows),
    )
    assert audit.verify(program.ctx).ok
