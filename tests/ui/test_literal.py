"""Typed text is drawn literally: no markup, control characters made visible."""

from __future__ import annotations

from supervise.widgets.literal import ESCAPE_STYLE, literal


def test_markup_stays_text() -> None:
    text = literal("[b]Eve[/b] [link=x]y[/link]")
    assert text.plain == "[b]Eve[/b] [link=x]y[/link]"
    assert not text.spans


def test_control_characters_become_visible_escapes() -> None:
    text = literal("a\x1b[31mb\x07c\nd\te\x7f\x9b")
    assert text.plain == "a\\x1b[31mb\\x07c\\nd\\te\\x7f\\x9b"
    assert {span.style for span in text.spans} == {ESCAPE_STYLE}
    assert len(text.spans) == 6


def test_direction_overrides_are_made_visible() -> None:
    assert literal("abc\u202edef").plain == "abc\\u202edef"


def test_ordinary_letters_are_untouched() -> None:
    name = "Dr. Sofía Herrera — Théo, 李雷"
    assert literal(name).plain == name
