"""Counts, sizes and lengths read the same in the TUI and on the command line."""

from __future__ import annotations

import pytest

from supervise.units import counted, duration_text, parse_time_code, size_text


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


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("75", 75.0),
        ("75.5", 75.5),
        ("1:15", 75.0),
        (" 1:01:15 ", 3675.0),
        ("0:05.25", 5.25),
        ("10:00:00", 36000.0),
    ],
)
def test_a_time_code_reads_as_seconds_minutes_or_hours(
    typed: str, seconds: float
) -> None:
    assert parse_time_code(typed) == seconds


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "write the time as"),
        ("-5", "write the time as"),
        ("1:2:3:4", "write the time as"),
        ("1::15", "write the time as"),
        ("one minute", "write the time as"),
        ("1:75", "seconds of a time like 1:15 are under 60"),
        ("1:60:00", "minutes of a time like 1:01:15 are under 60"),
    ],
)
def test_a_malformed_time_code_is_refused_with_a_clear_message(
    typed: str, fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_time_code(typed)
