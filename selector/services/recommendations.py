"""The facilitator's recommendation and the sponsor's decision on it (issue 18).

Once scoring is closed the facilitator writes the recommendation: plain text with
paragraphs, and the vendor recommended (the first-ranked one unless another is named).
Another vendor than the first-ranked, or one that is withdrawn or excluded (a failed
knock-out, or below the quality threshold), needs a written reason, which the report
prints. A member with role sponsor then records a verdict on it: approved (naming the
vendor), rejected or more information needed, with a reason and a date. Every verdict is
kept; the newest is the selection's decision. A rejection or a request for more
information sends the recommendation back to the facilitator: until the facilitator
revises it (a recommendation written after that verdict), the pages show the sponsor's
reason and the sponsor cannot decide again. Once approved, the recommendation is final.

Both writes are audited beside the change, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain.ranked import VendorRow
from selector.domain.vocabulary import (
    APPROVED,
    FACILITATOR,
    SPONSOR,
    SPONSOR_VERDICTS,
    AuditAction,
    AuditEntity,
)
from selector.i18n import _l
from selector.models import Account, Membership, Selection, SponsorDecision, Vendor
from selector.models.base import utcnow
from selector.services import audit
from selector.services.errors import ServiceError
from selector.services.ranking import ranked_selection

MAX_TEXT = limits.LENGTHS["selection"]["recommendation"]
MAX_REASON = limits.REASON_LENGTH  # why another vendor than the first-ranked one
MAX_DECISION_REASON = limits.LENGTHS["decision"]["reason"]


@dataclass(frozen=True)
class Standing:
    """Where a vendor stands in the ranking, for the rule on reasons."""

    vendor: Vendor
    first: bool  # the first-ranked vendor that is not excluded
    excluded: bool  # a failed knock-out or below the quality threshold
    below_threshold: bool
    unverified: tuple[str, ...]  # codes of its knock-outs without a verdict


@dataclass(frozen=True)
class RecommendationState:
    """What the recommendation page and the overview show."""

    text: str
    vendor: Vendor | None  # the recommended vendor (stored, else the first-ranked)
    first_ranked: Vendor | None
    reason: str
    by: Account | None
    at: datetime | None
    decision: SponsorDecision | None  # the newest verdict
    decision_vendor: Vendor | None
    decided_by: str  # the sponsor's name, else the e-mail address kept with the verdict

    @property
    def written(self) -> bool:
        return bool(self.text.strip())

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.verdict == APPROVED

    @property
    def sent_back(self) -> bool:
        """Rejected or more information asked, and not revised since."""
        return self.decision is not None and self.decision.verdict != APPROVED and not (
            self.at is not None and self.at > self.decision.recorded_at)

    @property
    def awaiting_decision(self) -> bool:
        """Written, and the sponsor has not decided on this version yet."""
        return self.written and not self.approved and not self.sent_back


# -- reading ------------------------------------------------------------------------------


def current_decision(session: Session, selection_id: int) -> SponsorDecision | None:
    """The sponsor's newest verdict (every verdict is kept; the newest counts)."""
    return session.scalars(
        select(SponsorDecision)
        .where(SponsorDecision.selection_id == selection_id)
        .order_by(SponsorDecision.recorded_at.desc(), SponsorDecision.id.desc())
        .limit(1)
    ).first()


def _vendor(session: Session, selection: Selection, vendor_id: int | None) -> Vendor | None:
    """A vendor of this selection, or None (the stored id is a plain integer)."""
    if vendor_id is None:
        return None
    return session.scalar(
        select(Vendor).where(Vendor.id == vendor_id, Vendor.selection_id == selection.id))


def _rows(session: Session, selection: Selection) -> tuple[VendorRow, ...]:
    # One draw: only the order and the knock-outs matter here, not p_first.
    return ranked_selection(session, selection.id, comments=False, draws=1).rows


def _first_ranked(session: Session, selection: Selection,
                  rows: tuple[VendorRow, ...]) -> Vendor | None:
    first = next((row for row in rows if not row.excluded), None)
    if first is None:
        return None
    return session.scalar(
        select(Vendor).where(Vendor.selection_id == selection.id, Vendor.key == first.key))


def recommended_vendor(session: Session, selection: Selection) -> Vendor | None:
    """The vendor the facilitator recommends, else the first-ranked one (None when the
    ranking cannot be computed or every vendor is excluded)."""
    chosen = _vendor(session, selection, selection.recommended_vendor_id)
    if chosen is not None:
        return chosen
    try:
        return _first_ranked(session, selection, _rows(session, selection))
    except ServiceError:
        return None


def standing(session: Session, selection: Selection, vendor: Vendor,
             rows: tuple[VendorRow, ...] | None = None) -> Standing:
    """Where `vendor` stands in the ranking now (a withdrawn vendor is not ranked)."""
    rows = _rows(session, selection) if rows is None else rows
    first = _first_ranked(session, selection, rows)
    row = next((r for r in rows if r.key == vendor.key), None)
    below = bool(row is not None and row.excluded and not row.knockouts_failed)
    return Standing(
        vendor=vendor,
        first=first is not None and first.id == vendor.id,
        excluded=bool(row is not None and row.excluded),
        below_threshold=below,
        unverified=row.knockouts_unverified if row is not None else (),
    )


