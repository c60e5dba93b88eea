"""The SSH keys screen: pasting a key in, removing one, refusals shown in the
dialog, and what an admin sees beyond their own keys."""

from __future__ import annotations

import asyncssh
from sqlmodel import Session, select
from textual import events
from textual.pilot import Pilot
from textual.widgets import Markdown, TextArea

from supervise.app import SuperviseApp
from supervise.models.remote import SshKey
from supervise.screens.confirm import ConfirmDialog
from supervise.screens.help import HelpDialog
from supervise.screens.ssh_keys import AddKeyDialog, SshKeysScreen
from supervise.services import ssh_keys
from supervise.widgets.record_table import RecordTable
from tests.conftest import Demo
from tests.ui.pilot_helpers import app_for, audit_actions, log_in, settle, text_of


def public_text(comment: str = "laptop") -> str:
    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
    return bytes(key.convert_to_public().export_public_key("openssh")).decode()


def stored(demo: Demo) -> list[SshKey]:
    with Session(demo.ctx.engine) as session:
        return list(session.exec(select(SshKey)))


async def open_keys(pilot: Pilot[None], demo: Demo, username: str) -> SshKeysScreen:
    await log_in(pilot, username, demo.password(username))
    await pilot.press("k")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SshKeysScreen)
    return screen


async def paste_key(pilot: Pilot[None], text: str) -> None:
    """Open the add dialog, paste `text` as a terminal delivers a paste, add."""
    await pilot.press("n")
    dialog = pilot.app.screen
    assert isinstance(dialog, AddKeyDialog)
    area = dialog.query_one("#key-text", TextArea)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    assert area.text == text
    await pilot.click("#add")
    await settle(pilot)


async def test_a_pasted_key_is_stored_listed_and_removed_after_confirming(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_keys(pilot, sqlite_program, "tara")
        await paste_key(pilot, public_text("tara laptop"))
        assert app.screen is screen
        (row,) = stored(sqlite_program)
        assert row.comment == "tara laptop"
        assert list(screen.views) == [str(row.id)]
        assert screen.query_one(RecordTable).row_count == 1

        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert stored(sqlite_program) == []
        assert screen.views == {}
        assert audit_actions(sqlite_program.ctx, 2)[0] == ("sshkey.remove", "allowed")


async def test_saying_no_keeps_the_key(sqlite_program: Demo) -> None:
    ssh_keys.add_key(sqlite_program.ctx, sqlite_program.login("sam"), public_text())
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_keys(pilot, sqlite_program, "sam")
        await pilot.press("x", "n")
        await settle(pilot)
        assert isinstance(app.screen, SshKeysScreen)
        assert len(stored(sqlite_program)) == 1


async def test_a_bad_key_shows_why_in_the_dialog_and_stores_nothing(
    sqlite_program: Demo,
) -> None:
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_keys(pilot, sqlite_program, "theo")
        private = asyncssh.generate_private_key("ssh-ed25519")
        await paste_key(pilot, bytes(private.export_private_key()).decode())
        assert isinstance(app.screen, AddKeyDialog)
        assert "private key" in text_of(app, "#error")
        await pilot.press("escape")
        assert isinstance(app.screen, SshKeysScreen)
        assert stored(sqlite_program) == []


async def test_a_duplicate_key_is_refused_in_the_dialog(sqlite_program: Demo) -> None:
    text = public_text()
    ssh_keys.add_key(sqlite_program.ctx, sqlite_program.login("tara"), text)
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_keys(pilot, sqlite_program, "theo")
        await paste_key(pilot, text)
        assert isinstance(app.screen, AddKeyDialog)
        assert "already registered" in text_of(app, "#error")
        assert "tara" not in text_of(app, "#error")
        assert len(stored(sqlite_program)) == 1


async def test_an_admin_switches_to_every_accounts_keys_and_removes_one(
    sqlite_program: Demo,
) -> None:
    ssh_keys.add_key(sqlite_program.ctx, sqlite_program.login("tara"), public_text())
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_keys(pilot, sqlite_program, "dana")
        assert screen.views == {}
        await pilot.press("v")
        await settle(pilot)
        assert [v.username for v in screen.views.values()] == ["tara"]
        await pilot.press("x", "y")
        await settle(pilot)
        assert stored(sqlite_program) == []


async def test_others_keys_stay_hidden_from_a_non_admin(sqlite_program: Demo) -> None:
    ssh_keys.add_key(sqlite_program.ctx, sqlite_program.login("tara"), public_text())
    app = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_keys(pilot, sqlite_program, "theo")
        await pilot.press("v")
        await settle(pilot)
        assert screen.every_account is False
        assert screen.views == {}


async def test_f1_explains_the_screen_and_the_dialog(sqlite_program: Demo) -> None:
    app: SuperviseApp = app_for(sqlite_program)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_keys(pilot, sqlite_program, "audrey")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpDialog)
        assert app.screen.markdown == SshKeysScreen.HELP
        assert app.screen.query_one(Markdown)
        await pilot.press("escape", "n", "f1")
        assert isinstance(app.screen, HelpDialog)
        assert app.screen.markdown == AddKeyDialog.HELP
