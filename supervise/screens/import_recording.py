"""The import screen (trainees): pick a file and a client, encrypt it in.

The file is chosen in a folder tree or typed as a path. The import runs in a
thread worker that reports its progress to a bar; Cancel stops it between
chunks, and the services then leave nothing behind. A finished import opens
the new recording's detail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text, TextType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    DirectoryTree,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)

from supervise.screens.base import (
    FORM_KEYS,
    UNEXPECTED,
    SessionScreen,
    attempt,
    log_unexpected,
)
from supervise.screens.recording_detail import RecordingDetailScreen
from supervise.screens.recording_text import PURPOSE_CHOICES
from supervise.screens.transfer import Transfer
from supervise.services import clients, recordings
from supervise.services.errors import ServiceError
from supervise.textsafe import is_control
from supervise.units import parse_iso_date
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.recordings import RecordingView

CANCELLED = "Import cancelled: nothing was stored."
BAD_NAME = "Rename this file first: its name holds control characters."
BUSY_FIELDS = (
    "#path",
    "#tree",
    "#client",
    "#purpose",
    "#participants",
    "#session-date",
)
"""The fields that cannot change while an import runs."""
Filing = tuple[str, str, date, tuple[str, ...]]
"""The client's case code, the purpose, the session date, the participants."""
Store = Callable[..., "RecordingView"]
"""A service call that stores a recording under a filing (import, attach)."""


def start_folder() -> Path:
    """Where the file tree starts: the folder the program was started in,
    else the home folder."""
    for folder in (Path.cwd, Path.home):
        try:
            path = folder()
        except (OSError, RuntimeError):
            continue
        if path.is_dir():
            return path
    return Path("/")


def resolve(typed: str, folder: Path) -> Path:
    """The typed path, `~` expanded, a relative one taken from `folder`."""
    path = Path(typed.strip()).expanduser()
    return path if path.is_absolute() else folder / path


class FileTree(DirectoryTree):
    """A folder tree without hidden files, names shown exactly as on disk."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Leave out names starting with a dot."""
        return [path for path in paths if not path.name.startswith(".")]

    def process_label(self, label: TextType) -> Text:
        """A file name with its control characters made visible: anyone can
        name a file, and the name must not drive the terminal."""
        plain = label if isinstance(label, str) else label.plain
        return super().process_label(literal(plain))


