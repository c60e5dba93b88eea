"""The shared look of printed documents: styles, form parts and page furniture.

Every document has the program's name at the top of each page and a reference
line at the foot ("Form 12 · version 2 · check code K7QD-3MXA · page 1 of 2"),
so that any loose page of a signed paper copy can be matched to its record.
Styles are built once per process, after the fonts are registered.

Plain text (`plain`, `labelled`, `bullets`, `section`) is set as `Text`,
which parses no markup. Whatever a person typed (names, notes, the program's
own wording) that goes into a markup paragraph (`para`) goes through `literal`,
so that `<b>` or `&` in a name is printed as it is instead of being read as
markup. Bold is for our own English words only (the title, headings and
labels): it is Helvetica-Bold, which has no Greek or Cyrillic, so typed text is
always in the regular face, even inside a heading.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import BinaryIO, NamedTuple
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from supervise.export.documents import long_date
from supervise.export.fonts import HEADING, REGULAR, ensure_fonts
from supervise.export.text import Run, Text
from supervise.textsafe import is_control

MARGIN = 20 * mm
FRAME_PADDING = 6.0
"""Platypus keeps text this far inside the page margins."""
RULE_GREY: Color = HexColor("#777777")
FOOTER_SIZE = 8.5
_SPACES = str.maketrans({"\n": " ", "\r": " ", "\t": " "})

Story = list[Flowable]


def printable(value: object) -> str:
    """`value` as one line of text a font can draw.

    Line breaks and tabs become spaces; other control characters, which no
    font can draw, become a visible `?`.
    """
    text = str(value)
    if text.isprintable():  # every character `is_control` refuses is not
        return text
    text = text.translate(_SPACES)
    return "".join("?" if is_control(ch) else ch for ch in text)


def literal(value: object) -> str:
    """`value` as paragraph markup that prints exactly what was typed."""
    return escape(printable(value))


def long_time(moment: datetime) -> str:
    """A moment with its date, its time and, when known, its time zone."""
    zone = f" {moment.tzname()}" if moment.tzinfo is not None else ""
    return f"{long_date(moment.date())} at {moment:%H:%M}{zone}"


def page_size_of(name: str) -> tuple[float, float]:
    """The paper size for "letter" or "a4"."""
    sizes = {"letter": LETTER, "a4": A4}
    try:
        return sizes[name.lower()]
    except KeyError:
        raise ValueError(f"unknown page size {name!r}: letter or a4") from None


# --- styles ------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of every document."""

    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    bullet: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle


@cache
def styles() -> Styles:
    """The styles, made once (the fonts are registered first)."""
    body = ParagraphStyle("body", fontName=ensure_fonts(), fontSize=10, leading=13.5)
    return Styles(
        title=ParagraphStyle(
            "title", body, fontName=HEADING, fontSize=16, leading=20, spaceAfter=6
        ),
        heading=ParagraphStyle(
            "heading",
            body,
            fontName=HEADING,
            fontSize=11.5,
            leading=15,
            spaceBefore=9,
            spaceAfter=3,
        ),
        body=ParagraphStyle("body-spaced", body, spaceAfter=4),
        bullet=ParagraphStyle(
            "bullet", body, leftIndent=14, bulletIndent=3, spaceAfter=2
        ),
        small=ParagraphStyle("small", body, fontSize=8.5, leading=11),
        label=ParagraphStyle("label", body, fontName=HEADING, spaceBefore=8),
    )


