"""The argued selection report laid out as a PDF with ReportLab's platypus.

`render_pdf(report)` takes the `ReportData` of `selector.report.contents` and returns the
PDF bytes: a cover, a table of contents that is also the PDF's outline (bookmarks),
chapters that each start on a new page, a header and a footer with "page 3 of 17",
tables that split across pages with their header row repeated, charts as vector
drawings, and the embedded DejaVu Sans font (any Latin, Greek or Cyrillic name).

Every string that comes from the report data is user text or contains it (a sentence
naming a vendor), so all of it passes through `selector.report.text.markup` before it
enters a Paragraph; the only markup in a paragraph is the report's own.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak
from reportlab.platypus import Flowable
from reportlab.platypus import KeepInFrame
from reportlab.platypus import KeepTogether
from reportlab.platypus import NextPageTemplate
from reportlab.platypus import PageBreak
from reportlab.platypus import Paragraph
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.doctemplate import PageTemplate
from reportlab.platypus.frames import Frame
from reportlab.platypus.tableofcontents import TableOfContents

from selector.charts import models as charts
from selector.charts.fonts import BOLD
from selector.charts.fonts import OBLIQUE
from selector.charts.fonts import REGULAR
from selector.charts.fonts import fit
from selector.charts.fonts import register_fonts
from selector.charts.fonts import text_width
from selector.charts.pdf import render_drawing
from selector.report.contents import QuestionLine
from selector.report.contents import ReportData
from selector.report.contents import RequirementContribution
from selector.report.contents import SeenChangeLine
from selector.report.contents import SponsorDecisionLine
from selector.report.contents import VendorProfile
from selector.report.figures import report_figures
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import report_language
from selector.report.i18n import t_
from selector.report.i18n import tn_
from selector.report.labels import contract_years_text
from selector.report.labels import difference_text
from selector.report.labels import money_text
from selector.report.text import markup
from selector.report.text import or_dash
from selector.report.text import shorten

# ReportLab before 3.6.13 could execute code from paragraph markup (CVE-2023-33733);
# pyproject asks for 4.0 or later, and an older copy on the path is refused here.
if tuple(int(part) for part in reportlab.Version.split(".")[:3]) < (3, 6, 13):
    raise ImportError(f"the report needs ReportLab 3.6.13 or later, not {reportlab.Version}")

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = RIGHT = 2.0 * cm
TOP = 2.3 * cm
BOTTOM = 2.0 * cm
WIDTH = PAGE_WIDTH - LEFT - RIGHT

NAVY = colors.HexColor("#1D3557")
ACCENT = colors.HexColor("#2F6DB5")
INK = colors.HexColor("#1E2A38")
MUTED = colors.HexColor("#6B7787")
RULE = colors.HexColor("#D9DEE5")
ZEBRA = colors.HexColor("#F4F6F9")
TINT = colors.HexColor("#EAF1FA")
PASSED = colors.HexColor("#2E7D4F")
FAILED = colors.HexColor("#B83227")
UNVERIFIED = colors.HexColor("#B86E00")
STATE_COLOUR = {"passed": PASSED, "failed": FAILED, "unverified": UNVERIFIED}
STATE_MARK = {"passed": "✓", "failed": "✗", "unverified": "?"}

# Tables draw an empty text object in their cells' font even when every cell is a
# Paragraph; naming the embedded font keeps a standard font out of the PDF.
BASE_FONT = ("FONT", (0, 0), (-1, -1), REGULAR, 8)

VENDOR_COLUMNS = 6  # vendors per appendix table; more vendors: the table repeats
MIN_SHRINK = 0.8  # the summary may shrink to 80% to stay on one page
GLANCE_ROWS = 6  # vendors in the summary's ranking table
HEADING_LIMIT = 120  # characters of a user-named heading (vendor) in the contents


# --------------------------------------------------------------------------- styles


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=9,
        leading=12.6,
        textColor=INK,
        spaceAfter=5,
        splitLongWords=1,
        allowWidows=0,
        allowOrphans=0,
    )

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "lead": style("lead", fontSize=10, leading=14.5),
        "small": style("small", fontSize=7.5, leading=10, textColor=MUTED),
        "h1": style("h1", fontName=BOLD, fontSize=17, leading=21, textColor=NAVY,
                    spaceBefore=0, spaceAfter=10, keepWithNext=1),
        "h2": style("h2", fontName=BOLD, fontSize=11.5, leading=15, textColor=NAVY,
                    spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "h3": style("h3", fontName=BOLD, fontSize=9.5, leading=13, textColor=INK,
                    spaceBefore=7, spaceAfter=3, keepWithNext=1),
        "bullet": style("bullet", leftIndent=11, bulletIndent=1, spaceAfter=3,
                        bulletFontName=REGULAR),
        "quote": style("quote", fontName=OBLIQUE, fontSize=8.7, leading=12, spaceAfter=1),
        "quote_by": style("quote_by", fontSize=7.5, leading=10, textColor=MUTED, spaceAfter=0),
        "cell": style("cell", fontSize=8, leading=10.2, spaceAfter=0),
        "cell_state": style("cell_state", fontSize=7, leading=9, spaceAfter=0,
                            alignment=TA_CENTER),
        "cell_small": style("cell_small", fontSize=7, leading=9, textColor=MUTED, spaceAfter=0),
        "cell_right": style("cell_right", fontSize=8, leading=10.2, spaceAfter=0,
                            alignment=TA_RIGHT),
        "cell_center": style("cell_center", fontSize=8, leading=10.2, spaceAfter=0,
                             alignment=TA_CENTER),
        "head": style("head", fontName=BOLD, fontSize=7.8, leading=10, spaceAfter=0,
                      textColor=colors.white, splitLongWords=0),
        "head_right": style("head_right", fontName=BOLD, fontSize=7.8, leading=10,
                            spaceAfter=0, textColor=colors.white, alignment=TA_RIGHT,
                            splitLongWords=0),
        "head_center": style("head_center", fontName=BOLD, fontSize=6.6, leading=8.2,
                             spaceAfter=0, textColor=colors.white, alignment=TA_CENTER,
                             splitLongWords=0),
        "figure_label": style("figure_label", fontSize=7.3, leading=9.5, textColor=MUTED,
                              spaceAfter=1),
        "figure_value": style("figure_value", fontName=BOLD, fontSize=11, leading=14,
                              spaceAfter=0),
        "caption": style("caption", fontName=BOLD, fontSize=8.5, leading=11, textColor=INK,
                         spaceBefore=4, spaceAfter=3, keepWithNext=1),
        "toc0": style("toc0", fontName=BOLD, fontSize=10, leading=15, spaceAfter=0,
                      leftIndent=0, firstLineIndent=0),
        "toc1": style("toc1", fontSize=8.8, leading=12.5, spaceAfter=0, leftIndent=14,
                      firstLineIndent=0, textColor=INK),
        "cover_kicker": style("cover_kicker", fontName=BOLD, fontSize=10, leading=13,
                              textColor=colors.HexColor("#BFD4EE"), spaceAfter=8),
        "cover_title": style("cover_title", fontName=BOLD, fontSize=26, leading=32,
                             textColor=colors.white, spaceAfter=10),
        "cover_sub": style("cover_sub", fontSize=13, leading=18, textColor=colors.white,
                           spaceAfter=4),
        "cover_label": style("cover_label", fontSize=8, leading=11, textColor=MUTED,
                             spaceAfter=1),
        "cover_value": style("cover_value", fontName=BOLD, fontSize=12, leading=16,
                             spaceAfter=10),
        "cover_winner": style("cover_winner", fontName=BOLD, fontSize=20, leading=25,
                              textColor=NAVY, spaceAfter=2),
        "box_title": style("box_title", fontSize=8.5, leading=11, textColor=MUTED,
                           spaceAfter=2),
        "box_winner": style("box_winner", fontName=BOLD, fontSize=18, leading=22,
                            textColor=NAVY, spaceAfter=3),
        "cover_fact": style("cover_fact", fontName=BOLD, fontSize=9.5, leading=12.5,
                            spaceAfter=0),
        "sign": style("sign", fontSize=9.5, leading=14, spaceAfter=6),
    }


# --------------------------------------------------------------------------- building blocks


class Heading(Paragraph):
    """A chapter or section title that is also a bookmark and a table-of-contents line."""

    def __init__(
        self, text: str, style: ParagraphStyle, level: int, key: str, toc: bool = True
    ) -> None:
        text = shorten(text, HEADING_LIMIT)
        super().__init__(markup(text), style)
        self.plain = text
        self.level = level
        self.key = key
        self.toc = toc  # sections are bookmarks only; the contents list chapters


def _p(text: str | None, style: ParagraphStyle) -> Paragraph:
    """A paragraph of user text (escaped)."""
    return Paragraph(markup(text), style)


def _raw(markup_text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph whose markup the report wrote itself around escaped text."""
    return Paragraph(markup_text, style)