def state(session: Session, selection: Selection) -> RecommendationState:
    """The recommendation, its vendor and the sponsor's newest verdict."""
    try:
        first = _first_ranked(session, selection, _rows(session, selection))
    except ServiceError:
        first = None
    chosen = _vendor(session, selection, selection.recommended_vendor_id)
    decision = current_decision(session, selection.id)
    decided_by = ""
    if decision is not None:
        sponsor = session.get(Account, decision.by_account_id) if decision.by_account_id else None
        decided_by = sponsor.name if sponsor is not None and sponsor.name else decision.by_email
    return RecommendationState(
        text=selection.recommendation or "",
        vendor=chosen or (first if selection.recommendation else None),
        first_ranked=first,
        reason=selection.recommendation_reason or "",
        by=(session.get(Account, selection.recommendation_by_id)
            if selection.recommendation_by_id else None),
        at=selection.recommendation_at,
        decision=decision,
        decision_vendor=(_vendor(session, selection, decision.vendor_id)
                         if decision is not None else None),
        decided_by=decided_by,
    )


# -- writing ------------------------------------------------------------------------------


def _text(value: str | None, limit: int, field: str) -> str:
    """Text as stored: line endings made plain, white space around it dropped."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=limit), field)
    if limits.text_problem(text, limit) is not None:
        raise ServiceError(_l("This text contains characters that cannot be stored."), field)
    return text


def _reason_needed(found: Standing) -> str | None:
    """Why this vendor needs a written reason, as the sentence that asks for it."""
    if found.vendor.withdrawn:
        return _l("A withdrawn vendor can be recommended only with a reason: fill in "
                  "“Why this vendor”.")
    if found.below_threshold:
        return _l("A vendor below the quality threshold can be recommended only with a "
                  "reason: fill in “Why this vendor”.")
    if found.excluded:
        return _l("A vendor that failed a knock-out can be recommended only with a reason: "
                  "fill in “Why this vendor”.")
    if not found.first:
        return _l("A vendor other than the first-ranked one can be recommended only with a "
                  "reason: fill in “Why this vendor”.")
    return None


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
    if membership.role != FACILITATOR:
        raise ServiceError(_l("Only the facilitator writes the recommendation."))
    if not selection.scoring_closed:
        raise ServiceError(_l("The recommendation is written in the decision phase, when "
                              "scoring is closed."))
    decision = current_decision(session, selection.id)
    if decision is not None and decision.verdict == APPROVED:
        raise ServiceError(_l("The sponsor has approved the recommendation: it can no "
                              "longer change."))
    text = _text(text, MAX_TEXT, "text")
    if not text:
        raise ServiceError(_l("Write the recommendation."), "text")
    reason = _text(reason, MAX_REASON, "reason")
    rows = _rows(session, selection)
    if vendor_id is None:
        vendor = _first_ranked(session, selection, rows)
        if vendor is None:
            raise ServiceError(_l("Every vendor is excluded: choose the vendor you "
                                  "recommend."), "vendor")
    else:
        vendor = _vendor(session, selection, vendor_id)
        if vendor is None:
            raise ServiceError(_l("There is no such vendor in this selection."), "vendor")
    needs = _reason_needed(standing(session, selection, vendor, rows))
    if needs is not None and not reason:
        raise ServiceError(needs, "reason")

    old_vendor = _vendor(session, selection, selection.recommended_vendor_id)
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
    if membership.role != SPONSOR:
        raise ServiceError(_l("Only a sponsor decides on the recommendation."))
    if not selection.scoring_closed:
        raise ServiceError(_l("The sponsor decides in the decision phase, when scoring is "
                              "closed."))
    current = state(session, selection)
    if not current.written:
        raise ServiceError(_l("The facilitator has not written a recommendation yet: there "
                              "is nothing to decide on."))
    if current.approved:
        raise ServiceError(_l("The recommendation is approved already."))
    if current.sent_back:
        raise ServiceError(_l("The recommendation was sent back to the facilitator: you can "
                              "decide again when it is revised."))
    if verdict not in SPONSOR_VERDICTS:
        raise ServiceError(_l("Choose approve, reject or more information needed."), "verdict")
    reason = _text(reason, MAX_DECISION_REASON, "reason")
    if not reason:
        raise ServiceError(_l("Give the reason for your decision."), "reason")
    today = utcnow().date()
    decided_on = decided_on or today
    if decided_on > today:
        raise ServiceError(_l("The date of the decision cannot be in the future."),
                           "decided_on")
    vendor = None
    if verdict == APPROVED:
        vendor = (_vendor(session, selection, vendor_id) if vendor_id is not None
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
