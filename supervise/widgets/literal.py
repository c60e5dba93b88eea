"""Show text a person typed exactly as typed, never as markup or terminal codes.

Names, usernames and notes come from users. Rendered as markup, `[b]` would
turn bold; written to the terminal, an escape character could move the cursor
or recolour the screen. `literal` returns a Rich `Text` (never parsed as
markup) in which every control character is replaced by a visible escape.
"""

from __future__ import annotations

from rich.text import Text

from supervise.textsafe import escape_for, is_control

ESCAPE_STYLE = "reverse"
"""How a replaced control character is drawn, so that it cannot pass for text
the person typed (a typed backslash is drawn plainly)."""


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
