"""Allocating points: what is saved, what is refused (naming the field, saving nothing),
the audit trail, categories that became active later, and the blind rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.domain import method
from selector.models import Account
from selector.models import Allocation
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.services import memberships
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from selector.services.weighting import save_allocation
from selector.services.weighting import weighting_state
from tests.weighting.conftest import BRAM
from tests.weighting.conftest import FENNA
from tests.weighting.conftest import INGRID
from tests.weighting.conftest import MARLOES
from tests.weighting.conftest import acting
from tests.weighting.conftest import audit_entries
from tests.weighting.conftest import snapshot


def stored(db, world, email) -> dict[str, float]:
    with db.transaction(write=False) as session:
        return dict(session.execute(
            select(Category.key, Allocation.points)
            .join(Category, Category.id == Allocation.category_id)
            .where(Allocation.membership_id == world.members[email])).all())


def test_saving_points_updates_the_allocation_and_audits_old_and_new(db, world):
    with acting(db, world, BRAM) as (session, selection, membership, account):
        merged = save_allocation(session, selection, membership, account,
                                 {"sales": "30", "marketing": 12.5, "hosting": "7,5"})
    assert merged["sales"] == 30 and merged["marketing"] == 12.5 and merged["hosting"] == 7.5
    assert merged["service"] == 15  # untouched categories keep their points
    points = stored(db, world, BRAM)
    assert (points["sales"], points["marketing"], points["hosting"]) == (30, 12.5, 7.5)
    [entry] = audit_entries(db, "allocation")
    assert entry["actor"] == BRAM and entry["key"] == BRAM and entry["action"] == "update"
    assert entry["old"] == {"sales": 20, "marketing": 15, "hosting": 5}
    assert entry["new"] == {"sales": 30, "marketing": 12.5, "hosting": 7.5}


def test_saving_the_same_points_again_writes_no_audit_entry(db, world):
    with acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"sales": 20, "backup": "5"})
    assert audit_entries(db, "allocation") == []


def test_the_group_means_follow_the_engine_after_a_save(db, world):
    with acting(db, world, INGRID) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"security": 40})
    with db.transaction(write=False) as session:
        loaded = load_selection(session, world.selection)
        ingrid = stored(db, world, INGRID)
    active = method.active_categories(loaded)
    koen = {a.category: a.points for a in loaded.allocations if a.member == "koen@example.org"}
    total_i, total_k = sum(ingrid[c] for c in active), sum(koen[c] for c in active)
    expected = (ingrid["security"] / total_i + koen["security"] / total_k) / 2
    assert method.group_means(loaded)["it"]["security"] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("value, message", [
    ("-5", "cannot be negative"),
    (-0.5, "cannot be negative"),
    ("abc", "Enter a number"),
    ("12 points", "Enter a number"),
    ("nan", "Enter a number"),
    ("inf", "Enter a number"),
    (float("inf"), "Enter a number"),
    (True, "Enter a number"),
    ([3], "Enter a number"),
    ("2000000", "at most"),
])
def test_bad_points_are_refused_naming_the_field_and_nothing_is_saved(db, world, value, message):
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, BRAM) as (session, selection, membership, account):
        # A good value first: the refusal of the second must take it back too.
        save_allocation(session, selection, membership, account,
                        {"sales": 40, "marketing": value})
    assert refused.value.field == "points-marketing"
    assert message in str(refused.value.message)
    assert snapshot(db, world) == before


def test_all_zeros_are_refused(db, world):
    before = snapshot(db, world)
    with acting(db, world, BRAM, write=False) as (session, selection, membership, _):
        keys = [c.key for c in selection.categories]
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, dict.fromkeys(keys, "0"))
    assert refused.value.field == "points"
    assert "more than 0" in str(refused.value.message)
    assert snapshot(db, world) == before


def test_a_category_that_no_longer_exists_is_refused(db, world):
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account,
                        {"sales": 10, "crm_gone": 20})
    assert refused.value.field == "points-crm_gone"
    assert "no longer exists" in str(refused.value.message)
    assert snapshot(db, world) == before


def test_a_category_of_another_selection_does_not_exist_here(db, world, example_doc):
    from tests.weighting.conftest import build_weighting_selection
    other = build_weighting_selection(db, {**example_doc, "categories": [
        *example_doc["categories"], {"key": "elsewhere", "name": "Elsewhere", "domain": "it"}]})
    assert "elsewhere" in other.categories
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"elsewhere": 20})
    assert refused.value.field == "points-elsewhere"


def test_an_inactive_category_is_refused(db, world):
    with db.transaction() as session:
        session.add(Category(selection_id=world.selection, key="mobile", name="Mobile app",
                             domain="business", position=20))
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"mobile": 10})
    assert refused.value.field == "points-mobile"
    assert "not an active category" in str(refused.value.message)
    assert snapshot(db, world) == before


@pytest.mark.parametrize("email", [FENNA, MARLOES])
def test_only_business_and_it_members_allocate(db, world, email):
    before = snapshot(db, world)
    with pytest.raises(ServiceError) as refused, \
            acting(db, world, email) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"sales": 10})
    assert "Only business and IT" in str(refused.value.message)
    assert snapshot(db, world) == before


def test_a_category_that_became_active_later_counts_0_and_is_named(db, world):
    with db.transaction() as session:
        category = Category(selection_id=world.selection, key="mobile", name="Mobile app",
                            domain="business", position=20)
        session.add(category)
        session.flush()
        session.add(Requirement(selection_id=world.selection, category_id=category.id,
                                code="BUS-MOB-01", title="Works on a phone", priority="should",
                                owner_group="business"))
    with acting(db, world, BRAM, write=False) as (session, selection, membership, _):
        state = weighting_state(session, selection)
        bram = state.member(membership.id)
        assert bram.unweighed == ["mobile"]
        assert [c.key for c in state.categories][-1] == "mobile"
        # The engine counts the missing allocation as 0 for everyone.
        assert state.means["business"]["mobile"] == 0.0
    with acting(db, world, BRAM) as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"mobile": 10})
    with acting(db, world, BRAM, write=False) as (session, selection, membership, _):
        state = weighting_state(session, selection)
        assert state.member(membership.id).unweighed == []
        assert state.means["business"]["mobile"] == pytest.approx(10 / 110 / 3)


def test_members_are_blind_to_the_group_until_they_submitted(db, world):
    with db.transaction() as session:
        selection = session.get(Selection, world.selection)
        facilitator = session.scalar(select(Account).where(Account.email == FENNA))
        added = memberships.add_member(session, selection, facilitator, "nina@example.org",
                                       "business", "Nina Kok")
        nina = added.member.membership.id
    world.members["nina@example.org"] = nina
    with acting(db, world, "nina@example.org", write=False) as (session, selection, membership, _):
        state = weighting_state(session, selection)
        assert state.member(nina).submitted is False
        assert state.sees_group_figures(membership) is False
    for email in (FENNA, MARLOES, BRAM):
        with acting(db, world, email, write=False) as (session, selection, membership, _):
            assert weighting_state(session, selection).sees_group_figures(membership)
    with acting(db, world, "nina@example.org") as (session, selection, membership, account):
        save_allocation(session, selection, membership, account, {"sales": 10})
    with acting(db, world, "nina@example.org", write=False) as (session, selection, membership, _):
        state = weighting_state(session, selection)
        assert state.sees_group_figures(membership)
        # Nina now counts: business is the mean of four members.
        assert state.means["business"]["sales"] == pytest.approx(
            (20 / 100 + 10 / 100 + 10 / 100 + 1.0) / 4)


def test_the_state_equals_the_engine_for_the_example(db, world, example_doc):
    from selector.files.selection_file import validate
    from selector.files.to_domain import selection_from_file
    engine = selection_from_file(validate({**example_doc, "scores": []}))
    with acting(db, world, FENNA, write=False) as (session, selection, _, _account):
        state = weighting_state(session, selection)
    assert state.means == method.group_means(engine)
    assert state.combined == method.combined_weights(engine)
    assert state.divergence == method.divergence(engine)
    assert [d.category for d in state.discussion_points] == ["marketing", "service"]
    assert state.balance == (0.5, 0.5) and state.balance_is_default
    assert [m.email for m in state.members] == [
        "bram@example.org", "sanne@example.org", "youssef@example.org",
        "ingrid@example.org", "koen@example.org"]
