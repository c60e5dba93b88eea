"""The built-in SSH server: who may connect, and on what terms.

Authentication checks the app's own accounts: a public key registered to the
account named by the SSH username, or (when enabled) the account's password,
also through keyboard-interactive so that `ssh` prompts without echo. The
account is bound only when authentication has completed, from the username
that completed it; a key that was merely offered binds nothing (the class of
bug behind soft-serve's GHSA-pchf-49fh-w34r). Each session then runs in a
child process (`session.py`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from supervise.services.context import ProgramContext
from supervise.settings import ENV_PREFIX, Settings
from supervise.ssh import events, hostkey
from supervise.ssh.limits import FailedAuth, SessionSlots

log = logging.getLogger("supervise.ssh")

KEEPALIVE_SECONDS = 30
KEEPALIVE_COUNT = 3
BANNED = "too many failed logins from your address; try again later"


@dataclass
class ServerState:
    """What all connections of one server share."""

    ctx: ProgramContext
    settings: Settings
    child_env: Mapping[str, str]
    """The server's own SUPERVISE_* variables, passed on to each child."""
    slots: SessionSlots
    failures: FailedAuth
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    connections: set[SupervisorSSHServer] = field(default_factory=set)


@dataclass
class Login:
    """How a connection authenticated (set once authentication completed)."""

    account_id: int
    username: str
    method: str
    password: str | None = None
    """Kept in memory for the session's child, for password logins only."""


class SupervisorSSHServer(asyncssh.SSHServer):
    """One connection's authentication, bound to an account when it completes."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer = "-"
        self.login: Login | None = None
        self.sessions_opened = 0
        self._keys: dict[str, tuple[int, asyncssh.SSHKey]] = {}
        """username -> (account id, key) for keys the lookup accepted."""
        self._password_ok: Login | None = None
        self._failed = False
        """A key was refused."""
        self._refused = False

    # --- connection --------------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        """Note the client's address; refuse it at once when it is banned."""
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "-"
        self.state.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        """Refused keys count once per connection that never authenticated
        (clients offer several keys); each wrong password counted already."""
        self.state.connections.discard(self)
        if self.login is None and self._failed and not self._refused:
            self.state.failures.add(self.peer)
        self._keys.clear()
        self._password_ok = None
        if self.login is not None:
            self.login.password = None

    def begin_auth(self, username: str) -> bool:
        """Always require authentication; a banned address gets none."""
        if not self._refused and self.state.failures.refused(self.peer):
            self._refused = True
            reason = events.details(why="banned", peer=self.peer)
            self._record(events.REFUSED, reason, denied=True)
            assert self.conn is not None
            self.conn.send_auth_banner(BANNED + "\r\n")
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, BANNED)
        return True

    # --- methods -----------------------------------------------------------

    def public_key_auth_supported(self) -> bool:
        """Keys registered in the app (`supervise ssh-key`)."""
        return not self._refused

    def password_auth_supported(self) -> bool:
        """App passwords, unless the settings turn them off."""
        return self.state.settings.ssh_password_login and not self._refused

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Whether `key` is registered to the account named `username`.

        Called for offered keys too: a pure lookup whose answer is noted
        under `username` only, and used once that username authenticated.
        """
        account_id = await asyncio.to_thread(self._key_account, username, key)
        if account_id is None:
            self._failed = True
            fp = key.get_fingerprint("sha256")
            self._audit_failure(method="publickey", fp=fp)
            return False
        self._keys[username] = (account_id, key)
        return True

    def _key_account(self, username: str, key: asyncssh.SSHKey) -> int | None:
        try:
            from supervise.services import ssh_keys
        except ImportError:  # key logins come with `supervise ssh-key`
            return None
        return ssh_keys.account_for_key(self.state.ctx, username, key)

    async def validate_password(self, username: str, password: str) -> bool:
        """Check the app password off the event loop (Argon2 is slow)."""
        from supervise.services.accounts import check_password
        from supervise.services.errors import ServiceError

        if self._refused or self.state.failures.refused(self.peer):
            return False
        try:
            account_id = await asyncio.to_thread(
                check_password, self.state.ctx, username, password
            )
        except ServiceError:
            self.state.failures.add(self.peer)
            self._audit_failure(method="password")
            return False
        self._password_ok = Login(account_id, username, "password", password)
        return True

    def auth_completed(self) -> None:
        """Bind the account of the username that completed authentication."""
        assert self.conn is not None
        username = self.conn.get_extra_info("username")
        fp = ""
        if self._password_ok is not None and self._password_ok.username == username:
            self.login = self._password_ok
        elif username in self._keys:
            account_id, key = self._keys[username]
            self.login = Login(account_id, username, "publickey")
            fp = key.get_fingerprint("sha256")
            self._note_key(account_id, key)
        else:  # no method of ours completed it: bind nothing, and leave
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "")
            return
        self._keys.clear()
        self._password_ok = None
        reason = events.details(method=self.login.method, fp=fp, peer=self.peer)
        self._record(events.AUTH_SUCCESS, reason, self.login.account_id)

    # --- records -----------------------------------------------------------

    def _audit_failure(self, **fields: str) -> None:
        reason = events.details(**fields, peer=self.peer)
        self._record(events.AUTH_FAILURE, reason, denied=True)

    def _record(
        self,
        action: str,
        reason: str,
        account_id: int | None = None,
        *,
        denied: bool = False,
    ) -> None:
        """Write the audit row in the background, off the event loop."""
        ctx = self.state.ctx
        self.background(
            asyncio.to_thread(
                events.record, ctx, action, reason, account_id=account_id, denied=denied
            )
        )

    def _note_key(self, account_id: int, key: asyncssh.SSHKey) -> None:
        from supervise.services import ssh_keys

        ctx = self.state.ctx
        self.background(
            asyncio.to_thread(ssh_keys.note_key_login, ctx, account_id, key)
        )

    def background(self, work: Any) -> None:
        """Run `work` as a task the server waits for when it closes."""
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self.state.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.state.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("ssh background task failed: %r", task.exception())


def account_of_channel(chan: asyncssh.SSHServerChannel[Any]) -> int | None:
    """The account bound to `chan`'s connection when it authenticated."""
    owner = chan.get_connection().get_owner()
    if isinstance(owner, SupervisorSSHServer) and owner.login is not None:
        return owner.login.account_id
    return None


