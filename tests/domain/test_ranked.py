"""The ranked selection's facts, derived once for the pages, the report and `selector rank`:
on the worked example, and on small selections where one fact is easy to tell by hand."""

from __future__ import annotations

import math

import pytest

from selector.domain.method import group_means
from selector.domain.method import rank
from selector.domain.method import what_if_totals
from selector.domain.ranked import ABOVE
from selector.domain.ranked import BELOW
from selector.domain.ranked import FAILED
from selector.domain.ranked import PASSED
from selector.domain.ranked import UNVERIFIED
from selector.domain.ranked import RankedSelection
from selector.domain.selection import Category
from selector.domain.selection import Member
from selector.domain.selection import Requirement
from selector.domain.selection import Score
from selector.domain.selection import Selection
from selector.domain.selection import Vendor
from selector.domain.selection import Verdict
from tests.conftest import example_selection


@pytest.fixture(scope="module")
def example() -> RankedSelection:
    selection = example_selection()
    return RankedSelection(selection, rank(selection))


def two_vendors(alpha: dict[str, int], beta: dict[str, int], **settings) -> Selection:
    """Categories x and y with one wish each (W = 0.5 each), vendors Alpha and Beta."""
    scores = tuple(Score("m@x", vendor, code, value)
                   for vendor, by_code in (("alpha", alpha), ("beta", beta))
                   for code, value in by_code.items())
    return Selection(
        name="Hand",
        categories=(Category("x", "X", "business"), Category("y", "Y", "it")),
        requirements=(Requirement("X1", "x", "X1", "must"), Requirement("Y1", "y", "Y1", "must"),
                      *settings.pop("requirements", ())),
        members=(Member("m@x", "M", "business"),),
        vendors=(Vendor("alpha", "Alpha"), Vendor("beta", "Beta")),
        scores=scores,
        **settings,
    )


def test_rows_are_the_documents_vendors_with_p_first_and_contributions(example):
    doc = example.ranking
    assert [r.key for r in example.rows] == [v["key"] for v in doc["vendors"]]
    for row, vendor in zip(example.rows, doc["vendors"], strict=True):
        assert (row.rank, row.total, row.quality, row.coverage, row.excluded) == (
            vendor["rank"], vendor["total"], vendor["quality"], vendor["coverage"],
            vendor["excluded"])
        assert row.knockouts_failed == tuple(vendor["knockouts_failed"])
        assert row.p_first == doc["sensitivity"]["p_first"][row.key]
        assert math.isclose(sum(row.contributions.values()), row.total, abs_tol=1e-9)
    assert [r.key for r in example.contenders] == ["northwind", "tulip"]
    assert (example.winner.key, example.runner_up.key) == ("northwind", "tulip")


def test_the_knockout_matrix_is_the_rankings_own_verdict(example):
    matrix = example.knockout_matrix
    assert [k.code for k in matrix.knockouts] == ["IT-HST-01", "IT-BRW-01"]
    assert [v.key for v in matrix.vendors] == ["northwind", "tulip", "polder"]
    states = {key: cell.state for key, cell in matrix.cells.items()}
    assert states == {
        ("northwind", "IT-HST-01"): PASSED, ("northwind", "IT-BRW-01"): PASSED,
        ("tulip", "IT-HST-01"): PASSED, ("tulip", "IT-BRW-01"): UNVERIFIED,
        ("polder", "IT-HST-01"): PASSED, ("polder", "IT-BRW-01"): FAILED,
    }
    assert matrix.cells[("polder", "IT-BRW-01")].evidence.startswith("Requires IE mode")
    assert matrix.cells[("tulip", "IT-BRW-01")].evidence == ""


