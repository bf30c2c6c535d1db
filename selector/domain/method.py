"""The selection method, version 1.1 (method.md), as pure functions.

Dataclasses from `selector.domain.selection` go in; the ranking document
(formats.md, `selector/ranking` version 1) and the figures the committee sees
beside it come out. Imports only the standard library and numpy, so the web pages,
the PDF report and `selector rank` all get their numbers from this one place.

Reproducibility: every array is built in a canonical order (categories and vendors
by key, wishes by code, members by e-mail), so the order of the lists in the input
changes neither a float nor a Monte Carlo draw. Output dictionaries follow the
selection's own order; the vendor list follows the rank.

The records this module makes are named tuples, not frozen dataclasses: immutable
alike, but a dataclass costs ~1.5 ms to make at import and a named tuple a tenth of
that, and `selector rank` pays each import on every start (issue 3).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from collections.abc import Mapping
from collections.abc import Sequence
from itertools import repeat
from typing import Any
from typing import NamedTuple

import numpy as np

from selector.domain import price as pricing
from selector.domain.selection import GROUPS
from selector.domain.selection import Selection

FORMAT = "selector/ranking"
VERSION = 1
DRAWS = 10_000
SEED = 20261123
CONCENTRATION = 100.0

# Section 6: totals and qualities are compared after rounding to this many decimals.
COMPARE_DECIMALS = 9
# Section 8: |d(W(c))| at or below LEVEL means "level with the winner now", and a t*
# within LEVEL of 0 or 1 is no flip point; |b| below FLAT means the two totals run
# parallel; distances within FLAT are equal.
LEVEL = 1e-9
FLAT = 1e-12
# Section 3 and 9: thresholds for discussion points.
DIVERGENCE_POINT = 0.10
SPREAD_POINT = 3


class MethodError(ValueError):
    """A selection the method refuses; `field` names the offending setting."""

    def __init__(self, field: str, message: str, **params: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.params = params  # what a translated message needs (a vendor's name)


# --------------------------------------------------------------------------- building


class _Wishes(NamedTuple):
    """Wishes in active categories with w(r|c), in canonical order."""

    categories: tuple[str, ...]  # active categories, sorted by key
    codes: tuple[str, ...]  # wishes in active categories, sorted by code
    category_of: np.ndarray  # per wish: index into `categories`
    within: np.ndarray  # per wish: w(r|c)

    def one_hot(self) -> np.ndarray:
        """Wish x category matrix that sums per-wish values into category values."""
        matrix = np.zeros((len(self.codes), len(self.categories)))
        matrix[np.arange(len(self.codes)), self.category_of] = 1.0
        return matrix


def _check_settings(selection: Selection) -> None:
    for problem in pricing.problems(selection.price):
        raise MethodError(problem.field, problem.message)
    if selection.scale_max < 1:
        raise MethodError("scale_max", "the score scale must go up to at least 1")
    if selection.price_method == pricing.VALUE:
        for key, name, tco in _vendor_list(selection):
            if tco is None or tco <= 0:
                raise MethodError(
                    "price_method",
                    f"the vendor {name} ({key}) has no costs yet, and the price method "
                    "value needs the costs of every vendor",
                    vendor=name,
                )


def _wishes(selection: Selection) -> _Wishes:
    """Section 2: raw weights, active categories and w(r|c)."""
    known = {c.key for c in selection.categories}
    wishes = sorted(
        (r for r in selection.requirements if r.is_wish and r.category in known),
        key=lambda r: r.code,
    )
    raw_by_category: dict[str, list[float]] = {}
    for wish in wishes:
        raw_by_category.setdefault(wish.category, []).append(wish.raw_weight)
    # fsum is exact, so the totals do not depend on the order of the requirements.
    raw_total = {key: math.fsum(raws) for key, raws in raw_by_category.items()}
    categories = tuple(sorted(key for key, total in raw_total.items() if total > 0))
    index = {key: j for j, key in enumerate(categories)}
    counted = [w for w in wishes if w.category in index]
    return _Wishes(
        categories=categories,
        codes=tuple(w.code for w in counted),
        category_of=np.array([index[w.category] for w in counted], dtype=np.intp),
        within=np.array([w.raw_weight / raw_total[w.category] for w in counted], dtype=float),
    )


def _member_weights(selection: Selection, categories: Sequence[str]) -> dict[str, np.ndarray]:
    """Section 3: each business or IT member's points normalised over the active
    categories, by e-mail (sorted); a member without points on them is left out."""
    index = {key: j for j, key in enumerate(categories)}
    role = {m.email: m.role for m in selection.members}
    points: dict[str, np.ndarray] = {}
    for allocation in selection.allocations:
        j = index.get(allocation.category)
        if j is None or role.get(allocation.member) not in GROUPS:
            continue
        row = points.setdefault(allocation.member, np.zeros(len(categories)))
        row[j] += float(allocation.points)
    normalised: dict[str, np.ndarray] = {}
    for email in sorted(points):
        total = math.fsum(points[email])
        if total > 0:
            normalised[email] = points[email] / total
    return normalised


def _group_means(selection: Selection, categories: Sequence[str]) -> dict[str, np.ndarray | None]:
    """Section 3: G(g, c) per group over the active categories; None without allocations."""
    role = {m.email: m.role for m in selection.members}
    members = _member_weights(selection, categories)
    means: dict[str, np.ndarray | None] = {}
    for group in GROUPS:
        rows = [row for email, row in members.items() if role[email] == group]
        means[group] = np.mean(np.array(rows), axis=0) if rows else None
    return means


def _category_weights(
    selection: Selection, categories: Sequence[str], means: Mapping[str, np.ndarray | None]
) -> np.ndarray:
    """Section 3: W(c): final weights if set, else the balanced group means, else equal."""
    n = len(categories)
    if selection.final_weights:
        points = np.array([float(selection.final_weights.get(c, 0.0)) for c in categories])
        total = math.fsum(points)
        if not total > 0:
            raise MethodError(
                "category_weights_final",
                "the final weights give the active categories 0 points in total",
            )
        return points / total
    counted = [g for g in GROUPS if means[g] is not None]
    if not counted:
        return np.full(n, 1.0 / n) if n else np.zeros(0)
    balance = selection.group_balance or {}
    betas = [max(float(balance.get(g, 0.0)), 0.0) for g in counted]
    beta_total = math.fsum(betas)
    if beta_total > 0:
        shares = [b / beta_total for b in betas]
    else:  # a balance of 0 and 0: the groups count equally
        shares = [1.0 / len(counted)] * len(counted)
    weights = np.zeros(n)
    for group, share in zip(counted, shares, strict=True):
        weights += share * means[group]
    return weights


def _vendor_list(selection: Selection) -> list[tuple[str, str, float | None]]:
    """The vendors that take part (not withdrawn), canonical by key: (key, name, tco)."""
    seen: dict[str, tuple[str, str, float | None]] = {}
    for vendor in selection.vendors:
        if not vendor.withdrawn and vendor.key not in seen:
            seen[vendor.key] = (vendor.key, vendor.name, vendor.tco)
    return [seen[key] for key in sorted(seen)]


def _score_matrix(
    selection: Selection, vendor_keys: Sequence[str], codes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Section 4: s(v, r) as a vendor x wish array (0 where missing) and its presence mask."""
    n_vendors, n_wishes = len(vendor_keys), len(codes)
    vendor_index = {key: i for i, key in enumerate(vendor_keys)}
    wish_index = {code: j for j, code in enumerate(codes)}
    # The one pass over all scores, on their columns and written as maps so that the
    # loops run in C (48,000 scores: about 0.005 s against 0.05 s as a Python loop over
    # Score tuples); the rest is array work. A score of anything else than a wish of a
    # vendor taking part (a withdrawn vendor, a knock-out, a rejected requirement) has
    # index -1 and is left out.
    scores = selection.scores
    row = np.fromiter(
        map(vendor_index.get, scores.vendors, repeat(-1)), dtype=np.intp, count=len(scores))
    column = np.fromiter(
        map(wish_index.get, scores.requirements, repeat(-1)), dtype=np.intp, count=len(scores))
    counted = (row >= 0) & (column >= 0)
    flat = row[counted] * n_wishes + column[counted]  # the cell in the flattened matrix
    values = np.array(scores.values, dtype=float)[counted]
    size = n_vendors * n_wishes
    # Scores are integers, so these sums are exact whatever the order of the scores.
    sums = np.bincount(flat, weights=values, minlength=size)
    counts = np.bincount(flat, minlength=size)
    aggregated = np.zeros(size)
    np.divide(sums, counts, out=aggregated, where=counts > 0)
    aggregated = aggregated.reshape(n_vendors, n_wishes)
    present = (counts > 0).reshape(n_vendors, n_wishes)
    for consensus in selection.consensus:  # a consensus score overrides the mean
        i = vendor_index.get(consensus.vendor)
        j = wish_index.get(consensus.requirement)
        if i is not None and j is not None:
            aggregated[i, j] = float(consensus.score)
            present[i, j] = True
    return aggregated, present


