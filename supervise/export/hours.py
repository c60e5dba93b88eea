"""A trainee's supervision hours for a licensure application: CSV and PDF.

The service fills a `HoursDocument` from the hours log; this module only lays
it out, so a document can be rendered (and tested) from data alone. Both
forms list every entry (date, kind, minutes, hours as a decimal, supervisor,
when it was co-signed, the review it came from), then the totals: by kind,
co-signed and awaiting co-signature, and overall. Hours are minutes / 60 to
two places; each total is worked out from the minutes, not from the rounded
hours of its entries.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

from reportlab.lib.colors import HexColor
from reportlab.platypus import Table, TableStyle

from supervise.export.documents import long_date
from supervise.export.fonts import HEADING, ensure_fonts
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
KIND_LABELS = {"individual": "Individual", "group": "Group"}
"""The kinds of hours, in the order totals list them."""
CSV_HEADER = (
    "date",
    "kind",
    "minutes",
    "hours",
    "supervisor",
    "cosigned_on",
    "review_id",
)
TOTAL = "TOTAL"
"""The first cell of each total row in the CSV."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class HoursRow:
    """One entry of the log, as printed."""

    entry_id: int
    on_date: date
    kind: str
    minutes: int
    supervisor: str
    """The supervisor's full name."""
    cosigned_on: date | None
    review_id: int | None


@dataclass(frozen=True)
class HoursDocument:
    """One trainee's hours over a period, ready to print.

    Attributes:
        program_name: The training program, at the top of each page.
        trainee_name: The trainee's full name.
        trainee_username: The trainee's account.
        since: The first day of the period, or None for "from the start".
        until: The last day of the period, or None for "to date".
        prepared_on: When the document was made.
        rows: The entries, oldest first.
        page_size: "letter" or "a4".
    """

    program_name: str
    trainee_name: str
    trainee_username: str
    since: date | None
    until: date | None
    prepared_on: date
    rows: tuple[HoursRow, ...]
    page_size: str = "letter"

    def totals(self) -> list[tuple[str, int]]:
        """(label, minutes) of every total, as both forms print them."""
        lines = [
            (label, sum(r.minutes for r in self.rows if r.kind == kind))
            for kind, label in KIND_LABELS.items()
        ]
        cosigned = sum(r.minutes for r in self.rows if r.cosigned_on is not None)
        overall = sum(r.minutes for r in self.rows)
        lines.append(("Co-signed", cosigned))
        lines.append(("Awaiting co-signature", overall - cosigned))
        lines.append(("All hours", overall))
        return lines

    def supervisors(self) -> list[str]:
        """The supervisors named in the entries, in order of first entry."""
        return list(dict.fromkeys(row.supervisor for row in self.rows))


def hours_text(minutes: int) -> str:
    """Minutes as decimal hours to two places: 90 -> "1.50"."""
    hours = (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return str(hours)


def period_text(since: date | None, until: date | None, prepared_on: date) -> str:
    """The period in words: "March 1, 2026 to May 31, 2026"."""
    start = long_date(since) if since else "the first entry"
    end = long_date(until) if until else f"{long_date(prepared_on)} (to date)"
    return f"{start} to {end}"


# --- CSV -----------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Typed text made inert for spreadsheets: no cell starts a formula."""
    text = printable(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def hours_csv(document: HoursDocument) -> str:
    """One row per entry, then one TOTAL row per total (kind: what it sums)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in document.rows:
        writer.writerow(
            (
                row.on_date.isoformat(),
                row.kind,
                row.minutes,
                hours_text(row.minutes),
                _cell(row.supervisor),
                row.cosigned_on.isoformat() if row.cosigned_on else "",
                row.review_id if row.review_id is not None else "",
            )
        )
    for label, minutes in document.totals():
        writer.writerow(
            (TOTAL, label.lower(), minutes, hours_text(minutes), "", "", "")
        )
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------

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
