"""The consent wizard: the terms of a consent, then the verbal script and print.

The first step asks what the trainee chooses (client, purposes, access,
participants, what happens on revocation) beside what the program computes
and the form will say (storage location, retention, the state's rules). The
services make the draft; the second step shows the verbal consent script to
read to the client and prints the form to a PDF file, which moves the form
to "awaiting signature". Editing a form, or making a new version of a signed
one, walks the same steps with the terms filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from supervise.screens.base import (
    FORM_KEYS,
    EnterMovesOn,
    SessionScreen,
    attempt,
    outcome,
)
from supervise.screens.consent_text import (
    OPEN_STATUSES,
    PURPOSE_WORDS,
    document_path,
    lines_literal,
    rule_notes,
)
from supervise.screens.export_recording import resolve
from supervise.screens.state_rules import COUNSEL_NOTICE
from supervise.services import (
    clients,
    consent_documents,
    consent_signing,
    consents,
    rules,
)
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.clients import ClientView
    from supervise.services.consents import ConsentTerms, ConsentView
    from supervise.services.context import ProgramContext
    from supervise.services.rules import RuleView

DEFAULT_PURPOSES = ("clinical_record", "supervision")
RIGHT_TO_REVOKE = (
    "The client may revoke this consent at any time; new recordings stop at once."
)


def names(typed: str) -> tuple[str, ...]:
    """Usernames or case codes typed with commas or spaces between them."""
    return tuple(part for part in re.split(r"[,\s]+", typed) if part)


@dataclass(frozen=True)
class ClientFacts:
    """What the wizard shows about one client: their state's rules, computed."""

    view: ClientView
    rule: RuleView | None
    today: date

    fallback_years: int
    """The program's retention years, for a state the table lacks."""

    @property
    def keep_until(self) -> date | None:
        """For a minor, the date their recordings are kept at least until."""
        identity, rule = self.view.identity, self.rule
        if identity is None:
            return None
        majority, years = (
            (rule.age_of_majority, rule.minor_years)
            if rule
            else (18, self.fallback_years)
        )
        return consents.minor_keep_until(
            identity.date_of_birth, self.today, majority, years
        )

    @property
    def minor(self) -> bool:
        """Under the age of majority of the client's state, today."""
        if self.view.identity is None:
            return self.view.is_minor
        return self.keep_until is not None

    def retention(self) -> str:
        """The retention rule that will apply, in words."""
        rule = self.rule
        years = rule.adult_years if rule else self.fallback_years
        text = f"Each recording is destroyed {years} years after its session."
        until = self.keep_until
        if until is not None:
            majority = rule.age_of_majority if rule else 18
            text += (
                f" The client is a minor: recordings are kept at least until "
                f"{until.isoformat()} (the age of majority, {majority}, plus "
                "the state's years for minors), whichever is later."
            )
        return text + " Nothing is kept forever."


