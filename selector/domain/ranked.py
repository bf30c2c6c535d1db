"""A ranked selection: the ranking document with the facts every view of it states.

The analysis pages, the API, the report and `selector rank` read their facts here: the
vendors' rows (with p_first and the contributions per category), the flip points with
their direction, the perspectives, the knock-out matrix, and the losing bids that decide
the winner (rank reversal). Each is derived once, from
the ranking document and the selection it was ranked from (`method.rank`), so no two
views can tell a different story. Nothing here computes a score: the facts only reshape
the document and the method's building blocks.

Pure like the method, and its records are named tuples for the same reason (cheap to
define; `selector rank` imports this module on every start). The facts are worked out
when first asked for: `selector rank --json` asks for none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from typing import NamedTuple

from selector.domain import method
from selector.domain import price as pricing
from selector.domain.selection import GROUPS
from selector.domain.selection import Requirement
from selector.domain.selection import Selection
from selector.domain.vocabulary import FAILED  # a knock-out's state
from selector.domain.vocabulary import PASSED  # a knock-out's state
from selector.domain.vocabulary import UNVERIFIED  # a knock-out's state

ABOVE, BELOW = "above", "below"  # which way a flip point's category weight must move


@dataclass(frozen=True)
class VendorRow:
    """A vendor's line of the ranking, in rank order."""

    key: str
    name: str
    rank: int
    total: float
    quality: float
    price_score: float | None
    coverage: float
    excluded: bool
    knockouts_failed: tuple[str, ...]
    knockouts_unverified: tuple[str, ...]
    p_first: float
    category_scores: Mapping[str, float]  # S(v, c) per active category
    contributions: Mapping[str | None, float]  # category key (None: price) -> points
    below_threshold: bool = False  # excluded: quality below the threshold (section 5)
    fictitious_price: float | None = None  # F(v) with the price method `value`


class RankReversal(NamedTuple):
    """Section 5: without the losing bid of `without`, `new_winner` would rank first."""

    without: str  # vendor key
    without_name: str
    new_winner: str
    new_winner_name: str


class FlipPoint(NamedTuple):
    """Section 8: the winner changes when `category`'s weight passes `threshold`."""

    category: str
    name: str  # the category's name
    weight: float  # W(c) now
    threshold: float  # t*
    direction: str  # ABOVE: the winner changes when the weight rises above t*
    new_winner: str  # vendor key
    new_winner_name: str


class PerspectiveEntry(NamedTuple):
    key: str
    name: str
    rank: int
    total: float
    excluded: bool


class Perspectives(NamedTuple):
    """Section 7: the ranking by business weights, by IT weights and the joint one."""

    business: tuple[PerspectiveEntry, ...] | None  # None: business allocated nothing
    joint: tuple[PerspectiveEntry, ...]
    it: tuple[PerspectiveEntry, ...] | None
    winners: dict[str, str | None]  # business / joint / it -> first vendor not excluded
    agreement: str  # agree / disagree / business_only / it_only / none


class KnockoutCell(NamedTuple):
    state: str  # PASSED / FAILED / UNVERIFIED
    evidence: str  # the verdict's evidence ("" without a verdict)


class KnockoutMatrix(NamedTuple):
    """Vendors (rank order) x active knock-outs (the selection's order)."""

    knockouts: tuple[Requirement, ...]
    vendors: tuple[VendorRow, ...]
    cells: dict[tuple[str, str], KnockoutCell]  # (vendor key, code) -> cell


