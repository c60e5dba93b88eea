"""A trainee's supervision hours for a licensure application: data and CSV.

The service fills a `HoursDocument` from the hours log; this module and
`supervise.export.hours_pdf` only lay it out, so a document can be rendered
(and tested) from data alone. This one needs no PDF library, so the TUI and
the command line use `hours_text` without loading one.

Both forms list every entry (date, kind, minutes, hours as a decimal,
supervisor, when it was co-signed, the review it came from), then the totals:
by kind, co-signed and awaiting co-signature, and overall. Hours are
minutes / 60 to two places; each total is worked out from the minutes, not
from the rounded hours of its entries.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from supervise.export.documents import long_date
from supervise.textsafe import is_control

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
    """Typed text on one line, made inert for spreadsheets: no cell starts a
    formula."""
    text = "".join("?" if is_control(ch) else ch for ch in " ".join(text.split()))
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
