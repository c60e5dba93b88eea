"""How lengths, sizes and dates read and are typed, the same in the TUI and
on the command line."""

from __future__ import annotations

import re
from datetime import date

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(typed: str) -> date | None:
    """A date typed as YYYY-MM-DD (and nothing looser), or None."""
    typed = typed.strip()
    if _ISO_DATE.fullmatch(typed) is None:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        return None


def add_years(day: date, years: int) -> date:
    """`day` plus whole years; 29 February becomes 28 February when needed."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def duration_text(seconds: float | None, *, unknown: str = "?") -> str:
    """A length as m:ss or h:mm:ss; `unknown` when the file did not say."""
    if seconds is None:
        return unknown
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def counted(count: int, noun: str, plural: str = "") -> str:
    """'1 upload', '3 uploads': the count with its noun (plural `noun`+s
    unless given)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def size_text(size: int) -> str:
    """A size in bytes, KB, MB or GB (powers of 1000, as file managers show)."""
    if size < 1000:
        return f"{size} bytes"
    value, unit = size / 1000, "KB"
    for bigger in ("MB", "GB"):
        if round(value, 1) < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{value:.1f} {unit}"


_TIME_CODE = re.compile(r"(?:(?:([0-9]+):)?([0-9]{1,2}):)?([0-9]+(?:\.[0-9]+)?)")


def parse_time_code(text: str) -> float:
    """A point in a recording, in seconds, from "75", "75.5", "1:15" or
    "1:01:15" (minutes and seconds under 60 once a larger unit is given).

    Raises:
        ValueError: Anything else, with a message fit to show as it is.
    """
    typed = text.strip()
    found = _TIME_CODE.fullmatch(typed)
    if found is None:
        raise ValueError(
            "write the time as seconds (75), m:ss (1:15) or h:mm:ss (1:01:15)"
        )
    hours, minutes, seconds = found.groups()
    value = float(seconds)
    if minutes is not None and value >= 60:
        raise ValueError("the seconds of a time like 1:15 are under 60")
    if hours is not None and int(minutes) >= 60:
        raise ValueError("the minutes of a time like 1:01:15 are under 60")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + value
