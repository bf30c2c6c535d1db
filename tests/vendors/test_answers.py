"""A vendor's answers: the questionnaire's order, every refusal (explanation, planned
date, structured answer, evidence), the lock after submitting or the deadline, the
facilitator's reopening, costs, progress and the committee's view."""

from __future__ import annotations

import json
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import AnswerDocument
from selector.models import AuditEntry
from selector.models import VendorAnswer
from selector.models.base import utcnow
from selector.services import vendors
from selector.services import verdicts
from selector.services.errors import Conflict
from selector.services.errors import ServiceError
from tests.vendors.conftest import KNOCKOUTS
from tests.vendors.conftest import NEXT_MONTH
from tests.vendors.conftest import PDF
from tests.vendors.conftest import answer
from tests.vendors.conftest import answer_all
from tests.vendors.conftest import selection_and_vendor


def _stored(db) -> list[tuple]:
    with db.transaction(write=False) as session:
        return session.execute(select(
            VendorAnswer.compliance, VendorAnswer.explanation, VendorAnswer.planned_on,
            VendorAnswer.structured).order_by(VendorAnswer.id)).all()


def _audit(db, entity="answer") -> list[tuple]:
    with db.transaction(write=False) as session:
        return session.execute(select(AuditEntry.action, AuditEntry.entity_key,
                                      AuditEntry.actor, AuditEntry.reason)
                               .where(AuditEntry.entity == entity)
                               .order_by(AuditEntry.id)).all()


def test_the_questionnaire_is_every_active_requirement_knockouts_first(db, ids):
    with db.transaction(write=False) as session:
        selection, vendor = selection_and_vendor(session, ids)
        items = vendors.questionnaire(session, selection, vendor)
    codes = [item.requirement.code for item in items]
    assert codes[:2] == ["IT-HST-01", "IT-BRW-01"]
    assert "BUS-RPT-03" not in codes  # "won't" takes no part
    assert len(codes) == 24 and set(codes[2:]) == {
        c for c in ids.requirements if c not in KNOCKOUTS and c != "BUS-RPT-03"}
    by_code = {item.requirement.code: item for item in items}
    assert by_code["IT-HST-01"].question.key == "data_location"
    assert by_code["IT-HST-01"].required == {"location": "the EU/EEA"}
    assert by_code["BUS-SAL-01"].question is None


def test_an_answer_is_saved_and_audited_under_the_vendors_name(db, ids):
    with db.transaction() as session:
        answer(session, ids, "BUS-SAL-01", "partly", "  Leads yes, sources by import.  ")
        answer(session, ids, "IT-HST-02", "planned", "Local hardware from Q3.",
               planned_on=NEXT_MONTH)
        answer(session, ids, "IT-HST-01", "yes", structured={"location": "Netherlands"})
    assert _stored(db) == [
        ("partly", "Leads yes, sources by import.", None, None),
        ("planned", "Local hardware from Q3.", NEXT_MONTH, None),
        ("yes", "", None, json.dumps({"item": "data_location",
                                      "value": {"location": "Netherlands"}}, sort_keys=True)),
    ]
    assert _audit(db) == [("create", "northwind · BUS-SAL-01", "vendor:northwind", ""),
                          ("create", "northwind · IT-HST-02", "vendor:northwind", ""),
                          ("create", "northwind · IT-HST-01", "vendor:northwind", "")]


