"""A session screen that lists records from one service call in one table.

Accounts, pairs and the audit trail are such screens, and so will be clients,
recordings and the review queue: each says how to fetch its records (in a
worker, through the services that check the policy), how to key them and how
to draw a row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer, Header

from supervise.screens.base import SessionScreen, attempt
from supervise.widgets.record_table import RecordTable

V = TypeVar("V")


class TableScreen(SessionScreen, Generic[V]):
    """List records in a `RecordTable`; reload after every change."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()
    """The column labels."""
    SUB_TITLE: ClassVar[str] = ""
    """Shown in the header beside the app's title."""

    def compose(self) -> ComposeResult:
        """The header, anything `above_table` adds, the table, the footer."""
        yield Header()
        yield from self.above_table()
        yield RecordTable(*self.COLUMNS)
        yield Footer()

    def above_table(self) -> Iterable[Widget]:
        """Widgets between the header and the table (none by default)."""
        return ()

    def on_mount(self) -> None:
        """Load the records."""
        self.sub_title = self.SUB_TITLE
        self.views: dict[str, V] = {}
        self.load()

    def fetch(self) -> list[V]:
        """Read the records through the services (runs in a thread worker)."""
        raise NotImplementedError

    def key_of(self, view: V) -> str:
        """The row key of a record."""
        raise NotImplementedError

    def row_of(self, view: V) -> tuple[object, ...]:
        """The cells of a record's row; typed text goes through `literal`."""
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Fetch the records off the UI thread; a refusal shows as an error."""
        views = attempt(self, self.fetch)
        if views is not None:
            self.app.call_from_thread(self._fill, views)

    def _fill(self, views: list[V]) -> None:
        self.views = {self.key_of(view): view for view in views}
        self.query_one(RecordTable).replace_rows(
            (key, self.row_of(view)) for key, view in self.views.items()
        )

    def highlighted(self) -> V | None:
        """The record under the cursor, if any."""
        key = self.query_one(RecordTable).highlighted_key
        return None if key is None else self.views.get(key)

    def reload_after(self, change: Callable[[], object]) -> None:
        """Run a service change (in a worker thread), then reload on success."""
        if attempt(self, change) is not None:
            self.app.call_from_thread(self.load)
