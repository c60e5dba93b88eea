"""The pending uploads screen: real names, attach through the import form, discard."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from supervise.screens.confirm import ConfirmDialog
from supervise.screens.pending_uploads import AttachUploadScreen, PendingUploadsScreen
from supervise.screens.recording_detail import RecordingDetailScreen
from supervise.screens.recordings import RecordingsScreen
from supervise.services import dropbox, dropbox_owner
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.dropbox_helpers import marked_wav
from tests.ui.clinical_helpers import open_and_settle, recording_ids
from tests.ui.pilot_helpers import app_for, log_in, settle, text_of

NAME = "Maya [bold]session[red].wav"
"""Markup in a name must show literally."""


def dropped(demo: Demo, data: bytes, name: str = NAME) -> int:
    """Put `data` in tara's inbox as the SSH inbox does; the upload's id."""
    user = dropbox.inbox_user(demo.ctx, demo.login("tara").account_id)
    writer = dropbox.UploadWriter.start(demo.ctx, user, name.encode())
    writer.write(data)
    return writer.finish()


async def test_an_upload_is_attached_through_the_import_form_and_listed(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    upload_id = dropped(sqlite_program, marked_wav(tmp_path / "s.wav", 100_000))
    before = recording_ids(sqlite_program, "tara")
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "tara", sqlite_program.password("tara"))
        assert "1 upload waits in your SSH inbox" in text_of(app, "#uploads-note")
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PendingUploadsScreen)
        assert list(screen.views) == [str(upload_id)]
        row = screen.query_one(RecordTable).get_row_at(0)
        assert str(row[1]) == NAME
        await pilot.press("enter")
        await settle(pilot)
        attach = app.screen
        assert isinstance(attach, AttachUploadScreen)
        assert NAME in text_of(app, "#upload-file")
        attach.query_one("#client", Select).value = "C-1002"  # not consented
        await pilot.click("#start")
        await settle(pilot)
        assert app.screen is attach
        assert "consent" in text_of(app, "#status")
        attach.query_one("#client", Select).value = "C-1001"
        await pilot.click("#start")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, RecordingDetailScreen)
        (new_id,) = recording_ids(sqlite_program, "tara") - before
        assert detail.recording_id == new_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PendingUploadsScreen)
        assert app.screen.views == {}
        await pilot.press("escape", "s")
        await settle(pilot)
        assert isinstance(app.screen, RecordingsScreen)
        assert app.screen.views[str(new_id)].case_code == "C-1001"


async def test_discard_asks_first_then_shreds_the_upload(sqlite_program: Demo) -> None:
    upload_id = dropped(sqlite_program, b"x" * 100)
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "n")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PendingUploadsScreen)
        assert list(app.screen.views) == [str(upload_id)]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PendingUploadsScreen)
        assert app.screen.views == {}
    tara = sqlite_program.login("tara")
    assert dropbox_owner.list_uploads(sqlite_program.ctx, tara) == []
