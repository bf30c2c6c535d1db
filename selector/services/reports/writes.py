"""The reports area's writes: sealing the final report, the facilitator's recommendation
and the sponsor's verdict on it, each with its audit entry in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import APPROVED
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import FinalReport
from selector.models import Membership
from selector.models import Selection
from selector.models import SponsorDecision
from selector.models.base import utcnow
from selector.services import audit
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.reports.reads import Seal
from selector.services.reports.reads import content_digest
from selector.services.reports.reads import current_sponsor_decision
from selector.services.reports.reads import first_ranked_vendor
from selector.services.reports.reads import ranked_rows
from selector.services.reports.reads import recommendation_state
from selector.services.reports.reads import selection_report
from selector.services.reports.reads import selection_vendor
from selector.services.reports.reads import standing
from selector.services.reports.reads import unverified_knockouts
from selector.services.reports.rules import MAX_DECISION_REASON
from selector.services.reports.rules import MAX_RECOMMENDATION
from selector.services.reports.rules import MAX_RECOMMENDATION_REASON
from selector.services.reports.rules import check_decidable
from selector.services.reports.rules import check_language
from selector.services.reports.rules import check_recommender
from selector.services.reports.rules import check_sealer
from selector.services.reports.rules import check_sealing_time
from selector.services.reports.rules import check_sponsor
from selector.services.reports.rules import checked_decision_date
from selector.services.reports.rules import checked_seal_reason
from selector.services.reports.rules import kept_seal_reason
from selector.services.reports.rules import reason_needed
from selector.services.reports.rules import stored_text

# -- sealing the final report -------------------------------------------------------


def issue_final_report(
    session: Session, selection_id: int, actor: Account | None, language: str,
    *, seal_reason: str = "",
) -> FinalReport:
    """Seal the final report: store the PDF with its SHA-256, date and ranking, and the
    SHA-256 of the selection's content; audited.

    Only the facilitator issues it (an `actor` of None is the system, e.g. a script),
    and only in the decision phase, when scoring is closed. While the recommended vendor
    has unverified knock-outs, only with a `seal_reason`. Issuing again later makes a
    new current report; earlier ones stay stored unchanged.
    """
    selection = session.get(Selection, selection_id)
    if selection is None:
        raise NotFound("There is no such selection.")
    if actor is not None:
        check_sealer(session.scalar(
            select(Membership.role).where(
                Membership.selection_id == selection_id,
                Membership.account_id == actor.id,
                Membership.removed_at.is_(None),
            )
        ))
    check_sealing_time(selection)
    check_language(language)
    seal_reason = checked_seal_reason(seal_reason)
    unverified = unverified_knockouts(session, selection)
    seal_reason = kept_seal_reason(unverified, seal_reason)
    issued_at = utcnow()
    rendered = selection_report(session, selection_id, language, Seal(issued_at, seal_reason))
    digest = hashlib.sha256(rendered.pdf).hexdigest()
    report = FinalReport(
        selection_id=selection_id,
        issued_at=issued_at,
        issued_by_id=actor.id if actor is not None else None,
        language=language,
        sha256=digest,
        ranking=json.dumps(rendered.ranking, ensure_ascii=False, sort_keys=True),
        pdf=rendered.pdf,
        content_sha256=content_digest(session, selection_id),
        seal_reason=seal_reason,
    )
    session.add(report)
    session.flush()
    winner = rendered.report.summary.recommended
    audit.record(
        session,
        selection_id=selection_id,
        actor=actor,
        action=AuditAction.ISSUE,
        entity=AuditEntity.FINAL_REPORT,
        entity_key=str(report.id),
        new={
            "sha256": digest,
            "language": language,
            "issued_at": issued_at.isoformat(),
            "recommended": winner.key if winner else None,
            "bytes": len(rendered.pdf),
            "content_sha256": report.content_sha256,
            "unverified_knockouts": unverified,
        },
        reason=report.seal_reason,
    )
    session.flush()
    return report


# -- the recommendation -------------------------------------------------------------


def write_recommendation(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    *,
    text: str,
    vendor_id: int | None = None,
    reason: str = "",
) -> None:
    """Write (or revise) the recommendation; `vendor_id` None means the first-ranked
    vendor. Refused for anyone but the facilitator, before scoring closes, and once the
    sponsor has approved."""
    check_recommender(selection, membership, current_sponsor_decision(session, selection.id))
    text = stored_text(text, MAX_RECOMMENDATION, "text")
    if not text:
        raise ServiceError(_l("Write the recommendation."), "text")
    reason = stored_text(reason, MAX_RECOMMENDATION_REASON, "reason")
    rows = ranked_rows(session, selection)
    if vendor_id is None:
        vendor = first_ranked_vendor(session, selection, rows)
        if vendor is None:
            raise ServiceError(_l("Every vendor is excluded: choose the vendor you "
                                  "recommend."), "vendor")
    else:
        vendor = selection_vendor(session, selection, vendor_id)
        if vendor is None:
            raise ServiceError(_l("There is no such vendor in this selection."), "vendor")
    needs = reason_needed(standing(session, selection, vendor, rows))
    if needs is not None and not reason:
        raise ServiceError(needs, "reason")

    old_vendor = selection_vendor(session, selection, selection.recommended_vendor_id)
    old = ({"recommendation": selection.recommendation,
            "vendor": old_vendor.key if old_vendor else None,
            "recommendation_reason": selection.recommendation_reason}
           if selection.recommendation_at is not None or selection.recommendation else None)
    selection.recommendation = text
    selection.recommended_vendor_id = vendor.id
    selection.recommendation_reason = reason
    selection.recommendation_by_id = actor.id
    selection.recommendation_at = utcnow()
    audit.record(
        session, selection_id=selection.id, actor=actor,
        action=AuditAction.UPDATE if old is not None else AuditAction.CREATE,
        entity=AuditEntity.RECOMMENDATION, entity_key=vendor.key, old=old,
        new={"recommendation": text, "vendor": vendor.key, "recommendation_reason": reason},
    )
    session.flush()


# -- the sponsor's decision ---------------------------------------------------------


def record_decision(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    *,
    verdict: str,
    reason: str,
    vendor_id: int | None = None,
    decided_on: date | None = None,
) -> SponsorDecision:
    """Record the sponsor's verdict on the recommendation (approved names the vendor:
    by default the recommended one). Refused for anyone but a sponsor, without a written
    recommendation, and while the last verdict still stands (approved, or sent back and
    not revised)."""
    check_sponsor(selection, membership)
    current = recommendation_state(session, selection)
    check_decidable(current, verdict)
    reason = stored_text(reason, MAX_DECISION_REASON, "reason")
    if not reason:
        raise ServiceError(_l("Give the reason for your decision."), "reason")
    decided_on = checked_decision_date(decided_on, utcnow().date())
    vendor = None
    if verdict == APPROVED:
        vendor = (selection_vendor(session, selection, vendor_id) if vendor_id is not None
                  else current.vendor)
        if vendor is None:
            raise ServiceError(_l("Choose the vendor you approve."), "vendor")

    decision = SponsorDecision(
        selection_id=selection.id,
        verdict=verdict,
        vendor_id=vendor.id if vendor is not None else None,
        by_account_id=actor.id,
        by_email=actor.email,
        reason=reason,
        decided_on=decided_on,
        recorded_at=utcnow(),
    )
    session.add(decision)
    session.flush()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.DECIDE,
        entity=AuditEntity.SPONSOR_DECISION, entity_key=str(decision.id),
        new={"verdict": verdict, "vendor": vendor.key if vendor is not None else None,
             "date": decided_on.isoformat()},
        reason=reason,
    )
    session.flush()
    return decision
