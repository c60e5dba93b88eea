"""The recording detail: metadata, who can open it and why, how to play it.

From here the people who may open a recording export it to a file, and its
trainee shares it with another account or takes a share back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from supervise.models.accounts import Role
from supervise.screens.base import SessionScreen, attempt
from supervise.screens.export_recording import ExportDialog
from supervise.screens.recording_text import (
    grant_row,
    home_setup,
    play_command,
    summary,
)
from supervise.screens.share import ShareDialog
from supervise.screens.unshare import UnshareDialog
from supervise.services import recordings
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from pathlib import Path

    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.recordings import RecordingView

GRANT_COLUMNS = ("Who", "Why", "Granted (UTC)", "Status")


def how_to_play(view: RecordingView, username: str, setup: str | None) -> Text:
    """The play command for this person (after `setup`, a shell line that
    names the program's folder when needed), or why they cannot play it."""
    if view.state != "active":
        return Text(f"Recording {view.id} has been shredded: nothing can play it.")
    if not view.can_open:
        return Text(
            "You hold no live grant for this recording, so your account cannot play it."
        )
    text = Text("In a shell (not here), this streams it to a player:", "dim")
    for line in (setup, play_command(view.id, username)):
        if line:
            text.append("\n")
            text.append_text(literal(line, style="bold"))
    return text


class RecordingDetailScreen(SessionScreen):
    """Show one recording; export, share and unshare it."""

    HELP = """\
# Recording detail

What is known about the recording (never its content), and every grant:
who can open it and why.

- **owner**: the trainee who recorded it; **supervisor**: their supervisors
  at the time; **share**: an account the trainee shared it with;
  **escrow**: the program's offline key, for emergencies.
- A **removed** grant opens nothing any more; it stays listed for the record.

How to play: the command shown streams the recording to the `mpv` player
without writing it to disk. Run it in a shell, as yourself.

- **e** exports the recording to a new file (you choose the path).
- **s** shares it with another supervisor or trainee (its trainee only).
- **u** takes a share back; tick "re-key" to make old copies of the grant
  useless too (a hard revoke).
- **f5** reloads; **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export", id="export-recording"),
        Binding("s", "share", "Share", id="share-recording"),
        Binding("u", "unshare", "Unshare", id="unshare-recording"),
        Binding("f5", "reload", "Reload", id="reload-recording", show=False),
    ]

    def __init__(
        self, ctx: ProgramContext, user: UserSession, recording_id: int
    ) -> None:
        """Show recording `recording_id` as `user` may see it."""
        super().__init__(ctx, user)
        self.recording_id = recording_id
        self.view: RecordingView | None = None

    def compose(self) -> ComposeResult:
        """The summary, the grants, how to play, the footer."""
        yield Header()
        with Vertical(id="recording"):
            yield Static("Loading…", id="summary")
            yield RecordTable(*GRANT_COLUMNS, id="grants")
            yield Static("", id="play")
        yield Footer()

    def on_mount(self) -> None:
        """Title the parts and load the recording."""
        self.sub_title = f"recording {self.recording_id}"
        self.query_one("#grants", RecordTable).border_title = "Who can open it"
        self.query_one("#play", Static).border_title = "How to play"
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the recording and its grants through the services."""
        view = attempt(
            self,
            lambda: recordings.recording_detail(self.ctx, self.user, self.recording_id),
        )
        if view is not None:
            self.app.call_from_thread(self.show, view)

    def show(self, view: RecordingView) -> None:
        """Draw `view`: its summary, its grants and how to play it."""
        self.view = view
        self.query_one("#summary", Static).update(summary(view))
        self.query_one("#grants", RecordTable).replace_rows(
            (str(index), grant_row(grant)) for index, grant in enumerate(view.grants)
        )
        setup = home_setup(self.ctx.settings.home)
        play = how_to_play(view, self.user.username, setup)
        self.query_one("#play", Static).update(play)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer export to who can open it, share and unshare to trainees."""
        if action == "export":
            return self.view is not None and self.view.can_open
        if action in ("share", "unshare"):
            active = self.view is None or self.view.state == "active"
            return active and Role.TRAINEE in self.user.roles
        return True

    def action_reload(self) -> None:
        """Read the recording again."""
        self.load()

    def action_export(self) -> None:
        """Ask where to export the recording to, then export it."""
        if self.view is not None:
            dialog = ExportDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._exported)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Exported to {path}.", markup=False)

    def action_share(self) -> None:
        """Ask whom to share the recording with."""
        if self.view is not None:
            dialog = ShareDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._changed)

    def action_unshare(self) -> None:
        """Ask whose share to take back."""
        if self.view is not None:
            dialog = UnshareDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._changed)

    def _changed(self, view: RecordingView | None) -> None:
        if view is not None:
            self.show(view)
