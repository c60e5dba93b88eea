"""SSH keys bound to accounts: the login lookups, adding, listing, removing,
and the audit rows they leave."""

from __future__ import annotations

import asyncssh
import pytest
from sqlmodel import Session, select

from supervise.models import AuditEvent
from supervise.models.remote import SshKey
from supervise.services import ssh_keys
from supervise.services.accounts import set_disabled
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from tests.conftest import Demo, newest_audit_rows


def new_key(kind: str = "ssh-ed25519", comment: str = "laptop") -> asyncssh.SSHKey:
    """A fresh public key (asyncssh's own object, as a login presents it)."""
    return asyncssh.generate_private_key(kind, comment=comment).convert_to_public()


def text_of(key: asyncssh.SSHKey) -> str:
    return bytes(key.export_public_key("openssh")).decode("ascii")


def stored_keys(program: Demo) -> list[SshKey]:
    with Session(program.ctx.engine) as session:
        return list(session.exec(select(SshKey).order_by(SshKey.id)))  # type: ignore[arg-type]


def test_a_registered_key_finds_its_own_account_and_only_under_its_name(
    program: Demo,
) -> None:
    key = new_key()
    view = ssh_keys.add_key(program.ctx, program.login("tara"), text_of(key))
    tara_id = program.login("tara").account_id
    assert ssh_keys.account_for_key(program.ctx, "tara", key) == tara_id
    assert ssh_keys.account_for_key(program.ctx, "theo", key) is None
    assert ssh_keys.account_for_key(program.ctx, "nobody", key) is None
    assert ssh_keys.account_for_key_id(program.ctx, view.id) == (tara_id, "tara")


def test_an_unregistered_key_finds_nobody(program: Demo) -> None:
    ssh_keys.add_key(program.ctx, program.login("tara"), text_of(new_key()))
    assert ssh_keys.account_for_key(program.ctx, "tara", new_key()) is None
    assert ssh_keys.account_for_key_id(program.ctx, 9999) is None


def test_a_disabled_accounts_keys_log_nobody_in(program: Demo) -> None:
    key = new_key()
    view = ssh_keys.add_key(program.ctx, program.login("theo"), text_of(key))
    set_disabled(program.ctx, program.login("dana"), "theo", True)
    assert ssh_keys.account_for_key(program.ctx, "theo", key) is None
    assert ssh_keys.account_for_key_id(program.ctx, view.id) is None
    algorithm, b64 = view_wire(key)
    assert ssh_keys.key_for_wire(program.ctx, algorithm, b64) is None


def view_wire(key: asyncssh.SSHKey) -> tuple[str, str]:
    algorithm, b64 = text_of(key).split()[:2]
    return algorithm, b64


def test_the_lookups_write_nothing_and_a_noted_login_sets_last_used(
    program: Demo,
) -> None:
    key = new_key()
    ssh_keys.add_key(program.ctx, program.login("tara"), text_of(key))
    seq = newest_audit_rows(program.ctx)[0].seq
    tara_id = ssh_keys.account_for_key(program.ctx, "tara", key)
    assert tara_id is not None
    assert stored_keys(program)[0].last_used_at is None
    assert newest_audit_rows(program.ctx)[0].seq == seq
    program.clock.advance(minutes=5)
    ssh_keys.note_key_login(program.ctx, tara_id, key)
    assert stored_keys(program)[0].last_used_at == program.clock()


def test_a_key_id_login_sets_last_used(program: Demo) -> None:
    view = ssh_keys.add_key(program.ctx, program.login("sam"), text_of(new_key()))
    ssh_keys.note_key_id_login(program.ctx, view.id)
    assert stored_keys(program)[0].last_used_at == program.clock()


def test_the_wire_form_finds_the_key_id_and_its_canonical_line(program: Demo) -> None:
    key = new_key("ecdsa-sha2-nistp256")
    view = ssh_keys.add_key(program.ctx, program.login("audrey"), text_of(key))
    algorithm, b64 = view_wire(key)
    found = ssh_keys.key_for_wire(program.ctx, algorithm, b64)
    assert found == (view.id, f"{algorithm} {b64}")
    assert ssh_keys.key_for_wire(program.ctx, *view_wire(new_key())) is None
    assert ssh_keys.key_for_wire(program.ctx, "ssh-ed25519", "!!") is None


# --- managing keys -----------------------------------------------------------


def test_adding_a_key_stores_it_and_audits_its_id_and_fingerprint(
    program: Demo,
) -> None:
    view = ssh_keys.add_key(program.ctx, program.login("tara"), text_of(new_key()))
    row = stored_keys(program)[0]
    assert (row.id, row.fingerprint, row.comment) == (
        view.id,
        view.fingerprint,
        "laptop",
    )
    event = newest_audit_rows(program.ctx)[0]
    assert (event.action, event.object_type) == ("sshkey.add", "sshkey")
    assert event.object_id == str(view.id)
    assert view.fingerprint in event.reason
    assert "tara" not in event.reason and "laptop" not in event.reason


