"""Plain text set line by line: a lighter stand-in for reportlab's Paragraph.

Most of a consent form is plain sentences in one typeface, some with a few
bold words of our own in front ("Client:"). Reportlab's Paragraph parses
markup, measures each fragment and keeps a general model of every line, and
for plain text that was most of the time a form took to print. `Text` takes
runs of plain text, each in its own font, breaks them greedily at spaces into
lines, and draws them in one text object. Nothing is parsed as markup, so
whatever a person typed is printed exactly as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable


class Run(NamedTuple):
    """Plain text in one font."""

    text: str
    font: str


Line = list[Run]


class Measured(NamedTuple):
    """A word and its width."""

    word: Run
    width: float


def words_of(runs: Sequence[Run]) -> list[Run]:
    """Each word of `runs` with its font; runs are separated by a space."""
    return [Run(word, run.font) for run in runs for word in run.text.split(" ") if word]


def pieces(word: Run, size: float, width: float) -> list[Run]:
    """`word` cut into pieces no wider than `width` (a name with no spaces
    can be longer than a line)."""
    cut: list[Run] = []
    start = 0
    for end in range(2, len(word.text) + 1):
        if stringWidth(word.text[start:end], word.font, size) > width:
            cut.append(Run(word.text[start : end - 1], word.font))
            start = end - 1
    cut.append(Run(word.text[start:], word.font))
    return cut


def measured(runs: Sequence[Run], size: float, width: float) -> list[Measured]:
    """Each word of `runs` with its width, a word too wide for a line in
    pieces."""
    words: list[Measured] = []
    for word in words_of(runs):
        wide = stringWidth(word.text, word.font, size)
        if wide <= width:
            words.append(Measured(word, wide))
        else:
            words += (
                Measured(piece, stringWidth(piece.text, piece.font, size))
                for piece in pieces(word, size, width)
            )
    return words


def break_lines(runs: Sequence[Run], size: float, width: float) -> list[Line]:
    """The words of `runs` in lines no wider than `width`, each line as runs."""
    spaces = {run.font: stringWidth(" ", run.font, size) for run in runs}
    lines: list[list[Run]] = []
    line: list[Run] = []
    used = 0.0
    for word, wide in measured(runs, size, width):
        space = spaces[word.font] if line else 0.0
        if line and used + space + wide > width:
            lines.append(line)
            line, used, space = [], 0.0, 0.0
        line.append(word)
        used += space + wide
    if line:
        lines.append(line)
    return [joined(words) for words in lines]


@lru_cache(maxsize=512)
def fixed_lines(runs: tuple[Run, ...], size: float, width: float) -> list[Line]:
    """`break_lines` for our own fixed sentences, which every form prints the
    same: they are broken once per process for each width. The lines are
    shared, so they are never changed."""
    return break_lines(runs, size, width)


def joined(words: list[Run]) -> Line:
    """A line's words, with neighbours in the same font made one run."""
    line: Line = []
    for word in words:
        if line and line[-1].font == word.font:
            line[-1] = Run(f"{line[-1].text} {word.text}", word.font)
        else:
            line.append(Run(f" {word.text}" if line else word.text, word.font))
    return line


class Text(Flowable):
    """Runs of plain text in a paragraph style, left-aligned, split across
    pages line by line.

    The style gives the size, leading, indents and space around; each run
    names its own font. A bullet, if any, is drawn in the style's font in front
    of the first line. `fixed` text holds none of the data of a document, only
    our own words, and its lines are reused from one document to the next.
    """

    def __init__(
        self,
        runs: Sequence[Run],
        style: ParagraphStyle,
        bullet: str = "",
        *,
        fixed: bool = False,
    ) -> None:
        super().__init__()
        self.runs = tuple(runs)
        self.fixed = fixed
        self.style = style
        self.bullet = bullet
        self.lines: list[Line] = []
        self.laid_out_for = -1.0
        """The width `lines` were broken for."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Break the text into lines for `availWidth`, unless that was done."""
        style = self.style
        room = availWidth - style.leftIndent - style.rightIndent
        if self.laid_out_for != room:
            lines = fixed_lines if self.fixed else break_lines
            self.lines = lines(self.runs, style.fontSize, room)
            self.laid_out_for = room
        self.width, self.height = availWidth, len(self.lines) * style.leading
        return self.width, self.height

    def getSpaceBefore(self) -> float:
        """The style's space above."""
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        """The style's space below."""
        return float(self.style.spaceAfter)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The lines that fit in `availHeight` and the rest, never leaving the
        first line alone at the foot of a page."""
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.style.leading)
        if fit < 1 or (fit == 1 and len(self.lines) > 1):
            return []
        if fit >= len(self.lines):
            return [self]
        return [self._part(self.lines[:fit], self.bullet), self._part(self.lines[fit:])]

    def _part(self, lines: list[Line], bullet: str = "") -> Text:
        """A Text of some of these lines, already broken."""
        part = Text([run for line in lines for run in line], self.style, bullet)
        part.lines, part.laid_out_for = lines, self.laid_out_for
        return part

    def draw(self) -> None:
        """Each line on its own baseline, fonts switched only where they change."""
        style, canvas = self.style, self.canv
        size, top = style.fontSize, self.height - style.fontSize
        if self.bullet:
            canvas.setFont(style.fontName, size)
            canvas.drawString(style.bulletIndent, top, self.bullet)
        text = canvas.beginText(style.leftIndent, top)
        text.setLeading(style.leading)
        font = ""
        for line in self.lines:
            for index, run in enumerate(line, start=1 - len(line)):
                if run.font != font:
                    text.setFont(run.font, size, style.leading)
                    font = run.font
                if index:  # not the line's last run
                    text.textOut(run.text)
                else:
                    text.textLine(run.text)
        canvas.drawText(text)