def test_a_verdict_on_an_inactive_knockout_is_in_no_matrix():
    selection = two_vendors(
        {"X1": 5, "Y1": 5}, {"X1": 3, "Y1": 3},
        requirements=(Requirement("K1", "y", "K1", "must", knockout=True),
                      Requirement("K2", "y", "K2", "wont", knockout=True)),
        verdicts=(Verdict("beta", "K1", False, "No SSO."), Verdict("beta", "K2", False, "")),
    )
    ranked = RankedSelection(selection, rank(selection))
    assert [k.code for k in ranked.knockouts] == ["K1"]
    assert ranked.knockout_matrix.cells == {
        ("alpha", "K1"): (UNVERIFIED, ""), ("beta", "K1"): (FAILED, "No SSO."),
    }
    assert [r.key for r in ranked.contenders] == ["alpha"]


def test_flip_points_in_the_selections_order_and_nearest_first(example):
    assert [f.category for f in example.flip_points] == ["hosting", "backup", "security"]
    assert [f.category for f in example.nearest_flips] == ["backup", "security", "hosting"]
    hosting = example.flip_points[0]
    assert hosting.threshold == example.ranking["flip"]["hosting"]["threshold"]
    assert hosting.weight == example.ranking["category_weights"]["hosting"]
    assert (hosting.direction, hosting.name) == (ABOVE, "Hosting & hardware")
    assert (hosting.new_winner, hosting.new_winner_name) == ("tulip", "Tulip Cloud CRM")
    assert len(example.stable_categories) == 7 and "sales" in example.stable_categories


def test_the_direction_of_a_flip_point_away_from_the_weight_now():
    # W = (0.5, 0.5). Alpha: S = (80, 40); Beta: S = (40, 60). Beta comes first when x
    # falls below 1/3 or y rises above 2/3 (see test_method_example).
    selection = two_vendors({"X1": 4, "Y1": 2}, {"X1": 2, "Y1": 3})
    ranked = RankedSelection(selection, rank(selection))
    assert {f.category: f.direction for f in ranked.flip_points} == {"x": BELOW, "y": ABOVE}


def test_level_with_the_winner_the_slope_gives_the_direction():
    # Both total 60 (Alpha first by name); the flip points are the weights now, 0.5. Beta
    # gains when x's weight falls (Alpha is the stronger in x) and when y's rises.
    selection = two_vendors({"X1": 4, "Y1": 2}, {"X1": 2, "Y1": 4})
    ranked = RankedSelection(selection, rank(selection))
    assert [(f.category, f.threshold, f.weight) for f in ranked.flip_points] == [
        ("x", 0.5, 0.5), ("y", 0.5, 0.5)]
    assert {f.category: f.direction for f in ranked.flip_points} == {"x": BELOW, "y": ABOVE}


def test_no_flip_points_without_a_runner_up():
    selection = two_vendors({"X1": 4, "Y1": 2}, {"X1": 2, "Y1": 4},
                            requirements=(Requirement("K1", "y", "K1", "must", knockout=True),),
                            verdicts=(Verdict("beta", "K1", False, ""),))
    ranked = RankedSelection(selection, rank(selection))
    assert ranked.flip_points == () and ranked.stable_categories == ("x", "y")
    assert ranked.runner_up is None


def test_perspectives_of_the_example(example):
    views = example.perspectives
    doc = example.ranking
    assert [e.key for e in views.business] == doc["perspectives"]["business"]
    assert [e.key for e in views.it] == doc["perspectives"]["it"]
    assert [e.key for e in views.joint] == [v["key"] for v in doc["vendors"]]
    assert views.winners == {"business": "northwind", "joint": "northwind", "it": "tulip"}
    assert views.agreement == "disagree"
    # The totals beside each order are the engine's what-if totals for the group's weights.
    means = group_means(example.selection)
    for group in ("business", "it"):
        totals = {r["key"]: r["total"] for r in what_if_totals(doc, means[group], 0.0)}
        assert {e.key: e.total for e in getattr(views, group)} == totals


def test_without_allocations_there_are_no_group_perspectives():
    selection = two_vendors({"X1": 4, "Y1": 2}, {"X1": 2, "Y1": 3})
    views = RankedSelection(selection, rank(selection)).perspectives
    assert (views.business, views.it, views.agreement) == (None, None, "none")
    assert views.winners == {"business": None, "joint": "alpha", "it": None}
