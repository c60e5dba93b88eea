"""The consent detail: everything about one form, and what can be done with it.

From here the documents are printed to files, verbal consent is logged, the
signature is recorded (with an optional scan), the scan is exported, the
consent is revoked, and its terms are changed (a signed form gets a new
version that must be signed again).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from supervise.models.accounts import Role
from supervise.screens.base import SessionScreen, attempt
from supervise.screens.consent_dialogs import (
    PrintDialog,
    RevokeDialog,
    ScanDialog,
    SignDialog,
    VerbalDialog,
)
from supervise.screens.consent_text import OPEN_STATUSES, lines_text, summary
from supervise.services import consents

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.consents import ConsentView
    from supervise.services.context import ProgramContext
    from supervise.services.revocation import RevocationOutcome

OWNER_ACTIONS = {
    "verbal": OPEN_STATUSES,
    "sign": ("awaiting_signature",),
    "edit": (*OPEN_STATUSES, "active"),
}
"""What the form's trainee can do, and in which statuses."""
REVOCABLE = (*OPEN_STATUSES, "active")


def revoked_text(done: RevocationOutcome) -> str:
    """What a revocation did, naming only the counts that are not zero."""
    counts = {
        "shredded": len(done.shredded),
        "to shred when the legal hold ends": len(done.waiting),
        "preserved": len(done.preserved),
    }
    parts = [
        f"{n} recording{'s' if n > 1 else ''} {what}" for what, n in counts.items() if n
    ]
    effect = "; ".join(parts) if parts else "no recordings were under it"
    label = done.consent.label.capitalize()
    return f"{label} revoked: {effect}. Print the client's receipt with p."


class ConsentDetailScreen(SessionScreen):
    """Show one consent; print, sign, revoke or change it."""

    HELP = """\
# Consent detail

The form's terms and its record: printed, consented aloud, signed, revoked.
The check code is printed on every document; it finds the form again.

- **p** prints a document to a new PDF file: the form, the verbal script,
  the chart note, the revocation receipt or a blank revocation request.
- **v** logs the client's verbal consent (not enough on its own).
- **g** records the signed form: the date, the lines signed, a scan. The
  form must be printed first; once signed it is active.
- **x** exports the scan of the signed pages.
- **r** revokes the consent (the trainee or an admin), after saying what
  happens to the recordings.
- **e** changes the terms: an unsigned form in place (print it again), a
  signed one as a new version to be signed.
- **f5** reloads; **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "print", "Print", id="print-consent"),
        Binding("v", "verbal", "Verbal", id="verbal-consent"),
        Binding("g", "sign", "Sign", id="sign-consent"),
        Binding("x", "scan", "Scan", id="export-scan"),
        Binding("r", "revoke", "Revoke", id="revoke-consent"),
        Binding("e", "edit", "Edit", id="edit-consent"),
        Binding("f5", "reload", "Reload", id="reload-consent", show=False),
    ]

    def __init__(self, ctx: ProgramContext, user: UserSession, consent_id: int):
        """Show consent `consent_id` as `user` may see it."""
        super().__init__(ctx, user)
        self.consent_id = consent_id
        self.view: ConsentView | None = None
        self._shown = False

    def compose(self) -> ComposeResult:
        """The summary, the signature lines, the footer."""
        yield Header()
        with VerticalScroll(id="consent"):
            yield Static("Loading…", id="consent-summary")
            yield Static("", id="signature-lines")
        yield Footer()

    def on_mount(self) -> None:
        """Title the parts and load the consent."""
        self.sub_title = f"consent form {self.consent_id}"
        self.query_one("#signature-lines").border_title = "Signature lines"
        self.load()

    def on_screen_resume(self) -> None:
        """Read the form again on coming back from the wizard."""
        if self._shown:
            self.load()
        self._shown = True

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the consent through the services."""
        view = attempt(
            self,
            lambda: consents.consent_detail(self.ctx, self.user, self.consent_id),
        )
        if view is not None:
            self.app.call_from_thread(self.show, view)

    def show(self, view: ConsentView) -> None:
        """Draw `view`."""
        self.view = view
        self.sub_title = f"consent {view.label}"
        self.query_one("#consent-summary", Static).update(summary(view))
        self.query_one("#signature-lines", Static).update(lines_text(view))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer each verb to who may use it; dim it where the status forbids."""
        view = self.view
        if action not in (*OWNER_ACTIONS, "scan", "revoke"):
            return True
        if view is None:
            return None
        owner = Role.TRAINEE in self.user.roles and view.trainee == self.user.username
        if action in OWNER_ACTIONS:
            return owner and (view.status in OWNER_ACTIONS[action] or None)
        if action == "scan":
            return view.has_scan
        if action == "revoke":
            may = owner or Role.ADMIN in self.user.roles
            return may and (view.status in REVOCABLE or None)
        return True

    def action_reload(self) -> None:
        """Read the consent again."""
        self.load()

    def action_print(self) -> None:
        """Ask which document to print, and where to."""
        if self.view is not None:
            dialog = PrintDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._written)

    def action_scan(self) -> None:
        """Ask where to export the scan to."""
        if self.view is not None:
            dialog = ScanDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._written)

    def _written(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Written to {path}.", markup=False)
            self.load()

    def action_verbal(self) -> None:
        """Log the client's verbal consent."""
        if self.view is not None:
            dialog = VerbalDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._changed)

    def action_sign(self) -> None:
        """Record the signed form."""
        if self.view is not None:
            dialog = SignDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._changed)

    def _changed(self, view: ConsentView | None) -> None:
        if view is not None:
            self.show(view)
            if view.status == "active":
                self.notify(f"{view.label.capitalize()} is signed and in force.")

    def action_revoke(self) -> None:
        """Record a revocation, after a confirmation."""
        if self.view is not None:
            dialog = RevokeDialog(self.ctx, self.user, self.view)
            self.app.push_screen(dialog, self._revoked)

    def _revoked(self, done: RevocationOutcome | None) -> None:
        if done is None:
            return
        self.show(done.consent)
        self.notify(revoked_text(done), timeout=10)

    def action_edit(self) -> None:
        """Change the terms in the wizard (a new version of a signed form)."""
        from supervise.screens.consent_wizard import ConsentWizardScreen

        if self.view is not None:
            wizard = ConsentWizardScreen(self.ctx, self.user, editing=self.view)
            self.app.push_screen(wizard)
