"""`supervise consent ...` and the import gate it opens, from a shell.

The demo program holds (for tara) C-1001 active with every purpose and
recording 1; C-1002, a minor, printed and consented aloud but not signed
(form 2); C-1003 and C-1004, a couple, both active with recording 2 of
them together; (for tomas) C-3001 revoked and C-3002 active with
preservation on revocation, and recording 3.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from supervise.export import fonts, layout
from tests.cli.helpers import (
    PASSWORDS,
    Result,
    as_user,
    assert_one_error_line,
    cli,
    consent_in_force,
    sql,
)

TONE = Path(__file__).parents[1] / "data" / "media" / "tone.wav"
CIRCUMSTANCES = "Kept for the clinic's quality review until the retention date."


def _consent(home: Path, trainee: str, *argv: str | Path) -> Result:
    return as_user(home, trainee, "consent", *argv)


def _shown(home: Path, reference: str | int, trainee: str = "tara") -> Any:
    done = _consent(home, trainee, "show", str(reference), "--json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def _import(home: Path, client: str, *flags: str, trainee: str = "tara") -> Result:
    return as_user(
        home, trainee, "recording", "import", TONE, "--client", client, *flags
    )


def _recordings(home: Path) -> dict[int, str]:
    return dict(sql(home, "SELECT id, state FROM recording ORDER BY id"))


def _consent_rows(home: Path) -> list[tuple[Any, ...]]:
    return sql(
        home,
        "SELECT id, status, verification_code, signers, verbal_on, purposes "
        "FROM consent_form ORDER BY id",
    )


def _add_client(home: Path, code: str) -> None:
    done = as_user(
        home,
        "tara",
        "client",
        "add",
        code,
        "--name",
        "Ines Marlowe",
        "--born",
        "1984-04-04",
    )
    assert done.code == 0, done.err


def _with_stdin(home: Path, trainee: str, text: str, *argv: str) -> Result:
    return cli(
        *argv,
        "--home",
        home,
        "--as",
        trainee,
        "--password-stdin",
        stdin=PASSWORDS[trainee] + "\n" + text,
    )


# --- the life of a consent ------------------------------------------------------


def test_a_drafted_form_lets_recordings_in_only_once_printed_and_signed(
    home: Path, tmp_path: Path
) -> None:
    _add_client(home, "C-4100")
    made = _consent(
        home, "tara", "new", "--client", "C-4100", "--purpose", "supervision", "--json"
    )
    assert made.code == 0, made.err
    view = json.loads(made.out)
    form_id, code = view["id"], view["verification_code"]
    assert view["status"] == "draft" and view["purposes"] == ["supervision"]
    draft = _import(home, "C-4100")
    assert draft.code == 3
    assert_one_error_line(draft.err, "C-4100's consent (form")
    assert "is a draft: print it" in draft.err

    pdf = tmp_path / "form.pdf"
    printed = _consent(home, "tara", "pdf", str(form_id), "-o", pdf)
    assert printed.code == 0, printed.err
    assert f"the consent form (form {form_id} v1) written to {pdf}" in printed.out
    assert "now awaits signature" in printed.out
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert code in text
    assert _shown(home, code)["status"] == "awaiting_signature"

    assert _consent(home, "tara", "verbal", str(form_id)).code == 0
    aloud = _import(home, "C-4100")
    assert aloud.code == 3
    assert_one_error_line(aloud.err, "verbal consent alone is not enough")

    signed = _consent(
        home, "tara", "sign", str(form_id), "--signer", "client", "--signer", "trainee"
    )
    assert signed.code == 0, signed.err
    assert f"form {form_id} v1 signed on" in signed.out
    assert "by: Client, Trainee clinician" in signed.out
    assert _shown(home, form_id)["status"] == "active"
    imported = _import(home, "C-4100")
    assert imported.code == 0, imported.err
    assert imported.out.startswith("recording ")
    assert _shown(home, form_id)["recordings"] == 1


def test_show_names_the_signature_lines_and_the_states_notes(
    sqlite_home: Path,
) -> None:
    done = _consent(sqlite_home, "tara", "show", "4")
    assert done.code == 0, done.err
    assert done.out.startswith("form 4 v1 (check code ")
    assert "participants:  C-1004" in done.out
    assert "CA, California (every party must consent to recording)" in done.out
    rows = {
        row.split()[-3]: row.split()[-2:]
        for row in done.out.splitlines()
        if row.startswith(("Participant", "Supervisor"))
    }
    assert rows == {"participant:C-1004": ["yes", "yes"], "supervisor": ["no", "yes"]}
    assert "Cal. Penal Code §632" in done.out  # the state table's source note

    minor = _consent(sqlite_home, "tara", "show", "2")
    assert "minor:         yes: a parent or guardian signs" in minor.out
    assert "--signer guardian --signer trainee --as tara" in minor.out


def test_list_and_show_give_json_that_parses(sqlite_home: Path) -> None:
    listed = _consent(sqlite_home, "tara", "list", "--json")
    assert listed.code == 0, listed.err
    rows = {row["id"]: row for row in json.loads(listed.out)}
    assert {row["case_code"] for row in rows.values()} == {
        "C-1001",
        "C-1002",
        "C-1003",
        "C-1004",
    }
    assert rows[2]["status"] == "awaiting_signature" and rows[2]["minor"] is True
    by_code = _shown(sqlite_home, rows[1]["verification_code"].lower())
    assert by_code["id"] == 1
    assert by_code["jurisdiction_rule"]["all_party_consent"] is True
    assert [line["key"] for line in by_code["signature_lines"]] == [
        "client",
        "trainee",
        "supervisor",
    ]
    one = _consent(sqlite_home, "sam", "list", "--client", "C-1003")
    header, row = one.out.splitlines()
    assert header.split()[:4] == ["ID", "CLIENT", "VERSION", "STATUS"]
    assert row.split()[:4] == ["4", "C-1003", "1", "active"]


def test_a_supervisor_reads_a_consent_but_cannot_sign_it(sqlite_home: Path) -> None:
    before = _consent_rows(sqlite_home)
    assert _consent(sqlite_home, "sam", "show", "2").code == 0
    refused = _consent(
        sqlite_home, "sam", "sign", "2", "--signer", "guardian", "--signer", "trainee"
    )
    assert refused.code == 3
    assert_one_error_line(refused.err, "not permitted: consent.edit")
    assert _consent_rows(sqlite_home) == before


def test_a_new_version_replaces_the_consent_in_force_once_signed(
    sqlite_home: Path,
) -> None:
    form = consent_in_force(
        sqlite_home, "tara", "C-1001", "--purpose", "supervision", "--access", "theo"
    )
    view = _shown(sqlite_home, form)
    assert (view["version"], view["supersedes_id"], view["access"]) == (
        2,
        1,
        ["theo"],
    )
    assert _shown(sqlite_home, 1)["status"] == "expired"
    training = _import(sqlite_home, "C-1001", "--purpose", "training")
    assert training.code == 3
    assert_one_error_line(
        training.err, "C-1001's consent does not cover training (it covers: "
    )


def test_edit_keeps_what_is_not_given_and_makes_a_printed_form_a_draft(
    sqlite_home: Path,
) -> None:
    before = _shown(sqlite_home, 2)
    done = _consent(sqlite_home, "tara", "edit", "2", "--access", "theo", "--json")
    assert done.code == 0, done.err
    after = json.loads(done.out)
    assert after["status"] == "draft" and after["access"] == ["theo"]
    assert after["purposes"] == before["purposes"]
    assert after["verification_code"] != before["verification_code"]


def test_the_circumstances_of_preservation_can_come_from_standard_input(
    sqlite_home: Path,
) -> None:
    _add_client(sqlite_home, "C-4101")
    flags = ("--purpose", "supervision", "--disposition", "preserve")
    done = _with_stdin(
        sqlite_home,
        "tara",
        CIRCUMSTANCES + "\n",
        "consent",
        "new",
        "--client",
        "C-4101",
        *flags,
        "--circumstances-stdin",
    )
    assert done.code == 0, done.err
    assert "quality review" not in done.out + done.err
    form = int(done.out.split()[1])
    assert _shown(sqlite_home, form)["disposition"] == "preserve"
    script = _consent(sqlite_home, "tara", "script", str(form))
    assert script.code == 0, script.err
    assert "Tara Lindqvist" in script.out and "supervision" in script.out

    # An edit that leaves the disposition alone carries the sealed
    # circumstances over to the new draft.
    again = _consent(sqlite_home, "tara", "edit", str(form), "--purpose", "training")
    assert again.code == 0, again.err
    edited = _shown(sqlite_home, form)
    assert (edited["disposition"], edited["purposes"]) == ("preserve", ["training"])
    script = _consent(sqlite_home, "tara", "script", str(form))
    assert script.code == 0, script.err
    assert CIRCUMSTANCES in " ".join(script.out.split())


@pytest.mark.parametrize(
    ("flags", "code", "fragment"),
    [
        (("--disposition", "preserve"), 1, "state the circumstances in 10 to 500"),
        (("--circumstances", CIRCUMSTANCES), 2, "with --disposition preserve only"),
        (("--no-supervisors",), 1, "the assigned supervisors must have access"),
        (("--participant", "C-2001"), 1, "not a client of the same trainee"),
        (("--access", "dana"), 1, "only supervisors and trainees can"),
    ],
)
def test_bad_terms_are_refused_and_draft_nothing(
    sqlite_home: Path, flags: tuple[str, ...], code: int, fragment: str
) -> None:
    _add_client(sqlite_home, "C-4102")
    before = _consent_rows(sqlite_home)
    done = _consent(
        sqlite_home,
        "tara",
        "new",
        "--client",
        "C-4102",
        "--purpose",
        "supervision",
        *flags,
    )
    assert done.code == code
    assert_one_error_line(done.err, fragment)
    assert _consent_rows(sqlite_home) == before


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (("show", "999"), 1, "there is no consent form 999"),
        (("show", "NOPE-CODE"), 1, "no consent form has the id or check code"),
        (("sign", "999", "--signer", "client"), 1, "there is no consent form 999"),
        (("verbal", "2", "--on", "2024-13-01"), 2, "write the date as YYYY-MM-DD"),
        (("verbal", "2", "--on", "1980-01-01"), 1, "must be between 1990-01-01"),
        (("sign", "2", "--signer", "client", "--on", "03/01/2025"), 2, "YYYY-MM-DD"),
        (("sign", "2", "--signer", "bogus"), 1, "has no signature line 'bogus'"),
        (("sign", "2", "--signer", "trainee"), 1, "missing: Parent or guardian"),
        (("sign", "1", "--signer", "client", "--signer", "trainee"), 1, "active"),
        (("new", "--client", "C-1001", "--purpose", "teaching"), 1, "a purpose is"),
        (("new", "--client", "C-1002", "--purpose", "supervision"), 1, "edit that"),
        (("new", "--client", "C-9999", "--purpose", "supervision"), 1, "C-9999"),
        (("edit", "1", "--purpose", "training"), 1, "making a new version"),
        (("edit", "2"), 2, "say what to change"),
        (("revoke", "1", "--received", "pigeon"), 1, "say how the revocation"),
        (("revoke", "5", "--received", "mail"), 3, "not permitted"),
        (("pdf", "1", "--kind", "poster", "-o", "x.pdf"), 1, "the document is one"),
        (("pdf", "1", "--kind", "receipt", "-o", "x.pdf"), 1, "has not been revoked"),
        (("scan", "1", "-o", "x.pdf"), 1, "has no scan of its signed pages"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_bad_input_is_one_line_and_changes_nothing(
    sqlite_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    code: int,
    fragment: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = (_consent_rows(sqlite_home), _recordings(sqlite_home))
    done = _consent(sqlite_home, "tara", *argv)
    assert done.code == code
    assert_one_error_line(done.err, fragment)
    assert (_consent_rows(sqlite_home), _recordings(sqlite_home)) == before
    assert not (tmp_path / "x.pdf").exists()


# --- the import gate ------------------------------------------------------------


@pytest.mark.parametrize(
    ("trainee", "client", "flags", "fragment"),
    [
        ("theo", "C-2002", (), "is a draft: print it"),
        ("tara", "C-1002", (), "(verbal consent alone is not enough)"),
        ("tomas", "C-3001", (), "C-3001 revoked consent on"),
        ("tara", "C-1003", ("--purpose", "training"), "does not cover training"),
        ("tara", "C-1001", ("--participant", "C-1002"), "C-1002's consent (form 2"),
        (
            "tara",
            "C-1004",
            ("--participant", "C-1003"),
            "requires every participant's consent on the form, and C-1003 is not",
        ),
    ],
    ids=["draft", "unsigned", "revoked", "purpose", "participant", "all-party"],
)
def test_an_import_not_covered_by_consent_says_what_is_missing_and_stores_nothing(
    sqlite_home: Path,
    trainee: str,
    client: str,
    flags: tuple[str, ...],
    fragment: str,
) -> None:
    before = _recordings(sqlite_home)
    blobs = sorted((sqlite_home / "blobs").rglob("*"))
    done = _import(sqlite_home, client, *flags, trainee=trainee)
    assert done.code == 3
    assert_one_error_line(done.err, "the recording cannot be stored: ")
    assert fragment in done.err
    assert _recordings(sqlite_home) == before
    assert sorted((sqlite_home / "blobs").rglob("*")) == blobs


def test_an_import_for_a_client_with_no_consent_names_the_next_step(
    sqlite_home: Path,
) -> None:
    _add_client(sqlite_home, "C-4103")
    before = _recordings(sqlite_home)
    done = _import(sqlite_home, "C-4103")
    assert done.code == 3
    assert_one_error_line(done.err, "C-4103 has no consent on record: make one")
    assert _recordings(sqlite_home) == before


def test_a_couple_session_is_stored_when_both_have_consented(
    sqlite_home: Path,
) -> None:
    done = _import(sqlite_home, "C-1003", "--participant", "C-1004")
    assert done.code == 0, done.err
    assert _shown(sqlite_home, 3)["recordings"] == 2  # C-1004's own form


# --- revocation -----------------------------------------------------------------


def test_revoking_with_delete_shreds_that_consents_recordings_only(
    sqlite_home: Path,
) -> None:
    done = _consent(sqlite_home, "tara", "revoke", "1", "--received", "in-person")
    assert done.code == 0, done.err
    assert "form 1 v1 revoked on " in done.out and "received in person" in done.out
    assert "shredded: recording 1\n" in done.out
    assert "consent pdf 1 --kind receipt -o FILE --as tara" in done.out
    assert _recordings(sqlite_home) == {1: "shredded", 2: "active", 3: "active"}
    again = _import(sqlite_home, "C-1001")
    assert again.code == 3
    assert_one_error_line(again.err, "C-1001 revoked consent on")


def test_a_participants_revocation_shreds_the_shared_session(
    sqlite_home: Path,
) -> None:
    done = _consent(sqlite_home, "tara", "revoke", "3", "--received", "mail", "--json")
    assert done.code == 0, done.err
    outcome = json.loads(done.out)
    assert outcome["shredded"] == [2] and outcome["preserved"] == []
    assert outcome["consent"]["status"] == "revoked"
    assert outcome["consent"]["revocation_received"] == "mail"
    assert _recordings(sqlite_home) == {1: "active", 2: "shredded", 3: "active"}


def test_revoking_with_preserve_keeps_the_recordings(sqlite_home: Path) -> None:
    (form,) = sql(
        sqlite_home,
        "SELECT f.id FROM consent_form f JOIN client c ON c.id = f.client_id "
        "WHERE c.case_code = 'C-3002'",
    )
    done = _with_stdin(
        sqlite_home,
        "tomas",
        "Asked by phone, confirmed in writing.\n",
        "consent",
        "revoke",
        str(form[0]),
        "--received",
        "phone",
        "--notes-stdin",
    )
    assert done.code == 0, done.err
    assert "preserved, every share withdrawn" in done.out
    assert "recording 3" in done.out and "confirmed" not in done.out
    assert _recordings(sqlite_home)[3] == "active"


def test_a_held_recording_waits_for_the_hold_to_end(sqlite_home: Path) -> None:
    reason = ["--reason", "litigation hold for C-1001"]
    held = as_user(sqlite_home, "dana", "recording", "hold", "1", *reason)
    assert held.code == 0, held.err
    done = _consent(sqlite_home, "tara", "revoke", "1", "--received", "email")
    assert done.code == 0, done.err
    assert "on legal hold, shredded when the hold is released: recording 1" in (
        done.out
    )
    assert _recordings(sqlite_home)[1] == "active"


# --- documents ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["chart", "request", "script"])
def test_each_document_is_a_pdf(sqlite_home: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.pdf"
    done = _consent(sqlite_home, "tara", "pdf", "1", "--kind", kind, "-o", target)
    assert done.code == 0, done.err
    assert target.read_bytes().startswith(b"%PDF")
    assert "now awaits signature" not in done.out  # only a draft form moves


def test_the_receipt_follows_a_revocation(sqlite_home: Path, tmp_path: Path) -> None:
    assert _consent(sqlite_home, "tara", "revoke", "1", "--received", "mail").code == 0
    target = tmp_path / "receipt.pdf"
    done = _consent(sqlite_home, "tara", "pdf", "1", "--kind", "receipt", "-o", target)
    assert done.code == 0, done.err
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "C-1001" in text


def test_the_signed_scan_comes_back_as_it_was_given(
    sqlite_home: Path, tmp_path: Path
) -> None:
    form = tmp_path / "form.pdf"
    assert _consent(sqlite_home, "tara", "pdf", "2", "-o", form).code == 0
    signed = _consent(
        sqlite_home,
        "tara",
        "sign",
        "2",
        "--signer",
        "guardian",
        "--signer",
        "trainee",
        "--scan",
        form,
    )
    assert signed.code == 0, signed.err
    assert "The scan of the signed pages is stored sealed." in signed.out
    copy = tmp_path / "copy.pdf"
    done = _consent(sqlite_home, "tara", "scan", "2", "-o", copy)
    assert done.code == 0, done.err
    assert copy.read_bytes() == form.read_bytes()
    again = _consent(sqlite_home, "tara", "scan", "2", "-o", copy)
    assert again.code == 1
    assert_one_error_line(again.err, "exists already")


def test_a_missing_font_is_one_line_saying_what_to_install(
    sqlite_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> str:
        fonts.font_path(fonts.REGULAR, tmp_path / "no-fonts")
        raise AssertionError("unreachable")

    monkeypatch.setattr(layout, "ensure_fonts", missing)
    target = tmp_path / "form.pdf"
    done = _consent(sqlite_home, "tara", "pdf", "1", "-o", target)
    assert done.code == 1
    assert_one_error_line(done.err, "apt-get install fonts-dejavu-core")
    assert not target.exists()