class ImportScreen(SessionScreen):
    """Import a recording of one of the trainee's clients."""

    HELP = """\
# Import a recording

1. Choose the **file**: type its path in the top field (Enter on a folder
   shows that folder below), or move through the tree with the arrow keys
   and press **Enter** on the file. Audio and video files are accepted.
2. Choose the **client** (by case code) and the **purpose** of the
   recording. For a couple, family or group session, type the other
   participants' case codes under **Others** (commas between them). Check
   the **session date** (YYYY-MM-DD).
3. Choose **Start**. The file is encrypted into the vault; the original is
   left untouched, so delete it yourself once the import is done.

A recording is stored only under an active, signed consent of the client and
of every participant that lists the purpose; otherwise the import is refused
and the message says what is missing (see Consent forms).

**Cancel** (or **Escape**) stops an import under way: nothing is stored.
Cancel again, or Escape, goes back.
"""

    AUTO_FOCUS = "#path"
    BUSY: ClassVar[tuple[str, ...]] = BUSY_FIELDS
    """The fields that cannot change while the import runs; the first takes
    the focus back after it."""
    WORKING: ClassVar[str] = "Importing… Cancel stops it."
    DONE: ClassVar[str] = "Recording {id} imported."
    BINDINGS: ClassVar[list[BindingType]] = [
        *FORM_KEYS,
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(
        self, ctx: ProgramContext, user: UserSession, case_code: str = ""
    ) -> None:
        """Import as `user`, offering client `case_code` first when given."""
        super().__init__(ctx, user)
        self.case_code = case_code
        self.folder = start_folder()

    def compose(self) -> ComposeResult:
        """The path, the tree, the choices, the progress and the buttons."""
        yield Header()
        with Vertical(id="import"):
            yield Input(placeholder="type a path, or pick a file below", id="path")
            with Horizontal(id="import-body"):
                yield FileTree(self.folder, id="tree")
                yield from self.compose_form()
        yield Footer()

    def compose_form(self) -> ComposeResult:
        """What the recording is filed under, the progress and the buttons
        (also the form of the drop box's attach screen)."""
        with Vertical(id="import-side"):
            yield Label("Client")
            yield Select[str]([], prompt="Case code", id="client")
            yield Label("Purpose")
            yield Select(
                [(purpose, purpose) for purpose in PURPOSE_CHOICES],
                value=PURPOSE_CHOICES[0],
                allow_blank=False,
                id="purpose",
            )
            with Horizontal(classes="field-row"):
                yield Input(placeholder="case codes", id="participants")
                yield Input(
                    self.ctx.now().date().isoformat(),
                    max_length=10,
                    restrict=r"[0-9-]*",
                    id="session-date",
                )
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static("", id="status")
            with Horizontal(classes="buttons"):
                yield Button("Start", id="start", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields, get the transfer ready, load the clients."""
        self.prepare()

    def prepare(self) -> None:
        """What `on_mount` does (Textual runs every class's `on_mount`, so
        a subclass overrides this instead)."""
        self.sub_title = "import a recording"
        self.query_one("#path", Input).border_title = "File"
        self.query_one("#tree", FileTree).border_title = literal(str(self.folder))
        self.mount_form()

    def mount_form(self) -> None:
        """Label the form's fields, get the transfer ready, load the clients."""
        self.query_one("#session-date", Input).border_title = "Session date"
        self.query_one("#participants", Input).border_title = "Others"
        self.transfer = Transfer(self.app, self.query_one(ProgressBar))
        self.load_clients()

    def on_unmount(self) -> None:
        """Stop an import still under way (a log-off closes every screen)."""
        self.transfer.cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter does each field's own thing here, never just 'next field'."""
        return action != "next_field"

    # --- the choices ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load_clients(self) -> None:
        """Read the trainee's own clients' case codes."""
        views = attempt(self, lambda: clients.list_clients(self.ctx, self.user))
        if views is not None:
            codes = [v.case_code for v in views if v.trainee == self.user.username]
            self.app.call_from_thread(self._offer, codes)

    def _offer(self, codes: list[str]) -> None:
        select = self.query_one("#client", Select)
        select.set_options((literal(code), code) for code in codes)
        if self.case_code in codes:
            select.value = self.case_code
        elif len(codes) == 1:
            select.value = codes[0]
        if not codes:
            self.show_status("Add a client first (Clients, then a).")

    @on(DirectoryTree.FileSelected, "#tree")
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        if any(is_control(char) for char in str(event.path)):
            # The path field would send them to the terminal as they are.
            self.show_status(BAD_NAME, failed=True)
            return
        self.query_one("#path", Input).value = str(event.path)
        self.show_status("")
        self.query_one("#client", Select).focus()

    @on(Input.Submitted, "#path")
    def _path_typed(self, event: Input.Submitted) -> None:
        path = resolve(event.value, self.folder)
        if path.is_dir():
            self.folder = path
            tree = self.query_one("#tree", FileTree)
            tree.path = path
            tree.border_title = literal(str(path))
            tree.focus()
        else:
            self.query_one("#client", Select).focus()

    @on(Input.Submitted, "#participants")
    def _participants_typed(self) -> None:
        self.query_one("#session-date", Input).focus()

    @on(Input.Submitted, "#session-date")
    def _date_typed(self) -> None:
        self.start()

    def show_status(self, message: str, *, failed: bool = False) -> None:
        """Say how the import stands, literally (paths and names included)."""
        status = self.query_one("#status", Static)
        status.update(literal(message))
        status.set_class(failed, "failed")

    # --- the import ----------------------------------------------------------

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.start()

    def start(self) -> None:
        """Check the choices and start the import in a worker."""
        if self.transfer.running:
            return
        typed = self.query_one("#path", Input).value
        if not typed.strip():
            self.show_status("Choose the file to import.")
            return
        filing = self.filing()
        if filing is not None:
            path = resolve(typed, self.folder)
            store = partial(recordings.import_recording, self.ctx, self.user, path)
            self.begin(filing, store)

    def filing(self) -> Filing | None:
        """The form's client, purpose, date and participants, or None after
        saying what is missing."""
        code = self.query_one("#client", Select).value
        purpose = str(self.query_one("#purpose", Select).value)
        day = parse_iso_date(self.query_one("#session-date", Input).value)
        typed_codes = self.query_one("#participants", Input).value.upper()
        others = tuple(code for code in re.split(r"[,\s]+", typed_codes) if code)
        if not isinstance(code, str):
            self.show_status("Choose the client.")
        elif day is None:
            self.show_status("Type the session date as YYYY-MM-DD.")
        else:
            return code, purpose, day, others
        return None

    def begin(self, filing: Filing, store: Store) -> None:
        """Run `store` with the form's choices in a worker, with progress."""
        self.transfer.start()
        self._busy(True)
        self.show_status(self.WORKING)
        self.run_import(filing, store)

    def _busy(self, busy: bool) -> None:
        for selector in self.BUSY:
            self.query_one(selector).disabled = busy
        self.query_one("#start", Button).disabled = busy
        if not busy:
            self.query_one(self.BUSY[0]).focus()

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, filing: Filing, store: Store) -> None:
        """Encrypt the recording into the vault through the services."""
        code, purpose, day, participants = filing
        try:
            view = store(
                code,
                purpose=purpose,
                session_date=day,
                participants=participants,
                progress=self.transfer.report,
                should_cancel=self.transfer.cancelled,
            )
        except recordings.ImportCancelled:
            self.app.call_from_thread(self._stopped, CANCELLED, cancelled=True)
        except ServiceError as exc:
            self.app.call_from_thread(self._stopped, str(exc))
        except Exception as exc:  # never a traceback on the screen
            log_unexpected(exc)
            self.app.call_from_thread(self._stopped, UNEXPECTED)
        else:
            self.app.call_from_thread(self._imported, view)

    def _stopped(self, message: str, *, cancelled: bool = False) -> None:
        self.transfer.stop()
        if cancelled:
            self.app.notify(message, severity="warning", markup=False)
        elif not self.is_attached:
            self.app.notify(message, severity="error", markup=False)
        if self.is_attached:
            self._busy(False)
            self.show_status(message, failed=not cancelled)

    def _imported(self, view: RecordingView) -> None:
        self.transfer.running = False
        self.app.notify(self.DONE.format(id=view.id))
        if self.is_current:
            detail = RecordingDetailScreen(self.ctx, self.user, view.id)
            self.app.switch_screen(detail)
        elif self.is_attached:
            self._busy(False)
            self.show_status(f"Recording {view.id} imported.")

    def action_back(self) -> None:
        """Stop the import under way, or go back when there is none."""
        if self.transfer.running:
            self.transfer.cancel()
            self.show_status("Cancelling…")
        else:
            self.app.pop_screen()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_back()
