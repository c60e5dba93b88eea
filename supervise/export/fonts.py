"""The typeface of every printed document: DejaVu Sans, from Debian.

Client names come in every script (Zoë Ångström, Nguyễn Thị Hồng, Дмитрий
Соколов, Ελένη), and the fonts built into PDF viewers cover only Western
European letters. DejaVu Sans covers Latin, Greek and Cyrillic in full. No
package on PyPI ships it without a document system attached, so it comes from
Debian's `fonts-dejavu-core`. The fonts are registered with reportlab once per
process: parsing them is the slowest part of a small document.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "SuperviseSans"
BOLD = "SuperviseSans-Bold"
DEBIAN_PACKAGE = "fonts-dejavu-core"
FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


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
def ensure_fonts() -> tuple[str, str]:
    """Register the regular and bold fonts once; return their names.

    Raises:
        FontMissing: A font file is not installed (nothing is cached then, so
            the next call looks again).
    """
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
    # So that <b> in a paragraph of the regular font picks the bold file.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