def _knockouts(
    selection: Selection, vendor_keys: Sequence[str]
) -> tuple[list[list[str]], list[list[str]]]:
    """Section 6: per vendor the failed and the unverified knock-outs, as sorted codes."""
    knockouts = sorted({r.code for r in selection.requirements if r.is_knockout})
    verdicts = {(v.vendor, v.requirement): v.passed for v in selection.verdicts}
    failed: list[list[str]] = []
    unverified: list[list[str]] = []
    for key in vendor_keys:
        failed.append([k for k in knockouts if verdicts.get((key, k)) is False])
        unverified.append([k for k in knockouts if (key, k) not in verdicts])
    return failed, unverified


class _Pricing(NamedTuple):
    """Section 5 for one set of vendors: total(v) = factor * Q(v) + offset(v)."""

    price: np.ndarray | None  # P(v); None when p = 0 or with `value`
    fictitious: np.ndarray | None  # F(v) with `value`, else None
    factor: float  # a: the same for every vendor
    offset: np.ndarray  # b(v)


def _pricing(
    selection: Selection, tcos: Sequence[float | None], excluded: Sequence[bool],
    quality: np.ndarray,
) -> _Pricing:
    """The price part of the totals; `excluded` vendors set no lowest or highest bid."""
    settings = selection.price
    if settings.method == pricing.VALUE:
        fictitious = np.array(pricing.fictitious_prices(settings, tcos, quality), dtype=float)
        offset = -np.array([float(t) for t in tcos], dtype=float)
        return _Pricing(None, fictitious, settings.quality_factor, offset)
    if not settings.uses_weight:
        return _Pricing(None, None, 1.0, np.zeros(len(tcos)))
    price = pricing.price_scores(settings, tcos, excluded)
    return _Pricing(price, None, settings.quality_factor, settings.weight * price)


