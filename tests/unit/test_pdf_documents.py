"""The printed consent documents, rendered to real PDF files and read back.

Each document is rendered from plain data, written to a file, checked by
`qpdf --check` and read back with pypdf, so the tests see what a reader of
the paper sees: the wording rule 2 of the product brief asks for, each
signer's line, the names in their own letters, and the reference line that
ties every loose page to its record. One test renders every kind through the
service, from the demo program's database.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER
from sqlmodel import Session, col, select

from supervise.export import fonts, pdf, script
from supervise.export.documents import (
    ConsentDocument,
    ConsentRecord,
    RevocationReceipt,
    SignatureLine,
)
from supervise.export.fonts import FontMissing
from supervise.models.clinical import Client, ConsentForm
from supervise.services import consent_documents
from tests.conftest import Demo

CLIENT = "Zoë Ångström"
GUARDIAN = "Nguyễn Thị Hồng"
FIRST = "Дмитрий Соколов"
SECOND = "Ελένη Παππά"
CIRCUMSTANCES = "Kept for the clinical record only, until the retention date."
ALL_PARTY = "requires everyone in a session to agree before it is recorded"
KINDS = ("form", "script", "chart", "receipt", "request")


def minor_all_party(**changes: object) -> ConsentDocument:
    """A minor in California, with a guardian and two other participants."""
    lines = (
        SignatureLine("guardian", "Parent or guardian", GUARDIAN, True),
        SignatureLine("client", "Client (assent, optional)", CLIENT, False),
        SignatureLine("participant:C-1003", "Participant C-1003", FIRST, True),
        SignatureLine("participant:C-1004", "Participant C-1004", SECOND, True),
        SignatureLine("trainee", "Trainee clinician", "Tara Lindqvist", True),
        SignatureLine("supervisor", "Supervisor (optional)", "Sam Okafor", False),
    )
    document = ConsentDocument(
        program_name="Riverside Counselling Training Clinic",
        form_id=12,
        version=2,
        verification_code="K7QD-3MXA",
        case_code="C-1002",
        client_name=CLIENT,
        minor=True,
        guardian_name=GUARDIAN,
        jurisdiction="CA",
        jurisdiction_name="California",
        jurisdiction_notes=("All-party consent to record: Cal. Penal Code §632.",),
        all_party=True,
        participants=(("C-1003", FIRST), ("C-1004", SECOND)),
        purposes=("clinical_record", "supervision"),
        access=(
            "Tara Lindqvist, the trainee clinician who records the sessions",
            "The trainee's assigned clinical supervisors (today: Sam Okafor)",
        ),
        storage_location="the supervise system on clinic-01, encrypted at rest",
        retention_text="Each recording is destroyed 7 years after the session.",
        disposition="preserve",
        preserve_circumstances=CIRCUMSTANCES,
        trainee_name="Tara Lindqvist",
        supervisor_names=("Sam Okafor",),
        prepared_on=date(2026, 3, 4),
        signature_lines=lines,
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def adult_one_party() -> ConsentDocument:
    """An adult in New York (one-party), alone in the sessions, delete on revoke."""
    lines = (
        SignatureLine("client", "Client", CLIENT, True),
        SignatureLine("trainee", "Trainee clinician", "Tara Lindqvist", True),
        SignatureLine("supervisor", "Supervisor (optional)", "Sam Okafor", False),
    )
    return minor_all_party(
        minor=False,
        guardian_name="",
        jurisdiction="NY",
        jurisdiction_name="New York",
        jurisdiction_notes=(),
        all_party=False,
        participants=(),
        disposition="delete",
        preserve_circumstances="",
        signature_lines=lines,
    )


RECORD = ConsentRecord(
    status="active",
    verbal_on=date(2026, 3, 1),
    verbal_by="Tara Lindqvist",
    signed_on=date(2026, 3, 4),
    signed_lines=("Parent or guardian", "Trainee clinician"),
    revoked_on=None,
    recordings=3,
)


def receipt_of(document: ConsentDocument) -> RevocationReceipt:
    return RevocationReceipt(
        document=document,
        revoked_on=date(2026, 3, 10),
        received_how="in person",
        recorded_by="Tara Lindqvist",
        shredded=2,
        waiting_on_hold=1,
        preserved=0,
        issued_at=datetime(2026, 3, 10, 14, 5, tzinfo=UTC),
    )


RENDERERS: dict[str, Callable[[ConsentDocument, io.BytesIO], None]] = {
    "form": pdf.render_consent_form,
    "script": script.render_verbal_script,
    "chart": lambda doc, out: pdf.render_chart_note(doc, RECORD, out),
    "receipt": lambda doc, out: pdf.render_revocation_receipt(receipt_of(doc), out),
    "request": lambda doc, out: pdf.render_revocation_request(
        doc.program_name,
        out,
        case_code=doc.case_code,
        form_id=doc.form_id,
        page_size=doc.page_size,
    ),
}


def render(kind: str, document: ConsentDocument) -> bytes:
    out = io.BytesIO()
    RENDERERS[kind](document, out)
    return out.getvalue()


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def pages(data: bytes) -> list[str]:
    """The text of each page, flattened."""
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def text_of(data: bytes) -> str:
    return " ".join(pages(data))


def qpdf_check(data: bytes, folder: Path) -> None:
    """`qpdf --check` accepts the file (CI installs qpdf; its absence fails)."""
    qpdf = shutil.which("qpdf")
    assert qpdf is not None, "qpdf is not installed: apt-get install qpdf"
    path = folder / "document.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        [qpdf, "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def rule_two_wording(document: ConsentDocument) -> list[str]:
    """What rule 2 says every consent form states, as this form words it."""
    return [
        "What the recordings are for",
        "Clinical record.",
        "Supervision of the trainee.",
        "Training of other clinicians.",
        "used only for the purposes marked with an X",
        "Who can see or hear the recordings",
        *document.access,
        "Where the recordings are kept",
        document.storage_location,
        "How long the recordings are kept",
        document.retention_text,
        "You may withdraw (revoke) this consent at any time",
        "From that date, no new sessions are recorded.",
    ]


# --- every kind ----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_passes_qpdf_and_puts_its_reference_on_every_page(
    kind: str, tmp_path: Path
) -> None:
    data = render(kind, minor_all_party())
    qpdf_check(data, tmp_path)
    texts = pages(data)
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(texts)}" in text
        assert "Riverside Counselling Training Clinic" in text
        if kind == "request":
            assert "Request to withdraw consent · for form 12" in text
        else:
            assert "Form 12 · version 2 · check code K7QD-3MXA" in text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("size", "box"), [("letter", LETTER), ("a4", A4)])
def test_every_kind_is_printed_on_the_paper_the_setting_names(
    kind: str, size: str, box: tuple[float, float]
) -> None:
    reader = PdfReader(io.BytesIO(render(kind, minor_all_party(page_size=size))))
    for page in reader.pages:
        size_in_points = (float(page.mediabox.width), float(page.mediabox.height))
        assert [round(side) for side in size_in_points] == [round(s) for s in box]


def test_the_same_data_gives_the_same_bytes() -> None:
    document = minor_all_party()
    assert render("form", document) == render("form", document)


# --- the consent form ------------------------------------------------------------


def test_the_form_states_every_element_of_rule_two_in_plain_words() -> None:
    document = minor_all_party()
    text = text_of(render("form", document))
    for wording in rule_two_wording(document):
        assert flat(wording) in text


def test_the_form_has_a_named_signature_and_date_line_for_every_signer() -> None:
    document = minor_all_party()
    text = text_of(render("form", document))
    signatures = text[text.index("Signatures") :]
    for line in document.signature_lines:
        assert f"{line.label} Printed name: {line.name} Signature Date" in signatures
    assert signatures.count("Signature Date") == len(document.signature_lines)


def test_accented_vietnamese_cyrillic_and_greek_names_read_back_as_written() -> None:
    text = text_of(render("form", minor_all_party()))
    for name in (CLIENT, GUARDIAN, FIRST, SECOND):
        assert unicodedata.normalize("NFC", name) in text


def test_a_minors_form_has_the_guardians_line_and_an_adults_has_none() -> None:
    minor = text_of(render("form", minor_all_party()))
    adult = text_of(render("form", adult_one_party()))
    assert f"Parent or guardian Printed name: {GUARDIAN}" in minor
    assert "Because Zoë Ångström is a minor, a parent or legal guardian" in minor
    assert "Parent or guardian" not in adult
    assert "is a minor" not in adult


def test_the_all_party_notice_appears_only_for_an_all_party_state() -> None:
    all_party = text_of(render("form", minor_all_party()))
    one_party = text_of(render("form", adult_one_party()))
    assert f"The law of California {ALL_PARTY}" in all_party
    assert "Participant C-1003 Printed name: Дмитрий Соколов" in all_party
    assert ALL_PARTY not in one_party
    assert "Participant" not in one_party


def test_the_jurisdictions_statute_is_printed_when_there_is_one() -> None:
    text = text_of(render("form", minor_all_party()))
    assert "About the law in California" in text
    assert "All-party consent to record: Cal. Penal Code §632." in text


def test_a_preserve_form_states_its_circumstances_and_a_delete_form_destruction() -> (
    None
):
    preserve = text_of(render("form", minor_all_party()))
    delete = text_of(render("form", adult_one_party()))
    assert f"kept, not destroyed, but only in these circumstances: {CIRCUMSTANCES}" in (
        preserve
    )
    assert "All recordings already made are destroyed." in delete
    assert "circumstances" not in delete


def test_markup_in_a_typed_name_is_printed_as_typed() -> None:
    name = "<b>Ann</b> & Bob"
    lines = (SignatureLine("client", "Client", name, True),)
    document = replace(adult_one_party(), client_name=name, signature_lines=lines)
    text = text_of(render("form", document))
    assert f"Client: {name} (case C-1002)" in text
    assert f"Printed name: {name}" in text


def test_a_name_too_long_for_its_line_is_printed_whole_on_two() -> None:
    name = "Maria " + "de los Ángeles " * 8 + "Fernández"
    lines = (SignatureLine("client", "Client", name, True),)
    document = replace(adult_one_party(), client_name=name, signature_lines=lines)
    signatures = text_of(render("form", document)).split("Signatures", 1)[1]
    assert f"Printed name: {flat(name)} Signature" in signatures


# --- the other documents -----------------------------------------------------------


def test_the_script_is_filled_in_with_this_consents_terms() -> None:
    document = minor_all_party()
    text = text_of(render("script", document))
    for wording in (
        document.storage_location,
        document.retention_text,
        "Tara Lindqvist, the trainee clinician who records the sessions; the "
        "trainee's assigned clinical supervisors",
        f"would be kept, but only in these circumstances: {CIRCUMSTANCES}",
        f"The law of California {ALL_PARTY}",
        "Because Zoë Ångström is a minor",
    ):
        assert flat(wording) in text


def test_the_script_has_a_paragraph_for_each_chosen_purpose_and_no_other() -> None:
    chosen = text_of(render("script", minor_all_party()))
    training = text_of(
        render("script", minor_all_party(purposes=("supervision", "training")))
    )
    assert "For your clinical record:" in chosen
    assert "For supervision:" in chosen
    assert "For training:" not in chosen
    assert "For training:" in training
    assert "For your clinical record:" not in training


def test_the_script_for_a_one_party_adult_says_nothing_of_everyone_or_guardians() -> (
    None
):
    text = text_of(render("script", adult_one_party()))
    assert ALL_PARTY not in text
    assert "minor" not in text
    assert "every recording already made would be destroyed" in text


def test_the_chart_note_says_what_was_consented_when_and_where_it_is_kept() -> None:
    document = minor_all_party()
    text = text_of(render("chart", document))
    assert "signed consent form 12 on March 4, 2026" in text
    assert "these purposes: clinical record, supervision of the trainee" in text
    assert f"Stored in: {document.storage_location}" in text
    assert "Verbal consent: given on March 1, 2026, recorded by Tara Lindqvist" in text
    assert "Recordings stored under this consent: 3" in text
    assert "Who may open them:" in text


def test_the_receipt_says_when_it_was_withdrawn_and_what_became_of_each_recording() -> (
    None
):
    text = text_of(render("receipt", minor_all_party()))
    assert "Withdrawn on: March 10, 2026" in text
    assert "How the program received it: in person" in text
    assert "Destroyed now: 2 recordings." in text
    assert "to be destroyed as soon as the hold ends: 1 recording." in text
    assert "Kept, as your consent form allows" not in text
    assert f"used only in these circumstances: {CIRCUMSTANCES}" in text


def test_the_blank_request_has_lines_to_fill_and_the_known_references() -> None:
    text = text_of(render("request", minor_all_party()))
    assert "I withdraw my consent to the recording of my sessions." in text
    assert "Client's name" in text
    assert "Case code C-1002 Consent form 12" in text
    assert "Signature Date" in text


# --- fonts ---------------------------------------------------------------------


def test_a_missing_font_file_names_the_file_and_the_package_to_install(
    tmp_path: Path,
) -> None:
    with pytest.raises(FontMissing) as raised:
        fonts.font_path(fonts.REGULAR, tmp_path)
    message = str(raised.value)
    assert str(tmp_path / "DejaVuSans.ttf") in message
    assert "apt-get install fonts-dejavu-core" in message


def test_rendering_without_the_fonts_raises_font_missing_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "DejaVuSans-Bold.ttf").write_bytes(b"")  # not the one it needs
    monkeypatch.setattr(fonts, "FONT_FOLDER", tmp_path)
    fonts.ensure_fonts.cache_clear()
    out = io.BytesIO()
    try:
        with pytest.raises(FontMissing, match=r"DejaVuSans\.ttf is missing"):
            pdf.render_consent_form(minor_all_party(), out)
    finally:
        monkeypatch.undo()
        fonts.ensure_fonts.cache_clear()
    assert out.getvalue() == b""
    assert render("form", minor_all_party()).startswith(b"%PDF")


# --- through the service -------------------------------------------------------------


def consent_of(program: Demo, case_code: str) -> int:
    """The newest consent form of the demo client `case_code`."""
    with Session(program.ctx.engine) as session:
        query = (
            select(ConsentForm.id)
            .join(Client, col(Client.id) == col(ConsentForm.client_id))
            .where(Client.case_code == case_code)
            .order_by(col(ConsentForm.version).desc())
        )
        found = session.exec(query).first()
    assert found is not None
    return found


def test_the_service_prints_every_kind_from_the_demo_program_on_a4_when_set(
    program: Demo, tmp_path: Path
) -> None:
    ctx = program.ctx
    ctx.settings = replace(ctx.settings, page_size="a4")
    tara, tomas = program.login("tara"), program.login("tomas")
    couple = consent_of(program, "C-1003")
    printed = {
        kind: consent_documents.render(ctx, tara, couple, kind).pdf
        for kind in ("form", "script", "chart", "request")
    }
    printed["receipt"] = consent_documents.render(
        ctx, tomas, consent_of(program, "C-3001"), "receipt"
    ).pdf
    for kind, data in printed.items():
        qpdf_check(data, tmp_path)
        first = PdfReader(io.BytesIO(data)).pages[0]
        assert round(float(first.mediabox.width)) == round(A4[0]), kind
    form = text_of(printed["form"])
    assert "Noor Haddad" in form
    assert "Participant C-1004 Printed name: Élise Haddad" in form
    assert f"The law of California {ALL_PARTY}" in form
    assert "No recordings had been stored under this consent." in text_of(
        printed["receipt"]
    )
    preserve = consent_documents.render(
        ctx, tomas, consent_of(program, "C-3002"), "form"
    )
    text = text_of(preserve.pdf)
    assert CLIENT in text
    assert "Kept for the clinical record only, until the retention date." in text
