"""Properties of the method on small random selections (Hypothesis).

The number of examples follows the profile loaded in tests/conftest.py
(HYPOTHESIS_PROFILE=ci keeps CI short), capped here to keep local runs quick.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from selector.domain.method import MethodError
from selector.domain.method import active_categories
from selector.domain.method import rank
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

DRAWS = 1_000
EPS = 1e-9
PROPERTY = settings(
    max_examples=min(settings().max_examples, 60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

NAMES = ["Acme", "acme", "Beta", "beta", "Same", "Ünïcode", "Zeta"]
STATUSES = ["accepted", "accepted", "accepted", "proposed", "rejected", "deferred"]


@st.composite
def selections(draw: st.DrawFn) -> Selection:
    """A small selection that passes the selection file's validation rules."""
    categories = tuple(
        Category(f"c{j}", f"Category {j}", draw(st.sampled_from(["business", "it"])))
        for j in range(draw(st.integers(1, 4)))
    )
    keys = [c.key for c in categories]
    requirements = tuple(
        Requirement(
            code=f"R{k}",
            category=draw(st.sampled_from(keys)),
            title=f"Requirement {k}",
            priority=draw(st.sampled_from(["must", "should", "could", "wont"])),
            weight=draw(st.none() | st.sampled_from([0.0, 0.5, 2.0]) | st.floats(0, 10)),
            knockout=draw(st.integers(0, 4)) == 0,
            status=draw(st.sampled_from(STATUSES)),
            knockout_rationale="Argued veto",
        )
        for k in range(draw(st.integers(0, 7)))
    )
    members = tuple(
        Member(f"m{i}@example.org", f"Member {i}", role)
        for i, role in enumerate(
            draw(
                st.lists(st.sampled_from(["business", "it", "facilitator", "sponsor"]), max_size=5)
            )
        )
    )
    weighing = [m.email for m in members if m.role in ("business", "it")]
    allocations = tuple(
        Allocation(member, key, points)
        for member in weighing
        for key in keys
        if (points := draw(st.none() | st.integers(0, 100).map(float))) is not None
    )
    vendors = tuple(
        Vendor(
            f"v{i}",
            draw(st.sampled_from(NAMES)),
            tco=draw(st.none() | st.floats(1_000, 1_000_000)),
            withdrawn=draw(st.integers(0, 5)) == 0,
        )
        for i in range(draw(st.integers(0, 4)))
    )
    scale_max = draw(st.sampled_from([5, 5, 1, 3, 10]))
    scorers = [m.email for m in members if m.role in ("business", "it", "facilitator")]
    codes = [r.code for r in requirements]
    vendor_keys = [v.key for v in vendors]
    scores: tuple[Score, ...] = ()
    consensus: tuple[Consensus, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    if vendor_keys and codes:
        if scorers:
            cells = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(scorers),
                        st.sampled_from(vendor_keys),
                        st.sampled_from(codes),
                        st.integers(0, scale_max),
                        st.sampled_from(["", " ", "Seen in the demo"]),
                    ),
                    max_size=30,
                    unique_by=lambda cell: cell[:3],
                )
            )
            scores = tuple(Score(*cell) for cell in cells)
        agreed = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(vendor_keys),
                    st.sampled_from(codes),
                    st.integers(0, scale_max),
                ),
                max_size=3,
                unique_by=lambda cell: cell[:2],
            )
        )
        consensus = tuple(Consensus(v, r, s, "Agreed in the meeting") for v, r, s in agreed)
        knockouts = [r.code for r in requirements if r.knockout]
        if knockouts:
            judged = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(vendor_keys), st.sampled_from(knockouts), st.booleans()
                    ),
                    max_size=6,
                    unique_by=lambda cell: cell[:2],
                )
            )
            verdicts = tuple(Verdict(v, r, passed) for v, r, passed in judged)
    final = draw(
        st.none()
        | st.fixed_dictionaries({}, optional={k: st.integers(0, 10).map(float) for k in keys})
    )
    return Selection(
        name="Random",
        categories=categories,
        requirements=requirements,
        members=members,
        allocations=allocations,
        vendors=vendors,
        scores=scores,
        consensus=consensus,
        verdicts=verdicts,
        scale_max=scale_max,
        price_weight=draw(st.sampled_from([0.0, 0.0, 0.25, 0.5]) | st.floats(0, 0.95)),
        group_balance=draw(
            st.sampled_from(
                [
                    {"business": 0.5, "it": 0.5},
                    {"business": 0.2, "it": 0.8},
                    {"business": 1.0, "it": 0.0},
                    {"business": 0.0, "it": 0.0},
                ]
            )
        ),
        final_weights=final,
    )