def test_a_key_already_registered_anywhere_is_refused_without_saying_whose(
    program: Demo,
) -> None:
    text = text_of(new_key())
    ssh_keys.add_key(program.ctx, program.login("tara"), text)
    for who in ("tara", "theo"):
        with pytest.raises(Conflict) as caught:
            ssh_keys.add_key(program.ctx, program.login(who), text)
        assert "tara" not in str(caught.value)
    assert len(stored_keys(program)) == 1


def test_a_person_lists_only_their_own_keys_and_an_admin_any(program: Demo) -> None:
    ssh_keys.add_key(program.ctx, program.login("tara"), text_of(new_key()))
    ssh_keys.add_key(program.ctx, program.login("theo"), text_of(new_key()))
    tara = program.login("tara")
    dana = program.login("dana")
    assert {v.username for v in ssh_keys.list_keys(program.ctx, tara)} == {"tara"}
    listed = ssh_keys.list_keys(program.ctx, dana, every_account=True)
    assert {v.username for v in listed} == {"tara", "theo"}
    theo_only = ssh_keys.list_keys(program.ctx, dana, username="theo")
    assert [v.username for v in theo_only] == ["theo"]
    assert ssh_keys.list_keys(program.ctx, dana) == []


@pytest.mark.parametrize("scope", ["theo", "nobody", "all"])
def test_a_non_admin_cannot_list_others_keys_or_probe_names_and_is_audited(
    program: Demo, scope: str
) -> None:
    tara = program.login("tara")
    with pytest.raises(PermissionDenied):
        if scope == "all":
            ssh_keys.list_keys(program.ctx, tara, every_account=True)
        else:
            ssh_keys.list_keys(program.ctx, tara, username=scope)
    event = newest_audit_rows(program.ctx)[0]
    assert (event.action, event.outcome) == ("sshkey.list", "denied")


def test_an_admin_adds_a_key_to_another_account_and_others_cannot(
    program: Demo,
) -> None:
    dana = program.login("dana")
    key = new_key()
    view = ssh_keys.add_key(program.ctx, dana, text_of(key), username="tomas")
    assert view.username == "tomas"
    assert ssh_keys.account_for_key(program.ctx, "tomas", key) is not None
    with pytest.raises(PermissionDenied):
        ssh_keys.add_key(
            program.ctx, program.login("sam"), text_of(new_key()), username="tara"
        )
    assert newest_audit_rows(program.ctx)[0].outcome == "denied"
    with pytest.raises(NotFound):
        ssh_keys.add_key(program.ctx, dana, text_of(new_key()), username="nobody")
    assert len(stored_keys(program)) == 1


def test_removing_a_key_stops_its_logins_and_is_audited(program: Demo) -> None:
    key = new_key()
    tara = program.login("tara")
    view = ssh_keys.add_key(program.ctx, tara, text_of(key))
    ssh_keys.remove_key(program.ctx, tara, view.id)
    assert stored_keys(program) == []
    assert ssh_keys.account_for_key(program.ctx, "tara", key) is None
    event = newest_audit_rows(program.ctx)[0]
    assert (event.action, event.object_id) == ("sshkey.remove", str(view.id))
    assert view.fingerprint in event.reason
    with pytest.raises(NotFound):
        ssh_keys.remove_key(program.ctx, tara, view.id)


def test_only_the_owner_or_an_admin_removes_a_key(program: Demo) -> None:
    view = ssh_keys.add_key(program.ctx, program.login("tara"), text_of(new_key()))
    with pytest.raises(PermissionDenied):
        ssh_keys.remove_key(program.ctx, program.login("theo"), view.id)
    denied = newest_audit_rows(program.ctx)[0]
    assert (denied.action, denied.outcome) == ("sshkey.remove", "denied")
    assert len(stored_keys(program)) == 1
    ssh_keys.remove_key(program.ctx, program.login("dana"), view.id)
    assert stored_keys(program) == []


def test_a_refused_key_changes_nothing_and_writes_no_audit_row(program: Demo) -> None:
    tara = program.login("tara")
    seq = newest_audit_rows(program.ctx)[0].seq
    with pytest.raises(InvalidInput):
        ssh_keys.add_key(program.ctx, tara, "ssh-dss AAAA")
    assert stored_keys(program) == []
    latest: AuditEvent = newest_audit_rows(program.ctx)[0]
    assert latest.seq == seq
