"""The recordings screen: the recordings a person may see, one a row.

Trainees import their own; supervisors see their supervisees' and those shared
with them; admins see every recording's metadata, to place legal holds and to
shred. Enter opens a recording's detail. Opened from a client, the list shows
that client's recordings only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Static

from supervise.models.accounts import Role
from supervise.screens.import_recording import ImportScreen
from supervise.screens.legal_hold import LegalHoldDialog
from supervise.screens.recording_detail import RecordingDetailScreen
from supervise.screens.recording_text import row_of
from supervise.screens.table import TableScreen
from supervise.services import recordings
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.recordings import RecordingView

RECORDING_COLUMNS = (
    "Id",
    "Client",
    "Trainee",
    "Session",
    "State",
    "Length",
    "Size",
    "Destroy after",
)
"""Narrow enough for 80 columns; the purpose and the grants are in the detail.
A recording on legal hold shows `held` as its state."""

ROLE_KEYS = {
    "import_recording": Role.TRAINEE,
    "hold": Role.ADMIN,
    "shred": Role.ADMIN,
}
"""Keys offered only to a role that can use them (the services still decide)."""


def shred_question(view: RecordingView) -> Text:
    """Ask to shred a recording, naming its client by case code."""
    text = Text(f"Shred recording {view.id} of client ")
    text.append_text(literal(view.case_code, style="bold"))
    text.append(
        "?\n\nIts key is destroyed and its payload deleted: nobody can open it "
        "again, not even with the escrow key."
    )
    return text


class RecordingsScreen(TableScreen["RecordingView"]):
    """List recordings; import, open, hold or shred them."""

    HELP = """\
# Recordings

The recordings you may see, newest session first. The list shows metadata
only; a recording is opened from its detail. Move with the arrow keys;
**left** and **right** scroll the columns.

- **Enter** opens the recording's detail: who can open it, how to play it,
  export, share and unshare.
- **i** imports a recording (trainees).
- **h** places a legal hold on the recording, or releases it, with a
  stated reason (admins). A held recording cannot be shredded.
- **x** shreds the recording after you confirm (admins).
- **f5** reloads the list; **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_recording", "Import", id="import-recording"),
        Binding("h", "hold", "Hold/release", id="legal-hold"),
        Binding("x", "shred", "Shred", id="shred-recording"),
        Binding("f5", "reload", "Reload", id="reload-recordings", show=False),
    ]
    COLUMNS = RECORDING_COLUMNS
    SUB_TITLE = "recordings"

    def __init__(
        self, ctx: ProgramContext, user: UserSession, case_code: str = ""
    ) -> None:
        """List what `user` may see; only client `case_code`'s when given."""
        super().__init__(ctx, user)
        self.case_code = case_code
        self._shown = False

    def above_table(self) -> Iterable[Widget]:
        """Which client the list is limited to, if any."""
        if self.case_code:
            line = Text("Recordings of client ")
            line.append_text(literal(self.case_code, style="bold"))
            yield Static(line, id="list-scope")

    def fetch(self) -> list[RecordingView]:
        """The recordings the services let this person see."""
        views = recordings.list_recordings(self.ctx, self.user)
        if self.case_code:
            views = [view for view in views if view.case_code == self.case_code]
        return views

    def key_of(self, view: RecordingView) -> str:
        """Recordings are keyed by their id."""
        return str(view.id)

    def row_of(self, view: RecordingView) -> tuple[object, ...]:
        """The cells of one recording."""
        return row_of(view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer import to trainees, hold and shred to admins."""
        role = ROLE_KEYS.get(action)
        return role is None or role in self.user.roles

    def on_screen_resume(self) -> None:
        """Read the list again on coming back: an import or a share may have
        changed it."""
        if self._shown:
            self.load()
        self._shown = True

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        view = self.views.get(str(event.row_key.value))
        if view is not None:
            self.app.push_screen(RecordingDetailScreen(self.ctx, self.user, view.id))

    def action_reload(self) -> None:
        """Read the recordings again."""
        self.load()

    def action_import_recording(self) -> None:
        """Open the import screen, for this list's client if it has one."""
        self.app.push_screen(ImportScreen(self.ctx, self.user, self.case_code))

    def action_hold(self) -> None:
        """Place or release a legal hold on the highlighted recording."""
        view = self.highlighted()
        if view is not None:
            self.app.push_screen(LegalHoldDialog(self.ctx, self.user, view), self._held)

    def _held(self, view: RecordingView | None) -> None:
        if view is not None:
            done = "placed on" if view.legal_hold else "released from"
            self.notify(f"Recording {view.id} {done} legal hold.")

    def action_shred(self) -> None:
        """Shred the highlighted recording, after asking."""
        view = self.highlighted()
        if view is not None:
            self.confirm(shred_question(view), "Shred", lambda: self.shred(view.id))

    @work(thread=True, group="change")
    def shred(self, recording_id: int) -> None:
        """Shred through the services (refused while on hold), then reload."""
        self.reload_after(lambda: self._shredded(recording_id))

    def _shredded(self, recording_id: int) -> RecordingView:
        view = recordings.shred(self.ctx, self.user, recording_id)
        self.notify(f"Recording {recording_id} shredded.")
        return view
