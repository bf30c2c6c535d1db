"""The results chapter: totals, the knock-out matrix and the price scores."""

from __future__ import annotations

from typing import Any

from selector.report.chapters.summary import coverage_sentences
from selector.report.contents import (
    KnockoutCell,
    KnockoutMatrix,
    PriceLine,
    PriceSection,
    ResultsSection,
)
from selector.report.context import ReportContext
from selector.report.i18n import percent, t_
from selector.report.labels import knockout_state_label
from selector.report.text import clean


def _knockout_matrix(context: ReportContext) -> KnockoutMatrix:
    cells = {
        key: KnockoutCell(cell.state, knockout_state_label(cell.state), clean(cell.evidence))
        for key, cell in context.ranked.knockout_matrix.cells.items()
    }
    return KnockoutMatrix(
        knockouts=tuple((r.code, clean(r.title)) for r in context.knockouts),
        vendors=tuple((v.key, v.name) for v in context.vendors),
        cells=cells,
    )


def _optional_number(value: Any) -> float | None:
    return None if value is None else float(value)


def _price(context: ReportContext) -> PriceSection | None:
    p = context.selection.price_weight
    if p <= 0:
        return None
    years = int(context.doc.get("selection", {}).get("tco_years") or 5)
    rows = []
    for vendor in context.vendors:
        costs = context.vendor_doc.get(vendor.key, {}).get("costs") or {}
        rows.append(
            PriceLine(
                key=vendor.key,
                name=vendor.name,
                tco=vendor.tco,
                price_score=vendor.price_score,
                licence_per_year=_optional_number(costs.get("licence_per_year")),
                implementation=_optional_number(costs.get("implementation")),
                hosting_support_per_year=_optional_number(costs.get("hosting_support_per_year")),
                contract_years=_optional_number(costs.get("contract_years")),
            )
        )
    intro = t_("Price counts for {price} of the total. The TCO covers {years} years for every "
               "vendor: implementation plus {years} times the yearly licence, hosting and "
               "support.").format(price=percent(p, 0), years=years)
    return PriceSection(price_weight=p, tco_years=years, intro=intro, rows=tuple(rows))


def build_results(context: ReportContext) -> ResultsSection:
    categories = tuple((key, context.category_name.get(key, key)) for key in context.weights)
    intro = [
        t_("Vendors that are not excluded are ranked by their total score; excluded vendors "
           "follow, with the score they would have had.")
    ]
    notes = coverage_sentences(context)
    return ResultsSection(
        intro=tuple(intro),
        ranking=tuple(context.vendors),
        categories=categories,
        weights=dict(context.weights),
        category_scores={
            v["key"]: dict(v["category_scores"]) for v in context.ranking.get("vendors", [])
        },
        contributions=context.contributions,
        knockouts=_knockout_matrix(context),
        price=_price(context),
        notes=tuple(notes),
    )
