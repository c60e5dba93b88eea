"""The recordings list, the import screen, the recording detail and its dialogs."""

from __future__ import annotations

import shutil
import threading
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Select

from supervise.media import NOT_MEDIA_MESSAGE
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.export_recording import ExportDialog
from supervise.screens.import_recording import CANCELLED, ImportScreen
from supervise.screens.legal_hold import LegalHoldDialog
from supervise.screens.recording_detail import RecordingDetailScreen
from supervise.screens.recording_text import home_setup, play_command
from supervise.screens.recordings import RecordingsScreen
from supervise.screens.share import ShareDialog
from supervise.screens.unshare import UnshareDialog
from supervise.services import recordings
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.clinical_helpers import (
    TONE,
    add_client,
    add_recording,
    in_front,
    open_and_settle,
    open_as,
    open_row,
    recording_ids,
    settle_beside_tree,
)
from tests.ui.pilot_helpers import app_for, audit_actions, settle, text_of

BIG_WAV_BYTES = 30 * 1024 * 1024


def write_big_wav(path: Path) -> Path:
    """A 30 MB silent WAV, large enough to cancel an import under way."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(BIG_WAV_BYTES))
    return path


def blob_files(demo: Demo) -> list[Path]:
    """Every file in the blob store, the temporary folder included."""
    return sorted(p for p in demo.ctx.blobs.folder.rglob("*") if p.is_file())


async def open_detail(
    pilot: Pilot[None], demo: Demo, username: str, recording_id: int
) -> RecordingDetailScreen:
    """Log in, open the recordings list and Enter on one."""
    return await open_row(
        pilot, demo, username, "s", recording_id, RecordingDetailScreen
    )


async def start_import(
    pilot: Pilot[None], demo: Demo, typed_path: str, case_code: str
) -> ImportScreen:
    """As tara, open the import screen, type the path, choose the client."""
    app = await open_as(pilot, demo, "tara", "i")
    await settle_beside_tree(pilot)
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    assert screen.focused is screen.query_one("#path")
    await pilot.press(*typed_path)
    screen.query_one("#client", Select).value = case_code
    screen.query_one("#purpose", Select).value = "training"
    return screen


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder to run in: the import screen's tree starts here."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


async def test_an_import_typed_as_a_path_finishes_and_the_list_shows_it(
    sqlite_program: Demo, folder: Path
) -> None:
    add_client(sqlite_program, "T-50", "Ann Lee", consented=True)
    shutil.copy(TONE, folder / "s.wav")
    before = recording_ids(sqlite_program, "tara")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "s")
        await pilot.press("i")
        await settle_beside_tree(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await pilot.press(*"s.wav")  # relative to the tree's folder
        screen.query_one("#client", Select).value = "T-50"
        screen.query_one("#purpose", Select).value = "training"
        await pilot.click("#start")
        await settle_beside_tree(pilot)
        detail = app.screen
        assert isinstance(detail, RecordingDetailScreen)
        (new_id,) = recording_ids(sqlite_program, "tara") - before
        assert detail.recording_id == new_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RecordingsScreen)
        shown = app.screen.views[str(new_id)]
        assert (shown.case_code, shown.purpose) == ("T-50", "training")
        assert str(shown.session_date) == "2026-12-03"  # today, by the clock
    tara = sqlite_program.login("tara")
    with (folder / "back.wav").open("wb") as out:
        recordings.export_recording(sqlite_program.ctx, tara, new_id, out)
    assert (folder / "back.wav").read_bytes() == TONE.read_bytes()


async def test_cancelling_an_import_stores_nothing(
    sqlite_program: Demo, folder: Path
) -> None:
    add_client(sqlite_program, "T-51", "Ann Lee", consented=True)
    write_big_wav(folder / "big.wav")
    before = recording_ids(sqlite_program, "tara")
    blobs_before = blob_files(sqlite_program)
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_import(pilot, sqlite_program, "big.wav", "T-51")
        transfer = screen.transfer
        report = transfer.report
        cancel = screen.query_one("#cancel", Button)

        def report_then_cancel(done: int, total: int) -> None:
            # Press Cancel after the first chunk, and hold the worker until
            # the press is handled: the import is surely under way, and the
            # cancel surely lands before it could finish.
            report(done, total)
            if not transfer.cancelled():
                app.call_from_thread(cancel.press)
                assert wait_until(transfer.cancelled)

        transfer.report = report_then_cancel  # type: ignore[method-assign]
        await pilot.click("#start")
        await settle_beside_tree(pilot)
        assert in_front(app, screen)
        assert text_of(app, "#status") == CANCELLED
        assert not screen.query_one("#start", Button).disabled
    assert recording_ids(sqlite_program, "tara") == before
    assert blob_files(sqlite_program) == blobs_before
    assert not list(sqlite_program.ctx.blobs.temp_folder.iterdir())


def wait_until(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll `check()` from a worker thread until it is true or time runs out."""
    pause = threading.Event()
    for _ in range(int(seconds * 1000)):
        if check():
            return True
        pause.wait(0.001)
    return False


async def test_a_file_that_is_not_media_is_refused_on_the_screen(
    sqlite_program: Demo, folder: Path
) -> None:
    add_client(sqlite_program, "T-52", "Ann Lee", consented=True)
    (folder / "notes.txt").write_text("not a recording\n")
    before = recording_ids(sqlite_program, "tara")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_import(pilot, sqlite_program, "notes.txt", "T-52")
        await pilot.click("#start")
        await settle_beside_tree(pilot)
        assert in_front(app, screen)
        assert screen.query_one("#status").has_class("failed")
        assert text_of(app, "#status") == NOT_MEDIA_MESSAGE
    assert recording_ids(sqlite_program, "tara") == before
    assert not list(sqlite_program.ctx.blobs.temp_folder.iterdir())


