"""Knock-out verdicts proposed by vendors' answers, confirmed or overridden by a person.

For every active knock-out, a vendor's "no", or a structured IT answer that falls short
of the requirement's own (`domain.vendor_answers.falls_short`: a browser not supported,
data outside the EU when the EU is required, an RPO longer than required...), becomes a
*proposed* failed verdict with the answer as its evidence. Nothing excludes a vendor
without a person (decisions.md): the knock-out's owner group (or the facilitator)
confirms it, which records the verdict through the verdict service (its phase rule and
audit included), or overrides it with a reason. A changed answer withdraws a proposal
that no longer holds and puts a decided one up again when its evidence changed.
While the selection hides the answers until the deadline, so are the proposals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import vendor_answers as rules
from selector.domain.it_catalogue import QUESTIONS, AnswerRefused, answer_words, check_answer
from selector.domain.vocabulary import AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import (
    Account,
    Membership,
    Requirement,
    Selection,
    Vendor,
    VendorAnswer,
    Verdict,
    VerdictProposal,
)
from selector.models.base import utcnow
from selector.services import audit, verdicts
from selector.services.errors import NotFound, ServiceError
from selector.services.requirements import structured_of

PROPOSED, CONFIRMED, OVERRIDDEN, WITHDRAWN = "proposed", "confirmed", "overridden", "withdrawn"
MAX_REASON = verdicts.MAX_EVIDENCE


def _structured(text: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def proposed_evidence(selection: Selection, requirement: Requirement,
                      answer: VendorAnswer | None) -> str | None:
    """The evidence of the failed verdict this answer proposes on an active knock-out,
    or None when it proposes none."""
    if answer is None or not requirement.is_active_knockout:
        return None
    language = selection.language
    required = structured_of(requirement) or {}
    question = QUESTIONS.get(required.get("item", ""))
    offered = (_structured(answer.structured) or {}).get("value")
    if question is not None and offered is not None:
        try:
            wanted = check_answer(question, required.get("value"))
            offered = check_answer(question, offered)
        except AnswerRefused:  # stored before a catalogue change: a person judges
            wanted = None
        if wanted is not None and rules.falls_short(question.key, wanted, offered):
            return rules.evidence(answer.compliance, answer.explanation, language,
                                  answer_words(question, offered, language),
                                  answer_words(question, wanted, language))
    if answer.compliance == rules.NO:
        return rules.evidence(answer.compliance, answer.explanation, language)
    return None


def refresh(session: Session, selection: Selection, vendor: Vendor, requirement: Requirement,
            answer: VendorAnswer | None, actor_name: str = "") -> VerdictProposal | None:
    """Bring the proposal on (vendor, knock-out) in line with the answer now stored."""
    evidence = proposed_evidence(selection, requirement, answer)
    proposal = session.scalar(select(VerdictProposal).where(
        VerdictProposal.vendor_id == vendor.id,
        VerdictProposal.requirement_id == requirement.id))
    key = f"{vendor.key} · {requirement.code}"
    if evidence is None:
        if proposal is not None and proposal.state == PROPOSED:
            proposal.state = WITHDRAWN
            audit.record(session, selection_id=selection.id, actor=None,
                         action=AuditAction.WITHDRAW, entity=AuditEntity.VERDICT_PROPOSAL,
                         entity_key=key, old={"state": PROPOSED}, new={"state": WITHDRAWN},
                         actor_name=actor_name)
        return proposal
    if proposal is None:
        proposal = VerdictProposal(selection_id=selection.id, vendor_id=vendor.id,
                                   requirement_id=requirement.id, evidence=evidence,
                                   state=PROPOSED, proposed_at=utcnow())
        session.add(proposal)
        audit.record(session, selection_id=selection.id, actor=None,
                     action=AuditAction.CREATE, entity=AuditEntity.VERDICT_PROPOSAL,
                     entity_key=key, new={"state": PROPOSED, "evidence": evidence},
                     actor_name=actor_name)
    elif proposal.state == WITHDRAWN or proposal.evidence != evidence:
        old = {"state": proposal.state, "evidence": proposal.evidence}
        proposal.state, proposal.evidence, proposal.proposed_at = PROPOSED, evidence, utcnow()
        proposal.decided_by_id = proposal.decided_at = None
        proposal.reason = ""
        audit.record(session, selection_id=selection.id, actor=None,
                     action=AuditAction.UPDATE, entity=AuditEntity.VERDICT_PROPOSAL,
                     entity_key=key, old=old, new={"state": PROPOSED, "evidence": evidence},
                     actor_name=actor_name)
    session.flush()
    return proposal


@dataclass(frozen=True)
class Proposal:
    proposal: VerdictProposal
    vendor: Vendor
    requirement: Requirement
    verdict: Verdict | None  # the verdict recorded now, if any


def proposals_of(session: Session, selection: Selection, now: datetime | None = None,
                 states: tuple[str, ...] = (PROPOSED,)) -> list[Proposal] | None:
    """The proposals in `states` on active knock-outs, by requirement then vendor; None
    while the selection hides the vendors' answers until the deadline."""
    if not rules.answers_visible(selection.answers_hidden, selection.answers_deadline,
                                 now or utcnow()):
        return None
    rows = session.execute(
        select(VerdictProposal, Vendor, Requirement, Verdict)
        .join(Vendor, Vendor.id == VerdictProposal.vendor_id)
        .join(Requirement, Requirement.id == VerdictProposal.requirement_id)
        .outerjoin(Verdict, (Verdict.vendor_id == VerdictProposal.vendor_id)
                   & (Verdict.requirement_id == VerdictProposal.requirement_id))
        .where(VerdictProposal.selection_id == selection.id,
               VerdictProposal.state.in_(states), Requirement.is_active_knockout)
        .order_by(Requirement.code, Vendor.name, Vendor.key)
    ).all()
    return [Proposal(*row) for row in rows]