def by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["key"]: v for v in document["vendors"]}


def ranked(selection: Selection) -> dict[str, Any]:
    """rank(), skipping the one selection the method refuses: final weights without points."""
    try:
        return rank(selection, draws=DRAWS)
    except MethodError as refused:
        assert refused.field == "category_weights_final"
        active = set(active_categories(selection))
        assert selection.final_weights
        assert sum(p for c, p in selection.final_weights.items() if c in active) == 0
        assume(False)
        raise


@PROPERTY
@given(selections())
def test_weights_add_up_to_one(selection: Selection) -> None:
    document = ranked(selection)
    weights = document["category_weights"]
    assert set(weights) == set(active_categories(selection))
    if weights:
        assert abs(math.fsum(weights.values()) - 1) < EPS
        assert abs(math.fsum(document["requirement_weights"].values()) - 1) < EPS
    else:
        assert document["requirement_weights"] == {}
        assert document["flip"] == {}
    assert all(w >= 0 for w in weights.values())
    assert all(w >= 0 for w in document["requirement_weights"].values())


@PROPERTY
@given(selections())
def test_numbers_stay_in_their_ranges(selection: Selection) -> None:
    document = ranked(selection)
    for vendor in document["vendors"]:
        assert -EPS <= vendor["total"] <= 100 + EPS
        assert -EPS <= vendor["quality"] <= 100 + EPS
        assert -EPS <= vendor["coverage"] <= 1 + EPS
        assert all(-EPS <= s <= 100 + EPS for s in vendor["category_scores"].values())
        if selection.price_weight > 0:
            assert 0 <= vendor["price_score"] <= 100
        else:
            assert vendor["price_score"] is None
    for flip in document["flip"].values():
        if flip is not None:
            assert 0 <= flip["threshold"] < 1
            assert flip["new_winner"] != document["vendors"][0]["key"]


@PROPERTY
@given(selections())
def test_ranks_p_first_and_document_shape(selection: Selection) -> None:
    document = ranked(selection)
    vendors = document["vendors"]
    taking_part = {v.key for v in selection.vendors if not v.withdrawn}
    assert {v["key"] for v in vendors} == taking_part
    assert [v["rank"] for v in vendors] == list(range(1, len(vendors) + 1))
    excluded = [v["excluded"] for v in vendors]
    assert excluded == sorted(excluded)  # excluded vendors last
    p_first = document["sensitivity"]["p_first"]
    assert set(p_first) == taking_part
    assert all(p_first[v["key"]] == 0 for v in vendors if v["excluded"])
    if not all(excluded):
        assert abs(math.fsum(p_first.values()) - 1) < EPS
    else:
        assert all(share == 0 for share in p_first.values())


@PROPERTY
@given(selections(), st.data())
def test_raising_a_score_never_lowers_the_vendors_total(
    selection: Selection, data: st.DataObject
) -> None:
    assume(selection.scores)
    before = ranked(selection)
    i = data.draw(st.integers(0, len(selection.scores) - 1))
    score = selection.scores[i]
    raised = score._replace(score=data.draw(st.integers(score.score, selection.scale_max)))
    after = rank(
        replace(selection, scores=(*selection.scores[:i], raised, *selection.scores[i + 1 :])),
        draws=DRAWS,
    )
    totals_before = {v["key"]: v["total"] for v in before["vendors"]}
    totals_after = {v["key"]: v["total"] for v in after["vendors"]}
    if score.vendor in totals_before:
        assert totals_after[score.vendor] >= totals_before[score.vendor] - EPS


