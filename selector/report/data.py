"""Everything the argued selection report says, gathered by one pure function.

`build_report_data(doc, ranking, selection, process=..., language=...)` takes the
selection file (for the texts the method does not need: descriptions, costs,
organisation), the ranking document and the domain selection it was computed from,
and optionally the process record that only the database knows (`ProcessInfo`:
phase dates, freezes, audit trail, the facilitator's recommendation and decision
record). It returns `ReportData`: frozen dataclasses holding the numbers and the
sentences, already in the report's language, as plain (unescaped) text.

Nothing here draws, reads a file or a database, or escapes: `selector.report.pdf`
lays the data out (escaping every user string), and the web page can show the same
data as HTML. Every number comes from the ranking document or from the method's
building blocks, so the report and `selector rank` never disagree.

Choices where the issue leaves room (to be copied into docs/decisions.md):
- "Strongest" requirements: the largest weighted contributions
  (1 - p) * W(c) * w(r|c) * s(v,r) / scale_max * 100, in points of the total.
  "Weakest": the largest points *missed*, (1 - p) * W(c) * w(r|c) * (1 - s/scale_max)
  * 100 (an unscored wish misses all its weight): the smallest contributions would
  always be the lightest wishes, which argue nothing.
- Comments are quoted and attributed by role, never by name; per vendor at most
  `QUOTES_PER_VENDOR`, those on its strongest and weakest wishes first, then by weight.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from selector.domain import method
from selector.domain.selection import Selection
from selector.report.i18n import (
    long_date,
    money,
    number,
    percent,
    report_language,
    short_date,
    t_,
    tn_,
)
from selector.report.text import QUOTE_LIMIT, clean, shorten

TOP_REQUIREMENTS = 5
QUOTES_PER_VENDOR = 8
DISAGREEMENTS_SHOWN = 15
COVERAGE_COMPLETE = 1.0 - 1e-9
ROLE_ORDER = ("sponsor", "facilitator", "business", "it", "observer")
PHASE_ORDER = ("requirements", "weighting", "scoring", "decision")

# Audit entities whose change after a freeze is an open point (decisions.md: freezing
# the weights freezes allocations, final weights, priorities and explicit requirement
# weights; requirements themselves are frozen when scoring opens).
FROZEN_WITH_REQUIREMENTS = frozenset({"requirement", "category"})
FROZEN_WITH_WEIGHTS = frozenset(
    {
        "allocation",
        "allocations",
        "weights",
        "weight",
        "final_weight",
        "final_weights",
        "category_weight",
        "category_weights",
        "group_balance",
    }
)


# --------------------------------------------------------------------------- process input


@dataclass(frozen=True)
class PhaseChange:
    """The selection entered `phase` at `at` (from the audit trail)."""

    at: datetime
    phase: str
    reason: str = ""
    imported: bool = False  # the selection was imported from a file in this phase


@dataclass(frozen=True)
class AuditChange:
    """One audit entry, with the actor's role in the selection instead of a name."""

    at: datetime
    action: str
    entity: str
    entity_key: str = ""
    actor_role: str = ""
    old: str | None = None
    new: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class AuditCount:
    entity: str
    action: str
    count: int


@dataclass(frozen=True)
class SeenChange:
    """A member's score given or changed after they were first shown the others' scores
    for that vendor (issue 17, item 13; `selector.services.disclosures`)."""

    member: str  # e-mail
    vendor: str  # key
    requirement: str  # code
    seen_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class ProcessInfo:
    """What only the database knows about a selection; absent for a selection file.

    `changes` need only hold the entries made after the earliest freeze (the report
    picks the ones that touch frozen content); `audit_counts` summarise the trail.
    """

    status: str = "draft"  # "draft" or "final"
    issued_at: datetime | None = None
    phase: str | None = None
    created_at: datetime | None = None
    recommendation: str = ""
    decision_context: str = ""
    decision_options: str = ""
    decision: str = ""
    decision_consequences: str = ""
    final_weights_rationale: str = ""
    phases: tuple[PhaseChange, ...] = ()
    requirements_frozen_at: datetime | None = None
    weights_frozen_at: datetime | None = None
    member_joined: Mapping[str, datetime] = field(default_factory=dict)  # e-mail -> joined
    changes: tuple[AuditChange, ...] = ()
    audit_counts: tuple[AuditCount, ...] = ()
    seen_changes: tuple[SeenChange, ...] = ()


# --------------------------------------------------------------------------- report data


@dataclass(frozen=True)
class VendorLine:
    """One row of the ranking table."""

    key: str
    name: str
    rank: int
    total: float
    quality: float
    price_score: float | None
    coverage: float
    p_first: float
    excluded: bool
    knockouts_failed: tuple[str, ...]
    knockouts_unverified: tuple[str, ...]
    tco: float | None
    status: str  # sentence fragment: "passed", "excluded: IT-BRW-01", ...


@dataclass(frozen=True)
class Cover:
    title: str
    selection: str
    organisation: str
    date: str
    status: str  # "draft" or "final"
    status_label: str
    recommended: str | None  # vendor name
    recommended_label: str
    facts: tuple[KeyFigure, ...] = ()  # the selection at a glance


@dataclass(frozen=True)
class DecisionRecord:
    context: str
    options: str
    decision: str
    consequences: str

    @property
    def present(self) -> bool:
        texts = (self.context, self.options, self.decision, self.consequences)
        return any(text.strip() for text in texts)


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str


@dataclass(frozen=True)
class CategoryLead:
    """How much a category adds to the winner's total compared with the runner-up's."""

    key: str
    name: str
    winner_points: float
    runner_up_points: float

    @property
    def difference(self) -> float:
        return self.winner_points - self.runner_up_points


@dataclass(frozen=True)
class Summary:
    recommended: VendorLine | None
    runner_up: VendorLine | None
    margin: float | None  # total(recommended) - total(runner-up)
    leading: tuple[CategoryLead, ...]  # where the lead is built, largest first
    trailing: tuple[CategoryLead, ...]  # where the runner-up is stronger
    knockouts_total: int
    knockouts_passed: int  # by the recommended vendor
    p_first: float | None
    perspectives_agree: bool | None  # None when a perspective is missing
    argument: tuple[str, ...]
    attention: tuple[str, ...]
    key_figures: tuple[KeyFigure, ...]
    recommendation: str  # the facilitator's own words
    decision_record: DecisionRecord | None


@dataclass(frozen=True)
class MemberLine:
    role: str
    role_label: str
    name: str
    since: str


@dataclass(frozen=True)
class PhaseLine:
    date: str
    phase: str
    note: str


@dataclass(frozen=True)
class ProcessSection:
    available: bool
    members: tuple[MemberLine, ...]
    phases: tuple[PhaseLine, ...]
    freezes: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ScaleAnchor:
    score: int
    anchor: str


@dataclass(frozen=True)
class MethodSection:
    paragraphs: tuple[str, ...]
    scale: tuple[ScaleAnchor, ...]


@dataclass(frozen=True)
class RequirementLine:
    code: str
    title: str
    category: str
    category_name: str
    priority: str
    priority_label: str  # priority, or the status when not accepted
    knockout: bool
    active: bool
    weight: float | None  # W(c) * w(r|c) for a wish in an active category
    description: str
    rationale: str
    knockout_rationale: str
    verification_criterion: str


@dataclass(frozen=True)
class CategoryCount:
    key: str
    name: str
    domain_label: str
    must: int
    should: int
    could: int
    knockouts: int
    not_counted: int  # won't, proposed, rejected, deferred


@dataclass(frozen=True)
class RequirementTable:
    key: str
    name: str
    rows: tuple[RequirementLine, ...]


@dataclass(frozen=True)
class RequirementsSection:
    intro: str
    counts: tuple[CategoryCount, ...]
    totals: CategoryCount
    knockouts: tuple[RequirementLine, ...]
    it_tables: tuple[RequirementTable, ...]


@dataclass(frozen=True)
class WeightLine:
    key: str
    name: str
    domain_label: str
    business: float | None  # G(business, c)
    it: float | None  # G(it, c)
    joint: float  # combined from the groups (or equal), before final weights
    final: float  # W(c): what the ranking uses
    difference: float | None  # business - it
    discussion_point: bool


