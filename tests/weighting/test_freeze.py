"""The facilitator's part: group balance, final weights with a rationale, the freeze
(after which everything is read-only), reopening, and scoring that waits for the freeze."""

from __future__ import annotations

from dataclasses import replace

import pytest

from selector.domain import method
from selector.models import Selection
from selector.services import selections
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from selector.services.weighting import accept_combined_weights
from selector.services.weighting import freeze_weights
from selector.services.weighting import reopen_weights
from selector.services.weighting import save_allocation
from selector.services.weighting import save_pairwise
from selector.services.weighting import set_final_weights
from selector.services.weighting import set_group_balance
from selector.services.weighting import set_requirement_weight
from selector.services.weighting import weighting_state
from tests.weighting.conftest import BRAM
from tests.weighting.conftest import FENNA
from tests.weighting.conftest import INGRID
from tests.weighting.conftest import acting
from tests.weighting.conftest import audit_entries
from tests.weighting.conftest import snapshot

FINAL = {"sales": 12, "marketing": 8, "service": 14, "customer_view": 16, "reporting": 8,
         "hosting": 8, "standards": 8, "browsers": 6, "backup": 10, "security": 10}


def engine(db, world):
    with db.transaction(write=False) as session:
        return load_selection(session, world.selection)


def test_the_balance_is_50_50_by_default_and_the_facilitator_sets_it(db, world):
    with acting(db, world, FENNA) as (session, selection, membership, account):
        assert weighting_state(session, selection).balance_is_default
        assert set_group_balance(session, selection, membership, account, "70") == (0.7, 0.3)
    loaded = engine(db, world)
    means = method.group_means(loaded)
    assert method.combined_weights(loaded)["sales"] == pytest.approx(
        0.7 * means["business"]["sales"] + 0.3 * means["it"]["sales"], abs=1e-12)
    [entry] = audit_entries(db, "group_balance")
    assert entry["old"] == {"business": 0.5, "it": 0.5}
    assert entry["new"] == {"business": 0.7, "it": pytest.approx(0.3)}


@pytest.mark.parametrize("value", ["101", "-1", "half"])
def test_a_bad_balance_is_refused(db, world, value):
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        set_group_balance(session, selection, membership, account, value)
    assert refused.value.field == "business_share"
    assert snapshot(db, world) == before


def test_only_the_facilitator_sets_balance_and_final_weights(db, world):
    before = snapshot(db, world)
    with pytest.raises(ServiceError), \
            acting(db, world, BRAM) as (session, selection, membership, account):
        set_group_balance(session, selection, membership, account, "90")
    with pytest.raises(ServiceError), \
            acting(db, world, BRAM) as (session, selection, membership, account):
        set_final_weights(session, selection, membership, account, FINAL, "We agreed.")
    with pytest.raises(ServiceError), \
            acting(db, world, INGRID) as (session, selection, membership, account):
        freeze_weights(session, selection, membership, account)
    assert snapshot(db, world) == before


def test_final_weights_need_a_rationale_and_replace_the_combined_weights(db, world):
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        set_final_weights(session, selection, membership, account, FINAL, "  ")
    assert refused.value.field == "rationale"
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        set_final_weights(session, selection, membership, account, dict.fromkeys(FINAL, 0), "x")
    assert refused.value.field == "final"
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        set_final_weights(session, selection, membership, account,
                          {**FINAL, "security": "-2"}, "x")
    assert refused.value.field == "final-security"
    rationale = "Customer view is the reason we buy a CRM; IT's security concern is met."
    with acting(db, world, FENNA) as (session, selection, membership, account):
        set_final_weights(session, selection, membership, account, FINAL, rationale)
    loaded = engine(db, world)
    assert loaded.final_weights == FINAL
    assert method.combined_weights(loaded)["customer_view"] == pytest.approx(0.16)
    with acting(db, world, FENNA, write=False) as (session, selection, _, _a):
        state = weighting_state(session, selection)
    assert state.combined == method.combined_weights(loaded)  # what the ranking uses
    assert state.joint == method.combined_weights(replace(loaded, final_weights=None))
    assert state.joint != state.combined
    [entry] = audit_entries(db, "final_weights")
    assert entry["old"] == {"weights": None, "rationale": ""}
    assert entry["new"] == {"weights": FINAL, "rationale": rationale}
    # Accepting the combined weights removes the final ones again, audited.
    with acting(db, world, FENNA) as (session, selection, membership, account):
        accept_combined_weights(session, selection, membership, account, "")
    assert engine(db, world).final_weights is None
    assert audit_entries(db, "final_weights")[-1]["new"] == {"weights": None, "rationale": ""}


