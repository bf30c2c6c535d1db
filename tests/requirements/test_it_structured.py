"""IT management's structured answers become requirements in the right IT categories."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from selector.models import Category
from selector.models import Requirement
from selector.services import requirements as requirement_service
from selector.services.errors import ServiceError
from selector.services.requirements import StructuredItem
from tests.requirements.conftest import BRAM
from tests.requirements.conftest import INGRID
from tests.requirements.conftest import acting
from tests.requirements.conftest import build_world
from tests.requirements.conftest import state

ANSWERS = [
    StructuredItem("hosting", "deployment_model", {"models": ["saas", "private_cloud"]}),
    StructuredItem("hosting", "data_location", {"location": "the EU/EEA"}, priority="must",
                   knockout=True, knockout_rationale="The AVG requires it for our members."),
    StructuredItem("standards", "sso", {"protocols": ["saml2", "oidc"]}),
    StructuredItem("standards", "norm", {"norm": "iso27001"}, priority="must"),
    StructuredItem("standards", "norm", {"norm": "bio"}),
    StructuredItem("browsers", "browser",
                   {"browser": "edge", "device": "desktop", "min_version": 120}),
    StructuredItem("browsers", "browser",
                   {"browser": "safari", "device": "tablet", "min_version": None}),
    StructuredItem("backup", "rpo", {"hours": 4}, priority="must", knockout=True,
                   knockout_rationale="Losing more than half a day of registrations is not "
                                      "acceptable."),
    StructuredItem("backup", "rto", {"hours": 8}),
    StructuredItem("backup", "retention", {"days": 90}, priority="could"),
    StructuredItem("backup", "restore_test", {"frequency": "quarterly", "restored_by": "vendor"}),
]


def save(db, world, items, email=INGRID, language=None):
    with acting(db, world, email) as (session, selection, account, role):
        return requirement_service.save_it_answers(session, selection, account, role, items)


def requirements(db, world) -> dict[str, Requirement]:
    with db.transaction(write=False) as session:
        rows = session.execute(
            select(Requirement, Category.key).join(Category)
            .where(Requirement.selection_id == world.selection)).all()
        result = {}
        for requirement, key in rows:
            session.expunge(requirement)
            result[json.loads(requirement.structured)["slot"]] = (requirement, key)
        return result


def test_each_structured_answer_becomes_one_requirement(db, world):
    result = save(db, world, ANSWERS)
    assert len(result.created) == len(ANSWERS)
    found = requirements(db, world)
    assert sorted(found) == sorted([
        "hosting.deployment_model", "hosting.data_location", "standards.sso",
        "standards.norm.iso27001", "standards.norm.bio", "browsers.edge.desktop",
        "browsers.safari.tablet", "backup.rpo", "backup.rto", "backup.retention",
        "backup.restore_test"])
    rpo, key = found["backup.rpo"]
    assert key == "backup" and rpo.code == "IT-BCK-01"
    assert rpo.title == "Recovery point objective (RPO) of at most 4 hours"
    assert rpo.priority == "must" and rpo.knockout
    assert rpo.knockout_rationale.startswith("Losing more than half a day")
    assert rpo.owner_group == "it" and rpo.status == "proposed"
    assert rpo.raised_by_id == world.accounts[INGRID]
    assert json.loads(rpo.structured) == {"area": "backup", "item": "rpo", "slot": "backup.rpo",
                                          "value": {"hours": 4}}
    assert json.loads(rpo.quality_flags) == []  # generated text passes the quality check
    edge, key = found["browsers.edge.desktop"]
    assert key == "browsers" and edge.title == "Microsoft Edge 120 or later on desktop and laptop"
    safari, _ = found["browsers.safari.tablet"]
    assert safari.title == "Apple Safari, the 2 most recent major versions, on tablets"
    assert found["backup.rto"][0].priority == "should"  # IT's default
    assert found["standards.sso"][0].title == "Single sign-on with SAML 2.0 or OpenID Connect 1.0"
    assert found["hosting.data_location"][1] == "hosting"
    assert found["standards.norm.bio"][1] == "standards"
    for requirement, _ in found.values():
        flags = [f["code"] for f in json.loads(requirement.quality_flags)]
        assert "nonfunctional_without_measure" not in flags, requirement.title
        assert "vague_word" not in flags and "no_verification_criterion" not in flags


def test_dutch_selection_gets_dutch_text(db):
    world = build_world(db, language="nl")
    save(db, world, ANSWERS)
    found = requirements(db, world)
    assert found["backup.rpo"][0].title == "Recovery point objective (RPO) van maximaal 4 uur"
    assert found["backup.restore_test"][0].title == (
        "Herstel getest elk kwartaal (4 keer per jaar), door de leverancier")


def test_saving_again_updates_instead_of_duplicating(db, world):
    save(db, world, ANSWERS)
    first = requirements(db, world)["backup.rpo"][0]
    changed = [StructuredItem("backup", "rpo", {"hours": 2}, priority="must", knockout=True,
                              knockout_rationale="Stricter after the audit.",
                              version=first.version),
               *ANSWERS[8:]]
    result = save(db, world, changed)
    assert (len(result.created), len(result.updated), result.unchanged) == (0, 1, 3)
    rpo = requirements(db, world)["backup.rpo"][0]
    assert rpo.id == first.id and rpo.code == first.code and rpo.version == 2
    assert rpo.title == "Recovery point objective (RPO) of at most 2 hours"
    assert json.loads(rpo.structured)["value"] == {"hours": 2}


def test_structured_refusals_change_nothing(db, world):
    save(db, world, ANSWERS[:1])
    before = state(db, world)
    bad = [
        StructuredItem("backup", "rpo", {"hours": "four"}),
        StructuredItem("backup", "rpo", {"hours": -1}),
        StructuredItem("backup", "retention", {"days": 1.5}),
        StructuredItem("browsers", "browser", {"browser": "netscape", "device": "desktop"}),
        StructuredItem("hosting", "deployment_model", {"models": []}),
        StructuredItem("standards", "norm", {"norm": "made-up"}),
        StructuredItem("backup", "rto", {"hours": 4}, knockout=True, knockout_rationale=""),
        StructuredItem("backup", "rto", {"hours": 4}, priority="urgent"),
    ]
    for item in bad:
        with pytest.raises(ServiceError) as refused:
            save(db, world, [*ANSWERS[8:9], item])
        assert refused.value.field == item.slot
    with pytest.raises(ServiceError):  # the same browser twice
        save(db, world, [ANSWERS[5], ANSWERS[5]])
    with pytest.raises(ServiceError):  # readers never write, not even unchanged answers
        with acting(db, world, BRAM) as (session, selection, account, role):
            requirement_service.save_it_answers(session, selection, account, "sponsor", ANSWERS[:1])
    assert state(db, world) == before


def test_answer_table_for_the_report(db, world):
    save(db, world, ANSWERS)
    with db.transaction(write=False) as session:
        table = requirement_service.it_answer_table(session, world.selection)
    assert [row["item"] for row in table["backup"]] == [
        "restore_test", "retention", "rpo", "rto"]
    rpo = next(row for row in table["backup"] if row["item"] == "rpo")
    assert rpo["value"] == {"hours": 4} and rpo["knockout"] and rpo["code"] == "IT-BCK-01"
    assert len(table["browsers"]) == 2 and len(table["standards"]) == 3
