"""The operations files in contrib/: the systemd unit and the sshd snippet are
what they claim, checked by the real tools where they are installed."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supervise.cli.parser import build_parser

CONTRIB = Path(__file__).resolve().parents[2] / "contrib"
UNIT = CONTRIB / "supervise-ssh.service"
SSHD = CONTRIB / "sshd_config.supervise"


def unit_values(key: str) -> list[str]:
    """Every value of `key=` in the unit, comments skipped."""
    prefix = f"{key}="
    lines = UNIT.read_text().splitlines()
    return [ln.removeprefix(prefix) for ln in lines if ln.startswith(prefix)]


def sshd_values(keyword: str) -> list[str]:
    """Every value of `keyword` in the sshd snippet, comments skipped."""
    found = []
    for line in SSHD.read_text().splitlines():
        words = line.split(None, 1)
        if len(words) == 2 and words[0] == keyword:
            found.append(words[1])
    return found


def test_the_unit_runs_serve_on_the_home_it_may_write() -> None:
    (exec_start,) = unit_values("ExecStart")
    argv = shlex.split(exec_start)
    args = build_parser().parse_args(argv[1:])
    assert args.handler == "serve:serve"
    assert unit_values("ReadWritePaths") == [args.home]
    assert unit_values("User") == ["supervise"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("Restart", "on-failure"),
        ("UMask", "0077"),
    ],
)
def test_the_unit_sets_its_hardening(key: str, value: str) -> None:
    assert unit_values(key) == [value]


def test_systemd_analyze_accepts_the_unit(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    script = Path(sys.executable).parent / "supervise"
    if tool is None or not script.is_file():
        pytest.skip("systemd-analyze or the supervise script is not installed")
    # verify insists that ExecStart exists: point it at this installation.
    text = UNIT.read_text().replace("/opt/supervise/bin/supervise", str(script))
    text = text.replace("ReadWritePaths=/srv/supervise", f"ReadWritePaths={tmp_path}")
    unit = tmp_path / "supervise-ssh.service"
    unit.write_text(text)
    done = subprocess.run(
        [tool, "verify", str(unit)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "Failed" not in done.stderr, done.stderr


def test_the_sshd_snippet_applies_to_the_service_user_only() -> None:
    lines = [ln.strip() for ln in SSHD.read_text().splitlines()]
    matches = [ln for ln in lines if ln.startswith("Match")]
    assert matches == ["Match User supervise", "Match all"]
    assert lines[-1] == "Match all"


def test_the_sshd_snippet_allows_keys_from_supervise_only() -> None:
    assert sshd_values("AuthorizedKeysFile") == ["none"]
    assert sshd_values("PasswordAuthentication") == ["no"]
    assert sshd_values("DisableForwarding") == ["yes"]
    assert sshd_values("PermitTTY") == ["yes"]
    assert sshd_values("AuthorizedKeysCommandUser") == ["supervise"]
    assert sshd_values("MaxSessions") and sshd_values("ChannelTimeout")
    (command,) = sshd_values("AuthorizedKeysCommand")
    argv = shlex.split(command)
    assert argv[0].startswith("/") and not argv[0].startswith("/tmp")
    assert argv[-3:] == ["%u", "%t", "%k"]
    args = build_parser().parse_args(argv[1:])
    assert args.handler == "ssh_keys:ssh_key_authorized_keys"
    assert args.service_user == "supervise"


def find_sshd() -> str | None:
    return shutil.which("sshd") or (
        "/usr/sbin/sshd" if Path("/usr/sbin/sshd").is_file() else None
    )


def test_sshd_accepts_the_snippet(tmp_path: Path) -> None:
    sshd = find_sshd()
    if sshd is None or shutil.which("ssh-keygen") is None:
        pytest.skip("openssh-server is not installed")
    if not Path("/run/sshd").is_dir():
        # sshd -t refuses to check anything without it; the init system
        # makes it when sshd runs as a service (.ci/run makes it too).
        pytest.skip("sshd's privilege separation folder /run/sshd is missing")
    host_key = tmp_path / "host_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)],
        check=True,
    )
    config = tmp_path / "sshd_config"
    config.write_text(f"Port 2299\nHostKey {host_key}\nInclude {SSHD}\n")
    checked = subprocess.run(
        [sshd, "-t", "-f", str(config)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stderr
    for user, expected in (("supervise", "none"), ("someone", ".ssh/authorized_keys")):
        effective = subprocess.run(
            [sshd, "-T", "-f", str(config), "-C", f"user={user},host=h,addr=::1"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        assert f"authorizedkeysfile {expected}" in effective
