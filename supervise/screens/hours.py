"""The supervision hours log: entries with their totals; add, co-sign, export.

A trainee sees their own entries, adds one (a supervisor from their current
pairs, a date, minutes, individual or group) and removes one not yet
co-signed. A supervisor sees the entries of their current supervisees that
name them, and co-signs the highlighted one. Both export the log of one
trainee as a PDF or CSV file for a licensure application. The services
decide every step and audit it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Select, Static

from supervise.export.hours import hours_text
from supervise.models.accounts import Role
from supervise.screens.base import Dialog, ResultT, attempt
from supervise.screens.consent_dialogs import BAD_DAY
from supervise.screens.export_recording import resolve
from supervise.screens.table import TableScreen
from supervise.services import hours, pairs
from supervise.services.hours import HoursTotals, HoursView
from supervise.units import parse_iso_date
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.pairs import PairView

EntryStep = Callable[["ProgramContext", "UserSession", int], HoursView]
"""`hours.cosign` or `hours.remove_entry`."""
BAD_MINUTES = f"Type the minutes as a whole number from 1 to {hours.MAX_MINUTES}."


def totals_line(totals: HoursTotals) -> str:
    """'Individual 1.83 h · group 2.25 h · co-signed 3.25 h · awaiting 0.83 h ·
    total 4.08 h (245 min)'."""
    kinds = " · ".join(
        f"{kind} {hours_text(minutes)} h" for kind, minutes in totals.by_kind.items()
    )
    return (
        f"Totals: {kinds} · co-signed {hours_text(totals.cosigned)} h · "
        f"awaiting {hours_text(totals.awaiting)} h · "
        f"total {hours_text(totals.total)} h ({totals.total} min)"
    )


def entry_question(view: HoursView, what: str) -> Text:
    """'Co-sign entry 4: tara, 2026-12-03, individual, 60 min?'"""
    text = Text(f"{what} entry {view.id}: ")
    text.append_text(literal(view.trainee, style="bold"))
    text.append(f", {view.on_date.isoformat()}, {view.kind}, {view.minutes} min")
    text.append(" with ")
    text.append_text(literal(view.supervisor, style="bold"))
    text.append("?")
    return text


class HoursScreen(TableScreen[HoursView]):
    """The hours log the logged-in person may see, oldest first, with totals."""

    HELP = """\
# Supervision hours

The supervision hours you may see, oldest first, with their totals below the
table: by kind, co-signed, awaiting co-signature, and overall.

- **a** (trainees) adds hours: a supervisor of yours, the date, the minutes,
  and individual or group supervision. The entry awaits the supervisor's
  co-signature.
- **x** (trainees) removes the highlighted entry, while it is not co-signed.
- **c** (supervisors) co-signs the highlighted entry, if it names you.
- **e** exports one trainee's hours and totals as a PDF (with a signature line
  for each supervisor) or a CSV file, for a licensure application.
- **f5** reads the log again; **Escape** goes back.

Hours from a signed-off review are logged from the command line:
`supervise hours from-review REVIEW_ID --minutes N`.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add hours", id="add-hours"),
        Binding("x", "remove", "Remove", id="remove-hours"),
        Binding("c", "cosign", "Co-sign", id="cosign-hours"),
        Binding("e", "export", "Export", id="export-hours"),
        Binding("f5", "reload", "Reload", show=False),
    ]
    COLUMNS = (
        "Id",
        "Date",
        "Trainee",
        "Supervisor",
        "Kind",
        "Minutes",
        "Hours",
        "Co-signed",
        "Review",
    )
    SUB_TITLE = "supervision hours"

    def compose(self) -> ComposeResult:
        """The header, the table, the totals line, the footer."""
        yield Header()
        yield RecordTable(*self.COLUMNS)
        yield Static("Reading the hours log…", id="hours-totals")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer adding and removing to trainees, co-signing to supervisors."""
        if action in ("add", "remove"):
            return Role.TRAINEE in self.user.roles
        if action == "cosign":
            return Role.SUPERVISOR in self.user.roles
        return True

    def fetch(self) -> list[HoursView]:
        """The entries, through the services (which check hours.view)."""
        return list(hours.list_hours(self.ctx, self.user).entries)

    def key_of(self, view: HoursView) -> str:
        """Entries are keyed by id."""
        return str(view.id)

    def row_of(self, view: HoursView) -> tuple[object, ...]:
        """The cells of one entry; usernames shown literally."""
        return (
            str(view.id),
            view.on_date.isoformat(),
            literal(view.trainee),
            literal(view.supervisor),
            view.kind,
            str(view.minutes),
            hours_text(view.minutes),
            view.cosigned_at.date().isoformat() if view.cosigned_at else "awaiting",
            str(view.review_id) if view.review_id is not None else "",
        )

    def _fill(self, views: list[HoursView]) -> None:
        super()._fill(views)
        line = totals_line(HoursTotals.of(views)) if views else "No hours logged."
        self.query_one("#hours-totals", Static).update(line)

    def action_reload(self) -> None:
        """Read the log again."""
        self.load()

    def action_add(self) -> None:
        """Open the add dialog."""
        self.app.push_screen(AddHoursDialog(self.ctx, self.user), self._changed)

    def _changed(self, view: HoursView | None) -> None:
        if view is not None:
            self.notify(f"Entry {view.id} added: it awaits co-signature.")
            self.load()

    def action_remove(self) -> None:
        """Remove the highlighted entry, after asking."""
        view = self.highlighted()
        if view is None:
            return
        if view.cosigned:
            self.notify(f"Entry {view.id} is co-signed: it stays.", severity="warning")
            return
        question = entry_question(view, "Remove")
        self.confirm(question, "Remove", partial(self.change, hours.remove_entry, view))

    def action_cosign(self) -> None:
        """Co-sign the highlighted entry, after asking."""
        view = self.highlighted()
        if view is None:
            return
        if view.cosigned:
            self.notify(f"Entry {view.id} is co-signed already.", severity="warning")
            return
        question = entry_question(view, "Co-sign")
        question.append("\n\nYou attest that you provided this supervision.")
        self.confirm(question, "Co-sign", partial(self.change, hours.cosign, view))

    @work(thread=True, group="change")
    def change(self, step: EntryStep, view: HoursView) -> None:
        """Remove or co-sign through the services, then reload."""
        self.reload_after(lambda: step(self.ctx, self.user, view.id))

    def action_export(self) -> None:
        """Open the export dialog, for the highlighted entry's trainee."""
        view = self.highlighted()
        trainee = view.trainee if view is not None else None
        dialog = ExportHoursDialog(self.ctx, self.user, trainee)
        self.app.push_screen(dialog, self._exported)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Hours written to {path}.", markup=False)


