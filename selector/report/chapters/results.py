"""The results chapter: totals, the knock-out matrix and the costs (`chapters.costs`)."""

from __future__ import annotations

from selector.report.chapters.costs import build_costs
from selector.report.chapters.summary import coverage_sentences
from selector.report.contents import KnockoutCell
from selector.report.contents import KnockoutMatrix
from selector.report.contents import ResultsSection
from selector.report.context import ReportContext
from selector.report.i18n import t_
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
        price=build_costs(context),
        notes=tuple(notes),
    )
