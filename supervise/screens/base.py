"""What the screens share: service calls off the UI thread, and two frames.

`SessionScreen` is a full screen opened by a logged-in person; `Dialog` is a
modal that `escape` always closes with `None`. Service modules are imported
inside the functions, so that importing this module stays cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from supervise.logsafe import frames, safe_summary
from supervise.widgets.literal import literal

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from supervise.services.accounts import UserSession
    from supervise.services.context import ProgramContext
    from supervise.services.recordings import RecordingView

T = TypeVar("T")
ResultT = TypeVar("ResultT")

FORM_KEYS: list[BindingType] = [
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
    Binding(
        "shift+tab", "app.focus_previous", "Previous field", show=False, priority=True
    ),
    Binding("enter", "next_field", "Next field", show=False, priority=True),
]
"""Keys that move between form fields, handled by the app as they arrive.

Textual hands each key to the widget focused when the key arrives. Keys typed
ahead of a Tab or Enter (a fast typist, a laggy SSH link, a paste) would land
in the old field if focus moved only when the field handled its Tab or Enter;
priority bindings move focus first. Enter moves on only where the form's
`next_field` check allows it (elsewhere it submits, as usual).
"""


def attempt(node: Widget | App[Any], call: Callable[[], T]) -> T | None:
    """Run a service call; show a refusal as an error notification.

    Meant for thread workers (notifications are thread-safe). The message of
    a `ServiceError` is written for people, so it is shown as it is.

    Returns:
        The call's result, or None when the service refused.
    """
    from supervise.services.errors import ServiceError

    try:
        return call()
    except ServiceError as exc:
        node.notify(str(exc), severity="error", markup=False)
        return None
    except Exception as exc:  # a bug or a database failure: never a traceback
        log_unexpected(exc)
        node.notify(UNEXPECTED, severity="error", markup=False)
        return None


UNEXPECTED = "Something went wrong; the details are in the program's log."


def outcome(call: Callable[[], T]) -> tuple[T | None, str]:
    """Run a service call (in a worker); say why not instead of raising.

    Returns:
        (the result, "") or (None, a message for people: the refusal, or
        `UNEXPECTED` for anything else, which is logged).
    """
    from supervise.services.errors import ServiceError

    try:
        return call(), ""
    except ServiceError as exc:
        return None, str(exc)
    except Exception as exc:  # a bug or a database failure: never a traceback
        log_unexpected(exc)
        return None, UNEXPECTED


def log_unexpected(exc: Exception) -> None:
    """Log an unexpected error by its kinds and frames, never its message."""
    log.error("unexpected error: %s\n%s", safe_summary(exc), frames(exc))


class SessionScreen(Screen[None]):
    """A screen opened by a logged-in person; `escape` goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
    ]

    def __init__(self, ctx: ProgramContext, user: UserSession) -> None:
        """Open the screen for `user` on the program `ctx`."""
        super().__init__()
        self.ctx = ctx
        self.user = user

    def confirm(self, question: Text, verb: str, then: Callable[[], object]) -> None:
        """Ask `question`; run `then` only on yes."""
        from supervise.screens.confirm import ConfirmDialog  # it builds on this

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(question, verb), answered)


class EnterMovesOn:
    """For a screen with `FORM_KEYS`: Enter moves to the next field from the
    fields named in `NEXT_ON_ENTER`, and does its own thing elsewhere."""

    NEXT_ON_ENTER: ClassVar[frozenset[str]] = frozenset()
    """Ids of the fields in which Enter moves to the next field."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Let Enter move on only from the fields in `NEXT_ON_ENTER`."""
        if action == "next_field":
            focused = cast(Screen[Any], self).focused
            return focused is not None and focused.id in self.NEXT_ON_ENTER
        return True

    def action_next_field(self) -> None:
        """Move to the next field."""
        cast(Screen[Any], self).focus_next()


class Dialog(EnterMovesOn, ModalScreen[ResultT | None]):
    """A modal with an error line; `escape` closes it with None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        *FORM_KEYS,
    ]

    def action_cancel(self) -> None:
        """Close without a result."""
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        """Show `message` on the dialog's `#error` line, literally."""
        self.query_one("#error", Static).update(literal(message))

    @work(thread=True, exclusive=True, group="submit")
    def submit(self, call: Callable[[], ResultT]) -> None:
        """Run `call` off the UI thread; dismiss with its result or show why not."""
        from supervise.services.errors import ServiceError

        try:
            result = call()
        except ServiceError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        except Exception as exc:  # never a traceback on the screen
            log_unexpected(exc)
            self.app.call_from_thread(self.show_error, UNEXPECTED)
            return
        self.app.call_from_thread(self._finish, result)

    def _finish(self, result: ResultT) -> None:
        # Returns None rather than the pop's awaitable: `call_from_thread`
        # would await the removal of this screen while its worker still runs.
        self.dismiss(result)


class RecordingDialog(Dialog[ResultT]):
    """A dialog about one recording, acting as the logged-in person."""

    def __init__(
        self, ctx: ProgramContext, user: UserSession, view: RecordingView
    ) -> None:
        """Act on `view` as `user`."""
        super().__init__()
        self.ctx = ctx
        self.user = user
        self.view = view

    @property
    def recording_id(self) -> int:
        """The recording's id."""
        return self.view.id


def permit(ctx: ProgramContext, user: UserSession, policy: str) -> bool:
    """Ask the policy through the services; a refusal raises and is audited.

    Returns:
        True (a refusal raises `PermissionDenied` instead).
    """
    from supervise.services.accounts import require
    from supervise.services.policy import Action

    require(ctx, user, Action(policy))
    return True
