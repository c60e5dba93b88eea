"""The dialogs of a consent's detail: print, scan, verbal consent, sign, revoke.

Each acts on one consent through the services and dismisses with what changed;
a refusal stays on the dialog's error line, in the services' words.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from supervise.screens.base import Dialog, ResultT
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.consent_text import disposition_note, document_path
from supervise.screens.export_recording import resolve
from supervise.services import consent_documents, consent_signing, consents, revocation
from supervise.services.recordings import check_new_output, new_output
from supervise.units import parse_iso_date
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.consents import ConsentView
    from supervise.services.context import ProgramContext

RECEIVED_WORDS = {**revocation.RECEIVED, "other": "another way"}
"""How the revocation reached the program, as the choice reads."""
BAD_DAY = "Type the date as YYYY-MM-DD, like 2024-03-05."
SCAN_ENDINGS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
}


def buttons(verb: str, verb_id: str) -> ComposeResult:
    """The dialog's action button and Cancel."""
    with Horizontal(classes="buttons"):
        yield Button(verb, id=verb_id, variant="primary")
        yield Button("Cancel", id="cancel")


class ConsentDialog(Dialog[ResultT]):
    """A dialog about one consent, acting as the logged-in person."""

    TITLES: ClassVar[dict[str, str]] = {}
    """Border titles by field id."""

    def __init__(self, ctx: ProgramContext, user: UserSession, view: ConsentView):
        """Act on `view` as `user`."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.view = view

    def on_mount(self) -> None:
        """Title the fields in their borders."""
        for field, title in self.TITLES.items():
            self.query_one(f"#{field}").border_title = title

    def today_input(self) -> Input:
        """A date field holding today's date."""
        today = self.ctx.now().date().isoformat()
        return Input(today, max_length=10, restrict=r"[0-9-]*", id="day")

    def day(self) -> date | None:
        """The typed date, or None (and an error shown) when it is not one."""
        day = parse_iso_date(self.query_one("#day", Input).value)
        if day is None:
            self.show_error(BAD_DAY)
            self.query_one("#day", Input).focus()
        return day

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


