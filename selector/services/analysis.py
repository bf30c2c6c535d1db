"""What the analysis pages show for one selection, from one load and one rank.

Every number here comes from the engine (`selector.domain.method`) on the selection as
`selector.services.ranking` loads and ranks it: the ranking document and its facts
(`selector.domain.ranked`: rows, flip points, perspectives, knock-out matrix, the same
the report and `selector rank` state), aggregated scores, disagreement, panel health and
what-if totals. Nothing computes a score a second way.

`analyse()` does the one load and the one `rank()` call a request needs; the page
builders below take its `Analysis` and only reshape. Nothing is cached between requests
(several gunicorn workers serve the same database); a view keeps its `Analysis` for the
rest of its request.

Blind scoring (decisions.md): before scoring closes (phase `decision`), nobody but a
facilitator with "see everything" on may see a number derived from scores or a cost.
`selector.domain.visibility` says who may; the views ask before they show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import text

from selector.charts import models as charts
from selector.domain import method
from selector.domain import price as pricing
from selector.domain import selection as domain
from selector.domain.ranked import FlipPoint
from selector.domain.ranked import Perspectives
from selector.domain.ranked import RankedSelection
from selector.domain.ranked import VendorRow
from selector.i18n import _l
from selector.services import scoring
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.ranking import RankingUnavailable
from selector.services.ranking import ranked_selection

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from selector.models import Selection as SelectionRow

DISAGREEMENT_ITEMS = 10  # the widest spreads the panel-health page lists
PRICE_WEIGHT_REFUSED = _l(
    "The price weight must be a percentage from 0 up to, but not including, 100."
)


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class Analysis:
    """One selection as the method sees it: its ranked selection, with the facts."""

    selection_id: int
    language: str  # the selection's language: charts and generated text
    ranked: RankedSelection

    @property
    def model(self) -> domain.Selection:
        return self.ranked.selection

    @property
    def ranking(self) -> dict[str, Any]:
        return self.ranked.ranking

    @property
    def category_names(self) -> dict[str, str]:
        return self.ranked.category_names

    @cached_property
    def requirements(self) -> dict[str, domain.Requirement]:
        return {r.code: r for r in self.model.requirements}

    @cached_property
    def member_names(self) -> dict[str, str]:
        return {m.email: m.name for m in self.model.members}

    @property
    def vendor_names(self) -> dict[str, str]:
        return self.ranked.vendor_names

    @property
    def weights(self) -> dict[str, float]:
        """W(c) per active category, in the selection's order."""
        return self.ranked.weights

    @property
    def vendors(self) -> list[dict[str, Any]]:
        """The ranking document's vendors, in rank order."""
        return self.ranking["vendors"]

    @property
    def price_weight(self) -> float:
        return self.model.price_weight

    @property
    def final_weights(self) -> bool:
        return bool(self.model.final_weights)

    @property
    def contenders(self) -> tuple[VendorRow, ...]:
        """Vendors not excluded, in rank order."""
        return self.ranked.contenders

    @property
    def winner(self) -> VendorRow | None:
        return self.ranked.winner

    @cached_property
    def best_category_scores(self) -> dict[str, float | None]:
        """The highest score per active category among the vendors not excluded (None
        without any). Worked out here, not in the template: Jinja's `map(attribute=key)`
        reads a key such as "2026" as a list index and "a.b" as a path (a 500)."""
        return {
            key: max((v.category_scores[key] for v in self.contenders), default=None)
            for key in self.weights
        }


def analyse(session: Session | Connection, selection: SelectionRow) -> Analysis:
    """Load the selection once and rank it once.

    Raises RankingUnavailable (a ServiceError) when the method refuses the selection,
    for example final weights that give the active categories no points.
    """
    return Analysis(
        selection_id=selection.id,
        language=selection.language,
        ranked=ranked_selection(session, selection.id),
    )


# --------------------------------------------------------------------------- ranking


def ranking_rows(analysis: Analysis) -> tuple[VendorRow, ...]:
    """The ranking table, in rank order, with each vendor's contributions per category."""
    return analysis.ranked.rows


def standings(
    session: Session | Connection, selection: SelectionRow
) -> RankedSelection | None:
    """The ranking in brief for the overview (its rows and rank reversals), without the
    Monte Carlo draws (the order does not depend on them); None when the method cannot
    rank the selection yet."""
    try:
        return ranked_selection(session, selection.id, comments=False, draws=1)
    except RankingUnavailable:
        return None


def contribution_chart(analysis: Analysis) -> charts.StackedBarChart:
    return charts.contribution_chart(
        [(r.name, r.contributions, r.total, r.excluded) for r in analysis.ranked.rows],
        [(key, analysis.category_names[key]) for key in analysis.weights],
        language=analysis.language,
    )


