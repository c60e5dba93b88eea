"""Logging errors without the values they carry.

Logs must never hold names or clinical text, yet error messages can quote
them: a database server's "failing row contains ..." detail, a parser's quote
of its input. So an error goes to a log as its kinds and its stack frames,
never its message. Standard library only: the command line's fast path to the
TUI imports it.
"""

from __future__ import annotations


def safe_summary(exc: BaseException) -> str:
    """What went wrong, for a log: the kinds of error, never their messages.

    Messages can carry the values involved (a database server's "failing row
    contains ..." detail, a parser's quote of its input), and logs must never
    hold names or clinical text. The stack frames, logged beside this, say
    where.
    """
    kinds = [type(exc).__name__]
    original = getattr(exc, "orig", None)
    if original is not None:
        kinds.append(type(original).__name__)
        state = getattr(original, "sqlstate", None)
        if state:
            kinds.append(f"SQLSTATE {state}")
    return " / ".join(kinds)


def frames(exc: BaseException) -> str:
    """The traceback's frames (file, line, code), without the messages."""
    import traceback

    return "".join(traceback.format_tb(exc.__traceback__))
