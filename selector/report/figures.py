"""The report's charts as chart models, so the PDF and the web preview show the same ones.

`report_figures(report)` builds them from `ReportData`; `selector.charts.pdf` draws them
in the PDF and `selector.charts.svg` on the web page.
"""

from __future__ import annotations

from dataclasses import dataclass

from selector.charts import models
from selector.report.contents import ReportData


@dataclass(frozen=True)
class Figures:
    weights: models.BarGroupChart | None  # business vs IT vs the weight used, per category
    contributions: models.StackedBarChart | None  # what each category adds, per vendor
    heat_map: models.HeatMapChart | None  # category scores, categories x vendors
    p_first: models.BarGroupChart | None  # chance of ranking first


def report_figures(report: ReportData) -> Figures:
    language = report.language
    weights = report.weights
    results = report.results
    weights_chart = None
    if weights.rows:
        weights_chart = models.weights_chart(
            [(r.name, r.business, r.it, r.final) for r in weights.rows],
            language=language,
            final=weights.uses_final,
        )
    contributions = heat = None
    if results.categories and results.ranking:
        contributions = models.contribution_chart(
            [
                (v.name, results.contributions.get(v.key, {}), v.total, v.excluded)
                for v in results.ranking
            ],
            list(results.categories),
            language=language,
        )
        heat = models.heat_map(
            [(key, name, results.weights.get(key, 0.0)) for key, name in results.categories],
            [(v.key, v.name, v.excluded) for v in results.ranking],
            results.category_scores,
            language=language,
        )
    p_first = None
    if report.robustness.p_first:
        p_first = models.p_first_chart(
            [(name, share) for _, name, share in report.robustness.p_first],
            language=language,
            draws=report.robustness.draws,
        )
    return Figures(weights_chart, contributions, heat, p_first)
