"""Small SVG figures of the analysis pages that the shared charts do not cover.

`flip_gauge` draws one flip point: a 0–100% weight scale with the category's weight
now and the threshold where another vendor comes first. Same idiom as
`selector.charts.svg`: `role="img"` with `<title>` and `<desc>`, every text escaped,
presentation attributes only (the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from selector.charts.fonts import SVG_FONT_FAMILY
from selector.charts.fonts import text_width
from selector.charts.models import GRID
from selector.charts.models import MUTED

NOW = "#1B4F8A"
THRESHOLD = "#B3261E"
ROOM = "#F0C36A"

_ATTRIBUTE = {'"': "&quot;", "'": "&#39;"}


def _text(value: str) -> str:
    return escape(value, _ATTRIBUTE)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _label_width(label: str, size: float = 9.0) -> float:
    return text_width(label, size, True)


def _place_labels(
    a: float, a_width: float, b: float, b_width: float, width: float, gap: float = 6.0
) -> tuple[float, float]:
    """Centres for two labels over the markers at a and b: inside the figure and apart."""

    def clamp(centre: float, size: float) -> float:
        return max(size / 2, min(width - size / 2, centre))

    a, b_ = clamp(a, a_width), clamp(b, b_width)
    need = (a_width + b_width) / 2 + gap
    if abs(b_ - a) < need:
        middle = (a + b_) / 2
        if a <= b_:
            a, b_ = middle - need / 2, middle + need / 2
        else:
            a, b_ = middle + need / 2, middle - need / 2
        # Moved apart, they may stick out at an end: slide both back inside.
        left = min(a - a_width / 2, b_ - b_width / 2)
        right = max(a + a_width / 2, b_ + b_width / 2)
        if left < 0:
            a, b_ = a - left, b_ - left
        elif right > width:
            a, b_ = a - (right - width), b_ - (right - width)
    return a, b_


def flip_gauge(
    weight: float,
    threshold: float,
    *,
    now_label: str,
    threshold_label: str,
    title: str,
    description: str,
    id_prefix: str,
    width: float = 320,
) -> str:
    """The weight now and the flip threshold on a 0–100% scale, labelled."""
    pad = 6.0
    scale = width - 2 * pad

    def x(share: float) -> float:
        return pad + scale * max(0.0, min(1.0, share))

    low, high = sorted((weight, threshold))
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    now_x, flip_x = x(weight), x(threshold)
    now_center, flip_center = _place_labels(
        now_x, _label_width(now_label), flip_x, _label_width(threshold_label), width
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gauge" role="img" '
        f'viewBox="0 0 {_n(width)} 34" width="{_n(width)}" height="34" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{_text(title)}</title>',
        f'<desc id="{desc_id}">{_text(description)}</desc>',
        f'<g aria-hidden="true" font-family="{_text(SVG_FONT_FAMILY)}" font-size="9">',
        f'<rect x="{_n(pad)}" y="20" width="{_n(scale)}" height="4" rx="2" fill="{GRID}"/>',
        f'<rect x="{_n(x(low))}" y="20" width="{_n(x(high) - x(low))}" height="4" '
        f'fill="{ROOM}"/>',
        f'<rect x="{_n(now_x - 1.5)}" y="15" width="3" height="14" rx="1" fill="{NOW}"/>',
        f'<rect x="{_n(flip_x - 1)}" y="15" width="2" height="14" fill="{THRESHOLD}"/>',
        f'<text x="{_n(now_center)}" y="11" text-anchor="middle" fill="{NOW}" '
        f'font-weight="bold">{_text(now_label)}</text>',
        f'<text x="{_n(flip_center)}" y="11" text-anchor="middle" '
        f'fill="{THRESHOLD}" font-weight="bold">{_text(threshold_label)}</text>',
        f'<text x="{_n(pad)}" y="33" fill="{MUTED}" font-size="7">0%</text>',
        f'<text x="{_n(width - pad)}" y="33" fill="{MUTED}" font-size="7" '
        f'text-anchor="end">100%</text>',
        "</g></svg>",
    ]
    return "".join(parts)