def _totals(quality: np.ndarray, priced: _Pricing) -> np.ndarray:
    """Section 5: the total of every vendor (exactly -F(v) with `value`)."""
    if priced.fictitious is not None:
        return -priced.fictitious
    if priced.price is None:
        return quality.copy()
    return priced.factor * quality + priced.offset


def _rank_order(
    keys: Sequence[str],
    names: Sequence[str],
    excluded: Sequence[bool],
    totals: Sequence[float],
    qualities: Sequence[float],
) -> list[int]:
    """Section 6: not excluded first; total, quality descending; then name, key."""

    def order(i: int) -> tuple[bool, float, float, str, str]:
        return (
            bool(excluded[i]),
            -round(float(totals[i]), COMPARE_DECIMALS),
            -round(float(qualities[i]), COMPARE_DECIMALS),
            names[i],
            keys[i],
        )

    return sorted(range(len(keys)), key=order)


class _Frame(NamedTuple):
    """Everything the ranking is made of, in canonical order."""

    wishes: _Wishes
    means: dict[str, np.ndarray | None]
    weights: np.ndarray  # W(c) per canonical active category
    keys: list[str]  # vendors taking part, sorted by key
    names: list[str]
    tcos: list[float | None]
    category_scores: np.ndarray  # vendor x category: S(v, c)
    coverage: np.ndarray
    quality: np.ndarray
    priced: _Pricing
    totals: np.ndarray
    below: list[bool]  # below the quality threshold
    excluded: list[bool]  # a failed knock-out or below the threshold
    failed: list[list[str]]
    unverified: list[list[str]]


def _frame(selection: Selection) -> _Frame:
    _check_settings(selection)
    wishes = _wishes(selection)
    means = _group_means(selection, wishes.categories)
    weights = _category_weights(selection, wishes.categories, means)
    vendors = _vendor_list(selection)
    keys = [v[0] for v in vendors]
    aggregated, present = _score_matrix(selection, keys, wishes.codes)
    one_hot = wishes.one_hot()
    category_scores = 100.0 * ((aggregated * wishes.within) @ one_hot) / selection.scale_max
    coverage = ((present * wishes.within) @ one_hot) @ weights
    quality = (category_scores @ weights).reshape(len(keys))
    failed, unverified = _knockouts(selection, keys)
    below = _below_threshold(quality, selection.quality_threshold)
    excluded = [bool(f) or out for f, out in zip(failed, below, strict=True)]
    tcos = [v[2] for v in vendors]
    priced = _pricing(selection, tcos, excluded, quality)
    return _Frame(
        wishes=wishes,
        means=means,
        weights=weights,
        keys=keys,
        names=[v[1] for v in vendors],
        tcos=tcos,
        category_scores=category_scores.reshape(len(keys), len(wishes.categories)),
        coverage=coverage.reshape(len(keys)),
        quality=quality,
        priced=priced,
        totals=_totals(quality, priced),
        below=below,
        excluded=excluded,
        failed=failed,
        unverified=unverified,
    )


