"""The typeface of every printed document: DejaVu Sans, from Debian.

Client names come in every script (Zoë Ångström, Nguyễn Thị Hồng, Дмитрий
Соколов, Ελένη), and the fonts built into PDF viewers cover only Western
European letters. DejaVu Sans covers Latin, Greek and Cyrillic in full. No
package on PyPI ships it without a document system attached, so it comes from
Debian's `fonts-dejavu-core`. The font is registered with reportlab once per
process: parsing it is the slowest part of a small document.

Headings, titles and field labels are our own English words, and they are set
in Helvetica-Bold, one of the fonts every PDF viewer has built in: it is not
embedded, so a document carries one embedded font instead of two (embedding a
subset of DejaVu costs as much as laying out a page of text). Helvetica has no
Greek or Cyrillic, so nothing a person typed is ever set in it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "SuperviseSans"
HEADING = "Helvetica-Bold"
"""For our own fixed English words only: it has no Greek or Cyrillic."""
DEBIAN_PACKAGE = "fonts-dejavu-core"
FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
FILES = {REGULAR: "DejaVuSans.ttf"}


class FontMissing(RuntimeError):
    """A font the documents need is not installed on this machine."""


def font_path(name: str, folder: Path | None = None) -> Path:
    """The file of font `name` in `folder` (by default `FONT_FOLDER`).

    Raises:
        FontMissing: The file is not there; the message says what to install.
    """
    path = (folder or FONT_FOLDER) / FILES[name]
    if not path.is_file():
        raise FontMissing(
            f"cannot print documents: the font file {path} is missing. "
            f"Ask the server's administrator to install the Debian package "
            f"{DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})."
        )
    return path


@cache
def ensure_fonts() -> str:
    """Register the regular font once; return its name.

    Raises:
        FontMissing: The font file is not installed (nothing is cached then,
            so the next call looks again).
    """
    pdfmetrics.registerFont(TTFont(REGULAR, str(font_path(REGULAR))))
    # There is no bold DejaVu: <b> keeps the regular face, so that no typed
    # letter can land in a font without it. Bold words are set with
    # <font face="Helvetica-Bold">. The plain mapping comes last: it is the
    # one reportlab reads back for the regular face.
    addMapping(REGULAR, 1, 1, REGULAR)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 0, REGULAR)
    addMapping(REGULAR, 0, 0, REGULAR)
    return REGULAR
