"""Process start to the login screen being ready, against a bare Textual app.

Both programs run as real processes on a pseudo-terminal (80x24), interleaved,
and exit as soon as their first screen has been drawn: `supervise` through
SUPERVISE_EXIT_WHEN_READY=1. The figure that matters is the ratio of medians,
which holds on a noisy machine where absolute times do not. Target: <= 1.5x.

The login screen is drawn before the database layer is loaded; a second figure
(SUPERVISE_EXIT_WHEN_READY=open) is the time until the program is open as
well, so that a login typed at once would be accepted.

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FAST_ARGON2 = {
    "SUPERVISE_ARGON2_TIME_COST": "1",
    "SUPERVISE_ARGON2_MEMORY_KIB": "8192",
    "SUPERVISE_ARGON2_PARALLELISM": "1",
}


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def run_on_pty(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a program on an 80x24 pty; return seconds to exit and max RSS (KiB)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    reader = threading.Thread(target=_drain, args=(master,), daemon=True)
    reader.start()
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    os.close(slave)
    os.close(master)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} exited {proc.returncode}")
    return elapsed, usage.ru_maxrss


def seed_home(home: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "supervise", "demo", "--seed-only", "--home", str(home)],
        env=env,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, **FAST_ARGON2, "TERM": "xterm-256color"}
    env.pop("TEXTUAL", None)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seed_home(home, env)
        ours_env = {**env, "SUPERVISE_EXIT_WHEN_READY": "1"}
        open_env = {**env, "SUPERVISE_EXIT_WHEN_READY": "open"}
        bare = [sys.executable, str(HERE / "bare_app.py")]
        ours = [sys.executable, "-m", "supervise", "--home", str(home)]
        run_on_pty(bare, env), run_on_pty(ours, ours_env)  # warm the file cache
        bare_t, ours_t, open_t, bare_m, ours_m = [], [], [], [], []
        for _ in range(args.runs):
            t, m = run_on_pty(bare, env)
            bare_t.append(t)
            bare_m.append(m)
            t, m = run_on_pty(ours, ours_env)
            ours_t.append(t)
            ours_m.append(m)
            open_t.append(run_on_pty(ours, open_env)[0])
    b, o = statistics.median(bare_t), statistics.median(ours_t)
    opened = statistics.median(open_t)
    print(f"runs: {args.runs} each, interleaved, 80x24 pty")
    print(
        f"bare Textual app (header, input, footer): {b * 1000:7.1f} ms median, "
        f"{statistics.median(bare_m) / 1024:.1f} MiB max RSS"
    )
    print(
        f"supervise to login screen ready:           {o * 1000:7.1f} ms median, "
        f"{statistics.median(ours_m) / 1024:.1f} MiB max RSS"
    )
    print(f"ratio supervise / bare: {o / b:.2f}x (target <= 1.50x)")
    print(
        f"supervise until the program is open too:   {opened * 1000:7.1f} ms median "
        f"({opened / b:.2f}x the bare app)"
    )


if __name__ == "__main__":
    main()