def _below_threshold(quality: np.ndarray, threshold: float) -> list[bool]:
    """Section 5: Q(v) < q_min after rounding to 9 decimals, judged with W only."""
    return [round(float(q), pricing.THRESHOLD_DECIMALS) < threshold for q in quality]


def _rank_reversal(
    selection: Selection, frame: _Frame, order: Sequence[int]
) -> list[dict[str, str]]:
    """Section 5: the losing bids without which another vendor would come first."""
    contenders = [i for i in order if not frame.excluded[i]]
    if len(contenders) < 3 or not selection.price.can_reverse:
        return []  # two contenders: without the loser the winner stands alone
    winner = contenders[0]
    reversals = []
    for u in contenders[1:]:
        excluded = [out or i == u for i, out in enumerate(frame.excluded)]
        priced = _pricing(selection, frame.tcos, excluded, frame.quality)
        totals = _totals(frame.quality, priced)
        others = [i for i in range(len(frame.keys)) if i != u]
        new_order = _rank_order(
            [frame.keys[i] for i in others], [frame.names[i] for i in others],
            [frame.excluded[i] for i in others], [totals[i] for i in others],
            [frame.quality[i] for i in others],
        )
        first = others[new_order[0]]
        if first != winner:
            reversals.append({"without": frame.keys[u], "new_winner": frame.keys[first]})
    return reversals


# --------------------------------------------------------------------------- sensitivity


def _p_first(frame: _Frame, order: Sequence[int], draws: int, seed: int) -> np.ndarray:
    """Section 8, Monte Carlo: share of Dirichlet draws each vendor wins."""
    shares = np.zeros(len(frame.keys))
    contenders = [i for i in order if not frame.excluded[i]]  # in rank order
    if not contenders:
        return shares
    drawn = np.flatnonzero(frame.weights > 0)  # categories with W(c) = 0 stay 0
    if len(contenders) == 1 or drawn.size == 0:
        # Nothing to draw, or totals that no draw can change: the leader wins every draw.
        shares[contenders[0]] = 1.0
        return shares
    rng = np.random.default_rng(seed)
    sample = rng.dirichlet(CONCENTRATION * frame.weights[drawn], size=draws)
    scores = frame.category_scores[np.ix_(contenders, drawn)]  # contender x category
    totals = sample @ (frame.priced.factor * scores.T) + frame.priced.offset[contenders]
    # Rounded as in the ranking; argmax takes the first maximum: the better-ranked vendor.
    winners = np.argmax(np.round(totals, COMPARE_DECIMALS), axis=1)
    counts = np.bincount(winners, minlength=len(contenders))
    shares[contenders] = counts / draws
    return shares


def _flip_points(frame: _Frame, order: Sequence[int]) -> dict[str, dict[str, Any] | None]:
    """Section 8, flip points: per active category the nearest weight that changes the winner."""
    flips: dict[str, dict[str, Any] | None] = {c: None for c in frame.wishes.categories}
    contenders = [i for i in order if not frame.excluded[i]]
    if len(contenders) < 2:
        return flips
    winner, others = contenders[0], contenders[1:]
    totals = frame.totals
    for j, category in enumerate(frame.wishes.categories):
        weight = float(frame.weights[j])
        # W(c) = 1 up to rounding: the other categories have no weight left to scale.
        if weight < 0.0 or 1.0 - weight <= FLAT:
            continue
        scores = frame.category_scores[:, j]
        # total_v(t) = a * (t * S(v,c) + (1-t) * R(v)) + b(v), with R(v) the quality
        # from the other categories renormalised; the slope is a * (S - R).
        rest = (frame.quality - weight * scores) / (1.0 - weight)
        slope = frame.priced.factor * (scores - rest)
        best: tuple[float, float, int] | None = None  # (distance, t*, vendor)
        for u in others:
            b = float(slope[u] - slope[winner])
            if abs(b) < FLAT:
                continue
            now = float(totals[u] - totals[winner])  # d(W(c)) = a + b * W(c)
            a = now - b * weight
            threshold = weight if abs(now) <= LEVEL else -a / b
            # A t* within LEVEL of 1 or 0 is c alone or c gone: rounding, no flip point.
            kept = (b > 0 and weight <= threshold < 1.0 - LEVEL) or (
                b < 0 and LEVEL < threshold <= weight
            )
            if not kept:
                continue
            distance = abs(threshold - weight)
            if best is None or distance < best[0] - FLAT:  # equal: the better-ranked u stays
                best = (distance, threshold, u)
        if best is not None:
            flips[category] = {"threshold": best[1], "new_winner": frame.keys[best[2]]}
    return flips


