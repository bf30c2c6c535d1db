"""What the report holds: frozen dataclasses, one per chapter, and `ReportData` over them.

Plain (unescaped) text and numbers, already in the report's language; built by
`selector.report.build.build_report_data`, drawn by `selector.report.pdf`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from selector.domain.price import VALUE
from selector.domain.ranked import VendorRow
from selector.report.process_record import AuditCount


@dataclass(frozen=True, kw_only=True)
class VendorLine(VendorRow):
    """One row of the ranking table: the ranking's own row, with the report's words."""

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
    # Who wrote the recommendation: "Fenna de Vries, 23 November 2026", or "the
    # facilitator" for a report made from a file.
    recommendation_by: str = ""
    recommended_vendor: str = ""  # the name of the vendor the facilitator recommends
    # The facilitator's reason for recommending another vendor than the first-ranked.
    recommendation_reason: str = ""
    # "Without X, Y would rank first." (method.md section 5), with why.
    rank_reversal: tuple[str, ...] = ()
    # The margin in words: "3.2 points", or euros with the price method value.
    margin_text: str = ""

    @property
    def other_than_first(self) -> bool:
        """The facilitator recommends another vendor than the first-ranked one."""
        first = self.recommended
        return bool(first and self.recommended_vendor
                    and self.recommended_vendor != first.name)

    @property
    def recommendation_paragraphs(self) -> tuple[str, ...]:
        """The recommendation's paragraphs (split at blank lines), each word for word."""
        text = self.recommendation.replace("\r\n", "\n").strip()
        return tuple(p.strip() for p in text.split("\n\n") if p.strip())


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
class ItAnswerLine:
    """One of IT management's structured answers, beside the requirement it generated."""

    question: str
    answer: str
    code: str


@dataclass(frozen=True)
class RequirementTable:
    key: str
    name: str
    rows: tuple[RequirementLine, ...]
    answers: tuple[ItAnswerLine, ...] = ()  # IT's answers behind these requirements


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
    # The sentence before the divergence list: "discussed before the weights were
    # frozen" only when the facilitator recorded that discussion (a written rationale).
    divergence_intro: str = ""


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
    """A vendor's costs: its cost lines (None when not entered), TCO and price score."""

    key: str
    name: str
    tco: float | None
    price_score: float | None
    licence_per_year: float | None
    implementation: float | None
    hosting_support_per_year: float | None
    contract_years: float | None
    excluded: bool = False
    difference: float | None = None  # TCO minus the cheapest vendor's TCO
    fictitious_price: float | None = None  # with the price method `value`


@dataclass(frozen=True)
class PriceSection:
    """The costs section: in every report, whether or not price counted."""

    price_weight: float
    tco_years: int
    intro: str  # whether and how price counted in the ranking
    rows: tuple[PriceLine, ...]
    method: str = ""  # selector.domain.price.PRICE_METHODS
    counts: bool = False  # price counted in the ranking (a price score or `value`)
    paragraphs: tuple[str, ...] = ()  # the TCO, the method in plain words, the cheapest
    notes: tuple[str, ...] = ()  # vendors without costs, excluded vendors

    @property
    def by_value(self) -> bool:
        """Ranked by the price method value: totals and margins are euros, not points."""
        return self.method == VALUE

    @property
    def scored(self) -> bool:
        """Some vendor has a price score (price counted with a weight)."""
        return any(p.price_score is not None for p in self.rows)

    @property
    def fictitious(self) -> bool:
        """Some vendor has a fictitious price (the price method value)."""
        return any(p.fictitious_price is not None for p in self.rows)


@dataclass(frozen=True)
class ResultsSection:
    intro: tuple[str, ...]
    ranking: tuple[VendorLine, ...]
    categories: tuple[tuple[str, str], ...]  # active (key, name), selection order
    weights: Mapping[str, float]  # W(c)
    category_scores: Mapping[str, Mapping[str, float]]  # vendor -> category -> S(v,c)
    contributions: Mapping[str, Mapping[str | None, float]]  # vendor -> category/None -> pts
    knockouts: KnockoutMatrix
    price: PriceSection  # the costs: every report has them
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
    score: int  # the score its authors gave (or the consensus score), not the average
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
class AnswerLine:
    """A vendor's own answer (formats.md `answers`) to a knock-out, or to a wish it does
    not simply answer "yes"."""

    code: str
    title: str
    knockout: bool
    compliance: str  # translated
    explanation: str


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
    answers: tuple[AnswerLine, ...] = ()  # the vendor's own answers worth reading


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
    rank_reversal: tuple[str, ...] = ()  # "Without X, Y would rank first.", with why


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
class SeenChangeLine:
    """A counted score changed after its member saw the others' (by role, never name)."""

    code: str
    title: str
    vendor: str  # name
    role: str  # translated
    seen: str  # date
    changed: str  # date


@dataclass(frozen=True)
class QuestionLine:
    """A published question and its answer (the *nota van inlichtingen*): never who
    asked."""

    question: str
    answer: str
    date: str


@dataclass(frozen=True)
class Appendix:
    vendors: tuple[tuple[str, str], ...]
    requirements: tuple[AppendixRow, ...]
    audit: tuple[AuditCount, ...]  # in words
    audit_known: bool
    seen_changes: tuple[SeenChangeLine, ...] = ()
    questions: tuple[QuestionLine, ...] = ()


@dataclass(frozen=True)
class SponsorDecisionLine:
    """The sponsor's recorded decision, as the report prints it."""

    verdict: str  # approved / rejected / more_information
    verdict_label: str
    vendor: str  # name, "" when none is named
    by: str
    date: str
    reason: str

    @property
    def heading(self) -> str:
        """The verdict as a heading: "Approved"."""
        return self.verdict_label[:1].upper() + self.verdict_label[1:]


@dataclass(frozen=True)
class SignOff:
    sponsors: tuple[str, ...]
    statement: str
    options: tuple[str, ...]
    decision: SponsorDecisionLine | None = None  # None: no decision recorded yet
    seal_reason: str = ""  # why sealed with unverified knock-outs of the recommended vendor


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
    profiles_intro: str = ""  # what a profile's points are points of