@PROPERTY
@given(selections(), st.data())
def test_an_excluded_vendor_does_not_change_the_others(
    selection: Selection, data: st.DataObject
) -> None:
    before = ranked(selection)
    category = data.draw(st.sampled_from([c.key for c in selection.categories]))
    knockout = Requirement(
        "KO-NEW", category, "New veto", "must", knockout=True, knockout_rationale="Argued"
    )
    newcomer = Vendor("zz-new", data.draw(st.sampled_from(NAMES)), tco=1.0)  # the cheapest
    wishes = [r.code for r in selection.requirements]
    extra = tuple(
        Score(m.email, newcomer.key, code, selection.scale_max)
        for m in selection.members
        if m.role in ("business", "it")
        for code in wishes
    )
    after = rank(
        replace(
            selection,
            requirements=selection.requirements + (knockout,),
            vendors=selection.vendors + (newcomer,),
            scores=(*selection.scores, *extra),
            verdicts=selection.verdicts + (Verdict(newcomer.key, knockout.code, passed=False),),
        ),
        draws=DRAWS,
    )
    keys = [v["key"] for v in after["vendors"]]
    assert by_key(after)[newcomer.key]["excluded"]
    assert all(v["excluded"] for v in after["vendors"][keys.index(newcomer.key) :])
    others = [v for v in after["vendors"] if v["key"] != newcomer.key]
    assert [v["key"] for v in others] == [v["key"] for v in before["vendors"]]
    for old, new in zip(before["vendors"], others, strict=True):
        assert abs(old["total"] - new["total"]) < EPS
        assert old["excluded"] == new["excluded"]
    for group, order in before["perspectives"].items():
        new_order = after["perspectives"][group]
        assert (order is None) == (new_order is None)
        if order is not None:
            assert [k for k in new_order if k != newcomer.key] == order
    assert after["sensitivity"]["p_first"][newcomer.key] == 0
    for key, share in before["sensitivity"]["p_first"].items():
        assert abs(after["sensitivity"]["p_first"][key] - share) < EPS
    assert after["flip"] == before["flip"]


@PROPERTY
@given(selections(), st.randoms(use_true_random=False))
def test_the_order_of_the_input_lists_changes_nothing(selection: Selection, random) -> None:
    document = ranked(selection)

    def shuffled(items: tuple) -> tuple:
        items = list(items)
        random.shuffle(items)
        return tuple(items)

    final = selection.final_weights
    if final:
        final = dict(shuffled(tuple(final.items())))
    mixed = replace(
        selection,
        **{name: shuffled(getattr(selection, name)) for name in (
            "categories", "requirements", "members", "allocations", "vendors", "scores",
            "consensus", "verdicts")},
        group_balance=dict(shuffled(tuple(selection.group_balance.items()))),
        final_weights=final,
    )
    # Canonical order inside the method: the very same floats and draws.
    assert rank(mixed, draws=DRAWS) == document


@PROPERTY
@given(selections())
def test_what_if_with_the_documents_weights_gives_its_totals(selection: Selection) -> None:
    document = ranked(selection)
    assume(document["category_weights"])
    prices = {v["key"]: v["price_score"] for v in document["vendors"]}
    rows = what_if_totals(document, document["category_weights"], selection.price_weight)
    assert [r["key"] for r in rows] == [v["key"] for v in document["vendors"]]
    vendors = by_key(document)
    for row in rows:
        assert abs(row["total"] - vendors[row["key"]]["total"]) < EPS
        assert row["rank"] == vendors[row["key"]]["rank"]
        assert row["price_score"] == prices[row["key"]]
