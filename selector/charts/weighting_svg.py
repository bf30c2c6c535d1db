"""The divergence chart of the weighting page, as accessible SVG.

The numbers, colours and labels come from the shared model
(`selector.charts.models.weights_chart`: business mean beside IT mean beside the weight
the ranking uses, per category), so the page and the PDF report show the same bars.
What this module adds is the discussion: categories where business and IT are 10
points or more apart get a tinted band, a bold label and the difference at the end of
the row, and the chart's `<desc>` names them. Drawing goes through the shared
`scene_svg` (escaped text, `<title>`/`<desc>`, shapes hidden from screen readers); the
page shows a table with the same numbers beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from selector.charts.fonts import fit
from selector.charts.fonts import text_width
from selector.charts.layout import Line
from selector.charts.layout import Rect
from selector.charts.layout import Scene
from selector.charts.layout import Shape
from selector.charts.layout import Text
from selector.charts.models import MUTED
from selector.charts.models import BarGroupChart
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import report_language

LABEL = 7.5
SMALL = 6.5
BAR = 7.0
GAP = 6.0
HIGHLIGHT = "#FCEBC7"  # a warm band behind a discussion point
HIGHLIGHT_EDGE = "#E0911B"
DIVERGENCE_INK = "#8A5300"


def _step(maximum: float) -> float:
    raw = maximum / 5
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def divergence_scene(
    chart: BarGroupChart,
    highlighted: Sequence[bool],
    notes: Sequence[str],
    *,
    width: float = 640,
    highlight_label: str = "",
    description: str = "",
) -> Scene:
    """The shapes: legend, grid, one group of bars per category, bands behind the
    highlighted rows and their `notes` (the difference) at the row's end."""
    if len(highlighted) != len(chart.rows) or len(notes) != len(chart.rows):
        raise ValueError("one highlight flag and one note per row")
    shapes: list[Shape] = []
    with report_language(chart.language):
        # Legend: the series, then the band.
        items = [(s.label, s.colour, False) for s in chart.series]
        if highlight_label and any(highlighted):
            items.append((highlight_label, HIGHLIGHT, True))
        x = 0.0
        for label, colour, band in items:
            if band:
                shapes.append(Rect(x, 1, 12, 9, colour, stroke=HIGHLIGHT_EDGE))
            else:
                shapes.append(Rect(x, 2, 8, 8, colour))
            shapes.append(Text(x + (15 if band else 11), 9, label, LABEL))
            x += (15 if band else 11) + text_width(label, LABEL) + 14
        top = 20.0

        label_width = min(
            max((text_width(r, LABEL, bold=True) for r in chart.rows), default=0) + 10,
            width * 0.32,
        )
        value_width = max(
            (text_width(v, SMALL) for s in chart.series for v in s.value_labels), default=0
        ) + 6
        note_width = max((text_width(n, LABEL, bold=True) for n in notes), default=0) + 10
        x0, x1 = label_width, width - value_width - note_width
        step = _step(chart.maximum)
        axis_end = step * math.ceil(chart.maximum / step - 1e-9)
        group = len(chart.series) * BAR + GAP
        plot_height = len(chart.rows) * group

        for i, flag in enumerate(highlighted):
            if flag:
                y = top + i * group - GAP / 2
                shapes.append(Rect(0, y, width, group, HIGHLIGHT))
                shapes.append(Line(0, y, 0, y + group, HIGHLIGHT_EDGE, 3))
        ticks = int(round(axis_end / step))
        for k in range(ticks + 1):
            tx = x0 + (x1 - x0) * k / ticks
            shapes.append(Line(tx, top - GAP / 2, tx, top + plot_height - GAP / 2))
            tick = percent(k * step, 0 if round(step * 100, 6) == round(step * 100) else 1)
            shapes.append(Text(tx, top + plot_height + 6, tick, SMALL, MUTED, "middle"))
        for i, row in enumerate(chart.rows):
            group_top = top + i * group
            middle = group_top + len(chart.series) * BAR / 2
            shapes.append(Text(4, middle + 2.5, fit(row, LABEL, label_width - 10),
                               bold=highlighted[i]))
            for j, series in enumerate(chart.series):
                value = series.values[i]
                if value is None:
                    continue
                y = group_top + j * BAR
                length = (x1 - x0) * max(0.0, min(value, axis_end)) / axis_end
                shapes.append(Rect(x0, y, length, BAR - 1.2, series.colour))
                shapes.append(Text(x0 + length + 2, y + BAR - 1.8, series.value_labels[i],
                                   SMALL, MUTED))
            if notes[i]:
                shapes.append(Text(width - 4, middle + 2.5, notes[i], LABEL,
                                   DIVERGENCE_INK if highlighted[i] else MUTED, "end",
                                   bold=highlighted[i]))
        shapes.append(Line(x0, top - GAP / 2, x0, top + plot_height - GAP / 2, MUTED, 0.7))
        height = top + plot_height + 10
    full = chart.description + (" " + description if description else "")
    return Scene(width, height, chart.title, full, tuple(shapes))


def points_label(difference: float | None, language: str) -> str:
    """A difference of shares as signed percentage points: "+10.1" / "−7.3"."""
    if difference is None:
        return ""
    with report_language(language):
        text = number(abs(difference) * 100, 1)
    return ("+" if difference > 0 else "−" if difference < 0 else "") + text
