"""The share dialog: open a recording to one more supervisor or trainee.

The consents decide: the share names a purpose that every consent under the
recording lists, and a share for training ends on a stated day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from supervise.screens.base import RecordingDialog
from supervise.screens.recording_text import PURPOSE_CHOICES
from supervise.services import recordings
from supervise.units import parse_iso_date

if TYPE_CHECKING:
    from supervise.services.recordings import RecordingView

BAD_UNTIL = "Type the last day of access as YYYY-MM-DD, or leave it blank."


class ShareDialog(RecordingDialog[recordings.RecordingView]):
    """Share a recording with a username; dismiss with its new grants."""

    HELP = """\
# Share a recording

Type the **username** of a supervisor or trainee, choose the **purpose**,
and choose **Share**. They can then open and export the recording with
their own password; the share is on the audit record. Your supervisors need
no share: they hold a grant already.

The client's consent decides: it must list the purpose and name the person
(or, for one of your supervisors, the supervisors). A share for **training**
(a class, a practicum instructor) needs the consent to list training, and
an **until** date: the last day of access. Take a share back with **u** on
the recording's detail.
"""

    AUTO_FOCUS = "#username"

    def compose(self) -> ComposeResult:
        """The username, the purpose, the end date, an error line, the buttons."""
        with Vertical(classes="dialog"):
            yield Static(f"Share recording {self.recording_id}", classes="dialog-title")
            yield Input(placeholder="e.g. jdoe", id="username")
            with Horizontal(classes="field-row"):
                yield Select(
                    [(f"for {purpose}", purpose) for purpose in PURPOSE_CHOICES],
                    value=PURPOSE_CHOICES[0],
                    allow_blank=False,
                    id="share-purpose",
                )
                yield Input(
                    placeholder="YYYY-MM-DD",
                    max_length=10,
                    restrict=r"[0-9-]*",
                    id="until",
                )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Share", id="share", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders."""
        self.query_one("#username", Input).border_title = "Share with (username)"
        self.query_one("#share-purpose", Select).border_title = "Purpose"
        self.query_one("#until", Input).border_title = "Until (training)"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    @on(Button.Pressed, "#share")
    def share(self) -> None:
        """Ask the services to share the recording."""
        username = self.query_one("#username", Input).value.strip()
        purpose = str(self.query_one("#share-purpose", Select).value)
        typed = self.query_one("#until", Input).value.strip()
        until = parse_iso_date(typed) if typed else None
        if not username:
            self.show_error("Type the username to share with.")
            return
        if typed and until is None:
            self.show_error(BAD_UNTIL)
            return
        self.show_error("Sharing…")
        self.submit(lambda: self._shared(username, purpose, until))

    def _shared(self, username: str, purpose: str, until: date | None) -> RecordingView:
        """Share (in the worker) and say so."""
        view = recordings.share(
            self.ctx,
            self.user,
            self.recording_id,
            username,
            purpose=purpose,
            until=until,
        )
        self.app.notify(
            f"Recording {self.recording_id} shared with {username} for {purpose}.",
            markup=False,
        )
        return view
