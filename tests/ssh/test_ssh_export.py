"""`ssh USER@HOST export ID > FILE`: the recording's plaintext, streamed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from supervise.services import recordings
from tests.conftest import FAST_ARGON2
from tests.ssh.conftest import SshRig, Start

pytestmark = pytest.mark.xdist_group("ssh")

DEMO_RECORDING = 1
"""tara's sample recording of C-1001, made by the demo."""


def cli_export(rig: SshRig, recording_id: int) -> bytes:
    """What `supervise recording export ID -o -` gives on the server itself."""
    home = rig.demo.ctx.settings.home
    argv = ["--home", str(home), "recording", "export", str(recording_id)]
    argv += ["-o", "-", "--as", "tara", "--password-stdin"]
    done = subprocess.run(
        [sys.executable, "-m", "supervise", *argv],
        input=rig.demo.password("tara").encode() + b"\n",
        capture_output=True,
        env={**FAST_ARGON2, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return done.stdout


async def ssh_export(
    rig: SshRig, recording_id: int, **options: object
) -> asyncssh.SSHCompletedProcess:
    if not options:
        options = {"password": rig.demo.password("tara")}
    conn = await rig.connect("tara", **options)
    try:
        return await conn.run(f"export {recording_id}", encoding=None)
    finally:
        conn.close()


def export_rows(rig: SshRig) -> list[tuple[str, str]]:
    return [(a, o) for a, o, _ in rig.actions() if a == "recording.export"]


async def test_export_streams_what_the_cli_export_gives_and_is_audited(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    expected = cli_export(rig, DEMO_RECORDING)
    before = len(export_rows(rig))
    done = await ssh_export(rig, DEMO_RECORDING)
    assert done.exit_status == 0, done.stderr
    assert done.stdout == expected and len(expected) > 1000
    assert export_rows(rig)[before:] == [("recording.export", "allowed")]
    kinds = [a for a, _, r in rig.actions() if "kind=export" in r]
    assert kinds == ["ssh.session.start", "ssh.session.end"]


async def test_export_after_a_key_login_is_refused_naming_what_works(
    ssh_server: Start,
) -> None:
    rig = await ssh_server()
    key = rig.register_key("tara")
    done = await ssh_export(rig, DEMO_RECORDING, client_keys=[key])
    assert done.exit_status == 1 and done.stdout == b""
    assert isinstance(done.stderr, bytes)
    assert b"PreferredAuthentications=keyboard-interactive,password" in done.stderr
    await rig.wait_for_action("ssh.refused")


async def test_an_unknown_command_is_refused(ssh_server: Start) -> None:
    rig = await ssh_server()
    conn = await rig.connect("tara", password=rig.demo.password("tara"))
    done = await conn.run("sh -c id", encoding=None)
    conn.close()
    assert done.exit_status == 1
    assert isinstance(done.stderr, bytes)
    assert b"the only command is 'export ID'" in done.stderr
    await rig.wait_for_action("ssh.refused")
    refused = [r for a, _, r in rig.actions() if a == "ssh.refused"]
    assert refused == ["why=bad-command peer=127.0.0.1"]


async def test_a_payload_tampered_mid_stream_ends_with_an_error_status(
    ssh_server: Start, tmp_path: Path
) -> None:
    rig = await ssh_server()
    tara = rig.demo.login("tara")
    source = tmp_path / "long.bin.wav"
    write_long_wav(source)
    view = recordings.import_recording(rig.demo.ctx, tara, source, "C-1001")
    blob = blob_of(rig, view.id)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x10
    blob.write_bytes(bytes(data))
    done = await ssh_export(rig, view.id)
    assert done.exit_status not in (0, None)
    assert isinstance(done.stderr, bytes) and b"supervise:" in done.stderr
    assert len(done.stdout or b"") < source.stat().st_size


def write_long_wav(path: Path) -> None:
    """A WAV of several 64 KiB chunks, so that the middle one can be damaged."""
    import wave

    frames = bytes((i * 7 + i // 256) % 256 for i in range(4 * 65536))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(frames)


def blob_of(rig: SshRig, recording_id: int) -> Path:
    from sqlmodel import Session

    from supervise.models.clinical import Recording

    with Session(rig.demo.ctx.engine) as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        return rig.demo.ctx.blobs.path_of(row.blob_name)
