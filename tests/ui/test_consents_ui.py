"""The consent lifecycle in the TUI: wizard, print, sign, import, revoke, share."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input, Select, SelectionList

from supervise.app import SuperviseApp
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.consent_detail import ConsentDetailScreen
from supervise.screens.consent_dialogs import PrintDialog, RevokeDialog, SignDialog
from supervise.screens.consent_wizard import ConsentWizardScreen
from supervise.screens.consents import ConsentsScreen
from supervise.screens.import_recording import ImportScreen
from supervise.screens.recording_detail import RecordingDetailScreen
from supervise.screens.share import ShareDialog
from supervise.screens.state_rules import COUNSEL_NOTICE, StateRulesScreen
from supervise.services import consents, recordings
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

SCREEN = Region(0, 0, 80, 24)


def on_screen(app: SuperviseApp, selector: str) -> bool:
    """Whether the widget is drawn wholly inside an 80x24 terminal."""
    region = app.screen.query_one(selector).region
    return region.area > 0 and SCREEN.contains_region(region)


def pdf_text(path: Path) -> str:
    """Every page's text, runs of white space made single spaces."""
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def consent_of(demo: Demo, case_code: str) -> consents.ConsentView:
    """The newest consent of a client, asked of the services as tara."""
    views = consents.list_consents(demo.ctx, demo.login("tara"), case_code)
    return views[-1]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder to run in: the import screen's tree starts here."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    shutil.copy(TONE, work / "s.wav")
    return work


async def open_detail(
    pilot: Pilot[None], demo: Demo, username: str, consent_id: int
) -> ConsentDetailScreen:
    """Log in, open the consents list and Enter on one."""
    return await open_row(pilot, demo, username, "f", consent_id, ConsentDetailScreen)


async def import_through_the_screen(
    pilot: Pilot[None], app: SuperviseApp, case_code: str
) -> ImportScreen:
    """On the import screen, pick s.wav and the client, and start."""
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#path", Input).value = "s.wav"
    screen.query_one("#client", Select).value = case_code
    await pilot.click("#start")
    await settle_beside_tree(pilot)
    return screen


async def create_in_wizard(pilot: Pilot[None], app: SuperviseApp, code: str) -> None:
    """In the wizard, choose the client, keep the default terms, create."""
    wizard = app.screen
    assert isinstance(wizard, ConsentWizardScreen)
    wizard.query_one("#client", Select).value = code
    await pilot.pause()
    assert "Retention: Each recording is destroyed 7 years" in text_of(
        app, "#form-facts"
    )
    assert COUNSEL_NOTICE in text_of(app, "#form-facts")
    wizard.query_one("#create").focus()
    await pilot.press("enter")
    await settle(pilot)
    assert wizard.query_one(ContentSwitcher).current == "script-step"


async def sign_required_lines(pilot: Pilot[None], app: SuperviseApp) -> None:
    """Press g on the detail, tick the required lines, record."""
    await pilot.press("g")
    dialog = app.screen
    assert isinstance(dialog, SignDialog)
    assert on_screen(app, "#sign")
    lines = dialog.query_one("#lines", SelectionList)
    for line in dialog.view.lines:
        if line.required:
            lines.select(line.key)
    await pilot.click("#sign")
    await settle(pilot)


async def test_a_new_client_goes_from_no_consent_to_printed_signed_and_imported(
    sqlite_program: Demo, folder: Path
) -> None:
    add_client(sqlite_program, "T-60", "Ann Lee")
    form = folder / "form.pdf"
    before = recording_ids(sqlite_program, "tara")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "f")
        assert isinstance(app.screen, ConsentsScreen)
        await pilot.press("n")
        await settle(pilot)
        await create_in_wizard(pilot, app, "T-60")
        assert "Tara Lindqvist" in text_of(app, "#script")
        assert on_screen(app, "#print")
        app.screen.query_one("#form-path", Input).value = str(form)
        await pilot.click("#print")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, ConsentDetailScreen) and detail.view is not None
        assert detail.view.status == "awaiting_signature"
        assert detail.view.verification_code in pdf_text(form)
        await sign_required_lines(pilot, app)
        assert in_front(app, detail) and detail.view.status == "active"
        await pilot.press("escape", "escape", "i")
        await settle_beside_tree(pilot)
        await import_through_the_screen(pilot, app, "T-60")
        assert isinstance(app.screen, RecordingDetailScreen)
    (new_id,) = recording_ids(sqlite_program, "tara") - before
    view = consent_of(sqlite_program, "T-60")
    assert (view.status, view.recordings) == ("active", 1)
    tara = sqlite_program.login("tara")
    assert recordings.recording_detail(sqlite_program.ctx, tara, new_id).case_code == (
        "T-60"
    )


