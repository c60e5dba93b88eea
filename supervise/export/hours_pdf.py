"""A trainee's supervision hours as a PDF: entries, totals, signature lines.

Laid out with the consent documents' styles and page furniture: the
program's name at the top of each page, a reference line and page numbers at
the foot. Co-signed entries and those awaiting co-signature are listed
apart, then the totals, then a signature block for each supervisor named.
"""

from __future__ import annotations

from typing import BinaryIO

from reportlab.lib.colors import HexColor
from reportlab.platypus import Table, TableStyle

from supervise.export.documents import long_date
from supervise.export.fonts import HEADING, ensure_fonts
from supervise.export.hours import (
    KIND_LABELS,
    HoursDocument,
    HoursRow,
    hours_text,
    period_text,
)
from supervise.export.layout import (
    MARGIN,
    Decoration,
    SignatureBlock,
    Story,
    fields,
    fit,
    gap,
    ours,
    page_size_of,
    printable,
    render,
    section,
    styles,
)

TITLE = "Supervision hours"

_GRID = HexColor("#999999")
_SHADE = HexColor("#eeeeee")
_ENTRY_HEADINGS = (
    "Date",
    "Kind",
    "Supervisor",
    "Minutes",
    "Hours",
    "Co-signed",
    "Review",
)
_ENTRY_SHARES = (0.14, 0.12, 0.30, 0.10, 0.09, 0.15, 0.10)
_SUPERVISOR_COLUMN = 2


def _table_style(first: int, last: int) -> TableStyle:
    """A grid with a shaded heading row; columns `first`..`last` (numbers)
    aligned right."""
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), ensure_fonts(), 9),
            ("FONT", (0, 0), (-1, 0), HEADING, 9),
            ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
            ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (first, 0), (last, -1), "RIGHT"),
        ]
    )


def _width(document: HoursDocument) -> float:
    return page_size_of(document.page_size)[0] - 2 * MARGIN


def _entries_table(document: HoursDocument, rows: list[HoursRow]) -> Table:
    width = _width(document)
    widths = [share * width for share in _ENTRY_SHARES]
    room = widths[_SUPERVISOR_COLUMN] - 8
    regular = ensure_fonts()
    data: list[list[str]] = [list(_ENTRY_HEADINGS)]
    for row in rows:
        data.append(
            [
                row.on_date.isoformat(),
                KIND_LABELS.get(row.kind, row.kind),
                fit(printable(row.supervisor), regular, 9, room),
                str(row.minutes),
                hours_text(row.minutes),
                row.cosigned_on.isoformat() if row.cosigned_on else "awaiting",
                str(row.review_id) if row.review_id is not None else "",
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_table_style(3, 4))
    return table


def _totals_table(document: HoursDocument) -> Table:
    width = _width(document)
    data = [["Total", "Minutes", "Hours"]]
    data += [
        [label, str(minutes), hours_text(minutes)]
        for label, minutes in document.totals()
    ]
    table = Table(
        data, colWidths=[0.4 * width, 0.15 * width, 0.15 * width], hAlign="LEFT"
    )
    style = _table_style(1, 2)
    style.add("FONT", (0, -1), (-1, -1), HEADING, 9)
    table.setStyle(style)
    return table


def hours_story(document: HoursDocument) -> Story:
    """Title, whose hours and when, the entries, the totals, the signatures."""
    period = period_text(document.since, document.until, document.prepared_on)
    story: Story = [
        ours(TITLE, styles().title),
        *fields(
            [
                ("Trainee", f"{document.trainee_name} ({document.trainee_username})"),
                ("Period", period),
                ("Prepared on", long_date(document.prepared_on)),
            ]
        ),
    ]
    cosigned = [row for row in document.rows if row.cosigned_on is not None]
    awaiting = [row for row in document.rows if row.cosigned_on is None]
    story += section("Co-signed by the supervisor")
    story.append(_entries_table(document, cosigned) if cosigned else ours("None."))
    story += section("Awaiting co-signature")
    story.append(_entries_table(document, awaiting) if awaiting else ours("None."))
    story += section("Totals")
    story += [_totals_table(document), gap(4)]
    story.append(
        ours(
            "Hours are minutes divided by 60, to two decimal places; each total "
            "is worked out from the minutes."
        )
    )
    story += section("Supervisor's attestation", 64 + 80 * len(document.supervisors()))
    story.append(
        ours(
            "I attest that the co-signed hours above are a true record of the "
            "supervision I provided."
        )
    )
    story += [
        SignatureBlock("Supervisor", name) for name in (document.supervisors() or [""])
    ]
    return story


def reference(document: HoursDocument) -> str:
    """The footer line: what the document is, for whom, and when it was made."""
    return (
        f"{TITLE} · {document.trainee_username} · prepared "
        f"{document.prepared_on.isoformat()}"
    )


def render_hours_pdf(document: HoursDocument, out: BinaryIO) -> None:
    """Write the hours document as PDF to `out`.

    Raises:
        FontMissing: The fonts are not installed.
    """
    render(
        hours_story(document),
        out,
        title=TITLE,  # names stay out of the PDF's metadata
        decoration=Decoration(document.program_name, TITLE, reference(document)),
        page_size=document.page_size,
    )