# --------------------------------------------------------------------------- the ranking


def rank(selection: Selection, *, draws: int = DRAWS, seed: int = SEED) -> dict[str, Any]:
    """The ranking document (formats.md, `selector/ranking` version 1) of a selection.

    Raises MethodError for a selection the method refuses (final weights that give
    the active categories 0 points; a price weight outside 0..1; a scale below 1).
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    frame = _frame(selection)
    categories = frame.wishes.categories
    column = {c: j for j, c in enumerate(categories)}
    ordered_categories = _in_selection_order(selection, categories)
    order = _rank_order(frame.keys, frame.names, frame.excluded, frame.totals, frame.quality)

    wish_index = {code: j for j, code in enumerate(frame.wishes.codes)}
    requirement_weights: dict[str, float] = {}
    for requirement in selection.requirements:
        j = wish_index.get(requirement.code)
        if j is not None and requirement.code not in requirement_weights:
            share = frame.weights[frame.wishes.category_of[j]] * frame.wishes.within[j]
            requirement_weights[requirement.code] = float(share)

    price, fictitious = frame.priced.price, frame.priced.fictitious
    vendors = []
    for position, i in enumerate(order, start=1):
        vendors.append(
            {
                "key": frame.keys[i],
                "name": frame.names[i],
                "rank": position,
                "total": float(frame.totals[i]),
                "quality": float(frame.quality[i]),
                "price_score": None if price is None else float(price[i]),
                "coverage": float(frame.coverage[i]),
                "excluded": frame.excluded[i],
                "below_threshold": frame.below[i],
                "fictitious_price": None if fictitious is None else float(fictitious[i]),
                "knockouts_failed": list(frame.failed[i]),
                "knockouts_unverified": list(frame.unverified[i]),
                "category_scores": {
                    c: float(frame.category_scores[i, column[c]]) for c in ordered_categories
                },
            }
        )

    perspectives: dict[str, list[str] | None] = {}
    for group in GROUPS:
        mean = frame.means[group]
        if mean is None:
            perspectives[group] = None
            continue
        quality = frame.category_scores @ mean
        # The threshold and the bids stay those of W (section 5); only Q changes.
        totals = frame.priced.factor * quality + frame.priced.offset
        if frame.priced.fictitious is None and frame.priced.price is None:
            totals = quality
        group_order = _rank_order(frame.keys, frame.names, frame.excluded, totals, quality)
        perspectives[group] = [frame.keys[i] for i in group_order]

    shares = _p_first(frame, order, draws, seed)
    share_of = {key: float(shares[i]) for i, key in enumerate(frame.keys)}
    flips = _flip_points(frame, order)
    return {
        "format": FORMAT,
        "version": VERSION,
        "selection": selection.name,
        "category_weights": {c: float(frame.weights[column[c]]) for c in ordered_categories},
        "requirement_weights": requirement_weights,
        "vendors": vendors,
        "perspectives": perspectives,
        "sensitivity": {
            "draws": draws,
            "concentration": CONCENTRATION,
            "p_first": {key: share_of[key] for key in _vendors_in_selection_order(selection)},
        },
        "flip": {c: flips[c] for c in ordered_categories},
        "price_method": selection.price_method,
        "rank_reversal": _rank_reversal(selection, frame, order),
    }


def _in_selection_order(selection: Selection, keys: Collection[str]) -> list[str]:
    wanted = set(keys)
    ordered: list[str] = []
    for category in selection.categories:
        if category.key in wanted and category.key not in ordered:
            ordered.append(category.key)
    return ordered


def _vendors_in_selection_order(selection: Selection) -> list[str]:
    return list(dict.fromkeys(v.key for v in selection.vendors if not v.withdrawn))


# --------------------------------------------------------------------------- building blocks


def active_categories(selection: Selection) -> list[str]:
    """The active categories (section 2), in the selection's category order."""
    return _in_selection_order(selection, _wishes(selection).categories)


def requirement_weights_in_category(selection: Selection) -> dict[str, float]:
    """w(r|c) for every wish in an active category, in the selection's requirement order."""
    wishes = _wishes(selection)
    within = {code: float(w) for code, w in zip(wishes.codes, wishes.within, strict=True)}
    return {r.code: within[r.code] for r in selection.requirements if r.code in within}


