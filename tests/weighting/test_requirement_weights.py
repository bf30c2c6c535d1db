"""Explicit requirement weights: who may set them, the reason they need, the shares
shown beside the MoSCoW defaults, and the audit trail."""

from __future__ import annotations

import pytest

from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.weighting import requirement_weights
from selector.services.weighting import set_requirement_weight
from tests.weighting.conftest import BRAM
from tests.weighting.conftest import FENNA
from tests.weighting.conftest import INGRID
from tests.weighting.conftest import MARLOES
from tests.weighting.conftest import acting
from tests.weighting.conftest import audit_entries
from tests.weighting.conftest import snapshot


def shares(db, world, category: str) -> dict[str, tuple[float, float, float]]:
    with acting(db, world, FENNA, write=False) as (session, selection, _, _a):
        for entry in requirement_weights(session, selection):
            if entry.category.key == category:
                return {w.requirement.code: (w.default_raw, w.default_share, w.share)
                        for w in entry.wishes}
    raise AssertionError(category)


def test_moscow_defaults_and_explicit_weights_as_shares(db, world):
    # Service: must (5), should (3) and could with an explicit weight of 2.
    service = shares(db, world, "service")
    assert service["BUS-SVC-01"] == pytest.approx((5, 5 / 9, 5 / 10))
    assert service["BUS-SVC-02"] == pytest.approx((3, 3 / 9, 3 / 10))
    assert service["BUS-SVC-03"] == pytest.approx((1, 1 / 9, 2 / 10))
    # Knock-outs carry no weight: hosting shows its one wish only.
    assert shares(db, world, "hosting") == {"IT-HST-02": pytest.approx((3, 1.0, 1.0))}


def test_the_facilitator_sets_an_explicit_weight_with_a_reason(db, world):
    code = "BUS-SAL-03"
    with acting(db, world, FENNA) as (session, selection, membership, account):
        requirement = set_requirement_weight(
            session, selection, membership, account, world.requirements[code], "4",
            "Lead scoring decides our conversion.", version=1)
        assert (requirement.weight, requirement.version) == (4.0, 2)
    sales = shares(db, world, "sales")
    assert sales[code] == pytest.approx((1, 1 / 11, 4 / 14))
    [entry] = audit_entries(db, "requirement_weight")
    assert entry["key"] == code and entry["actor"] == FENNA
    assert entry["old"] == {"weight": None, "weight_reason": ""}
    assert entry["new"] == {"weight": 4.0, "weight_reason": "Lead scoring decides our conversion."}
    assert entry["reason"] == "Lead scoring decides our conversion."


def test_the_owner_group_may_weigh_its_own_categories_only(db, world):
    with acting(db, world, INGRID) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements["IT-BCK-03"], 2, "Restore tests matter.")
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, INGRID) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements["BUS-SAL-03"], 2, "IT thinks so.")
    assert "owner group" in str(refused.value.message)
    with pytest.raises(ServiceError), \
            acting(db, world, MARLOES) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements["BUS-SAL-03"], 2, "The sponsor thinks so.")
    assert snapshot(db, world) == before


@pytest.mark.parametrize("weight, reason, field", [
    ("3", "  ", "weight_reason"),
    ("-1", "Because.", "weight"),
    ("heavy", "Because.", "weight"),
    ("nan", "Because.", "weight"),
    ("5000", "Because.", "weight"),
])
def test_bad_weights_are_refused_naming_the_field(db, world, weight, reason, field):
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, BRAM) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements["BUS-SAL-03"], weight, reason)
    assert refused.value.field == field
    assert snapshot(db, world) == before


def test_clearing_goes_back_to_the_moscow_default(db, world):
    with acting(db, world, BRAM) as (session, selection, membership, account):
        requirement = set_requirement_weight(
            session, selection, membership, account, world.requirements["BUS-SVC-03"], "",
            "The default is fine after all.")
        assert requirement.weight is None and requirement.weight_reason == ""
    assert shares(db, world, "service")["BUS-SVC-03"] == pytest.approx((1, 1 / 9, 1 / 9))
    [entry] = audit_entries(db, "requirement_weight")
    assert entry["old"]["weight"] == 2 and entry["new"] == {"weight": None, "weight_reason": ""}


def test_a_stale_version_and_another_selections_requirement_are_refused(db, world, example_doc):
    with pytest.raises(Conflict), \
            acting(db, world, FENNA) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements["BUS-SAL-03"], 2, "Because.", version=7)
    from tests.weighting.conftest import build_weighting_selection
    other = build_weighting_selection(db, example_doc)
    with pytest.raises(NotFound), \
            acting(db, world, FENNA) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               other.requirements["BUS-SAL-03"], 2, "Because.")


def _flag_codes(db, world, code: str) -> list[str]:
    import json

    from selector.models import Requirement

    with db.transaction(write=False) as session:
        stored = session.get(Requirement, world.requirements[code]).quality_flags
    return [flag["code"] for flag in json.loads(stored)]


def test_an_explicit_weight_refreshes_the_quality_flags(db, world):
    """Issue 21, item 8: "a must that is neither knock-out nor weighted" goes as the
    weight is set on the weighting page, and comes back when it is cleared."""
    code = "BUS-CV-01"  # a must, no knock-out, no weight
    assert "must_not_knockout_or_weighted" in _flag_codes(db, world, code)
    with acting(db, world, FENNA) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements[code], "8", "The core of the selection.")
    assert "must_not_knockout_or_weighted" not in _flag_codes(db, world, code)
    with acting(db, world, FENNA) as (session, selection, membership, account):
        set_requirement_weight(session, selection, membership, account,
                               world.requirements[code], "", "")
    assert "must_not_knockout_or_weighted" in _flag_codes(db, world, code)