def _open_proposal(session: Session, selection: Selection, membership: Membership,
                   proposal_id: int) -> tuple[VerdictProposal, Vendor, Requirement]:
    found = proposals_of(session, selection)
    match = next((p for p in found or [] if p.proposal.id == proposal_id), None)
    if match is None:
        raise NotFound(_l("There is no such proposed verdict in this selection."))
    if not verdicts.may_record(membership, match.requirement):
        raise ServiceError(_l("Only the facilitator and the members of the knock-out's owner "
                              "group decide on its proposed verdicts."))
    return match.proposal, match.vendor, match.requirement


def confirm(session: Session, selection: Selection, membership: Membership, actor: Account,
            proposal_id: int) -> verdicts.SavedVerdict:
    """The owner group agrees: the proposal becomes the failed verdict, with the answer
    as its evidence (the verdict service records and audits it, in its phases only)."""
    proposal, vendor, requirement = _open_proposal(session, selection, membership, proposal_id)
    version = session.scalar(select(Verdict.version).where(
        Verdict.vendor_id == vendor.id, Verdict.requirement_id == requirement.id))
    saved = verdicts.record_verdict(
        session, selection, membership, actor, vendor_id=vendor.id,
        requirement_id=requirement.id, passed=False, evidence=proposal.evidence,
        version=version)
    proposal.state, proposal.decided_by_id, proposal.decided_at = CONFIRMED, actor.id, utcnow()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.CONFIRM,
                 entity=AuditEntity.VERDICT_PROPOSAL, entity_key=f"{vendor.key} · "
                 f"{requirement.code}", old={"state": PROPOSED}, new={"state": CONFIRMED})
    session.flush()
    return saved


def override(session: Session, selection: Selection, membership: Membership, actor: Account,
             proposal_id: int, reason: str) -> VerdictProposal:
    """The owner group disagrees, with a reason: no verdict is recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Say why the answer does not make the vendor fail this "
                              "knock-out."), "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(_l("The reason can have at most %(count)d characters.",
                              count=MAX_REASON), "reason")
    proposal, vendor, requirement = _open_proposal(session, selection, membership, proposal_id)
    proposal.state, proposal.reason = OVERRIDDEN, reason
    proposal.decided_by_id, proposal.decided_at = actor.id, utcnow()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.OVERRIDE,
                 entity=AuditEntity.VERDICT_PROPOSAL,
                 entity_key=f"{vendor.key} · {requirement.code}", old={"state": PROPOSED},
                 new={"state": OVERRIDDEN}, reason=reason)
    session.flush()
    return proposal
