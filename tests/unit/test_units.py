"""Counts, sizes and lengths read the same in the TUI and on the command line."""

from __future__ import annotations

from supervise.units import counted, duration_text, size_text


def test_a_count_of_one_takes_the_singular_and_any_other_the_plural() -> None:
    assert counted(1, "upload") == "1 upload"
    assert counted(0, "upload") == "0 uploads"
    assert counted(3, "unattached upload") == "3 unattached uploads"
    assert counted(2, "copy", "copies") == "2 copies"


def test_sizes_use_powers_of_a_thousand_and_lengths_minutes_and_seconds() -> None:
    assert size_text(999) == "999 bytes"
    assert size_text(3_000_000) == "3.0 MB"
    assert duration_text(65) == "1:05"
    assert duration_text(3725) == "1:02:05"
    assert duration_text(None) == "?"
