"""Charts as accessible SVG for the web pages.

`render_svg(chart)` gives an inline `<svg role="img">` with `<title>` and `<desc>`
(referenced by `aria-labelledby`), every text escaped, and the shapes hidden from
assistive technology; `text_equivalent_html(chart)` gives the same numbers as a table
for a screen reader or a "show as table" toggle. The page's Content-Security-Policy
is unaffected: no scripts, no inline styles, only presentation attributes.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from selector.charts.fonts import SVG_FONT_FAMILY
from selector.charts.layout import Line
from selector.charts.layout import Rect
from selector.charts.layout import Scene
from selector.charts.layout import Text
from selector.charts.layout import layout
from selector.charts.models import Chart

_ATTRIBUTE = {'"': "&quot;", "'": "&#39;"}


def _text(value: str) -> str:
    return escape(value, _ATTRIBUTE)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def scene_svg(scene: Scene, id_prefix: str) -> str:
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {_n(scene.width)} {_n(scene.height)}" '
        f'width="{_n(scene.width)}" height="{_n(scene.height)}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{_text(scene.title)}</title>',
        f'<desc id="{desc_id}">{_text(scene.description)}</desc>',
        f'<g aria-hidden="true" font-family="{_text(SVG_FONT_FAMILY)}">',
    ]
    for shape in scene.shapes:
        if isinstance(shape, Rect):
            extra = ""
            if shape.opacity < 1:
                extra += f' fill-opacity="{_n(shape.opacity)}"'
            if shape.stroke:
                extra += f' stroke="{shape.stroke}" stroke-width="0.5"'
            parts.append(
                f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" '
                f'height="{_n(shape.h)}" fill="{shape.fill}"{extra}/>'
            )
        elif isinstance(shape, Line):
            parts.append(
                f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" '
                f'y2="{_n(shape.y2)}" stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"/>'
            )
        elif isinstance(shape, Text):
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(
                f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}" '
                f'fill="{shape.fill}" text-anchor="{shape.anchor}"{weight}>'
                f"{_text(shape.text)}</text>"
            )
    parts.append("</g></svg>")
    return "".join(parts)


def render_svg(chart: Chart, width: float = 640, id_prefix: str | None = None) -> str:
    """The chart as an SVG string `width` user units wide; ids start with `id_prefix`."""
    if id_prefix is None:
        digest = hashlib.sha1(f"{chart.kind}:{chart.title}".encode()).hexdigest()[:8]
        id_prefix = f"chart-{digest}"
    return scene_svg(layout(chart, width), id_prefix)


def text_equivalent_html(chart: Chart, css_class: str = "chart-table") -> str:
    """The chart's numbers as an HTML table (escaped), captioned with its title."""
    header, rows = chart.text_equivalent()
    parts = [f'<table class="{_text(css_class)}"><caption>{_text(chart.title)}</caption>']
    parts.append("<thead><tr>")
    parts += [f'<th scope="col">{_text(cell)}</th>' for cell in header]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        parts.append(f'<th scope="row">{_text(row[0])}</th>')
        parts += [f"<td>{_text(cell)}</td>" for cell in row[1:]]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