class HoursDialog(Dialog[ResultT]):
    """A dialog of the hours screen, acting as the logged-in person."""

    TITLES: ClassVar[dict[str, str]] = {}
    """Border titles by field id."""

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Act as `user`."""
        super().__init__()
        self.ctx = ctx
        self.user = user

    def on_mount(self) -> None:
        """Title the fields, then read the pairs to offer."""
        for name, title in self.TITLES.items():
            self.query_one(f"#{name}").border_title = title
        self.load_pairs()

    @work(thread=True, exclusive=True, group="load")
    def load_pairs(self) -> None:
        """Read the caller's current pairs through the services."""
        views = attempt(self, lambda: pairs.my_pairs(self.ctx, self.user))
        if views is not None:
            self.app.call_from_thread(self.offer, views)

    def offer(self, views: list[PairView]) -> None:
        """Fill the choices from the pairs."""

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


def _buttons(verb: str, verb_id: str) -> ComposeResult:
    with Horizontal(classes="buttons"):
        yield Button(verb, id=verb_id, variant="primary")
        yield Button("Cancel", id="cancel")


class AddHoursDialog(HoursDialog[HoursView]):
    """Log the trainee's own hours; dismiss with the new entry."""

    HELP = """\
# Add supervision hours

Choose the **supervisor** (one of your current supervisors), type the
**date** of the supervision (YYYY-MM-DD, not in the future, while they
supervised you), the **minutes** (1 to 720) and the **kind**: individual or
group. Then **Add**: the entry awaits the supervisor's co-signature.
"""

    AUTO_FOCUS = "#supervisor"
    NEXT_ON_ENTER = frozenset({"day"})
    TITLES: ClassVar[dict[str, str]] = {
        "supervisor": "Supervisor",
        "day": "Date",
        "minutes": "Minutes",
        "kind": "Kind",
    }

    def compose(self) -> ComposeResult:
        """Supervisor, date, minutes, kind, an error line and the buttons."""
        today = self.ctx.now().date().isoformat()
        with Vertical(classes="dialog"):
            yield Static("Add supervision hours", classes="dialog-title")
            yield Select[str]([], prompt="Supervisor", id="supervisor")
            yield Input(today, max_length=10, restrict=r"[0-9-]*", id="day")
            yield Input("", max_length=3, restrict=r"[0-9]*", id="minutes")
            yield Select(
                [(kind, kind) for kind in hours.KINDS],
                value=hours.KINDS[0],
                allow_blank=False,
                id="kind",
            )
            yield Static("", id="error")
            yield from _buttons("Add", "add")

    def offer(self, views: list[PairView]) -> None:
        """The supervisors of the caller's current pairs."""
        mine = [v for v in views if v.trainee == self.user.username]
        names = list(dict.fromkeys(v.supervisor for v in mine))
        select = self.query_one("#supervisor", Select)
        select.set_options([(literal(name), name) for name in names])
        if len(names) == 1:
            select.value = names[0]
        if not names:
            self.show_error("You have no current supervisor to log hours with.")

    @on(Input.Submitted, "#minutes")
    @on(Button.Pressed, "#add")
    def add(self) -> None:
        """Check the fields, then log the entry in a worker."""
        supervisor = self.query_one("#supervisor", Select).value
        if not isinstance(supervisor, str):
            self.show_error("Choose the supervisor.")
            return
        day = parse_iso_date(self.query_one("#day", Input).value)
        if day is None:
            self.show_error(BAD_DAY)
            self.query_one("#day", Input).focus()
            return
        typed = self.query_one("#minutes", Input).value.strip()
        if not typed.isdigit():
            self.show_error(BAD_MINUTES)
            self.query_one("#minutes", Input).focus()
            return
        kind = str(self.query_one("#kind", Select).value)
        self.submit(partial(self._log, supervisor, day, int(typed), kind))

    def _log(self, supervisor: str, day: date, minutes: int, kind: str) -> HoursView:
        return hours.log_hours(self.ctx, self.user, supervisor, day, minutes, kind)


