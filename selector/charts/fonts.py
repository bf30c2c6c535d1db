"""The embedded font (DejaVu Sans, vendored in static/fonts with its licence) and text widths.

Registered once with ReportLab under the family name `DejaVuSans`, so `<b>` and `<i>`
in paragraph markup pick the bold and oblique faces. Chart layout measures labels
with the same metrics, so a label that fits in the PDF fits in the SVG as well (the
SVG names DejaVu Sans first, with look-alike fallbacks).
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from selector.paths import bundled

FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
SVG_FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
}
_lock = threading.Lock()
_registered = False


def font_dir() -> Path:
    return bundled("static") / "fonts"


def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold, oblique) with ReportLab, once per process."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = font_dir()
        for name, filename in _FILES.items():
            path = folder / filename
            if not path.is_file():
                raise FileNotFoundError(
                    f"the report font {path} is missing (static/fonts holds DejaVu Sans)"
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(
            FAMILY, normal=REGULAR, bold=BOLD, italic=OBLIQUE, boldItalic=BOLD
        )
        # Paragraph markup looks fonts up by (family, bold, italic).
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, OBLIQUE)
        addMapping(FAMILY, 1, 1, BOLD)
        _registered = True


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` in points at `size` in DejaVu Sans."""
    register_fonts()
    return pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, size)


def fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """`text` shortened with an ellipsis so that it fits in `width` points."""
    if text_width(text, size, bold) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with "…"
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + "…", size, bold) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…" if low else "…"


def wrap(text: str, size: float, width: float, lines: int, bold: bool = False) -> list[str]:
    """`text` broken into at most `lines` lines of `width` points; the last one shortened."""
    words = text.split()
    result: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size, bold) <= width or not current:
            current = candidate
            continue
        result.append(current)
        current = word
        if len(result) == lines - 1:
            current = " ".join(words[index:])
            break
    if current:
        result.append(current)
    return [fit(line, size, width, bold) for line in result[:lines]] or [""]
