"""The real OpenSSH client, in tmux, against the built-in server.

tmux answers terminal queries as a real terminal does, and `capture-pane`
shows what a person would see.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncssh
import pytest

from tests.ssh.conftest import SshRig, Start

pytestmark = [
    pytest.mark.xdist_group("ssh"),
    pytest.mark.skipif(
        shutil.which("tmux") is None or shutil.which("ssh") is None,
        reason="needs tmux and the OpenSSH client",
    ),
]


async def tmux(*argv: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        "tmux", *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return out.decode(errors="replace")


class Pane:
    """One tmux session running `ssh`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.last = ""

    async def screen(self) -> str:
        self.last = await tmux("capture-pane", "-p", "-t", self.name)
        return self.last

    async def wait_until_lines(
        self, check: Callable[[list[str]], bool], what: str
    ) -> None:
        """Poll the pane until `check(lines)` holds; fail showing it."""
        deadline = time.monotonic() + 60
        while not check((await self.screen()).splitlines()):
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what}:\n{self.last}")
            await asyncio.sleep(0.2)

    async def wait_for(self, needle: str) -> None:
        await self.wait_until_lines(lambda lines: needle in "\n".join(lines), needle)

    async def type(self, *keys: str) -> None:
        await tmux("send-keys", "-t", self.name, *keys)


@pytest.fixture
async def pane(tmp_path: Path) -> AsyncIterator[list[Pane]]:
    made: list[Pane] = []
    yield made
    for item in made:
        await tmux("kill-session", "-t", item.name)


def ssh_command(
    rig: SshRig, tmp_path: Path, key: asyncssh.SSHKey | None, tail: str = ""
) -> str:
    """`ssh` with only this test's key (if any) and known_hosts file."""
    known = tmp_path / "known_hosts"
    public = rig.host_key.export_public_key().decode().split()[:2]
    known.write_text(f"[127.0.0.1]:{rig.port} {' '.join(public)}\n")
    command = (
        f"ssh -F /dev/null -p {rig.port} -o IdentitiesOnly=yes "
        f"-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes "
    )
    if key is None:
        command += "-o PreferredAuthentications=keyboard-interactive "
    else:
        key_file = tmp_path / "id_ed25519"
        key.write_private_key(key_file)
        key_file.chmod(0o600)
        command += f"-i {key_file} -o PreferredAuthentications=publickey "
    return command + "tara@127.0.0.1" + tail


async def open_pane(panes: list[Pane], command: str) -> Pane:
    term = Pane(f"supervise-ssh-{os.getpid()}-{len(panes)}")
    panes.append(term)
    await tmux(
        "new-session", "-d", "-s", term.name, "-x", "100", "-y", "30",
        f"env TERM=xterm-256color {command}; sleep 30",
    )  # fmt: skip
    return term


async def test_openssh_with_a_key_reaches_the_app_and_logs_in(
    ssh_server: Start, pane: list[Pane], tmp_path: Path
) -> None:
    rig = await ssh_server()
    key = rig.register_key("tara")
    term = await open_pane(pane, ssh_command(rig, tmp_path, key))
    await term.wait_for("Password")
    await term.type(rig.demo.password("tara"), "Enter")
    await term.wait_for("sam")
    await tmux("resize-window", "-t", term.name, "-x", "120", "-y", "40")
    await term.wait_until_lines(
        lambda lines: len(lines) == 40 and "Help" in lines[39], "the footer on row 40"
    )
    await term.type("C-l")
    await term.wait_for("Logged off.")
    await rig.wait_for_action("ssh.session.end")
    await rig.no_children()


async def test_openssh_prompts_for_the_password_and_the_app_opens_logged_in(
    ssh_server: Start, pane: list[Pane], tmp_path: Path
) -> None:
    rig = await ssh_server()
    term = await open_pane(pane, ssh_command(rig, tmp_path, None))
    await term.wait_for("Password:")
    await term.type(rig.demo.password("tara"), "Enter")
    await term.wait_for("sam")
    assert rig.demo.password("tara") not in term.last


async def test_openssh_export_writes_the_recording_to_a_file(
    ssh_server: Start, pane: list[Pane], tmp_path: Path
) -> None:
    rig = await ssh_server()
    target = tmp_path / "session.wav"
    command = ssh_command(rig, tmp_path, None, f" export 1 > {target}; echo done=$?")
    term = await open_pane(pane, command)
    await term.wait_for("Password:")
    await term.type(rig.demo.password("tara"), "Enter")
    await term.wait_for("done=0")
    assert target.read_bytes()[:4] == b"RIFF"
