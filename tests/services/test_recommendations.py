"""The facilitator's recommendation, the sponsor's decision, and sealing with care
(issue 18, items 4-6), on the worked example: Northwind ranks first with every knock-out
verified, PolderSuite failed knock-out IT-BRW-01, Tulip has IT-BRW-01 unverified."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.files.selection_file import canonical
from selector.files.selection_file import validate
from selector.models import Account
from selector.models import AuditEntry
from selector.models import Consensus
from selector.models import FinalReport
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import SponsorDecision
from selector.models import Vendor
from selector.models.base import utcnow
from selector.services import reports
from selector.services import scoring
from selector.services import selections
from selector.services import vendors
from selector.services.errors import ServiceError
from selector.services.selection_file import export_selection
from selector.services.selection_file import import_selection

FENNA, BRAM, MARLOES = "fenna@example.org", "bram@example.org", "marloes@example.org"
ADVICE = "Choose Northwind CRM.\n\nIt fits the sales process best."


@pytest.fixture
def sid(db, example_doc):
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))


def member(session, sid: int, email: str) -> tuple[Selection, Membership, Account]:
    account = session.scalar(select(Account).where(Account.email == email))
    membership = session.scalar(select(Membership).where(
        Membership.selection_id == sid, Membership.account_id == account.id))
    return session.get(Selection, sid), membership, account


def vendor_id(session, sid: int, key: str) -> int:
    return session.scalar(select(Vendor.id).where(Vendor.selection_id == sid, Vendor.key == key))


def write(session, sid: int, email: str = FENNA, **kwargs):
    selection, membership, account = member(session, sid, email)
    kwargs.setdefault("text", ADVICE)
    return reports.write_recommendation(session, selection, membership, account,
                                                **kwargs)


def decide(session, sid: int, email: str = MARLOES, **kwargs):
    selection, membership, account = member(session, sid, email)
    kwargs.setdefault("reason", "Fits the budget and the plan.")
    return reports.record_decision(session, selection, membership, account, **kwargs)


def snapshot(session, sid: int) -> tuple:
    """What a refused change must leave as it was."""
    selection = session.get(Selection, sid)
    return (selection.recommendation, selection.recommended_vendor_id,
            selection.recommendation_reason, selection.recommendation_by_id,
            selection.recommendation_at,
            session.scalar(select(func.count()).select_from(SponsorDecision)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
            session.scalar(select(func.count()).select_from(FinalReport)))


def refused(db, sid: int, change, field: str | None, words: str) -> None:
    """`change(session)` is refused with a message naming `field`, and changes nothing."""
    with db.transaction() as session:
        before = snapshot(session, sid)
        with pytest.raises(ServiceError) as caught:
            change(session)
        assert caught.value.field == field
        assert words in str(caught.value.message)
        assert snapshot(session, sid) == before


def audit_rows(session, sid: int, entity: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.selection_id == sid, AuditEntry.entity == entity).order_by(AuditEntry.id)))


# -- the recommendation -------------------------------------------------------------------


def test_the_facilitator_recommends_the_first_ranked_vendor_by_default(db, sid):
    with db.transaction() as session:
        write(session, sid)
    with db.transaction() as session:
        selection = session.get(Selection, sid)
        fenna = member(session, sid, FENNA)[2]
        assert selection.recommendation == ADVICE
        assert selection.recommended_vendor_id == vendor_id(session, sid, "northwind")
        assert selection.recommendation_by_id == fenna.id
        assert utcnow() - selection.recommendation_at < timedelta(minutes=1)
        [entry] = audit_rows(session, sid, "recommendation")
        assert (entry.action, entry.actor, entry.entity_key) == ("create", FENNA, "northwind")
        assert json.loads(entry.new) == {"recommendation": ADVICE, "vendor": "northwind",
                                         "recommendation_reason": ""}
        state = reports.recommendation_state(session, selection)
        assert state.written and state.awaiting_decision and not state.sent_back
        assert state.vendor.key == state.first_ranked.key == "northwind"
        # A revision is audited with the old text.
        write(session, sid, text="Choose Northwind CRM, with a pilot first.")
        revised = audit_rows(session, sid, "recommendation")[-1]
        assert revised.action == "update"
        assert json.loads(revised.old)["recommendation"] == ADVICE


def test_paragraphs_keep_their_blank_lines_and_windows_line_ends_are_made_plain(db, sid):
    with db.transaction() as session:
        write(session, sid, text="  First paragraph.\r\n\r\nSecond one.\r\n  ")
        assert session.get(Selection, sid).recommendation == "First paragraph.\n\nSecond one."


@pytest.mark.parametrize(("email", "words"), [
    (BRAM, "Only the facilitator writes the recommendation."),
    (MARLOES, "Only the facilitator writes the recommendation."),
])
def test_only_the_facilitator_writes_it(db, sid, email, words):
    refused(db, sid, lambda session: write(session, sid, email), None, words)


def test_it_is_written_only_once_scoring_is_closed(db, sid):
    with db.transaction() as session:
        session.get(Selection, sid).phase = "scoring"
    refused(db, sid, lambda session: write(session, sid), None,
            "in the decision phase, when scoring is closed")


def test_an_empty_recommendation_is_refused(db, sid):
    refused(db, sid, lambda session: write(session, sid, text=" \n\n "), "text",
            "Write the recommendation.")


@pytest.mark.parametrize(("key", "words"), [
    ("tulip", "A vendor other than the first-ranked one can be recommended only with a reason"),
    ("polder", "A vendor that failed a knock-out can be recommended only with a reason"),
])
def test_another_or_an_excluded_vendor_needs_a_reason(db, sid, key, words):
    def change(session):
        write(session, sid, vendor_id=vendor_id(session, sid, key), reason="  ")

    refused(db, sid, change, "reason", words)
    refused(db, sid, change, "reason", "“Why this vendor”")
    with db.transaction() as session:
        write(session, sid, vendor_id=vendor_id(session, sid, key),
              reason="The support contract weighs more than the scores say.")
        selection = session.get(Selection, sid)
        assert selection.recommended_vendor_id == vendor_id(session, sid, key)
        assert selection.recommendation_reason.startswith("The support contract")


def test_a_withdrawn_vendor_needs_a_reason(db, sid):
    with db.transaction() as session:
        selection, _membership, fenna = member(session, sid, FENNA)
        vendors.set_withdrawn(session, selection, fenna, vendor_id(session, sid, "northwind"),
                              True, "They left the Dutch market.")

    def change(session):
        write(session, sid, vendor_id=vendor_id(session, sid, "northwind"))

    refused(db, sid, change, "reason", "A withdrawn vendor can be recommended only with a reason")


def test_a_vendor_below_the_quality_threshold_needs_a_reason(db, sid):
    with db.transaction() as session:
        selection = session.get(Selection, sid)
        quality = {row.key: row.quality
                   for row in reports.ranked_rows(session, selection)}
        # A threshold between Tulip's quality and Northwind's puts Tulip below it.
        selection.quality_threshold = (quality["tulip"] + quality["northwind"]) / 2
        assert quality["tulip"] < selection.quality_threshold < quality["northwind"]

    def change(session):
        write(session, sid, vendor_id=vendor_id(session, sid, "tulip"))

    refused(db, sid, change, "reason",
            "A vendor below the quality threshold can be recommended only with a reason")


def test_a_vendor_of_another_selection_is_refused(db, sid, example_doc):
    with db.transaction() as session:
        other = import_selection(session, validate(example_doc))
    refused(db, sid, lambda session: write(
        session, sid, vendor_id=vendor_id(session, other, "northwind"),
        reason="Any reason."), "vendor", "There is no such vendor in this selection.")


def test_too_long_a_recommendation_is_refused(db, sid):
    refused(db, sid, lambda session: write(session, sid, text="x" * 20_001), "text",
            "at most 20000 characters")


# -- the sponsor's decision ---------------------------------------------------------------


def test_the_sponsor_approves_the_recommended_vendor_by_default(db, sid):
    with db.transaction() as session:
        write(session, sid, vendor_id=vendor_id(session, sid, "tulip"), reason="Cheaper.")
        decision = decide(session, sid, verdict="approved")
        decision_id = decision.id
    with db.transaction() as session:
        decision = session.get(SponsorDecision, decision_id)
        assert decision.verdict == "approved"
        assert decision.vendor_id == vendor_id(session, sid, "tulip")
        assert decision.by_email == MARLOES and decision.decided_on == utcnow().date()
        [entry] = audit_rows(session, sid, "sponsor_decision")
        assert (entry.action, entry.actor, entry.reason) == (
            "decide", MARLOES, "Fits the budget and the plan.")
        assert json.loads(entry.new) == {"verdict": "approved", "vendor": "tulip",
                                         "date": utcnow().date().isoformat()}
        state = reports.recommendation_state(session, session.get(Selection, sid))
        assert state.approved and not state.awaiting_decision
        assert state.decided_by == "Marloes Mulder" and state.decision_vendor.key == "tulip"
    # Approved: neither the recommendation nor the decision changes any more.
    refused(db, sid, lambda session: write(session, sid), None,
            "The sponsor has approved the recommendation: it can no longer change.")
    refused(db, sid, lambda session: decide(session, sid, verdict="rejected"), None,
            "The recommendation is approved already.")


def test_the_sponsor_may_name_another_vendor_and_an_earlier_date(db, sid):
    with db.transaction() as session:
        write(session, sid)
        yesterday = utcnow().date() - timedelta(days=1)
        decision = decide(session, sid, verdict="approved",
                          vendor_id=vendor_id(session, sid, "tulip"), decided_on=yesterday)
        assert decision.vendor_id == vendor_id(session, sid, "tulip")
        assert decision.decided_on == yesterday


@pytest.mark.parametrize("email", [FENNA, BRAM, "ingrid@example.org"])
def test_a_decision_by_someone_who_is_not_a_sponsor_is_refused(db, sid, email):
    with db.transaction() as session:
        write(session, sid)
    refused(db, sid, lambda session: decide(session, sid, email, verdict="approved"), None,
            "Only a sponsor decides on the recommendation.")


def test_a_decision_needs_a_written_recommendation(db, sid):
    refused(db, sid, lambda session: decide(session, sid, verdict="approved"), None,
            "The facilitator has not written a recommendation yet")


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"verdict": "approved", "reason": "  "}, "reason", "Give the reason for your decision."),
    ({"verdict": "maybe"}, "verdict", "Choose approve, reject or more information needed."),
    ({"verdict": "approved", "decided_on": utcnow().date() + timedelta(days=1)},
     "decided_on", "The date of the decision cannot be in the future."),
    ({"verdict": "approved", "reason": "x" * 5_001}, "reason", "at most 5000 characters"),
])
def test_a_decision_without_its_parts_is_refused(db, sid, kwargs, field, words):
    with db.transaction() as session:
        write(session, sid)
    refused(db, sid, lambda session: decide(session, sid, **kwargs), field, words)


@pytest.mark.parametrize("verdict", ["rejected", "more_information"])
def test_a_rejection_sends_the_recommendation_back_until_it_is_revised(db, sid, verdict):
    with db.transaction() as session:
        write(session, sid)
        decision = decide(session, sid, verdict=verdict, reason="Compare the exit costs first.",
                          vendor_id=vendor_id(session, sid, "tulip"))
        assert decision.vendor_id is None  # only an approval names a vendor
        state = reports.recommendation_state(session, session.get(Selection, sid))
        assert state.sent_back and not state.awaiting_decision and not state.approved
        assert state.decision.reason == "Compare the exit costs first."
    refused(db, sid, lambda session: decide(session, sid, verdict="approved"), None,
            "The recommendation was sent back to the facilitator")
    with db.transaction() as session:  # the facilitator revises it...
        write(session, sid, text=ADVICE + "\n\nExit costs: 12,000 euros.")
        state = reports.recommendation_state(session, session.get(Selection, sid))
        assert not state.sent_back and state.awaiting_decision
        decide(session, sid, verdict="approved")  # ...and the sponsor decides again
    with db.transaction() as session:
        assert reports.current_sponsor_decision(session, sid).verdict == "approved"
        assert len(audit_rows(session, sid, "sponsor_decision")) == 2


# -- sealing with care --------------------------------------------------------------------


def test_sealing_is_refused_while_the_recommended_vendor_has_an_unverified_knockout(db, sid):
    with db.transaction() as session:
        write(session, sid, vendor_id=vendor_id(session, sid, "tulip"), reason="Cheaper.")
    refused(db, sid, lambda session: reports.issue_final_report(
        session, sid, member(session, sid, FENNA)[2], "en"), "seal_reason",
        "The recommended vendor has knock-outs without a verdict")
    with db.transaction() as session:
        fenna = member(session, sid, FENNA)[2]
        sealed = reports.issue_final_report(
            session, sid, fenna, "en", seal_reason="  The browser test is booked for Monday. ")
        assert sealed.seal_reason == "The browser test is booked for Monday."
        entry = audit_rows(session, sid, "final_report")[-1]
        assert entry.reason == "The browser test is booked for Monday."
        assert json.loads(entry.new)["unverified_knockouts"] == ["IT-BRW-01"]


def test_a_verified_recommended_vendor_seals_without_a_reason(db, sid):
    with db.transaction() as session:
        write(session, sid)  # Northwind: both knock-outs passed
        sealed = reports.issue_final_report(session, sid, None, "en",
                                            seal_reason="not needed")
        assert sealed.seal_reason == ""


def test_a_sealed_report_keeps_the_digest_of_the_selection_file(db, sid):
    with db.transaction() as session:
        write(session, sid)
        decide(session, sid, verdict="approved")
        sealed = reports.issue_final_report(session, sid, None, "en")
        doc = export_selection(session, sid)
        assert doc["recommendation"] == ADVICE and doc["decision"]["verdict"] == "approved"
        content = json.dumps({"selection_file": canonical(doc), "recommended_vendor": "northwind",
                              "recommendation_reason": ""},
                             ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert sealed.content_sha256 == hashlib.sha256(content.encode()).hexdigest()
        assert reports.current_final_report(session, sid).id == sealed.id
        assert not reports.is_superseded(session, sealed)


def test_a_change_after_sealing_supersedes_the_report(db, sid):
    with db.transaction() as session:
        write(session, sid)
        sealed_id = reports.issue_final_report(session, sid, None, "en").id
        selection, _membership, fenna = member(session, sid, FENNA)
        assert selections.overview(session, selection).progress[-1].done == 1
    with db.transaction() as session:
        selection, _membership, fenna = member(session, sid, FENNA)
        consensus = session.scalars(select(Consensus).where(
            Consensus.selection_id == sid)).first()
        requirement = session.get(Requirement, consensus.requirement_id)
        scoring.record_consensus(
            session, selection, fenna, vendor_id=consensus.vendor_id,
            requirement_id=requirement.id, score=0 if consensus.score else 1,
            rationale="Seen again at the reference visit.", version=consensus.version)
    with db.transaction() as session:
        sealed = session.get(FinalReport, sealed_id)
        assert reports.is_superseded(session, sealed)
        assert reports.current_final_report(session, sid) is None
        assert reports.newest_final_report(session, sid).id == sealed_id
        changes = reports.changes_since(session, sealed)
        assert [(c.entity, c.action) for c in changes] == [("consensus", "update")]
        selection = session.get(Selection, sid)
        overview = selections.overview(session, selection)
        assert overview.progress[-1].done == 0  # "final report not sealed yet"
        assert overview.sealed  # ...yet the selection still cannot go back a phase
        # A new final report is current again.
        again = reports.issue_final_report(session, sid, None, "en")
        assert reports.current_final_report(session, sid).id == again.id


def test_an_audited_change_that_leaves_the_content_alone_does_not_supersede(db, sid):
    from selector.services import invitations

    with db.transaction() as session:
        write(session, sid)
        sealed_id = reports.issue_final_report(session, sid, None, "en").id
    with db.transaction() as session:  # an invitation is audited, but no content
        selection, _membership, fenna = member(session, sid, FENNA)
        invitations.invite(session, selection, fenna, "ivo@example.org", "observer")
    with db.transaction() as session:
        sealed = session.get(FinalReport, sealed_id)
        assert [(c.entity, c.action) for c in reports.changes_since(session, sealed)] == [
            ("member", "invite")]
        assert not reports.is_superseded(session, sealed)
        assert reports.current_final_report(session, sid).id == sealed_id


def test_changing_only_the_recommended_vendor_supersedes_the_report(db, sid):
    with db.transaction() as session:
        write(session, sid)
        sealed_id = reports.issue_final_report(session, sid, None, "en").id
    with db.transaction() as session:
        write(session, sid, vendor_id=vendor_id(session, sid, "tulip"), reason="Cheaper.")
        assert reports.is_superseded(session, session.get(FinalReport, sealed_id))
