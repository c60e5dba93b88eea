"""The README's demo command in a real terminal: tmux runs it, we read the screen.

This is the check a person makes by hand: start `supervise demo` at 80x24, see
the login screen, log in with a printed demo password, land on the home screen,
quit, and find the throwaway folder gone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_ARGON2

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Terminal:
    """One tmux session running one command at 80x24."""

    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "80",
                "-y",
                "24",
                f"env {exports} {command}; sleep 30",
            ],
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout

    def type(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, seen: Callable[[str], bool], what: str) -> str:
        """Poll the screen until `seen` holds (up to 60 s); fail saying what."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = self.screen()
            if seen(text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"never saw {what}; the screen was:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[[str], Terminal]]:
    made: list[Terminal] = []
    env = {**FAST_ARGON2, "TMPDIR": str(tmp_path), "TERM": "xterm-256color"}

    def start(command: str) -> Terminal:
        term = Terminal(f"supervise-test-{os.getpid()}-{len(made)}", command, env)
        made.append(term)
        return term

    yield start
    for term in made:
        term.close()


def test_the_demo_opens_at_the_login_screen_and_logs_in(
    terminal: Callable[[str], Terminal], tmp_path: Path
) -> None:
    term = terminal(f"{sys.executable} -m supervise demo")
    login = term.wait_for(
        # Drawn by the TUI only (the command prints the logins before it starts).
        lambda s: (
            "Demo accounts (throwaway program)" in s
            and "lantern-session-19" in s
            and re.search("password", s, re.I) is not None
        ),
        "the login screen with the demo logins",
    )
    assert "Traceback" not in login
    demo_homes = list(tmp_path.glob("supervise-demo-*"))
    assert len(demo_homes) == 1
    term.type("tara", "Tab", "lantern-session-19", "Enter")
    home = term.wait_for(lambda s: "sam" in s and "Tara" in s, "tara's home screen")
    assert "Traceback" not in home
    term.type("C-q")
    deadline = time.monotonic() + 30
    while demo_homes[0].exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not demo_homes[0].exists(), "the throwaway demo folder was left behind"


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except (OSError, IndexError):
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_tmux_session_ends_the_tui_and_removes_the_demo_folder(
    terminal: Callable[[str], Terminal], tmp_path: Path
) -> None:
    term = terminal(f"{sys.executable} -m supervise demo")
    term.wait_for(lambda s: "lantern-session-19" in s, "the login screen")
    term.type("tara", "Tab", "lantern-session-19", "Enter")
    term.wait_for(lambda s: "Tara" in s and "sam" in s, "tara's home screen")
    (demo_home,) = tmp_path.glob("supervise-demo-*")
    assert processes_with(str(tmp_path))
    term.close()  # the pane's terminal goes away under the running TUI
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        demo_home.exists() or processes_with(str(tmp_path))
    ):
        time.sleep(0.2)
    left = processes_with(str(tmp_path))
    for pid in left:  # never leave a stuck TUI behind the test run
        os.kill(pid, 9)
    assert left == [], "the TUI outlived its terminal"
    assert not demo_home.exists(), "the throwaway demo folder was left behind"
