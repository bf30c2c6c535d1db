"""The inputs of one report, indexed once and shared by the chapter builders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from selector.domain import method
from selector.domain.ranked import RankedSelection
from selector.domain.selection import Score
from selector.domain.selection import Selection
from selector.report.contents import VendorLine
from selector.report.i18n import t_
from selector.report.i18n import tn_
from selector.report.process_record import ProcessInfo
from selector.report.text import clean

COVERAGE_COMPLETE = 1.0 - 1e-9


@dataclass
class ReportContext:
    """The inputs indexed once; shared by the section builders."""

    doc: Mapping[str, Any]
    ranked: RankedSelection
    ranking: Mapping[str, Any]
    selection: Selection
    process: ProcessInfo | None
    today: date
    category_name: dict[str, str]
    category_domain: dict[str, str]
    requirement: dict[str, Any]  # code -> domain Requirement
    requirement_text: dict[str, Mapping[str, Any]]  # code -> the file's entry
    vendor_doc: dict[str, Mapping[str, Any]]
    member_role: dict[str, str]
    vendors: list[VendorLine]
    vendor_name: dict[str, str]
    weights: dict[str, float]
    requirement_weights: dict[str, float]
    aggregated: dict[tuple[str, str], float]
    contributions: dict[str, dict[str | None, float]]
    knockouts: list[Any]  # active knock-outs (domain Requirement), selection order
    commented: dict[str, list[Score]]  # vendor key -> its scores that carry a comment
    spreads: list[method.ScoreSpread]
    recommended: VendorLine | None
    runner_up: VendorLine | None
    # vendor key -> its own answers (the file's `answers`), indexed once for the profiles
    answers: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)

    def title(self, code: str) -> str:
        requirement = self.requirement.get(code)
        return clean(requirement.title) if requirement is not None else code

    def name_of(self, key: str | None) -> str:
        return self.vendor_name.get(key or "", key or "")


def report_context(
    doc: Mapping[str, Any],
    ranked: RankedSelection,
    process: ProcessInfo | None,
    today: date,
) -> ReportContext:
    selection, ranking = ranked.selection, ranked.ranking
    tco_of = {v.key: v.tco for v in selection.vendors}
    vendors = []
    for v in ranked.rows:
        failed, unverified = v.knockouts_failed, v.knockouts_unverified
        if failed:
            status = t_("excluded: failed {codes}").format(codes=", ".join(failed))
        elif v.below_threshold:
            status = t_("excluded: quality below the threshold")
        elif unverified:
            status = tn_(
                "{n} knock-out unverified", "{n} knock-outs unverified", len(unverified)
            ).format(n=len(unverified))
        else:
            status = t_("all knock-outs passed")
        line = vars(v) | {"name": clean(v.name)}
        vendors.append(VendorLine(**line, tco=tco_of.get(v.key), status=status))
    contenders = [v for v in vendors if not v.excluded]
    answers: dict[str, list[Mapping[str, Any]]] = {}
    for answer in doc.get("answers", []):
        answers.setdefault(answer["vendor"], []).append(answer)
    # The comments, found once: each profile quotes its vendor's (48,000 scores, one in
    # eight with a comment: 0.15 s when every profile went through all of them).
    commented: dict[str, list[Score]] = {}
    for score in selection.scores:
        if score.comment:
            commented.setdefault(score.vendor, []).append(score)
    return ReportContext(
        doc=doc,
        ranked=ranked,
        ranking=ranking,
        selection=selection,
        process=process,
        today=today,
        category_name={c.key: clean(c.name) for c in selection.categories},
        category_domain={c.key: c.domain for c in selection.categories},
        requirement={r.code: r for r in selection.requirements},
        requirement_text={r["code"]: r for r in doc.get("requirements", [])},
        vendor_doc={v["key"]: v for v in doc.get("vendors", [])},
        member_role={m.email: m.role for m in selection.members},
        vendors=vendors,
        vendor_name={v.key: clean(v.name) for v in selection.vendors}
        | {v.key: v.name for v in vendors},
        weights=dict(ranking.get("category_weights", {})),
        requirement_weights=dict(ranking.get("requirement_weights", {})),
        aggregated=method.aggregated_scores(selection),
        contributions={v.key: dict(v.contributions) for v in ranked.rows},
        knockouts=list(ranked.knockouts),
        commented=commented,
        spreads=method.disagreement(selection),
        recommended=contenders[0] if contenders else None,
        runner_up=contenders[1] if len(contenders) > 1 else None,
        answers=answers,
    )
