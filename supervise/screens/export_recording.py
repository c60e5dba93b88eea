"""The export dialog: write a recording's plaintext to a new file, with progress.

The file appears only once the whole recording has been decrypted and
verified; an existing file is never overwritten (the services refuse it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, ProgressBar, Static

from supervise.screens.base import UNEXPECTED, RecordingDialog, log_unexpected
from supervise.screens.recording_text import extension
from supervise.screens.transfer import Transfer
from supervise.services import recordings
from supervise.services.errors import ServiceError

if TYPE_CHECKING:
    pass

CANCELLED = "Export cancelled: no file was left."


def resolve(typed: str) -> Path:
    """The typed path, with `~` expanded and a relative path taken from here."""
    path = Path(typed.strip()).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


class ExportDialog(RecordingDialog[Path]):
    """Export a recording to a new file; dismiss with the file's path."""

    HELP = """\
# Export a recording

Type the **path of a new file** and choose **Export**. The recording is
decrypted, checked from start to end, and only then appears under that name.
An existing file is never replaced. `~` means your home folder; a relative
path starts from the folder the program was started in.

The file is the clinical recording in the clear: keep it on an encrypted
disk, and delete it when you are done. Every export is on the audit record.
**Cancel** (or **Escape**) stops an export under way; nothing is left behind.
"""

    AUTO_FOCUS = "#path"

    def compose(self) -> ComposeResult:
        """The path, a progress bar, an error line and the buttons."""
        suggested = Path.home() / f"recording-{self.view.id}"
        with Vertical(classes="dialog"):
            yield Static(f"Export recording {self.view.id}", classes="dialog-title")
            yield Input(str(suggested) + extension(self.view.media_type), id="path")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the field and get the transfer ready."""
        self.query_one("#path", Input).border_title = "New file"
        self.transfer = Transfer(self.app, self.query_one(ProgressBar))

    def on_unmount(self) -> None:
        """Stop an export still under way (a log-off closes every screen)."""
        self.transfer.cancel()

    def action_cancel(self) -> None:
        """Stop the export under way, or close when there is none."""
        if self.transfer.running:
            self.transfer.cancel()
        else:
            self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def start(self) -> None:
        """Export to the typed path in a worker."""
        typed = self.query_one("#path", Input).value
        if self.transfer.running:
            return
        if not typed.strip():
            self.show_error("Type the path of a new file.")
            return
        self.transfer.start()
        self._busy(True)
        self.show_error("Exporting…")
        self.export(resolve(typed))

    def _busy(self, busy: bool) -> None:
        self.query_one("#path", Input).disabled = busy
        self.query_one("#export", Button).disabled = busy

    @work(thread=True, exclusive=True, group="export")
    def export(self, path: Path) -> None:
        """Decrypt to `path` through the services, reporting progress."""
        try:
            recordings.export_recording(
                self.ctx,
                self.user,
                self.view.id,
                path,
                progress=self.transfer.report,
                should_cancel=self.transfer.cancelled,
            )
        except recordings.TransferCancelled:
            self.app.call_from_thread(self._stopped, CANCELLED)
        except ServiceError as exc:
            self.app.call_from_thread(self._stopped, str(exc))
        except Exception as exc:  # never a traceback on the screen
            log_unexpected(exc)
            self.app.call_from_thread(self._stopped, UNEXPECTED)
        else:
            self.app.call_from_thread(self._exported, path)

    def _exported(self, path: Path) -> None:
        self.transfer.running = False
        if self.is_attached:
            self.dismiss(path)

    def _stopped(self, message: str) -> None:
        self.transfer.stop()
        if not self.is_attached:
            return
        self._busy(False)
        self.show_error(message)
        self.query_one("#path", Input).focus()
