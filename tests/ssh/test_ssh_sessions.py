"""SSH sessions: the terminal, its limits, and what is left when they end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest

from tests.ssh.conftest import Start
from tests.ssh.helpers import process_state, processes_with, wait_until

pytestmark = pytest.mark.xdist_group("ssh")


async def test_resizing_the_window_repaints_the_app_at_the_new_size(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    term = await rig.password_session("tara", cols=100, rows=30)
    await term.wait_for("sam")
    await wait_until(lambda: "Help" in term.row(29), "the footer on row 30")
    term.resize(120, 40)
    await wait_until(lambda: "Help" in term.row(39), "the footer on row 40")
    assert "Help" not in term.row(29)
    term.close()


async def test_no_input_for_the_idle_limit_closes_the_session(
    ssh_server: Start,
) -> None:
    rig = await ssh_server(ssh_idle_seconds=3)
    term = await rig.password_session("tara")
    await term.wait_for("sam")
    await term.exit_status()
    assert b"closed after 3 s without input" in term.errors
    rows = rig.actions()
    assert ("logoff", "allowed", "") in rows  # the app logged off (SIGHUP)
    await rig.wait_for_action("ssh.session.end")
    ends = [r for a, _, r in rig.actions() if a == "ssh.session.end"]
    assert "how=idle" in ends[-1]
    await rig.no_children()


async def test_the_apps_own_idle_logoff_ends_the_ssh_session(
    ssh_server: Start,
) -> None:
    # The shortest idle time the settings allow; the transport backstop stays
    # far off, so it is the app that logs off (about 30 to 35 s of waiting).
    rig = await ssh_server(child_env={"SUPERVISE_IDLE_TIMEOUT_SECONDS": "30"})
    term = await rig.password_session("tara")
    await term.wait_for("sam")
    await term.wait_for("Logged off after 30 seconds idle.", timeout=90)
    assert await term.exit_status() == 0
    await rig.wait_for_action("ssh.session.end")
    assert ("logoff.idle", "allowed", "") in rig.actions()
    ends = [r for a, _, r in rig.actions() if a == "ssh.session.end"]
    assert "how=idle" not in ends[-1]  # the app ended it, not the backstop
    await rig.no_children()


async def test_the_global_cap_refuses_one_session_too_many(ssh_server: Start) -> None:
    rig = await ssh_server(ssh_max_sessions=2)
    first = await rig.password_session("tara")
    second = await rig.password_session("sam")
    await first.wait_for("sam")
    third = await rig.password_session("theo")
    assert await third.exit_status() == 1
    assert b"too many sessions are open on this server" in third.errors
    await rig.wait_for_action("ssh.refused")
    assert ("ssh.refused", "denied", "why=cap-global peer=127.0.0.1") in rig.actions()
    first.close()
    second.close()


async def test_the_per_user_cap_refuses_a_users_extra_session(
    ssh_server: Start,
) -> None:
    rig = await ssh_server(ssh_max_sessions_per_user=1)
    first = await rig.password_session("tara")
    await first.wait_for("sam")
    extra = await rig.password_session("tara")
    assert await extra.exit_status() == 1
    assert b"you have too many sessions open" in extra.errors
    other = await rig.password_session("sam")
    await other.wait_for("Sam")
    first.close()
    other.close()


async def test_an_abrupt_disconnect_ends_the_child_and_frees_the_slot(
    ssh_server: Start,
) -> None:
    rig = await ssh_server(ssh_max_sessions_per_user=1)
    term = await rig.password_session("tara")
    await term.wait_for("sam")
    assert processes_with(rig.home_marker)
    term.conn.abort()
    await rig.no_children()
    await rig.wait_for_action("ssh.session.end")
    await wait_until(lambda: rig.server.state.slots.in_use == 0, "the slot back")
    again = await rig.password_session("tara")
    await again.wait_for("sam")
    again.close()


async def test_the_clients_environment_does_not_reach_the_app(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    env = {"TEXTUAL_PRESS": "ctrl+q", "TEXTUAL_DRIVER": "no.such:Driver"}
    term = await rig.password_session("tara", env=env)
    await term.wait_for("sam")
    (pid,) = processes_with(rig.home_marker)
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    assert b"TEXTUAL_" not in environ
    assert b"COLUMNS=" not in environ and b"LINES=" not in environ
    assert b"TERM=xterm-256color" in environ
    term.close()


async def test_ctrl_z_does_not_stop_the_app(ssh_server: Start) -> None:
    rig = await ssh_server()
    term = await rig.password_session("tara")
    await term.wait_for("sam")
    (pid,) = processes_with(rig.home_marker)
    term.send(b"\x1a")
    term.send(b"\x1b[A")  # a key after it: a stopped app would never see it
    await wait_until(lambda: process_state(pid) != "T", "the app still running")
    term.send(b"\x0c")  # ctrl+l logs off, which in SSH mode ends the app
    assert await term.exit_status() == 0
    assert "Logged off." in term.text()


async def test_port_forwarding_is_refused(ssh_server: Start) -> None:
    rig = await ssh_server()
    conn = await rig.connect("tara", password=rig.demo.password("tara"))
    with pytest.raises(asyncssh.ChannelOpenError):
        await conn.open_connection("127.0.0.1", rig.port)
    with pytest.raises(asyncssh.ChannelListenError):
        await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 9)
    conn.close()


async def test_a_session_without_a_terminal_is_refused(ssh_server: Start) -> None:
    rig = await ssh_server()
    conn = await rig.connect("tara", password=rig.demo.password("tara"))
    result = await conn.run(encoding=None)
    assert result.exit_status == 1
    assert isinstance(result.stderr, bytes)
    assert b"only runs the interactive app" in result.stderr
    await rig.wait_for_action("ssh.refused")
    conn.close()


async def test_only_one_session_per_connection(ssh_server: Start) -> None:
    rig = await ssh_server()
    conn = await rig.connect("tara", password=rig.demo.password("tara"))
    first = await conn.run("export nothing", encoding=None)
    second = await conn.run("export 1", encoding=None)
    assert first.exit_status == 1 and second.exit_status == 1
    assert isinstance(second.stderr, bytes)
    assert b"one session per connection" in second.stderr
    conn.close()
    await asyncio.sleep(0)


async def test_a_connection_that_does_not_log_in_in_time_is_closed(
    ssh_server: Start,
) -> None:
    rig = await ssh_server(ssh_login_timeout_seconds=1)
    reader, writer = await asyncio.open_connection("127.0.0.1", rig.port)
    assert (await reader.readline()).startswith(b"SSH-2.0-")
    await asyncio.wait_for(reader.read(), 30)  # returns when the server closes
    assert reader.at_eof()
    writer.close()