class _Writer:
    """Builds the story; numbers chapters and sections and keys their bookmarks."""

    def __init__(self, report: ReportData) -> None:
        self.report = report
        self.figures = report_figures(report)
        self.s = _styles()
        self.story: list[Flowable] = []
        self.chapter = 0
        self.keys = 0

    def add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)

    def _key(self) -> str:
        self.keys += 1
        return f"section-{self.keys}"

    def h1(self, text: str, new_page: bool = True) -> None:
        if new_page:
            self.add(PageBreak())
        self.chapter += 1
        self.add(Heading(f"{self.chapter} {text}", self.s["h1"], 0, self._key()))
        self.add(_Rule(WIDTH, ACCENT, 1.4, space_after=8))

    def h2(self, text: str, outline: bool = True) -> None:
        if outline:
            self.add(
                CondPageBreak(3 * cm), Heading(text, self.s["h2"], 1, self._key(), toc=False)
            )
        else:
            self.add(CondPageBreak(3 * cm), _p(text, self.s["h2"]))

    def h3(self, text: str) -> None:
        self.add(_p(text, self.s["h3"]))

    def para(self, text: str | None, style: str = "body") -> None:
        if text:
            self.add(_p(text, self.s[style]))

    def bullets(self, items: Iterable[str], colour: colors.Color | None = None) -> None:
        bullet = "•"
        for item in items:
            paragraph = _p(item, self.s["bullet"])
            paragraph.bulletText = bullet
            if colour is not None:
                paragraph.style = ParagraphStyle(
                    "bullet_c", parent=self.s["bullet"], bulletColor=colour
                )
            self.add(paragraph)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        align: Sequence[str] | None = None,
        extra: Sequence[tuple] = (),
        total_row: bool = False,
        header_style: str = "head",
    ) -> Table:
        """A table that splits across pages, repeating its header row.

        Cells may be str (user text: escaped into a Paragraph), a Flowable or a list
        of them, or a tuple ("num", text) for a right-aligned number the report formatted itself.
        """
        align = align or ["left"] * len(header)
        head_styles = {
            "left": self.s[header_style],
            "right": self.s["head_right"],
            "center": self.s["head_center"] if header_style == "head" else self.s[header_style],
        }
        data: list[list[Any]] = [
            [_header_cell(text, head_styles[a], width - 8)
             for text, a, width in zip(header, align, widths, strict=True)]
        ]
        cell_styles = {
            "left": self.s["cell"],
            "right": self.s["cell_right"],
            "center": self.s["cell_center"],
        }
        room = [width - 8 for width in widths]  # minus the cell padding
        for row in rows:
            cells = []
            for value, a, space in zip(row, align, room, strict=True):
                if isinstance(value, Flowable | list):
                    cells.append(value)
                elif isinstance(value, tuple):
                    cells.append(value[1])  # a plain string: drawn, never parsed
                else:
                    text = or_dash(value)
                    if "\n" not in text and text_width(text, 8) <= space:
                        # Fits on one line: drawn as a plain string, which is never
                        # parsed as markup and is much cheaper than a Paragraph.
                        cells.append(text)
                    else:
                        cells.append(_p(text, cell_styles[a]))
            data.append(cells)
        table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1)
        commands = [
            BASE_FONT,
            ("BACKGROUND", (0, 0), (-1, 0), NAVY),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("FONT", (0, 1), (-1, -1), REGULAR, 8),
            ("TEXTCOLOR", (0, 1), (-1, -1), INK),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
        ]
        for column, a in enumerate(align):
            if a == "right":
                commands.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
            elif a == "center":
                commands.append(("ALIGN", (column, 1), (column, -1), "CENTER"))
        if total_row:
            commands += [
                ("FONT", (0, -1), (-1, -1), BOLD, 8),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, NAVY),
                ("BACKGROUND", (0, -1), (-1, -1), TINT),
            ]
        commands += list(extra)
        table.setStyle(TableStyle(commands))
        table.hAlign = "LEFT"
        return table

    def chart(self, chart: charts.Chart, heading: str | None = None) -> None:
        """A chart with its caption, kept on one page with the section heading above it."""
        parts: list[Flowable] = []
        if heading:
            parts.append(Heading(heading, self.s["h2"], 1, self._key(), toc=False))
        parts += [_p(chart.title, self.s["caption"]), render_drawing(chart, WIDTH),
                  Spacer(1, 6)]
        self.add(KeepTogether(parts))


class _Rule(Flowable):
    """A horizontal line."""

    def __init__(self, width: float, colour: colors.Color, thickness: float,
                 space_after: float = 4) -> None:
        super().__init__()
        self.width, self.colour, self.thickness = width, colour, thickness
        self.space_after = space_after

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.thickness + self.space_after

    def draw(self) -> None:
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(self.thickness)
        y = self.space_after + self.thickness / 2
        self.canv.line(0, y, self.width, y)


MIN_HEADER_SIZE = 5.5  # points: a column header's font shrinks no further to fit


def _header_cell(text: str, style: ParagraphStyle, room: float) -> Paragraph:
    """A column header that breaks only between words ("Coverag/e" reads as a typo): a
    word wider than its column makes this header's font smaller instead. Only a word
    too wide even at MIN_HEADER_SIZE (a long vendor name) is split, never drawn over
    the next column."""
    words = text.split()
    widest = max((stringWidth(w, style.fontName, style.fontSize) for w in words), default=0)
    if widest <= room:
        return _p(text, style)
    size = max(MIN_HEADER_SIZE, int(style.fontSize * room / widest * 10) / 10)
    fitted = ParagraphStyle(
        f"{style.name}-{size}", parent=style, fontSize=size,
        leading=style.leading * size / style.fontSize,
        splitLongWords=int(widest * size / style.fontSize > room),
    )
    return _p(text, fitted)


def _num(text: str) -> tuple[str, str]:
    return ("num", text)


def _score(value: float | None) -> str:
    return "–" if value is None else number(value, 1)


