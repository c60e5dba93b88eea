"""Show text a person typed exactly as typed, never as markup or terminal codes.

Names, usernames and notes come from users. Rendered as markup, `[b]` would
turn bold; written to the terminal, an escape character could move the cursor
or recolour the screen. `literal` returns a Rich `Text` (never parsed as
markup) in which every control character is replaced by a visible escape.
"""

from __future__ import annotations

from rich.text import Text

ESCAPE_STYLE = "reverse"
"""How a replaced control character is drawn, so that it cannot pass for text
the person typed (a typed backslash is drawn plainly)."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u2028\u2029"  # direction marks, line separators
    "\u202a\u202b\u202c\u202d\u202e"  # bidirectional embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidirectional isolates
)
"""Characters outside the control range that still reorder or break lines."""


def is_control(char: str) -> bool:
    """Whether `char` must not reach the terminal as it is."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in _INVISIBLE


def escape_for(char: str) -> str:
    """The visible stand-in for a control character, such as `\\x1b`."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(text: str, style: str = "") -> Text:
    """Text for display exactly as typed, with control characters made visible.

    Args:
        text: What a person typed (a name, a username, a note).
        style: A style for the whole text.

    Returns:
        A `Text` that Textual and Rich draw without interpreting markup.
    """
    result = Text(style=style, no_wrap=False, end="")
    start = 0
    for index, char in enumerate(text):
        if is_control(char):
            result.append(text[start:index])
            result.append(escape_for(char), style=ESCAPE_STYLE)
            start = index + 1
    result.append(text[start:])
    return result
