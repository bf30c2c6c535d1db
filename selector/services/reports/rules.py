"""The reports area's rules: checks and decisions that need no database.

Pure functions on values. A rule about a selection, a membership, the sponsor's verdict
or where a vendor stands takes that object as an argument (typed `Any`: this module
imports neither SQLAlchemy nor the models) and only reads its attributes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from selector.domain import limits
from selector.domain.vocabulary import APPROVED
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import SPONSOR
from selector.domain.vocabulary import SPONSOR_VERDICTS
from selector.i18n import _l
from selector.services.errors import ServiceError

# -- the report's languages, and sealing the final report ---------------------------

LANGUAGES = ("nl", "en")
MAX_SEAL_REASON = limits.REASON_LENGTH
SEAL_REASON_TOO_LONG = f"The reason can have at most {MAX_SEAL_REASON:,} characters."

# The messages of this section are plain English for now: the web app's catalogue
# (translations/*/messages.po) belongs to the web layer, which marks them with `_l`
# when it adds the report pages.


def check_language(language: str | None) -> None:
    """The report is written in Dutch or English."""
    if language not in LANGUAGES:
        raise ServiceError("Choose Dutch or English.", "language")


def check_sealer(role: str | None) -> None:
    """Only the facilitator issues the final report (`role`: the actor's in the
    selection, None for no member)."""
    if role != FACILITATOR:
        raise ServiceError("Only the facilitator can issue the final report.")


def check_sealing_time(selection: Any) -> None:
    """The final report is sealed in the decision phase, when scoring is closed."""
    if not selection.scoring_closed:
        raise ServiceError(
            "The final report can be issued in the decision phase, when scoring is closed."
        )


def checked_seal_reason(seal_reason: str | None) -> str:
    """The facilitator's reason for sealing, as stored: stripped, within its limit."""
    seal_reason = (seal_reason or "").strip()
    if len(seal_reason) > MAX_SEAL_REASON:
        raise ServiceError(SEAL_REASON_TOO_LONG, "seal_reason")
    return seal_reason


def kept_seal_reason(unverified: list[str], seal_reason: str) -> str:
    """The reason kept with a sealed report: required while the recommended vendor has
    knock-outs without a verdict (`unverified`), and kept only there."""
    if unverified and not seal_reason:
        raise ServiceError(
            "The recommended vendor has knock-outs without a verdict: record the verdicts, "
            "or write why the report is sealed anyway.", "seal_reason")
    return seal_reason if unverified else ""


# -- the recommendation -------------------------------------------------------------

MAX_RECOMMENDATION = limits.LENGTHS["selection"]["recommendation"]
MAX_RECOMMENDATION_REASON = limits.REASON_LENGTH  # why another vendor than the first-ranked
MAX_DECISION_REASON = limits.LENGTHS["decision"]["reason"]


def stored_text(value: str | None, limit: int, field: str) -> str:
    """Text as stored: line endings made plain, white space around it dropped."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=limit), field)
    if limits.text_problem(text, limit) is not None:
        raise ServiceError(_l("This text contains characters that cannot be stored."), field)
    return text


def check_recommender(selection: Any, membership: Any, decision: Any) -> None:
    """Only the facilitator writes (or revises) the recommendation, once scoring is
    closed, and no longer once the sponsor approved it (`decision`: the sponsor's newest
    verdict, or None)."""
    if membership.role != FACILITATOR:
        raise ServiceError(_l("Only the facilitator writes the recommendation."))
    if not selection.scoring_closed:
        raise ServiceError(_l("The recommendation is written in the decision phase, when "
                              "scoring is closed."))
    if decision is not None and decision.verdict == APPROVED:
        raise ServiceError(_l("The sponsor has approved the recommendation: it can no "
                              "longer change."))


def reason_needed(standing: Any) -> str | None:
    """Why the vendor of `standing` (where it stands in the ranking) needs a written
    reason, as the sentence that asks for it; None when it needs none."""
    if standing.vendor.withdrawn:
        return _l("A withdrawn vendor can be recommended only with a reason: fill in "
                  "“Why this vendor”.")
    if standing.below_threshold:
        return _l("A vendor below the quality threshold can be recommended only with a "
                  "reason: fill in “Why this vendor”.")
    if standing.excluded:
        return _l("A vendor that failed a knock-out can be recommended only with a reason: "
                  "fill in “Why this vendor”.")
    if not standing.first:
        return _l("A vendor other than the first-ranked one can be recommended only with a "
                  "reason: fill in “Why this vendor”.")
    return None


# -- the sponsor's decision ---------------------------------------------------------


def check_sponsor(selection: Any, membership: Any) -> None:
    """Only a sponsor decides on the recommendation, once scoring is closed."""
    if membership.role != SPONSOR:
        raise ServiceError(_l("Only a sponsor decides on the recommendation."))
    if not selection.scoring_closed:
        raise ServiceError(_l("The sponsor decides in the decision phase, when scoring is "
                              "closed."))


def check_decidable(state: Any, verdict: str) -> None:
    """A verdict needs a written recommendation that no verdict stands on (approved, or
    sent back and not revised), and is one of the sponsor's verdicts. `state` is the
    recommendation's (`reads.RecommendationState`)."""
    if not state.written:
        raise ServiceError(_l("The facilitator has not written a recommendation yet: there "
                              "is nothing to decide on."))
    if state.approved:
        raise ServiceError(_l("The recommendation is approved already."))
    if state.sent_back:
        raise ServiceError(_l("The recommendation was sent back to the facilitator: you can "
                              "decide again when it is revised."))
    if verdict not in SPONSOR_VERDICTS:
        raise ServiceError(_l("Choose approve, reject or more information needed."), "verdict")


def checked_decision_date(decided_on: date | None, today: date) -> date:
    """The date of the decision: today when none is given, never in the future."""
    decided_on = decided_on or today
    if decided_on > today:
        raise ServiceError(_l("The date of the decision cannot be in the future."),
                           "decided_on")
    return decided_on