class ConsentWizardScreen(EnterMovesOn, SessionScreen):
    """Draft a consent, or change one; then read the script and print it."""

    HELP = """\
# Consent wizard

**Step 1, the terms.** Choose the **client** and tick the **purposes**
(space ticks): clinical record, supervision, training. The trainee always
has access; the **assigned supervisors** must, for supervision. Name
**further accounts** by username, and for a couple, family or group the
**other participants** by case code: each must consent too. Say what
happens **if the client revokes**: the recordings are deleted, or preserved
in the circumstances you state.

The right-hand side shows what the program adds to the form: where the
recordings are stored, how long they are kept (adult or minor), and the
state's rules. The state table is data, not legal advice: verify it with
counsel.

**Step 2, the script and the form.** Read the verbal consent script to the
client, then **print** the form to a new PDF file and have it signed. A
printed form awaits signature; record the signature on the form's detail.

**Tab** moves between fields; **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [*FORM_KEYS]
    AUTO_FOCUS = "#client"
    NEXT_ON_ENTER = frozenset({"access", "participants"})

    def __init__(
        self,
        ctx: ProgramContext,
        user: UserSession,
        *,
        case_code: str = "",
        editing: ConsentView | None = None,
    ) -> None:
        """Draft a consent as `user`, for `case_code` when given, or change
        the form `editing` (a signed one gets a new version)."""
        super().__init__(ctx, user)
        self.case_code = editing.case_code if editing else case_code
        self.editing = editing
        self.facts: dict[str, ClientFacts] = {}
        self.consent: ConsentView | None = None

    @property
    def in_place(self) -> bool:
        """Whether the terms change an unsigned form rather than make a version."""
        return self.editing is not None and self.editing.status in OPEN_STATUSES

    def compose(self) -> ComposeResult:
        """The terms step and the script step; one shows at a time."""
        yield Header()
        with ContentSwitcher(initial="terms", id="wizard"):
            with Horizontal(id="terms"):
                with VerticalScroll(id="wizard-form"):
                    yield from self._terms_fields()
                with VerticalScroll(id="wizard-info"):
                    yield Static("Reading the client's rules…", id="form-facts")
            with Vertical(id="script-step"):
                with VerticalScroll(id="script-scroll"):
                    yield Static("", id="script")
                yield Input(id="form-path")
                yield Static("", id="print-status")
                with Horizontal(classes="buttons"):
                    yield Button("Print form", id="print", variant="primary")
                    yield Button("Agreed aloud", id="verbal")
                    yield Button("Later", id="later")
        yield Footer()

    def _terms_fields(self) -> ComposeResult:
        yield Select[str]([], prompt="Client (case code)", id="client")
        yield SelectionList[str](
            *(
                Selection(words, key, key in DEFAULT_PURPOSES)
                for key, words in PURPOSE_WORDS.items()
            ),
            id="purposes",
        )
        yield Checkbox("Assigned supervisors", True, id="supervisors")
        yield Input(placeholder="usernames, e.g. jdoe", id="access")
        yield Input(placeholder="case codes, e.g. C-1004", id="participants")
        with RadioSet(id="disposition"):
            yield RadioButton("Delete the recordings", True, id="delete")
            yield RadioButton("Preserve them when…", id="preserve")
        yield Input(placeholder="the circumstances", disabled=True, id="circumstances")
        yield Static("", id="error")
        with Horizontal(classes="buttons"):
            yield Button(self._verb(), id="create", variant="primary")
            yield Button("Cancel", id="cancel")

    def _verb(self) -> str:
        if self.editing is None:
            return "Create"
        return "Save" if self.in_place else "New version"

    def on_mount(self) -> None:
        """Title the fields, then read the clients, the rules and the terms."""
        titles = {
            "#client": "Client",
            "#purposes": "Purposes (space ticks)",
            "#supervisors": "Access",
            "#access": "Also named (usernames)",
            "#participants": "Other participants",
            "#disposition": "If the client revokes",
            "#circumstances": "Preserved when",
            "#wizard-info": "What the form will say",
            "#script-scroll": "Read this to the client",
            "#form-path": "Print the form to (a new PDF file)",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        what = f"change {self.editing.label}" if self.editing else "new consent"
        self.sub_title = f"consent wizard: {what}"
        self.query_one("#client", Select).disabled = self.editing is not None
        self.load()

    # --- reading -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the trainee's clients, the state table and the terms to edit."""
        views = attempt(
            self, lambda: clients.list_clients(self.ctx, self.user, reveal=True)
        )
        table = attempt(self, lambda: rules.list_rules(self.ctx, self.user))
        if views is None or table is None:
            return
        by_state = {rule.jurisdiction: rule for rule in table}
        today = self.ctx.now().date()
        fallback = self.ctx.settings.retention_years
        facts = {
            v.case_code: ClientFacts(v, by_state.get(v.jurisdiction), today, fallback)
            for v in views
            if v.trainee == self.user.username
        }
        terms = None
        if self.editing is not None:
            editing = self.editing
            terms = attempt(
                self, lambda: consents.terms_of(self.ctx, self.user, editing.id)
            )
        self.app.call_from_thread(self._loaded, facts, terms)

    def _loaded(
        self, facts: dict[str, ClientFacts], terms: ConsentTerms | None
    ) -> None:
        self.facts = facts
        select = self.query_one("#client", Select)
        select.set_options((literal(code), code) for code in facts)
        if self.case_code in facts:
            select.value = self.case_code
        elif len(facts) == 1:
            select.value = next(iter(facts))
        if not facts:
            self.show_error("Add a client first (Clients, then a).")
        if terms is not None:
            self._fill_terms(terms)
        if self.editing is not None:
            self.query_one("#purposes").focus()
            self.query_one("#wizard-form").scroll_home(animate=False)
        self.show_facts()

    def _fill_terms(self, terms: ConsentTerms) -> None:
        purposes = self.query_one("#purposes", SelectionList)
        purposes.deselect_all()
        for purpose in terms.purposes:
            purposes.select(purpose)
        self.query_one("#supervisors", Checkbox).value = terms.include_supervisors
        self.query_one("#access", Input).value = ", ".join(terms.access)
        self.query_one("#participants", Input).value = ", ".join(terms.participants)
        self.query_one(f"#{terms.disposition}", RadioButton).value = True
        self.query_one("#circumstances", Input).value = terms.circumstances

    @on(Select.Changed, "#client")
    def show_facts(self) -> None:
        """Say what the form will say for the chosen client."""
        code = self.query_one("#client", Select).value
        facts = self.facts.get(code) if isinstance(code, str) else None
        out = self.query_one("#form-facts", Static)
        out.update(self._facts_text(facts) if facts else self._no_client())

    def _no_client(self) -> Text:
        text = Text("Choose the client: the form then shows their state's rules.\n\n")
        text.append("Stored at: ")
        text.append_text(literal(self.ctx.settings.resolved_storage_location))
        return text

    def _facts_text(self, facts: ClientFacts) -> Text:
        rule = facts.rule
        state = facts.view.jurisdiction
        text = Text("Client ", style="bold")
        text.append_text(literal(facts.view.case_code, style="bold"))
        name = f" ({rule.name})" if rule else ""
        text.append(f" · {state}{name} · {'minor' if facts.minor else 'adult'}\n")
        text.append("\nStored at: ")
        text.append_text(literal(self.ctx.settings.resolved_storage_location))
        text.append("\n\nRetention: ")
        text.append(facts.retention())
        text.append(f"\n\n{RIGHT_TO_REVOKE}\n\n")
        if rule is not None:
            text.append_text(rule_notes(rule, minor=facts.minor))
            text.append("\n\n")
        text.append(COUNSEL_NOTICE, style="bold")
        return text

    @on(RadioSet.Changed, "#disposition")
    def _disposition(self, event: RadioSet.Changed) -> None:
        preserve = event.pressed.id == "preserve"
        self.query_one("#circumstances", Input).disabled = not preserve

    # --- step 1: the terms ---------------------------------------------------

    def show_error(self, message: str) -> None:
        """Show `message` on the terms step's error line, literally."""
        self.query_one("#error", Static).update(literal(message))

    def terms(self) -> ConsentTerms:
        """The terms as chosen on the form."""
        pressed = self.query_one("#disposition", RadioSet).pressed_button
        return consents.ConsentTerms(
            purposes=tuple(self.query_one("#purposes", SelectionList).selected),
            disposition=pressed.id if pressed and pressed.id else "delete",
            circumstances=self.query_one("#circumstances", Input).value,
            include_supervisors=self.query_one("#supervisors", Checkbox).value,
            access=names(self.query_one("#access", Input).value),
            participants=names(self.query_one("#participants", Input).value.upper()),
        )

    @on(Input.Submitted, "#circumstances")
    @on(Button.Pressed, "#create")
    def create(self) -> None:
        """Ask the services to draft (or change) the consent."""
        code = self.query_one("#client", Select).value
        if not isinstance(code, str):
            self.show_error("Choose the client.")
            return
        self.show_error("Saving…")
        self.save_terms(code, self.terms())

    @work(thread=True, exclusive=True, group="save")
    def save_terms(self, code: str, terms: ConsentTerms) -> None:
        """Draft or change the consent, then fetch its verbal script."""
        done, why_not = outcome(lambda: self._saved(code, terms))
        if done is None:
            self.app.call_from_thread(self.show_error, why_not)
        else:
            self.app.call_from_thread(self._to_script, *done)

    def _saved(self, code: str, terms: ConsentTerms) -> tuple[ConsentView, str]:
        if self.editing is not None and self.in_place:
            view = consents.edit_consent(self.ctx, self.user, self.editing.id, terms)
        else:
            view = consents.new_consent(self.ctx, self.user, code, terms)
        return view, consent_documents.verbal_script_text(self.ctx, self.user, view.id)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.app.pop_screen()

    # --- step 2: the script and the form ------------------------------------

    def _to_script(self, view: ConsentView, script: str) -> None:
        self.consent = view
        self.sub_title = f"consent wizard: {view.label} of {view.case_code}"
        self.query_one("#script", Static).update(lines_literal(script))
        path = self.query_one("#form-path", Input)
        path.value = str(document_path(view, "form"))
        self.show_status(
            f"{view.label.capitalize()} is a draft. Read the script, then "
            "print the form and have it signed."
        )
        self.query_one(ContentSwitcher).current = "script-step"
        path.focus()

    def show_status(self, message: str, *, failed: bool = False) -> None:
        """Say how printing stands, literally (paths included)."""
        status = self.query_one("#print-status", Static)
        status.update(literal(message))
        status.set_class(failed, "failed")

    @on(Input.Submitted, "#form-path")
    @on(Button.Pressed, "#print")
    def print_form(self) -> None:
        """Print the form to the typed path."""
        typed = self.query_one("#form-path", Input).value
        if self.consent is None:
            return
        if not typed.strip():
            self.show_status("Type the path of a new PDF file.", failed=True)
            return
        self.show_status("Printing…")
        self.write_form(self.consent.id, resolve(typed))

    @work(thread=True, exclusive=True, group="print")
    def write_form(self, consent_id: int, path: Path) -> None:
        """Write the form's PDF through the services."""
        printed, why_not = outcome(
            lambda: consent_documents.save(
                self.ctx, self.user, consent_id, "form", path
            )
        )
        if printed is None:
            self.app.call_from_thread(self.show_status, why_not, failed=True)
        else:
            self.app.call_from_thread(self._printed, path)

    def _printed(self, path: Path) -> None:
        self.notify(
            f"Form printed to {path}: it now awaits the signatures.", markup=False
        )
        self._to_detail()

    @on(Button.Pressed, "#verbal")
    def verbal(self) -> None:
        """Log that the client agreed aloud today (it does not replace signing)."""
        if self.consent is not None:
            self.log_verbal(self.consent.id)

    @work(thread=True, exclusive=True, group="verbal")
    def log_verbal(self, consent_id: int) -> None:
        """Record the verbal consent through the services."""
        today = self.ctx.now().date()
        view = attempt(
            self,
            lambda: consent_signing.record_verbal(
                self.ctx, self.user, consent_id, today
            ),
        )
        if view is not None:
            self.app.call_from_thread(
                self.show_status,
                f"Verbal consent logged for {today.isoformat()}. It does not "
                "replace the signed form: print it next.",
            )

    @on(Button.Pressed, "#later")
    def _later(self) -> None:
        self._to_detail()

    def _to_detail(self) -> None:
        from supervise.screens.consent_detail import ConsentDetailScreen

        if self.consent is not None and self.is_current:
            detail = ConsentDetailScreen(self.ctx, self.user, self.consent.id)
            self.app.switch_screen(detail)