@dataclass(frozen=True)
class WeightsSection:
    intro: tuple[str, ...]
    rows: tuple[WeightLine, ...]
    uses_final: bool
    final_rationale: str
    divergence: tuple[str, ...]
    inactive: tuple[str, ...]  # names of categories without weight


@dataclass(frozen=True)
class KnockoutCell:
    state: str  # passed / failed / unverified
    label: str
    evidence: str


@dataclass(frozen=True)
class KnockoutMatrix:
    knockouts: tuple[tuple[str, str], ...]  # (code, title)
    vendors: tuple[tuple[str, str], ...]  # (key, name), rank order
    cells: Mapping[tuple[str, str], KnockoutCell]  # (vendor key, code) -> cell


@dataclass(frozen=True)
class PriceLine:
    key: str
    name: str
    tco: float | None
    price_score: float | None
    licence_per_year: float | None
    implementation: float | None
    hosting_support_per_year: float | None
    contract_years: float | None


@dataclass(frozen=True)
class PriceSection:
    price_weight: float
    tco_years: int
    intro: str
    rows: tuple[PriceLine, ...]


@dataclass(frozen=True)
class ResultsSection:
    intro: tuple[str, ...]
    ranking: tuple[VendorLine, ...]
    categories: tuple[tuple[str, str], ...]  # active (key, name), selection order
    weights: Mapping[str, float]  # W(c)
    category_scores: Mapping[str, Mapping[str, float]]  # vendor -> category -> S(v,c)
    contributions: Mapping[str, Mapping[str | None, float]]  # vendor -> category/None -> pts
    knockouts: KnockoutMatrix
    price: PriceSection | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class RequirementContribution:
    code: str
    title: str
    category_name: str
    weight: float  # W(c) * w(r|c)
    score: float | None  # s(v, r); None when nobody scored it
    points: float  # points added to the total
    missed: float  # points left on the table


@dataclass(frozen=True)
class Quote:
    code: str
    title: str
    score: float | None
    text: str
    attribution: str


@dataclass(frozen=True)
class KnockoutResult:
    code: str
    title: str
    state: str
    label: str
    evidence: str


@dataclass(frozen=True)
class CategoryResult:
    key: str
    name: str
    weight: float
    score: float
    points: float


@dataclass(frozen=True)
class VendorProfile:
    key: str
    name: str
    rank: int
    standing: str  # recommended / runner_up / excluded / other
    standing_label: str
    total: float
    quality: float
    coverage: float
    p_first: float
    tco: float | None
    headline: str
    profile: str  # strongest and weakest categories, one sentence
    categories: tuple[CategoryResult, ...]
    strongest: tuple[RequirementContribution, ...]
    weakest: tuple[RequirementContribution, ...]
    quotes: tuple[Quote, ...]
    more_quotes: int
    knockouts: tuple[KnockoutResult, ...]
    risks: tuple[str, ...]


@dataclass(frozen=True)
class FlipLine:
    category: str
    name: str
    weight: float
    threshold: float
    direction: str  # "above" or "below"
    new_winner: str  # vendor name
    sentence: str


@dataclass(frozen=True)
class PerspectiveRow:
    position: int
    joint: str
    business: str | None
    it: str | None


@dataclass(frozen=True)
class RobustnessSection:
    draws: int
    p_first: tuple[tuple[str, str, float], ...]  # (key, name, share), rank order
    sentences: tuple[str, ...]
    flips: tuple[FlipLine, ...]
    stable: str  # sentence on the categories without a flip point ("" if none)
    perspectives: tuple[PerspectiveRow, ...]
    perspective_sentence: str


@dataclass(frozen=True)
class DisagreementLine:
    vendor: str
    code: str
    title: str
    scores: str  # "Business 1, 4 · IT 5": the scores per role, lowest first
    range: int


@dataclass(frozen=True)
class ChangeLine:
    date: str
    what: str
    change: str
    by: str
    reason: str


@dataclass(frozen=True)
class OpenPoints:
    unverified: tuple[str, ...]
    coverage: tuple[str, ...]
    disagreements: tuple[DisagreementLine, ...]
    disagreements_total: int
    changes: tuple[ChangeLine, ...]
    changes_known: bool
    dissent: tuple[str, ...]
    nothing_open: bool


@dataclass(frozen=True)
class AppendixRow:
    code: str
    title: str
    category_name: str
    kind: str  # wish / knock-out / not counted (translated)
    weight: float | None
    scores: tuple[float | None, ...]  # per vendor of `Appendix.vendors`


@dataclass(frozen=True)
class AuditLine:
    entity: str
    action: str
    count: int


@dataclass(frozen=True)
class SeenChangeLine:
    """A counted score changed after its member saw the others' (by role, never name)."""

    code: str
    title: str
    vendor: str  # name
    role: str  # translated
    seen: str  # date
    changed: str  # date


@dataclass(frozen=True)
class Appendix:
    vendors: tuple[tuple[str, str], ...]
    requirements: tuple[AppendixRow, ...]
    audit: tuple[AuditLine, ...]
    audit_known: bool
    seen_changes: tuple[SeenChangeLine, ...] = ()


@dataclass(frozen=True)
class SignOff:
    sponsors: tuple[str, ...]
    statement: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ReportData:
    language: str
    selection: str
    organisation: str
    status: str
    cover: Cover
    summary: Summary
    process: ProcessSection
    method: MethodSection
    requirements: RequirementsSection
    weights: WeightsSection
    results: ResultsSection
    profiles: tuple[VendorProfile, ...]
    robustness: RobustnessSection
    open_points: OpenPoints
    appendix: Appendix
    sign_off: SignOff
    scale_max: int
    price_weight: float


# --------------------------------------------------------------------------- labels


def role_label(role: str) -> str:
    return {
        "facilitator": t_("Facilitator"),
        "business": t_("Business"),
        "it": t_("IT"),
        "sponsor": t_("Sponsor"),
        "observer": t_("Observer"),
    }.get(role, role)


def attribution(role: str) -> str:
    """Who said it, by role only."""
    return {
        "facilitator": t_("the facilitator"),
        "business": t_("a business member"),
        "it": t_("an IT member"),
    }.get(role, t_("a committee member"))


def domain_label(domain: str) -> str:
    return t_("Business") if domain == "business" else t_("IT")


def priority_label(priority: str) -> str:
    return {
        "must": t_("must"),
        "should": t_("should"),
        "could": t_("could"),
        "wont": t_("won't"),
    }.get(priority, priority)


def status_label(status: str) -> str:
    return {
        "proposed": t_("proposed"),
        "accepted": t_("accepted"),
        "rejected": t_("rejected"),
        "deferred": t_("deferred"),
    }.get(status, status)


def phase_label(phase: str) -> str:
    return {
        "requirements": t_("Requirements"),
        "weighting": t_("Weighting"),
        "scoring": t_("Scoring"),
        "decision": t_("Decision"),
    }.get(phase, phase)


def knockout_state_label(state: str) -> str:
    return {
        "passed": t_("passed"),
        "failed": t_("failed"),
        "unverified": t_("unverified"),
    }[state]


def entity_label(entity: str) -> str:
    return {
        "selection": t_("selection"),
        "requirement": t_("requirement"),
        "category": t_("category"),
        "member": t_("member"),
        "membership": t_("member"),
        "allocation": t_("weight allocation"),
        "allocations": t_("weight allocation"),
        "weights": t_("weights"),
        "weight": t_("weights"),
        "final_weight": t_("final weights"),
        "final_weights": t_("final weights"),
        "category_weight": t_("weight allocation"),
        "category_weights": t_("weight allocation"),
        "group_balance": t_("group balance"),
        "vendor": t_("vendor"),
        "score": t_("score"),
        "sheet": t_("scoring sheet"),
        "consensus": t_("consensus score"),
        "verdict": t_("knock-out verdict"),
        "knockout": t_("knock-out verdict"),
        "final_report": t_("final report"),
        "attachment": t_("attachment"),
        "assignment": t_("scoring assignment"),
        "invitation": t_("invitation"),
    }.get(entity, entity)