class ExportHoursDialog(HoursDialog[Path]):
    """Write one trainee's hours to a new PDF or CSV file; dismiss with its path."""

    HELP = """\
# Export supervision hours

Choose the **trainee** (supervisors: one of your current supervisees), the
**format** (PDF to print and sign, or CSV for a spreadsheet) and type the
**path of a new file**. Every entry is listed with the totals by kind,
co-signed and awaiting co-signature; the PDF ends with a signature line for
each supervisor. An existing file is never replaced; `~` means your home
folder. The file is created readable by you alone.
"""

    AUTO_FOCUS = "#format"
    TITLES: ClassVar[dict[str, str]] = {
        "trainee": "Trainee",
        "format": "Format",
        "path": "New file",
    }

    def __init__(
        self, ctx: ProgramContext, user: UserSession, trainee: str | None
    ) -> None:
        """Export as `user`, offering `trainee` first."""
        super().__init__(ctx, user)
        self.trainee = trainee

    def compose(self) -> ComposeResult:
        """Trainee, format, path, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static("Export supervision hours", classes="dialog-title")
            yield Select[str]([], prompt="Trainee", id="trainee")
            yield Select(
                [("PDF", "pdf"), ("CSV", "csv")],
                value="pdf",
                allow_blank=False,
                id="format",
            )
            yield Input(str(self.suggested("pdf")), id="path")
            yield Static("", id="error")
            yield from _buttons("Export", "export")

    def suggested(self, fmt: str) -> Path:
        """A file name in the home folder for the trainee and format."""
        who = self.trainee or self.user.username
        return Path.home() / f"hours-{who}.{fmt}"

    def offer(self, views: list[PairView]) -> None:
        """The caller themself (a trainee) and their current supervisees."""
        names: list[str] = []
        if Role.TRAINEE in self.user.roles:
            names.append(self.user.username)
        names += [v.trainee for v in views if v.supervisor == self.user.username]
        if self.trainee is not None:
            names.append(self.trainee)
        names = list(dict.fromkeys(names))
        select = self.query_one("#trainee", Select)
        select.set_options([(literal(name), name) for name in names])
        choice = self.trainee or (names[0] if names else None)
        if choice is not None:
            select.value = choice

    def _path_is_suggested(self) -> bool:
        typed = self.query_one("#path", Input).value
        return typed in (str(self.suggested(fmt)) for fmt in hours.FORMATS)

    @on(Select.Changed, "#trainee")
    @on(Select.Changed, "#format")
    def _suggest(self) -> None:
        suggested = self._path_is_suggested()
        trainee = self.query_one("#trainee", Select).value
        if isinstance(trainee, str):
            self.trainee = trainee
        if suggested:
            fmt = str(self.query_one("#format", Select).value)
            self.query_one("#path", Input).value = str(self.suggested(fmt))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def export(self) -> None:
        """Write the file in a worker."""
        trainee = self.query_one("#trainee", Select).value
        if not isinstance(trainee, str):
            self.show_error("Choose the trainee.")
            return
        typed = self.query_one("#path", Input).value
        if not typed.strip():
            self.show_error("Type the path of a new file.")
            return
        fmt = str(self.query_one("#format", Select).value)
        path = resolve(typed)
        self.show_error("Exporting…")
        self.submit(partial(self._write, trainee, fmt, path))

    def _write(self, trainee: str, fmt: str, path: Path) -> Path:
        hours.export_hours(self.ctx, self.user, path, fmt, trainee=trainee)
        return path