# --------------------------------------------------------------------------- the document


def _no_drawing(*args: Any, **kwargs: Any) -> None:
    return None


class _Passes:
    """The builds of one document so far: `multiBuild`'s first pass only collects the
    contents' page numbers, and a report has chapters, so it never ends there."""

    def __init__(self) -> None:
        self.count = 0

    @property
    def draws(self) -> bool:
        return self.count > 1


class _Frame(Frame):
    """A frame that lays flowables out without drawing them in a pass that does not
    draw: drawing was half of each pass (0.5 s of a 400-wish report). It holds the
    passes, not the document: `KeepTogether` deep-copies the frame."""

    def __init__(self, passes: _Passes, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.passes = passes

    def _add(self, flowable: Flowable, canv: Any, trySplit: int = 0) -> int:  # noqa: N803
        if self.passes.draws:
            return super()._add(flowable, canv, trySplit)
        # Into the instance's own dict: a chart's Drawing refuses unknown attributes.
        flowable.__dict__["drawOn"] = _no_drawing
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            del flowable.__dict__["drawOn"]

    add = _add


class _ReportDocument(BaseDocTemplate):
    """Two page templates (cover, body); outline and TOC from `Heading` flowables;
    "page N of M" with M from the previous pass of `multiBuild`."""

    def __init__(self, buffer: io.BytesIO, report: ReportData, labels: dict[str, str]) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=LEFT,
            rightMargin=RIGHT,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=f"{labels['title']}: {report.selection}",
            author=report.organisation or "Selector",
            subject=labels["title"],
            creator="Selector",
            lang=report.language,
            displayDocTitle=True,
            initialFontName=REGULAR,
        )
        self.report = report
        self.labels = labels
        self.page_total: int | None = None
        self.total_used: int | None = None
        self.passes = _Passes()
        frame = _Frame(self.passes, LEFT, BOTTOM, WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body",
                       leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        cover_frame = _Frame(self.passes, LEFT, BOTTOM, WIDTH, PAGE_HEIGHT - 2.2 * cm - BOTTOM,
                             id="cover", leftPadding=0, rightPadding=0, topPadding=0,
                             bottomPadding=0)
        self.addPageTemplates(
            [
                PageTemplate("cover", [cover_frame], onPage=self._cover_page),
                PageTemplate("body", [frame], onPage=self._body_page),
            ]
        )

    def build(self, flowables: list[Flowable], **kwargs: Any) -> None:
        self.passes.count += 1
        self.total_used = self.page_total
        super().build(flowables, **kwargs)
        self.page_total = self.page

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.plain, flowable.key, flowable.level,
                                      closed=flowable.level > 0)
            if flowable.toc:
                self.notify("TOCEntry", (flowable.level, markup(flowable.plain), self.page,
                                         flowable.key))

    def _footer_text(self) -> str:
        total = self.page_total if self.page_total else 0
        return self.labels["page"].format(page=self.page, total=total or "–")

    def _cover_page(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.showOutline()
        band = 10.5 * cm
        canvas.setFillColor(NAVY)
        canvas.rect(0, PAGE_HEIGHT - band, PAGE_WIDTH, band, stroke=0, fill=1)
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - band - 0.18 * cm, PAGE_WIDTH, 0.18 * cm, stroke=0, fill=1)
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - RIGHT, BOTTOM - 0.9 * cm, self._footer_text())
        canvas.restoreState()

    def _body_page(self, canvas: Any, doc: Any) -> None:
        report = self.report
        canvas.saveState()
        top = PAGE_HEIGHT - TOP + 0.55 * cm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(LEFT, top - 0.18 * cm, PAGE_WIDTH - RIGHT, top - 0.18 * cm)
        canvas.setFont(BOLD, 7.5)
        canvas.setFillColor(NAVY)
        right = f"{self.labels['title']} · {self.labels['status']}"
        canvas.drawRightString(PAGE_WIDTH - RIGHT, top, right)
        room = WIDTH - text_width(right, 7.5, True) - 20
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(LEFT, top, fit(report.selection, 7.5, room))
        bottom = BOTTOM - 0.75 * cm
        canvas.line(LEFT, bottom + 0.35 * cm, PAGE_WIDTH - RIGHT, bottom + 0.35 * cm)
        left = " · ".join(x for x in (report.organisation, self.labels["date"]) if x)
        canvas.drawString(LEFT, bottom, fit(left, 7.5, WIDTH * 0.6))
        canvas.setFillColor(INK)
        canvas.drawRightString(PAGE_WIDTH - RIGHT, bottom, self._footer_text())
        canvas.restoreState()


def render_pdf(report: ReportData) -> bytes:
    """The report as PDF bytes."""
    with report_language(report.language):
        labels = {
            "title": t_("Selection report"),
            "status": t_("Final") if report.status == "final" else t_("Draft"),
            "page": t_("page {page} of {total}"),
            "date": report.cover.date,
        }
        for _ in range(3):
            buffer = io.BytesIO()
            document = _ReportDocument(buffer, report, labels)
            document.multiBuild(_story(report))
            if not document.passes.draws:  # ended on its layout pass (no contents): draw
                document.build(_story(report))
            # The footer used the page count of the previous pass; it is right when
            # the last pass ended on that count (it nearly always does).
            if document.total_used == document.page_total:
                break
        return buffer.getvalue()


# --------------------------------------------------------------------------- chapters


def _story(report: ReportData) -> list[Flowable]:
    writer = _Writer(report)
    _cover(writer)
    _contents(writer)
    _summary(writer)
    _process(writer)
    _method(writer)
    _requirements(writer)
    _weights(writer)
    _results(writer)
    _costs(writer)
    _profiles(writer)
    _robustness(writer)
    _open_points(writer)
    _appendix(writer)
    _sign_off(writer)
    return writer.story


def _cover(w: _Writer) -> None:
    cover = w.report.cover
    s = w.s
    # Any overflow of the cover goes onto body pages, never under a second navy band.
    w.add(NextPageTemplate("body"))
    heading: list[Flowable] = [
        Spacer(1, 0.6 * cm),
        _p(cover.title.upper(), s["cover_kicker"]),
        _p(cover.selection, s["cover_title"]),
    ]
    if cover.organisation:
        heading.append(_p(cover.organisation, s["cover_sub"]))
    # The band has a fixed height: a long name shrinks to fit instead of running out.
    band = _layout_table(
        [[KeepInFrame(WIDTH, 7.6 * cm, heading, mode="shrink")]],
        [WIDTH],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
        rowHeights=[8.0 * cm],
    )
    w.add(band, Spacer(1, 0.9 * cm))
    status_colour = PASSED if cover.status == "final" else UNVERIFIED
    badge_style = ParagraphStyle("badge", parent=s["body"], fontName=BOLD, fontSize=9,
                                 textColor=colors.white, spaceAfter=0)
    badge = _layout_table(
        [[_p(cover.status_label, badge_style)]],
        [min(text_width(cover.status_label, 9, True) + 18, WIDTH)],
        [
            ("BACKGROUND", (0, 0), (-1, -1), status_colour),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ],
    )
    w.add(badge, Spacer(1, 0.8 * cm))
    w.add(_p(t_("Date"), s["cover_label"]), _p(cover.date, s["cover_value"]))
    w.add(_p(cover.recommended_label, s["cover_label"]))
    w.add(_p(cover.recommended or t_("none"), s["cover_winner"]))
    summary = w.report.summary
    by_value = w.report.results.price.by_value
    if summary.runner_up is not None and summary.margin is not None \
            and not summary.other_than_first:
        ahead = t_("ahead of {runner_up} by {margin} points; chance of ranking first "
                   "{p_first}")
        if by_value:
            ahead = t_("ahead of {runner_up} by {margin}; chance of ranking first {p_first}")
        w.add(
            _p(
                ahead.format(
                    runner_up=summary.runner_up.name,
                    margin=summary.margin_text if by_value else number(summary.margin, 1),
                    p_first=percent(summary.p_first or 0.0, 1),
                ),
                s["body"],
            )
        )
    if cover.facts:
        w.add(Spacer(1, 1.0 * cm))
        cells = [
            [_p(f.label, s["figure_label"]), _p(f.value, s["cover_fact"])] for f in cover.facts
        ]
        w.add(_layout_table(
            [cells],
            [WIDTH / len(cells)] * len(cells),
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, NAVY),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ],
        ))
    w.add(Spacer(1, 1.2 * cm))
    w.add(
        _p(
            t_("Prepared by the selection committee for the sponsor. Every number in this "
               "report follows from the committee's own requirements, weights and scores."),
            s["small"],
        )
    )


