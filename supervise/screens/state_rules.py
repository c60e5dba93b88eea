"""The state table (admins): consent and retention rules by jurisdiction.

Each row says whether every party must consent to a recording, how long
records are kept and under which confidentiality statute. The rows are data
the admin keeps up to date with counsel; the screen says so, and the edit
dialog shows each row's source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Static

from supervise.screens.base import Dialog
from supervise.screens.table import TableScreen
from supervise.services import rules
from supervise.services.rules import RuleView
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext

COUNSEL_NOTICE = (
    "This table is data, not legal advice: verify each row with the program's counsel."
)
RULE_COLUMNS = (
    "State",
    "Name",
    "All-party",
    "Adult yrs",
    "Minor yrs",
    "Majority",
    "Stricter statute",
    "Minors' rule",
)
RULE_WIDTH = 48
"""How much of the minors' rule the table shows; the dialog shows all of it."""

NUMBERS = (
    ("adult-years", "Adult years"),
    ("minor-years", "Minor years"),
    ("majority", "Majority age"),
)
TEXTS = (
    ("minor-rule", "Minors' rule"),
    ("statute", "Stricter statute"),
    ("source", "Source note"),
)
"""Each field's id and border title, in the order they are filled."""


def shortened(text: str, width: int = RULE_WIDTH) -> str:
    """`text` cut to `width` characters, ending in an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def row_of(view: RuleView) -> tuple[object, ...]:
    """The table cells of one jurisdiction; edited text is shown literally."""
    return (
        view.jurisdiction,
        literal(view.name),
        "yes" if view.all_party_consent else "",
        str(view.adult_years),
        str(view.minor_years),
        str(view.age_of_majority),
        "yes" if view.has_statute else "no",
        literal(shortened(view.minor_rule)),
    )


def source_note(view: RuleView) -> Text:
    """'Source: …' with the note as it was typed."""
    text = Text("Source: ", style="bold")
    text.append_text(literal(view.source or "none given"))
    return text


class EditRuleDialog(Dialog[RuleView]):
    """Edit one jurisdiction's row; dismiss with the saved row."""

    HELP = """\
# Edit a state's rules

- **Every party must consent**: tick it where the state requires every
  participant's consent to record; the consent form then asks each of them
  to sign.
- **Adult years**: how long an adult's recordings are kept (1 to 100).
- **Minor years**: for a minor, how many years past the **age of majority**
  the recordings are kept at least (0 to 50).
- **Minors' rule**, **stricter statute** and **source note**: plain text for
  people reading the table. Keep the source note: it says what the row relies
  on, so counsel can check it.

**Enter** moves to the next field; on the source note it saves.
"""

    AUTO_FOCUS = "#all-party"
    NEXT_ON_ENTER = frozenset(field for field, _ in NUMBERS + TEXTS[:-1])

    def __init__(self, ctx: ProgramContext, user: UserSession, view: RuleView) -> None:
        """Edit `view` as `user`, an admin."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.view = view

    def compose(self) -> ComposeResult:
        """The row's source, every field, an error line and the buttons."""
        view = self.view
        title = literal(view.name)
        title.append(f" ({view.jurisdiction})")
        with VerticalScroll(classes="dialog", id="edit-rule"):
            yield Static(title, classes="dialog-title")
            yield Static(source_note(view), classes="dialog-note", id="source-note")
            yield Checkbox(
                "Every party must consent to a recording",
                view.all_party_consent,
                id="all-party",
            )
            numbers = (view.adult_years, view.minor_years, view.age_of_majority)
            with Horizontal(classes="field-row"):
                for (field, _), number in zip(NUMBERS, numbers, strict=True):
                    yield Input(str(number), id=field, restrict=r"[0-9]*", max_length=3)
            texts = (view.minor_rule, view.statute, view.source)
            for (field, _), text in zip(TEXTS, texts, strict=True):
                yield Input(text, id=field)
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders."""
        for field, title in NUMBERS + TEXTS:
            self.query_one(f"#{field}", Input).border_title = title

    def value(self, field: str) -> str:
        """What is in `field`."""
        return self.query_one(f"#{field}", Input).value

    def number(self, field: str, title: str) -> int | None:
        """The whole number in `field`, or None after saying what is wrong."""
        typed = self.value(field)
        if typed.isdigit():
            return int(typed)
        self.show_error(f"{title} must be a whole number, like 7.")
        self.query_one(f"#{field}", Input).focus()
        return None

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#source")
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        """Check the numbers are numbers, then ask the services to save."""
        numbers = [self.number(field, title) for field, title in NUMBERS]
        adult, minor, majority = numbers
        if adult is None or minor is None or majority is None:
            return
        code = self.view.jurisdiction
        all_party = self.query_one("#all-party", Checkbox).value
        minor_rule, statute, source = (self.value(field) for field, _ in TEXTS)
        self.show_error("Saving…")
        self.submit(
            lambda: rules.update_rule(
                self.ctx,
                self.user,
                code,
                all_party_consent=all_party,
                adult_years=adult,
                minor_years=minor,
                age_of_majority=majority,
                minor_rule=minor_rule,
                statute=statute,
                source=source,
            )
        )


class StateRulesScreen(TableScreen[RuleView]):
    """Every jurisdiction's row, by state code; the admin edits them."""

    HELP = """\
# State table

One row per state and DC: whether **every party** must consent to a
recording, how many years an adult's recordings are kept, how many years past
the **age of majority** a minor's are kept, and whether the state has a
confidentiality statute stricter than HIPAA.

The rows shipped with the program are a starting point, not legal advice:
check each one with the program's counsel and correct it here. Each row keeps
a source note saying what it relies on.

- **e** or **Enter** edits the highlighted row.
- **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", id="edit-rule"),
    ]
    COLUMNS = RULE_COLUMNS
    SUB_TITLE = "state table"

    def above_table(self) -> Iterable[Widget]:
        """The reminder that the table is no legal advice."""
        yield Static(COUNSEL_NOTICE, id="counsel-notice")

    def fetch(self) -> list[RuleView]:
        """Every row, through the services."""
        return rules.list_rules(self.ctx, self.user)

    def key_of(self, view: RuleView) -> str:
        """Rows are keyed by jurisdiction code."""
        return view.jurisdiction

    def row_of(self, view: RuleView) -> tuple[object, ...]:
        """The cells of one jurisdiction."""
        return row_of(view)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        """Open the edit dialog for the highlighted row."""
        view = self.highlighted()
        if view is not None:
            dialog = EditRuleDialog(self.ctx, self.user, view)
            self.app.push_screen(dialog, self._saved)

    def _saved(self, view: RuleView | None) -> None:
        if view is not None:
            self.notify(f"Saved the rules of {view.jurisdiction}.")
            self.load()
