"""The method against the worked example and against small hand-computed selections."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from selector.domain.method import MethodError
from selector.domain.method import active_categories
from selector.domain.method import aggregated_scores
from selector.domain.method import combined_weights
from selector.domain.method import contributions
from selector.domain.method import disagreement
from selector.domain.method import divergence
from selector.domain.method import group_means
from selector.domain.method import member_weights
from selector.domain.method import panel_health
from selector.domain.method import price_scores
from selector.domain.method import rank
from selector.domain.method import requirement_weights_in_category
from selector.domain.method import what_if_totals
from selector.domain.selection import Allocation
from selector.domain.selection import Category
from selector.domain.selection import Consensus
from selector.domain.selection import Member
from selector.domain.selection import Requirement
from selector.domain.selection import Score
from selector.domain.selection import Selection
from selector.domain.selection import Vendor
from selector.domain.selection import Verdict
from tests.conftest import EXAMPLE_RANKING
from tests.conftest import assert_ranking_matches
from tests.conftest import example_selection


@pytest.fixture(scope="module")
def example() -> Selection:
    return example_selection()


@pytest.fixture(scope="module")
def example_ranking(example: Selection) -> dict[str, Any]:
    return rank(example)


def test_example_ranking_equals_the_expected_document(example_ranking: dict[str, Any]) -> None:
    expected = json.loads(EXAMPLE_RANKING.read_text("utf-8"))
    assert_ranking_matches(example_ranking, expected, keys_in_order=True)
    assert [v["key"] for v in example_ranking["vendors"]] == ["northwind", "tulip", "polder"]


def test_example_ranking_is_json_and_reproducible(
    example: Selection, example_ranking: dict[str, Any]
) -> None:
    assert json.loads(json.dumps(example_ranking)) == example_ranking
    assert rank(example) == example_ranking


# --------------------------------------------------------------------------- helpers


def selection(
    *,
    categories: tuple[Category, ...] = (Category("x", "X", "business"),),
    requirements: tuple[Requirement, ...] = (Requirement("R1", "x", "R1", "must"),),
    vendors: tuple[Vendor, ...] = (),
    scores: tuple[Score, ...] = (),
    **settings: Any,
) -> Selection:
    return Selection(
        name="Hand",
        categories=categories,
        requirements=requirements,
        vendors=vendors,
        scores=scores,
        **settings,
    )


def two_categories(**settings: Any) -> Selection:
    settings.setdefault(
        "requirements",
        (Requirement("X1", "x", "X1", "must"), Requirement("Y1", "y", "Y1", "must")),
    )
    return selection(
        categories=(Category("x", "X", "business"), Category("y", "Y", "it")), **settings
    )


def by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["key"]: v for v in document["vendors"]}


def scores_for(vendor: str, **by_code: int) -> tuple[Score, ...]:
    return tuple(Score("m@x", vendor, code, score) for code, score in by_code.items())


# --------------------------------------------------------------------------- section 2


def test_explicit_weight_replaces_the_moscow_points() -> None:
    chosen = selection(
        requirements=(
            Requirement("A", "x", "A", "must"),  # 5
            Requirement("B", "x", "B", "could", weight=2.0),  # explicit 2, not 1
            Requirement("C", "x", "C", "should"),  # 3
            Requirement("D", "x", "D", "must", weight=0.0),  # explicit 0, not 5
        )
    )
    assert requirement_weights_in_category(chosen) == pytest.approx(
        {"A": 0.5, "B": 0.2, "C": 0.3, "D": 0.0}
    )
    document = rank(chosen)
    assert document["requirement_weights"] == pytest.approx(
        {"A": 0.5, "B": 0.2, "C": 0.3, "D": 0.0}
    )
    assert list(document["requirement_weights"]) == ["A", "B", "C", "D"]


def test_wont_proposed_rejected_deferred_and_knockouts_are_no_wishes() -> None:
    chosen = two_categories(
        requirements=(
            Requirement("X1", "x", "X1", "should"),
            Requirement("X2", "x", "X2", "wont"),
            Requirement("X3", "x", "X3", "must", status="proposed"),
            Requirement("X4", "x", "X4", "must", status="rejected"),
            Requirement("X5", "x", "X5", "must", status="deferred"),
            Requirement("X6", "x", "X6", "must", knockout=True, knockout_rationale="veto"),
            # y has only a proposed requirement: inactive.
            Requirement("Y1", "y", "Y1", "must", status="proposed"),
        ),
        vendors=(Vendor("a", "A"),),
        scores=scores_for("a", X1=5, X2=0, X3=0, Y1=0),
    )
    document = rank(chosen)
    assert document["requirement_weights"] == {"X1": 1.0}
    assert document["category_weights"] == {"x": 1.0}
    assert active_categories(chosen) == ["x"]
    vendor = document["vendors"][0]
    assert vendor["category_scores"] == {"x": 100.0}
    assert vendor["knockouts_unverified"] == ["X6"]
    assert document["flip"] == {"x": None}


# --------------------------------------------------------------------------- section 4


def test_consensus_overrides_the_members_mean() -> None:
    members_only = selection(
        vendors=(Vendor("a", "A"),),
        scores=(Score("m1", "a", "R1", 2), Score("m2", "a", "R1", 4)),
    )
    assert aggregated_scores(members_only) == {("a", "R1"): 3.0}
    assert rank(members_only)["vendors"][0]["quality"] == pytest.approx(60.0)

    agreed = replace(members_only, consensus=(Consensus("a", "R1", 5, "Demo showed it"),))
    assert aggregated_scores(agreed) == {("a", "R1"): 5.0}
    assert rank(agreed)["vendors"][0]["quality"] == pytest.approx(100.0)


def test_missing_score_counts_zero_and_lowers_coverage() -> None:
    chosen = two_categories(
        requirements=(
            Requirement("X1", "x", "X1", "must"),  # w = 5/8
            Requirement("X2", "x", "X2", "should"),  # w = 3/8, not scored
            Requirement("Y1", "y", "Y1", "must"),
        ),
        vendors=(Vendor("a", "A"),),
        scores=scores_for("a", X1=4, Y1=5),
    )
    vendor = rank(chosen)["vendors"][0]
    # Nobody allocated: equal weights 0.5 and 0.5.
    assert vendor["category_scores"]["x"] == pytest.approx(100 * 5 / 8 * 4 / 5)  # 50
    assert vendor["category_scores"]["y"] == pytest.approx(100.0)
    assert vendor["quality"] == pytest.approx(0.5 * 50 + 0.5 * 100)
    assert vendor["coverage"] == pytest.approx(0.5 * 5 / 8 + 0.5 * 1.0)  # 0.8125


# --------------------------------------------------------------------------- section 5


def test_price_score_with_a_price_weight() -> None:
    chosen = selection(
        requirements=(
            Requirement("R1", "x", "R1", "must"),
            Requirement("KO", "x", "KO", "must", knockout=True, knockout_rationale="veto"),
        ),
        vendors=(
            Vendor("a", "A", tco=100_000.0),
            Vendor("b", "B", tco=200_000.0),
            Vendor("c", "C", tco=50_000.0),  # cheapest, but excluded
            Vendor("d", "D", tco=None),
            Vendor("w", "W", tco=10_000.0, withdrawn=True),  # takes no part at all
        ),
        scores=scores_for("a", R1=3)
        + scores_for("b", R1=5)
        + scores_for("c", R1=5)
        + scores_for("d", R1=5),
        verdicts=(Verdict("c", "KO", passed=False), Verdict("a", "KO", passed=True)),
        price_weight=0.25,
    )
    document = rank(chosen)
    vendors = by_key(document)
    assert [v["key"] for v in document["vendors"]] == ["b", "d", "a", "c"]
    assert vendors["a"]["price_score"] == pytest.approx(100.0)
    assert vendors["b"]["price_score"] == pytest.approx(50.0)
    assert vendors["c"]["price_score"] == pytest.approx(100.0)  # capped
    assert vendors["d"]["price_score"] == 0.0
    assert vendors["a"]["total"] == pytest.approx(0.75 * 60 + 0.25 * 100)  # 70
    assert vendors["b"]["total"] == pytest.approx(0.75 * 100 + 0.25 * 50)  # 87.5
    assert vendors["c"]["total"] == pytest.approx(0.75 * 100 + 0.25 * 100)
    assert vendors["d"]["total"] == pytest.approx(75.0)
    assert vendors["c"]["excluded"] and vendors["c"]["knockouts_failed"] == ["KO"]
    assert vendors["b"]["knockouts_unverified"] == ["KO"]
    assert vendors["a"]["knockouts_unverified"] == []
    assert price_scores(chosen) == pytest.approx({"a": 100.0, "b": 50.0, "c": 100.0, "d": 0.0})
    # One category: every draw is the same, so the leader wins them all.
    assert document["sensitivity"]["p_first"] == {"a": 0.0, "b": 1.0, "c": 0.0, "d": 0.0}
    assert "w" not in vendors and "w" not in document["sensitivity"]["p_first"]


def test_price_score_is_null_without_a_price_weight() -> None:
    chosen = selection(vendors=(Vendor("a", "A", tco=1.0),), scores=scores_for("a", R1=5))
    assert rank(chosen)["vendors"][0]["price_score"] is None


def test_price_scores_zero_when_no_vendor_taking_part_has_a_tco() -> None:
    chosen = selection(vendors=(Vendor("a", "A"), Vendor("b", "B")), price_weight=0.5)
    document = rank(chosen)
    assert [v["price_score"] for v in document["vendors"]] == [0.0, 0.0]


# --------------------------------------------------------------------------- section 3


def weighted(allocations: tuple[Allocation, ...], **settings: Any) -> Selection:
    members = (
        Member("b1", "B1", "business"),
        Member("b2", "B2", "business"),
        Member("i1", "I1", "it"),
        Member("s1", "S1", "sponsor"),
    )
    return two_categories(members=members, allocations=allocations, **settings)


BUSINESS_POINTS = (
    Allocation("b1", "x", 30),
    Allocation("b1", "y", 10),  # (0.75, 0.25)
    Allocation("b2", "x", 10),
    Allocation("b2", "y", 10),  # (0.5, 0.5)
)


def test_group_balance_renormalised_when_one_group_has_no_allocation() -> None:
    chosen = weighted(
        # i1 only gives points to an unknown category: left out.
        BUSINESS_POINTS + (Allocation("i1", "nope", 50), Allocation("s1", "x", 100)),
        group_balance={"business": 0.2, "it": 0.8},
    )
    means = group_means(chosen)
    assert means["business"] == pytest.approx({"x": 0.625, "y": 0.375})
    assert means["it"] is None
    assert combined_weights(chosen) == pytest.approx({"x": 0.625, "y": 0.375})
    document = rank(chosen)
    assert document["category_weights"] == pytest.approx({"x": 0.625, "y": 0.375})
    assert document["perspectives"]["it"] is None
    assert document["perspectives"]["business"] == []


def test_member_weights_are_each_members_own_split_whose_mean_is_the_group_mean() -> None:
    chosen = weighted(
        # i1: points on an unknown category only (left out); s1, a sponsor, never weighs.
        BUSINESS_POINTS + (Allocation("i1", "nope", 50), Allocation("s1", "x", 100)),
    )
    assert member_weights(chosen) == {"b1": {"x": 0.75, "y": 0.25}, "b2": {"x": 0.5, "y": 0.5}}
    assert list(member_weights(replace(chosen, allocations=BUSINESS_POINTS[2:]))) == ["b2"]


def test_group_balance_weighs_the_groups_not_the_heads() -> None:
    chosen = weighted(
        BUSINESS_POINTS + (Allocation("i1", "y", 50),),
        group_balance={"business": 0.2, "it": 0.8},
    )
    assert combined_weights(chosen) == pytest.approx(
        {"x": 0.2 * 0.625, "y": 0.2 * 0.375 + 0.8 * 1.0}
    )


def test_nobody_allocated_gives_equal_weights() -> None:
    assert combined_weights(weighted(())) == {"x": 0.5, "y": 0.5}


def test_final_weights_replace_the_combined_weights() -> None:
    chosen = weighted(BUSINESS_POINTS, final_weights={"x": 1.0, "y": 3.0, "unknown": 100.0})
    assert combined_weights(chosen) == pytest.approx({"x": 0.25, "y": 0.75})
    document = rank(chosen)
    assert document["category_weights"] == pytest.approx({"x": 0.25, "y": 0.75})
    # The perspectives still show what each group wanted.
    assert document["perspectives"]["business"] == []


@pytest.mark.parametrize("final", [{"x": 0.0, "y": 0.0}, {"inactive": 5.0}])
def test_final_weights_without_points_on_active_categories_are_refused(
    final: dict[str, float],
) -> None:
    chosen = weighted(BUSINESS_POINTS, final_weights=final)
    with pytest.raises(MethodError, match="category_weights_final") as refused:
        rank(chosen)
    assert refused.value.field == "category_weights_final"
    with pytest.raises(MethodError, match="category_weights_final"):
        combined_weights(chosen)


def test_empty_final_weights_mean_none() -> None:
    assert combined_weights(weighted(BUSINESS_POINTS, final_weights={})) == pytest.approx(
        {"x": 0.625, "y": 0.375}
    )


# --------------------------------------------------------------------------- section 6


def test_tie_on_total_broken_by_quality() -> None:
    chosen = selection(
        vendors=(Vendor("a", "A", tco=100.0), Vendor("b", "B", tco=125.0)),
        scores=scores_for("a", R1=2) + scores_for("b", R1=3),
        price_weight=0.5,
    )
    document = rank(chosen)
    vendors = by_key(document)
    # a: 0.5 * 40 + 0.5 * 100 = 70; b: 0.5 * 60 + 0.5 * 80 = 70; b has the better quality.
    assert vendors["a"]["total"] == pytest.approx(70.0)
    assert vendors["b"]["total"] == pytest.approx(70.0)
    assert [v["key"] for v in document["vendors"]] == ["b", "a"]
    assert [v["rank"] for v in document["vendors"]] == [1, 2]


def test_tie_on_total_and_quality_broken_by_name_by_code_point_then_key() -> None:
    vendors = (
        Vendor("z", "acme"),
        Vendor("y", "Beta"),
        Vendor("b", "Same"),
        Vendor("a", "Same"),
    )
    chosen = selection(
        vendors=vendors,
        scores=sum((scores_for(v.key, R1=4) for v in vendors), ()),
    )
    document = rank(chosen)
    assert [v["key"] for v in document["vendors"]] == ["y", "a", "b", "z"]
    assert document["perspectives"] == {"business": None, "it": None}


def test_totals_are_compared_after_rounding_to_nine_decimals() -> None:
    document = {
        "category_weights": {"x": 1.0},
        "vendors": [
            {
                "key": "b",
                "name": "B",
                "excluded": False,
                "price_score": None,
                "category_scores": {"x": 50.0 + 1e-11},
            },
            {
                "key": "a",
                "name": "A",
                "excluded": False,
                "price_score": None,
                "category_scores": {"x": 50.0},
            },
        ],
    }
    assert [v["key"] for v in what_if_totals(document, {"x": 1.0}, 0.0)] == ["a", "b"]


def test_withdrawn_vendor_is_left_out() -> None:
    chosen = selection(
        vendors=(Vendor("gone", "Gone", withdrawn=True), Vendor("a", "A")),
        scores=scores_for("gone", R1=5) + scores_for("a", R1=1),
    )
    document = rank(chosen)
    assert [v["key"] for v in document["vendors"]] == ["a"]
    assert document["sensitivity"]["p_first"] == {"a": 1.0}
    assert aggregated_scores(chosen) == {("a", "R1"): 1.0}
    assert disagreement(chosen)[0].vendor == "a"


def test_no_active_category_total_is_price_only() -> None:
    chosen = selection(
        requirements=(Requirement("R1", "x", "R1", "wont"),),
        vendors=(Vendor("a", "A", tco=200.0), Vendor("b", "B", tco=100.0)),
        price_weight=0.4,
    )
    document = rank(chosen)
    assert document["category_weights"] == {}
    assert document["requirement_weights"] == {}
    assert document["flip"] == {}
    assert [(v["key"], v["quality"], v["total"]) for v in document["vendors"]] == [
        ("b", 0.0, pytest.approx(40.0)),
        ("a", 0.0, pytest.approx(20.0)),
    ]
    assert all(v["category_scores"] == {} and v["coverage"] == 0.0 for v in document["vendors"])
    assert document["sensitivity"]["p_first"] == {"a": 0.0, "b": 1.0}


@pytest.mark.parametrize(
    "chosen",
    [
        Selection(name="Empty"),
        selection(),  # no vendors
        selection(requirements=(), vendors=(Vendor("a", "A"), Vendor("b", "B"))),
        selection(vendors=(Vendor("a", "A"), Vendor("b", "B"))),  # no scores
        selection(
            requirements=(
                Requirement("R1", "x", "R1", "must"),
                Requirement("KO", "x", "KO", "must", knockout=True, knockout_rationale="v"),
            ),
            vendors=(Vendor("a", "A", tco=5.0), Vendor("b", "B", tco=7.0)),
            verdicts=(Verdict("a", "KO", False), Verdict("b", "KO", False)),
            price_weight=0.3,
        ),
    ],
    ids=["empty", "no-vendors", "no-requirements", "no-scores", "all-excluded"],
)
def test_edge_cases_give_a_document(chosen: Selection) -> None:
    document = rank(chosen)
    assert json.loads(json.dumps(document)) == document
    assert [v["rank"] for v in document["vendors"]] == list(range(1, len(chosen.vendors) + 1))
    assert sum(document["sensitivity"]["p_first"].values()) in (0.0, 1.0)
    assert document["sensitivity"]["draws"] == 10_000
    assert all(flip is None for flip in document["flip"].values())
    assert divergence(chosen) is not None and panel_health(chosen) == []
    assert disagreement(chosen) == []


def test_all_excluded_vendors_get_no_share() -> None:
    chosen = selection(
        requirements=(
            Requirement("R1", "x", "R1", "must"),
            Requirement("KO", "x", "KO", "must", knockout=True, knockout_rationale="v"),
        ),
        vendors=(Vendor("a", "A"), Vendor("b", "B")),
        scores=scores_for("a", R1=2) + scores_for("b", R1=3),
        verdicts=(Verdict("a", "KO", False), Verdict("b", "KO", False)),
    )
    document = rank(chosen)
    assert [v["key"] for v in document["vendors"]] == ["b", "a"]
    assert document["sensitivity"]["p_first"] == {"a": 0.0, "b": 0.0}


# --------------------------------------------------------------------------- section 8


def flip_pair(a: dict[str, int], b: dict[str, int]) -> Selection:
    return two_categories(
        vendors=(Vendor("a", "A"), Vendor("b", "B")),
        scores=scores_for("a", **a) + scores_for("b", **b),
    )


def test_flip_points_of_two_vendors() -> None:
    # W = (0.5, 0.5). A: S = (80, 40), Q = 60. B: S = (40, 60), Q = 50.
    # x at weight t (y gets 1 - t): A = 40 + 40t, B = 60 - 20t, d = 20 - 60t, t* = 1/3,
    #   b < 0 and 0 < 1/3 <= 0.5: B wins when x falls below 1/3.
    # y at weight t: A = 80 - 40t, B = 40 + 20t, d = -40 + 60t, t* = 2/3,
    #   b > 0 and 0.5 <= 2/3 < 1: B wins when y rises above 2/3.
    document = rank(flip_pair({"X1": 4, "Y1": 2}, {"X1": 2, "Y1": 3}))
    assert [v["key"] for v in document["vendors"]] == ["a", "b"]
    assert document["flip"]["x"]["threshold"] == pytest.approx(1 / 3, abs=1e-12)
    assert document["flip"]["y"]["threshold"] == pytest.approx(2 / 3, abs=1e-12)
    assert document["flip"]["x"]["new_winner"] == document["flip"]["y"]["new_winner"] == "b"
    p_first = document["sensitivity"]["p_first"]
    assert p_first["a"] + p_first["b"] == pytest.approx(1.0)
    assert p_first["a"] > 0.9  # with concentration 100, x rarely falls below 1/3


def test_flip_point_of_a_vendor_level_with_the_winner_is_the_current_weight() -> None:
    # Both total 60; A is first by name. Any move away from 0.5 puts one of them ahead.
    document = rank(flip_pair({"X1": 4, "Y1": 2}, {"X1": 2, "Y1": 4}))
    assert [v["key"] for v in document["vendors"]] == ["a", "b"]
    assert document["flip"] == {
        "x": {"threshold": 0.5, "new_winner": "b"},
        "y": {"threshold": 0.5, "new_winner": "b"},
    }


def test_no_flip_point_when_the_winner_leads_everywhere_or_has_one_category() -> None:
    document = rank(flip_pair({"X1": 5, "Y1": 5}, {"X1": 2, "Y1": 3}))
    assert document["flip"] == {"x": None, "y": None}
    single = selection(
        vendors=(Vendor("a", "A"), Vendor("b", "B")),
        scores=scores_for("a", R1=5) + scores_for("b", R1=3),
    )
    assert rank(single)["flip"] == {"x": None}  # W(x) = 1


def three_wishes_in_y(a: dict[str, int], b: dict[str, int]) -> Selection:
    """Categories x (one wish) and y (three wishes), W = (0.5, 0.5)."""
    return two_categories(
        requirements=(Requirement("X1", "x", "X1", "must"),
                      *(Requirement(f"Y{i}", "y", f"Y{i}", "must") for i in (1, 2, 3))),
        vendors=(Vendor("a", "A"), Vendor("b", "B")),
        scores=scores_for("a", **a) + scores_for("b", **b),
    )


def test_a_flip_point_within_1e9_of_one_is_no_flip_point() -> None:
    # y: A and B both score 4 in sum, S(y) = 26.67 each; x: A 5, B 3. Only y alone (t = 1)
    # would make them level; the rounding of R(v) put t* at 1 - 2e-16 ("rises above 100%").
    document = rank(three_wishes_in_y({"X1": 5, "Y1": 0, "Y2": 0, "Y3": 4},
                                      {"X1": 3, "Y1": 0, "Y2": 1, "Y3": 3}))
    scores = {v["key"]: v["category_scores"]["y"] for v in document["vendors"]}
    assert scores["a"] == scores["b"]
    assert document["flip"] == {"x": None, "y": None}


def test_a_flip_point_within_1e9_of_zero_is_no_flip_point() -> None:
    # Level on y; x gone (t = 0) would make them level: t* = 1e-16 ("falls below 0%").
    document = rank(three_wishes_in_y({"X1": 4, "Y1": 0, "Y2": 0, "Y3": 4},
                                      {"X1": 1, "Y1": 0, "Y2": 1, "Y3": 3}))
    assert [v["key"] for v in document["vendors"]] == ["a", "b"]
    assert document["flip"] == {"x": None, "y": None}


# --------------------------------------------------------------------------- what-if


def test_what_if_with_the_documents_own_weights_gives_its_totals(
    example_ranking: dict[str, Any],
) -> None:
    rows = what_if_totals(example_ranking, example_ranking["category_weights"], 0.0)
    assert [r["key"] for r in rows] == [v["key"] for v in example_ranking["vendors"]]
    for row, vendor in zip(rows, example_ranking["vendors"], strict=True):
        assert row["total"] == pytest.approx(vendor["total"], abs=1e-9)
        assert row["quality"] == pytest.approx(vendor["quality"], abs=1e-9)
        assert row["rank"] == vendor["rank"]
        assert row["excluded"] == vendor["excluded"]


def test_what_if_moves_the_winner_past_the_flip_point(example_ranking: dict[str, Any]) -> None:
    weights = dict(example_ranking["category_weights"])
    hosting_now = weights["hosting"]
    flip = example_ranking["flip"]["hosting"]["threshold"]
    t = flip + 0.01
    points = {c: w * (1 - t) / (1 - hosting_now) for c, w in weights.items()}
    points["hosting"] = t
    assert what_if_totals(example_ranking, points, 0.0)[0]["key"] == "tulip"
    t = flip - 0.01
    points = {c: w * (1 - t) / (1 - hosting_now) for c, w in weights.items()}
    points["hosting"] = t
    assert what_if_totals(example_ranking, points, 0.0)[0]["key"] == "northwind"


def test_what_if_with_a_price_weight_needs_price_scores(example: Selection) -> None:
    document = rank(example)
    with pytest.raises(MethodError, match="price_weight"):
        what_if_totals(document, document["category_weights"], 0.3)
    priced = replace(example, price_weight=0.3)
    expected = rank(priced)
    rows = what_if_totals(document, document["category_weights"], 0.3, price_scores(example))
    assert [r["key"] for r in rows] == [v["key"] for v in expected["vendors"]]
    for row, vendor in zip(rows, expected["vendors"], strict=True):
        assert row["total"] == pytest.approx(vendor["total"], abs=1e-9)
        assert row["price_score"] == pytest.approx(vendor["price_score"])


def test_what_if_refuses_weights_without_points(example_ranking: dict[str, Any]) -> None:
    with pytest.raises(MethodError, match="weights"):
        what_if_totals(example_ranking, {}, 0.0)


def test_contributions_add_up_to_the_total(example: Selection) -> None:
    document = rank(example)
    parts = contributions(example, document)
    for vendor in document["vendors"]:
        assert None not in parts[vendor["key"]]
        assert sum(parts[vendor["key"]].values()) == pytest.approx(vendor["total"])
    priced = replace(example, price_weight=0.2)
    document = rank(priced)
    parts = contributions(priced, document)
    for vendor in document["vendors"]:
        assert parts[vendor["key"]][None] == pytest.approx(0.2 * vendor["price_score"])
        assert sum(parts[vendor["key"]].values()) == pytest.approx(vendor["total"])


# --------------------------------------------------------------------------- section 9


def test_divergence_marks_differences_of_ten_points() -> None:
    chosen = Selection(
        name="Hand",
        categories=(
            Category("x", "X", "business"),
            Category("y", "Y", "business"),
            Category("z", "Z", "it"),
        ),
        requirements=tuple(Requirement(k.upper(), k, k, "must") for k in "xyz"),
        members=(Member("b", "B", "business"), Member("i", "I", "it")),
        allocations=(
            Allocation("b", "x", 60),
            Allocation("b", "y", 40),
            Allocation("i", "x", 50),
            Allocation("i", "y", 45),
            Allocation("i", "z", 5),
        ),
    )
    rows = {d.category: d for d in divergence(chosen)}
    assert list(rows) == ["x", "y", "z"]
    # 0.6 - 0.5 is 0.09999999999999998 in floating point: still a discussion point.
    assert rows["x"].difference == pytest.approx(0.10)
    assert rows["x"].discussion_point
    assert rows["y"].business == pytest.approx(0.4) and rows["y"].it == pytest.approx(0.45)
    assert rows["y"].difference == pytest.approx(-0.05) and not rows["y"].discussion_point
    assert rows["z"].difference == pytest.approx(-0.05) and not rows["z"].discussion_point

    row = divergence(replace(chosen, allocations=chosen.allocations[:2]))[0]
    assert row.business == pytest.approx(0.6)
    assert (row.it, row.difference, row.discussion_point) == (None, None, False)


def test_disagreement_lists_the_widest_spread_first() -> None:
    chosen = selection(
        requirements=(
            Requirement("W1", "x", "W1", "must"),
            Requirement("W2", "x", "W2", "must"),
            Requirement("KO", "x", "KO", "must", knockout=True, knockout_rationale="v"),
        ),
        members=(Member("m2", "M2", "it"), Member("m1", "M1", "business")),
        vendors=(Vendor("a", "A"), Vendor("b", "B")),
        scores=(
            Score("m1", "b", "W1", 5),
            Score("m1", "a", "W2", 3),
            Score("m2", "a", "W2", 3),
            Score("m1", "a", "W1", 1),
            Score("m2", "a", "W1", 4),
            Score("m1", "a", "KO", 0),  # a knock-out is not scored
        ),
    )
    spreads = disagreement(chosen)
    assert [(s.vendor, s.requirement, s.range) for s in spreads] == [
        ("a", "W1", 3),
        ("a", "W2", 0),
        ("b", "W1", 0),
    ]
    first = spreads[0]
    assert first.scores == {"m2": 4, "m1": 1}
    assert list(first.scores) == ["m2", "m1"]  # the selection's member order
    assert (first.min, first.max, first.discussion_point) == (1, 4, True)
    assert not spreads[1].discussion_point


def health_selection() -> Selection:
    return Selection(
        name="Hand",
        categories=(Category("x", "X", "business"), Category("y", "Y", "it")),
        requirements=(
            Requirement("W1", "x", "W1", "must"),
            Requirement("W2", "x", "W2", "should"),
            Requirement("W3", "y", "W3", "must"),
            Requirement("KO", "y", "KO", "must", knockout=True, knockout_rationale="v"),
        ),
        members=(
            Member("fac", "Fac", "facilitator"),
            Member("m1", "M1", "business"),
            Member("m2", "M2", "it"),
            Member("sp", "Sp", "sponsor"),
        ),
        vendors=(Vendor("a", "A"), Vendor("b", "B"), Vendor("w", "W", withdrawn=True)),
        scores=(
            Score("m1", "a", "W1", 5, ""),  # unargued extreme
            Score("m1", "b", "W1", 5, ""),  # unargued extreme, identical to a's
            Score("m1", "a", "W2", 0, "No workflow at all in the demo"),  # argued
            Score("m1", "a", "W3", 1, "  "),  # unargued extreme, outside m1's categories
            Score("m1", "b", "W3", 2, ""),
            Score("m1", "w", "W2", 5, ""),  # withdrawn vendor: not counted
            Score("m1", "a", "KO", 0, ""),  # knock-out: not counted
            Score("sp", "a", "W1", 3, ""),  # a sponsor is not on the panel
        ),
    )


def test_panel_health_by_hand() -> None:
    rows = {h.member: h for h in panel_health(health_selection())}
    assert list(rows) == ["m1", "m2"]  # the facilitator did not score
    m1 = rows["m1"]
    assert m1.categories == ("x",)
    assert (m1.expected_pairs, m1.scored_pairs, m1.completion) == (4, 3, 0.75)
    # W1 (5, 5) identical; W3 (1, 2) not; W2 scored for one vendor only.
    assert (m1.repeated_requirements, m1.identical_requirements, m1.identical_share) == (
        2,
        1,
        0.5,
    )
    assert (m1.scores, m1.unargued_extremes, m1.unargued_extreme_share) == (5, 3, 0.6)
    m2 = rows["m2"]
    assert (m2.categories, m2.expected_pairs, m2.scored_pairs, m2.completion) == (
        ("y",),
        2,
        0,
        0.0,
    )
    assert (m2.identical_share, m2.unargued_extreme_share) == (None, None)


def test_panel_health_with_assignments_and_a_scoring_facilitator() -> None:
    chosen = health_selection()
    chosen = replace(chosen, scores=(*chosen.scores, Score("fac", "a", "W1", 3, "")))
    rows = {h.member: h for h in panel_health(chosen, {"m1": ["y"]})}
    assert list(rows) == ["fac", "m1", "m2"]
    assert (rows["m1"].expected_pairs, rows["m1"].scored_pairs) == (2, 2)
    assert rows["m1"].completion == 1.0
    assert rows["fac"].categories == ("x", "y")
    assert (rows["fac"].expected_pairs, rows["fac"].scored_pairs) == (6, 1)
    assert rows["m2"].expected_pairs == 2  # not named: the default assignment
