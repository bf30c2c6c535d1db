"""User text on its way into ReportLab's paragraph markup: one escape, used everywhere.

ReportLab's `Paragraph` reads its text as markup. Unescaped user text is dangerous:
measured, an unescaped `a<b` crashes the build, and an unescaped `<img src=...>`
embeds a file from the server's disk into the PDF (and ReportLab < 3.6.13 had a code
execution flaw in its markup evaluator; pyproject requires reportlab >= 4.0). So every
string that a user typed (names, titles, comments, evidence, decision texts) passes
through `markup()` before it is put into a Paragraph; only the report's own fixed tags
(`<b>`, `<i>`, `<font>`) are written around escaped text by `selector.report.pdf`.

Very long words need no zero-width spaces: every paragraph style sets
`splitLongWords`, which breaks a word wider than its column; tables allow a row to
split across pages (`splitInRow`), so a 5,000-character description cannot overflow a
page either.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

_ENTITIES = {'"': "&quot;", "'": "&#39;"}

# C0/C1 control characters (other than tab and newline) have no glyph and confuse
# PDF text extraction; they are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# A quotation in the report is cut after this many characters (the application keeps
# the full text); paragraphs themselves have no limit.
QUOTE_LIMIT = 1200


def clean(text: str | None) -> str:
    """Plain text fit for the report: None as "", control characters removed, NFC."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", _CONTROL.sub("", str(text)))


def markup(text: str | None) -> str:
    """Escape user text for ReportLab paragraph markup: & < > " ' become entities.

    Newlines become `<br/>` so that a multi-line decision text keeps its lines.
    """
    escaped = escape(clean(text), _ENTITIES)
    return escaped.replace("\r\n", "\n").replace("\n", "<br/>")


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    text = " ".join(clean(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def or_dash(text: str | None) -> str:
    """An empty field shows as a dash rather than as nothing."""
    text = clean(text).strip()
    return text if text else "–"