class RankedSelection:
    """A selection with its ranking document (`method.rank` of that selection)."""

    def __init__(self, selection: Selection, ranking: Mapping[str, Any]) -> None:
        self.selection = selection
        self.ranking = ranking

    @property
    def weights(self) -> Mapping[str, float]:
        """W(c) per active category, in the selection's order."""
        return self.ranking["category_weights"]

    @cached_property
    def category_names(self) -> dict[str, str]:
        return {c.key: c.name for c in self.selection.categories}

    @cached_property
    def vendor_names(self) -> dict[str, str]:
        return {v["key"]: v["name"] for v in self.ranking["vendors"]}

    # ------------------------------------------------------------------ the ranking

    @cached_property
    def rows(self) -> tuple[VendorRow, ...]:
        parts = method.contributions(self.selection, self.ranking)
        shares = self.ranking["sensitivity"]["p_first"]
        return tuple(
            VendorRow(
                key=v["key"],
                name=v["name"],
                rank=v["rank"],
                total=v["total"],
                quality=v["quality"],
                price_score=v["price_score"],
                coverage=v["coverage"],
                excluded=v["excluded"],
                knockouts_failed=tuple(v["knockouts_failed"]),
                knockouts_unverified=tuple(v["knockouts_unverified"]),
                p_first=shares.get(v["key"], 0.0),
                category_scores=v["category_scores"],
                contributions=parts[v["key"]],
                below_threshold=bool(v.get("below_threshold", False)),
                fictitious_price=v.get("fictitious_price"),
            )
            for v in self.ranking["vendors"]
        )

    @cached_property
    def contenders(self) -> tuple[VendorRow, ...]:
        """The vendors not excluded, in rank order."""
        return tuple(row for row in self.rows if not row.excluded)

    @property
    def winner(self) -> VendorRow | None:
        return self.contenders[0] if self.contenders else None

    @property
    def runner_up(self) -> VendorRow | None:
        return self.contenders[1] if len(self.contenders) > 1 else None

    # ------------------------------------------------------------------ price

    @property
    def price_method(self) -> str:
        """The price method the document was ranked with (absent before method 1.1)."""
        return self.ranking.get("price_method", pricing.LOWEST_RATIO)

    @cached_property
    def rank_reversals(self) -> tuple[RankReversal, ...]:
        """The losing bids that decide the winner, with the vendors' names."""
        return tuple(
            RankReversal(r["without"], self.vendor_names.get(r["without"], r["without"]),
                         r["new_winner"],
                         self.vendor_names.get(r["new_winner"], r["new_winner"]))
            for r in self.ranking.get("rank_reversal", [])
        )

    @property
    def below_threshold(self) -> tuple[VendorRow, ...]:
        """The vendors excluded because their quality is below the threshold."""
        return tuple(row for row in self.rows if row.below_threshold)

    # ------------------------------------------------------------------ flip points

    @cached_property
    def flip_points(self) -> tuple[FlipPoint, ...]:
        """The document's flip points, in the selection's order of the categories."""
        winner = self.winner
        points = []
        for key, flip in self.ranking["flip"].items():
            if not flip or winner is None:
                continue
            weight = self.weights[key]
            threshold = float(flip["threshold"])
            new = flip["new_winner"]
            points.append(
                FlipPoint(
                    category=key,
                    name=self.category_names.get(key, key),
                    weight=weight,
                    threshold=threshold,
                    direction=self._direction(key, weight, threshold, new, winner),
                    new_winner=new,
                    new_winner_name=self.vendor_names.get(new, new),
                )
            )
        return tuple(points)

    def _direction(
        self, category: str, weight: float, threshold: float, new: str, winner: VendorRow
    ) -> str:
        """ABOVE when the new winner gets ahead as the weight rises past t*. Level now
        (t* = W(c)) the slope decides: the totals' slope in t has the sign of
        (S(u,c) - S(w,c)) - (Q(u) - Q(w)), u the new winner and w the winner."""
        if threshold != weight:
            return ABOVE if threshold > weight else BELOW
        other = next(row for row in self.rows if row.key == new)
        gain = other.category_scores[category] - winner.category_scores[category]
        return ABOVE if gain > other.quality - winner.quality else BELOW

    @property
    def nearest_flips(self) -> tuple[FlipPoint, ...]:
        """The flip points, the nearest to its weight now first (then by name)."""
        return tuple(sorted(self.flip_points,
                            key=lambda f: (abs(f.threshold - f.weight), f.name)))

    @property
    def stable_categories(self) -> tuple[str, ...]:
        """The active categories without a flip point (keys, the selection's order)."""
        flipped = {f.category for f in self.flip_points}
        return tuple(key for key in self.weights if key not in flipped)

    # ------------------------------------------------------------------ perspectives

    @cached_property
    def group_means(self) -> dict[str, dict[str, float] | None]:
        """G(g, c): each group's mean allocation as weights (None: nobody weighed)."""
        return method.group_means(self.selection)

    @cached_property
    def perspectives(self) -> Perspectives:
        """The order is the document's `perspectives`; the totals beside it are the
        what-if totals under the group's mean weights (totals are linear in W)."""
        by_key = {row.key: row for row in self.rows}
        columns: dict[str, tuple[PerspectiveEntry, ...] | None] = {}
        for group in GROUPS:
            order = self.ranking["perspectives"][group]
            mean = self.group_means[group]
            if order is None or mean is None:
                columns[group] = None
                continue
            totals = {
                row["key"]: row["total"]
                for row in method.what_if_totals(
                    self.ranking, mean, self.selection.price_weight,
                    quality_value=self.selection.quality_value)
            }
            columns[group] = tuple(
                PerspectiveEntry(key, by_key[key].name, position, totals[key],
                                 by_key[key].excluded)
                for position, key in enumerate(order, start=1)
            )
        joint = tuple(PerspectiveEntry(r.key, r.name, r.rank, r.total, r.excluded)
                      for r in self.rows)
        winners = {
            "business": _first(columns["business"]),
            "joint": _first(joint),
            "it": _first(columns["it"]),
        }
        if columns["business"] is None and columns["it"] is None:
            agreement = "none"
        elif columns["business"] is None:
            agreement = "it_only"
        elif columns["it"] is None:
            agreement = "business_only"
        else:
            agreement = "agree" if winners["business"] == winners["it"] else "disagree"
        return Perspectives(columns["business"], joint, columns["it"], winners, agreement)

    # ------------------------------------------------------------------ knock-outs

    @cached_property
    def knockouts(self) -> tuple[Requirement, ...]:
        """The active knock-outs, in the selection's order."""
        seen: set[str] = set()
        found = []
        for requirement in self.selection.requirements:
            if requirement.is_knockout and requirement.code not in seen:
                seen.add(requirement.code)
                found.append(requirement)
        return tuple(found)

    @cached_property
    def knockout_matrix(self) -> KnockoutMatrix:
        """Each vendor's state on each knock-out, as the ranking counted it (its failed
        and unverified lists), with the verdict's evidence."""
        evidence = {(v.vendor, v.requirement): v.evidence for v in self.selection.verdicts}
        cells = {}
        for row in self.rows:
            for requirement in self.knockouts:
                code = requirement.code
                state = (FAILED if code in row.knockouts_failed
                         else UNVERIFIED if code in row.knockouts_unverified else PASSED)
                cells[(row.key, code)] = KnockoutCell(state, evidence.get((row.key, code), ""))
        return KnockoutMatrix(self.knockouts, self.rows, cells)


def _first(entries: tuple[PerspectiveEntry, ...] | None) -> str | None:
    """The first vendor of a perspective that is not excluded."""
    if entries is None:
        return None
    return next((e.key for e in entries if not e.excluded), None)
