"""The retention purge, previewed: what is due, what is held, and a way to run it.

Uploads left in the SSH drop box past their keep time are counted on the
summary line; they have no case code to list.

The list is `purge --dry-run`; running it here does what the scheduled job
does, as the admin who asked, after a confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from supervise.screens.table import TableScreen
from supervise.services import recordings
from supervise.services.recordings import PurgeItem, PurgeReport
from supervise.units import counted
from supervise.widgets.literal import literal

STEPS = {
    "shred": "due: will be shredded",
    "resume": "interrupted shred: will be finished",
    "held": "due, but on legal hold: kept",
}
"""What each step of the preview means, in words."""


class PurgeScreen(TableScreen[PurgeItem]):
    """Recordings past their destroy-after date, and interrupted shreds."""

    HELP = """\
# Retention purge

Each recording is kept until its **destroy-after** date. This list shows
what the purge would do now: shred the recordings past their date, finish
any shred that was interrupted, and keep those on **legal hold**. The line
above the list also counts uploads left unattached in trainees' SSH inboxes
past the keep time (`dropbox_keep_days`): the purge shreds those too.
Nothing changes until you run it.

- **r** runs the purge now, after you confirm (it normally runs by itself
  every night, from cron or a systemd timer; see the README).
- **f5** reads the list again; **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run_purge", "Run purge", id="run-purge"),
        Binding("f5", "reload", "Reload", show=False),
    ]
    COLUMNS = ("Id", "Client", "Destroy after", "What the purge does")
    SUB_TITLE = "retention purge"
    uploads_due = 0
    """Drop-box uploads the dry run found past their keep time."""

    def above_table(self) -> Iterable[Widget]:
        """A line saying how much is due (an empty table says nothing)."""
        yield Static("Reading what is due…", id="purge-summary")

    def _fill(self, views: list[PurgeItem]) -> None:
        super()._fill(views)
        held = sum(item.step == "held" for item in views)
        due = len(views) - held
        if not views:
            line = "Nothing is past its destroy-after date."
        else:
            line = (
                f"{counted(due, 'recording')} to shred or finish; "
                f"{held} on legal hold, kept."
            )
        line += (
            f"\n{counted(self.uploads_due, 'unattached upload')} past the drop "
            "box's keep time."
        )
        self.query_one("#purge-summary", Static).update(line)

    def fetch(self) -> list[PurgeItem]:
        """The purge's dry run, as this admin (the services check the role)."""
        report = recordings.purge(self.ctx, self.user.who, user=self.user, dry_run=True)
        self.uploads_due = report.uploads
        return list(report.items)

    def key_of(self, view: PurgeItem) -> str:
        """Items are keyed by recording id."""
        return str(view.id)

    def row_of(self, view: PurgeItem) -> tuple[object, ...]:
        """The cells of one due recording."""
        return (
            str(view.id),
            literal(view.case_code),
            view.destroy_after.isoformat() if view.destroy_after else "",
            STEPS.get(view.step, view.step),
        )

    def action_reload(self) -> None:
        """Read the preview again."""
        self.load()

    def action_run_purge(self) -> None:
        """Run the purge after asking."""
        due = sum(item.step != "held" for item in self.views.values())
        question = Text(
            f"Shred or finish {counted(due, 'recording')} now? This cannot be undone."
        )
        self.confirm(question, "Purge", self.run_purge)

    @work(thread=True, group="change")
    def run_purge(self) -> None:
        """Purge through the services, then show the list again."""
        self.reload_after(self._purged)

    def _purged(self) -> PurgeReport:
        report = recordings.purge(self.ctx, self.user.who, user=self.user)
        done = sum(item.step != "held" for item in report.items)
        self.notify(
            f"Purge done: {counted(done, 'recording')} shredded or finished, "
            f"{counted(report.uploads, 'unattached upload')} shredded."
        )
        return report
