"""The share dialog: open a recording to one more supervisor or trainee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import RecordingDialog
from supervise.services import recordings

if TYPE_CHECKING:
    from supervise.services.recordings import RecordingView


class ShareDialog(RecordingDialog[recordings.RecordingView]):
    """Share a recording with a username; dismiss with its new grants."""

    HELP = """\
# Share a recording

Type the **username** of a supervisor or trainee and choose **Share**. They
can then open and export the recording with their own password; the share
is on the audit record. Your supervisors need no share: they hold a grant
already. Take a share back with **u** on the recording's detail.
"""

    AUTO_FOCUS = "#username"

    def compose(self) -> ComposeResult:
        """The username, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static(f"Share recording {self.recording_id}", classes="dialog-title")
            yield Input(placeholder="e.g. jdoe", id="username")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Share", id="share", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the field in its border."""
        self.query_one("#username", Input).border_title = "Share with (username)"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#username")
    @on(Button.Pressed, "#share")
    def share(self) -> None:
        """Ask the services to share the recording."""
        username = self.query_one("#username", Input).value.strip()
        if not username:
            self.show_error("Type the username to share with.")
            return
        self.show_error("Sharing…")
        self.submit(lambda: self._shared(username))

    def _shared(self, username: str) -> RecordingView:
        """Share (in the worker) and say so."""
        view = recordings.share(self.ctx, self.user, self.recording_id, username)
        self.app.notify(
            f"Recording {self.recording_id} shared with {username}.", markup=False
        )
        return view
