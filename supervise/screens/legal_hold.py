"""The legal-hold dialog (admins): place or release a hold, with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import RecordingDialog
from supervise.services import recordings

if TYPE_CHECKING:
    pass


class LegalHoldDialog(RecordingDialog[recordings.RecordingView]):
    """Toggle a recording's legal hold; dismiss with the changed recording."""

    HELP = """\
# Legal hold

A recording on legal hold is kept past its destroy-after date and cannot be
shredded, until an admin releases the hold.

State the **reason** in 10 to 500 characters (a matter or request number,
say). Use case codes, never client names: the reason is kept on record.
"""

    AUTO_FOCUS = "#reason"

    def compose(self) -> ComposeResult:
        """The question, the reason, an error line and the buttons."""
        verb = "Release" if self.view.legal_hold else "Place hold"
        title = (
            f"Release the legal hold on recording {self.view.id}"
            if self.view.legal_hold
            else f"Place recording {self.view.id} on legal hold"
        )
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title")
            yield Input(placeholder="e.g. subpoena 2026-114, case C-1001", id="reason")
            yield Static(
                "10 to 500 characters; case codes, never names.",
                classes="dialog-note",
            )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button(verb, id="apply", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the field in its border."""
        self.query_one("#reason", Input).border_title = "Reason"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        """Ask the services to place or release the hold."""
        reason = self.query_one("#reason", Input).value
        hold = not self.view.legal_hold
        recording_id = self.view.id
        self.show_error("Saving…")
        self.submit(
            lambda: recordings.set_legal_hold(
                self.ctx, self.user, recording_id, hold=hold, reason=reason
            )
        )