@pytest.mark.parametrize("code, given, field", [
    ("BUS-SAL-01", dict(compliance="partly", explanation="   "), "explanation"),
    ("BUS-SAL-01", dict(compliance="no"), "explanation"),
    ("BUS-SAL-01", dict(compliance="third_party"), "explanation"),
    ("BUS-SAL-01", dict(compliance="maybe", explanation="Who knows."), "compliance"),
    ("BUS-SAL-01", dict(compliance="planned", explanation="Soon."), "planned_on"),
    ("BUS-SAL-01", dict(compliance="planned", explanation="Soon.",
                        planned_on=date.today() - timedelta(days=1)), "planned_on"),
    ("BUS-SAL-01", dict(compliance="partly", explanation="x" * 5001), "explanation"),
    ("BUS-SAL-01", dict(compliance="partly", explanation="a\x00b"), "explanation"),
    ("BUS-SAL-01", dict(compliance="yes", structured={"location": "EU"}), "structured"),
    ("IT-HST-01", dict(compliance="yes", structured={"location": "  "}),
     "structured-location"),
    ("IT-BRW-01", dict(compliance="yes", structured={"browser": "lynx", "device": "desktop",
                                                     "min_version": None}),
     "structured-browser"),
])
def test_a_refused_answer_names_its_field_and_stores_nothing(db, ids, code, given, field):
    with db.transaction() as session, pytest.raises(ServiceError) as refused:
        answer(session, ids, code, **given)
    assert refused.value.field == field
    assert _stored(db) == [] and _audit(db) == []


def test_a_stale_version_is_a_conflict(db, ids):
    with db.transaction() as session:
        answer(session, ids, "BUS-SAL-01", "partly", "First.")
    with db.transaction() as session, pytest.raises(Conflict):
        answer(session, ids, "BUS-SAL-01", "no", "Second, from a stale page.")
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.save_answer(session, selection, vendor, ids.requirements["BUS-SAL-01"],
                                   vendors.AnswerInput("no", "Second."), 1)
    assert _stored(db) == [("no", "Second.", None, None)]


def test_submitted_answers_are_locked_until_the_facilitator_reopens_them(db, ids):
    with db.transaction() as session:
        answer(session, ids, "BUS-SAL-01", "partly", "Half of it.")
    with db.transaction() as session, pytest.raises(ServiceError, match="every requirement"):
        selection, vendor = selection_and_vendor(session, ids)
        vendors.submit_answers(session, selection, vendor)
    with db.transaction() as session:
        answer_all(session, ids)
        selection, vendor = selection_and_vendor(session, ids)
        vendors.submit_answers(session, selection, vendor, actor_name="vendor:northwind")
    with db.transaction() as session, pytest.raises(ServiceError, match="submitted"):
        answer(session, ids, "BUS-SAL-02", "no", "Changed my mind.")
    with db.transaction() as session, pytest.raises(ServiceError, match="submitted"):
        selection, vendor = selection_and_vendor(session, ids)
        vendors.add_document(session, selection, vendor, ids.requirements["BUS-SAL-01"],
                                    verdicts.Upload("proof.pdf", PDF))
    with db.transaction() as session, pytest.raises(ServiceError) as refused:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.reopen_answers(session, selection, None, vendor.id, "  ")
    assert refused.value.field == "reason"
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.reopen_answers(session, selection, None, vendor.id, "Asked to fix a typo.")
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.save_answer(session, selection, vendor, ids.requirements["BUS-SAL-01"],
                                   vendors.AnswerInput("yes"), 1)
    audit = _audit(db)
    assert ("submit", "northwind", "vendor:northwind", "") in audit
    assert ("reopen", "northwind", "system", "Asked to fix a typo.") in audit


def test_after_the_deadline_nothing_changes(db, ids):
    with db.transaction() as session:
        answer(session, ids, "BUS-SAL-01", "partly", "Half of it.")
        selection, _ = selection_and_vendor(session, ids)
        vendors.set_answers_schedule(session, selection, None, utcnow() - timedelta(minutes=1),
                                    hidden=True)
    for change in (
        lambda s, sel, v: answer(s, ids, "BUS-SAL-02", "yes"),
        lambda s, sel, v: vendors.submit_answers(s, sel, v),
        lambda s, sel, v: vendors.save_costs(
            s, sel, v, vendors.Costs(1000, 5000, 200, 3)),
    ):
        with db.transaction() as session, pytest.raises(ServiceError, match="deadline"):
            change(session, *selection_and_vendor(session, ids))
    assert _stored(db) == [("partly", "Half of it.", None, None)]


