"""The help dialog (F1): the help text of the screen it was opened from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from supervise.screens.base import Dialog

NO_HELP = """\
# Help

There is no help written for this screen yet. **Escape** goes back; the
command palette (**ctrl+p**) lists every action by name.
"""


class HelpDialog(Dialog[None]):
    """Show a screen's help, written in Markdown; Escape closes it."""

    HELP = """\
# Help

This is the help for the screen you were on. **Escape** closes it.
"""

    def __init__(self, markdown: str | None) -> None:
        """Show `markdown`, or a short note when a screen has no help."""
        super().__init__()
        self.markdown = markdown or NO_HELP

    def compose(self) -> ComposeResult:
        """The help text, scrollable, and how to close it."""
        with VerticalScroll(classes="dialog", id="help"):
            yield Markdown(self.markdown)
            yield Static("Escape closes this help.", classes="dialog-note")
