"""The report's words for stored values (roles, phases, priorities, audit entries) and
its small number formats; every label is translated with `t_` in the report's language.

The values are the vocabulary's (`selector.domain.vocabulary`); a test checks that every
role, phase, priority, status, knock-out state and audit entity and action has a
label here, in English and in Dutch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from selector.domain import price
from selector.domain import vocabulary as words
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.report.i18n import money
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import t_


def role_labels() -> dict[str, str]:
    return {
        words.FACILITATOR: t_("Facilitator"),
        words.BUSINESS: t_("Business"),
        words.IT: t_("IT"),
        words.SPONSOR: t_("Sponsor"),
        words.OBSERVER: t_("Observer"),
    }


def role_label(role: str) -> str:
    return role_labels().get(role, role)


def attribution(role: str) -> str:
    """Who said it, by role only."""
    return {
        words.FACILITATOR: t_("the facilitator"),
        words.BUSINESS: t_("a business member"),
        words.IT: t_("an IT member"),
    }.get(role, t_("a committee member"))


def domain_label(domain: str) -> str:
    return t_("Business") if domain == words.BUSINESS else t_("IT")


def priority_labels() -> dict[str, str]:
    return {
        words.MUST: t_("must"),
        words.SHOULD: t_("should"),
        words.COULD: t_("could"),
        words.WONT: t_("won't"),
    }


def priority_label(priority: str) -> str:
    return priority_labels().get(priority, priority)


def status_labels() -> dict[str, str]:
    return {
        words.PROPOSED: t_("proposed"),
        words.ACCEPTED: t_("accepted"),
        words.REJECTED: t_("rejected"),
        words.DEFERRED: t_("deferred"),
    }


def status_label(status: str) -> str:
    return status_labels().get(status, status)


def phase_labels() -> dict[str, str]:
    return {
        words.REQUIREMENTS: t_("Requirements"),
        words.WEIGHTING: t_("Weighting"),
        words.SCORING: t_("Scoring"),
        words.DECISION: t_("Decision"),
    }


def phase_label(phase: str) -> str:
    return phase_labels().get(phase, phase)


def knockout_state_labels() -> dict[str, str]:
    return {
        words.PASSED: t_("passed"),
        words.FAILED: t_("failed"),
        words.UNVERIFIED: t_("unverified"),
    }


def knockout_state_label(state: str) -> str:
    return knockout_state_labels()[state]


def sponsor_verdict_labels() -> dict[str, str]:
    return {
        words.APPROVED: t_("approved"),
        words.DECLINED: t_("rejected"),
        words.MORE_INFORMATION: t_("more information needed"),
    }


def price_method_labels() -> dict[str, str]:
    """The price methods of method.md section 5, named as a tender would."""
    return {
        price.LOWEST_RATIO: t_("relative to the lowest price"),
        price.LINEAR_BIDS: t_("linear between the lowest and the highest bid"),
        price.LINEAR_FIXED: t_("linear on a fixed scale"),
        price.LOG: t_("logarithmic"),
        price.VALUE: t_("value (fictitious discount for quality)"),
    }


def audit_entity_labels() -> dict[AuditEntity, str]:
    """The one label table of the audited entities (the report's and the appendix's)."""
    return {
        AuditEntity.SELECTION: t_("selection"),
        AuditEntity.MEMBER: t_("member"),
        AuditEntity.INVITATION: t_("invitation"),
        AuditEntity.ACCOUNT: t_("account"),
        AuditEntity.SECOND_FACTOR: t_("second factor"),
        AuditEntity.CATEGORY: t_("category"),
        AuditEntity.REQUIREMENT: t_("requirement"),
        AuditEntity.REQUIREMENT_WEIGHT: t_("explicit weight"),
        AuditEntity.ALLOCATION: t_("weight allocation"),
        AuditEntity.PAIRWISE: t_("pairwise comparison"),
        AuditEntity.GROUP_BALANCE: t_("group balance"),
        AuditEntity.FINAL_WEIGHTS: t_("final weights"),
        AuditEntity.WEIGHTS: t_("weights"),
        AuditEntity.VENDOR: t_("vendor"),
        AuditEntity.ASSIGNMENT: t_("scoring assignment"),
        AuditEntity.SHEET: t_("scoring sheet"),
        AuditEntity.SCORE: t_("score"),
        AuditEntity.CONSENSUS: t_("consensus score"),
        AuditEntity.VERDICT: t_("knock-out verdict"),
        AuditEntity.FINAL_REPORT: t_("final report"),
        AuditEntity.PRICE_SETTINGS: t_("price settings"),
        AuditEntity.RECOMMENDATION: t_("recommendation"),
        AuditEntity.SPONSOR_DECISION: t_("sponsor's decision"),
        AuditEntity.PORTAL_LINK: t_("vendor portal link"),
        AuditEntity.ANSWER: t_("vendor's answer"),
        AuditEntity.VENDOR_QUESTION: t_("vendor's question"),
        AuditEntity.VERDICT_PROPOSAL: t_("proposed knock-out verdict"),
    }


def audit_action_labels() -> dict[AuditAction, str]:
    """The one label table of the audited actions."""
    return {
        AuditAction.CREATE: t_("created"),
        AuditAction.UPDATE: t_("changed"),
        AuditAction.DELETE: t_("deleted"),
        AuditAction.IMPORT: t_("imported"),
        AuditAction.PHASE: t_("phase changed"),
        AuditAction.DECIDE: t_("decided"),
        AuditAction.INVITE: t_("invited"),
        AuditAction.RENEW: t_("given a new link"),
        AuditAction.DECLINE: t_("declined"),
        AuditAction.WITHDRAW: t_("withdrawn"),
        AuditAction.REINSTATE: t_("reinstated"),
        AuditAction.ACTIVATE: t_("activated"),
        AuditAction.DEACTIVATE: t_("deactivated"),
        AuditAction.ISSUE_LINK: t_("given a set-password link"),
        AuditAction.ENABLE: t_("switched on"),
        AuditAction.DISABLE: t_("switched off"),
        AuditAction.RESET: t_("reset"),
        AuditAction.FREEZE: t_("frozen"),
        AuditAction.REOPEN: t_("reopened"),
        AuditAction.DECLARE: t_("declared"),
        AuditAction.EXCLUDE: t_("excluded"),
        AuditAction.INCLUDE: t_("included"),
        AuditAction.SUBMIT: t_("submitted"),
        AuditAction.ISSUE: t_("issued"),
        AuditAction.USE: t_("used for the first time"),
        AuditAction.PUBLISH: t_("published"),
        AuditAction.CONFIRM: t_("confirmed"),
        AuditAction.OVERRIDE: t_("overridden"),
    }


def field_labels() -> dict[str, str]:
    """The names of the stored fields that an audit entry's old and new values hold."""
    return {
        "title": t_("title"),
        "code": t_("code"),
        "category": t_("category"),
        "description": t_("description"),
        "rationale": t_("rationale"),
        "intent": t_("intent"),
        "verification": t_("verification"),
        "verification_criterion": t_("verification criterion"),
        "priority": t_("priority"),
        "weight": t_("weight"),
        "weight_reason": t_("reason for the weight"),
        "knockout": t_("knock-out"),
        "knockout_rationale": t_("knock-out rationale"),
        "owner_group": t_("owner group"),
        "status": t_("status"),
        "status_reason": t_("reason for the status"),
        "structured": t_("IT's structured answer"),
        "name": t_("name"),
        "key": t_("key"),
        "domain": t_("domain"),
        "phase": t_("phase"),
        "business": t_("Business"),
        "it": t_("IT"),
        "weights": t_("weights"),
        "comparisons": t_("pairwise comparisons"),
        "consistency_ratio": t_("consistency ratio"),
        "domain_points": t_("points for the domain"),
        "points": t_("points"),
        # Fields of the other audited entities (the audit trail page lists them all).
        "role": t_("role"),
        "score": t_("score"),
        "comment": t_("comment"),
        "assigned": t_("assigned"),
        "conflict": t_("conflict of interest"),
        "explanation": t_("explanation"),
        "passed": t_("passed"),
        "evidence": t_("evidence"),
        "document": t_("document"),
        "verdict": t_("verdict"),
        "vendor": t_("vendor"),
        "recommendation": t_("recommendation"),
        "recommendation_reason": t_("reason for the recommendation"),
        "date": t_("date"),
        "facilitator_sees_all": t_("the facilitator sees everything"),
        "owner_groups_decide": t_("owner groups decide"),
        "product": t_("product"),
        "website": t_("website"),
        "contact": t_("contact"),
        "notes": t_("notes"),
        "tco": t_("TCO"),
        "licence_per_year": t_("licence per year"),
        "implementation": t_("implementation"),
        "hosting_support_per_year": t_("hosting and support per year"),
        "contract_years": t_("contract length in years"),
        "price_method": t_("price method"),
        "price_weight": t_("price weight"),
        "quality_threshold": t_("quality threshold"),
        "tco_years": t_("years of the TCO"),
        "price_full": t_("price for full points"),
        "price_zero": t_("price for no points"),
        "log_factor": t_("logarithmic factor"),
        "quality_value": t_("value of a quality point"),
    }