def test_evidence_is_checked_like_verdict_documents(db, ids, instance):
    with db.transaction() as session:
        answer(session, ids, "IT-HST-01", "yes")
    for name, content in (("proof.pdf", b"MZ\x90\x00 a program"),
                          ("proof.pdf", b"\x89PNG\r\n\x1a\n a png named pdf"),
                          ("big.pdf", b"%PDF-" + b"0" * verdicts.MAX_ATTACHMENT)):
        with db.transaction() as session, pytest.raises(ServiceError) as refused:
            selection, vendor = selection_and_vendor(session, ids)
            vendors.add_document(session, selection, vendor,
                                        ids.requirements["IT-HST-01"],
                                        verdicts.Upload(name, content))
        assert refused.value.field == "document"
    with db.transaction() as session, pytest.raises(ServiceError, match="first"):
        selection, vendor = selection_and_vendor(session, ids)
        vendors.add_document(session, selection, vendor, ids.requirements["IT-BRW-01"],
                                    verdicts.Upload("proof.pdf", PDF))
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        stored = vendors.add_document(session, selection, vendor,
                                             ids.requirements["IT-HST-01"],
                                             verdicts.Upload("../../ISO cert.pdf", PDF))
        assert (stored.filename, stored.uploaded_by_id) == ("ISO cert.pdf", None)
    assert (instance / "attachments" / str(stored.id)).read_bytes() == PDF
    with db.transaction(write=False) as session:
        selection, vendor = selection_and_vendor(session, ids)
        item = next(i for i in vendors.questionnaire(session, selection, vendor)
                    if i.requirement.code == "IT-HST-01")
        assert [d.filename for d in item.documents] == ["ISO cert.pdf"]
        assert session.scalar(select(func.count()).select_from(AnswerDocument)) == 1


def test_the_vendors_costs_give_its_tco(db, ids):
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.save_costs(session, selection, vendor,
                                  vendors.Costs(10_000, 50_000, 2_000, 3),
                                  actor_name="vendor:northwind")
        assert vendor.tco == 50_000 + 5 * (10_000 + 2_000)
    with db.transaction() as session, pytest.raises(ServiceError) as refused:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.save_costs(session, selection, vendor,
                                  vendors.Costs(10_000, -1, 2_000, 3))
    assert refused.value.field == "implementation"
    assert _audit(db, "vendor")[-1][2] == "vendor:northwind"


def test_progress_and_the_committees_view_before_and_after_the_deadline(db, ids):
    with db.transaction() as session:
        answer_all(session, ids, "polder")
        selection, vendor = selection_and_vendor(session, ids, "polder")
        vendors.submit_answers(session, selection, vendor)
        answer(session, ids, "BUS-SAL-01", "partly", "Half.", key="tulip")
        deadline = utcnow() + timedelta(days=2)
        vendors.set_answers_schedule(session, selection, None, deadline, hidden=True)
    with db.transaction(write=False) as session:
        selection, _ = selection_and_vendor(session, ids)
        shown = {(p.vendor.key, p.answered, p.total, p.submitted_at is not None)
                 for p in vendors.answer_progress(session, selection)}
        assert shown == {("northwind", 0, 24, False), ("polder", 24, 24, True),
                         ("tulip", 1, 24, False)}
        assert vendors.committee_answers(session, selection, ids.vendors["tulip"]) is None
        after = vendors.committee_answers(session, selection, ids.vendors["tulip"],
                                                 now=deadline + timedelta(seconds=1))
        assert [(i.requirement.code, i.answer.explanation) for i in after if i.answer] == [
            ("BUS-SAL-01", "Half.")]
    assert ("update", "CRM selection Gemeente Voorbeeld 2026", "system", "") in _audit(
        db, "selection")
