"""The unshare dialog: take a share back, and optionally re-key the recording."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from supervise.screens.base import RecordingDialog
from supervise.services import recordings

if TYPE_CHECKING:
    from supervise.services.recordings import RecordingView


class UnshareDialog(RecordingDialog[recordings.RecordingView]):
    """Take back a share; dismiss with the recording's new grants."""

    HELP = """\
# Take a share back

Type the **username** the recording was shared with and choose **Unshare**.
Their grant loses its key at once; its row stays on record.

Tick **also re-key** for a hard revoke: the recording gets new keys and
every remaining grant is issued again, so that an old copy of the removed
grant (in a backup, say) opens nothing either.
"""

    AUTO_FOCUS = "#username"
    NEXT_ON_ENTER = frozenset({"username"})

    def compose(self) -> ComposeResult:
        """The username, the re-key box, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static(
                f"Unshare recording {self.recording_id}", classes="dialog-title"
            )
            yield Input(placeholder="e.g. jdoe", id="username")
            yield Checkbox("also re-key (hard revoke)", id="hard")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Unshare", id="unshare", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the field in its border."""
        self.query_one("#username", Input).border_title = "Shared with (username)"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#unshare")
    def unshare(self) -> None:
        """Ask the services to take the share back."""
        username = self.query_one("#username", Input).value.strip()
        hard = self.query_one("#hard", Checkbox).value
        if not username:
            self.show_error("Type the username the recording is shared with.")
            return
        self.show_error("Re-keying…" if hard else "Unsharing…")
        self.submit(lambda: self._unshared(username, hard))

    def _unshared(self, username: str, hard: bool) -> RecordingView:
        """Unshare (in the worker) and say so."""
        view = recordings.unshare(
            self.ctx, self.user, self.recording_id, username, hard=hard
        )
        rekeyed = "; it has new keys" if hard else ""
        self.app.notify(
            f"Recording {self.recording_id} is no longer shared with "
            f"{username}{rekeyed}.",
            markup=False,
        )
        return view