class PrintDialog(ConsentDialog[Path]):
    """Write one of a consent's documents to a new PDF file."""

    HELP = """\
# Print a document

Choose the **document** and type the **path of a new file**; an existing
file is never replaced. `~` means your home folder.

- **form**: the consent form to be signed. Printing a draft makes it the
  paper that awaits signature.
- **script**: the verbal consent script, to read to the client.
- **chart**: the note for the clinical chart: what was consented, when,
  and where the recordings are kept.
- **receipt**: the client's revocation receipt (revoked forms only).
- **request**: a blank revocation request the client can fill in.
"""

    AUTO_FOCUS = "#kind"
    TITLES: ClassVar[dict[str, str]] = {"kind": "Document", "path": "New file"}

    def __init__(
        self,
        ctx: ProgramContext,
        user: UserSession,
        view: ConsentView,
        kind: str = "form",
    ) -> None:
        """Print a document of `view`, offering `kind` first."""
        super().__init__(ctx, user, view)
        self.kind = kind

    def compose(self) -> ComposeResult:
        """The document, the path, an error line and the buttons."""
        kinds = [k for k in consent_documents.KINDS if self._offered(k)]
        with Vertical(classes="dialog"):
            yield Static(f"Print from {self.view.label}", classes="dialog-title")
            yield Select(
                [(consent_documents.KINDS[k], k) for k in kinds],
                value=self.kind if self.kind in kinds else kinds[0],
                allow_blank=False,
                id="kind",
            )
            yield Input(str(document_path(self.view, self.kind)), id="path")
            yield Static("", id="error")
            yield from buttons("Print", "print")

    def _offered(self, kind: str) -> bool:
        return kind != "receipt" or self.view.status == "revoked"

    @on(Select.Changed, "#kind")
    def _kind(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        if path.value == str(document_path(self.view, self.kind)):
            path.value = str(document_path(self.view, str(event.value)))
        self.kind = str(event.value)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#print")
    def print_document(self) -> None:
        """Render the document and write it, in a worker."""
        typed = self.query_one("#path", Input).value
        if not typed.strip():
            self.show_error("Type the path of a new file.")
            return
        path, kind = resolve(typed), self.kind
        self.show_error("Printing…")
        self.submit(lambda: self._saved(kind, path))

    def _saved(self, kind: str, path: Path) -> Path:
        consent_documents.save(self.ctx, self.user, self.view.id, kind, path)
        return path


class ScanDialog(ConsentDialog[Path]):
    """Write the scan of the signed form to a new file."""

    HELP = """\
# Export the scan

Type the **path of a new file** for the scan of the signed pages. Without
an ending, the right one is added (.pdf, .png, .jpg or .tif). The export
is on the audit record; the scan holds the client's name: keep it safe.
"""

    AUTO_FOCUS = "#path"
    TITLES: ClassVar[dict[str, str]] = {"path": "New file"}

    def compose(self) -> ComposeResult:
        """The path, an error line and the buttons."""
        suggested = document_path(self.view, "scan", suffix="")
        with Vertical(classes="dialog"):
            yield Static(
                f"Export the scan of {self.view.label}", classes="dialog-title"
            )
            yield Input(str(suggested), id="path")
            yield Static("", id="error")
            yield from buttons("Export", "export")

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def export(self) -> None:
        """Export the scan in a worker."""
        typed = self.query_one("#path", Input).value
        if not typed.strip():
            self.show_error("Type the path of a new file.")
            return
        self.show_error("Exporting…")
        path = resolve(typed)
        self.submit(lambda: self._written(path))

    def _written(self, path: Path) -> Path:
        check_new_output(path)
        data, media_type = consent_signing.export_scan(
            self.ctx, self.user, self.view.id
        )
        if not path.suffix:
            path = path.with_name(path.name + SCAN_ENDINGS.get(media_type, ".bin"))
        with new_output(path) as out:
            out.write(data)
        return path


class VerbalDialog(ConsentDialog[consents.ConsentView]):
    """Log the date on which the client consented aloud."""

    HELP = """\
# Verbal consent

Type the **date** on which the client agreed aloud, after hearing the verbal
consent script. It is logged on the form's record, but it is not consent
enough: recordings need the signed form.
"""

    AUTO_FOCUS = "#day"
    TITLES: ClassVar[dict[str, str]] = {"day": "Agreed aloud on"}

    def compose(self) -> ComposeResult:
        """The date, a note, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static(f"Verbal consent to {self.view.label}", classes="dialog-title")
            yield self.today_input()
            yield Static(
                "Logged, but not enough on its own: the form must be signed.",
                classes="dialog-note",
            )
            yield Static("", id="error")
            yield from buttons("Log", "log")

    @on(Input.Submitted, "#day")
    @on(Button.Pressed, "#log")
    def log_verbal(self) -> None:
        """Record the verbal consent."""
        day = self.day()
        if day is not None:
            self.submit(
                lambda: consent_signing.record_verbal(
                    self.ctx, self.user, self.view.id, day
                )
            )


class SignDialog(ConsentDialog[consents.ConsentView]):
    """Record the signed form: the date, the lines signed, a scan."""

    HELP = """\
# Record the signature

- **Signed on**: the date written beside the signatures.
- **Signed lines**: tick (space) each line that was signed. The form comes
  into force only when every required line is signed.
- **Scan**: optionally, the path of a scan of the signed pages (PDF, PNG,
  JPEG or TIFF, up to 16 MiB); it is sealed under the client's key.

Once recorded, the consent is active and recordings can be imported under
it; a version it replaces expires.
"""

    AUTO_FOCUS = "#day"
    NEXT_ON_ENTER = frozenset({"day"})
    TITLES: ClassVar[dict[str, str]] = {
        "day": "Signed on",
        "lines": "Signed lines (space ticks)",
        "scan": "Scan of the signed pages (optional)",
    }

    def compose(self) -> ComposeResult:
        """The date, the lines, the scan, an error line and the buttons."""
        lines = [
            Selection(line.label + (" (required)" if line.required else ""), line.key)
            for line in self.view.lines
        ]
        with Vertical(classes="dialog"):
            yield Static(f"Signature of {self.view.label}", classes="dialog-title")
            yield self.today_input()
            yield SelectionList[str](*lines, id="lines")
            yield Input(placeholder="a path, or blank", id="scan")
            yield Static("", id="error")
            yield from buttons("Record", "sign")

    @on(Input.Submitted, "#scan")
    @on(Button.Pressed, "#sign")
    def sign(self) -> None:
        """Record the signature through the services."""
        day = self.day()
        if day is None:
            return
        signed = list(self.query_one("#lines", SelectionList).selected)
        typed = self.query_one("#scan", Input).value
        scan = resolve(typed) if typed.strip() else None
        self.show_error("Recording…")
        self.submit(
            lambda: consent_signing.sign(
                self.ctx, self.user, self.view.id, on=day, lines=signed, scan=scan
            )
        )


def revoke_question(view: ConsentView) -> Text:
    """Ask to revoke, saying what the disposition does to the recordings."""
    text = Text(f"Revoke {view.label} of client ")
    text.append_text(literal(view.case_code, style="bold"))
    text.append("?\n\nNew recordings are refused at once. ")
    text.append(disposition_note(view))
    if view.recordings:
        text.append(f"\n\nRecordings under it now: {view.recordings}.", style="bold")
    return text


class RevokeDialog(ConsentDialog[revocation.RevocationOutcome]):
    """Record a client's revocation, after a confirmation."""

    HELP = """\
# Revoke a consent

Record the client's revocation: the **date** it was received, **how** it
reached you, and optional **notes** (sealed; never put a name in them).
New recordings are refused at once, and the form's disposition applies to
those already stored: **delete** shreds them (those on legal hold when the
hold ends), **preserve** keeps them for the trainee and supervisors only
until their destroy-after date. Print the client's receipt afterwards.
"""

    AUTO_FOCUS = "#day"
    NEXT_ON_ENTER = frozenset({"day"})
    TITLES: ClassVar[dict[str, str]] = {
        "day": "Received on",
        "received": "How it was received",
        "notes": "Notes (optional, sealed)",
    }

    def compose(self) -> ComposeResult:
        """What revoking does, the fields, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static(f"Revoke {self.view.label}", classes="dialog-title")
            yield Static(
                disposition_note(self.view),
                classes="dialog-note",
            )
            yield self.today_input()
            yield Select(
                [(f"received {words}", key) for key, words in RECEIVED_WORDS.items()],
                value="in_person",
                allow_blank=False,
                id="received",
            )
            yield Input(placeholder="no names", id="notes")
            yield Static("", id="error")
            yield from buttons("Revoke", "revoke")

    @on(Input.Submitted, "#notes")
    @on(Button.Pressed, "#revoke")
    def revoke(self) -> None:
        """Ask to confirm, then revoke."""
        day = self.day()
        if day is None:
            return
        how = str(self.query_one("#received", Select).value)
        notes = self.query_one("#notes", Input).value

        def answered(yes: bool | None) -> None:
            if yes:
                self.show_error("Revoking…")
                self.submit(
                    lambda: revocation.revoke(
                        self.ctx,
                        self.user,
                        self.view.id,
                        on=day,
                        received=how,
                        notes=notes,
                    )
                )

        self.app.push_screen(
            ConfirmDialog(revoke_question(self.view), "Revoke"), answered
        )
