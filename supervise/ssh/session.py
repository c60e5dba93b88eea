"""What an authenticated SSH channel may do: the TUI, or `export ID`.

Checked in order: one session per connection, no subsystems other than
SFTP (asyncssh hands SFTP and SCP to the drop box before we are asked), the
session caps, then a PTY for the TUI or a known command. Each refusal is a
clear line on the channel, exit status 1 and an audit row; each session that
runs is audited at its start and end.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncssh

from supervise.ssh import child, events
from supervise.ssh.commands import EXPORT_USAGE, export_id
from supervise.ssh.export import run_export
from supervise.ssh.server import Login, ServerState, SupervisorSSHServer
from supervise.ssh.terminal import TerminalSession

EXIT_REFUSED = 1
Process = asyncssh.SSHServerProcess[bytes]

MESSAGES = {
    "second-session": "one session per connection: open another connection",
    "subsystem": "this server offers the app, 'export ID' and the drop box only",
    "cap-global": "too many sessions are open on this server; try again later",
    "cap-user": "you have too many sessions open; close one and try again",
    "no-pty": "this server only runs the interactive app: connect with a "
    "terminal (ssh -t), or run 'export ID'",
    "bad-command": EXPORT_USAGE,
    "export-needs-password": "export needs your password, and a key login gives "
    "none: connect with 'ssh -o PreferredAuthentications=keyboard-interactive,"
    "password -p PORT USER@HOST export ID > FILE'",
}


async def handle_process(state: ServerState, process: Process) -> None:
    """Serve one session channel, whatever it asks, and end it."""
    owner = process.channel.get_connection().get_owner()
    assert isinstance(owner, SupervisorSSHServer) and owner.login is not None
    login = owner.login
    owner.sessions_opened += 1
    task = asyncio.current_task()
    assert task is not None
    state.tasks.add(task)  # the server waits for it when it closes
    try:
        why = _refusal(owner, process)
        if why is not None:
            await _refuse(state, process, owner, why)
            return
        taken = state.slots.acquire(login.account_id)
        if taken is not None:
            await _refuse(state, process, owner, taken)
            return
        try:
            status = await _run(state, process, owner, login)
        finally:
            state.slots.release(login.account_id)
        process.exit(status)
    finally:
        state.tasks.discard(task)
        login.password = None  # handed to the child, or not needed


def _refusal(owner: SupervisorSSHServer, process: Process) -> str | None:
    """The reason code for refusing this channel before anything runs."""
    assert owner.login is not None
    if owner.sessions_opened > 1:
        return "second-session"
    if process.subsystem:
        return "subsystem"
    if process.command is not None:
        if export_id(process.command) is None:
            return "bad-command"
        if owner.login.password is None:
            return "export-needs-password"
        return None
    if process.get_terminal_type() is None:
        return "no-pty"
    return None


async def _refuse(
    state: ServerState, process: Process, owner: SupervisorSSHServer, why: str
) -> None:
    assert owner.login is not None
    reason = events.details(why=why, peer=owner.peer)
    await asyncio.to_thread(
        events.record,
        state.ctx,
        events.REFUSED,
        reason,
        account_id=owner.login.account_id,
        denied=True,
    )
    process.stderr.write(f"supervise: {MESSAGES[why]}\r\n".encode())
    process.exit(EXIT_REFUSED)


async def _run(
    state: ServerState, process: Process, owner: SupervisorSSHServer, login: Login
) -> int:
    kind = "tui" if process.command is None else "export"
    await _audit(state, events.SESSION_START, login, kind=kind, peer=owner.peer)
    status = EXIT_REFUSED
    how = "ended"
    try:
        if process.command is None:
            status, how = await _run_tui(state, process, login)
        else:
            status = await _run_export(state, process, login)
    finally:
        await asyncio.shield(
            _audit(state, events.SESSION_END, login, kind=kind, how=how, status=status)
        )
    return status


async def _run_tui(
    state: ServerState, process: Process, login: Login
) -> tuple[int, str]:
    password_fd = None
    if login.password is not None:
        password_fd = child.password_pipe(login.password)
        login.password = None
    argv = child.tui_argv(state.settings.home, login.username, password_fd)
    env = child.child_env(state.child_env, process.get_terminal_type())
    session = TerminalSession(
        process,
        argv,
        env,
        state.settings.ssh_idle_seconds,
        pass_fds=() if password_fd is None else (password_fd,),
    )
    status = await session.run()
    if session.idled_out:
        seconds = state.settings.ssh_idle_seconds
        _say(process, f"Connection closed after {seconds} s without input.")
        return status, "idle"
    return status, "ended"


async def _run_export(state: ServerState, process: Process, login: Login) -> int:
    assert process.command is not None and login.password is not None
    recording_id = export_id(process.command)
    assert recording_id is not None
    password, login.password = login.password, None
    argv = child.export_argv(state.settings.home, login.username, recording_id)
    env = child.child_env(state.child_env, None)
    return await run_export(process, argv, env, password)


def _say(process: Process, line: str) -> None:
    with contextlib.suppress(asyncssh.Error, OSError):
        process.stderr.write(f"\r\n{line}\r\n".encode())


async def _audit(
    state: ServerState, action: str, login: Login, **fields: object
) -> None:
    reason = events.details(**fields)
    await asyncio.to_thread(
        events.record, state.ctx, action, reason, account_id=login.account_id
    )
