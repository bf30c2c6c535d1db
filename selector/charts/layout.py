"""Chart geometry, once for both media: a model in, a `Scene` of rectangles, lines and
text out. Coordinates are points with the origin top left and y pointing down (as in
SVG); the PDF renderer flips them. Labels are measured with the embedded font and
shortened with an ellipsis where they would not fit; the full text stays in the
model's `text_equivalent()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from selector.charts.fonts import fit
from selector.charts.fonts import text_width
from selector.charts.fonts import wrap
from selector.charts.models import GRID
from selector.charts.models import HEAT_STOPS
from selector.charts.models import INK
from selector.charts.models import MUTED
from selector.charts.models import BarGroupChart
from selector.charts.models import Chart
from selector.charts.models import HeatMapChart
from selector.charts.models import StackedBarChart
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import report_language

LABEL = 7.5
SMALL = 6.5
PAD = 2.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    opacity: float = 1.0
    stroke: str | None = None


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    width: float = 0.5


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = LABEL
    fill: str = INK
    anchor: str = "start"  # start / middle / end
    bold: bool = False


Shape = Rect | Line | Text


@dataclass(frozen=True)
class Scene:
    width: float
    height: float
    title: str
    description: str
    shapes: tuple[Shape, ...]


def layout(chart: Chart, width: float) -> Scene:
    """The shapes of `chart` drawn `width` points wide (its height follows)."""
    with report_language(chart.language):
        if isinstance(chart, BarGroupChart):
            return _bars(chart, width)
        if isinstance(chart, StackedBarChart):
            return _stacked(chart, width)
        if isinstance(chart, HeatMapChart):
            return _heat(chart, width)
    raise TypeError(f"not a chart model: {type(chart).__name__}")


def _nice_step(maximum: float, ticks: int = 5) -> float:
    raw = maximum / ticks
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _tick_label(value: float, axis: str, step: float) -> str:
    if axis == "percent":
        decimals = 0 if round(step * 100, 6) == round(step * 100) else 1
        return percent(value, decimals)
    return number(value, 0 if step >= 1 else 1)


def _legend(items: list[tuple[str, str]], x0: float, y0: float, width: float) -> tuple[
    list[Shape], float
]:
    """Colour swatches with labels in columns; returns the shapes and the height used."""
    shapes: list[Shape] = []
    if not items:
        return shapes, 0.0
    longest = max(text_width(label, LABEL) for label, _ in items) + 16
    columns = max(1, min(len(items), int(width // max(longest, 60))))
    column_width = width / columns
    line = 11.0
    for i, (label, colour) in enumerate(items):
        row, column = divmod(i, columns)
        x = x0 + column * column_width
        y = y0 + row * line
        shapes.append(Rect(x, y + 1.5, 7, 7, colour))
        shapes.append(Text(x + 10, y + 8, fit(label, LABEL, column_width - 14)))
    rows = math.ceil(len(items) / columns)
    return shapes, rows * line


def _bars(chart: BarGroupChart, width: float) -> Scene:
    shapes: list[Shape] = []
    y = 0.0
    if len(chart.series) > 1:
        legend, used = _legend([(s.label, s.colour) for s in chart.series], 0, 0, width)
        shapes += legend
        y = used + 4
    label_width = min(
        max((text_width(r, LABEL) for r in chart.rows), default=0) + 8, width * 0.36
    )
    value_width = max(
        (text_width(v, SMALL) for s in chart.series for v in s.value_labels), default=0
    ) + 6
    x0, x1 = label_width, width - value_width
    step = _nice_step(chart.maximum)
    top = step * math.ceil(chart.maximum / step - 1e-9)
    bar = 6.5 if len(chart.series) > 2 else 8.0 if len(chart.series) > 1 else 11.0
    gap = 5.0
    group = len(chart.series) * bar + gap
    plot_top = y
    plot_height = len(chart.rows) * group
    ticks = int(round(top / step))
    for k in range(ticks + 1):
        x = x0 + (x1 - x0) * k / ticks
        shapes.append(Line(x, plot_top, x, plot_top + plot_height))
        shapes.append(
            Text(x, plot_top + plot_height + 9, _tick_label(k * step, chart.axis, step),
                 SMALL, MUTED, "middle")
        )
    for i, row in enumerate(chart.rows):
        top_of_group = plot_top + i * group
        middle = top_of_group + len(chart.series) * bar / 2
        shapes.append(Text(0, middle + 2.5, fit(row, LABEL, label_width - 8)))
        for j, series in enumerate(chart.series):
            value = series.values[i]
            if value is None:
                continue
            by = top_of_group + j * bar
            length = (x1 - x0) * max(0.0, min(value, top)) / top if top else 0.0
            shapes.append(Rect(x0, by, length, bar - 1.2, series.colour))
            shapes.append(
                Text(x0 + length + 2, by + bar - 1.4, series.value_labels[i], SMALL - 0.5,
                     MUTED)
            )
    shapes.append(Line(x0, plot_top, x0, plot_top + plot_height, MUTED, 0.7))
    height = plot_top + plot_height + 12
    return Scene(width, height, chart.title, chart.description, tuple(shapes))


def _stacked(chart: StackedBarChart, width: float) -> Scene:
    shapes: list[Shape] = []
    label_width = min(
        max((text_width(b.label, LABEL) for b in chart.bars), default=0) + 8, width * 0.32
    )
    total_width = max((text_width(b.total_label, LABEL, True) for b in chart.bars), default=0)
    x0, x1 = label_width, width - total_width - 8
    top = 100.0 if chart.maximum <= 100 else chart.maximum
    step = _nice_step(top)
    bar, gap = 15.0, 7.0
    plot_height = len(chart.bars) * (bar + gap)
    ticks = int(round(top / step))
    for k in range(ticks + 1):
        x = x0 + (x1 - x0) * k / ticks
        shapes.append(Line(x, 0, x, plot_height))
        shapes.append(
            Text(x, plot_height + 8, number(k * step, 0), SMALL, MUTED, "middle")
        )
    for i, item in enumerate(chart.bars):
        y = i * (bar + gap) + gap / 2
        opacity = 0.45 if item.muted else 1.0
        shapes.append(
            Text(0, y + bar / 2 + 2.6, fit(item.label, LABEL, label_width - 8),
                 fill=MUTED if item.muted else INK)
        )
        x = x0
        for segment in item.segments:
            length = (x1 - x0) * max(segment.value, 0.0) / top
            if length <= 0:
                continue
            shapes.append(Rect(x, y, length, bar, segment.colour, opacity))
            if length >= text_width(segment.value_label, SMALL) + 4 and not item.muted:
                shapes.append(
                    Text(x + length / 2, y + bar / 2 + 2.3, segment.value_label, SMALL,
                         "#FFFFFF", "middle")
                )
            x += length
        shapes.append(Text(x + 3, y + bar / 2 + 2.6, item.total_label, LABEL,
                           MUTED if item.muted else INK, bold=not item.muted))
    shapes.append(Line(x0, 0, x0, plot_height, MUTED, 0.7))
    legend, used = _legend(
        [(item.label, item.colour) for item in chart.legend], 0, plot_height + 16, width
    )
    shapes += legend
    return Scene(width, plot_height + 16 + used + 2, chart.title, chart.description,
                 tuple(shapes))


def _mix(low: str, high: str, share: float) -> str:
    share = max(0.0, min(1.0, share))
    a = [int(low[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(high[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02X}" for x, y in zip(a, b, strict=True))


def heat_colour(value: float, maximum: float = 100.0) -> str:
    """The cell colour of a score: light for 0, dark blue for the maximum.

    The ramp bends through a mid blue so that the scores a committee mostly gives
    (50 to 90) differ visibly.
    """
    share = max(0.0, min(1.0, value / maximum if maximum else 0.0))
    for (low, low_colour), (high, high_colour) in zip(HEAT_STOPS, HEAT_STOPS[1:], strict=False):
        if share <= high:
            return _mix(low_colour, high_colour, (share - low) / (high - low))
    return HEAT_STOPS[-1][1]


def _heat(chart: HeatMapChart, width: float) -> Scene:
    shapes: list[Shape] = []
    note_width = max((text_width(n, SMALL) for n in chart.row_notes), default=0)
    label_width = min(
        max((text_width(r, LABEL) for r in chart.rows), default=0) + note_width + 14,
        width * 0.38,
    )
    columns = max(len(chart.columns), 1)
    cell_width = (width - label_width) / columns
    lines = 3 if cell_width < 55 else 2 if cell_width < 90 else 1
    header = 9.0 * lines + 4
    row_height = 14.0
    for j, name in enumerate(chart.columns):
        x = label_width + j * cell_width + cell_width / 2
        muted = chart.muted_columns[j] if j < len(chart.muted_columns) else False
        wrapped = wrap(name, SMALL, cell_width - 3, lines, bold=True)
        first = header - 4 - 9.0 * (len(wrapped) - 1)
        for k, text in enumerate(wrapped):
            shapes.append(
                Text(x, first + 9.0 * k, text, SMALL, MUTED if muted else INK, "middle", True)
            )
    for i, row in enumerate(chart.rows):
        y = header + 2 + i * row_height
        note = chart.row_notes[i] if i < len(chart.row_notes) else ""
        shapes.append(
            Text(0, y + row_height / 2 + 2.6,
                 fit(row, LABEL, label_width - note_width - 12))
        )
        if note:
            shapes.append(
                Text(label_width - 4, y + row_height / 2 + 2.4, note, SMALL, MUTED, "end")
            )
        for j in range(len(chart.columns)):
            value = chart.values[i][j]
            x = label_width + j * cell_width
            muted = chart.muted_columns[j] if j < len(chart.muted_columns) else False
            if value is None:
                shapes.append(Rect(x + 0.6, y + 0.6, cell_width - 1.2, row_height - 1.2,
                                   "#FFFFFF", 1.0, GRID))
                colour = MUTED
            else:
                shapes.append(
                    Rect(x + 0.6, y + 0.6, cell_width - 1.2, row_height - 1.2,
                         heat_colour(value, chart.maximum), 0.5 if muted else 1.0)
                )
                dark = value / chart.maximum > 0.62 and not muted
                colour = "#FFFFFF" if dark else INK
            shapes.append(
                Text(x + cell_width / 2, y + row_height / 2 + 2.4,
                     fit(chart.value_labels[i][j], SMALL, cell_width - 2), SMALL, colour,
                     "middle")
            )
    height = header + 2 + len(chart.rows) * row_height + PAD
    return Scene(width, height, chart.title, chart.description, tuple(shapes))