async def test_the_detail_shows_the_grants_and_the_play_command(
    sqlite_program: Demo,
) -> None:
    view = add_recording(sqlite_program, "T-53")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sqlite_program, "sam", view.id)
        grants = screen.query_one("#grants", RecordTable)
        rows = [
            (str(grants.get_row_at(i)[0]), grants.get_row_at(i)[1])
            for i in range(grants.row_count)
        ]
        assert set(rows) >= {
            ("tara", "owner"),
            ("sam", "supervisor"),
            ("sofia", "supervisor"),
            ("escrow", "escrow"),
        }
        command = play_command(view.id, "sam")
        assert command == f"supervise recording export {view.id} -o - --as sam | mpv -"
        play = text_of(app, "#play")
        assert play.endswith(command)
        setup = home_setup(sqlite_program.ctx.settings.home)  # a test home
        assert setup is not None and f"\n{setup}\n" in play
        await pilot.press("s")  # sharing is the trainee's
        assert in_front(app, screen)


async def test_sharing_through_the_dialog_lets_theo_list_it_and_unsharing_stops_it(
    sqlite_program: Demo,
) -> None:
    view = add_recording(sqlite_program, "T-54", access=("theo",))
    assert view.id not in recording_ids(sqlite_program, "theo")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sqlite_program, "tara", view.id)
        await pilot.press("s")
        assert isinstance(app.screen, ShareDialog)
        await pilot.press(*"theo", "enter")
        await settle(pilot)
        assert in_front(app, screen)
        assert view.id in recording_ids(sqlite_program, "theo")
        assert screen.view is not None
        assert ("theo", "share", True) in {
            (g.grantee, g.via, g.live) for g in screen.view.grants
        }
        await pilot.press("u")
        assert isinstance(app.screen, UnshareDialog)
        app.screen.query_one("#username", Input).value = "theo"
        app.screen.query_one("#hard", Checkbox).value = True
        await pilot.click("#unshare")
        await settle(pilot)
        assert in_front(app, screen)
        assert screen.view is not None
        assert ("theo", "share", False) in {
            (g.grantee, g.via, g.live) for g in screen.view.grants
        }
    assert view.id not in recording_ids(sqlite_program, "theo")
    actions = {action for action, _ in audit_actions(sqlite_program.ctx, 20)}
    assert {"recording.share", "recording.unshare", "recording.rekey"} <= actions


async def test_an_export_writes_the_file_and_refuses_an_existing_one(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    view = add_recording(sqlite_program, "T-55")
    out = tmp_path / "copy.wav"
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot, sqlite_program, "tara", view.id)
        for attempt in range(2):
            await pilot.press("e")
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#path", Input).value = str(out)
            await pilot.press("enter")
            await settle(pilot)
            if attempt == 0:
                assert in_front(app, screen)
                assert out.read_bytes() == TONE.read_bytes()
        assert in_front(app, dialog)
        assert text_of(app, "#error") == f"{out} exists already: name a new file"
        await pilot.press("escape")
        assert in_front(app, screen)
    assert out.read_bytes() == TONE.read_bytes()


async def test_an_admin_holds_a_recording_with_a_reason_and_shredding_is_refused(
    sqlite_program: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = add_recording(sqlite_program, "T-56")
    app = app_for(sqlite_program)
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "dana", "s")
        screen = app.screen
        assert isinstance(screen, RecordingsScreen)
        table = screen.query_one(RecordTable)
        table.move_cursor(row=table.get_row_index(str(view.id)))
        await pilot.press("i")  # importing is for trainees
        assert in_front(app, screen)
        await pilot.press("h")
        assert isinstance(app.screen, LegalHoldDialog)
        await pilot.press(*"too short", "enter")
        await settle(pilot)
        assert "state the reason" in text_of(app, "#error")
        app.screen.query_one("#reason", Input).value = "Subpoena 2026-114, case T-56"
        await pilot.click("#apply")
        await settle(pilot)
        assert in_front(app, screen)
        assert screen.views[str(view.id)].legal_hold
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert in_front(app, screen)
    assert any("on legal hold" in note for note in notes)
    held = recordings.recording_detail(
        sqlite_program.ctx, sqlite_program.login("dana"), view.id
    )
    assert held.legal_hold and held.state == "active"


def inside(region: Region, screen: Region) -> bool:
    """Whether `region` is drawn wholly on the screen."""
    return region.area > 0 and screen.contains_region(region)


async def test_the_new_screens_fit_80_by_24(sqlite_program: Demo, folder: Path) -> None:
    view = add_recording(sqlite_program, "T-57")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        screen_region = Region(0, 0, 80, 24)
        await open_detail(pilot, sqlite_program, "tara", view.id)
        assert inside(app.screen.query_one("#play").region, screen_region)
        for key, button in (("e", "#export"), ("s", "#share"), ("u", "#unshare")):
            await pilot.press(key)
            assert inside(app.screen.query_one(button).region, screen_region)
            await pilot.press("escape")
        await pilot.press("escape", "escape", "c")
        await settle(pilot)
        await pilot.press("a")
        assert inside(app.screen.query_one("#add").region, screen_region)
        assert inside(app.screen.query_one("#state").region, screen_region)
        await pilot.press("escape", "escape", "i")
        await settle_beside_tree(pilot)
        assert isinstance(app.screen, ImportScreen)
        for widget in ("#start", "#cancel", "#progress", "#session-date", "#tree"):
            assert inside(app.screen.query_one(widget).region, screen_region)