# --------------------------------------------------------------------------- heat map


def heat_map_chart(analysis: Analysis) -> charts.HeatMapChart:
    return charts.heat_map(
        [(key, analysis.category_names[key], w) for key, w in analysis.weights.items()],
        [(v["key"], v["name"], v["excluded"]) for v in analysis.vendors],
        {v["key"]: v["category_scores"] for v in analysis.vendors},
        language=analysis.language,
    )


@dataclass(frozen=True)
class MemberScore:
    email: str
    name: str
    score: int
    comment: str


@dataclass(frozen=True)
class RequirementCell:
    """One vendor on one wish: what counts, and what it is made of."""

    vendor: str
    aggregated: float | None  # s(v, r); None: nobody scored it (counts as 0)
    consensus: domain.Consensus | None
    members: tuple[MemberScore, ...]
    spread: int | None  # max - min of the members' scores
    discussion_point: bool  # spread of 3 or more


@dataclass(frozen=True)
class RequirementDetail:
    code: str
    title: str
    priority: str
    within: float  # w(r|c)
    weight: float  # W(c) * w(r|c): its share of the whole ranking
    cells: tuple[RequirementCell, ...]  # per vendor, in rank order


@dataclass(frozen=True)
class CategoryDetail:
    key: str
    name: str
    weight: float
    scores: dict[str, float]  # vendor key -> S(v, c)
    requirements: tuple[RequirementDetail, ...]
    vendor_ids: dict[str, int]  # for links to the scoring and consensus pages
    requirement_ids: dict[str, int]


_IDS = text(
    """
    SELECT 'v', key, id FROM vendors WHERE selection_id = :sid
    UNION ALL
    SELECT 'r', code, id FROM requirements WHERE selection_id = :sid
    """
)


def category_detail(
    session: Session | Connection, analysis: Analysis, category: str
) -> CategoryDetail:
    """The drill-down of one active category to its wishes. NotFound for any other key."""
    if category not in analysis.weights:
        raise NotFound(_l("There is no such category in the ranking."))
    within = method.requirement_weights_in_category(analysis.model)
    aggregated = method.aggregated_scores(analysis.model)
    spreads = {(s.vendor, s.requirement): s for s in method.disagreement(analysis.model)}
    consensus = {(c.vendor, c.requirement): c for c in analysis.model.consensus}
    comments: dict[tuple[str, str, str], str] = {
        (s.member, s.vendor, s.requirement): s.comment for s in analysis.model.scores
    }
    ids: dict[str, dict[str, int]] = {"v": {}, "r": {}}
    for kind, key, row_id in session.execute(_IDS, {"sid": analysis.selection_id}):
        ids[kind][key] = row_id

    details = []
    for requirement in analysis.model.requirements:
        if requirement.category != category or requirement.code not in within:
            continue
        code = requirement.code
        cells = []
        for vendor in analysis.vendors:
            key = vendor["key"]
            spread = spreads.get((key, code))
            members = ()
            if spread is not None:
                members = tuple(
                    MemberScore(
                        email=email,
                        name=analysis.member_names.get(email, email),
                        score=score,
                        comment=comments.get((email, key, code), ""),
                    )
                    for email, score in spread.scores.items()
                )
            cells.append(
                RequirementCell(
                    vendor=key,
                    aggregated=aggregated.get((key, code)),
                    consensus=consensus.get((key, code)),
                    members=members,
                    spread=None if spread is None else spread.range,
                    discussion_point=spread is not None and spread.discussion_point,
                )
            )
        details.append(
            RequirementDetail(
                code=code,
                title=requirement.title,
                priority=requirement.priority,
                within=within[code],
                weight=analysis.ranking["requirement_weights"][code],
                cells=tuple(cells),
            )
        )
    return CategoryDetail(
        key=category,
        name=analysis.category_names[category],
        weight=analysis.weights[category],
        scores={v["key"]: v["category_scores"][category] for v in analysis.vendors},
        requirements=tuple(details),
        vendor_ids=ids["v"],
        requirement_ids=ids["r"],
    )


# --------------------------------------------------------------------------- knock-outs

@dataclass(frozen=True)
class KnockoutCell:
    state: str  # passed / failed / unverified (selector.domain.ranked)
    evidence: str
    documents: tuple[tuple[int, str], ...] = ()  # attached evidence: (attachment id, name)


@dataclass(frozen=True)
class KnockoutMatrix:
    knockouts: tuple[domain.Requirement, ...]  # active knock-outs, in the selection's order
    vendors: tuple[dict[str, Any], ...]  # key, name, excluded
    cells: dict[tuple[str, str], KnockoutCell]  # (vendor key, code) -> cell
    ranked: bool  # vendors in rank order (else by name: the order must not leak)


