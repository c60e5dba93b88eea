"""Helpers for the clients and recordings Pilot tests: seeding and waiting."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

from supervise.app import SuperviseApp
from supervise.services import clients, consent_signing, consents, recordings
from supervise.services.recordings import RecordingView
from tests.conftest import Demo
from tests.ui.pilot_helpers import MAX_ROUNDS, log_in, settle

ScreenT = TypeVar("ScreenT", bound=Screen[Any])
TONE = Path(__file__).parent.parent / "data" / "media" / "tone.wav"
TREE_LOADER = "_loader"
"""The group of the `DirectoryTree` worker that waits for folders to load for
as long as the tree is shown, so it never completes."""


def in_front(app: SuperviseApp, screen: Screen[Any]) -> bool:
    """Whether `screen` is the one in front (a function, so that mypy does
    not narrow either side the way an inline `is` would)."""
    return app.screen is screen


async def settle_beside_tree(pilot: Pilot[None]) -> None:
    """As `settle`, but for every worker except a folder tree's loader."""
    app = pilot.app
    for _ in range(MAX_ROUNDS):
        busy = [w for w in app.workers if w.group != TREE_LOADER]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()
        if not [w for w in app.workers if w.group != TREE_LOADER]:
            return
    raise AssertionError("workers still running after settling")


async def open_as(
    pilot: Pilot[None], demo: Demo, username: str, key: str
) -> SuperviseApp:
    """Log in as `username` and press a home key (no wait: a tree may load)."""
    await log_in(pilot, username, demo.password(username))
    await pilot.press(key)
    app = pilot.app
    assert isinstance(app, SuperviseApp)
    return app


async def open_and_settle(
    pilot: Pilot[None], demo: Demo, username: str, key: str
) -> SuperviseApp:
    """Log in, press a home key and wait for the screen to load."""
    app = await open_as(pilot, demo, username, key)
    await settle(pilot)
    return app


async def open_row(
    pilot: Pilot[None],
    demo: Demo,
    username: str,
    key: str,
    row_id: int,
    kind: type[ScreenT],
) -> ScreenT:
    """Log in, open a list with a home key and Enter on the row `row_id`;
    the screen that opens must be a `kind`."""
    from supervise.widgets.record_table import RecordTable

    app = await open_and_settle(pilot, demo, username, key)
    table = app.screen.query_one(RecordTable)
    table.move_cursor(row=table.get_row_index(str(row_id)))
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, kind)
    return screen


EVERY_PURPOSE = ("clinical_record", "supervision", "training")


def add_client(
    demo: Demo,
    case_code: str,
    name: str,
    trainee: str = "tara",
    *,
    consented: bool = False,
) -> clients.ClientView:
    """Add an adult client of `trainee` through the services; with
    `consented`, also a signed consent to every purpose."""
    identity = clients.ClientIdentity(name, date(1990, 4, 17))
    view = clients.add_client(demo.ctx, demo.login(trainee), case_code, identity)
    if consented:
        sign_consent(demo, case_code, trainee)
    return view


def sign_consent(
    demo: Demo, case_code: str, trainee: str = "tara", access: tuple[str, ...] = ()
) -> consents.ConsentView:
    """Draft, print and sign a consent to every purpose, naming `access`."""
    user = demo.login(trainee)
    terms = consents.ConsentTerms(EVERY_PURPOSE, access=access)
    view = consents.new_consent(demo.ctx, user, case_code, terms)
    consent_signing.mark_printed(demo.ctx, user, view.id)
    lines = [line.key for line in view.lines if line.required]
    today = demo.ctx.now().date()
    return consent_signing.sign(demo.ctx, user, view.id, on=today, lines=lines)


def add_recording(
    demo: Demo,
    case_code: str,
    trainee: str = "tara",
    source: Path = TONE,
    access: tuple[str, ...] = (),
) -> RecordingView:
    """Add a client of `trainee`, sign their consent (naming `access`) and
    import `source` for it, through the services."""
    add_client(demo, case_code, "Ann Lee", trainee)
    sign_consent(demo, case_code, trainee, access)
    return recordings.import_recording(demo.ctx, demo.login(trainee), source, case_code)


def recording_ids(demo: Demo, username: str) -> set[int]:
    """The ids of the recordings `username` may list, asked of the services."""
    user = demo.login(username)
    return {view.id for view in recordings.list_recordings(demo.ctx, user)}
