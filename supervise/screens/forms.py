"""Small helpers for form fields that screens share."""

from __future__ import annotations

import re
from datetime import date

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(typed: str) -> date | None:
    """A date typed as YYYY-MM-DD, or None when it is not one."""
    typed = typed.strip()
    if ISO_DATE.fullmatch(typed) is None:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        return None
