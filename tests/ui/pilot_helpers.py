"""Helpers for driving the app in Pilot tests: waiting, logging in, reading."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from supervise.app import SuperviseApp
from supervise.services.context import ProgramContext
from supervise.services.setup import DemoAccount
from tests.conftest import Demo, newest_audit_rows

MAX_ROUNDS = 50
"""Rounds of waiting before `settle` gives up (a worker that never ends)."""


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker runs and the messages they posted are handled.

    A worker's result can start another worker (a login shows a home, which
    loads the account), so this waits in rounds until none are left.
    """
    app = pilot.app
    for _ in range(MAX_ROUNDS):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.workers:
            return
    raise AssertionError("workers still running after settling")


async def log_in(
    pilot: Pilot[None], username: str, password: str, *, typed: bool = False
) -> None:
    """Log in through the form: typed key by key, or filled in and clicked.

    Typing is slow under Pilot (a pause after every key), so most tests fill
    the fields and click the button; the login tests type.
    """
    if typed:
        await pilot.press(*username, "enter", *password, "enter")
    else:
        screen = pilot.app.screen
        screen.query_one("#username", Input).value = username
        screen.query_one("#password", Input).value = password
        await pilot.click("#log-in")
    await settle(pilot)


def type_ahead(app: SuperviseApp, *keys: str) -> None:
    """Queue keys all at once, as a fast typist or a laggy SSH link sends them.

    `pilot.press` waits after each key, which hides bugs where a key lands in
    the field focused before an earlier Tab or Enter was handled. Each key is
    a key name ("tab", "enter") or a single character.
    """
    names = {"-": "minus", " ": "space", ".": "full_stop"}
    characters = {"enter": "\r", "tab": "\t", "ctrl+j": "\n"}
    for key in keys:
        character = key if len(key) == 1 else characters.get(key)
        app.post_message(events.Key(names.get(key, key), character))


def app_for(demo: Demo, demo_accounts: Sequence[DemoAccount] = ()) -> SuperviseApp:
    """The app on a demo program's context and fake clock."""
    return SuperviseApp(
        demo.ctx.settings,
        context=demo.ctx,
        clock=demo.clock,
        demo_accounts=demo_accounts,
    )


def text_of(app: SuperviseApp, selector: str) -> str:
    """The plain text a `Static` on the current screen shows."""
    return str(app.screen.query_one(selector, Static).content)


def audit_actions(ctx: ProgramContext, limit: int = 20) -> list[tuple[str, str]]:
    """The newest audit rows as (action, outcome), newest first."""
    return [(e.action, str(e.outcome)) for e in newest_audit_rows(ctx, limit)]
