"""The rubric screen (admins): the competencies supervisors rate, in order.

Admins add items, edit an item's label and description, move items up and
down, and retire or restore them; reviews keep what they were rated under.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import Dialog, attempt
from supervise.screens.table import TableScreen
from supervise.services import rubric
from supervise.widgets.literal import literal
from supervise.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.rubric import RubricEntry

RUBRIC_COLUMNS = ("#", "Code", "Label", "Description", "State")


def row_of(position: int, entry: RubricEntry) -> tuple[object, ...]:
    """The cells of one item; typed text is shown literally."""
    return (
        str(position),
        entry.code,
        literal(entry.label),
        literal(entry.description),
        "retired" if entry.retired else "in use",
    )


class RubricItemDialog(Dialog["RubricEntry"]):
    """Add an item (code, label, description) or edit one's label and
    description; dismiss with the item as saved."""

    HELP = """\
# Rubric item

- **Code**: 1 to 32 lower-case letters, digits or `_`, starting with a
  letter (like `empathy`). Reviews name items by code, so it never changes.
- **Label**: what supervisors see beside the 1 to 5 scale.
- **Description**: optional words on what to look for.
"""

    AUTO_FOCUS = "#code, #label"
    """The code, unless editing (it is fixed then): the label."""
    NEXT_ON_ENTER = frozenset({"code", "label"})

    def __init__(
        self,
        ctx: ProgramContext,
        user: UserSession,
        entry: RubricEntry | None = None,
    ) -> None:
        """Add an item, or edit `entry`, as `user` (an admin)."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.entry = entry

    def compose(self) -> ComposeResult:
        """Three fields, an error line and the buttons."""
        editing = self.entry is not None
        title = f"Edit rubric item {self.entry.code}" if self.entry else "New item"
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Input(
                self.entry.code if self.entry else "",
                placeholder="e.g. empathy",
                id="code",
                disabled=editing,
            )
            yield Input(
                self.entry.label if self.entry else "",
                placeholder="e.g. Empathic responding",
                id="label",
            )
            yield Input(
                self.entry.description if self.entry else "",
                placeholder="optional",
                id="description",
            )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the fields in their borders."""
        for name, label in (
            ("code", "Code"),
            ("label", "Label"),
            ("description", "Description"),
        ):
            self.query_one(f"#{name}", Input).border_title = label

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#description")
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        """Ask the services to add or change the item."""
        code = self.entry.code if self.entry else self.query_one("#code", Input).value
        label = self.query_one("#label", Input).value
        description = self.query_one("#description", Input).value
        self.show_error("Saving…")
        if self.entry is None:
            self.submit(
                lambda: rubric.add_item(self.ctx, self.user, code, label, description)
            )
        else:
            self.submit(
                lambda: rubric.edit_item(
                    self.ctx, self.user, code, label=label, description=description
                )
            )


class RubricScreen(TableScreen["RubricEntry"]):
    """The rubric in order, retired items too; admins change it here."""

    HELP = """\
# Rubric

The competencies supervisors rate in a review, 1 to 5 or not observed, in
the order reviews show them. Retired items are kept for the reviews rated
under them and offered no more.

- **a** adds an item at the end.
- **e** edits the highlighted item's label and description.
- **u** and **d** move it up and down.
- **x** retires it, or restores a retired one.
- **Escape** goes back.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="add-item"),
        Binding("e", "edit", "Edit", id="edit-item"),
        Binding("u", "move(-1)", "Move up", id="move-up"),
        Binding("d", "move(1)", "Move down", id="move-down"),
        Binding("x", "retire", "Retire/restore", id="retire-item"),
    ]
    COLUMNS = RUBRIC_COLUMNS
    SUB_TITLE = "rubric"

    def fetch(self) -> list[RubricEntry]:
        """Every item, retired ones too, in order."""
        return rubric.list_rubric(self.ctx, self.user, include_retired=True)

    def key_of(self, view: RubricEntry) -> str:
        """Items are keyed by their code."""
        return view.code

    def row_of(self, view: RubricEntry) -> tuple[object, ...]:
        """The cells of one item, numbered by its place in the list."""
        return row_of(self.place_of(view), view)

    def place_of(self, view: RubricEntry) -> int:
        """The item's place, counting from 1, among every item."""
        return 1 + list(self.views).index(view.code)

    def action_add(self) -> None:
        """Open the dialog for a new item."""
        self.app.push_screen(RubricItemDialog(self.ctx, self.user), self._saved)

    def action_edit(self) -> None:
        """Open the dialog for the highlighted item."""
        entry = self.highlighted()
        if entry is not None:
            self.app.push_screen(
                RubricItemDialog(self.ctx, self.user, entry), self._saved
            )

    def _saved(self, entry: RubricEntry | None) -> None:
        if entry is not None:
            self.notify(f"Rubric item {entry.code} saved.", markup=False)
            self.load()

    def action_move(self, step: int) -> None:
        """Move the highlighted item up (-1) or down (+1) one place."""
        entry = self.highlighted()
        if entry is None:
            return
        target = self.place_of(entry) + step
        if 1 <= target <= len(self.views):
            self.move(entry.code, target)

    @work(thread=True, group="change")
    def move(self, code: str, target: int) -> None:
        """Give an item its new place; the cursor follows it."""
        call = partial(rubric.edit_item, self.ctx, self.user, code, position=target)
        if attempt(self, call) is not None:
            self.app.call_from_thread(self._moved, target)

    def _moved(self, target: int) -> None:
        self.query_one(RecordTable).move_cursor(row=target - 1)
        self.load()

    def action_retire(self) -> None:
        """Retire the highlighted item, or restore it if retired."""
        entry = self.highlighted()
        if entry is not None:
            self.toggle(entry)

    @work(thread=True, group="change")
    def toggle(self, entry: RubricEntry) -> None:
        """Retire or restore an item through the services, then reload."""
        change = rubric.restore_item if entry.retired else rubric.retire_item
        self.reload_after(partial(change, self.ctx, self.user, entry.code))
