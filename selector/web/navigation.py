"""The tabs of a selection's pages. An area adds its page here: (endpoint, label, action);
a tab shows only to members whose role may perform its action."""

from __future__ import annotations

from selector.i18n import _l

SELECTION_TABS: list[tuple[str, object, str]] = [
    ("selections.overview", _l("Overview"), "selection.view"),
    ("members.index", _l("Members"), "members.view"),
    ("requirements.index", _l("Requirements"), "requirements.view"),
    ("weighting.index", _l("Weighting"), "weighting.view"),
    ("vendors.index", _l("Vendors"), "vendors.view"),
    ("scoring.index", _l("Scoring"), "scoring.view"),
    ("verdicts.index", _l("Knock-out verdicts"), "verdicts.view"),
    ("scoring.consensus", _l("Consensus"), "consensus.view"),
    ("analysis.ranking", _l("Analysis"), "analysis.view"),
    ("reports.page", _l("Report"), "report.view"),
    ("audit.page", _l("Audit trail"), "audit.view"),
]
