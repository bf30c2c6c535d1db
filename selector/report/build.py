"""Everything the argued selection report says, gathered by one pure function.

`build_report_data(doc, ranked, process=..., language=...)` takes the selection file
(for the texts the method does not need: descriptions, costs, organisation), the ranked
selection (`selector.domain.ranked`: the domain selection, its ranking document and the
facts the pages state too), and optionally the process record that only the database
knows (`selector.report.process_record.ProcessInfo`: phase dates, freezes, audit trail,
the facilitator's recommendation and decision record). It returns `ReportData`
(`selector.report.contents`): frozen dataclasses holding the numbers and the sentences,
already in the report's language, as plain (unescaped) text.

Each chapter is gathered by one function in `selector.report.chapters`. Nothing here
draws, reads a file or a database, or escapes: `selector.report.pdf` lays the data out
(escaping every user string), and the web page can show the same data as HTML. Every
number comes from the ranking document or from the method's building blocks, so the
report and `selector rank` never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from selector.domain.ranked import RankedSelection
from selector.report.chapters.appendix import build_appendix
from selector.report.chapters.appendix import build_sign_off
from selector.report.chapters.open_points import build_open_points
from selector.report.chapters.process_and_method import build_method
from selector.report.chapters.process_and_method import build_process
from selector.report.chapters.profiles import build_profile
from selector.report.chapters.profiles import profiles_intro
from selector.report.chapters.requirements import build_requirements
from selector.report.chapters.results import build_results
from selector.report.chapters.robustness import build_robustness
from selector.report.chapters.summary import build_cover
from selector.report.chapters.summary import build_summary
from selector.report.chapters.weights import build_weights
from selector.report.contents import ReportData
from selector.report.context import report_context
from selector.report.i18n import report_language
from selector.report.process_record import ProcessInfo
from selector.report.text import clean


def build_report_data(
    doc: Mapping[str, Any],
    ranked: RankedSelection,
    *,
    process: ProcessInfo | None = None,
    language: str | None = None,
    today: date | None = None,
) -> ReportData:
    """Gather every fact and sentence of the report, in `language` (default: the file's).

    `doc` is the selection file (validated; normalised or not), `ranked` its ranked
    selection (`selector.services.ranking`), `process` the database's process record or
    None for a report made from a file. `today` dates a draft.
    """
    meta = doc.get("selection", {})
    language = language or meta.get("language") or "en"
    selection = ranked.selection
    with report_language(language):
        context = report_context(doc, ranked, process, today or date.today())
        summary = build_summary(context)
        profiles = tuple(build_profile(context, vendor) for vendor in context.vendors)
        return ReportData(
            language=language,
            selection=clean(selection.name),
            organisation=clean(meta.get("organisation") or ""),
            status=process.status if process else "draft",
            cover=build_cover(context),
            summary=summary,
            process=build_process(context),
            method=build_method(context),
            requirements=build_requirements(context),
            weights=build_weights(context),
            results=build_results(context),
            profiles=profiles,
            robustness=build_robustness(context),
            open_points=build_open_points(context),
            appendix=build_appendix(context),
            sign_off=build_sign_off(context),
            scale_max=selection.scale_max,
            price_weight=selection.price_weight,
            profiles_intro=profiles_intro(context),
        )
