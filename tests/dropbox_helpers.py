"""WAV files with a marker all through their samples, and a scan for the marker.

The drop-box tests send such a file and look for the marker on disk: finding
it anywhere means plaintext was written.
"""

from __future__ import annotations

import os
import wave
from collections.abc import Iterable
from pathlib import Path

MARKER = b"PLAINTEXT-MARKER-5c1e"
"""Repeated through the samples; never produced by encryption by chance."""


def marked_wav(path: Path, size: int, marker: bytes = MARKER) -> bytes:
    """A mono 16-bit WAV of about `size` bytes whose samples repeat `marker`
    (with a counter, so no two 64 KiB chunks are alike); returns its bytes."""
    frames = bytearray()
    counter = 0
    while len(frames) < size:
        frames += marker + counter.to_bytes(4, "big") + bytes(7)
        counter += 1
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(frames[: size - size % 2]))
    return path.read_bytes()


def files_under(folders: Iterable[Path]) -> list[Path]:
    """Every regular file under the folders (missing folders are skipped)."""
    found: list[Path] = []
    for folder in folders:
        for root, _, names in os.walk(folder):
            found.extend(Path(root) / name for name in names)
    return found


def holding_marker(folders: Iterable[Path], marker: bytes = MARKER) -> list[Path]:
    """The files under `folders` that contain `marker` (read in pieces)."""
    hits = []
    for path in files_under(folders):
        try:
            if _contains(path, marker):
                hits.append(path)
        except (FileNotFoundError, PermissionError):
            continue  # a temporary file renamed or removed while scanned
    return hits


def _contains(path: Path, marker: bytes) -> bool:
    keep = len(marker) - 1
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            if marker in tail + block:
                return True
            tail = block[-keep:]
    return False
