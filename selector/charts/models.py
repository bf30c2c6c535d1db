"""Chart models: what a chart shows, as plain data, in the selection's language.

Four charts are shared by the web pages and the PDF report:

- `weights_chart`: grouped horizontal bars per category, business beside IT beside the
  weight the ranking uses;
- `contribution_chart`: one stacked bar per vendor, a segment per category (its points
  of the total), so the bars' lengths are the totals;
- `heat_map`: categories x vendors, the category scores S(v, c) (0..100);
- `p_first_chart`: each vendor's chance of ranking first.

A model holds its title, a one-paragraph description (for `<desc>` and screen
readers), the values with their formatted labels, and `text_equivalent()` (a header
row and rows) for a table beside or instead of the picture. `selector.charts.layout`
turns a model into shapes; `svg` and `pdf` draw those shapes, so both media show the
same colours in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import report_language
from selector.report.i18n import t_

# Colours: business blue, IT amber, the ranking's weight in slate; categories cycle
# through a palette that stays apart for common colour-vision deficiencies.
BUSINESS = "#2F6DB5"
IT = "#E0911B"
COMBINED = "#3D4A5C"
INK = "#1E2A38"
MUTED = "#6B7787"
GRID = "#D9DEE5"
EXCLUDED = "#B8BFC9"
PRICE = "#1E2A38"  # its own colour: never shared with a category, however many there are
PALETTE = (
    "#2F6DB5",
    "#E0911B",
    "#3A9A73",
    "#C4553D",
    "#7A5CA8",
    "#8E6E45",
    "#D0679F",
    "#5B8FA8",
    "#A9A238",
    "#4F5D75",
    "#9CC1E3",
    "#F2C08A",
)
# Heat map ramp: (share of the maximum, colour).
HEAT_STOPS = ((0.0, "#F5F8FC"), (0.4, "#C9DBEF"), (0.7, "#5E93CB"), (1.0, "#123F78"))


def category_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    values: tuple[float | None, ...]  # one per row; None: no value (nothing drawn)
    value_labels: tuple[str, ...]


@dataclass(frozen=True)
class _Chart:
    """What every chart holds besides its values: the language of its texts, its title
    and a one-paragraph description."""

    language: str
    title: str
    description: str


@dataclass(frozen=True)
class BarGroupChart(_Chart):
    """Horizontal bars: one group per row, one bar per series."""

    kind = "bars"
    rows: tuple[str, ...]
    series: tuple[Series, ...]
    maximum: float  # axis end, in the values' unit
    axis: str  # "percent" (values are shares 0..1) or "number"

    def text_equivalent(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        header = ("",) + tuple(s.label for s in self.series)
        rows = tuple(
            (row,) + tuple(s.value_labels[i] for s in self.series)
            for i, row in enumerate(self.rows)
        )
        return header, rows


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: float
    value_label: str
    colour: str


@dataclass(frozen=True)
class StackedBar:
    label: str
    segments: tuple[Segment, ...]
    total: float
    total_label: str
    muted: bool = False  # an excluded vendor


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str


@dataclass(frozen=True)
class StackedBarChart(_Chart):
    kind = "stacked"
    bars: tuple[StackedBar, ...]
    legend: tuple[LegendItem, ...]
    maximum: float

    def text_equivalent(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        header = ("",) + tuple(item.label for item in self.legend) + (t_total(self.language),)
        rows = []
        for bar in self.bars:
            by_label = {s.label: s.value_label for s in bar.segments}
            rows.append(
                (bar.label,)
                + tuple(by_label.get(item.label, "–") for item in self.legend)
                + (bar.total_label,)
            )
        return header, tuple(rows)


@dataclass(frozen=True)
class HeatMapChart(_Chart):
    kind = "heat"
    rows: tuple[str, ...]  # categories
    row_notes: tuple[str, ...]  # e.g. the category's weight
    columns: tuple[str, ...]  # vendors
    muted_columns: tuple[bool, ...]  # excluded vendors
    values: tuple[tuple[float | None, ...], ...]  # [row][column], 0..maximum
    value_labels: tuple[tuple[str, ...], ...]
    maximum: float

    def text_equivalent(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        header = ("",) + self.columns
        rows = tuple(
            (row,) + self.value_labels[i] for i, row in enumerate(self.rows)
        )
        return header, rows


Chart = BarGroupChart | StackedBarChart | HeatMapChart


def t_total(language: str) -> str:
    with report_language(language):
        return t_("Total")


def _share_label(value: float | None) -> str:
    return "–" if value is None else percent(value, 1)


def weights_chart(
    rows: Sequence[tuple[str, float | None, float | None, float]],
    *,
    language: str,
    final: bool = False,
) -> BarGroupChart:
    """Business vs IT vs the weight the ranking uses, per category.

    `rows`: (category name, G(business, c) or None, G(it, c) or None, W(c)).
    `final`: W(c) are the facilitator's final weights rather than the joint ones.
    """
    with report_language(language):
        names = tuple(r[0] for r in rows)
        business = tuple(r[1] for r in rows)
        it = tuple(r[2] for r in rows)
        used = tuple(r[3] for r in rows)
        series = []
        if any(v is not None for v in business):
            series.append(
                Series(t_("Business"), BUSINESS, business, tuple(map(_share_label, business)))
            )
        if any(v is not None for v in it):
            series.append(Series(t_("IT"), IT, it, tuple(map(_share_label, it))))
        used_label = t_("Final weight") if final else t_("Joint weight")
        series.append(Series(used_label, COMBINED, used, tuple(map(_share_label, used))))
        values = [v for s in series for v in s.values if v is not None]
        top = max(values, default=0.0)
        description = t_(
            "Weight of each category as the business members gave it, as IT management "
            "gave it, and as the ranking uses it."
        )
        if rows:
            largest = max(rows, key=lambda r: r[3])
            description += " " + t_("The heaviest category is {category} ({weight}).").format(
                category=largest[0], weight=percent(largest[3], 1)
            )
        return BarGroupChart(
            language=language,
            title=t_("Category weights: business, IT and joint"),
            description=description,
            rows=names,
            series=tuple(series),
            maximum=max(top, 0.05),
            axis="percent",
        )


def contribution_chart(
    vendors: Sequence[tuple[str, Mapping[str | None, float], float, bool]],
    categories: Sequence[tuple[str, str]],
    *,
    language: str,
) -> StackedBarChart:
    """What each category adds to each vendor's total.

    `vendors`: (name, {category key or None for price: points}, total, excluded), in
    rank order; `categories`: (key, name) in the order of the segments.
    """
    with report_language(language):
        keys: list[str | None] = [key for key, _ in categories]
        names: dict[str | None, str] = dict(categories)
        if any(None in parts for _, parts, _, _ in vendors):
            keys.append(None)
            names[None] = t_("Price")
        colour = {key: category_colour(i) if key is not None else PRICE
                  for i, key in enumerate(keys)}
        bars = []
        for name, parts, total, excluded in vendors:
            segments = tuple(
                Segment(
                    key=key or "price",
                    label=names[key],
                    value=float(parts.get(key, 0.0)),
                    value_label=number(float(parts.get(key, 0.0)), 1),
                    colour=colour[key],
                )
                for key in keys
                if key in parts
            )
            bars.append(
                StackedBar(
                    label=t_("{vendor} (excluded)").format(vendor=name) if excluded else name,
                    segments=segments,
                    total=total,
                    total_label=number(total, 1),
                    muted=excluded,
                )
            )
        description = t_(
            "Each bar is a vendor's total score out of 100, split into what each category "
            "adds: the category's weight times the vendor's score in it."
        )
        if bars:
            description += " " + t_("{vendor} has the highest total among the vendors that "
                                    "are not excluded.").format(
                vendor=next((b.label for b in bars if not b.muted), "–")
            )
        top = max((b.total for b in bars), default=0.0)
        return StackedBarChart(
            language=language,
            title=t_("Contribution of each category to the total"),
            description=description,
            bars=tuple(bars),
            legend=tuple(LegendItem(names[key], colour[key]) for key in keys),
            maximum=max(top, 1.0),
        )


def heat_map(
    categories: Sequence[tuple[str, str, float]],
    vendors: Sequence[tuple[str, str, bool]],
    scores: Mapping[str, Mapping[str, float]],
    *,
    language: str,
) -> HeatMapChart:
    """Category scores S(v, c) (0..100): `categories` (key, name, weight), `vendors`
    (key, name, excluded) in rank order, `scores` vendor key -> category key -> S."""
    with report_language(language):
        values = tuple(
            tuple(scores.get(v[0], {}).get(c[0]) for v in vendors) for c in categories
        )
        labels = tuple(
            tuple("–" if x is None else number(x, 0) for x in row) for row in values
        )
        return HeatMapChart(
            language=language,
            title=t_("Category scores per vendor (0–100)"),
            description=t_(
                "A vendor's score in each category, out of 100: darker is better. Rows are "
                "categories with their weight, columns vendors in rank order."
            ),
            rows=tuple(c[1] for c in categories),
            row_notes=tuple(percent(c[2], 1) for c in categories),
            columns=tuple(v[1] for v in vendors),
            muted_columns=tuple(v[2] for v in vendors),
            values=values,
            value_labels=labels,
            maximum=100.0,
        )


def p_first_chart(
    vendors: Sequence[tuple[str, float]], *, language: str, draws: int = 10_000
) -> BarGroupChart:
    """Each vendor's chance of ranking first (0..1): (name, share) in rank order."""
    with report_language(language):
        shares = tuple(v[1] for v in vendors)
        description = t_(
            "Share of {draws} random variations of the category weights in which each "
            "vendor comes first."
        ).format(draws=number(draws, 0))
        return BarGroupChart(
            language=language,
            title=t_("Chance of ranking first"),
            description=description,
            rows=tuple(v[0] for v in vendors),
            series=(
                Series(t_("Chance of ranking first"), COMBINED, shares,
                       tuple(map(_share_label, shares))),
            ),
            maximum=1.0,
            axis="percent",
        )
