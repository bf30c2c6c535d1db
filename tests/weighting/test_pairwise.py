"""The pairwise option: derived weights divide the member's points for the domain and
land in the same allocation; incomplete or off-scale judgements save nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.domain import ahp
from selector.models import Allocation
from selector.models import Category
from selector.models import PairwiseJudgement
from selector.services.errors import ServiceError
from selector.services.weighting import pairwise_categories
from selector.services.weighting import save_pairwise
from selector.services.weighting import stored_pairwise
from selector.services.weighting import weighting_state
from tests.weighting.conftest import BRAM
from tests.weighting.conftest import FENNA
from tests.weighting.conftest import INGRID
from tests.weighting.conftest import acting
from tests.weighting.conftest import audit_entries
from tests.weighting.conftest import snapshot

IT_KEYS = ["hosting", "standards", "browsers", "backup", "security"]
# Consistent judgements: weights proportional to (2, 1, 1, 4, 8) / 16 ... on the scale.
RELATIVE = {"hosting": 2, "standards": 1, "browsers": 1, "backup": 4, "security": 8}


def consistent() -> dict[tuple[str, str], str]:
    judgements = {}
    for a, b in ahp.pairs(IT_KEYS):
        ratio = RELATIVE[a] / RELATIVE[b]
        judgements[(a, b)] = str(int(ratio)) if ratio >= 1 else f"1/{int(1 / ratio)}"
    return judgements


def refusal(db, world, email: str, judgements, points=50, domain: str = "it"
            ) -> ServiceError:
    """The error with which `email`'s pairwise comparison is refused."""
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, email) as (session, selection, membership, account):
        save_pairwise(session, selection, membership, account, domain, judgements, points)
    return refused.value


def test_the_domains_active_categories_are_compared(db, world):
    with acting(db, world, INGRID, write=False) as (session, selection, _, _a):
        assert [c.key for c in pairwise_categories(session, selection, "it")] == IT_KEYS
        assert [c.key for c in pairwise_categories(session, selection, "business")] == [
            "sales", "marketing", "service", "customer_view", "reporting"]


def test_derived_weights_divide_the_domain_points_and_feed_the_allocation(db, world):
    with acting(db, world, INGRID) as (session, selection, membership, account):
        outcome = save_pairwise(session, selection, membership, account, "it",
                                consistent(), "64")
    total = sum(RELATIVE.values())
    for key in IT_KEYS:
        assert outcome.points[key] == pytest.approx(64 * RELATIVE[key] / total, abs=1e-9)
    assert outcome.result.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    with db.transaction(write=False) as session:
        points = dict(session.execute(
            select(Category.key, Allocation.points)
            .join(Category, Category.id == Allocation.category_id)
            .where(Allocation.membership_id == world.members[INGRID])).all())
        judgement = session.scalar(select(PairwiseJudgement))
    assert points["security"] == pytest.approx(64 * 8 / 16)
    assert points["sales"] == 5  # the business categories keep Ingrid's points
    assert judgement.domain == "it" and judgement.consistency_ratio == pytest.approx(0, abs=1e-9)
    [pairwise] = audit_entries(db, "pairwise")
    assert pairwise["old"] is None and pairwise["new"]["domain_points"] == 64
    assert len(pairwise["new"]["comparisons"]) == 10
    [allocation] = audit_entries(db, "allocation")
    assert allocation["reason"] == "pairwise"
    assert allocation["old"]["security"] == 15
    assert allocation["new"]["security"] == pytest.approx(32)
    with acting(db, world, INGRID, write=False) as (session, selection, membership, _a):
        assert stored_pairwise(session, membership, "it")[("hosting", "standards")] == 2.0
        assert weighting_state(session, selection).member(membership.id).pairwise == ["it"]


def test_an_inconsistent_judgement_is_saved_with_its_ratio_and_worst_pair(db, world):
    judgements = consistent()
    judgements[("hosting", "security")] = "5"  # consistent would be 1/4
    with acting(db, world, INGRID) as (session, selection, membership, account):
        outcome = save_pairwise(session, selection, membership, account, "it", judgements, 50)
    assert outcome.result.consistency_ratio > ahp.CR_LIMIT
    worst = outcome.result.most_inconsistent
    assert (worst.first, worst.second) == ("hosting", "security")
    assert sum(outcome.points.values()) == pytest.approx(50)


def test_a_missing_comparison_is_refused_naming_the_pair(db, world):
    judgements = consistent()
    del judgements[("browsers", "backup")]
    before = snapshot(db, world)
    refused = refusal(db, world, INGRID, judgements)
    assert refused.field == "pair-browsers-backup"
    assert "Browsers & clients" in str(refused.message)
    assert "Back-up & recovery" in str(refused.message)
    assert snapshot(db, world) == before


def test_a_blank_choice_counts_as_missing(db, world):
    judgements = consistent()
    judgements[("hosting", "standards")] = " "
    refused = refusal(db, world, INGRID, judgements)
    assert refused.field == "pair-hosting-standards"


@pytest.mark.parametrize("value", ["10", "0", "-3", "2.5", "x"])
def test_a_value_off_the_scale_is_refused(db, world, value):
    judgements = consistent()
    judgements[("standards", "browsers")] = value
    before = snapshot(db, world)
    refused = refusal(db, world, INGRID, judgements)
    assert refused.field == "pair-standards-browsers"
    assert "1/9 to 9" in str(refused.message)
    assert snapshot(db, world) == before


@pytest.mark.parametrize("points, field", [("0", "domain_points"), ("-1", "domain_points"),
                                           ("lots", "domain_points")])
def test_the_domain_needs_points(db, world, points, field):
    before = snapshot(db, world)
    refused = refusal(db, world, INGRID, consistent(), points)
    assert refused.field == field
    assert snapshot(db, world) == before


def test_a_category_not_in_the_domain_is_refused(db, world):
    judgements = {**consistent(), ("hosting", "sales"): "3"}
    refused = refusal(db, world, INGRID, judgements)
    assert refused.field == "pair-hosting-sales"


def test_only_weighers_compare_and_only_known_domains(db, world):
    refusal(db, world, FENNA, consistent())
    refused = refusal(db, world, BRAM, {}, domain="finance")
    assert refused.field == "domain"