def para(markup: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of `markup` (already made safe with `literal`)."""
    return Paragraph(markup, style or styles().body)


def plain(text: object, style: ParagraphStyle | None = None) -> Text:
    """Plain `text` (ours or typed, no markup) in `style`'s font."""
    style = style or styles().body
    return Text([Run(printable(text), style.fontName)], style)


def ours(text: str, style: ParagraphStyle | None = None) -> Text:
    """Our own fixed `text`, the same in every document (never typed data)."""
    style = style or styles().body
    return Text([Run(text, style.fontName)], style, fixed=True)


def labelled(label: str, value: object = "") -> Text:
    """Our own `label` in bold, a colon, then the typed `value`."""
    return Text(
        [Run(f"{label}:", HEADING), Run(printable(value), REGULAR)], styles().body
    )


def section(text: str, room: float = 64, *, typed: object = "") -> Story:
    """A section heading, on a new page unless `room` points are left.

    `text` is ours, in bold; a `typed` part after it is in the regular face.

    So a heading is never the last line of a page. (A page break when
    space runs short costs far less than keeping the heading with the next
    flowable, which lays that flowable out twice.)
    """
    if not typed:
        return [CondPageBreak(room), ours(text, styles().heading)]
    runs = [Run(text, HEADING), Run(printable(typed), REGULAR)]
    return [CondPageBreak(room), Text(runs, styles().heading)]


def bullets(lines: Iterable[str]) -> Story:
    """One bulleted paragraph per line of typed text."""
    style = styles().bullet
    return [Text([Run(printable(line), REGULAR)], style, "•") for line in lines]


def fields(rows: Iterable[tuple[str, str]]) -> Story:
    """ "Label: value" lines; labels are ours, values are typed."""
    return [labelled(label, value) for label, value in rows]


def gap(points: float) -> Spacer:
    """Vertical space."""
    return Spacer(1, points)


# --- form parts ----------------------------------------------------------------


class CheckedItem(Flowable):
    """A paragraph with a drawn checkbox in front: ☒ when checked, ☐ when not.

    The box is drawn with lines rather than taken from the font, so it looks
    the same in every viewer and on paper.
    """

    BOX = 9.0
    INDENT = 18.0

    def __init__(self, checked: bool, paragraph: Flowable) -> None:
        super().__init__()
        self.checked = checked
        self.paragraph = paragraph

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Wrap the paragraph beside the box."""
        _, height = self.paragraph.wrap(availWidth - self.INDENT, availHeight)
        self.width, self.height = availWidth, max(height, self.BOX)
        return self.width, self.height

    def draw(self) -> None:
        """The box level with the first line of text, then the text."""
        canvas, box = self.canv, self.BOX
        top = self.height - 2.0
        canvas.setLineWidth(0.8)
        canvas.rect(1, top - box, box, box)
        if self.checked:
            canvas.line(1, top - box, 1 + box, top)
            canvas.line(1, top, 1 + box, top - box)
        self.paragraph.drawOn(canvas, self.INDENT, 0)


class Blank(NamedTuple):
    """One blank to write on: its label, its share of the row, and any value
    printed on it in advance."""

    label: str
    share: float
    value: str = ""


class Blanks(Flowable):
    """A row of labelled blank lines to write on: "Signature ____  Date ____"."""

    FONT_SIZE = 9.0

    def __init__(self, *blanks: Blank, height: float = 24.0) -> None:
        super().__init__()
        self.blanks = blanks
        self.row_height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The full width, `height` high: room above the line to write."""
        self.width, self.height = availWidth, self.row_height
        return self.width, self.height

    def draw(self) -> None:
        """Each label, then a rule to the end of its share of the row."""
        canvas, regular = self.canv, styles().body.fontName
        canvas.setLineWidth(0.6)
        x = 0.0
        for blank in self.blanks:
            canvas.setFont(regular, self.FONT_SIZE)
            canvas.drawString(x, 4, blank.label)
            start = x + stringWidth(blank.label, regular, self.FONT_SIZE) + 4
            end = x + blank.share * self.width - 12
            canvas.line(start, 3, end, 3)
            if blank.value:
                size, room = styles().body.fontSize, end - start - 8
                canvas.setFont(regular, size)
                value = fit(printable(blank.value), regular, size, room)
                canvas.drawString(start + 4, 5.5, value)
            x += blank.share * self.width


class Unbroken(Flowable):
    """Flowables stacked as one block that is never split across pages."""

    def __init__(self, parts: Sequence[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self.heights: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The parts' heights, each with the space above it but the first."""
        self.heights = [part.wrap(availWidth, availHeight)[1] for part in self.parts]
        gaps = sum(part.getSpaceBefore() for part in self.parts[1:])
        self.width, self.height = availWidth, sum(self.heights) + gaps
        return self.width, self.height

    def getSpaceBefore(self) -> float:
        """The space above the first part."""
        return self.parts[0].getSpaceBefore() if self.parts else 0.0

    def draw(self) -> None:
        """Each part below the one before it."""
        top = self.height
        for index, (part, height) in enumerate(
            zip(self.parts, self.heights, strict=True)
        ):
            top -= (part.getSpaceBefore() if index else 0) + height
            part.drawOn(self.canv, 0, top)


def signature_row() -> Blanks:
    """Lines for a signature and its date, with room to sign."""
    return Blanks(Blank("Signature", 0.68), Blank("Date", 0.32), height=SIGN_ROOM)


SIGN_ROOM = 32.0
"""The height of a signature row: room above the line to sign."""


class SignatureBlock(Flowable):
    """One signer: what the line is for, their printed name, then the lines.

    Drawn straight onto the canvas as one block that is never split across
    pages: a form has up to a dozen of these, and drawing the two lines of
    text directly costs a fraction of two paragraphs each. A name too long
    for one line is set as a paragraph instead, so it is printed whole: it
    is the name the person signs under.
    """

    SPACE_BEFORE = 8.0
    PREFIX = "Printed name: "

    def __init__(self, label: str, name: str) -> None:
        super().__init__()
        self.label = printable(label)
        self.name = printable(name)
        self.row = signature_row()
        self.long_name: Paragraph | None = None
        self.name_height = 0.0

    @classmethod
    def usual_height(cls) -> float:
        """The height of a block whose name fits on one line, with the space
        above it."""
        return cls.SPACE_BEFORE + 2 * styles().body.leading + SIGN_ROOM

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The label, the name (one line or more), then the signature row."""
        body = styles().body
        _, row = self.row.wrap(availWidth, availHeight)
        line = self.PREFIX + self.name
        self.long_name, self.name_height = None, body.leading
        if stringWidth(line, body.fontName, body.fontSize) > availWidth:
            self.long_name = Paragraph(literal(line), body)
            self.name_height = self.long_name.wrap(availWidth, availHeight)[1]
        self.width = availWidth
        self.height = body.leading + self.name_height + row
        return self.width, self.height

    def getSpaceBefore(self) -> float:
        """A little space between one signer and the next."""
        return self.SPACE_BEFORE

    def draw(self) -> None:
        """The label, the printed name, the signature and date row.

        The label is typed (it can hold a case code), so it is not bold.
        """
        canvas, body = self.canv, styles().body
        regular, size, leading = body.fontName, body.fontSize, body.leading
        canvas.setFont(regular, size)
        label = fit(self.label, regular, size, self.width)
        canvas.drawString(0, self.height - size, label)
        name_top = self.height - leading
        if self.long_name is None:
            canvas.drawString(0, name_top - size, self.PREFIX + self.name)
        else:
            self.long_name.drawOn(canvas, 0, name_top - self.name_height)
        self.row.drawOn(canvas, 0, 0)


# --- pages -------------------------------------------------------------------


PAGE_COUNT = "PageCount"
"""A form (a PDF XObject) holding the number of pages. Each footer places it
after "page N of "; it is defined once the last page is done."""


@dataclass(frozen=True)
class Decoration:
    """What every page of a document carries at its top and its foot.

    Attributes:
        header: The program's name, top left.
        header_right: A short reference, top right (the case code).
        footer: The reference line; " · page N of M" is added to it.
    """

    header: str
    header_right: str
    footer: str

    def draw(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        """Draw the header and the footer of the canvas's current page."""
        width, height = document.pagesize
        canvas.saveState()
        self._draw_header(canvas, width, height - 12 * mm)
        canvas.setStrokeColor(RULE_GREY)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, height - 14 * mm, width - MARGIN, height - 14 * mm)
        canvas.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
        self._draw_footer(canvas, 10 * mm)
        canvas.restoreState()

    def _draw_header(self, canvas: Canvas, width: float, y: float) -> None:
        """The program's name on the left, the case code on the right."""
        regular = ensure_fonts()
        right = printable(self.header_right)
        room = width - 2 * MARGIN - stringWidth(right, regular, 9) - 12
        canvas.setFont(regular, 10)
        canvas.drawString(MARGIN, y, fit(printable(self.header), regular, 10, room))
        canvas.setFont(regular, 9)
        canvas.drawRightString(width - MARGIN, y, right)

    def _draw_footer(self, canvas: Canvas, y: float) -> None:
        """The reference line, then the page number and the page count."""
        regular = ensure_fonts()
        text = f"{printable(self.footer)} · page {canvas.getPageNumber()} of "
        canvas.setFont(regular, FOOTER_SIZE)
        canvas.drawString(MARGIN, y, text)
        canvas.translate(MARGIN + stringWidth(text, regular, FOOTER_SIZE), y)
        canvas.doForm(PAGE_COUNT)


def fit(text: str, font: str, size: float, room: float) -> str:
    """`text`, cut short with an ellipsis if it is wider than `room`."""
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text + "…"


class _CountingCanvas(Canvas):
    """A canvas that writes the page count into `PAGE_COUNT` when it saves."""

    def save(self) -> None:
        """Define the page-count form, then write the file."""
        pages = self.getPageNumber() - 1  # the page after the last one
        self.beginForm(PAGE_COUNT)
        self.setFont(ensure_fonts(), FOOTER_SIZE)
        self.drawString(0, 0, str(pages))
        self.endForm()
        super().save()


def render(
    story: Story,
    out: BinaryIO,
    *,
    title: str,
    decoration: Decoration,
    page_size: str = "letter",
) -> None:
    """Lay `story` out on pages of `page_size` and write the PDF to `out`.

    The output is deterministic: the same data gives the same bytes.

    Raises:
        FontMissing: The fonts are not installed.
    """
    ensure_fonts()  # cached; says what to install before any byte is written
    document = SimpleDocTemplate(
        out,
        pagesize=page_size_of(page_size),
        leftMargin=MARGIN - FRAME_PADDING,
        rightMargin=MARGIN - FRAME_PADDING,
        topMargin=MARGIN - FRAME_PADDING,
        bottomMargin=MARGIN - FRAME_PADDING,
        title=title,
        author=decoration.header,
        creator="supervise",
        invariant=True,
    )
    draw = decoration.draw
    document.build(
        story, onFirstPage=draw, onLaterPages=draw, canvasmaker=_CountingCanvas
    )
