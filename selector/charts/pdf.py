"""Charts as ReportLab Drawings (vector graphics) for the PDF report.

The same `Scene` as the SVG, so colours, order and labels match the web pages.
Text is drawn as plain strings (never paragraph markup) in the embedded DejaVu Sans.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import Group
from reportlab.graphics.shapes import Line as RLLine
from reportlab.graphics.shapes import Rect as RLRect
from reportlab.graphics.shapes import String
from reportlab.lib.colors import HexColor

from selector.charts.fonts import BOLD
from selector.charts.fonts import REGULAR
from selector.charts.fonts import register_fonts
from selector.charts.layout import Line
from selector.charts.layout import Rect
from selector.charts.layout import Scene
from selector.charts.layout import Text
from selector.charts.layout import layout
from selector.charts.models import Chart


def scene_drawing(scene: Scene) -> Drawing:
    register_fonts()
    height = scene.height
    drawing = Drawing(scene.width, height)
    # The renderer starts every drawing in its default font (Helvetica) unless told.
    drawing.initialFontName = REGULAR
    drawing.initialFontSize = 8
    group = Group()
    for shape in scene.shapes:
        if isinstance(shape, Rect):
            if shape.w <= 0 or shape.h <= 0:
                continue
            fill = HexColor(shape.fill, hasAlpha=False)
            if shape.opacity < 1:
                fill = fill.clone(alpha=shape.opacity)
            group.add(
                RLRect(
                    shape.x,
                    height - shape.y - shape.h,
                    shape.w,
                    shape.h,
                    fillColor=fill,
                    strokeColor=HexColor(shape.stroke) if shape.stroke else None,
                    strokeWidth=0.5 if shape.stroke else 0,
                )
            )
        elif isinstance(shape, Line):
            group.add(
                RLLine(
                    shape.x1,
                    height - shape.y1,
                    shape.x2,
                    height - shape.y2,
                    strokeColor=HexColor(shape.stroke),
                    strokeWidth=shape.width,
                )
            )
        elif isinstance(shape, Text):
            group.add(
                String(
                    shape.x,
                    height - shape.y,
                    shape.text,
                    fontName=BOLD if shape.bold else REGULAR,
                    fontSize=shape.size,
                    fillColor=HexColor(shape.fill),
                    textAnchor=shape.anchor,
                )
            )
    drawing.add(group)
    return drawing


def render_drawing(chart: Chart, width: float) -> Drawing:
    """The chart as a Drawing `width` points wide."""
    return scene_drawing(layout(chart, width))
