"""`supervise inbox list|attach|discard`: the drop box from a shell."""

from __future__ import annotations

import json
import os
from pathlib import Path

from supervise.services import dropbox
from supervise.services.context import open_program
from supervise.settings import load_settings
from tests.cli.helpers import as_user, assert_one_error_line, sql
from tests.dropbox_helpers import marked_wav


def dropped(home: Path, data: bytes, name: bytes = b"session one.wav") -> int:
    """Put `data` in tara's inbox as the SSH inbox does; the upload's id."""
    ctx = open_program(load_settings(home, environ=os.environ))
    try:
        ((tara_id,),) = sql(home, "SELECT id FROM account WHERE username = 'tara'")
        user = dropbox.inbox_user(ctx, int(tara_id))
        writer = dropbox.UploadWriter.start(ctx, user, name)
        writer.write(data)
        return writer.finish()
    finally:
        ctx.engine.dispose()


def test_list_shows_the_real_name_size_and_days_left(home: Path) -> None:
    upload_id = dropped(home, b"x" * 1000)
    done = as_user(home, "tara", "inbox", "list", "--json")
    assert done.code == 0, done.err
    [item] = json.loads(done.out)
    assert (item["id"], item["name"], item["size_bytes"]) == (
        upload_id,
        "session one.wav",
        1000,
    )
    assert item["days_left"] == 7
    table = as_user(home, "tara", "inbox", "list")
    assert "session one.wav" in table.out


def test_attach_uses_the_import_checks_then_files_the_recording(
    home: Path, tmp_path: Path
) -> None:
    upload_id = dropped(home, marked_wav(tmp_path / "s.wav", 100_000))
    refused = as_user(
        home, "tara", "inbox", "attach", str(upload_id), "--client", "C-1002"
    )
    assert refused.code == 3
    assert_one_error_line(refused.err, "consent")
    done = as_user(
        home,
        "tara",
        "inbox",
        "attach",
        str(upload_id),
        "--client",
        "C-1001",
        "--purpose",
        "supervision",
    )
    assert done.code == 0, done.err
    assert done.out.startswith(f"upload {upload_id} attached as recording ")
    ((state,),) = sql(home, f"SELECT state FROM pending_upload WHERE id = {upload_id}")
    assert state == "attached"


def test_discard_needs_a_confirmation_or_yes(home: Path) -> None:
    upload_id = dropped(home, b"y" * 10)
    unsure = as_user(home, "tara", "inbox", "discard", str(upload_id))
    assert unsure.code == 2
    done = as_user(home, "tara", "inbox", "discard", str(upload_id), "--yes")
    assert done.code == 0, done.err
    ((state,),) = sql(home, f"SELECT state FROM pending_upload WHERE id = {upload_id}")
    assert state == "shredded"
    again = as_user(home, "tara", "inbox", "discard", str(upload_id), "--yes")
    assert again.code == 1
    assert_one_error_line(again.err, "no upload")


def test_another_account_cannot_see_or_attach_tara_s_upload(home: Path) -> None:
    upload_id = dropped(home, b"z" * 10)
    listed = as_user(home, "theo", "inbox", "list", "--json")
    assert json.loads(listed.out) == []
    refused = as_user(
        home, "theo", "inbox", "attach", str(upload_id), "--client", "C-2001"
    )
    assert refused.code == 3
