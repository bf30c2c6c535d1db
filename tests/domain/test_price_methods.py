"""Method 1.1, section 5: price methods, the quality threshold and rank reversal, against
hand-computed examples (one of them published) and as properties."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selector.domain import price as pricing
from selector.domain.method import MethodError
from selector.domain.method import price_scores
from selector.domain.method import rank
from selector.domain.method import what_if_totals
from selector.domain.selection import Category
from selector.domain.selection import Requirement
from selector.domain.selection import Score
from selector.domain.selection import Selection
from selector.domain.selection import Vendor
from tests.domain.test_method_properties import PROPERTY
from tests.domain.test_method_properties import ranked
from tests.domain.test_method_properties import selections

DRAWS = 200


def vendors_with_quality(
    quality: dict[str, int], tcos: dict[str, float | None], **settings: Any
) -> Selection:
    """One category, one wish on a 0..5 scale: a score of 4 is a quality of 80."""
    return Selection(
        name="Prices",
        categories=(Category("c", "Functions", "business"),),
        requirements=(Requirement("R1", "c", "Function", "must"),),
        vendors=tuple(Vendor(key, key.upper(), tco=tcos.get(key)) for key in quality),
        scores=tuple(Score("m@x.org", key, "R1", score) for key, score in quality.items()),
        **settings,
    )


def by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["key"]: v for v in document["vendors"]}


def scores_of(settings: pricing.PriceSettings, tcos: list[float | None]) -> list[float]:
    return [float(s) for s in pricing.price_scores(settings, tcos, [False] * len(tcos))]


# --------------------------------------------------------------------------- each method


def test_relative_to_lowest_the_published_example() -> None:
    """Bids of 10,000 and 8,000 with 70 of 200 points for price: the lowest bid gets all 70
    points, the other 70 * 8,000 / 10,000 = 56 (a price weight of 70 / 200 = 0.35)."""
    chosen = vendors_with_quality({"a": 3, "b": 3}, {"a": 10_000.0, "b": 8_000.0},
                                  price_weight=0.35)
    document = by_key(rank(chosen, draws=DRAWS))
    assert document["b"]["price_score"] == pytest.approx(100.0)
    assert document["a"]["price_score"] == pytest.approx(80.0)
    assert 200 * 0.35 * document["a"]["price_score"] / 100 == pytest.approx(56.0)
    # quality 60 each: 0.65 * 60 + 0.35 * P
    assert document["b"]["total"] == pytest.approx(39.0 + 35.0)
    assert document["a"]["total"] == pytest.approx(39.0 + 28.0)


def test_linear_between_the_bids() -> None:
    settings = pricing.PriceSettings(method=pricing.LINEAR_BIDS, weight=0.3)
    assert scores_of(settings, [100.0, 150.0, 200.0, None]) == [100.0, 50.0, 0.0, 0.0]
    # equal bids: 100 for every vendor with a TCO
    assert scores_of(settings, [120.0, 120.0, None]) == [100.0, 100.0, 0.0]


def test_linear_on_a_fixed_scale_clamps_to_0_and_100() -> None:
    settings = pricing.PriceSettings(method=pricing.LINEAR_FIXED, weight=0.3,
                                     price_full=100_000.0, price_zero=300_000.0)
    assert scores_of(settings, [150_000.0, 50_000.0, 400_000.0, 300_000.0]) == [
        75.0, 100.0, 0.0, 0.0]


def test_logarithmic() -> None:
    settings = pricing.PriceSettings(method=pricing.LOG, weight=0.3, log_factor=2.0)
    got = scores_of(settings, [100.0, 200.0, 100.0 * math.sqrt(2), 300.0])
    assert got == pytest.approx([100.0, 0.0, 50.0, 0.0])


def test_relative_to_lowest_is_method_1() -> None:
    settings = pricing.PriceSettings(weight=0.2)
    assert scores_of(settings, [100.0, 400.0, None]) == [100.0, 25.0, 0.0]
    # no bid at all: every vendor 0
    assert scores_of(settings, [None, None]) == [0.0, 0.0]


def test_value_the_fictitious_discount() -> None:
    """V = 100,000: quality 80 at 150,000 is F = 70,000; quality 60 at 120,000 is 60,000,
    and the lowest fictitious price wins."""
    chosen = vendors_with_quality(
        {"a": 4, "b": 3}, {"a": 150_000.0, "b": 120_000.0},
        price_method="value", quality_value=100_000.0, price_weight=0.4)
    document = rank(chosen, draws=DRAWS)
    rows = by_key(document)
    assert rows["a"]["fictitious_price"] == pytest.approx(70_000.0)
    assert rows["b"]["fictitious_price"] == pytest.approx(60_000.0)
    assert rows["b"]["total"] == pytest.approx(-60_000.0)
    assert [v["key"] for v in document["vendors"]] == ["b", "a"]
    assert rows["a"]["price_score"] is None  # p is not used
    assert document["price_method"] == "value"
    assert document["rank_reversal"] == []


def test_value_needs_every_vendors_costs() -> None:
    chosen = vendors_with_quality({"a": 4, "b": 3}, {"a": 150_000.0},
                                  price_method="value", quality_value=100_000.0)
    with pytest.raises(MethodError) as refused:
        rank(chosen, draws=DRAWS)
    assert refused.value.field == "price_method"
    assert "B (b) has no costs" in refused.value.message


# --------------------------------------------------------------------------- rank reversal

# A: quality 80 at 200; B: quality 60 at 100; C: quality 20 at 50. Price weight 0.3,
# relative to the lowest. With C: P = 25, 50, 100; totals 63.5, 57, 44: A wins. Without
# C the lowest bid is B's: P(A) = 50, P(B) = 100; totals 71 and 72: B wins.
REVERSAL = vendors_with_quality({"a": 4, "b": 3, "c": 1}, {"a": 200.0, "b": 100.0, "c": 50.0},
                                price_weight=0.3)


def test_a_losing_bid_decides_the_winner() -> None:
    document = rank(REVERSAL, draws=DRAWS)
    rows = by_key(document)
    assert [v["key"] for v in document["vendors"]] == ["a", "b", "c"]
    assert [rows[k]["total"] for k in "abc"] == pytest.approx([63.5, 57.0, 44.0])
    assert document["rank_reversal"] == [{"without": "c", "new_winner": "b"}]


@pytest.mark.parametrize("settings", [
    {"price_method": "linear_fixed", "price_full": 40.0, "price_zero": 250.0},
    {"price_method": "value", "quality_value": 100.0},
    {"price_weight": 0.0},
])
def test_absolute_methods_and_no_price_weight_never_reverse(settings: dict[str, Any]) -> None:
    assert rank(replace(REVERSAL, **settings), draws=DRAWS)["rank_reversal"] == []


# --------------------------------------------------------------------------- threshold


def test_below_the_threshold_is_excluded_and_sets_no_lowest_bid() -> None:
    document = rank(replace(REVERSAL, quality_threshold=50.0), draws=DRAWS)
    rows = by_key(document)
    assert rows["c"]["below_threshold"] is True
    assert rows["c"]["excluded"] is True
    assert rows["c"]["knockouts_failed"] == []
    # C's bid of 50 no longer counts: the lowest is B's 100, and B wins (72 against 71)
    assert rows["a"]["price_score"] == pytest.approx(50.0)
    assert [v["key"] for v in document["vendors"]] == ["b", "a", "c"]
    assert document["sensitivity"]["p_first"]["c"] == 0.0


def test_a_quality_equal_to_the_threshold_passes() -> None:
    rows = by_key(rank(replace(REVERSAL, quality_threshold=60.0), draws=DRAWS))
    assert (rows["b"]["below_threshold"], rows["c"]["below_threshold"]) == (False, True)


@pytest.mark.parametrize(("settings", "field"), [
    ({"price_method": "log", "log_factor": 1.0}, "log_factor"),
    ({"price_method": "log"}, "log_factor"),
    ({"price_method": "linear_fixed", "price_full": 300.0, "price_zero": 100.0}, "price_zero"),
    ({"price_method": "linear_fixed", "price_full": 0.0, "price_zero": 100.0}, "price_full"),
    ({"price_method": "value", "quality_value": -5.0}, "quality_value"),
    ({"quality_threshold": 101.0}, "quality_threshold"),
    ({"price_method": "cheapest"}, "price_method"),
])
def test_impossible_settings_are_refused(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(MethodError) as refused:
        rank(replace(REVERSAL, **settings), draws=DRAWS)
    assert refused.value.field == field


def test_a_parameter_the_method_does_not_use_is_ignored() -> None:
    unused = replace(REVERSAL, log_factor=1.0, price_full=9.0, price_zero=1.0)
    assert rank(unused, draws=DRAWS) == rank(REVERSAL, draws=DRAWS)


# --------------------------------------------------------------------------- what-if


def test_what_if_by_value_recomputes_the_totals() -> None:
    chosen = replace(REVERSAL, price_method="value", quality_value=1_000.0)
    document = rank(chosen, draws=DRAWS)
    rows = what_if_totals(document, {"c": 1.0}, 0.0, quality_value=1_000.0)
    assert {r["key"]: r["total"] for r in rows} == pytest.approx(
        {v["key"]: v["total"] for v in document["vendors"]})
    assert price_scores(chosen) == {}


# --------------------------------------------------------------------------- properties


@st.composite
def priced(draw: st.DrawFn, method: str) -> Selection:
    """A random selection with costs for every vendor, priced by `method`."""
    chosen = draw(selections())
    vendors = tuple(
        replace(v, tco=draw(st.floats(1_000, 1_000_000, allow_nan=False)))
        for v in chosen.vendors
    )
    return replace(
        chosen, vendors=vendors, price_method=method,
        price_weight=draw(st.sampled_from([0.0, 0.2, 0.6])),
        price_full=50_000.0, price_zero=900_000.0, log_factor=3.0, quality_value=250_000.0,
        quality_threshold=draw(st.sampled_from([0.0, 0.0, 30.0])),
    )


@PROPERTY
@given(st.sampled_from(["linear_fixed", "value"]).flatmap(priced))
def test_linear_fixed_and_value_never_reverse(selection: Selection) -> None:
    assert ranked(selection)["rank_reversal"] == []


@PROPERTY
@given(st.sampled_from(pricing.PRICE_METHODS).flatmap(priced))
def test_every_method_keeps_its_scores_and_exclusions_in_range(selection: Selection) -> None:
    document = ranked(selection)
    for vendor in document["vendors"]:
        if vendor["price_score"] is not None:
            assert 0.0 <= vendor["price_score"] <= 100.0
        assert vendor["excluded"] == bool(vendor["knockouts_failed"] or vendor["below_threshold"])
        assert vendor["below_threshold"] == (
            round(vendor["quality"], 9) < selection.quality_threshold)
        if selection.price_method == "value":
            tco = {v.key: v.tco for v in selection.vendors}[vendor["key"]]
            expected = tco - selection.quality_value * vendor["quality"] / 100
            assert vendor["fictitious_price"] == pytest.approx(expected)
            assert vendor["total"] == pytest.approx(-expected)
        else:
            assert vendor["fictitious_price"] is None


@PROPERTY
@given(selections())
def test_without_the_new_settings_price_scores_are_those_of_method_1(
    selection: Selection,
) -> None:
    """Method 1: P(v) = min(100, 100 * lowest / TCO) over the vendors not excluded."""
    document = ranked(selection)
    taking_part = {v.key: v.tco for v in selection.vendors if not v.withdrawn}
    bids = [taking_part[v["key"]] for v in document["vendors"]
            if not v["excluded"] and taking_part[v["key"]]]
    for vendor in document["vendors"]:
        assert vendor["below_threshold"] is False
        tco = taking_part[vendor["key"]]
        if selection.price_weight == 0:
            assert vendor["price_score"] is None
        elif not bids or not tco:
            assert vendor["price_score"] == 0.0
        else:
            assert vendor["price_score"] == pytest.approx(min(100.0, 100.0 * min(bids) / tco))
    assert document["price_method"] == "lowest_ratio"


@pytest.mark.parametrize("threshold", [0.0, 50.0])
def test_price_scores_read_from_the_ranking_equal_those_computed_afresh(threshold) -> None:
    """The analysis passes its ranking document, so the scores are not ranked twice."""
    chosen = replace(REVERSAL, quality_threshold=threshold)
    document = rank(chosen, draws=DRAWS)
    assert price_scores(chosen, document) == price_scores(chosen)
    assert price_scores(chosen, document)["a"] == pytest.approx(25.0 if threshold == 0 else 50.0)
