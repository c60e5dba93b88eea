"""Typed text is shown with its control characters as escapes, and nothing else
changed."""

from __future__ import annotations

import pytest

from supervise.textsafe import visible


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Eve\x1b[31m", "Eve\\x1b[31m"),
        ("bell\x07 and\tTab", "bell\\x07 and\\tTab"),
        ("two\nlines", "two\\nlines"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("\x9bcsi", "\\x9bcsi"),
    ],
)
def test_control_and_reordering_characters_become_escapes(
    typed: str, shown: str
) -> None:
    assert visible(typed) == shown


@pytest.mark.parametrize(
    "name",
    [
        "Sofía Herrera",
        "Théo Marchand",
        "[b]Bold[/b]",
        "میرزا\u200cزاده",  # noqa: RUF001 (a Persian name, on purpose)
        "Zoë 👩\u200d⚕️",
    ],
)
def test_names_in_any_script_are_left_as_typed(name: str) -> None:
    assert visible(name) == name