_DOCUMENTS = text(
    """
    SELECT v.key, r.code, a.id, a.filename
    FROM attachments a
    JOIN verdicts x ON x.id = a.verdict_id
    JOIN vendors v ON v.id = x.vendor_id
    JOIN requirements r ON r.id = x.requirement_id
    WHERE a.selection_id = :sid
    ORDER BY a.id
    """
)


def verdict_documents(
    session: Session | Connection, analysis: Analysis
) -> dict[tuple[str, str], tuple[tuple[int, str], ...]]:
    """(vendor key, knock-out code) -> the documents attached to that verdict."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for vendor, code, attachment_id, filename in session.execute(
        _DOCUMENTS, {"sid": analysis.selection_id}
    ):
        found.setdefault((vendor, code), []).append((attachment_id, filename))
    return {key: tuple(items) for key, items in found.items()}


def knockout_matrix(
    analysis: Analysis,
    *,
    ranked: bool,
    documents: Mapping[tuple[str, str], tuple[tuple[int, str], ...]] | None = None,
) -> KnockoutMatrix:
    """Vendors x knock-outs: the ranked selection's matrix (state and evidence), with
    the documents attached to each verdict (see `verdict_documents`). With `ranked`
    False the vendors are listed by name, so the matrix can be shown while scoring is
    still blind."""
    matrix = analysis.ranked.knockout_matrix
    vendors = [{"key": v.key, "name": v.name, "excluded": v.excluded} for v in matrix.vendors]
    if not ranked:
        vendors.sort(key=lambda v: (v["name"], v["key"]))
    cells = {
        key: KnockoutCell(cell.state, cell.evidence, tuple((documents or {}).get(key, ())))
        for key, cell in matrix.cells.items()
    }
    return KnockoutMatrix(matrix.knockouts, tuple(vendors), cells, ranked)


# --------------------------------------------------------------------------- perspectives


def perspectives(analysis: Analysis) -> Perspectives:
    """The ranking under business weights, under IT weights and the joint one."""
    return analysis.ranked.perspectives


def weights_chart(analysis: Analysis) -> charts.BarGroupChart | None:
    """Each active category's weight: business's mean, IT's mean and the one that counts."""
    if not analysis.weights:
        return None
    means = analysis.ranked.group_means
    rows = [
        (
            analysis.category_names[key],
            None if means["business"] is None else means["business"][key],
            None if means["it"] is None else means["it"][key],
            w,
        )
        for key, w in analysis.weights.items()
    ]
    return charts.weights_chart(rows, language=analysis.language, final=analysis.final_weights)


# --------------------------------------------------------------------------- sensitivity


@dataclass(frozen=True)
class Sensitivity:
    draws: int
    p_first: tuple[tuple[str, str, float, bool], ...]  # (key, name, share, excluded), rank order
    winner: VendorRow | None
    flips: tuple[FlipPoint, ...]  # nearest flip first
    stable: tuple[str, ...]  # names of active categories without a flip point
    chart: charts.BarGroupChart


def sensitivity(analysis: Analysis) -> Sensitivity:
    ranked = analysis.ranked
    draws = analysis.ranking["sensitivity"]["draws"]
    rows = tuple((r.key, r.name, r.p_first, r.excluded) for r in ranked.rows)
    return Sensitivity(
        draws=draws,
        p_first=rows,
        winner=ranked.winner,
        flips=ranked.nearest_flips,
        stable=tuple(analysis.category_names[key] for key in ranked.stable_categories),
        chart=charts.p_first_chart(
            [(name, share) for _, name, share, _ in rows], language=analysis.language,
            draws=draws,
        ),
    )


# --------------------------------------------------------------------------- what-if


def what_if_model(analysis: Analysis, *, with_prices: bool) -> dict[str, Any]:
    """What the browser needs to recompute the ranking for other weights (decisions.md:
    totals are linear in the category weights, so this is exact). Prices only when the
    member may see costs; then the price weight can be varied too. With the price
    method `value` the total is V * Q / 100 - TCO (the price weight is not used), so
    the browser gets each vendor's TCO, read back from its fictitious price."""
    by_value = with_prices and analysis.model.price_method == pricing.VALUE
    prices = (method.price_scores(analysis.model, analysis.ranking)
              if with_prices and not by_value else None)
    value = analysis.model.quality_value or 0.0
    return {
        "categories": [
            {"key": key, "name": analysis.category_names[key], "weight": w}
            for key, w in analysis.weights.items()
        ],
        "vendors": [
            {
                "key": v["key"],
                "name": v["name"],
                "excluded": v["excluded"],
                "category_scores": v["category_scores"],
                "price_score": None if prices is None else prices[v["key"]],
                "tco": (v["fictitious_price"] + value * v["quality"] / 100.0
                        if by_value else None),
            }
            for v in analysis.vendors
        ],
        "price_weight": analysis.price_weight if with_prices and not by_value else 0.0,
        "prices": with_prices and not by_value,  # the price weight can be varied
        "quality_value": value if by_value else None,
    }


