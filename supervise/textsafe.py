"""Text a person typed, made safe to show: control characters become escapes.

Names, usernames and notes come from users. Written to a terminal as they are,
an escape character could move the cursor or recolour the screen, and a
bidirectional override could reorder the text around it. The TUI (through
`supervise.widgets.literal`) and the command line both use these rules, so a
name looks the same, and is as harmless, everywhere.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u2028\u2029"  # direction marks, line separators
    "\u202a\u202b\u202c\u202d\u202e"  # bidirectional embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidirectional isolates
)
"""Characters outside the control range that still reorder or break lines.
Joiners (U+200C, U+200D) stay: names in Persian, Hindi and emoji need them."""


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


def visible(text: str) -> str:
    """`text` with every control character replaced by its escape."""
    return "".join(escape_for(ch) if is_control(ch) else ch for ch in text)
