"""The Pairs screen's escrow grant: a new supervisor gains access at once."""

from __future__ import annotations

import io
import wave
from pathlib import Path

from textual.widgets import Input

from supervise.screens.escrow_grant import EscrowGrantDialog
from supervise.screens.pairs import PairsScreen
from supervise.services import pairs, recordings
from supervise.services.errors import PermissionDenied
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of


def _wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(range(256)) * 64)
    return path


def _sofia_exports(demo: Demo, recording_id: int) -> bool:
    try:
        recordings.export_recording(
            demo.ctx, demo.login("sofia"), recording_id, io.BytesIO()
        )
    except PermissionDenied:
        return False
    return True


async def test_an_admin_grants_a_new_pair_at_once_from_the_pairs_screen(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    theo = sqlite_program.login("theo")
    source = _wav(tmp_path / "s.wav")
    recording_id = recordings.import_recording(
        sqlite_program.ctx, theo, source, "C-2001"
    ).id
    new = pairs.add_pair(
        sqlite_program.ctx, sqlite_program.login("dana"), "sofia", "theo"
    )
    assert not _sofia_exports(sqlite_program, recording_id)
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "dana", sqlite_program.password("dana"))
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PairsScreen)
        app.screen.query_one(RecordTable).move_cursor(row=0)
        assert app.screen.highlighted() is not None
        await pilot.press("g")
        dialog = app.screen
        assert isinstance(dialog, EscrowGrantDialog) and dialog.pair.id == new.id
        recovery = sqlite_program.ctx.settings.home / "offline-keys" / "recovery.key"
        dialog.query_one("#key-file", Input).value = str(recovery)
        await pilot.click("#grant")
        await settle(pilot)
        assert app.screen is dialog
        assert "is not a supervise escrow key file" in text_of(app, "#error")
        assert not _sofia_exports(sqlite_program, recording_id)
        escrow = sqlite_program.ctx.settings.home / "offline-keys" / "escrow.key"
        field = dialog.query_one("#key-file", Input)
        field.value = str(escrow)
        field.focus()
        await pilot.press("enter")  # Enter in the field grants, as the button does
        await settle(pilot)
        assert isinstance(app.screen, PairsScreen)
    assert _sofia_exports(sqlite_program, recording_id)
    assert ("pair.grant", "allowed") in audit_actions(sqlite_program.ctx, 10)