def group_means(selection: Selection) -> dict[str, dict[str, float] | None]:
    """G(g, c) per group over the active categories; None when no member of g counts."""
    wishes = _wishes(selection)
    ordered = _in_selection_order(selection, wishes.categories)
    column = {c: j for j, c in enumerate(wishes.categories)}
    result: dict[str, dict[str, float] | None] = {}
    for group, mean in _group_means(selection, wishes.categories).items():
        result[group] = None if mean is None else {c: float(mean[column[c]]) for c in ordered}
    return result


def member_weights(selection: Selection) -> dict[str, dict[str, float]]:
    """Each counted business or IT member's own weights over the active categories (the
    rows whose mean is G(g, c)), by e-mail; members left out (no points) are absent."""
    wishes = _wishes(selection)
    ordered = _in_selection_order(selection, wishes.categories)
    column = {c: j for j, c in enumerate(wishes.categories)}
    return {
        email: {c: float(row[column[c]]) for c in ordered}
        for email, row in _member_weights(selection, wishes.categories).items()
    }


def combined_weights(selection: Selection) -> dict[str, float]:
    """W(c) per active category, final weights applied (raises MethodError as `rank`)."""
    wishes = _wishes(selection)
    weights = _category_weights(
        selection, wishes.categories, _group_means(selection, wishes.categories)
    )
    column = {c: j for j, c in enumerate(wishes.categories)}
    return {c: float(weights[column[c]]) for c in _in_selection_order(selection, wishes.categories)}


def aggregated_scores(selection: Selection) -> dict[tuple[str, str], float]:
    """s(v, r) where present: consensus, else members' mean; vendors not withdrawn.

    Covers every wish, also one in an inactive category, so a page can show it.
    """
    known = {c.key for c in selection.categories}
    codes = sorted({r.code for r in selection.requirements if r.is_wish and r.category in known})
    keys = [v[0] for v in _vendor_list(selection)]
    aggregated, present = _score_matrix(selection, keys, codes)
    return {
        (keys[i], codes[j]): float(aggregated[i, j])
        for i, j in zip(*np.nonzero(present), strict=True)
    }


def price_scores(
    selection: Selection, ranking_doc: Mapping[str, Any] | None = None
) -> dict[str, float]:
    """P(v) by the selection's price method for every vendor taking part, whatever the
    price weight (for what-if); {} with `value`, which has no price score. Pass the
    selection's ranking document when there is one: its exclusions (knock-outs and the
    threshold) are then read, not computed again from the scores."""
    if selection.price_method == pricing.VALUE:
        return {}
    if ranking_doc is None:
        frame = _frame(selection)
        keys, tcos, excluded = frame.keys, frame.tcos, frame.excluded
    else:
        out = {v["key"]: bool(v["excluded"]) for v in ranking_doc["vendors"]}
        vendors = _vendor_list(selection)
        keys, tcos = [v[0] for v in vendors], [v[2] for v in vendors]
        excluded = [out[key] for key in keys]
    scores = pricing.price_scores(selection.price, tcos, excluded)
    return {key: float(scores[i]) for i, key in enumerate(keys)}


def contributions(
    selection: Selection, ranking_doc: Mapping[str, Any]
) -> dict[str, dict[str | None, float]]:
    """Per vendor, what each active category adds to its total: (1-p) * W(c) * S(v,c).

    When p > 0 the price adds p * P(v) under the key None (absent when p = 0), so the
    values of a vendor add up to its total. Taken from the document, so a chart shows
    exactly the numbers of the ranking. With `value` the total is in euros: the parts
    are W(c) * S(v,c) and add up to the quality.
    """
    p = 0.0 if selection.price_method == pricing.VALUE else selection.price_weight
    weights = ranking_doc["category_weights"]
    result: dict[str, dict[str | None, float]] = {}
    for vendor in ranking_doc["vendors"]:
        parts: dict[str | None, float] = {
            c: (1.0 - p) * w * vendor["category_scores"][c] for c, w in weights.items()
        }
        if p > 0:
            parts[None] = p * (vendor["price_score"] or 0.0)
        result[vendor["key"]] = parts
    return result