def what_if(
    analysis: Analysis, weights: Mapping[str, float], price_weight: float | None = None
) -> list[dict[str, Any]]:
    """The ranking for other weights (points per category; the price weight a share),
    never stored. Only for members who may see scores and costs.

    Raises ServiceError naming the field when the weights or price weight are refused.
    """
    if analysis.model.price_method == pricing.VALUE:  # total = V * Q / 100 - TCO
        p, prices, value = 0.0, None, analysis.model.quality_value
    else:
        p = analysis.price_weight if price_weight is None else price_weight
        prices = method.price_scores(analysis.model, analysis.ranking) if p > 0 else None
        value = None
    try:
        return method.what_if_totals(analysis.ranking, weights, p, prices,
                                     quality_value=value)
    except method.MethodError as error:
        if error.field == "price_weight":
            raise ServiceError(
                PRICE_WEIGHT_REFUSED, "price_weight"
            ) from error
        raise ServiceError(
            _l("Give the categories at least one point in total, and no negative points."),
            "weights",
        ) from error


# --------------------------------------------------------------------------- panel health

_ASSIGNMENTS = text(
    """
    SELECT a.email, c.key, x.assigned
    FROM assignments x
    JOIN memberships m ON m.id = x.membership_id
    JOIN accounts a ON a.id = m.account_id
    JOIN categories c ON c.id = x.category_id
    WHERE m.selection_id = :sid AND m.removed_at IS NULL
    """
)


def assignments(
    session: Session | Connection, analysis: Analysis
) -> dict[str, set[str]]:
    """Member e-mail -> assigned categories, for the members with overrides (issue 7):
    their role's default, plus the categories assigned, minus the ones unassigned."""
    rows = session.execute(_ASSIGNMENTS, {"sid": analysis.selection_id}).all()
    role = {m.email: m.role for m in analysis.model.members}
    result: dict[str, set[str]] = {}
    for email, key, assigned in rows:
        if email not in result:
            if role.get(email) == "facilitator":
                result[email] = {c.key for c in analysis.model.categories}
            else:
                result[email] = {
                    c.key for c in analysis.model.categories if c.domain == role.get(email)
                }
        if assigned:
            result[email].add(key)
        else:
            result[email].discard(key)
    return result


@dataclass(frozen=True)
class PanelHealth:
    members: tuple[method.MemberHealth, ...]
    disagreements: tuple[method.ScoreSpread, ...]  # the widest spreads first
    discussion_points: int  # (vendor, wish) pairs with a range of 3 or more
    extremes: tuple[int, ...]  # the scores that count as extreme: 0, 1 and scale_max
    # Counted scores given or changed after their member saw the others' (issue 17, 13).
    seen_changes: tuple[scoring.SeenChange, ...] = ()

    @property
    def after_seeing(self) -> dict[str, int]:
        """Member e-mail -> how many of their counted scores changed after seeing."""
        counts: dict[str, int] = {}
        for change in self.seen_changes:
            counts[change.member] = counts.get(change.member, 0) + 1
        return counts


def counted_changes_after_seeing(
    session: Session | Connection, model: domain.Selection, selection_id: int
) -> tuple[scoring.SeenChange, ...]:
    """The changes after seeing others' scores (`scoring`) of scores that count:
    submitted, not excluded, on an active wish of a vendor taking part."""
    wishes = {r.code for r in model.requirements if r.is_wish}
    vendor_keys = {v.key for v in model.vendors if not v.withdrawn}
    counted = {(s.member, s.vendor, s.requirement) for s in model.scores
               if s.vendor in vendor_keys and s.requirement in wishes}
    return tuple(c for c in scoring.changes_after_seeing(session, selection_id)
                 if (c.member, c.vendor, c.requirement) in counted)


def panel_health(session: Session | Connection, analysis: Analysis) -> PanelHealth:
    """Section 9: per member completion, identical scores and unargued extremes, and
    the items where the members' scores lie furthest apart; beside them, the scores
    changed after their member saw the others'."""
    spreads = [s for s in method.disagreement(analysis.model) if s.range > 0]
    scale = analysis.model.scale_max
    return PanelHealth(
        members=tuple(method.panel_health(analysis.model, assignments(session, analysis))),
        disagreements=tuple(spreads[:DISAGREEMENT_ITEMS]),
        discussion_points=sum(1 for s in spreads if s.discussion_point),
        extremes=tuple(sorted({0, 1, scale})),
        seen_changes=counted_changes_after_seeing(session, analysis.model,
                                                  analysis.selection_id),
    )