async def test_an_import_for_a_client_without_consent_is_refused_on_the_screen(
    sqlite_program: Demo, folder: Path
) -> None:
    add_client(sqlite_program, "T-61", "Bo Moss")
    before = recording_ids(sqlite_program, "tara")
    blobs_before = sorted(sqlite_program.ctx.blobs.folder.rglob("*"))
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, sqlite_program, "tara", "i")
        await settle_beside_tree(pilot)
        screen = await import_through_the_screen(pilot, app, "T-61")
        assert in_front(app, screen)
        assert screen.query_one("#status").has_class("failed")
        assert "T-61 has no consent on record" in text_of(app, "#status")
        assert not screen.query_one("#start").disabled
    assert recording_ids(sqlite_program, "tara") == before
    assert sorted(sqlite_program.ctx.blobs.folder.rglob("*")) == blobs_before
    assert ("recording.import", "denied") in audit_actions(sqlite_program.ctx, 5)


async def test_a_participant_without_consent_stops_a_couple_import_on_the_screen(
    sqlite_program: Demo, folder: Path
) -> None:
    add_client(sqlite_program, "T-64", "Ann Lee", consented=True)
    add_client(sqlite_program, "T-65", "Bo Moss")
    before = recording_ids(sqlite_program, "tara")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_as(pilot, sqlite_program, "tara", "i")
        await settle_beside_tree(pilot)
        app.screen.query_one("#participants", Input).value = "t-65"
        screen = await import_through_the_screen(pilot, app, "T-64")
        assert in_front(app, screen)
        assert "T-65" in text_of(app, "#status")
    assert recording_ids(sqlite_program, "tara") == before


async def test_revoking_a_delete_consent_from_its_detail_shreds_its_recording(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    recording = add_recording(sqlite_program, "T-62")
    consent = consent_of(sqlite_program, "T-62")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await open_detail(pilot, sqlite_program, "tara", consent.id)
        await pilot.press("r")
        assert isinstance(app.screen, RevokeDialog)
        assert on_screen(app, "#revoke")
        app.screen.query_one("#received", Select).value = "phone"
        await pilot.click("#revoke")
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert "every recording under this consent is shredded" in str(
            question.question
        )
        await pilot.press("y")
        await settle(pilot)
        assert in_front(app, detail) and detail.view is not None
        assert detail.view.status == "revoked"
        assert detail.view.revocation_received == "phone"
        await pilot.press("p")
        assert isinstance(app.screen, PrintDialog)
        app.screen.query_one("#kind", Select).value = "receipt"
        app.screen.query_one("#path", Input).value = str(tmp_path / "receipt.pdf")
        await pilot.click("#print")
        await settle(pilot)
        assert in_front(app, detail)
        assert consent.verification_code in pdf_text(tmp_path / "receipt.pdf")
    tara = sqlite_program.login("tara")
    shown = recordings.recording_detail(sqlite_program.ctx, tara, recording.id)
    assert shown.state == "shredded"
    assert ("consent.revoke", "allowed") in audit_actions(sqlite_program.ctx, 10)


async def test_a_supervisor_reads_a_consent_but_cannot_sign_or_revoke_it(
    sqlite_program: Demo,
) -> None:
    add_client(sqlite_program, "T-66", "Ann Lee", consented=True)
    consent = consent_of(sqlite_program, "T-66")
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await open_detail(pilot, sqlite_program, "sam", consent.id)
        assert "T-66" in text_of(app, "#consent-summary")
        for key in ("r", "g", "v", "e", "n"):
            await pilot.press(key)
            assert in_front(app, detail), key
    assert consent_of(sqlite_program, "T-66").status == "active"


async def test_a_training_share_needs_an_end_date_and_then_opens_to_the_named_account(
    sqlite_program: Demo,
) -> None:
    recording = add_recording(sqlite_program, "T-63", access=("theo",))
    until = sqlite_program.ctx.now().date() + timedelta(days=30)
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "tara", "s")
        table = app.screen.query_one(RecordTable)
        table.move_cursor(row=table.get_row_index(str(recording.id)))
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, ShareDialog)
        dialog.query_one("#username", Input).value = "theo"
        dialog.query_one("#share-purpose", Select).value = "training"
        await pilot.click("#share")
        await settle(pilot)
        assert in_front(app, dialog)
        assert "needs an end date" in text_of(app, "#error")
        dialog.query_one("#until", Input).focus()
        await pilot.press(*until.isoformat(), "enter")
        await settle(pilot)
        assert in_front(app, detail), text_of(app, "#error")
    assert recording.id in recording_ids(sqlite_program, "theo")


async def test_the_admin_opens_the_state_table_from_the_home_screen(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_and_settle(pilot, sqlite_program, "dana", "j")
        assert isinstance(app.screen, StateRulesScreen)
        assert text_of(app, "#counsel-notice") == COUNSEL_NOTICE
