"""The escrow grant dialog (admins): a pair's supervisor gains the trainee's
older recordings and clients now, opened with the offline escrow key."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from supervise.screens.base import Dialog
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.pairs import PairView


def grant_with_key_file(
    ctx: ProgramContext, user: UserSession, pair_id: int, path: str
) -> int:
    """Read the escrow key file and grant; an unreadable file is refused.

    Raises:
        InvalidInput: No path, or not an escrow key file; as for
            `pair_grants.grant_with_escrow` otherwise.
    """
    from supervise.crypto.offline import OfflineKeyError, read_offline_key
    from supervise.services import pair_grants
    from supervise.services.errors import InvalidInput

    if not path.strip():
        raise InvalidInput("give the path of the escrow key file")
    try:
        escrow = read_offline_key(Path(path.strip()).expanduser(), "escrow")
    except OfflineKeyError as exc:
        raise InvalidInput(str(exc)) from None
    return pair_grants.grant_with_escrow(ctx, user, pair_id, escrow)


def heading(pair: PairView) -> Text:
    """'Grant sofia theo's recordings and clients now', names as typed."""
    text = Text("Grant ")
    text.append_text(literal(pair.supervisor, style="bold"))
    text.append(" ")
    text.append_text(literal(pair.trainee, style="bold"))
    text.append("'s older recordings and clients now")
    return text


class EscrowGrantDialog(Dialog[int]):
    """Ask for the escrow key file; dismiss with the number of grants made."""

    HELP = """\
# Grant now with the escrow key

A newly assigned supervisor gains the trainee's older recordings and client
records the next time the trainee logs in. To give them at once, type the
path of the program's offline **escrow key file** and press **Grant**.

Each object the key opens is on the audit record. Recordings whose consent
leaves supervisors out are not granted. Take the key away afterwards.
"""

    AUTO_FOCUS = "#key-file"

    def __init__(self, ctx: ProgramContext, user: UserSession, pair: PairView) -> None:
        """Grant for `pair`, as `user` (an admin)."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.pair = pair

    def compose(self) -> ComposeResult:
        """The heading, the key file path, an error line and the buttons."""
        with Vertical(classes="dialog"):
            yield Static(heading(self.pair), classes="dialog-title")
            yield Input(placeholder="/media/usb/escrow.key", id="key-file")
            yield Static(
                "Without this, they gain them at the trainee's next login.",
                classes="dialog-note",
            )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Grant", id="grant", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Label the field in its border."""
        self.query_one("#key-file", Input).border_title = "Escrow key file"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#key-file")
    @on(Button.Pressed, "#grant")
    def grant(self) -> None:
        """Read the key and ask the services to grant."""
        path = self.query_one("#key-file", Input).value
        pair_id = self.pair.id
        self.show_error("Granting…")
        self.submit(lambda: grant_with_key_file(self.ctx, self.user, pair_id, path))