def what_if_totals(
    ranking_doc: Mapping[str, Any],
    weights: Mapping[str, float],
    price_weight: float,
    price_scores: Mapping[str, float] | None = None,
    *,
    quality_value: float | None = None,
) -> list[dict[str, Any]]:
    """Totals and order for other category weights, exactly (totals are linear in W).

    `weights` are points per active category of the document, normalised here (other
    keys are ignored, missing ones count 0). Price scores come from the document, or
    from `price_scores` (see `price_scores()`) when the document was ranked with p = 0.
    A document ranked with `value` needs its `quality_value` V: the total is then
    V * Q / 100 - TCO, the TCO read back from the fictitious price (price_weight unused).
    Exclusions (knock-outs, the threshold) stay those of the document.
    Returns vendors in the new rank order: key, name, rank, total, quality, price_score
    (None when price_weight is 0), excluded.
    """
    by_value = ranking_doc.get("price_method") == pricing.VALUE
    if by_value and not (quality_value is not None and quality_value > 0):
        raise MethodError("quality_value", "a ranking by value needs the value of quality")
    if not 0.0 <= price_weight < 1.0:
        raise MethodError("price_weight", "the price weight must be at least 0 and below 1")
    categories = list(ranking_doc["category_weights"])
    points = [float(weights.get(c, 0.0)) for c in categories]
    if any(not (math.isfinite(x) and x >= 0) for x in points):
        raise MethodError("weights", "weights must be numbers of at least 0")
    total_points = math.fsum(points)
    if categories and not total_points > 0:
        raise MethodError("weights", "the weights give the active categories 0 points in total")
    normalised = {c: x / total_points for c, x in zip(categories, points, strict=True)}

    rows: list[dict[str, Any]] = []
    for vendor in ranking_doc["vendors"]:
        quality = math.fsum(w * vendor["category_scores"][c] for c, w in normalised.items())
        price = None
        if by_value:
            assert quality_value is not None
            tco = vendor["fictitious_price"] + quality_value * vendor["quality"] / 100.0
            total = quality_value * quality / 100.0 - tco
        elif price_weight > 0:
            price = (
                price_scores.get(vendor["key"])
                if price_scores is not None
                else vendor["price_score"]
            )
            if price is None:
                raise MethodError(
                    "price_weight", "the ranking has no price scores; pass price_scores"
                )
            total = (1.0 - price_weight) * quality + price_weight * float(price)
        else:
            total = quality
        rows.append(
            {
                "key": vendor["key"],
                "name": vendor["name"],
                "total": total,
                "quality": quality,
                "price_score": None if price is None else float(price),
                "excluded": bool(vendor["excluded"]),
            }
        )
    order = _rank_order(
        [r["key"] for r in rows],
        [r["name"] for r in rows],
        [r["excluded"] for r in rows],
        [r["total"] for r in rows],
        [r["quality"] for r in rows],
    )
    ranked = []
    for position, i in enumerate(order, start=1):
        row = rows[i]
        ranked.append(
            {
                "key": row["key"],
                "name": row["name"],
                "rank": position,
                "total": row["total"],
                "quality": row["quality"],
                "price_score": row["price_score"],
                "excluded": row["excluded"],
            }
        )
    return ranked


# --------------------------------------------------------------------------- section 9


class CategoryDivergence(NamedTuple):
    """How far business and IT weigh a category apart (shown, never used in the ranking)."""

    category: str
    business: float | None  # G(business, c); None when business has no allocation
    it: float | None
    difference: float | None  # business - it; None when either group is missing
    discussion_point: bool  # |difference| >= 0.10


class ScoreSpread(NamedTuple):
    """Members' scores for one vendor on one wish, for the consensus meeting."""

    vendor: str
    requirement: str
    scores: dict[str, int]  # member e-mail -> score, in the selection's member order
    min: int
    max: int
    range: int
    discussion_point: bool  # range >= 3


class MemberHealth(NamedTuple):
    """Panel health of one scoring member: going through the motions, or judging?"""

    member: str
    name: str
    role: str
    categories: tuple[str, ...]  # the categories assigned to the member
    expected_pairs: int  # vendors taking part x wishes in those categories
    scored_pairs: int  # of those, the pairs the member scored
    completion: float | None  # None when nothing was expected
    repeated_requirements: int  # wishes the member scored for 2 or more vendors
    identical_requirements: int  # of those, the ones with one and the same score throughout
    identical_share: float | None
    scores: int  # the member's scores on wishes of vendors taking part
    unargued_extremes: int  # of those: 0, 1 or scale_max with an empty comment
    unargued_extreme_share: float | None