def login_of(conn: asyncssh.SSHServerConnection) -> Login | None:
    """How `conn` authenticated, or None before that."""
    owner = conn.get_owner()
    return owner.login if isinstance(owner, SupervisorSSHServer) else None


# --- running -----------------------------------------------------------------


@dataclass
class RunningServer:
    """A listening server: its port, its host key, and how to stop it."""

    acceptor: asyncssh.SSHAcceptor
    state: ServerState
    host_key: asyncssh.SSHKey

    @property
    def port(self) -> int:
        """The port it listens on (the real one when 0 was asked)."""
        return int(self.acceptor.get_port())

    @property
    def fingerprint(self) -> str:
        """The host key's SHA256 fingerprint."""
        return hostkey.fingerprint(self.host_key)

    async def close(self) -> None:
        """Stop listening, end every session (children hung up), and wait."""
        self.acceptor.close()
        await self.acceptor.wait_closed()
        for server in list(self.state.connections):
            if server.conn is not None:
                server.conn.close()
        while self.state.tasks:
            await asyncio.gather(*list(self.state.tasks), return_exceptions=True)


def server_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's own SUPERVISE_* variables, which each child inherits."""
    env = os.environ if environ is None else environ
    return {k: v for k, v in env.items() if k.startswith(ENV_PREFIX)}


def _sftp_options(ctx: ProgramContext) -> dict[str, Any]:
    """SFTP and SCP for the drop box, when that module is installed."""
    try:
        from supervise.ssh import inbox  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return {}
    return {"allow_scp": True, "sftp_factory": inbox.make_sftp_factory(ctx)}


async def start_server(
    ctx: ProgramContext,
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    child_env: Mapping[str, str] | None = None,
    sftp: bool = True,
) -> RunningServer:
    """Listen for SSH connections until `close()`.

    Args:
        ctx: The opened program.
        settings: Its settings (limits, host key, password logins).
        host: Listen address; `settings.ssh_host` by default.
        port: Listen port (0 picks a free one); `settings.ssh_port` by default.
        child_env: SUPERVISE_* variables for the children; the server's own by
            default.
        sftp: Offer SFTP and SCP (the drop box) when its module exists.

    Raises:
        HostKeyError: The host key file is unsafe or unusable.
        OSError: The address cannot be listened on.
    """
    from supervise.ssh.session import handle_process

    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # it logs usernames
    key = hostkey.load_or_create(settings.resolved_ssh_host_key)
    state = ServerState(
        ctx,
        settings,
        dict(server_env() if child_env is None else child_env),
        SessionSlots(settings.ssh_max_sessions, settings.ssh_max_sessions_per_user),
        FailedAuth(
            settings.ssh_failed_auth_limit, settings.ssh_failed_auth_window_seconds
        ),
    )
    factory: Callable[[], SupervisorSSHServer] = lambda: SupervisorSSHServer(state)  # noqa: E731
    acceptor = await asyncssh.create_server(
        factory,
        settings.ssh_host if host is None else host,
        settings.ssh_port if port is None else port,
        server_host_keys=[key],
        process_factory=lambda process: handle_process(state, process),
        encoding=None,
        line_editor=False,
        agent_forwarding=False,
        x11_forwarding=False,
        login_timeout=settings.ssh_login_timeout_seconds,
        keepalive_interval=KEEPALIVE_SECONDS,
        keepalive_count_max=KEEPALIVE_COUNT,
        **(_sftp_options(ctx) if sftp else {}),
    )
    return RunningServer(acceptor, state, key)
