"""The assign dialog: pick a supervisor, a trainee and the kind of supervision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Select, Static

from supervise.models.accounts import Role, SupervisionKind
from supervise.screens.base import Dialog, attempt
from supervise.services import accounts, pairs
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import AccountView, UserSession
    from supervise.services.context import ProgramContext


def choices(views: list[AccountView], role: Role) -> list[tuple[Text, str]]:
    """Active accounts holding `role`, as 'username  Full Name' options."""
    options = []
    for view in views:
        if role in view.roles and not view.disabled:
            prompt = literal(view.username, style="bold")
            prompt.append_text(literal(f"  {view.full_name}"))
            options.append((prompt, view.username))
    return options


class AssignPairDialog(Dialog[pairs.PairView]):
    """Assign a supervisor to a trainee from today; dismiss with the new pair."""

    HELP = """\
# Assign a supervisor

Choose the **supervisor**, the **trainee** and the **kind** of supervision,
then **Assign**. The pair starts today; from now on the supervisor can
review the trainee's work. Only active accounts holding the role are offered.
"""

    AUTO_FOCUS = "#supervisor"

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Assign pairs as `user`, an admin."""
        super().__init__()
        self.ctx = ctx
        self.user = user

    def compose(self) -> ComposeResult:
        """Three choices, an error line and the buttons."""
        kinds = [(kind.value, kind.value) for kind in SupervisionKind]
        with Vertical(classes="dialog"):
            yield Static("Assign a supervisor", classes="dialog-title")
            yield Select[str]([], prompt="Supervisor", id="supervisor")
            yield Select[str]([], prompt="Trainee", id="trainee")
            yield Select(
                kinds,
                value=SupervisionKind.INDIVIDUAL.value,
                allow_blank=False,
                id="kind",
            )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Assign", id="assign", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Load the accounts to choose from."""
        self.load_accounts()

    @work(thread=True, exclusive=True, group="load")
    def load_accounts(self) -> None:
        """Read the accounts through the services."""
        views = attempt(self, lambda: accounts.list_accounts(self.ctx, self.user))
        if views is not None:
            self.app.call_from_thread(self._offer, views)

    def _offer(self, views: list[AccountView]) -> None:
        supervisors = self.query_one("#supervisor", Select)
        supervisors.set_options(choices(views, Role.SUPERVISOR))
        self.query_one("#trainee", Select).set_options(choices(views, Role.TRAINEE))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#assign")
    def assign(self) -> None:
        """Ask the services to add the pair."""
        supervisor, trainee, kind = (
            self.query_one(f"#{name}", Select).value
            for name in ("supervisor", "trainee", "kind")
        )
        if not isinstance(supervisor, str) or not isinstance(trainee, str):
            self.show_error("Choose a supervisor and a trainee.")
            return
        self.submit(
            lambda: pairs.add_pair(self.ctx, self.user, supervisor, trainee, str(kind))
        )