def divergence(selection: Selection) -> list[CategoryDivergence]:
    """Section 3: G(business, c) - G(it, c) per active category, in selection order."""
    means = group_means(selection)
    business, it = means["business"], means["it"]
    result = []
    for category in active_categories(selection):
        b = None if business is None else business[category]
        i = None if it is None else it[category]
        difference = None if b is None or i is None else b - i
        result.append(
            CategoryDivergence(
                category=category,
                business=b,
                it=i,
                difference=difference,
                discussion_point=difference is not None
                and abs(difference) >= DIVERGENCE_POINT - FLAT,
            )
        )
    return result


def _counted_member_scores(selection: Selection) -> dict[tuple[str, str, str], tuple[int, str]]:
    """Scores on wishes of vendors taking part: (member, vendor, code) -> (score, comment)."""
    known = {c.key for c in selection.categories}
    wishes = {r.code for r in selection.requirements if r.is_wish and r.category in known}
    vendors = {v.key for v in selection.vendors if not v.withdrawn}
    return {
        (s.member, s.vendor, s.requirement): (s.score, s.comment)
        for s in selection.scores
        if s.vendor in vendors and s.requirement in wishes
    }


def disagreement(selection: Selection) -> list[ScoreSpread]:
    """Section 9: per (vendor, wish) the spread of the members' scores; widest first."""
    position = {m.email: i for i, m in reversed(list(enumerate(selection.members)))}
    by_pair: dict[tuple[str, str], dict[str, int]] = {}
    for (member, vendor, code), (score, _) in _counted_member_scores(selection).items():
        by_pair.setdefault((vendor, code), {})[member] = score
    spreads = []
    for (vendor, code), scores in by_pair.items():
        members = sorted(scores, key=lambda m: (position.get(m, len(position)), m))
        low, high = min(scores.values()), max(scores.values())
        spreads.append(
            ScoreSpread(
                vendor=vendor,
                requirement=code,
                scores={m: scores[m] for m in members},
                min=low,
                max=high,
                range=high - low,
                discussion_point=high - low >= SPREAD_POINT,
            )
        )
    spreads.sort(key=lambda s: (-s.range, s.vendor, s.requirement))
    return spreads


def panel_health(
    selection: Selection, assignments: Mapping[str, Collection[str]] | None = None
) -> list[MemberHealth]:
    """Section 9: completion, identical scores and unargued extremes per scoring member.

    Members with role business or it are always listed, a facilitator only when they
    scored. `assignments` (member e-mail -> category keys) overrides the default
    assignment for the members it names: business members the business categories, IT
    members the IT ones, a facilitator all.
    """
    by_member: dict[str, dict[tuple[str, str], tuple[int, str]]] = {}
    for (member_email, vendor, code), entry in _counted_member_scores(selection).items():
        by_member.setdefault(member_email, {})[(vendor, code)] = entry
    known = {c.key for c in selection.categories}
    wish_category = {
        r.code: r.category for r in selection.requirements if r.is_wish and r.category in known
    }
    vendors = {v.key for v in selection.vendors if not v.withdrawn}
    extremes = {0, 1, selection.scale_max}

    result = []
    seen: set[str] = set()
    for member in selection.members:
        if member.email in seen:
            continue
        seen.add(member.email)
        if member.role not in GROUPS and not (
            member.role == "facilitator" and member.email in by_member
        ):
            continue
        if assignments is not None and member.email in assignments:
            assigned = set(assignments[member.email])
        elif member.role == "facilitator":
            assigned = set(known)
        else:
            assigned = {c.key for c in selection.categories if c.domain == member.role}
        categories = tuple(c.key for c in selection.categories if c.key in assigned)
        expected_wishes = {code for code, c in wish_category.items() if c in assigned}

        mine = by_member.get(member.email, {})
        expected = len(vendors) * len(expected_wishes)
        scored = sum(1 for (_, r) in mine if r in expected_wishes)

        per_wish: dict[str, list[int]] = {}
        for (_, code), (score, _) in mine.items():
            per_wish.setdefault(code, []).append(score)
        repeated = [s for s in per_wish.values() if len(s) >= 2]
        identical = sum(1 for s in repeated if len(set(s)) == 1)
        unargued = sum(
            1 for score, comment in mine.values() if score in extremes and not comment.strip()
        )
        result.append(
            MemberHealth(
                member=member.email,
                name=member.name,
                role=member.role,
                categories=categories,
                expected_pairs=expected,
                scored_pairs=scored,
                completion=scored / expected if expected else None,
                repeated_requirements=len(repeated),
                identical_requirements=identical,
                identical_share=identical / len(repeated) if repeated else None,
                scores=len(mine),
                unargued_extremes=unargued,
                unargued_extreme_share=unargued / len(mine) if mine else None,
            )
        )
    return result
