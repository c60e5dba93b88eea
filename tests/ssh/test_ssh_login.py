"""Logging in over SSH: passwords, keys, refusals, and who a session belongs to."""

from __future__ import annotations

import asyncssh
import pytest

from supervise.ssh.server import ServerState, SupervisorSSHServer
from tests.ssh.conftest import Start
from tests.ssh.helpers import connect_options

pytestmark = pytest.mark.xdist_group("ssh")


async def test_a_password_login_opens_the_app_already_logged_in(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    term = await rig.password_session("tara")
    await term.wait_for("Tara")
    await term.wait_for("sam")
    assert "Password" not in term.text()
    kinds = [(a, o) for a, o, _ in rig.actions()]
    assert ("ssh.auth.success", "allowed") in kinds
    assert ("ssh.session.start", "allowed") in kinds
    assert ("login.success", "allowed") in kinds
    term.send(b"\x11")  # ctrl+q
    assert await term.exit_status() == 0
    await rig.wait_for_action("ssh.session.end")
    await rig.no_children()


async def test_a_key_login_asks_for_the_password_with_the_username_fixed(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    key = rig.register_key("tara")
    term = await rig.terminal("tara", client_keys=[key])
    await term.wait_for("Password")
    assert "tara" in term.text()
    term.send(rig.demo.password("tara").encode() + b"\r")
    await term.wait_for("sam")
    await rig.wait_for_action("ssh.auth.success")
    success = [r for a, _, r in rig.actions() if a == "ssh.auth.success"]
    assert success[-1].startswith("method=publickey fp=SHA256:")
    assert "tara" not in success[-1]
    term.close()
    await rig.no_children()


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("tara", "not-her-password", "bad-password"),
        ("nobody", "whatever-it-is", "unknown-user"),
    ],
)
async def test_a_wrong_password_or_an_unknown_user_is_refused_and_audited(
    ssh_server: Start, username: str, password: str, reason: str
) -> None:
    rig = await ssh_server()
    with pytest.raises(asyncssh.PermissionDenied):
        await rig.connect(username, password=password)
    await rig.wait_for_action("ssh.auth.failure")
    rows = rig.actions()
    assert ("login.failure", "denied", reason) in rows
    failures = [r for a, o, r in rows if a == "ssh.auth.failure" and o == "denied"]
    assert failures and all("method=password" in r for r in failures)
    assert all(username not in r for r in failures)


async def test_an_unregistered_key_is_refused_and_audited(ssh_server: Start) -> None:
    rig = await ssh_server()
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await rig.connect("tara", client_keys=[stranger], password=None)
    await rig.wait_for_action("ssh.auth.failure")
    fp = stranger.get_fingerprint("sha256")
    failures = [r for a, _, r in rig.actions() if a == "ssh.auth.failure"]
    assert any(f"fp={fp}" in r and "peer=127.0.0.1" in r for r in failures)


async def test_another_accounts_key_cannot_log_in_as_that_account(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    taras = rig.register_key("tara")
    sams = rig.register_key("sam")
    with pytest.raises(asyncssh.PermissionDenied):
        await rig.connect("sam", client_keys=[taras])
    # Sam's key offered first under tara's name, then tara's own: tara it is.
    term = await rig.terminal("tara", client_keys=[sams, taras])
    await term.wait_for("Password")
    assert term.conn.get_extra_info("username") == "tara"
    (connection,) = rig.server.state.connections
    assert connection.login is not None
    assert connection.login.account_id == rig.demo.login("tara").account_id
    term.close()
    await rig.no_children()


async def test_the_servers_key_lookup_binds_nothing(ssh_server: Start) -> None:
    rig = await ssh_server()
    sams = rig.register_key("sam")
    state: ServerState = rig.server.state
    auth = SupervisorSSHServer(state)
    before = rig.actions()
    assert await auth.validate_public_key("sam", sams.convert_to_public())
    assert auth.login is None
    assert rig.actions() == before


async def test_an_address_is_refused_after_too_many_failures(
    ssh_server: Start,
) -> None:
    rig = await ssh_server(ssh_failed_auth_limit=3)
    for _ in range(3):
        with pytest.raises(asyncssh.PermissionDenied):
            await rig.connect(
                "nobody", password="wrong-guess-1", preferred_auth="password"
            )
    with pytest.raises(asyncssh.PermissionDenied) as refused:
        await rig.connect(
            "tara", password=rig.demo.password("tara"), preferred_auth="password"
        )
    assert "too many failed logins" in str(refused.value)
    await rig.wait_for_action("ssh.refused")
    refused_rows = [row for row in rig.actions() if row[0] == "ssh.refused"]
    assert refused_rows == [("ssh.refused", "denied", "why=banned peer=127.0.0.1")]


def test_connect_options_ignore_the_testers_agent_and_config() -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    options = connect_options(key)
    assert options["agent_path"] is None and options["config"] == []
