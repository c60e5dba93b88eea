"""What the vault leaves on disk: no plaintext, and nothing after a crash.

These run on SQLite, where every byte the program stores lies in the home
folder and can be searched; crashes are real `SIGKILL`s of a child process.
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import wave
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from supervise.models.clinical import Recording
from supervise.services import clients, recordings
from supervise.services.context import open_program
from tests.conftest import Demo
from tests.consent_helpers import naming

ROOT = Path(__file__).resolve().parents[2]


def files_containing(folder: Path, needles: list[bytes]) -> list[str]:
    """Every file under `folder` holding any of `needles`, as relative paths."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                found.append(str(path.relative_to(folder)))
    return found


def test_no_file_in_the_home_holds_a_clients_name_or_recording_content(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    program = sqlite_program
    name = "Quentin Zephyrmark-Oyelaran"
    marker = b"MARKER-Q7Z-4f1e9c-SESSION-CONTENT"
    tara = program.login("tara")
    clients.add_client(
        program.ctx,
        tara,
        "C-9001",
        clients.ClientIdentity(name, date(1984, 2, 29), "Guardian Vexholm", "555-0199"),
    )
    source = tmp_path / "outside" / "session.wav"
    source.parent.mkdir()
    with wave.open(str(source), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(marker * 5000)
    naming(program, tara, "C-9001", "theo")
    view = recordings.import_recording(program.ctx, tara, source, "C-9001")
    # Use it the way people do: lists with names, exports, shares, a re-key.
    sam = program.login("sam")
    assert any(
        c.identity and c.identity.name == name
        for c in clients.list_clients(program.ctx, sam, reveal=True)
    )
    copy = io.BytesIO()
    recordings.export_recording(program.ctx, sam, view.id, copy)
    assert marker in copy.getvalue()
    recordings.share(program.ctx, tara, view.id, "theo")
    recordings.unshare(program.ctx, tara, view.id, "theo", hard=True)
    program.ctx.engine.dispose()

    home = program.ctx.settings.home
    needles = [name.encode(), b"Zephyrmark", b"Vexholm", marker, marker[:16]]
    assert files_containing(home, needles) == []
    # The search does find the marker where it is in clear, so it can fail.
    assert files_containing(source.parent, [marker]) == ["session.wav"]


def _child(home: Path, password: str, source: Path, body: str) -> subprocess.Popen[str]:
    """A child process that logs in as tara and imports `source` with `body` set up."""
    script = (
        textwrap.dedent(
            f"""
        import os, signal, sys, time
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from tests.conftest import make_settings
        from supervise.services import accounts, blobs, recordings
        from supervise.services.context import open_program
        ctx = open_program(make_settings(Path({str(home)!r})))
        tara = accounts.login(ctx, "tara", {password!r})
        progress = None
        """
        )
        + textwrap.dedent(body)
        + textwrap.dedent(
            f"""
        recordings.import_recording(
            ctx, tara, Path({str(source)!r}), "C-1001", progress=progress
        )
        print("finished", flush=True)
        """
        )
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def large_wav(path: Path, size: int) -> Path:
    """A valid WAV header followed by `size` bytes of (sparse) silence."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.setnframes(size // 2)
        out.writeframes(b"\x00\x00")
    with open(path, "r+b") as handle:
        handle.truncate(44 + size)
    return path


def vault_state(program: Demo) -> tuple[list[int], list[str], list[str]]:
    with Session(program.ctx.engine) as session:
        rows = sorted(r or 0 for r in session.exec(select(Recording.id)))
    files = sorted(
        str(p.relative_to(program.ctx.blobs.folder))
        for p in program.ctx.blobs.folder.rglob("*")
        if p.is_file()
    )
    with sqlite3.connect(program.ctx.keystore.path) as conn:
        keys = sorted(
            uid
            for (uid,) in conn.execute(
                "SELECT uid FROM retained_secret WHERE kind = 'recording'"
            )
        )
    return rows, files, keys


def test_an_import_killed_midway_leaves_no_trace_after_the_next_start(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    program = sqlite_program
    before = vault_state(program)
    source = large_wav(tmp_path / "long.wav", 96 * 1024 * 1024)
    child = _child(
        program.ctx.settings.home,
        program.password("tara"),
        source,
        """
        def progress(done, total):
            if done >= 16 * 1024 * 1024:
                print("midway", flush=True)
                time.sleep(60)
        """,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "midway", child.stderr
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    temporaries = list(program.ctx.blobs.temp_folder.iterdir())
    assert len(temporaries) == 1 and temporaries[0].stat().st_size > 8 * 1024 * 1024
    open_program(program.ctx.settings).engine.dispose()  # the next start
    assert vault_state(program) == before


def test_an_import_killed_after_its_keystore_entry_leaves_no_key_behind(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    program = sqlite_program
    before = vault_state(program)
    child = _child(
        program.ctx.settings.home,
        program.password("tara"),
        large_wav(tmp_path / "short.wav", 200_000),
        """
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        recordings._commit_import = die
        """,
    )
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert len(vault_state(program)[2]) == len(before[2]) + 1  # the stray key
    open_program(program.ctx.settings).engine.dispose()
    assert vault_state(program) == before


def test_an_import_killed_after_its_commit_is_completed_by_the_next_start(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    program = sqlite_program
    source = large_wav(tmp_path / "short.wav", 200_000)
    child = _child(
        program.ctx.settings.home,
        program.password("tara"),
        source,
        """
        def die(self):
            os.kill(os.getpid(), signal.SIGKILL)
        blobs.PendingBlob.place = die
        """,
    )
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    rows, _, _ = vault_state(program)
    newest = rows[-1]
    assert list(program.ctx.blobs.temp_folder.iterdir())  # committed, not placed
    open_program(program.ctx.settings).engine.dispose()
    assert list(program.ctx.blobs.temp_folder.iterdir()) == []
    out = io.BytesIO()
    recordings.export_recording(program.ctx, program.login("tara"), newest, out)
    assert out.getvalue() == source.read_bytes()


def test_the_next_start_leaves_an_import_in_progress_alone(
    sqlite_program: Demo,
) -> None:
    program = sqlite_program
    with program.ctx.blobs.writing("0c5a1d2e-live") as pending:
        pending.file.write(b"in progress")
        pending.seal()
        open_program(program.ctx.settings).engine.dispose()
        assert pending.path.exists()
    assert not pending.path.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="flock semantics")
def test_temporary_payloads_are_private_to_the_programs_user(
    sqlite_program: Demo,
) -> None:
    program = sqlite_program
    with program.ctx.blobs.writing("0c5a1d2e-mode") as pending:
        assert pending.path.stat().st_mode & 0o077 == 0
    assert program.ctx.blobs.folder.stat().st_mode & 0o077 == 0
    assert os.stat(program.ctx.keystore.path).st_mode & 0o077 == 0
