"""The SSH inbox with the real OpenSSH `scp` and `sftp` against the built-in server.

A large WAV with a marker all through its samples goes in while a thread
scans the program's home (blob store and its temporary folder included) and
the process's temporary folder for the marker; it must never appear. The
upload is then attached through the services and exported: byte-identical.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
from sqlmodel import Session, select

from supervise.models.remote import PendingUpload
from supervise.services import dropbox, dropbox_owner, recordings, ssh_keys
from supervise.services.dropbox_attach import attach_upload
from supervise.ssh.inbox import MAX_HELD_BYTES, InboxFile
from supervise.ssh.server import RunningServer, start_server
from tests.conftest import FAST_ARGON2, Demo, newest_audit_rows
from tests.dropbox_helpers import holding_marker, marked_wav
from tests.ssh.helpers import connect, wait_until

pytestmark = [
    pytest.mark.xdist_group("ssh"),
    pytest.mark.skipif(
        shutil.which("scp") is None or shutil.which("sftp") is None,
        reason="needs the OpenSSH scp and sftp commands",
    ),
]

WAV_BYTES = 40 * 1024 * 1024


@dataclass
class Inbox:
    """The server with the inbox on, tara's key and OpenSSH's options."""

    demo: Demo
    server: RunningServer
    options: list[str]
    """`-F /dev/null -P PORT -i KEY ...` for scp and sftp alike."""

    def uploads(self) -> list[PendingUpload]:
        with Session(self.demo.ctx.engine) as session:
            return list(session.exec(select(PendingUpload)))

    async def run(self, *argv: str, stdin: bytes = b"") -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate(stdin)
        assert proc.returncode is not None
        return proc.returncode, out.decode(errors="replace")

    async def sftp(self, *commands: str) -> tuple[int, str]:
        """`sftp -b -` with these commands; stops at the first that fails."""
        script = "".join(f"{command}\n" for command in commands).encode()
        return await self.run(
            "sftp", *self.options, "-b", "-", "tara@127.0.0.1", stdin=script
        )


@pytest.fixture
async def inbox(sqlite_program: Demo, tmp_path: Path) -> AsyncIterator[Inbox]:
    settings = sqlite_program.ctx.settings
    env = {**FAST_ARGON2, "SUPERVISE_HOME": str(settings.home)}
    server = await start_server(
        sqlite_program.ctx, settings, port=0, child_env=env, sftp=True
    )
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = key.export_public_key().decode()
    ssh_keys.add_key(sqlite_program.ctx, sqlite_program.login("tara"), public)
    client = tmp_path / "client"
    client.mkdir()
    key_file = client / "id_ed25519"
    key.write_private_key(key_file)
    key_file.chmod(0o600)
    known = client / "known_hosts"
    host = server.host_key.export_public_key().decode().split()[:2]
    known.write_text(f"[127.0.0.1]:{server.port} {' '.join(host)}\n")
    options = [
        "-F", "/dev/null", "-P", str(server.port), "-i", str(key_file),
        "-o", "IdentitiesOnly=yes", "-o", f"UserKnownHostsFile={known}",
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
    ]  # fmt: skip
    try:
        yield Inbox(sqlite_program, server, options)
    finally:
        await server.close()


class MarkerWatch:
    """Scans folders for a marker, over and over, from a thread."""

    def __init__(self, folders: list[Path], marker: bytes) -> None:
        self.folders = folders
        self.marker = marker
        self.found: set[Path] = set()
        self.passes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MarkerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.found.update(holding_marker(self.folders, self.marker))
            self.passes += 1


@pytest.mark.parametrize("legacy", [False, True], ids=["scp-sftp", "scp-O"])
async def test_an_scp_upload_lands_encrypted_and_exports_byte_identical(
    inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, legacy: bool
) -> None:
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(server_tmp))
    marker = b"MARK-" + secrets.token_hex(8).encode()
    source = tmp_path / "client" / "Maya session.wav"
    original = marked_wav(source, WAV_BYTES, marker)
    ctx = inbox.demo.ctx
    folders = [ctx.settings.home, ctx.blobs.folder, ctx.blobs.temp_folder, server_tmp]
    assert holding_marker([source.parent], marker) == [source]  # the scan works
    scp = ["scp", "-p", *(["-O"] if legacy else []), *inbox.options]
    with MarkerWatch(folders, marker) as watch:
        status, output = await inbox.run(*scp, str(source), "tara@127.0.0.1:")
        assert status == 0, output
        await wait_until(lambda: watch.passes >= 2, "two scans after the upload")
    assert watch.found == set()
    [upload] = inbox.uploads()
    assert (upload.state, upload.size_bytes) == ("pending", len(original))
    tara = inbox.demo.login("tara")
    [view] = dropbox_owner.list_uploads(ctx, tara)
    assert view.name == "Maya session.wav"
    recording = attach_upload(ctx, tara, upload.id or 0, "C-1001")
    out = io.BytesIO()
    recordings.export_recording(ctx, tara, recording.id, out)
    assert hashlib.sha256(out.getvalue()).digest() == hashlib.sha256(original).digest()
    assert holding_marker(folders, marker) == []
    assert list(ctx.blobs.temp_folder.iterdir()) == []


async def test_sftp_puts_a_file_and_refuses_get_rm_rename_and_mkdir(
    inbox: Inbox, tmp_path: Path
) -> None:
    source = tmp_path / "client" / "session.wav"
    marked_wav(source, 200_000)
    status, output = await inbox.sftp(f'put "{source}"', "ls -l")
    assert status == 0, output
    [upload] = inbox.uploads()
    neutral = f"upload-{upload.id}"
    assert neutral in output and "session.wav" not in output.split("ls -l")[-1]
    for command in (
        f"get {neutral} {tmp_path / 'back.wav'}",
        f"rm {neutral}",
        f"rename {neutral} other.wav",
        "mkdir folder",
    ):
        status, output = await inbox.sftp(command)
        assert status != 0, command
        assert "denied" in output.lower(), output
    assert not (tmp_path / "back.wav").exists()
    refused = [r.reason for r in newest_audit_rows(inbox.demo.ctx, 10)]
    assert {"read", "remove", "rename", "mkdir"} <= set(refused)
    assert [u.state for u in inbox.uploads()] == ["pending"]


async def test_paths_outside_the_inbox_are_refused(
    inbox: Inbox, tmp_path: Path
) -> None:
    source = tmp_path / "client" / "session.wav"
    marked_wav(source, 10_000)
    for target in ("/etc/x.wav", "../x.wav", "sub/x.wav"):
        status, output = await inbox.sftp(f'put "{source}" {target}')
        assert status != 0, output
    status, output = await inbox.sftp("cd /etc")
    assert status != 0, output
    assert inbox.uploads() == []
    refused = [(r.action, r.reason) for r in newest_audit_rows(inbox.demo.ctx, 10)]
    assert ("inbox.refused", "outside") in refused


async def test_a_dropped_connection_leaves_no_payload_and_an_aborted_row(
    inbox: Inbox,
) -> None:
    ctx = inbox.demo.ctx
    before = sorted(p for p in ctx.blobs.folder.rglob("*") if p.is_file())
    conn = await connect(
        inbox.server.port,
        inbox.server.host_key,
        "tara",
        password=inbox.demo.password("tara"),
    )
    sftp = await conn.start_sftp_client()
    handle = await sftp.open("half.wav", "wb")
    await handle.write(b"RIFF" + bytes(300_000))
    conn.abort()
    await wait_until(
        lambda: [u.state for u in inbox.uploads()] == ["aborted"], "the abort"
    )
    after = sorted(p for p in ctx.blobs.folder.rglob("*") if p.is_file())
    assert after == before


async def test_an_account_that_is_not_a_trainee_has_no_inbox(
    inbox: Inbox, tmp_path: Path
) -> None:
    conn = await connect(
        inbox.server.port,
        inbox.server.host_key,
        "sam",
        password=inbox.demo.password("sam"),
    )
    async with conn, conn.start_sftp_client() as sftp:
        with pytest.raises(asyncssh.SFTPPermissionDenied):
            await sftp.open("x.wav", "wb")
    assert inbox.uploads() == []


def test_writes_ahead_of_a_gap_wait_and_writes_behind_are_refused(
    sqlite_program: Demo,
) -> None:
    user = dropbox.inbox_user(
        sqlite_program.ctx, sqlite_program.login("tara").account_id
    )
    writer = dropbox.UploadWriter.start(sqlite_program.ctx, user, b"x.wav")
    handle = InboxFile(writer)
    assert handle.take(4, b"efgh") == []
    assert not handle.complete
    assert handle.take(0, b"abcd") == [b"abcd", b"efgh"]
    assert handle.complete and handle.received == 8
    with pytest.raises(asyncssh.SFTPFailure):
        handle.take(2, b"cd")
    with pytest.raises(asyncssh.SFTPFailure):
        handle.take(8 + MAX_HELD_BYTES, b"x" * (MAX_HELD_BYTES + 1))
    writer.abort()