def _contents(w: _Writer) -> None:
    w.add(PageBreak())
    w.add(_p(t_("Contents"), w.s["h1"]))
    w.add(_Rule(WIDTH, ACCENT, 1.4, space_after=8))
    toc = TableOfContents(
        levelStyles=[w.s["toc0"], w.s["toc1"]],
        dotsMinLevel=0,
        rightColumnWidth=40,
        tableStyle=TableStyle(
            [
                BASE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    w.add(toc)


def _summary(w: _Writer) -> None:
    report = w.report
    summary = report.summary
    s = w.s
    w.h1(t_("Executive summary"))
    start = len(w.story)
    if summary.recommended is not None and summary.other_than_first:
        inner = [
            _p(t_("The facilitator recommends"), s["box_title"]),
            _p(summary.recommended_vendor, s["box_winner"]),
            _p(t_("First in the ranking: {vendor}. The facilitator's reason is given below.")
               .format(vendor=summary.recommended.name), s["body"]),
        ]
    elif summary.recommended is not None:
        inner = [
            _p(t_("The selection committee recommends"), s["box_title"]),
            _p(summary.recommended.name, s["box_winner"]),
        ]
        if summary.runner_up is not None and summary.margin is not None:
            behind = t_("Runner-up: {runner_up}, {margin} points behind.").format(
                runner_up=summary.runner_up.name, margin=number(summary.margin, 1))
            if report.results.price.by_value:
                behind = t_("Runner-up: {runner_up}, {margin} behind.").format(
                    runner_up=summary.runner_up.name, margin=summary.margin_text)
            inner.append(_p(behind, s["body"]))
    else:
        inner = [_p(t_("The committee cannot recommend a vendor."), s["box_winner"])]
    box = _layout_table(
        [[inner]],
        [WIDTH],
        [
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
            ("LEFTPADDING", (0, 0), (-1, -1), 12),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    w.add(box, Spacer(1, 8))
    figures = [f for f in summary.key_figures if f.label != t_("Recommended vendor")]
    if figures:
        per_row = 3
        cells = [
            [_p(f.label, s["figure_label"]), _p(f.value, s["figure_value"])] for f in figures
        ]
        rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
        rows[-1] += [""] * (per_row - len(rows[-1]))
        grid = _layout_table(
            rows,
            [WIDTH / per_row] * per_row,
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ],
        )
        w.add(grid, Spacer(1, 4))
    _ranking_at_a_glance(w)
    w.h2(t_("The argument"), outline=False)
    for sentence in summary.argument:
        w.para(sentence)
    if summary.attention:
        w.h2(t_("Points of attention"), outline=False)
        w.bullets(summary.attention, UNVERIFIED)
    _recommendation(w)
    record = summary.decision_record
    if record is not None:
        w.h2(t_("Decision record"), outline=False)
        rows = [
            (t_("Context"), record.context),
            (t_("Options considered"), record.options),
            (t_("Decision"), record.decision),
            (t_("Consequences"), record.consequences),
        ]
        w.add(_labelled_rows(w, rows, "cell"))
    _fit_on_one_page(w, start)


def _labelled_rows(w: _Writer, rows: Sequence[tuple[str, str]], style: str) -> Table:
    """A label beside each text, one line under each row (a record, not a data table)."""
    return _layout_table(
        [[_p(label, w.s["h3"]), _p(or_dash(text), w.s[style])] for label, text in rows],
        [3.6 * cm, WIDTH - 3.6 * cm],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
        ],
        splitInRow=1,
    )


def _recommendation(w: _Writer) -> None:
    """The facilitator's recommendation word for word, paragraphs kept, attributed."""
    summary = w.report.summary
    w.h2(t_("The facilitator's recommendation"), outline=False)
    if summary.recommended_vendor:
        w.para(t_("Recommended vendor: {vendor}.").format(vendor=summary.recommended_vendor))
    if summary.other_than_first:
        w.para(
            t_("The facilitator recommends {vendor} rather than {first}, the first in the "
               "ranking, for this reason: “{reason}”").format(
                vendor=summary.recommended_vendor,
                first=summary.recommended.name if summary.recommended else "–",
                reason=summary.recommendation_reason.strip() or "–",
            )
        )
    if not summary.recommendation_paragraphs:
        w.para(t_("The facilitator has not written a recommendation yet."), "small")
        return
    cells: list[Flowable] = [
        _p(paragraph, w.s["quote"]) for paragraph in summary.recommendation_paragraphs
    ]
    cells.append(_raw("— " + markup(summary.recommendation_by or t_("the facilitator")),
                      w.s["quote_by"]))
    w.add(_ruled_block(cells, ACCENT))


def _fit_on_one_page(w: _Writer, start: int) -> None:
    """Keep the summary on one page: shrink it a little when it just does not fit.

    Content that would need shrinking below `MIN_SHRINK` flows on instead: a sponsor
    must be able to read it.
    """
    content = w.story[start:]
    heading_height = sum(_height(f) for f in w.story[start - 2 : start])  # h1 and its rule
    room = PAGE_HEIGHT - TOP - BOTTOM - heading_height - 2
    needed = sum(_height(f) for f in content)
    if needed <= room or needed * MIN_SHRINK > room:
        return
    del w.story[start:]
    w.add(KeepInFrame(WIDTH, room, content, mode="shrink"))


def _height(flowable: Flowable) -> float:
    _, height = flowable.wrap(WIDTH, PAGE_HEIGHT * 50)
    return height + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def _ranking_at_a_glance(w: _Writer) -> None:
    """All vendors in one small table (the first few when there are many)."""
    ranking = w.report.results.ranking
    if len(ranking) < 2:
        return
    shown = ranking if len(ranking) <= GLANCE_ROWS else ranking[: GLANCE_ROWS - 1]
    rows = []
    for v in shown:
        state = "failed" if v.excluded else "unverified" if v.knockouts_unverified else "passed"
        rows.append(
            (_num(str(v.rank)), v.name, _num(number(v.total, 1)), _num(percent(v.p_first, 1)),
             _state_cell(w, state, v.status))
        )
    w.add(Spacer(1, 4))
    w.add(
        w.table(
            [t_("Rank"), t_("Vendor"), t_("Total"), t_("Chance first"), t_("Knock-outs")],
            rows,
            [1.3 * cm, 5.8 * cm, 1.6 * cm, 2.1 * cm, WIDTH - 10.8 * cm],
            align=["right", "left", "right", "right", "left"],
        )
    )
    hidden = len(ranking) - len(shown)
    if hidden:
        w.para(
            tn_("{n} more vendor is in the ranking in chapter “{chapter}”.",
                "{n} more vendors are in the ranking in chapter “{chapter}”.", hidden).format(
                n=hidden, chapter=t_("Results")
            ),
            "small",
        )


def _layout_table(
    cells: list[list[Any]], widths: list[float], commands: list[tuple[Any, ...]], **options: Any
) -> Table:
    """A table that lays out a block (not a data table): the base font and `commands`,
    at the left margin."""
    table = Table(cells, colWidths=widths, **options)
    table.setStyle(TableStyle([BASE_FONT, *commands]))
    table.hAlign = "LEFT"
    return table


def _contributions(
    w: _Writer,
    title: str,
    lines: Sequence[RequirementContribution],
    heading: str,
    points: Callable[[RequirementContribution], float],
    unscored: str,
    empty: str,
) -> None:
    """A profile's strongest or weakest requirements: code, title, weight, score and the
    points they add or miss (`heading`, `points`)."""
    w.h3(title)
    if not lines:
        w.para(empty, "small")
        return
    w.add(
        w.table(
            [t_("Code"), t_("Requirement"), t_("Weight"), t_("Score"), heading],
            [
                (c.code, c.title, _num(percent(c.weight, 1)),
                 _num(_score(c.score) if c.score is not None else unscored),
                 _num(number(points(c), 1)))
                for c in lines
            ],
            [2.3 * cm, WIDTH - 8.5 * cm, 2.0 * cm, 1.8 * cm, 2.4 * cm],
            align=["left", "left", "right", "right", "right"],
        )
    )


def _no_audit_trail(w: _Writer) -> None:
    """Said where the report was made from a selection file, which holds no audit trail."""
    w.para(
        t_("The audit trail is kept in the application; this report was made from a "
           "selection file."),
        "small",
    )


def _quote_block(w: _Writer, text: str, who: str, about: str = "") -> Table:
    cells: list[Flowable] = []
    if about:
        cells.append(_p(about, w.s["quote_by"]))
    cells.append(_raw("“" + markup(text) + "”", w.s["quote"]))
    cells.append(_raw("— " + markup(who), w.s["quote_by"]))
    return _ruled_block(cells, RULE)


def _ruled_block(cells: list[Flowable], colour: colors.Color) -> Table:
    """Quoted words: indented, with a rule on the left, splitting across pages."""
    return _layout_table(
        [[cells]],
        [WIDTH - 0.4 * cm],
        [
            ("LINEBEFORE", (0, 0), (0, -1), 2, colour),
            ("LEFTPADDING", (0, 0), (-1, -1), 9),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ],
        splitInRow=1,
    )


def _process(w: _Writer) -> None:
    process = w.report.process
    w.h1(t_("Process"))
    w.h2(t_("The committee"))
    if process.members and process.available:
        w.add(
            w.table(
                [t_("Role"), t_("Name"), t_("Taking part")],
                [(m.role_label, m.name, m.since or "–") for m in process.members],
                [3.2 * cm, 7.4 * cm, WIDTH - 10.6 * cm],
            )
        )
    elif process.members:
        w.add(
            w.table(
                [t_("Role"), t_("Name")],
                [(m.role_label, m.name) for m in process.members],
                [3.2 * cm, WIDTH - 3.2 * cm],
            )
        )
    else:
        w.para(t_("The selection has no members."))
    w.h2(t_("Phases and freezes"))
    for note in process.notes:
        w.para(note)
    if process.phases:
        w.add(
            w.table(
                [t_("Date"), t_("Phase"), t_("Note")],
                [(p.date, p.phase, p.note or "–") for p in process.phases],
                [2.6 * cm, 3.4 * cm, WIDTH - 6.0 * cm],
            ),
            Spacer(1, 6),
        )
    for sentence in process.freezes:
        w.para(sentence)


def _method(w: _Writer) -> None:
    method = w.report.method
    w.h1(t_("Method"))
    for paragraph in method.paragraphs:
        w.para(paragraph)
    w.h2(t_("The score scale"))
    w.add(
        w.table(
            [t_("Score"), t_("Meaning")],
            [(_num(str(a.score)), a.anchor or "–") for a in method.scale],
            [2.0 * cm, 6.0 * cm],
            align=["center", "left"],
        )
    )


def _requirements(w: _Writer) -> None:
    section = w.report.requirements
    w.h1(t_("Requirements"))
    w.para(section.intro)
    w.h2(t_("Requirements per category and priority"))
    rows = [
        (
            c.name,
            c.domain_label or _num(""),
            _num(str(c.must)),
            _num(str(c.should)),
            _num(str(c.could)),
            _num(str(c.knockouts)),
            _num(str(c.not_counted)),
        )
        for c in list(section.counts) + [section.totals]
    ]
    w.add(
        w.table(
            [t_("Category"), t_("Domain"), t_("must"), t_("should"), t_("could"),
             t_("Knock-outs"), t_("Not counted")],
            rows,
            [5.0 * cm, 1.9 * cm, 1.4 * cm, 1.6 * cm, 1.4 * cm, 2.2 * cm, WIDTH - 13.5 * cm],
            align=["left", "left", "right", "right", "right", "right", "right"],
            total_row=True,
        )
    )
    w.para(
        t_("Not counted: requirements marked won't, and proposed, rejected or deferred ones."),
        "small",
    )
    w.h2(t_("Knock-outs"))
    if section.knockouts:
        w.add(
            w.table(
                [t_("Code"), t_("Knock-out"), t_("Why it is a knock-out")],
                [(r.code, r.title, r.knockout_rationale) for r in section.knockouts],
                [2.3 * cm, 6.2 * cm, WIDTH - 8.5 * cm],
            )
        )
    else:
        w.para(t_("The selection has no knock-outs."))
    w.h2(t_("IT management's requirements"))
    if not section.it_tables:
        w.para(t_("The selection has no IT categories."))
    for table in section.it_tables:
        w.h3(table.name)
        if table.answers:
            w.para(t_("IT management's answers, and the requirements made from them:"))
            w.add(
                w.table(
                    [t_("Question"), t_("Answer"), t_("Code")],
                    [(a.question, a.answer, a.code) for a in table.answers],
                    [5.4 * cm, WIDTH - 7.7 * cm, 2.3 * cm],
                ),
                Spacer(1, 6),
            )
        rows = []
        for r in table.rows:
            cell: list[Flowable] = [_p(r.title, w.s["cell"])]
            for extra in (r.description, r.verification_criterion):
                if extra:
                    cell.append(_p(extra, w.s["cell_small"]))
            kind = t_("knock-out") if r.knockout and r.active else r.priority_label
            weight = "–" if r.weight is None else percent(r.weight, 1)
            rows.append((r.code, cell, kind, _num(weight)))
        w.add(
            w.table(
                [t_("Code"), t_("Requirement"), t_("Priority"), t_("Weight")],
                rows,
                [2.3 * cm, WIDTH - 6.9 * cm, 2.6 * cm, 2.0 * cm],
                align=["left", "left", "left", "right"],
            )
        )


def _weights(w: _Writer) -> None:
    section = w.report.weights
    w.h1(t_("Weights"))
    for sentence in section.intro:
        w.para(sentence)
    if w.figures.weights is not None:
        w.chart(w.figures.weights)
    if section.rows:
        w.h2(t_("Weight per category"))
        header = [t_("Category"), t_("Business"), t_("IT"), t_("Joint")]
        widths = [6.2 * cm, 2.3 * cm, 2.3 * cm, 2.3 * cm]
        if section.uses_final:
            header.append(t_("Final"))
            widths.append(2.3 * cm)
        header.append(t_("Business − IT"))
        widths.append(WIDTH - sum(widths))
        rows = []
        for r in section.rows:
            row = [
                r.name,
                _num("–" if r.business is None else percent(r.business, 1)),
                _num("–" if r.it is None else percent(r.it, 1)),
                _num(percent(r.joint, 1)),
            ]
            if section.uses_final:
                row.append(_num(percent(r.final, 1)))
            difference = "–" if r.difference is None else number(r.difference * 100, 1)
            row.append(_num(difference + (" !" if r.discussion_point else "")))
            rows.append(row)
        w.add(w.table(header, rows, widths, align=["left"] + ["right"] * (len(header) - 1)))
        w.para(
            t_("The ranking uses the weight in the column “{column}”. Business − IT is in "
               "percentage points; ! marks a difference of 10 points or more.").format(
                column=t_("Final") if section.uses_final else t_("Joint")
            ),
            "small",
        )
    else:
        w.para(t_("No category has active wishes, so no category carries weight."))
    if section.inactive:
        w.para(
            t_("Without weight (no active wishes): {categories}.").format(
                categories=", ".join(section.inactive)
            ),
            "small",
        )
    w.h2(t_("Divergence between business and IT"))
    if section.divergence:
        w.para(section.divergence_intro)
        w.bullets(section.divergence)
        if section.final_rationale and not section.uses_final:
            w.para(t_("The facilitator's note on the weighting discussion: “{note}”").format(
                note=section.final_rationale))
    else:
        w.para(t_("Business and IT weighed no category 10 percentage points or more apart."))
    if section.uses_final:
        w.h2(t_("Final weights and their rationale"))
        w.para(section.final_rationale or t_("No rationale was recorded for the final weights."))


def _state_cell(w: _Writer, state: str, label: str, style: str = "cell") -> Paragraph:
    colour = STATE_COLOUR[state].hexval()[2:]
    return _raw(
        f'<font color="#{colour}"><b>{STATE_MARK[state]} {markup(label)}</b></font>',
        w.s[style],
    )


def _results(w: _Writer) -> None:
    report = w.report
    section = report.results
    w.h1(t_("Results"))
    for sentence in section.intro:
        w.para(sentence)
    w.h2(t_("Ranking"))
    with_price = any(v.price_score is not None for v in section.ranking)
    header = [t_("Rank"), t_("Vendor"), t_("Total")]
    widths = [1.3 * cm, 4.0 * cm if with_price else 4.8 * cm, 1.4 * cm]
    if with_price:
        header += [t_("Quality"), t_("Price")]
        widths += [1.5 * cm, 1.4 * cm]
    header += [t_("Coverage"), t_("Chance first"), t_("Knock-outs")]
    widths += [1.7 * cm, 1.7 * cm]
    widths.append(WIDTH - sum(widths))
    rows = []
    for v in section.ranking:
        row: list[Any] = [_num(str(v.rank)), v.name, _num(number(v.total, 1))]
        if with_price:
            row += [_num(number(v.quality, 1)), _num(_score(v.price_score))]
        row += [_num(percent(v.coverage, 1)), _num(percent(v.p_first, 1))]
        state = "failed" if v.excluded else "unverified" if v.knockouts_unverified else "passed"
        row.append(_state_cell(w, state, v.status))
        rows.append(row)
    align = ["right", "left", "right"] + (["right", "right"] if with_price else [])
    align += ["right", "right", "left"]
    w.add(w.table(header, rows, widths, align=align))
    for note in section.notes:
        w.para(note, "small")
    if w.figures.contributions is not None:
        w.chart(w.figures.contributions, heading=t_("What each category contributes"))
    if w.figures.heat_map is not None:
        w.chart(w.figures.heat_map, heading=t_("Heat map of category scores"))
    _knockout_matrix(w)


def _costs(w: _Writer) -> None:
    """Every vendor's cost lines, TCO and difference with the cheapest, in every report."""
    costs = w.report.results.price
    w.h1(t_("Costs"))
    w.para(costs.intro)
    for paragraph in costs.paragraphs:
        w.para(paragraph)
    header = [t_("Vendor"), t_("Licence per year"), t_("Implementation"),
              t_("Hosting and support per year"), t_("Contract (years)"),
              tn_("TCO over {n} year", "TCO over {n} years", costs.tco_years).format(
                  n=costs.tco_years),
              t_("Difference")]
    scored, fictitious = costs.scored, costs.fictitious
    if scored or fictitious:
        header.append(t_("Price score") if scored else t_("Fictitious price"))
        widths = [2.8, 1.8, 2.5, 2.3, 1.6, 2.0, 2.0, 2.0]  # cm; 17 in all
    else:
        widths = [3.5, 2.0, 2.8, 2.6, 1.7, 2.2, 2.2]
    rows = []
    for p in costs.rows:
        row: list[Any] = [
            p.name + (" · " + t_("excluded") if p.excluded else ""),
            _num(money_text(p.licence_per_year)),
            _num(money_text(p.implementation)),
            _num(money_text(p.hosting_support_per_year)),
            _num(contract_years_text(p.contract_years)),
            _num(money_text(p.tco)),
            _num(difference_text(p.difference)),
        ]
        if scored:
            row.append(_num(_score(p.price_score)))
        elif fictitious:
            row.append(_num(money_text(p.fictitious_price)))
        rows.append(row)
    w.h2(t_("Costs per vendor"), outline=False)
    w.add(w.table(header, rows, [width * cm for width in widths],
                  align=["left"] + ["right"] * (len(widths) - 1)))
    for note in costs.notes:
        w.para(note, "small")


def _knockout_matrix(w: _Writer) -> None:
    matrix = w.report.results.knockouts
    w.h2(t_("Knock-out matrix"))
    if not matrix.knockouts:
        w.para(t_("The selection has no knock-outs."))
        return
    if not matrix.vendors:
        w.para(t_("The selection has no vendors."))
        return
    chunks = [
        matrix.vendors[i : i + VENDOR_COLUMNS]
        for i in range(0, len(matrix.vendors), VENDOR_COLUMNS)
    ]
    for vendors in chunks:
        first = 5.4 * cm
        column = (WIDTH - first) / len(vendors)
        rows = []
        for code, title in matrix.knockouts:
            row: list[Any] = [_raw(f"<b>{markup(code)}</b> {markup(title)}", w.s["cell"])]
            for key, _ in vendors:
                cell = matrix.cells[(key, code)]
                row.append(_state_cell(w, cell.state, cell.label, "cell_state"))
            rows.append(row)
        w.add(
            w.table(
                [t_("Knock-out")] + [name for _, name in vendors],
                rows,
                [first] + [column] * len(vendors),
                align=["left"] + ["center"] * len(vendors),
                extra=[("LEFTPADDING", (1, 0), (-1, -1), 2),
                       ("RIGHTPADDING", (1, 0), (-1, -1), 2)],
            ),
            Spacer(1, 4),
        )
    evidence = [
        (name, code, matrix.cells[(key, code)])
        for key, name in matrix.vendors
        for code, _ in matrix.knockouts
    ]
    w.h3(t_("Evidence"))
    w.add(
        w.table(
            [t_("Vendor"), t_("Knock-out"), t_("Result"), t_("Evidence")],
            [
                (
                    name,
                    code,
                    _state_cell(w, cell.state, cell.label),
                    cell.evidence
                    or (t_("not yet verified") if cell.state == "unverified"
                        else t_("no evidence recorded")),
                )
                for name, code, cell in evidence
            ],
            [3.8 * cm, 2.3 * cm, 2.6 * cm, WIDTH - 8.7 * cm],
        )
    )


def _profiles(w: _Writer) -> None:
    w.h1(t_("Vendor profiles"))
    w.para(w.report.profiles_intro)
    for index, profile in enumerate(w.report.profiles):
        if index:
            w.add(PageBreak())
        _profile(w, profile)
    if not w.report.profiles:
        w.para(t_("The selection has no vendors."))


def _profile(w: _Writer, profile: VendorProfile) -> None:
    s = w.s
    w.add(Heading(f"{profile.rank}. {profile.name}", s["h2"], 1, w._key()))
    colour = {
        "recommended": PASSED,
        "excluded": FAILED,
        "runner_up": ACCENT,
    }.get(profile.standing, MUTED)
    w.add(
        _raw(
            f'<font color="#{colour.hexval()[2:]}"><b>{markup(profile.standing_label)}</b>'
            f"</font> · {markup(profile.headline)}",
            s["lead"],
        )
    )
    if profile.profile:
        w.para(profile.profile)
    if profile.categories:
        w.h3(t_("Category scores"))
        w.add(
            w.table(
                [t_("Category"), t_("Weight"), t_("Score (0–100)"), t_("Points")],
                [
                    (c.name, _num(percent(c.weight, 1)), _num(number(c.score, 0)),
                     _num(number(c.points, 1)))
                    for c in profile.categories
                ],
                [WIDTH - 7.8 * cm, 2.2 * cm, 3.0 * cm, 2.6 * cm],
                align=["left", "right", "right", "right"],
            )
        )
    _contributions(w, t_("Strongest requirements"), profile.strongest, t_("Points"),
                   lambda c: c.points, "–", t_("No requirement adds points."))
    _contributions(w, t_("Weakest requirements (most points missed)"), profile.weakest,
                   t_("Missed"), lambda c: c.missed, t_("not scored"),
                   t_("No requirement misses points."))
    w.h3(t_("In the committee's words"))
    if profile.quotes:
        for quote in profile.quotes:
            about = f"{quote.code} {quote.title} · " + t_("score {score}").format(
                score=number(quote.score, 0))
            w.add(_quote_block(w, quote.text, quote.attribution, about))
        if profile.more_quotes:
            w.para(
                tn_("{n} more comment is in the application.",
                    "{n} more comments are in the application.", profile.more_quotes)
                .format(n=number(profile.more_quotes, 0)),
                "small",
            )
    else:
        w.para(t_("The committee wrote no comments on this vendor."), "small")
    w.h3(t_("Knock-outs"))
    if profile.knockouts:
        w.add(
            w.table(
                [t_("Code"), t_("Knock-out"), t_("Result"), t_("Evidence")],
                [
                    (k.code, k.title, _state_cell(w, k.state, k.label), k.evidence or "–")
                    for k in profile.knockouts
                ],
                [2.3 * cm, 5.4 * cm, 2.6 * cm, WIDTH - 10.3 * cm],
            )
        )
    else:
        w.para(t_("The selection has no knock-outs."), "small")
    if profile.answers:
        w.h3(t_("The vendor's own answers"))
        w.para(t_("Its answers to the knock-outs, and to the wishes it does not answer with "
                  "a plain yes."), "small")
        w.add(
            w.table(
                [t_("Code"), t_("Requirement"), t_("Answer"), t_("Explanation")],
                [(a.code, a.title, a.compliance, a.explanation or "–")
                 for a in profile.answers],
                [2.3 * cm, 5.4 * cm, 2.6 * cm, WIDTH - 10.3 * cm],
            )
        )
    w.h3(t_("Risks"))
    w.bullets(profile.risks, UNVERIFIED)


def _robustness(w: _Writer) -> None:
    section = w.report.robustness
    w.h1(t_("Robustness"))
    w.h2(t_("Chance of ranking first"))
    for sentence in section.sentences:
        w.para(sentence)
    if w.figures.p_first is not None:
        w.chart(w.figures.p_first)
    w.h2(t_("Flip points"))
    if section.flips:
        w.bullets(f.sentence for f in section.flips)
    if section.stable:
        w.para(section.stable)
    if not section.flips and not section.stable:
        w.para(t_("With fewer than two vendors in the running there are no flip points."))
    if section.rank_reversal:
        w.h2(t_("Rank reversal"))
        w.bullets(section.rank_reversal[:-1], UNVERIFIED)
        w.para(section.rank_reversal[-1])
    w.h2(t_("Business and IT perspectives"))
    if section.perspective_sentence:
        w.para(section.perspective_sentence)
    if section.perspectives:
        w.add(
            w.table(
                [t_("Position"), t_("Joint weights"), t_("Business's weights"),
                 t_("IT's weights")],
                [
                    (_num(str(r.position)), r.joint, r.business or "–", r.it or "–")
                    for r in section.perspectives
                ],
                [1.8 * cm, (WIDTH - 1.8 * cm) / 3, (WIDTH - 1.8 * cm) / 3,
                 (WIDTH - 1.8 * cm) / 3],
                align=["right", "left", "left", "left"],
            )
        )


def _open_points(w: _Writer) -> None:
    section = w.report.open_points
    w.h1(t_("Open points and dissent"))
    if section.nothing_open:
        w.para(t_("There are no open points."))
    w.h2(t_("Unverified knock-outs"))
    if section.unverified:
        w.bullets(section.unverified, UNVERIFIED)
    else:
        w.para(t_("Every knock-out has been verified for every vendor."))
    w.h2(t_("Coverage of the scoring"))
    if section.coverage:
        w.bullets(section.coverage, UNVERIFIED)
    else:
        w.para(t_("Every vendor has been scored on every wish that carries weight."))
    w.h2(t_("Largest disagreements"))
    if section.disagreements:
        w.para(
            t_("Vendor–wish pairs where the members' scores lie 3 points or more apart "
               "({n} in all), widest first:").format(n=number(section.disagreements_total, 0))
        )
        w.add(
            w.table(
                [t_("Vendor"), t_("Code"), t_("Requirement"), t_("Scores"), t_("Range")],
                [
                    (d.vendor, d.code, d.title, d.scores, _num(str(d.range)))
                    for d in section.disagreements
                ],
                [3.2 * cm, 2.2 * cm, WIDTH - 12.4 * cm, 5.6 * cm, 1.4 * cm],
                align=["left", "left", "left", "left", "right"],
            )
        )
        hidden = section.disagreements_total - len(section.disagreements)
        if hidden > 0:
            w.para(tn_("{n} more is listed in the application.",
                       "{n} more are listed in the application.", hidden)
                   .format(n=number(hidden, 0)),
                   "small")
    else:
        w.para(t_("On no vendor–wish pair do the members' scores lie 3 points or more apart."))
    w.h2(t_("Changes after the freeze"))
    if not section.changes_known:
        _no_audit_trail(w)
    elif section.changes:
        w.add(
            w.table(
                [t_("Date"), t_("What"), t_("Change"), t_("By"), t_("Reason")],
                [(c.date, c.what, c.change, c.by, c.reason or "–") for c in section.changes],
                [2.2 * cm, 3.6 * cm, WIDTH - 12.0 * cm, 2.2 * cm, 4.0 * cm],
            )
        )
    else:
        w.para(t_("Nothing that was frozen has changed since the freeze."))
    w.h2(t_("Dissent"))
    if section.dissent:
        w.bullets(section.dissent)
    else:
        w.para(t_("Business and IT agree on the winner and on the weights."))


def _appendix(w: _Writer) -> None:
    appendix = w.report.appendix
    w.h1(t_("Appendix"))
    w.h2(t_("A. Requirements, weights and scores"))
    w.para(
        t_("Every requirement with its weight in the total (W(c) × w(r|c)) and every "
           "vendor's aggregated score: the consensus score where one was agreed, else the "
           "members' average. Knock-outs and requirements that do not count carry no weight."),
        "small",
    )
    vendors = appendix.vendors
    chunks = [
        list(range(i, min(i + VENDOR_COLUMNS, len(vendors))))
        for i in range(0, max(len(vendors), 1), VENDOR_COLUMNS)
    ]
    for chunk in chunks:
        vendor_width = (1.9 if len(chunk) <= 3 else 1.55 if len(chunk) == 4 else 1.15) * cm
        fixed = [2.3 * cm, 1.75 * cm, 1.45 * cm]
        title_width = WIDTH - sum(fixed) - vendor_width * len(chunk)
        header = [t_("Code"), t_("Requirement"), t_("Priority"), t_("Weight")]
        header += [vendors[i][1] for i in chunk]
        rows = []
        for r in appendix.requirements:
            row: list[Any] = [r.code, r.title, r.kind,
                              _num("–" if r.weight is None else percent(r.weight, 1))]
            row += [_num(_score(r.scores[i])) for i in chunk]
            rows.append(row)
        w.add(
            w.table(
                header,
                rows,
                [fixed[0], title_width, fixed[1], fixed[2]] + [vendor_width] * len(chunk),
                align=["left", "left", "left", "right"] + ["center"] * len(chunk),
                extra=[("LEFTPADDING", (4, 0), (-1, 0), 1.5),
                       ("RIGHTPADDING", (4, 0), (-1, 0), 1.5)],
            ),
            Spacer(1, 6),
        )
    w.h2(t_("B. Audit summary"))
    if not appendix.audit_known:
        _no_audit_trail(w)
    elif appendix.audit:
        w.para(t_("Every change to the selection is recorded in the audit trail with who, "
                  "when, the old and the new value. In numbers:"))
        w.add(
            w.table(
                [t_("What"), t_("Action"), t_("Number")],
                [(a.entity, a.action, _num(number(a.count, 0))) for a in appendix.audit],
                [6.0 * cm, 6.0 * cm, 2.5 * cm],
                align=["left", "left", "right"],
            )
        )
    else:
        w.para(t_("The audit trail is empty."))
    if appendix.seen_changes:
        _seen_changes(w, appendix.seen_changes)
    if appendix.questions:
        _questions(w, appendix.questions, "D" if appendix.seen_changes else "C")


def _questions(w: _Writer, lines: Sequence[QuestionLine], letter: str) -> None:
    """Issue 20: the vendors' questions as answered to all of them, never who asked."""
    w.h2(t_("{letter}. Questions and answers").format(letter=letter))
    w.para(t_("The vendors' questions and the answers, as published to every invited "
              "vendor at once, without naming who asked."), "small")
    w.add(
        w.table(
            [t_("Question"), t_("Answer"), t_("Published")],
            [(line.question, line.answer, _num(line.date)) for line in lines],
            [6.5 * cm, WIDTH - 9.1 * cm, 2.6 * cm],
            align=["left", "left", "right"],
        )
    )


def _seen_changes(w: _Writer, lines: Sequence[SeenChangeLine]) -> None:
    """Issue 17, item 13: scores changed after their member saw the others' scores."""
    w.h2(t_("C. Changed after seeing others' scores"))
    w.para(
        t_("A member who submitted a sheet sees the other members' scores for that vendor "
           "and may still change their own, with a reason. These scores were given or "
           "changed after that moment."),
        "small",
    )
    w.add(
        w.table(
            [t_("Code"), t_("Requirement"), t_("Vendor"), t_("Role"), t_("Seen"),
             t_("Changed")],
            [(line.code, line.title, line.vendor, line.role, _num(line.seen),
              _num(line.changed)) for line in lines],
            [1.8 * cm, WIDTH - 12.4 * cm, 3.2 * cm, 2.2 * cm, 2.6 * cm, 2.6 * cm],
            align=["left", "left", "left", "left", "right", "right"],
        )
    )


def _sign_off(w: _Writer) -> None:
    sign = w.report.sign_off
    s = w.s
    w.h1(t_("Decision of the sponsor"))
    if sign.decision is not None:
        _recorded_decision(w, sign.decision)
        _fingerprint_note(w)
        return
    w.para(t_("No decision recorded yet."), "h3")
    w.para(sign.statement, "sign")
    for option in sign.options:
        w.add(_raw("☐  " + markup(option), s["sign"]))
    w.add(Spacer(1, 4))
    w.add(_raw(markup(t_("Reasons or conditions")) + ":", s["sign"]))
    w.add(_Rule(WIDTH, RULE, 0.6, space_after=22), _Rule(WIDTH, RULE, 0.6, space_after=22),
          _Rule(WIDTH, RULE, 0.6, space_after=10))
    names = sign.sponsors or ("",)
    for name in names:
        table = _layout_table(
            [
                [_p(t_("Sponsor"), s["cover_label"]), _p(t_("Date"), s["cover_label"]),
                 _p(t_("Signature"), s["cover_label"])],
                [_p(name or " ", s["sign"]), "", ""],
            ],
            [WIDTH * 0.4, WIDTH * 0.22, WIDTH * 0.38],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, 1), 0.8, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ],
            rowHeights=[None, 1.6 * cm],
        )
        w.add(Spacer(1, 14), table)
    _fingerprint_note(w)


def _recorded_decision(w: _Writer, decision: SponsorDecisionLine) -> None:
    """The sponsor's decision as recorded in the application (or the selection file)."""
    s = w.s
    colour = {"approved": PASSED, "rejected": FAILED}.get(decision.verdict, UNVERIFIED)
    verdict_style = ParagraphStyle("verdict", parent=s["h2"], textColor=colour)
    w.add(_p(decision.heading, verdict_style))
    rows = [
        (t_("Vendor"), decision.vendor or "–"),
        (t_("By"), decision.by),
        (t_("Date"), decision.date),
        (t_("Reason"), decision.reason),
    ]
    w.add(_labelled_rows(w, rows, "body"))


def _fingerprint_note(w: _Writer) -> None:
    """How a copy can be checked, and why it was sealed with unverified knock-outs."""
    w.add(Spacer(1, 14))
    if w.report.sign_off.seal_reason:
        w.para(w.report.sign_off.seal_reason)
    w.para(
        t_("This report was generated by Selector from the data of the selection. A final "
           "report is stored with its SHA-256 fingerprint, so any later copy can be checked "
           "against it."),
        "small",
    )

