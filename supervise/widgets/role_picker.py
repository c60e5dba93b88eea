"""A list of the four roles with a check box each."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from supervise.screens.destinations import ROLE_ORDER


class RolePicker(SelectionList[str]):
    """Pick one or more roles; Space toggles the highlighted one."""

    def __init__(self, chosen: Iterable[str] = (), *, id: str | None = None) -> None:
        """Offer every role, with those in `chosen` ticked."""
        ticked = {str(role) for role in chosen}
        super().__init__(
            *(Selection(role, role, role in ticked) for role in ROLE_ORDER), id=id
        )
        self.border_title = "Roles (space ticks)"

    @property
    def roles(self) -> list[str]:
        """The ticked roles, in the usual order."""
        chosen = set(self.selected)
        return [role for role in ROLE_ORDER if role in chosen]