def test_freezing_records_the_weights_and_makes_everything_read_only(db, world):
    with acting(db, world, FENNA) as (session, selection, membership, account):
        frozen = freeze_weights(session, selection, membership, account)
        assert selection.weights_frozen
    assert frozen == method.combined_weights(engine(db, world))
    [entry] = audit_entries(db, "weights")
    assert entry["action"] == "freeze" and entry["actor"] == FENNA
    assert entry["new"]["category_weights"] == pytest.approx(frozen)
    assert entry["new"]["source"] == "combined"

    before = snapshot(db, world)
    attempts = [
        (BRAM, lambda s, sel, m, a: save_allocation(s, sel, m, a, {"sales": 99})),
        (INGRID, lambda s, sel, m, a: save_pairwise(
            s, sel, m, a, "it", {("hosting", "standards"): 1}, 50)),
        (BRAM, lambda s, sel, m, a: set_requirement_weight(
            s, sel, m, a, world.requirements["BUS-SAL-03"], 3, "Late idea.")),
        (FENNA, lambda s, sel, m, a: set_group_balance(s, sel, m, a, 60)),
        (FENNA, lambda s, sel, m, a: set_final_weights(s, sel, m, a, FINAL, "Late.")),
        (FENNA, lambda s, sel, m, a: accept_combined_weights(s, sel, m, a, "Late.")),
        (FENNA, lambda s, sel, m, a: freeze_weights(s, sel, m, a)),
    ]
    for email, attempt in attempts:
        with pytest.raises(ServiceError) as refused, \
                acting(db, world, email) as (session, selection, membership, account):
            attempt(session, selection, membership, account)
        assert "frozen" in str(refused.value.message)
    assert snapshot(db, world) == before


def test_freezing_final_weights_says_so(db, world):
    with acting(db, world, FENNA) as (session, selection, membership, account):
        set_final_weights(session, selection, membership, account, FINAL, "Agreed in session 3.")
        frozen = freeze_weights(session, selection, membership, account)
    assert frozen["customer_view"] == pytest.approx(0.16)
    entry = audit_entries(db, "weights")[-1]
    assert entry["new"]["source"] == "final"
    assert entry["new"]["final_weights_rationale"] == "Agreed in session 3."


def test_nothing_to_freeze_is_refused(db, example_doc):
    from tests.weighting.conftest import build_weighting_selection
    world = build_weighting_selection(db, example_doc)
    with db.transaction() as session:
        from selector.models import Allocation
        session.query(Allocation).delete()
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        freeze_weights(session, selection, membership, account)
    assert "Nobody has weighed" in str(refused.value.message)


def test_scoring_cannot_open_before_the_weights_are_frozen(db, world):
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        selections.change_phase(session, selection, account, "forward")
    assert refused.value.field is None  # the phase change as a whole
    assert "Freeze the weights" in str(refused.value.message)
    assert snapshot(db, world) == before
    with acting(db, world, FENNA) as (session, selection, membership, account):
        freeze_weights(session, selection, membership, account)
        assert selections.change_phase(session, selection, account, "forward") == "scoring"


def test_reopening_needs_the_weighting_phase_and_a_reason(db, world):
    with acting(db, world, FENNA) as (session, selection, membership, account):
        freeze_weights(session, selection, membership, account)
        selections.change_phase(session, selection, account, "forward")
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        reopen_weights(session, selection, membership, account, "Security was underweighted.")
    assert "weighting phase" in str(refused.value.message)
    with acting(db, world, FENNA) as (session, selection, membership, account):
        selections.change_phase(session, selection, account, "back", "Weights need another look.")
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, FENNA) as (session, selection, membership, account):
        reopen_weights(session, selection, membership, account, " ")
    assert refused.value.field == "reason"
    with acting(db, world, FENNA) as (session, selection, membership, account):
        reopen_weights(session, selection, membership, account, "Security was underweighted.")
    with db.transaction(write=False) as session:
        assert session.get(Selection, world.selection).weights_frozen_at is None
    entry = audit_entries(db, "weights")[-1]
    assert entry["action"] == "reopen" and entry["reason"] == "Security was underweighted."
    with acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"security": 10})
