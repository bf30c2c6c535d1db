"""Categories (the default set, the facilitator's edits) and the requirement library."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.services import requirements as service
from selector.services.errors import ServiceError
from tests.requirements.conftest import BRAM
from tests.requirements.conftest import FENNA
from tests.requirements.conftest import INGRID
from tests.requirements.conftest import acting
from tests.requirements.conftest import build_world
from tests.requirements.conftest import fields
from tests.requirements.conftest import state

BUSINESS = ["sales", "marketing", "service", "customer_view", "reporting", "usability"]
IT = ["hosting", "standards", "browsers", "backup", "security", "integration", "operations",
      "exit"]


def test_a_new_selection_starts_with_the_crm_category_set(db, world):
    with db.transaction(write=False) as session:
        rows = session.execute(
            select(Category.key, Category.domain, Category.name)
            .where(Category.selection_id == world.selection).order_by(Category.position)).all()
    assert [r.key for r in rows] == BUSINESS + IT
    assert {r.key for r in rows if r.domain == "it"} == set(IT)
    assert dict((r.key, r.name) for r in rows)["backup"] == "Back-up & recovery"


def test_a_dutch_selection_gets_dutch_category_names(db):
    world = build_world(db, language="nl")
    with db.transaction(write=False) as session:
        names = dict(session.execute(select(Category.key, Category.name).where(
            Category.selection_id == world.selection)).all())
    assert names["backup"] == "Back-up & herstel"
    assert names["service"] == "Klantenservice"


def test_code_prefixes():
    assert service.code_prefix("sales", "business") == "BUS-SAL"
    assert service.code_prefix("backup", "it") == "IT-BCK"
    assert service.code_prefix("field_sales", "business") == "BUS-FIE"
    assert service.code_prefix("ça-va", "it") == "IT-CAV"
    assert service.key_from_name("Veld & verkoop ") == "veld_verkoop"


def test_the_facilitator_adds_renames_moves_and_removes_categories(db, world):
    with acting(db, world, FENNA) as (session, selection, account, role):
        added = service.add_category(session, selection, account, name="Field service",
                                     domain="business")
        assert (added.key, added.position) == ("field_service", 14)
        twin = service.add_category(session, selection, account, name="Field service 2",
                                    domain="it", key="field_service")
        assert twin.key == "field_service_2"
        assert service.update_category(session, added, account, name="Field work",
                                       domain="it")
        assert not service.update_category(session, added, account, name="Field work",
                                           domain="it")
        service.move_category(session, added, account, "up")
        assert added.position == 13
        service.remove_category(session, twin, account)
    with db.transaction(write=False) as session:
        trail = session.execute(
            select(AuditEntry.action, AuditEntry.entity_key, AuditEntry.old, AuditEntry.new)
            .where(AuditEntry.entity == "category").order_by(AuditEntry.id)).all()
    assert [(t.action, t.entity_key) for t in trail] == [
        ("create", "field_service"), ("create", "field_service_2"), ("update", "field_service"),
        ("delete", "field_service_2")]
    assert json.loads(trail[2].old) == {"key": "field_service", "name": "Field service",
                                        "domain": "business"}
    assert json.loads(trail[2].new)["domain"] == "it"


def test_category_refusals_change_nothing(db, world):
    with acting(db, world, BRAM) as (session, selection, account, role):
        service.create_requirement(session, selection, account, role,
                                   fields(world))
    before = state(db, world)
    with pytest.raises(ServiceError) as refused:
        with acting(db, world, FENNA) as (session, selection, account, role):
            service.remove_category(
                session, session.get(Category, world.categories["sales"]), account)
    assert "holds 1 requirements" in str(refused.value.message)
    for name, domain, field in (("  ", "business", "name"), ("Sales & leads", "it", "name"),
                                ("New", "finance", "domain")):
        with pytest.raises(ServiceError) as refused:
            with acting(db, world, FENNA) as (session, selection, account, role):
                service.add_category(session, selection, account, name=name, domain=domain)
        assert refused.value.field == field
    assert state(db, world) == before


def test_after_the_freeze_a_category_change_needs_a_reason(db, world):
    with db.transaction() as session:
        session.get(Selection, world.selection).weights_frozen_at = datetime.now(UTC)
    before = state(db, world)
    with pytest.raises(ServiceError) as refused:
        with acting(db, world, FENNA) as (session, selection, account, role):
            service.update_category(session, session.get(Category, world.categories["exit"]),
                                    account, name="Exit", domain="it")
    assert refused.value.field == "reason"
    assert state(db, world) == before
    with acting(db, world, FENNA) as (session, selection, account, role):
        service.update_category(session, session.get(Category, world.categories["exit"]),
                                account, name="Exit", domain="it", reason="Shorter name.")


def test_moving_a_category_to_it_rechecks_its_requirements(db, world):
    with acting(db, world, BRAM) as (session, selection, account, role):
        requirement = service.create_requirement(
            session, selection, account, role,
            fields(world, "usability", title="Works offline on the train",
                   verification_criterion="Shown in the demo."))
        requirement_id = requirement.id
    with acting(db, world, FENNA) as (session, selection, account, role):
        service.update_category(session, session.get(Category, world.categories["usability"]),
                                account, name="Usability & adoption", domain="it")
    with db.transaction(write=False) as session:
        flags = json.loads(session.get(Requirement, requirement_id).quality_flags)
    assert [f["code"] for f in flags] == ["nonfunctional_without_measure"]


# -- the library --------------------------------------------------------------------------


def test_the_library_is_complete_in_both_languages():
    items = service.load_library()
    assert len(items) >= 150
    assert len({i.id for i in items}) == len(items)
    assert {i.category for i in items} == set(BUSINESS + IT)
    for item in items:
        assert set(item.texts) == {"en", "nl"}, item.id
        for language in ("en", "nl"):
            text = item.text(language)
            assert text.title.strip() and text.verification_criterion.strip(), item.id
    ids = {i.id for i in items}
    assert "lib-bck-rpo-24h" in ids


def test_browsing_the_library_by_category_and_search():
    backup = service.browse_library("en", category="backup")
    assert backup and {i.category for i in backup} == {"backup"}
    found = service.browse_library("en", search="recovery point")
    assert "lib-bck-rpo-24h" in [i.id for i in found]
    gevonden = service.browse_library("nl", search="herstel")
    assert gevonden and all(i.category for i in gevonden)
    assert service.browse_library("en", search="no-such-words-anywhere") == []


def test_picking_creates_proposed_requirements_in_the_selection_language(db):
    world = build_world(db, language="nl")
    with acting(db, world, BRAM) as (session, selection, account, role):
        result = service.pick_from_library(session, selection, account, role,
                                           ["lib-bck-rpo-24h", "lib-sal-lead-source"])
        assert [r.code for r in result.created] == ["IT-BCK-01", "BUS-SAL-01"]
        assert result.skipped == []
    with db.transaction(write=False) as session:
        rows = {r.library_id: r for r in session.scalars(
            select(Requirement).where(Requirement.selection_id == world.selection))}
    rpo = rows["lib-bck-rpo-24h"]
    assert rpo.title == "Recovery point objective (RPO) van maximaal 24 uur"
    assert rpo.status == "proposed" and rpo.priority == "must"
    assert rpo.verification == "contract" and rpo.owner_group == "it"
    assert rpo.raised_by_id == world.accounts[BRAM]
    assert rpo.verification_criterion.startswith("De SLA vermeldt een RPO")
    # Picking again skips what is there; the codes of new picks continue.
    with acting(db, world, INGRID) as (session, selection, account, role):
        again = service.pick_from_library(session, selection, account, role,
                                          ["lib-bck-rpo-24h", "lib-sal-lead-source"])
        assert again.created == [] and again.skipped == ["lib-bck-rpo-24h",
                                                         "lib-sal-lead-source"]
    with db.transaction(write=False) as session:
        picked = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "requirement", AuditEntry.action == "create"))
    assert picked == 2


def test_picking_a_whole_category_and_the_missing_category_is_created(db, world):
    with acting(db, world, FENNA) as (session, selection, account, role):
        service.remove_category(
            session, session.get(Category, world.categories["exit"]), account)
    exit_items = [i.id for i in service.browse_library("en", category="exit")]
    with acting(db, world, FENNA) as (session, selection, account, role):
        result = service.pick_from_library(session, selection, account, role, exit_items)
        assert len(result.created) == len(exit_items)
        assert [r.code for r in result.created][:2] == ["IT-EXT-01", "IT-EXT-02"]
    with db.transaction(write=False) as session:
        category = session.scalar(select(Category).where(
            Category.selection_id == world.selection, Category.key == "exit"))
        assert (category.name, category.domain) == ("Exit & data portability", "it")


def test_picking_refusals(db, world):
    before = state(db, world)
    for ids in ([], ["no-such-item"], ["lib-bck-rpo-24h", "no-such-item"]):
        with pytest.raises(ServiceError):
            with acting(db, world, BRAM) as (session, selection, account, role):
                service.pick_from_library(session, selection, account, role, ids)
    assert state(db, world) == before
