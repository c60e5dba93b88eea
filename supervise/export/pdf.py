"""The printed consent documents, written as PDF to a binary stream.

Each function renders one document from plain data (see
`supervise.export.documents`) and writes it to `out`: the consent form, the
revocation receipt, the chart note, and the blank form a client fills in to
withdraw. The verbal consent script is in `supervise.export.script`.

Rendering raises `supervise.export.fonts.FontMissing` when the DejaVu fonts
are not installed. It is deterministic: the same data gives the same bytes.
"""

from __future__ import annotations

from typing import BinaryIO

from supervise.export.consent_form import TITLE, consent_story, decoration
from supervise.export.documents import (
    ConsentDocument,
    ConsentRecord,
    RevocationReceipt,
)
from supervise.export.layout import render
from supervise.export.notices import (
    CHART_TITLE,
    RECEIPT_TITLE,
    REQUEST_TITLE,
    chart_story,
    receipt_story,
    request_decoration,
    request_story,
)

__all__ = [
    "render_chart_note",
    "render_consent_form",
    "render_revocation_receipt",
    "render_revocation_request",
]


def _title(title: str, doc: ConsentDocument) -> str:
    """The PDF's title: names stay out of its metadata."""
    return f"{title}: form {doc.form_id}, version {doc.version}"


def render_consent_form(doc: ConsentDocument, out: BinaryIO) -> None:
    """Write the consent form for the client to read and sign."""
    story = consent_story(doc)
    title = _title(TITLE, doc)
    render(story, out, title=title, decoration=decoration(doc), page_size=doc.page_size)


def render_revocation_receipt(receipt: RevocationReceipt, out: BinaryIO) -> None:
    """Write the receipt a client gets when they withdraw consent."""
    doc = receipt.document
    title = _title(RECEIPT_TITLE, doc)
    story = receipt_story(receipt)
    render(story, out, title=title, decoration=decoration(doc), page_size=doc.page_size)


def render_chart_note(
    doc: ConsentDocument, record: ConsentRecord, out: BinaryIO
) -> None:
    """Write the chart note: what was consented, when, and where it is kept."""
    story = chart_story(doc, record)
    title = _title(CHART_TITLE, doc)
    render(story, out, title=title, decoration=decoration(doc), page_size=doc.page_size)


def render_revocation_request(
    program_name: str,
    out: BinaryIO,
    *,
    case_code: str = "",
    form_id: int | None = None,
    page_size: str = "letter",
) -> None:
    """Write a blank form a client fills in to withdraw consent.

    Args:
        program_name: The program the form is sent to.
        out: Where the PDF goes.
        case_code: Printed on the form when known; left blank if not.
        form_id: The consent form being withdrawn, when known.
        page_size: "letter" or "a4".
    """
    render(
        request_story(program_name, case_code, form_id),
        out,
        title=REQUEST_TITLE,
        decoration=request_decoration(program_name, case_code, form_id),
        page_size=page_size,
    )
