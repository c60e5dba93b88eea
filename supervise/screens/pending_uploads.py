"""Pending uploads (trainees): recordings copied into the SSH inbox, to file.

Each row is an upload encrypted to the trainee's own key, its real name
opened with the key of this logged-in session. Enter attaches it to a client
through the import screen's own form (the same checks and consent gate as
importing a file); `d` discards it after a confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Static

from supervise.screens.import_recording import ImportScreen
from supervise.screens.table import TableScreen
from supervise.services import dropbox_owner
from supervise.services.dropbox_attach import attach_upload
from supervise.services.dropbox_owner import UploadView
from supervise.units import counted, size_text
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext


def upload_line(view: UploadView) -> Text:
    """'name · size · received · n days left', the name shown as sent."""
    text = literal(view.name, style="bold")
    received = view.received_at.strftime("%Y-%m-%d %H:%M")
    text.append(f" · {size_text(view.size_bytes)} · received {received} UTC")
    text.append(f" · {counted(view.days_left, 'day')} left before purge shreds it")
    return text


class PendingUploadsScreen(TableScreen[UploadView]):
    """The trainee's uploads waiting to be attached."""

    HELP = """\
# Pending uploads

Recordings you copied into your inbox over SSH (`scp` or `sftp`) wait here,
encrypted to your own key, until you attach them to a client. Only you can
open them; an upload not attached within the keep time is shredded by the
nightly purge (the **Days left** column).

- **Enter** (or **a**) attaches the upload: choose the client, purpose, other
  participants and session date, as for an import. The same consent checks
  apply; the upload becomes a recording and leaves this list.
- **d** discards the upload (after you confirm): it is shredded.
- **f5** reads the list again; **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "attach", "Attach", id="attach-upload"),
        Binding("d", "discard", "Discard", id="discard-upload"),
        Binding("f5", "reload", "Reload", show=False),
    ]
    COLUMNS = ("Id", "Name", "Size", "Received", "Days left")
    SUB_TITLE = "pending uploads"
    attaching = False
    """Set while the attach screen is open: the list changes behind it."""

    def above_table(self) -> Iterable[Widget]:
        """How files get here, and how many wait."""
        yield Static("Reading your inbox…", id="uploads-summary")

    def _fill(self, views: list[UploadView]) -> None:
        super()._fill(views)
        if views:
            waiting = counted(len(views), "upload")
            line = f"{waiting} waiting. Enter attaches, d discards."
        else:
            line = (
                "Nothing is waiting. Copy a recording in with "
                "scp FILE you@server: (see the README), then reload with f5."
            )
        self.query_one("#uploads-summary", Static).update(line)

    def on_screen_resume(self) -> None:
        """Read the list again when coming back from an attach."""
        if self.attaching:
            self.attaching = False
            self.load()

    def fetch(self) -> list[UploadView]:
        """The uploads, names opened with this session's key."""
        return dropbox_owner.list_uploads(self.ctx, self.user)

    def key_of(self, view: UploadView) -> str:
        """Uploads are keyed by id."""
        return str(view.id)

    def row_of(self, view: UploadView) -> tuple[object, ...]:
        """The cells of one upload; the name as sent, never interpreted."""
        return (
            str(view.id),
            literal(view.name),
            size_text(view.size_bytes),
            view.received_at.strftime("%Y-%m-%d %H:%M"),
            str(view.days_left),
        )

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_attach()

    def action_attach(self) -> None:
        """Attach the highlighted upload through the import form."""
        view = self.highlighted()
        if view is not None:
            self.attaching = True
            self.app.push_screen(AttachUploadScreen(self.ctx, self.user, view))

    def action_reload(self) -> None:
        """Read the list again."""
        self.load()

    def action_discard(self) -> None:
        """Discard the highlighted upload after asking."""
        view = self.highlighted()
        if view is None:
            return
        question = Text("Discard ")
        question.append_text(literal(view.name, style="bold"))
        question.append("?\n\nIt is shredded: nobody can open it again.")
        self.confirm(question, "Discard", partial(self.discard, view.id))

    @work(thread=True, group="change")
    def discard(self, upload_id: int) -> None:
        """Shred the upload through the services, then reload."""

        def change() -> int:
            dropbox_owner.discard_upload(self.ctx, self.user, upload_id)
            return upload_id  # reload_after reloads on a result, not None

        self.reload_after(change)


class AttachUploadScreen(ImportScreen):
    """The import form, for an upload instead of a file on this computer."""

    HELP = """\
# Attach an upload

Choose the **client** (by case code) and the **purpose**; for a couple,
family or group session type the other participants' case codes under
**Others**; check the **session date**. Then **Start**: the upload is
decrypted as it is read and filed as a recording, under the same consent
checks as an import. Nothing is written unencrypted.

**Cancel** (or **Escape**) stops it under way; the upload stays pending.
"""

    AUTO_FOCUS = "#client"
    BUSY = ("#client", "#purpose", "#participants", "#session-date")
    WORKING = "Attaching… Cancel stops it."
    DONE = "Upload attached as recording {id}."

    def __init__(
        self, ctx: ProgramContext, user: UserSession, upload: UploadView
    ) -> None:
        """Attach `upload` as `user`."""
        super().__init__(ctx, user)
        self.upload = upload

    def compose(self) -> ComposeResult:
        """Which upload, then the import form."""
        yield Header()
        with Vertical(id="import"):
            yield Static(upload_line(self.upload), id="upload-file")
            yield from self.compose_form()
        yield Footer()

    def prepare(self) -> None:
        """Label the form and load the clients."""
        self.sub_title = "attach an upload"
        self.mount_form()

    def start(self) -> None:
        """Check the choices and attach in a worker."""
        if self.transfer.running:
            return
        filing = self.filing()
        if filing is not None:
            store = partial(attach_upload, self.ctx, self.user, self.upload.id)
            self.begin(filing, store)