# A stored value outside the enums (none is written today) is shown as it is.
def entity_label(entity: str) -> str:
    return audit_entity_labels().get(entity, entity)  # type: ignore[call-overload]


def action_label(action: str) -> str:
    return audit_action_labels().get(action, action)  # type: ignore[call-overload]


def join_names(names: Sequence[str]) -> str:
    """A, B and C / A, B en C."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return t_("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def tidy(sentence: str) -> str:
    """Drop the full stop after a quotation that already ends a sentence: “… module.”."""
    for mark in (".", "!", "?"):
        sentence = sentence.replace(f"{mark}”.", f"{mark}”")
    return sentence


def points(value: float) -> str:
    """A difference in points of the total, one decimal."""
    return number(value, 1)


def signed(value: float) -> str:
    text = number(abs(value), 1)
    return ("+" if value >= 0 else "−") + text


def whole_percent_pair(a: float, b: float) -> tuple[str, str]:
    """Two shares as whole percentages, with a decimal when rounding makes them equal."""
    first, second = percent(a, 0), percent(b, 0)
    if first == second:
        first, second = percent(a, 1), percent(b, 1)
    return first, second


def money_text(amount: float | None) -> str:
    """A euro amount, or a dash when unknown."""
    return "–" if amount is None or not math.isfinite(amount) else money(amount)


def contract_years_text(value: float | None) -> str:
    """A contract length: 3 / 2.5 (a dash when unknown)."""
    if value is None:
        return "–"
    return number(value, 0) if float(value).is_integer() else number(value, 1)


def difference_text(amount: float | None) -> str:
    """A TCO minus the cheapest: "+€61,000", "cheapest" for 0, a dash when unknown."""
    if amount is None:
        return "–"
    if abs(amount) < 0.5:
        return t_("cheapest")
    return ("+" if amount > 0 else "−") + money_text(abs(amount))
