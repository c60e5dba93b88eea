"""A read-only table of records that keeps its place when reloaded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.widgets import DataTable


class RecordTable(DataTable[Any]):
    """One record a row, each keyed by a string; the cursor moves by row."""

    def __init__(self, *columns: str, id: str | None = None) -> None:
        """A table with the given column labels."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.add_columns(*columns)

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[Any]]]) -> None:
        """Show `rows` (key, cells) instead, keeping the cursor's row number."""
        row = self.cursor_row
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    @property
    def highlighted_key(self) -> str | None:
        """The key of the row under the cursor, or None in an empty table."""
        if not self.row_count:
            return None
        row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(row_key.value)