def action_label(action: str) -> str:
    return {
        "create": t_("created"),
        "update": t_("changed"),
        "delete": t_("deleted"),
        "import": t_("imported"),
        "phase": t_("phase changed"),
        "freeze": t_("frozen"),
        "unfreeze": t_("unfrozen"),
        "submit": t_("submitted"),
        "reopen": t_("reopened"),
        "issue": t_("issued"),
        "exclude": t_("excluded"),
        "remove": t_("removed"),
        "add": t_("added"),
        "withdraw": t_("withdrawn"),
        "reinstate": t_("reinstated"),
        "declare": t_("declared"),
        "include": t_("included"),
        "invite": t_("invited"),
        "renew": t_("given a new link"),
        "decline": t_("declined"),
    }.get(action, action)


def join_names(names: Sequence[str]) -> str:
    """A, B and C / A, B en C."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return t_("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def tidy(sentence: str) -> str:
    """Drop the full stop after a quotation that already ends a sentence: “… module.”."""
    for mark in (".", "!", "?"):
        sentence = sentence.replace(f"{mark}”.", f"{mark}”")
    return sentence


def points(value: float) -> str:
    """A difference in points of the total, one decimal."""
    return number(value, 1)


def signed(value: float) -> str:
    text = number(abs(value), 1)
    return ("+" if value >= 0 else "−") + text


def whole_percent_pair(a: float, b: float) -> tuple[str, str]:
    """Two shares as whole percentages, with a decimal when rounding makes them equal."""
    first, second = percent(a, 0), percent(b, 0)
    if first == second:
        first, second = percent(a, 1), percent(b, 1)
    return first, second


# --------------------------------------------------------------------------- the builder


@dataclass
class _Context:
    """The inputs indexed once; shared by the section builders."""

    doc: Mapping[str, Any]
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
    verdicts: dict[tuple[str, str], Any]
    spreads: list[method.ScoreSpread]
    recommended: VendorLine | None
    runner_up: VendorLine | None

    def title(self, code: str) -> str:
        requirement = self.requirement.get(code)
        return clean(requirement.title) if requirement is not None else code

    def name_of(self, key: str | None) -> str:
        return self.vendor_name.get(key or "", key or "")


def build_report_data(
    doc: Mapping[str, Any],
    ranking: Mapping[str, Any],
    selection: Selection,
    *,
    process: ProcessInfo | None = None,
    language: str | None = None,
    today: date | None = None,
) -> ReportData:
    """Gather every fact and sentence of the report, in `language` (default: the file's).

    `doc` is the selection file (validated; normalised or not), `ranking` the ranking
    document of `selection` (`selector.domain.method.rank`), `process` the database's
    process record or None for a report made from a file. `today` dates a draft.
    """
    meta = doc.get("selection", {})
    language = language or meta.get("language") or "en"
    with report_language(language):
        context = _context(doc, ranking, selection, process, today or date.today())
        summary = _summary(context)
        profiles = tuple(_profile(context, vendor) for vendor in context.vendors)
        return ReportData(
            language=language,
            selection=clean(selection.name),
            organisation=clean(meta.get("organisation") or ""),
            status=process.status if process else "draft",
            cover=_cover(context),
            summary=summary,
            process=_process(context),
            method=_method(context),
            requirements=_requirements(context),
            weights=_weights(context),
            results=_results(context),
            profiles=profiles,
            robustness=_robustness(context),
            open_points=_open_points(context),
            appendix=_appendix(context),
            sign_off=_sign_off(context),
            scale_max=selection.scale_max,
            price_weight=selection.price_weight,
        )


def _context(
    doc: Mapping[str, Any],
    ranking: Mapping[str, Any],
    selection: Selection,
    process: ProcessInfo | None,
    today: date,
) -> _Context:
    p_first = ranking.get("sensitivity", {}).get("p_first", {})
    tco_of = {v.key: v.tco for v in selection.vendors}
    vendors = []
    for v in ranking.get("vendors", []):
        failed = tuple(v["knockouts_failed"])
        unverified = tuple(v["knockouts_unverified"])
        if failed:
            status = t_("excluded: failed {codes}").format(codes=", ".join(failed))
        elif unverified:
            status = tn_(
                "{n} knock-out unverified", "{n} knock-outs unverified", len(unverified)
            ).format(n=len(unverified))
        else:
            status = t_("all knock-outs passed")
        vendors.append(
            VendorLine(
                key=v["key"],
                name=clean(v["name"]),
                rank=int(v["rank"]),
                total=float(v["total"]),
                quality=float(v["quality"]),
                price_score=None if v["price_score"] is None else float(v["price_score"]),
                coverage=float(v["coverage"]),
                p_first=float(p_first.get(v["key"], 0.0)),
                excluded=bool(v["excluded"]),
                knockouts_failed=failed,
                knockouts_unverified=unverified,
                tco=tco_of.get(v["key"]),
                status=status,
            )
        )
    contenders = [v for v in vendors if not v.excluded]
    return _Context(
        doc=doc,
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
        contributions=method.contributions(selection, ranking),
        knockouts=[r for r in selection.requirements if r.is_knockout],
        verdicts={(v.vendor, v.requirement): v for v in selection.verdicts},
        spreads=method.disagreement(selection),
        recommended=contenders[0] if contenders else None,
        runner_up=contenders[1] if len(contenders) > 1 else None,
    )


# --------------------------------------------------------------------------- cover, summary


def _cover(context: _Context) -> Cover:
    process = context.process
    final = process is not None and process.status == "final"
    when = process.issued_at if final and process.issued_at else context.today
    recommended = context.recommended
    excluded = sum(1 for v in context.vendors if v.excluded)
    vendors = tn_("{n} vendor", "{n} vendors", len(context.vendors)).format(
        n=len(context.vendors)
    )
    if excluded:
        vendors += " " + t_("({n} excluded)").format(n=excluded)
    wishes = sum(1 for r in context.selection.requirements if r.is_wish)
    roles = Counter(m.role for m in context.selection.members)
    facts = (
        KeyFigure(t_("Vendors assessed"), vendors),
        KeyFigure(
            t_("Requirements"),
            tn_("{n} wish", "{n} wishes", wishes).format(n=wishes) + ", "
            + tn_("{n} knock-out", "{n} knock-outs", len(context.knockouts)).format(
                n=len(context.knockouts)
            ),
        ),
        KeyFigure(
            t_("Committee"),
            t_("{business} business, {it} IT").format(
                business=roles.get("business", 0), it=roles.get("it", 0)
            ),
        ),
        KeyFigure(t_("Scores given"), number(len(context.selection.scores), 0)),
    )
    return Cover(
        facts=facts,
        title=t_("Selection report"),
        selection=clean(context.selection.name),
        organisation=clean(context.doc.get("selection", {}).get("organisation") or ""),
        date=long_date(when),
        status="final" if final else "draft",
        status_label=t_("Final report") if final else t_("Draft – not yet final"),
        recommended=recommended.name if recommended else None,
        recommended_label=t_("Recommended vendor"),
    )


def _flip_sentence(winner: str, category: str, threshold: float, weight: float, new: str) -> str:
    then, now = whole_percent_pair(threshold, weight)
    if threshold >= weight:
        text = t_(
            "{winner} stays first unless the weight of {category} rises above {threshold} "
            "(now {weight}); then {new_winner} comes first."
        )
    else:
        text = t_(
            "{winner} stays first unless the weight of {category} falls below {threshold} "
            "(now {weight}); then {new_winner} comes first."
        )
    return text.format(
        winner=winner, category=category, threshold=then, weight=now, new_winner=new
    )


def _flips(context: _Context) -> list[FlipLine]:
    winner = context.recommended
    lines = []
    if winner is None:
        return lines
    for key, flip in context.ranking.get("flip", {}).items():
        if not flip:
            continue
        weight = context.weights.get(key, 0.0)
        threshold = float(flip["threshold"])
        name = context.category_name.get(key, key)
        new = context.name_of(flip["new_winner"])
        lines.append(
            FlipLine(
                category=key,
                name=name,
                weight=weight,
                threshold=threshold,
                direction="above" if threshold >= weight else "below",
                new_winner=new,
                sentence=_flip_sentence(winner.name, name, threshold, weight, new),
            )
        )
    return lines


def _perspective_winners(context: _Context) -> dict[str, str | None]:
    """The first vendor of each perspective that is not excluded (None: no perspective)."""
    excluded = {v.key for v in context.vendors if v.excluded}
    winners: dict[str, str | None] = {}
    for group in ("business", "it"):
        order = context.ranking.get("perspectives", {}).get(group)
        if order is None:
            winners[group] = None
            continue
        first = next((key for key in order if key not in excluded), None)
        winners[group] = first
    return winners


def _perspective_sentence(context: _Context) -> tuple[str, bool | None]:
    winners = _perspective_winners(context)
    business, it = winners["business"], winners["it"]
    orders = context.ranking.get("perspectives", {})
    if orders.get("business") is None and orders.get("it") is None:
        return t_("Neither business nor IT allocated points, so there are no perspectives."), None
    if orders.get("business") is None:
        return (
            t_("Only IT allocated points; there is no business perspective. By IT's own "
               "weights {it} comes first.").format(it=context.name_of(it) or "–"),
            None,
        )
    if orders.get("it") is None:
        return (
            t_("Only the business allocated points; there is no IT perspective. By the "
               "business members' own weights {business} comes first.").format(
                business=context.name_of(business) or "–"
            ),
            None,
        )
    if business == it:
        return (
            t_("Business and IT agree: by the business members' own weights and by IT "
               "management's own weights alike, {winner} comes first.").format(
                winner=context.name_of(business) or "–"
            ),
            True,
        )
    return (
        t_("Business and IT disagree on the winner: by the business members' own weights "
           "{business} comes first, by IT management's own weights {it}.").format(
            business=context.name_of(business) or "–", it=context.name_of(it) or "–"
        ),
        False,
    )


def _excluded_sentences(context: _Context) -> list[str]:
    sentences = []
    winner = context.recommended
    for vendor in context.vendors:
        if not vendor.excluded:
            continue
        reasons = []
        for code in vendor.knockouts_failed:
            verdict = context.verdicts.get((vendor.key, code))
            evidence = clean(verdict.evidence).strip() if verdict else ""
            if evidence:
                reasons.append(
                    t_("knock-out {code} ({title}): “{evidence}”").format(
                        code=code, title=context.title(code), evidence=shorten(evidence, 400)
                    )
                )
            else:
                reasons.append(
                    t_("knock-out {code} ({title}), without recorded evidence").format(
                        code=code, title=context.title(code)
                    )
                )
        sentence = tidy(
            t_("{vendor} is excluded because it failed {reasons}.").format(
                vendor=vendor.name, reasons=join_names(reasons)
            )
        )
        if winner is not None and vendor.quality > winner.total:
            sentence += " " + t_(
                "On its scores alone it would have come first ({total} against {winner_total})."
            ).format(total=number(vendor.total, 1), winner_total=number(winner.total, 1))
        sentences.append(sentence)
    return sentences


def _unverified_sentences(context: _Context, vendors: Sequence[VendorLine]) -> list[str]:
    sentences = []
    for vendor in vendors:
        for code in vendor.knockouts_unverified:
            sentences.append(
                t_("{vendor}: knock-out {code} ({title}) has not been verified yet.").format(
                    vendor=vendor.name, code=code, title=context.title(code)
                )
            )
    return sentences


def _coverage_sentences(context: _Context) -> list[str]:
    return [
        t_("{vendor}: only {share} of the weight has been scored; unscored wishes count as 0.")
        .format(vendor=v.name, share=percent(v.coverage, 1))
        for v in context.vendors
        if v.coverage < COVERAGE_COMPLETE
    ]


def _summary(context: _Context) -> Summary:
    winner, runner = context.recommended, context.runner_up
    knockouts_total = len(context.knockouts)
    # The argument in four short paragraphs: standing, knock-outs, robustness, views.
    standing: list[str] = []
    checks: list[str] = []
    robust: list[str] = []
    views: list[str] = []
    leading: list[CategoryLead] = []
    trailing: list[CategoryLead] = []
    passed = 0
    p_first = None
    if not context.vendors:
        standing.append(t_("The selection has no vendors, so there is nothing to recommend."))
    elif winner is None:
        standing.append(
            t_("No vendor can be recommended: every vendor failed at least one knock-out.")
        )
    else:
        p_first = winner.p_first
        if runner is not None:
            standing.append(
                t_("{winner} scores {total} out of 100, {margin} points ahead of {runner_up} "
                   "({runner_up_total}).").format(
                    winner=winner.name,
                    total=number(winner.total, 1),
                    margin=points(winner.total - runner.total),
                    runner_up=runner.name,
                    runner_up_total=number(runner.total, 1),
                )
            )
            mine = context.contributions.get(winner.key, {})
            theirs = context.contributions.get(runner.key, {})
            leads = [
                CategoryLead(
                    key=c,
                    name=context.category_name.get(c, c),
                    winner_points=mine.get(c, 0.0),
                    runner_up_points=theirs.get(c, 0.0),
                )
                for c in context.weights
            ]
            leading = sorted(
                (lead for lead in leads if lead.difference > 0.05),
                key=lambda lead: -lead.difference,
            )[:3]
            trailing = sorted(
                (lead for lead in leads if lead.difference < -0.05),
                key=lambda lead: lead.difference,
            )[:3]
            if leading:
                standing.append(
                    t_("Its lead is built in {categories}.").format(
                        categories=join_names(
                            [
                                t_("{category} ({points} points)").format(
                                    category=lead.name, points=signed(lead.difference)
                                )
                                for lead in leading
                            ]
                        )
                    )
                )
            if trailing:
                standing.append(
                    t_("{runner_up} is stronger in {categories}.").format(
                        runner_up=runner.name,
                        categories=join_names([lead.name for lead in trailing]),
                    )
                )
        else:
            standing.append(
                t_("{winner} scores {total} out of 100 and is the only vendor that is not "
                   "excluded.").format(winner=winner.name, total=number(winner.total, 1))
            )
            mine = context.contributions.get(winner.key, {})
            top = sorted(
                ((c, mine.get(c, 0.0)) for c in context.weights), key=lambda x: -x[1]
            )[:3]
            if top and top[0][1] > 0:
                standing.append(
                    t_("Its score rests most on {categories}.").format(
                        categories=join_names([context.category_name.get(c, c) for c, _ in top])
                    )
                )
        unverified = len(winner.knockouts_unverified)
        passed = knockouts_total - unverified - len(winner.knockouts_failed)
        if knockouts_total == 0:
            checks.append(t_("The selection has no knock-outs."))
        elif unverified == 0:
            checks.append(
                tn_("{winner} passed the one knock-out.", "{winner} passed all {n} knock-outs.",
                    knockouts_total).format(winner=winner.name, n=knockouts_total)
            )
        else:
            checks.append(
                t_("{winner} passed {passed} of {n} knock-outs; not yet verified: {codes}.")
                .format(
                    winner=winner.name,
                    passed=passed,
                    n=knockouts_total,
                    codes=", ".join(winner.knockouts_unverified),
                )
            )
    checks.extend(_excluded_sentences(context))
    if winner is not None and runner is not None:
        draws = int(context.ranking.get("sensitivity", {}).get("draws", method.DRAWS))
        robust.append(
            t_("In {share} of {draws} random variations of the weights, {winner} stays "
               "first.").format(share=percent(winner.p_first, 1), draws=number(draws, 0),
                                winner=winner.name)
        )
        flips = _flips(context)
        if flips:
            nearest = min(flips, key=lambda f: (abs(f.threshold - f.weight), f.name))
            robust.append(nearest.sentence)
        else:
            robust.append(
                t_("No change in the weight of a single category makes another vendor win.")
            )
    perspective_sentence, agree = _perspective_sentence(context)
    if context.vendors:
        views.append(perspective_sentence)

    argument = [" ".join(p) for p in (standing, checks, robust, views) if p]

    attention = _unverified_sentences(context, context.vendors)
    attention += _coverage_sentences(context)
    wide = [s for s in context.spreads if s.discussion_point]
    if wide:
        attention.append(
            tn_("The committee's scores differ by 3 points or more on {n} vendor–wish pair.",
                "The committee's scores differ by 3 points or more on {n} vendor–wish pairs.",
                len(wide)).format(n=len(wide))
        )

    figures: list[KeyFigure] = []
    if winner is not None:
        figures.append(KeyFigure(t_("Recommended vendor"), winner.name))
        figures.append(KeyFigure(t_("Total score"), number(winner.total, 1) + " / 100"))
        if runner is not None:
            figures.append(KeyFigure(t_("Runner-up"), runner.name))
            figures.append(KeyFigure(t_("Margin"), t_("{points} points").format(
                points=points(winner.total - runner.total))))
            figures.append(KeyFigure(t_("Chance of ranking first"), percent(winner.p_first, 1)))
        figures.append(
            KeyFigure(
                t_("Knock-outs passed"),
                t_("{passed} of {n}").format(passed=passed, n=knockouts_total),
            )
        )
        figures.append(KeyFigure(t_("Coverage of the scoring"), percent(winner.coverage, 1)))

    process = context.process
    record = None
    if process is not None:
        record = DecisionRecord(
            context=clean(process.decision_context),
            options=clean(process.decision_options),
            decision=clean(process.decision),
            consequences=clean(process.decision_consequences),
        )
        if not record.present:
            record = None
    return Summary(
        recommended=winner,
        runner_up=runner,
        margin=(winner.total - runner.total) if winner and runner else None,
        leading=tuple(leading),
        trailing=tuple(trailing),
        knockouts_total=knockouts_total,
        knockouts_passed=passed,
        p_first=p_first,
        perspectives_agree=agree,
        argument=tuple(argument),
        attention=tuple(attention),
        key_figures=tuple(figures),
        recommendation=clean(process.recommendation) if process else "",
        decision_record=record,
    )


# --------------------------------------------------------------------------- process, method


def _phase_at(process: ProcessInfo, when: datetime) -> str | None:
    current = None
    for change in process.phases:
        if change.at <= when:
            current = change.phase
    return current


def _process(context: _Context) -> ProcessSection:
    process = context.process
    members = []
    by_role = {role: [] for role in ROLE_ORDER}
    for member in context.selection.members:
        by_role.setdefault(member.role, []).append(member)
    first_change = process.phases[0].at if process and process.phases else None
    for role in by_role:
        for member in sorted(by_role[role], key=lambda m: (clean(m.name).casefold(), m.email)):
            since = ""
            if process is not None:
                joined = process.member_joined.get(member.email)
                if joined is not None:
                    if first_change is None or joined <= first_change:
                        since = t_("from the start")
                    else:
                        phase = _phase_at(process, joined)
                        since = t_("from the {phase} phase ({date})").format(
                            phase=phase_label(phase).lower() if phase else "–",
                            date=short_date(joined),
                        )
            members.append(
                MemberLine(
                    role=role,
                    role_label=role_label(role),
                    name=clean(member.name) or t_("(no name)"),
                    since=since,
                )
            )
    if process is None:
        return ProcessSection(
            available=False,
            members=tuple(members),
            phases=(),
            freezes=(),
            notes=(
                t_("This report was made from a selection file. The process record – dates "
                   "of the phases, the freezes and the audit trail – is kept in the "
                   "application and is not part of the file."),
            ),
        )
    phases = []
    previous = None
    for change in process.phases:
        note = clean(change.reason)
        if change.imported:
            note = t_("imported from a selection file")
        if previous is not None and change.phase in PHASE_ORDER and previous in PHASE_ORDER:
            if PHASE_ORDER.index(change.phase) < PHASE_ORDER.index(previous):
                note = t_("moved back: {reason}").format(reason=note or "–")
        phases.append(PhaseLine(short_date(change.at), phase_label(change.phase), note))
        previous = change.phase
    freezes = []
    if process.requirements_frozen_at:
        freezes.append(
            t_("The requirements were frozen on {date}.").format(
                date=long_date(process.requirements_frozen_at)
            )
        )
    else:
        freezes.append(t_("The requirements have not been frozen."))
    if process.weights_frozen_at:
        freezes.append(
            t_("The weights were frozen on {date}.").format(
                date=long_date(process.weights_frozen_at)
            )
        )
    else:
        freezes.append(t_("The weights have not been frozen."))
    notes = []
    if process.phase:
        notes.append(
            t_("The selection is now in the {phase} phase.").format(
                phase=phase_label(process.phase).lower()
            )
        )
    return ProcessSection(
        available=True,
        members=tuple(members),
        phases=tuple(phases),
        freezes=tuple(freezes),
        notes=tuple(notes),
    )


def scale_anchors(scale_max: int) -> tuple[ScaleAnchor, ...]:
    """The score scale with its anchors (method.md section 4)."""
    if scale_max == 5:
        words = (
            t_("absent"),
            t_("poor"),
            t_("partly"),
            t_("meets"),
            t_("meets well"),
            t_("exceeds"),
        )
        return tuple(ScaleAnchor(score, word) for score, word in enumerate(words))
    anchors = [ScaleAnchor(0, t_("absent"))]
    anchors += [ScaleAnchor(score, "") for score in range(1, scale_max)]
    anchors.append(ScaleAnchor(scale_max, t_("exceeds")))
    return tuple(anchors)


def _method(context: _Context) -> MethodSection:
    selection = context.selection
    balance = selection.group_balance or {"business": 0.5, "it": 0.5}
    b, i = float(balance.get("business", 0.0)), float(balance.get("it", 0.0))
    share_b, share_i = (b / (b + i), i / (b + i)) if b + i > 0 else (0.5, 0.5)
    paragraphs = [
        t_("Every requirement is either a knock-out or a wish. A knock-out is an absolute "
           "condition: it is checked pass or fail for each vendor, carries no weight, and "
           "needs a written rationale. A wish is scored and weighted. Only accepted "
           "requirements with priority must, should or could take part; proposed, rejected "
           "and deferred requirements, and those marked won't, do not count."),
        t_("Within its category a wish weighs by its priority – must 5, should 3, could 1 – "
           "unless the committee gave it an explicit weight."),
        t_("Every business and IT member divided points over all categories, business and IT "
           "alike: the business also weighed the IT categories and IT the business ones. The "
           "average of each group then counts for a fixed share – business {business}, IT "
           "{it} – however many members the group has, so IT management is a full partner "
           "with fewer seats.").format(business=percent(share_b, 0), it=percent(share_i, 0)),
    ]
    if selection.final_weights:
        paragraphs.append(
            t_("After the weighting discussion the facilitator set final category weights; "
               "they replace the joint weights in the ranking. The joint weights are shown "
               "beside them.")
        )
    paragraphs += [
        t_("Members scored every vendor on every wish in their categories on a scale from 0 "
           "to {max}. Where the committee agreed a consensus score, that score counts; "
           "otherwise the average of the members' scores.").format(max=selection.scale_max),
        t_("A vendor's category score is the weighted average of its wish scores, out of "
           "100. Its total is the sum of its category scores times the category weights, "
           "also out of 100. Unscored wishes count as 0, and the report says so."),
    ]
    if selection.price_weight > 0:
        paragraphs.append(
            t_("Price counts for {price}: the lowest total cost of ownership (TCO) among the "
               "vendors that are not excluded gets 100 points, a vendor twice as expensive "
               "50. Quality counts for the remaining {quality}.").format(
                price=percent(selection.price_weight, 0),
                quality=percent(1 - selection.price_weight, 0),
            )
        )
    paragraphs += [
        t_("A vendor that fails a knock-out is excluded, whatever its score. A knock-out "
           "that has not been verified yet does not exclude, but the report lists it as an "
           "open point."),
        t_("To test how robust the outcome is, the category weights were varied at random "
           "10,000 times around the agreed weights; the share of variations in which a vendor "
           "comes first is its chance of ranking first. A flip point is the weight one "
           "category would need before another vendor comes first."),
        t_("Every number in this report can be recomputed by hand from what the committee "
           "entered."),
    ]
    return MethodSection(paragraphs=tuple(paragraphs), scale=scale_anchors(selection.scale_max))


# --------------------------------------------------------------------------- requirements


def _requirement_line(context: _Context, requirement: Any) -> RequirementLine:
    text = context.requirement_text.get(requirement.code, {})
    if requirement.status != "accepted":
        label = status_label(requirement.status)
    else:
        label = priority_label(requirement.priority)
    return RequirementLine(
        code=requirement.code,
        title=clean(requirement.title),
        category=requirement.category,
        category_name=context.category_name.get(requirement.category, requirement.category),
        priority=requirement.priority,
        priority_label=label,
        knockout=bool(requirement.knockout),
        active=requirement.active,
        weight=context.requirement_weights.get(requirement.code),
        description=clean(text.get("description") or ""),
        rationale=clean(text.get("rationale") or ""),
        knockout_rationale=clean(requirement.knockout_rationale),
        verification_criterion=clean(text.get("verification_criterion") or ""),
    )


def _requirements_in_category_order(context: _Context) -> list[Any]:
    position = {c.key: j for j, c in enumerate(context.selection.categories)}
    indexed = list(enumerate(context.selection.requirements))
    indexed.sort(key=lambda item: (position.get(item[1].category, len(position)), item[0]))
    return [r for _, r in indexed]


def _requirements(context: _Context) -> RequirementsSection:
    counts = []
    totals = Counter()
    for category in context.selection.categories:
        mine = [r for r in context.selection.requirements if r.category == category.key]
        row = Counter()
        for r in mine:
            if r.is_knockout:
                row["knockouts"] += 1
            elif r.is_wish:
                row[r.priority] += 1
            else:
                row["not_counted"] += 1
        totals.update(row)
        counts.append(
            CategoryCount(
                key=category.key,
                name=clean(category.name),
                domain_label=domain_label(category.domain),
                must=row["must"],
                should=row["should"],
                could=row["could"],
                knockouts=row["knockouts"],
                not_counted=row["not_counted"],
            )
        )
    total_row = CategoryCount(
        key="",
        name=t_("Total"),
        domain_label="",
        must=totals["must"],
        should=totals["should"],
        could=totals["could"],
        knockouts=totals["knockouts"],
        not_counted=totals["not_counted"],
    )
    ordered = _requirements_in_category_order(context)
    knockouts = tuple(_requirement_line(context, r) for r in ordered if r.is_knockout)
    it_tables = []
    for category in context.selection.categories:
        if category.domain != "it":
            continue
        rows = tuple(
            _requirement_line(context, r) for r in ordered if r.category == category.key
        )
        if rows:
            it_tables.append(RequirementTable(category.key, clean(category.name), rows))
    wishes = sum(1 for r in context.selection.requirements if r.is_wish)
    intro = t_("The committee drew up {requirements} requirements in {categories} categories: "
               "{wishes} wishes and {knockouts} knock-outs count in this selection.").format(
        requirements=len(context.selection.requirements),
        categories=len(context.selection.categories),
        wishes=wishes,
        knockouts=len(context.knockouts),
    )
    return RequirementsSection(
        intro=intro,
        counts=tuple(counts),
        totals=total_row,
        knockouts=knockouts,
        it_tables=tuple(it_tables),
    )


# --------------------------------------------------------------------------- weights


def _weights(context: _Context) -> WeightsSection:
    selection = context.selection
    means = method.group_means(selection)
    joint = method.combined_weights(dataclasses.replace(selection, final_weights=None))
    divergence = {d.category: d for d in method.divergence(selection)}
    rows = []
    for key, weight in context.weights.items():
        d = divergence.get(key)
        rows.append(
            WeightLine(
                key=key,
                name=context.category_name.get(key, key),
                domain_label=domain_label(context.category_domain.get(key, "business")),
                business=None if means["business"] is None else means["business"].get(key),
                it=None if means["it"] is None else means["it"].get(key),
                joint=joint.get(key, 0.0),
                final=float(weight),
                difference=d.difference if d else None,
                discussion_point=bool(d and d.discussion_point),
            )
        )
    allocated = {"business": set(), "it": set()}
    for allocation in selection.allocations:
        role = context.member_role.get(allocation.member)
        if role in allocated and allocation.points > 0:
            allocated[role].add(allocation.member)
    intro = [
        t_("{business} business members and {it} IT members allocated points.").format(
            business=len(allocated["business"]), it=len(allocated["it"])
        )
    ]
    uses_final = bool(selection.final_weights)
    if uses_final:
        intro.append(
            t_("The ranking uses the final weights that the facilitator set after the "
               "weighting discussion; the joint weights of the groups are shown beside them.")
        )
    elif means["business"] is None and means["it"] is None:
        intro.append(t_("Nobody allocated points, so every category weighs the same."))
    else:
        intro.append(t_("The ranking uses the joint weights of business and IT."))
    divergence_sentences = [
        t_("{category}: business {business}, IT {it} – {points} percentage points apart.").format(
            category=row.name,
            business=percent(row.business or 0.0, 1),
            it=percent(row.it or 0.0, 1),
            points=number(abs(row.difference or 0.0) * 100, 1),
        )
        for row in rows
        if row.discussion_point
    ]
    inactive = tuple(
        clean(c.name) for c in selection.categories if c.key not in context.weights
    )
    rationale = clean(context.process.final_weights_rationale) if context.process else ""
    return WeightsSection(
        intro=tuple(intro),
        rows=tuple(rows),
        uses_final=uses_final,
        final_rationale=rationale,
        divergence=tuple(divergence_sentences),
        inactive=inactive,
    )


# --------------------------------------------------------------------------- results


def _knockout_matrix(context: _Context) -> KnockoutMatrix:
    cells = {}
    for vendor in context.vendors:
        for requirement in context.knockouts:
            verdict = context.verdicts.get((vendor.key, requirement.code))
            if verdict is None:
                state, evidence = "unverified", ""
            else:
                state = "passed" if verdict.passed else "failed"
                evidence = clean(verdict.evidence)
            cells[(vendor.key, requirement.code)] = KnockoutCell(
                state, knockout_state_label(state), evidence
            )
    return KnockoutMatrix(
        knockouts=tuple((r.code, clean(r.title)) for r in context.knockouts),
        vendors=tuple((v.key, v.name) for v in context.vendors),
        cells=cells,
    )


def _optional_number(value: Any) -> float | None:
    return None if value is None else float(value)


def _price(context: _Context) -> PriceSection | None:
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


def _results(context: _Context) -> ResultsSection:
    categories = tuple((key, context.category_name.get(key, key)) for key in context.weights)
    intro = [
        t_("Vendors that are not excluded are ranked by their total score; excluded vendors "
           "follow, with the score they would have had.")
    ]
    notes = _coverage_sentences(context)
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


# --------------------------------------------------------------------------- vendor profiles


def _requirement_contributions(
    context: _Context, vendor_key: str
) -> list[RequirementContribution]:
    scale = context.selection.scale_max
    quality_share = 1.0 - context.selection.price_weight
    result = []
    for code, weight in context.requirement_weights.items():
        requirement = context.requirement.get(code)
        score = context.aggregated.get((vendor_key, code))
        achieved = (score or 0.0) / scale
        result.append(
            RequirementContribution(
                code=code,
                title=context.title(code),
                category_name=context.category_name.get(
                    requirement.category if requirement else "", ""
                ),
                weight=weight,
                score=score,
                points=quality_share * weight * achieved * 100.0,
                missed=quality_share * weight * (1.0 - achieved) * 100.0,
            )
        )
    return result


def _quotes(
    context: _Context, vendor_key: str, first: Sequence[str]
) -> tuple[list[Quote], int]:
    """The committee's own words on this vendor, attributed by role."""
    texts: dict[tuple[str, str], list[str]] = {}  # (code, text) -> roles
    for score in context.selection.scores:
        if score.vendor != vendor_key or score.requirement not in context.requirement_weights:
            continue
        text = " ".join(clean(score.comment).split())
        if not text:
            continue
        roles = texts.setdefault((score.requirement, text), [])
        roles.append(context.member_role.get(score.member, ""))
    for consensus in context.selection.consensus:
        if consensus.vendor != vendor_key or consensus.requirement not in context.requirement:
            continue
        text = " ".join(clean(consensus.rationale).split())
        if text:
            texts.setdefault((consensus.requirement, text), []).append("consensus")
    priority = {code: j for j, code in enumerate(first)}

    def order(item: tuple[tuple[str, str], list[str]]) -> tuple:
        (code, text), roles = item
        is_consensus = "consensus" in roles
        return (
            0 if is_consensus else 1,
            priority.get(code, len(priority)),
            -context.requirement_weights.get(code, 0.0),
            code,
            text,
        )

    ordered = sorted(texts.items(), key=order)
    quotes = []
    for (code, text), roles in ordered[:QUOTES_PER_VENDOR]:
        if "consensus" in roles:
            who = t_("the consensus meeting")
        else:
            counts = Counter(roles)
            parts = []
            for role in ("business", "it", "facilitator", ""):
                n = counts.get(role, 0)
                if n == 1:
                    parts.append(attribution(role))
                elif n > 1:
                    parts.append(
                        {
                            "business": t_("{n} business members"),
                            "it": t_("{n} IT members"),
                            "facilitator": t_("{n} facilitators"),
                            "": t_("{n} committee members"),
                        }[role].format(n=n)
                    )
            who = join_names(parts)
        quotes.append(
            Quote(
                code=code,
                title=context.title(code),
                score=context.aggregated.get((vendor_key, code)),
                text=shorten(text, QUOTE_LIMIT),
                attribution=who,
            )
        )
    return quotes, max(0, len(ordered) - QUOTES_PER_VENDOR)


def _profile(context: _Context, vendor: VendorLine) -> VendorProfile:
    winner = context.recommended
    if vendor.excluded:
        standing, label = "excluded", t_("Excluded")
    elif winner is not None and vendor.key == winner.key:
        standing, label = "recommended", t_("Recommended")
    elif context.runner_up is not None and vendor.key == context.runner_up.key:
        standing, label = "runner_up", t_("Runner-up")
    else:
        standing, label = "other", t_("Rank {rank}").format(rank=vendor.rank)

    if standing == "excluded":
        headline = t_("Failed knock-out {codes}; on its scores alone it would reach "
                      "{total} out of 100.").format(
            codes=", ".join(vendor.knockouts_failed), total=number(vendor.total, 1)
        )
    elif standing == "recommended":
        headline = t_("First with {total} out of 100; chance of ranking first "
                      "{p_first}.").format(
            total=number(vendor.total, 1), p_first=percent(vendor.p_first, 1)
        )
    else:
        headline = t_("Rank {rank} with {total} out of 100, {gap} points behind {winner}; "
                      "chance of ranking first {p_first}.").format(
            rank=vendor.rank,
            total=number(vendor.total, 1),
            gap=points((winner.total if winner else vendor.total) - vendor.total),
            winner=winner.name if winner else "–",
            p_first=percent(vendor.p_first, 1),
        )

    category_scores = next(
        (
            v["category_scores"]
            for v in context.ranking.get("vendors", [])
            if v["key"] == vendor.key
        ),
        {},
    )
    parts = context.contributions.get(vendor.key, {})
    categories = tuple(
        CategoryResult(
            key=key,
            name=context.category_name.get(key, key),
            weight=weight,
            score=float(category_scores.get(key, 0.0)),
            points=float(parts.get(key, 0.0)),
        )
        for key, weight in context.weights.items()
    )
    weighted = [c for c in categories if c.weight > 0]
    profile = ""
    if len(weighted) >= 2:
        by_score = sorted(weighted, key=lambda c: (-c.score, c.name))
        best = by_score[:2]
        worst = [c for c in reversed(by_score[-2:]) if c not in best]
        profile = t_("Strongest in {best}; weakest in {worst}.").format(
            best=join_names([f"{c.name} ({number(c.score, 0)})" for c in best]),
            worst=join_names([f"{c.name} ({number(c.score, 0)})" for c in worst]) or "–",
        )

    contributions = _requirement_contributions(context, vendor.key)
    strongest = sorted(
        (c for c in contributions if c.points > 0), key=lambda c: (-c.points, c.code)
    )[:TOP_REQUIREMENTS]
    shown = {c.code for c in strongest}
    weakest = sorted(
        (c for c in contributions if c.missed > 0 and c.code not in shown),
        key=lambda c: (-c.missed, c.code),
    )[:TOP_REQUIREMENTS]
    quotes, more = _quotes(
        context, vendor.key, [c.code for c in strongest] + [c.code for c in weakest]
    )

    knockouts = []
    for requirement in context.knockouts:
        verdict = context.verdicts.get((vendor.key, requirement.code))
        state = "unverified" if verdict is None else "passed" if verdict.passed else "failed"
        knockouts.append(
            KnockoutResult(
                code=requirement.code,
                title=clean(requirement.title),
                state=state,
                label=knockout_state_label(state),
                evidence=clean(verdict.evidence) if verdict else "",
            )
        )

    risks = []
    for code in vendor.knockouts_failed:
        risks.append(t_("Failed knock-out {code} ({title}).").format(
            code=code, title=context.title(code)))
    for code in vendor.knockouts_unverified:
        risks.append(
            t_("Knock-out {code} ({title}) has not been verified yet; it could still exclude "
               "this vendor.").format(code=code, title=context.title(code))
        )
    if vendor.coverage < COVERAGE_COMPLETE:
        risks.append(
            t_("Only {share} of the weight has been scored; unscored wishes count as 0.")
            .format(share=percent(vendor.coverage, 1))
        )
    wide = [s for s in context.spreads if s.vendor == vendor.key and s.discussion_point]
    if wide:
        codes = ", ".join(s.requirement for s in wide[:6]) + (" …" if len(wide) > 6 else "")
        risks.append(
            tn_("The committee's scores differ by 3 points or more on {n} wish: {codes}.",
                "The committee's scores differ by 3 points or more on {n} wishes: {codes}.",
                len(wide)).format(n=len(wide), codes=codes)
        )
    if context.selection.price_weight > 0 and not vendor.tco:
        risks.append(t_("No TCO is known; its price score is 0."))
    if not risks:
        risks.append(t_("The data show no particular risks."))

    return VendorProfile(
        key=vendor.key,
        name=vendor.name,
        rank=vendor.rank,
        standing=standing,
        standing_label=label,
        total=vendor.total,
        quality=vendor.quality,
        coverage=vendor.coverage,
        p_first=vendor.p_first,
        tco=vendor.tco,
        headline=headline,
        profile=profile,
        categories=categories,
        strongest=tuple(strongest),
        weakest=tuple(weakest),
        quotes=tuple(quotes),
        more_quotes=more,
        knockouts=tuple(knockouts),
        risks=tuple(risks),
    )


# --------------------------------------------------------------------------- robustness


def _robustness(context: _Context) -> RobustnessSection:
    draws = int(context.ranking.get("sensitivity", {}).get("draws", method.DRAWS))
    winner = context.recommended
    sentences = []
    if winner is not None and context.runner_up is not None:
        sentences.append(
            t_("In {share} of {draws} random variations of the weights, {winner} stays "
               "first.").format(share=percent(winner.p_first, 1), draws=number(draws, 0),
                                winner=winner.name)
        )
        others = [v for v in context.vendors if not v.excluded and v.key != winner.key]
        challengers = [v for v in others if v.p_first > 0]
        if challengers:
            sentences.append(
                t_("In the other variations: {vendors}.").format(
                    vendors=join_names(
                        [f"{v.name} {percent(v.p_first, 1)}" for v in challengers]
                    )
                )
            )
    elif winner is not None:
        sentences.append(
            t_("{winner} is the only vendor that is not excluded; no weighting changes that.")
            .format(winner=winner.name)
        )
    flips = _flips(context)
    flipped = {f.category for f in flips}
    stable_names = [
        context.category_name.get(key, key)
        for key in context.weights
        if key not in flipped
    ]
    stable = ""
    if winner is not None and context.runner_up is not None and stable_names:
        if flips:
            stable = t_("For the other categories ({categories}) no change of weight alone "
                        "makes another vendor win.").format(categories=join_names(stable_names))
        else:
            stable = t_("No change in the weight of a single category makes another vendor win.")
    orders = context.ranking.get("perspectives", {})
    business = orders.get("business")
    it = orders.get("it")
    rows = []
    for position, vendor in enumerate(context.vendors, start=1):
        rows.append(
            PerspectiveRow(
                position=position,
                joint=vendor.name,
                business=context.name_of(business[position - 1])
                if business and position <= len(business)
                else None,
                it=context.name_of(it[position - 1]) if it and position <= len(it) else None,
            )
        )
    sentence, _ = _perspective_sentence(context)
    return RobustnessSection(
        draws=draws,
        p_first=tuple((v.key, v.name, v.p_first) for v in context.vendors),
        sentences=tuple(sentences),
        flips=tuple(flips),
        stable=stable,
        perspectives=tuple(rows),
        perspective_sentence=sentence if context.vendors else "",
    )


# --------------------------------------------------------------------------- open points


def _json_text(value: str | None) -> str:
    if value is None:
        return "–"
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return shorten(value, 80)
    if isinstance(parsed, dict):
        text = ", ".join(f"{k}: {v}" for k, v in parsed.items())
    else:
        text = str(parsed)
    return shorten(text, 80) or "–"


def late_changes(process: ProcessInfo) -> list[AuditChange]:
    """Audit entries that changed frozen content after its freeze, or moved a phase back."""
    changes = []
    previous_phase = None
    for change in sorted(process.changes, key=lambda c: c.at):
        frozen_at = None
        if change.entity in FROZEN_WITH_REQUIREMENTS:
            frozen_at = process.requirements_frozen_at
            # Priorities and explicit weights freeze with the weights (decisions.md).
            if process.weights_frozen_at and (
                frozen_at is None or process.weights_frozen_at < frozen_at
            ):
                frozen_at = process.weights_frozen_at
        elif change.entity in FROZEN_WITH_WEIGHTS:
            frozen_at = process.weights_frozen_at
        elif change.entity == "selection" and change.action == "phase":
            freeze = min(
                (t for t in (process.requirements_frozen_at, process.weights_frozen_at) if t),
                default=None,
            )
            new = phase_from_audit(change.new)
            old = phase_from_audit(change.old) or previous_phase
            previous_phase = new or previous_phase
            back = (
                old in PHASE_ORDER
                and new in PHASE_ORDER
                and PHASE_ORDER.index(new) < PHASE_ORDER.index(old)
            )
            if freeze is not None and change.at > freeze and back:
                changes.append(change)
            continue
        if frozen_at is not None and change.at > frozen_at:
            changes.append(change)
    return changes


def phase_from_audit(value: str | None) -> str | None:
    """The phase named by an audit value: a JSON string or an object with "phase"."""
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return value
    if isinstance(parsed, dict):
        phase = parsed.get("phase")
        return phase if isinstance(phase, str) else None
    return parsed if isinstance(parsed, str) else None


def _open_points(context: _Context) -> OpenPoints:
    unverified = _unverified_sentences(context, context.vendors)
    coverage = _coverage_sentences(context)
    wide = [s for s in context.spreads if s.discussion_point]
    disagreements = []
    for spread in wide[:DISAGREEMENTS_SHOWN]:
        by_role: dict[str, list[int]] = {}
        for member, score in spread.scores.items():
            by_role.setdefault(context.member_role.get(member, ""), []).append(score)
        roles = sorted(by_role, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 9)
        disagreements.append(
            DisagreementLine(
                vendor=context.name_of(spread.vendor),
                code=spread.requirement,
                title=context.title(spread.requirement),
                scores=" · ".join(
                    f"{role_label(role) if role else '–'} "
                    + ", ".join(str(x) for x in sorted(by_role[role]))
                    for role in roles
                ),
                range=spread.range,
            )
        )
    process = context.process
    changes = []
    if process is not None:
        for change in late_changes(process):
            what = entity_label(change.entity)
            if change.entity_key:
                what = f"{what} {clean(change.entity_key)}"
            changes.append(
                ChangeLine(
                    date=short_date(change.at),
                    what=what,
                    change=f"{action_label(change.action)}: {_json_text(change.old)} → "
                    f"{_json_text(change.new)}",
                    by=role_label(change.actor_role) if change.actor_role else t_("system"),
                    reason=clean(change.reason),
                )
            )
    dissent = []
    sentence, agree = _perspective_sentence(context)
    if agree is False:
        dissent.append(sentence)
    weights = _weights(context)
    if weights.divergence:
        dissent.append(
            t_("Business and IT weighed these categories 10 percentage points or more apart:")
        )
        dissent.extend(weights.divergence)
    nothing = not (unverified or coverage or wide or changes or dissent)
    return OpenPoints(
        unverified=tuple(unverified),
        coverage=tuple(coverage),
        disagreements=tuple(disagreements),
        disagreements_total=len(wide),
        changes=tuple(changes),
        changes_known=process is not None,
        dissent=tuple(dissent),
        nothing_open=nothing,
    )


# --------------------------------------------------------------------------- appendix, sign-off


def _appendix(context: _Context) -> Appendix:
    vendors = tuple((v.key, v.name) for v in context.vendors)
    rows = []
    for requirement in _requirements_in_category_order(context):
        if requirement.is_knockout:
            kind = t_("knock-out")
        elif requirement.is_wish:
            kind = priority_label(requirement.priority)
        elif requirement.status != "accepted":
            kind = status_label(requirement.status)
        else:
            kind = priority_label(requirement.priority)
        scores = tuple(
            context.aggregated.get((key, requirement.code)) if requirement.is_wish else None
            for key, _ in vendors
        )
        rows.append(
            AppendixRow(
                code=requirement.code,
                title=clean(requirement.title),
                category_name=context.category_name.get(requirement.category, ""),
                kind=kind,
                weight=context.requirement_weights.get(requirement.code),
                scores=scores,
            )
        )
    process = context.process
    audit = ()
    if process is not None:
        audit = tuple(
            AuditLine(entity_label(c.entity), action_label(c.action), c.count)
            for c in sorted(process.audit_counts, key=lambda c: (c.entity, c.action))
        )
    return Appendix(
        vendors=vendors,
        requirements=tuple(rows),
        audit=audit,
        audit_known=process is not None,
        seen_changes=_seen_changes(context),
    )


def _seen_changes(context: _Context) -> tuple[SeenChangeLine, ...]:
    """The counted scores given or changed after their member saw the others' scores."""
    process = context.process
    if process is None or not process.seen_changes:
        return ()
    vendors = {v.key for v in context.vendors}
    counted = {(s.member, s.vendor, s.requirement) for s in context.selection.scores
               if s.vendor in vendors}
    lines = []
    for change in process.seen_changes:
        if (change.member, change.vendor, change.requirement) not in counted:
            continue
        requirement = context.requirement.get(change.requirement)
        if requirement is None or not requirement.is_wish:
            continue
        lines.append(SeenChangeLine(
            code=change.requirement,
            title=context.title(change.requirement),
            vendor=context.name_of(change.vendor),
            role=role_label(context.member_role.get(change.member, "")),
            seen=short_date(change.seen_at),
            changed=short_date(change.changed_at),
        ))
    lines.sort(key=lambda line: (line.vendor, line.code, line.role, line.changed))
    return tuple(lines)


def _sign_off(context: _Context) -> SignOff:
    sponsors = tuple(
        clean(m.name) or m.email for m in context.selection.members if m.role == "sponsor"
    )
    winner = context.recommended
    if winner is not None:
        statement = t_("The selection committee recommends {vendor}. As sponsor I have read "
                       "this report and decide as follows:").format(vendor=winner.name)
        options = (
            t_("I accept the recommendation and choose {vendor}.").format(vendor=winner.name),
            t_("I do not accept the recommendation, for the reasons below."),
        )
    else:
        statement = t_("The selection committee cannot recommend a vendor. As sponsor I have "
                       "read this report and decide as follows:")
        options = (t_("I ask the committee to continue, as described below."),)
    return SignOff(sponsors=sponsors, statement=statement, options=options)


def money_text(amount: float | None) -> str:
    """A euro amount, or a dash when unknown."""
    return "–" if amount is None or not math.isfinite(amount) else money(amount)
