"""Requirements through the service: proposing, codes, editing with a version check,
decisions with reasons, owner groups, freezing, quality flags and the audit trail."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.services import requirements as service
from selector.services.errors import Conflict
from selector.services.errors import ServiceError
from tests.requirements.conftest import BRAM
from tests.requirements.conftest import FENNA
from tests.requirements.conftest import INGRID
from tests.requirements.conftest import MARLOES
from tests.requirements.conftest import acting
from tests.requirements.conftest import fields
from tests.requirements.conftest import state


def create(db, world, email, **values):
    category = values.pop("category", "sales")
    with acting(db, world, email) as (session, selection, account, role):
        requirement = service.create_requirement(
            session, selection, account, role, fields(world, category, **values))
        return requirement.id


def load(db, requirement_id) -> Requirement:
    with db.transaction(write=False) as session:
        requirement = session.get(Requirement, requirement_id)
        session.expunge(requirement)
        return requirement


def entries(db, world, entity="requirement") -> list[AuditEntry]:
    with db.transaction(write=False) as session:
        rows = list(session.scalars(
            select(AuditEntry).where(AuditEntry.selection_id == world.selection,
                                     AuditEntry.entity == entity).order_by(AuditEntry.id)))
        for row in rows:
            session.expunge(row)
        return rows


def assert_refused(db, world, message, call, field=None) -> None:
    """`call` raises a ServiceError (with `message` in its text and on `field`, when
    given) and leaves the requirements, categories and audit trail as they were."""
    before = state(db, world)
    with pytest.raises(ServiceError) as refused:
        call()
    if message is not None:
        assert message in str(refused.value.message)
    if field is not None:
        assert refused.value.field == field
    assert state(db, world) == before


# -- proposing and codes ------------------------------------------------------------------


def test_business_and_it_members_propose_with_suggested_codes(db, world):
    first = create(db, world, BRAM)
    second = create(db, world, BRAM, title="Lead scoring on web visits")
    backup = create(db, world, INGRID, category="backup", title="RPO at most 24 hours",
                    verification_criterion="The SLA states an RPO of 24 hours.")
    custom_id = None
    with acting(db, world, FENNA) as (session, selection, account, role):
        custom = service.add_category(session, selection, account, name="Field sales",
                                      domain="business")
        custom_id = custom.id
        assert service.suggest_code(session, selection.id, custom) == "BUS-FIE-01"
    assert [load(db, i).code for i in (first, second, backup)] == [
        "BUS-SAL-01", "BUS-SAL-02", "IT-BCK-01"]
    for requirement_id, email in ((first, BRAM), (backup, INGRID)):
        requirement = load(db, requirement_id)
        assert requirement.status == "proposed"
        assert requirement.raised_by_id == world.accounts[email]
        assert requirement.version == 1
    assert load(db, backup).owner_group == "it"
    assert load(db, first).owner_group == "business"
    assert custom_id is not None


def test_code_suggestion_steps_past_the_highest_number(db, world):
    create(db, world, BRAM, code="BUS-SAL-07")
    later = create(db, world, BRAM, title="Opportunity stages")
    assert load(db, later).code == "BUS-SAL-08"
    with acting(db, world, BRAM) as (session, selection, account, role):
        allocator = service.CodeAllocator(session, selection.id)
        category = session.get(Category, world.categories["backup"])
        assert [allocator.next(category) for _ in range(3)] == [
            "IT-BCK-01", "IT-BCK-02", "IT-BCK-03"]


def test_create_refusals_name_the_field_and_change_nothing(db, world):
    create(db, world, BRAM, code="BUS-SAL-01")
    before = state(db, world)
    cases = [
        (dict(title="  "), "title"),
        (dict(code="bus-sal-01"), "code"),  # taken, whatever the case
        (dict(code="has space"), "code"),
        (dict(priority="hoog"), "priority"),
        (dict(intent="maybe"), "intent"),
        (dict(verification="gut feeling"), "verification"),
        (dict(weight=-1), "weight"),
        (dict(weight="heavy"), "weight"),
        (dict(weight=float("nan")), "weight"),
        (dict(knockout=True, knockout_rationale=" "), "knockout_rationale"),
        (dict(owner_group="sales"), "owner_group"),
        (dict(title="x" * 301), "title"),
        (dict(description="bad \x00 byte"), "description"),
    ]
    for values, field in cases:
        with pytest.raises(ServiceError) as refused:
            create(db, world, BRAM, **values)
        assert refused.value.field == field, values
    with pytest.raises(ServiceError) as refused:
        with acting(db, world, BRAM) as (session, selection, account, role):
            service.create_requirement(session, selection, account, role,
                                       service.RequirementFields(category_id=999999, title="x"))
    assert refused.value.field == "category_id"
    with pytest.raises(ServiceError):
        create(db, world, MARLOES)  # a sponsor only reads
    assert state(db, world) == before


def test_creation_is_audited_with_every_field(db, world):
    create(db, world, INGRID, category="backup", title="RPO at most 24 hours",
           verification_criterion="The SLA states an RPO of 24 hours.", priority="must",
           knockout=True, knockout_rationale="Losing a day of work cannot be redone.")
    [entry] = entries(db, world)
    assert (entry.action, entry.entity_key, entry.actor) == ("create", "IT-BCK-01", INGRID)
    new = json.loads(entry.new)
    assert new["category"] == "backup" and new["knockout"] is True
    assert new["knockout_rationale"] == "Losing a day of work cannot be redone."
    assert new["status"] == "proposed" and new["priority"] == "must"


# -- editing ------------------------------------------------------------------------------


def edit(db, world, email, requirement_id, version, reason="", **changes):
    with acting(db, world, email) as (session, selection, account, role):
        requirement = session.get(Requirement, requirement_id)
        values = service.RequirementFields.of(requirement)
        for name, value in changes.items():
            setattr(values, name, value)
        return service.update_requirement(session, requirement, account, role, values,
                                          expected_version=version, reason=reason)


def test_edit_audits_old_and_new_values_and_bumps_the_version(db, world):
    requirement_id = create(db, world, BRAM)
    assert edit(db, world, INGRID, requirement_id, 1, title="Lead registration with channel",
                category_id=world.categories["marketing"])
    requirement = load(db, requirement_id)
    assert requirement.version == 2 and requirement.updated_by_id == world.accounts[INGRID]
    assert requirement.code == "BUS-SAL-01"  # a code stays when the category changes
    update = entries(db, world)[-1]
    assert update.action == "update" and update.actor == INGRID
    assert json.loads(update.old) == {"category": "sales",
                                      "title": "Lead registration with source"}
    assert json.loads(update.new) == {"category": "marketing",
                                      "title": "Lead registration with channel"}
    assert not edit(db, world, BRAM, requirement_id, 2)  # nothing changed: no entry
    assert len(entries(db, world)) == 2


def test_a_stale_version_is_a_conflict_with_a_clear_message(db, world):
    requirement_id = create(db, world, BRAM)
    edit(db, world, INGRID, requirement_id, 1, description="Source and campaign.")
    before = state(db, world)
    with pytest.raises(Conflict) as conflict:
        edit(db, world, BRAM, requirement_id, 1, description="My own change.")
    assert "Someone else changed this requirement" in str(conflict.value.message)
    assert "version 2" in str(conflict.value.message)
    assert state(db, world) == before


def test_history_follows_a_code_change(db, world):
    requirement_id = create(db, world, BRAM)
    edit(db, world, BRAM, requirement_id, 1, code="SALES-1")
    other = create(db, world, BRAM, title="Opportunity stages", code="BUS-SAL-01")
    with db.transaction(write=False) as session:
        requirement = session.get(Requirement, requirement_id)
        trail = service.history(session, requirement)
        assert [(e.action, e.entity_key) for e in trail] == [
            ("create", "BUS-SAL-01"), ("update", "SALES-1")]
        assert [e.action for e in service.history(session, session.get(Requirement, other))] == [
            "create"]


# -- decisions ----------------------------------------------------------------------------


def decide(db, world, email, requirement_id, status, reason):
    with acting(db, world, email) as (session, selection, account, role):
        return service.decide(session, session.get(Requirement, requirement_id), account,
                              role, status, reason)


@pytest.mark.parametrize("status", ["accepted", "rejected", "deferred"])
def test_the_facilitator_decides_with_a_reason(db, world, status):
    requirement_id = create(db, world, BRAM)
    assert decide(db, world, FENNA, requirement_id, status, "Discussed on 12 March.")
    requirement = load(db, requirement_id)
    assert (requirement.status, requirement.status_reason) == (status, "Discussed on 12 March.")
    entry = entries(db, world)[-1]
    assert (entry.action, entry.actor, entry.reason) == ("decide", FENNA,
                                                          "Discussed on 12 March.")
    assert json.loads(entry.old) == {"status": "proposed", "status_reason": ""}
    assert json.loads(entry.new) == {"status": status, "status_reason": "Discussed on 12 March."}


def test_decision_refusals(db, world):
    requirement_id = create(db, world, BRAM)
    assert_refused(db, world, None,
                   lambda: decide(db, world, FENNA, requirement_id, "accepted", "  "),
                   field="reason")
    assert_refused(db, world, None,
                   lambda: decide(db, world, FENNA, requirement_id, "maybe", "Because."),
                   field="status")
    for email in (BRAM, INGRID, MARLOES):
        assert_refused(db, world, None, lambda email=email: decide(
            db, world, email, requirement_id, "accepted", "I like it."))


def test_owner_group_members_decide_when_the_facilitator_lets_them(db, world):
    business_id = create(db, world, BRAM)
    it_id = create(db, world, INGRID, category="backup", title="RPO at most 24 hours")
    with acting(db, world, FENNA) as (session, selection, account, role):
        assert service.set_owner_groups_decide(session, selection, account, True)
    assert decide(db, world, BRAM, business_id, "accepted", "Our own wish.")
    assert decide(db, world, INGRID, it_id, "deferred", "After the pilot.")
    with pytest.raises(ServiceError) as refused:
        decide(db, world, BRAM, it_id, "accepted", "Looks fine.")
    assert "owner group" in str(refused.value.message)
    setting = entries(db, world, "selection")[-1]
    assert json.loads(setting.new) == {"owner_groups_decide": True}


def test_decide_many_is_all_or_nothing(db, world):
    ids = [create(db, world, BRAM, title=f"Wish number {n} about leads") for n in range(3)]
    with acting(db, world, FENNA) as (session, selection, account, role):
        assert service.decide_many(session, selection, account, role, ids, "accepted",
                                   "Agreed in the workshop.") == 3
    assert {load(db, i).status for i in ids} == {"accepted"}
    before = state(db, world)
    with pytest.raises(ServiceError):
        with acting(db, world, FENNA) as (session, selection, account, role):
            service.decide_many(session, selection, account, role, [*ids, 999999], "rejected",
                                "Out of scope.")
    assert state(db, world) == before


# -- freezing -----------------------------------------------------------------------------


def set_phase(db, world, phase, weights_frozen=False):
    with db.transaction() as session:
        selection = session.get(Selection, world.selection)
        selection.phase = phase
        selection.weights_frozen_at = datetime.now(UTC) if weights_frozen else None


def test_after_the_weights_freeze_priority_and_weight_are_read_only(db, world):
    requirement_id = create(db, world, BRAM)
    set_phase(db, world, "weighting", weights_frozen=True)
    assert_refused(db, world, "weights are frozen",
                   lambda: edit(db, world, BRAM, requirement_id, 1, priority="must"))
    # Read-only for the facilitator too, even with a reason: reopening the weights is
    # the way (issue 6: "from then on the weights are read-only").
    assert_refused(db, world, "reopen the weights",
                   lambda: edit(db, world, FENNA, requirement_id, 1, weight=4.0,
                                reason="The board said so."),
                   field="priority")
    # Other fields stay editable until scoring opens.
    assert edit(db, world, BRAM, requirement_id, 1, description="Also for events.")
    entry = entries(db, world)[-1]
    assert json.loads(entry.new) == {"description": "Also for events."}


def test_once_scoring_opens_changes_need_the_facilitator_and_a_reason(db, world):
    requirement_id = create(db, world, BRAM)
    decide(db, world, FENNA, requirement_id, "accepted", "Agreed.")
    set_phase(db, world, "scoring", weights_frozen=True)
    before = state(db, world)
    assert_refused(db, world, "Scoring has opened",
                   lambda: edit(db, world, BRAM, requirement_id, 2, description="A late idea."))
    assert_refused(db, world, None,
                   lambda: edit(db, world, FENNA, requirement_id, 2, description="A late idea."),
                   field="reason")
    assert_refused(db, world, None,
                   lambda: create(db, world, INGRID, title="A new wish during scoring"))
    with acting(db, world, FENNA) as (session, selection, account, role):
        service.set_owner_groups_decide(session, selection, account, True)
    # Owner groups no longer decide once frozen.
    assert_refused(db, world, None,
                   lambda: decide(db, world, BRAM, requirement_id, "deferred", "Later."))
    assert state(db, world)["requirements"] == before["requirements"]
    assert edit(db, world, FENNA, requirement_id, 2, description="Clarified for vendor B.",
                reason="Vendor B asked what 'source' means.")
    entry = entries(db, world)[-1]
    assert (entry.actor, entry.action, entry.reason) == (
        FENNA, "update", "Vendor B asked what 'source' means.")
    assert json.loads(entry.old) == {"description": ""}
    assert json.loads(entry.new) == {"description": "Clarified for vendor B."}


# -- quality flags are stored on save -----------------------------------------------------


def stored_flags(db, requirement_id) -> list[dict]:
    return json.loads(load(db, requirement_id).quality_flags)


def test_flags_are_stored_when_saved_and_updated_when_edited(db, world):
    requirement_id = create(db, world, BRAM, title="A user-friendly screen",
                            verification_criterion="", priority="must")
    assert [f["code"] for f in stored_flags(db, requirement_id)] == [
        "vague_word", "no_verification_criterion", "must_not_knockout_or_weighted"]
    assert stored_flags(db, requirement_id)[0]["params"] == {"words": ["user-friendly"]}
    edit(db, world, BRAM, requirement_id, 1,
         verification_criterion="8 of 10 test users finish the task.", weight=6.0)
    assert stored_flags(db, requirement_id) == []


def test_near_duplicates_flag_each_other_until_one_is_rejected(db, world):
    first = create(db, world, BRAM, title="Customer view shows all contacts")
    second = create(db, world, INGRID, title="Customer view shows all contact")
    assert stored_flags(db, first) == [{"code": "duplicate_title", "params": {
        "code": "BUS-SAL-02", "title": "Customer view shows all contact"}}]
    assert stored_flags(db, second) == [{"code": "duplicate_title", "params": {
        "code": "BUS-SAL-01", "title": "Customer view shows all contacts"}}]
    decide(db, world, FENNA, second, "rejected", "Duplicate of BUS-SAL-01.")
    assert stored_flags(db, first) == []
    assert stored_flags(db, second) == []
    third = create(db, world, BRAM, title="Customer view: all contacts shown")
    edit(db, world, BRAM, third, 1, title="Customer view shows all contacts!")
    assert [f["params"]["code"] for f in stored_flags(db, first)] == ["BUS-SAL-03"]
    edit(db, world, BRAM, third, 2, title="Opportunity stages per product line")
    assert stored_flags(db, first) == []


def test_list_filters_and_search(db, world):
    a = create(db, world, BRAM, title="Lead registration with source", priority="must",
               knockout=True, knockout_rationale="Without it marketing is blind.")
    b = create(db, world, INGRID, category="backup", title="RPO at most 24 hours",
               verification_criterion="SLA: RPO 24 h.")
    c = create(db, world, BRAM, category="service", title="Complaint 100% registered",
               description="Every complaint_id is kept.")
    decide(db, world, FENNA, b, "accepted", "Standard for us.")
    with db.transaction(write=False) as session:
        def ids(**filters):
            return [r.id for r in service.list_requirements(
                session, world.selection, service.RequirementFilter(**filters))]

        assert ids() == [a, c, b]  # category order: sales, service, ..., backup
        assert ids(domain="it") == [b]
        assert ids(category_id=world.categories["service"]) == [c]
        assert ids(priority="must") == [a]
        assert ids(status="accepted") == [b]
        assert ids(owner_group="business") == [a, c]
        assert ids(knockout="yes") == [a]
        assert ids(knockout="no") == [c, b]
        assert ids(raised_by=world.accounts[INGRID]) == [b]
        assert ids(search="rpo 24") == [b]
        assert ids(search="BUS-SVC") == [c]
        assert ids(search="100%") == [c]  # LIKE wildcards are taken literally
        assert ids(search="complaint_id") == [c]
        assert ids(search="complaintXid") == []
        row = service.list_requirements(session, world.selection,
                                        service.RequirementFilter(search="RPO"))[0]
        assert (row.raised_by_email, row.category_key, row.domain) == (INGRID, "backup", "it")
        assert service.raisers(session, world.selection) == [
            (world.accounts[BRAM], "Bram"), (world.accounts[INGRID], "Ingrid")]


def test_proposals_stay_open_while_the_weights_are_frozen(db, world):
    set_phase(db, world, "weighting", weights_frozen=True)
    requirement_id = create(db, world, BRAM, title="Late but welcome", priority="must")
    assert load(db, requirement_id).status == "proposed"

    def accept_at_once():  # an accepted one would set a weight
        with acting(db, world, FENNA) as (session, selection, account, role):
            service.create_requirement(session, selection, account, role,
                                       fields(world, title="Accepted at once"),
                                       status="accepted")

    assert_refused(db, world, "reopen the weights", accept_at_once)


def test_flags_of_an_imported_selection_file_can_be_computed_at_once(db, example_doc):
    from selector.services import selection_file

    with db.transaction() as session:
        sid = selection_file.import_selection(session, example_doc)
        service.refresh_all_quality(session, sid)
    with db.transaction(write=False) as session:
        flags = [json.loads(text) for text in session.scalars(
            select(Requirement.quality_flags).where(Requirement.selection_id == sid))]
    assert len(flags) == len(example_doc["requirements"])
    assert any(f for f in flags)  # the example has musts that are neither knock-out nor weighted
