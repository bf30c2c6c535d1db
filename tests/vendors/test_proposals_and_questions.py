"""Knock-outs checked against answers (proposed, confirmed, overridden, withdrawn; never a
verdict without a person) and the questions vendors ask, answered to all of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Membership
from selector.models import Verdict
from selector.models import VerdictProposal
from selector.models.base import utcnow
from selector.services import vendors
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from tests.scoring.helpers import actor
from tests.vendors.conftest import answer
from tests.vendors.conftest import selection_and_vendor


def _proposals(db, ids) -> list[tuple]:
    """The proposals waiting for a person: (vendor, knock-out, evidence)."""
    with db.transaction(write=False) as session:
        selection, _ = selection_and_vendor(session, ids)
        found = vendors.proposals_of(session, selection)
        return [(p.vendor.key, p.requirement.code, p.proposal.evidence) for p in found]


def test_a_no_on_a_knockout_proposes_a_failed_verdict_with_the_answer(db, ids):
    with db.transaction() as session:
        answer(session, ids, "IT-BRW-01", "no", "Only Chrome.", key="tulip")
        answer(session, ids, "BUS-SAL-01", "no", "Not at all.", key="tulip")  # no knock-out
    assert _proposals(db, ids) == [
        ("tulip", "IT-BRW-01", "The vendor answered: No. Only Chrome.")]
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Verdict)) == 0  # no person yet


def test_a_structured_answer_that_falls_short_proposes_one(db, ids):
    with db.transaction() as session:
        answer(session, ids, "IT-HST-01", "yes", structured={"location": "United States"})
        answer(session, ids, "IT-HST-01", "yes", key="polder",
               structured={"location": "Germany"})
        answer(session, ids, "IT-BRW-01", "yes", "Edge from version 126.", key="polder",
               structured={"browser": "edge", "device": "desktop", "min_version": 126})
    assert _proposals(db, ids) == [
        ("polder", "IT-BRW-01",
         "The vendor answered: Yes. Edge from version 126. The vendor offers: Microsoft "
         "Edge · Desktop and laptop · version 126 or later; required: Microsoft Edge · "
         "Desktop and laptop · version 120 or later."),
        ("northwind", "IT-HST-01",
         "The vendor answered: Yes. The vendor offers: United States; required: the EU/EEA."),
    ]


def test_the_owner_group_confirms_and_the_verdict_is_recorded(db, ids):
    with db.transaction() as session:
        answer(session, ids, "IT-BRW-01", "no", "Only Chrome.", key="tulip")
    with db.transaction(write=False) as session:
        proposal_id = session.scalar(select(VerdictProposal.id))
    with db.transaction() as session, pytest.raises(ServiceError, match="owner"):
        selection, membership, account = actor(session, ids, "bram@example.org")
        vendors.confirm_proposal(session, selection, membership, account, proposal_id)
    with db.transaction() as session:
        selection, membership, account = actor(session, ids, "ingrid@example.org")
        saved = vendors.confirm_proposal(session, selection, membership, account, proposal_id)
        assert (saved.verdict.passed, saved.verdict.evidence) == (
            False, "The vendor answered: No. Only Chrome.")
    with db.transaction(write=False) as session:
        assert session.get(VerdictProposal, proposal_id).state == "confirmed"
        assert session.execute(select(AuditEntry.entity, AuditEntry.action, AuditEntry.actor)
                               .where(AuditEntry.actor == "ingrid@example.org")
                               .order_by(AuditEntry.id)).all() == [
            ("verdict", "create", "ingrid@example.org"),
            ("verdict_proposal", "confirm", "ingrid@example.org")]
    assert _proposals(db, ids) == []  # decided: no longer waiting
    with db.transaction() as session, pytest.raises(NotFound):
        selection, membership, account = actor(session, ids, "ingrid@example.org")
        vendors.confirm_proposal(session, selection, membership, account, proposal_id)


def test_an_override_needs_a_reason_and_records_no_verdict(db, ids):
    with db.transaction() as session:
        answer(session, ids, "IT-HST-01", "yes", structured={"location": "Switzerland"})
    with db.transaction(write=False) as session:
        proposal_id = session.scalar(select(VerdictProposal.id))
    with db.transaction() as session, pytest.raises(ServiceError) as refused:
        selection, membership, account = actor(session, ids, "koen@example.org")
        vendors.override_proposal(session, selection, membership, account, proposal_id, " ")
    assert refused.value.field == "reason"
    with db.transaction() as session:
        selection, membership, account = actor(session, ids, "koen@example.org")
        vendors.override_proposal(session, selection, membership, account, proposal_id,
                                   "Adequacy decision for Switzerland; the DPO agrees.")
    with db.transaction(write=False) as session:
        proposal = session.get(VerdictProposal, proposal_id)
        assert (proposal.state, proposal.reason) == (
            "overridden", "Adequacy decision for Switzerland; the DPO agrees.")
        assert session.scalar(select(func.count()).select_from(Verdict)) == 0


def test_a_changed_answer_withdraws_the_proposal_and_hidden_answers_hide_it(db, ids):
    with db.transaction() as session:
        answer(session, ids, "IT-BRW-01", "no", "Only Chrome.")
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.save_answer(session, selection, vendor, ids.requirements["IT-BRW-01"],
                                   vendors.AnswerInput("yes"), 1)
    assert _proposals(db, ids) == []
    with db.transaction(write=False) as session:
        assert session.scalar(select(VerdictProposal.state)) == "withdrawn"
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.save_answer(session, selection, vendor, ids.requirements["IT-BRW-01"],
                                   vendors.AnswerInput("no", "Chrome only."), 2)
        vendors.set_answers_schedule(session, selection, None, utcnow() + timedelta(days=1),
                                    hidden=True)
    with db.transaction(write=False) as session:
        selection, _ = selection_and_vendor(session, ids)
        assert vendors.proposals_of(session, selection) is None
        proposal_id = session.scalar(select(VerdictProposal.id))
    with db.transaction() as session, pytest.raises(NotFound):
        selection, membership, account = actor(session, ids, "ingrid@example.org")
        vendors.confirm_proposal(session, selection, membership, account, proposal_id)


def test_answers_to_questions_go_to_every_vendor_without_the_asker(db, ids):
    with db.transaction() as session:
        selection, tulip = selection_and_vendor(session, ids, "tulip")
        asked = vendors.ask_question(session, selection, tulip,
                                     "Tulip Cloud asks: may we offer a phased licence?",
                                     actor_name="vendor:tulip")
        with pytest.raises(ServiceError) as refused:
            vendors.ask_question(session, selection, tulip, "   ")
        assert refused.value.field == "question"
    with db.transaction(write=False) as session:
        selection, _ = selection_and_vendor(session, ids)
        assert [(w.question.question, w.vendor.key)
                for w in vendors.waiting_questions(session, selection)] == [
            ("Tulip Cloud asks: may we offer a phased licence?", "tulip")]
        assert vendors.published_questions(session, selection) == []
    with db.transaction() as session:
        selection, _ = selection_and_vendor(session, ids)
        facilitator = session.scalar(select(Membership).where(
            Membership.id == ids.members["fenna@example.org"])).account
        vendors.publish_answer(session, selection, facilitator, asked.id,
                                 "Yes: name the phases and their prices.",
                                 question="May a vendor offer a phased licence?")
    with db.transaction(write=False) as session:
        selection, _ = selection_and_vendor(session, ids)
        shown = vendors.published_questions(session, selection)
        assert [(p.question, p.answer) for p in shown] == [
            ("May a vendor offer a phased licence?", "Yes: name the phases and their prices.")]
        assert not hasattr(shown[0], "vendor")
        assert vendors.waiting_questions(session, selection) == []
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "publish")).scalar()
        assert "tulip" not in (entry.new + entry.entity_key).lower()
        assert entry.actor == "fenna@example.org"


def test_no_questions_after_the_deadline(db, ids):
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.set_answers_schedule(session, selection, None, utcnow() - timedelta(seconds=1),
                                    hidden=False)
    with db.transaction() as session, pytest.raises(ServiceError, match="deadline"):
        selection, vendor = selection_and_vendor(session, ids)
        vendors.ask_question(session, selection, vendor, "Too late?")
