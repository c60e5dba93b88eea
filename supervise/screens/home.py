"""The home screens, one per role: who is logged in, their pairs, where to go.

The list of destinations comes from `supervise.screens.destinations`; a home
lists the rows for its role and binds their keys.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from supervise.screens.base import attempt
from supervise.screens.destinations import BY_ID, for_roles
from supervise.units import counted
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import AccountView, UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.pairs import PairView
    from supervise.services.reviews import QueuePage


def nav_bindings(role: str) -> list[BindingType]:
    """A key for each destination of `role`, kept out of the footer."""
    return [
        Binding(item.key, f"app.open({item.id!r})", item.label, show=False, id=item.id)
        for item in for_roles((role,))
    ]


def who_line(account: AccountView, role: str) -> Text:
    """'Full Name (username) · role home', the name shown as typed."""
    text = literal(account.full_name or account.username, style="bold")
    text.append_text(literal(f" ({account.username})"))
    text.append(f" · {role} home")
    others = [str(r) for r in account.roles if str(r) != role]
    if others:
        text.append(f"\nAlso {', '.join(others)}: press r to switch.", style="dim")
    return text


def pairs_line(pairs: list[PairView], username: str, role: str) -> Text:
    """The person's current pairs, from the side `role` sees them."""
    if role == "supervisor":
        title = "Your trainees: "
        others = [(p.trainee, p.kind) for p in pairs if p.supervisor == username]
    else:
        title = "Your supervisors: "
        others = [(p.supervisor, p.kind) for p in pairs if p.trainee == username]
    text = Text(title, style="bold")
    if not others:
        text.append("none yet", style="italic")
    for index, (name, kind) in enumerate(others):
        text.append(", " if index else "")
        text.append_text(literal(name))
        text.append(f" ({kind})", style="dim")
    return text


def queue_note(page: QueuePage) -> str:
    """'3 recordings wait for your review, the oldest for 2 days: press q.'"""
    from supervise.screens.review_text import waited_text, waiting_text

    if not page.items:
        return "No recording waits for your review."
    verb = "waits" if page.total == 1 and not page.more_than_total else "wait"
    oldest = waited_text(page.items[0].waited)
    return (
        f"{waiting_text(page.total, page.more_than_total)} {verb} for your review, "
        f"the oldest for {oldest}: press {BY_ID['review-queue'].key}."
    )


class RoleHome(Screen[None]):
    """What every home shows; subclasses name the role."""

    ROLE: ClassVar[str] = ""
    SHOWS_PAIRS: ClassVar[bool] = False
    SHOWS_UPLOADS: ClassVar[bool] = False
    """Say when uploads wait in the SSH inbox (trainees)."""
    SHOWS_QUEUE: ClassVar[bool] = False
    """Say how many recordings wait for review, and the oldest wait."""
    SHOWS_FEEDBACK: ClassVar[bool] = False
    """Say when signed-off reviews wait to be read (trainees)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "app.switch_role", "Switch role", id="switch-role"),
    ]
    HELP = """\
# Home

The list shows where you can go; press the key beside an entry or choose it
with the arrow keys and **Enter**.

