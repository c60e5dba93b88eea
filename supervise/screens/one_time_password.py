"""Show a new one-time password, once, for the admin to hand over."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from supervise.screens.base import Dialog
from supervise.widgets.literal import literal


def password_text(username: str, password: str) -> Text:
    """What the dialog says, with the password on a line of its own."""
    text = Text("One-time password for ")
    text.append_text(literal(username, style="bold"))
    text.append(":\n\n")
    text.append(password, style="bold reverse")
    text.append(
        "\n\nGive it to them in person. It is shown only this once and must be "
        "changed at their first login."
    )
    return text


class OneTimePasswordDialog(Dialog[None]):
    """Show a one-time password until the admin closes the dialog."""

    HELP = """\
# One-time password

The password is not stored anywhere you can read it again: note it now and
give it to the person directly. They must choose their own password when
they first log in with it. **Enter** or **Escape** closes this dialog.
"""

    AUTO_FOCUS = "#done"

    def __init__(self, username: str, password: str) -> None:
        """Show `password`, the new one-time password of `username`."""
        super().__init__()
        self.username = username
        self.password = password

    def compose(self) -> ComposeResult:
        """The password and a Done button."""
        with Vertical(classes="dialog"):
            yield Static(password_text(self.username, self.password), id="secret")
            with Horizontal(classes="buttons"):
                yield Button("Done", id="done", variant="primary")

    @on(Button.Pressed, "#done")
    def _done(self) -> None:
        self.dismiss(None)
