"""A yes-or-no question before an action that cannot be taken back."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from supervise.screens.base import Dialog


class ConfirmDialog(Dialog[bool]):
    """Ask a question; dismiss True for yes, False (or None on Escape) for no."""

    HELP = """\
# Confirm

Press **y** (or choose the first button) to go ahead, **n** or **Escape** to
leave things as they are.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="yes"),
        Binding("n", "answer(False)", "No", id="no"),
    ]

    AUTO_FOCUS = "#no"
    """Enter alone must not confirm an action that cannot be taken back."""

    def __init__(self, question: Text, yes: str = "Yes") -> None:
        """Ask `question` (built with `literal` where it holds typed text)."""
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog"):
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="warning")
                yield Button("No", id="no")

    def action_answer(self, answer: bool) -> None:
        """Close with `answer`."""
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