- **ctrl+p** opens the command palette: every action, by name.
- **r** switches to the home of another role you hold.
- **ctrl+l** logs you off. You are also logged off when idle for a while.
"""

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Show the home of `ROLE` for `user`."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.sub_title = f"{self.ROLE} home"
        self._shown = False

    def compose(self) -> ComposeResult:
        """The greeting, the pairs if the role has them, and the destinations."""
        yield Header()
        with Vertical(id="home"):
            yield Static("", id="who")
            if self.SHOWS_PAIRS:
                yield Static("", id="my-pairs")
            if self.SHOWS_UPLOADS:
                yield Static("", id="uploads-note")
            if self.SHOWS_QUEUE:
                yield Static("", id="queue-note")
            if self.SHOWS_FEEDBACK:
                yield Static("", id="new-feedback-note")
            yield OptionList(*self._options(), id="nav")
        yield Footer()

    def _options(self) -> list[Option]:
        return [
            Option(Text.assemble(f"{item.key}  ", (item.label, "bold")), id=item.id)
            for item in for_roles((self.ROLE,))
        ]

    def on_mount(self) -> None:
        """Load the account and its pairs off the UI thread."""
        self.query_one("#nav", OptionList).border_title = "Go to"
        self.load()

    @work(thread=True, exclusive=True, group="home")
    def load(self) -> None:
        """Read the person's account and, where shown, their pairs."""
        from supervise.services import accounts, pairs

        account = attempt(self, lambda: accounts.own_account(self.ctx, self.user))
        if account is None:
            return
        self._deliver(self._show_who, account)
        if self.SHOWS_PAIRS:
            mine = attempt(self, lambda: pairs.my_pairs(self.ctx, self.user))
            if mine is not None:
                self._deliver(self._show_pairs, mine)
        if self.SHOWS_UPLOADS:
            self._load_uploads()
        if self.SHOWS_QUEUE or self.SHOWS_FEEDBACK:
            self._load_reviews()

    def _deliver(self, show: Callable[[Any], None], value: Any) -> None:
        """Show what a load read, on the UI thread, unless the home has been
        left meanwhile (a logoff, idle or not, removes its widgets)."""

        def guarded() -> None:
            with contextlib.suppress(NoMatches):
                show(value)

        self.app.call_from_thread(guarded)

    def _load_reviews(self) -> None:
        from supervise.services import reviews

        if self.SHOWS_QUEUE:
            page = attempt(self, lambda: reviews.queue(self.ctx, self.user, limit=1))
            if page is not None:
                self._deliver(self._show_queue, page)
        if self.SHOWS_FEEDBACK:
            new = attempt(self, lambda: reviews.new_feedback_count(self.ctx, self.user))
            if new is not None:
                self._deliver(self._show_new_feedback, new)

    def _show_queue(self, page: QueuePage) -> None:
        self.query_one("#queue-note", Static).update(queue_note(page))

    def _show_new_feedback(self, new: int) -> None:
        note = self.query_one("#new-feedback-note", Static)
        key = BY_ID["feedback"].key
        note.update(f"{new} new feedback: press {key} to read it.")
        note.display = new > 0

    def on_screen_resume(self) -> None:
        """Count again on coming back (a review read or signed off)."""
        if self._shown:
            self.load()
        self._shown = True

    def _load_uploads(self) -> None:
        from supervise.services import dropbox_owner

        account_id = self.user.account_id
        waiting = attempt(
            self, lambda: dropbox_owner.pending_count(self.ctx, account_id)
        )
        if waiting:
            self._deliver(self._show_uploads, waiting)

    def _show_uploads(self, waiting: int) -> None:
        note = self.query_one("#uploads-note", Static)
        verb = "waits" if waiting == 1 else "wait"
        note.update(
            f"{counted(waiting, 'upload')} {verb} in your SSH inbox: press n to attach."
        )
        note.display = True

    def _show_who(self, account: AccountView) -> None:
        self.query_one("#who", Static).update(who_line(account, self.ROLE))

    def _show_pairs(self, mine: list[PairView]) -> None:
        line = pairs_line(mine, self.user.username, self.ROLE)
        self.query_one("#my-pairs", Static).update(line)

    @on(OptionList.OptionSelected, "#nav")
    async def _open(self, event: OptionList.OptionSelected) -> None:
        await self.run_action(f"app.open({event.option.id!r})")


class AdminHome(RoleHome):
    """Home of an admin: accounts, pairs, the audit trail."""

    ROLE = "admin"
    BINDINGS = nav_bindings(ROLE)


class SupervisorHome(RoleHome):
    """Home of a supervisor: their current trainees."""

    ROLE = "supervisor"
    SHOWS_PAIRS = True
    SHOWS_QUEUE = True
    BINDINGS = nav_bindings(ROLE)


class TraineeHome(RoleHome):
    """Home of a trainee: their current supervisors."""

    ROLE = "trainee"
    SHOWS_PAIRS = True
    SHOWS_UPLOADS = True
    SHOWS_FEEDBACK = True
    BINDINGS = nav_bindings(ROLE)


class AuditorHome(RoleHome):
    """Home of an auditor: the audit trail."""

    ROLE = "auditor"
    BINDINGS = nav_bindings(ROLE)


HOMES: dict[str, type[RoleHome]] = {
    home.ROLE: home for home in (AdminHome, SupervisorHome, TraineeHome, AuditorHome)
}
"""The home screen class of each role."""
