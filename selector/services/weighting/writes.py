"""The weighting area's writes: allocations, pairwise judgements, requirement weights,
the group balance, final weights, the freeze and the price settings, each with its audit
entry (old and new value) in the caller's transaction.

Concurrency. Saving an allocation is an upsert per (membership, category) with
INSERT ... ON CONFLICT DO UPDATE, so two first saves never collide. A save takes a
shared lock on the selection row and an exclusive lock on the membership row
(PostgreSQL; SQLite serialises write transactions with BEGIN IMMEDIATE, see db.py):
saves by different members run side by side, saves by one member queue up so that each
audit entry's old value is the previous save's new value, and a save cannot slip past
a freeze that commits at the same time (the freeze locks the selection row exclusively).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import ahp
from selector.domain import method
from selector.domain import price as pricing
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Allocation
from selector.models import FinalWeight
from selector.models import Membership
from selector.models import PairwiseJudgement
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.models.base import utcnow
from selector.services import audit
from selector.services import vendors
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from selector.services.requirements import refresh_quality
from selector.services.weighting.reads import active_category_keys
from selector.services.weighting.reads import categories_in_order
from selector.services.weighting.reads import final_points
from selector.services.weighting.reads import member_points
from selector.services.weighting.reads import pairwise_categories
from selector.services.weighting.rules import MAX_REQUIREMENT_WEIGHT
from selector.services.weighting.rules import PriceInput
from selector.services.weighting.rules import check_facilitator
from selector.services.weighting.rules import check_weigher
from selector.services.weighting.rules import checked_points
from selector.services.weighting.rules import checked_price_settings
from selector.services.weighting.rules import checked_text
from selector.services.weighting.rules import current_price_settings
from selector.services.weighting.rules import final_field
from selector.services.weighting.rules import judgement_problem
from selector.services.weighting.rules import may_weigh_requirements
from selector.services.weighting.rules import off_scale
from selector.services.weighting.rules import pair_field
from selector.services.weighting.rules import pairwise_refusal
from selector.services.weighting.rules import parse_points
from selector.services.weighting.rules import points_field

# -- locks: a freeze and a change cannot pass each other ----------------------------


def _lock(session: Session, selection: Selection, *, exclusive: bool) -> None:
    """Re-read the selection row under a lock (shared or exclusive) so that a freeze
    and a change cannot pass each other. SQLite ignores FOR UPDATE/SHARE: its write
    transactions are serialised (BEGIN IMMEDIATE)."""
    session.refresh(selection, with_for_update={"read": not exclusive})


def _require_open(session: Session, selection: Selection, *, exclusive: bool = False) -> None:
    _lock(session, selection, exclusive=exclusive)
    if selection.weights_frozen:
        raise ServiceError(_l("The weights are frozen: they can no longer be changed."), None)


def require_frozen_before_scoring(session: Session, selection: Selection) -> None:
    """Refuse to open scoring while the weights are not frozen (the phase change calls
    this; the lock keeps a concurrent reopening of the weights out)."""
    _lock(session, selection, exclusive=True)
    if not selection.weights_frozen:
        raise ServiceError(
            _l("Freeze the weights before scoring opens: weights are set before anyone "
               "sees a vendor's answers."),
            None,  # about the phase change as a whole: shown above the form
        )


# -- allocations --------------------------------------------------------------------


def _upsert_allocations(session: Session, membership_id: int, points: Mapping[int, float]) -> None:
    """INSERT ... ON CONFLICT (membership, category) DO UPDATE: never a lost first save."""
    if not points:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Selector runs on SQLite and PostgreSQL
        raise RuntimeError(f"no upsert for {dialect}")
    statement = insert(Allocation).values(
        [
            {"membership_id": membership_id, "category_id": category_id, "points": value}
            for category_id, value in sorted(points.items())
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Allocation.membership_id, Allocation.category_id],
        set_={"points": statement.excluded.points},
    )
    session.execute(statement)


def save_allocation(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    points: Mapping[str, object],
    *,
    reason: str = "",
) -> dict[str, float]:
    """Save a member's points per category key (an upsert per category); returns the
    member's whole allocation afterwards. Categories not in `points` keep their points.

    Refused, with nothing saved: a member who is not business or IT, frozen weights, a
    category that does not exist or is not active (field `points-<key>`), points that
    are not a number >= 0 (same field), and an allocation whose points on the active
    categories add up to 0 (field `points`).
    """
    check_weigher(selection, membership)
    _require_open(session, selection)
    categories = {c.key: c for c in categories_in_order(session, selection)}
    active = active_category_keys(session, selection)
    parsed = checked_points(categories, set(active), points, points_field)
    # One member's saves queue up here (PostgreSQL), so the audit's old values are exact.
    session.execute(
        select(Membership.id).where(Membership.id == membership.id).with_for_update()
    )
    old = member_points(session, membership.id)
    merged = {**old, **parsed}
    if not math.fsum(merged.get(key, 0.0) for key in active) > 0:
        raise ServiceError(
            _l("Give at least one category more than 0 points."), "points"
        )
    _upsert_allocations(session, membership.id, {categories[k].id: v for k, v in parsed.items()})
    changed = [key for key in parsed if old.get(key) != parsed[key]]
    if changed:
        audit.record(
            session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
            entity=AuditEntity.ALLOCATION, entity_key=membership.account.email,
            old={key: old.get(key) for key in changed},
            new={key: parsed[key] for key in changed},
            reason=reason,
        )
    session.flush()
    return merged


# -- pairwise comparison (AHP) ------------------------------------------------------


@dataclass
class PairwiseOutcome:
    result: ahp.PairwiseResult
    points: dict[str, float]  # the derived points per category of the domain
    domain_points: float


def save_pairwise(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    domain_name: str,
    judgements: Mapping[tuple[str, str], object],
    domain_points: object,
) -> PairwiseOutcome:
    """Weigh one domain's active categories pairwise; the derived weights divide
    `domain_points` over them and are saved as the member's allocation (decisions.md).

    A judgement a_ij says how much more category i matters than j on Saaty's 1-9 scale
    ("1/3": j matters moderately more). Refused, with nothing saved: a missing pair or a
    value off the scale (field `pair-<i>-<j>`), fewer than two active categories in the
    domain (field `domain`), and domain points that are not a number above 0 (field
    `domain_points`). A consistency ratio above 0.10 is saved with a warning.
    """
    check_weigher(selection, membership)
    _require_open(session, selection)
    if domain_name not in DOMAINS:
        raise ServiceError(_l("Choose the business or the IT categories."), "domain")
    categories = pairwise_categories(session, selection, domain_name)
    refusal = pairwise_refusal(categories)
    if refusal is not None:
        raise ServiceError(refusal, "domain")
    keys = [c.key for c in categories]
    names = {c.key: c.name for c in categories}
    for a, b in judgements:
        if a not in names or b not in names:
            raise ServiceError(
                _l("This category no longer exists in this selection; reload the page."),
                pair_field(a, b),
            )
    for a, b in ahp.pairs(keys):  # the form marks every such pair; this is the backstop
        raw = judgements.get((a, b), judgements.get((b, a)))
        problem = judgement_problem(raw, names[a], names[b])
        if problem is not None:
            raise ServiceError(problem, pair_field(a, b))
    try:
        result = ahp.weigh(keys, dict(judgements))
    except ahp.PairwiseError as error:  # a pair given both ways, differently
        a, b = error.pair or (keys[0], keys[1])
        raise ServiceError(off_scale(names.get(a, a), names.get(b, b)),
                           pair_field(a, b)) from None
    total = parse_points(domain_points, "domain_points")
    if not total > 0:
        raise ServiceError(_l("Give this domain more than 0 points."), "domain_points")
    derived = {key: total * result.weights[key] for key in keys}

    stored = [
        [a, b, float(ahp.parse_judgement(judgements[(a, b)]))]
        if (a, b) in judgements
        else [a, b, float(1 / ahp.parse_judgement(judgements[(b, a)]))]
        for a, b in ahp.pairs(keys)
    ]
    judgement = session.scalar(
        select(PairwiseJudgement).where(
            PairwiseJudgement.membership_id == membership.id,
            PairwiseJudgement.domain == domain_name,
        )
    )
    old = None
    if judgement is None:
        judgement = PairwiseJudgement(membership_id=membership.id, domain=domain_name)
        session.add(judgement)
    else:
        old = {"comparisons": json.loads(judgement.comparisons),
               "consistency_ratio": judgement.consistency_ratio}
    judgement.comparisons = json.dumps(stored)
    judgement.consistency_ratio = result.consistency_ratio
    judgement.updated_at = utcnow()
    new = {"comparisons": stored, "consistency_ratio": result.consistency_ratio,
           "domain_points": total}
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.PAIRWISE,
        entity_key=f"{membership.account.email} {domain_name}", old=old, new=new,
    )
    save_allocation(session, selection, membership, actor, derived, reason="pairwise")
    return PairwiseOutcome(result, derived, total)


# -- requirement weights within a category ------------------------------------------


def set_requirement_weight(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    requirement_id: int,
    weight: object,
    reason: str,
    *,
    version: int | None = None,
) -> Requirement:
    """Set (or, with a blank weight, clear) a wish's explicit raw weight, with a reason.

    Refused: a requirement of another selection (not found), a member who is neither
    the facilitator nor in the category's owner group, frozen weights, a weight that is
    not a number from 0 to 1000 (field `weight`), no reason for an explicit weight
    (field `weight_reason`), and a requirement changed since `version` (Conflict).
    """
    requirement = session.scalar(
        select(Requirement).where(
            Requirement.id == requirement_id, Requirement.selection_id == selection.id
        )
    )
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this selection."))
    if not may_weigh_requirements(membership, requirement.category):
        raise ServiceError(
            _l("Only the facilitator and the category's owner group set requirement weights."),
            None,
        )
    _require_open(session, selection)
    session.refresh(requirement, with_for_update=True)
    if version is not None and requirement.version != version:
        raise Conflict(
            _l("Someone else changed this requirement in the meantime; reload the page."),
            "weight",
        )
    clearing = weight is None or (isinstance(weight, str) and not weight.strip())
    value = None if clearing else parse_points(weight, "weight", maximum=MAX_REQUIREMENT_WEIGHT)
    reason = checked_text(reason, "weight_reason", required=not clearing,
                          message=_l("Say why this requirement gets its own weight."))
    old = {"weight": requirement.weight, "weight_reason": requirement.weight_reason}
    new = {"weight": value, "weight_reason": reason if value is not None else ""}
    if old == new:
        return requirement
    requirement.weight = new["weight"]
    requirement.weight_reason = new["weight_reason"]
    requirement.version += 1
    requirement.updated_by_id = actor.id
    requirement.updated_at = utcnow()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.REQUIREMENT_WEIGHT, entity_key=requirement.code, old=old, new=new,
        reason=reason,
    )
    refresh_quality(session, selection.id, [requirement])  # the weight is one of its inputs
    return requirement


# -- the facilitator: balance, final weights, freeze --------------------------------


def set_group_balance(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    business_percent: object,
) -> tuple[float, float]:
    """How much the business weighs against IT, in percent (IT gets the rest)."""
    check_facilitator(selection, membership)
    percent = parse_points(business_percent, "business_share", maximum=100.0)
    _require_open(session, selection, exclusive=True)
    new = (percent / 100.0, (100.0 - percent) / 100.0)
    old = (selection.balance_business, selection.balance_it)
    if old == new:
        return new
    selection.balance_business, selection.balance_it = new
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.GROUP_BALANCE, entity_key=selection.name,
        old={"business": old[0], "it": old[1]}, new={"business": new[0], "it": new[1]},
    )
    session.flush()
    return new


def set_final_weights(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    points: Mapping[str, object],
    rationale: str,
) -> dict[str, float]:
    """Replace the combined weights by the facilitator's final points per active
    category, with a written rationale (fields `final-<key>`, `final`, `rationale`)."""
    check_facilitator(selection, membership)
    _require_open(session, selection, exclusive=True)
    categories = {c.key: c for c in categories_in_order(session, selection)}
    active = active_category_keys(session, selection)
    parsed = checked_points(categories, set(active), points, final_field)
    if not math.fsum(parsed.get(key, 0.0) for key in active) > 0:
        raise ServiceError(_l("Give at least one category more than 0 points."), "final")
    rationale = checked_text(
        rationale, "rationale", required=True,
        message=_l("Explain in writing why the final weights differ from the combined "
                   "weights."))
    category_ids = {key: category.id for key, category in categories.items()}
    _replace_final_weights(session, selection, actor, parsed, category_ids, rationale)
    return parsed


def accept_combined_weights(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    rationale: str = "",
) -> None:
    """Use the combined weights as they are: any final weights are removed."""
    check_facilitator(selection, membership)
    _require_open(session, selection, exclusive=True)
    rationale = checked_text(rationale, "rationale", required=False, message="")
    _replace_final_weights(session, selection, actor, points={}, category_ids={},
                           rationale=rationale)


def _replace_final_weights(
    session: Session,
    selection: Selection,
    actor: Account,
    points: dict[str, float],
    category_ids: Mapping[str, int],
    rationale: str,
) -> None:
    """Store the final points per category key (none: the combined weights count)
    and their rationale, audited with what they replace; nothing when unchanged."""
    old = final_points(session, selection)
    old_rationale = selection.final_weights_rationale
    if old == points and old_rationale == rationale:
        return
    session.execute(delete(FinalWeight).where(FinalWeight.selection_id == selection.id))
    session.add_all(
        FinalWeight(selection_id=selection.id, category_id=category_ids[key], points=value)
        for key, value in points.items()
    )
    selection.final_weights_rationale = rationale
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.FINAL_WEIGHTS, entity_key=selection.name,
        old={"weights": old or None, "rationale": old_rationale},
        new={"weights": points or None, "rationale": rationale},
        reason=rationale,
    )
    session.flush()


def freeze_weights(
    session: Session, selection: Selection, membership: Membership, actor: Account
) -> dict[str, float]:
    """Freeze the category weights W(c) as they stand; returns them (audited)."""
    check_facilitator(selection, membership)
    _require_open(session, selection, exclusive=True)
    if selection.phase != "weighting":
        raise ServiceError(_l("The weights are frozen in the weighting phase."), None)
    loaded = load_selection(session, selection.id, comments=False)
    if not method.active_categories(loaded):
        raise ServiceError(
            _l("There are no active categories to weigh yet: accept some wishes first."), None
        )
    means = method.group_means(loaded)
    if not loaded.final_weights and means["business"] is None and means["it"] is None:
        raise ServiceError(
            _l("Nobody has weighed the categories yet, and there are no final weights."), None
        )
    try:
        weights = method.combined_weights(loaded)
    except method.MethodError:
        raise ServiceError(
            _l("The final weights give the active categories 0 points: set them again."),
            "final",
        ) from None
    selection.weights_frozen_at = utcnow()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.FREEZE,
        entity=AuditEntity.WEIGHTS,
        entity_key=selection.name,
        new={
            "category_weights": weights,
            "source": "final" if loaded.final_weights else "combined",
            "group_balance": dict(loaded.group_balance),
            "final_weights_rationale": selection.final_weights_rationale,
        },
    )
    session.flush()
    return weights


def reopen_weights(
    session: Session, selection: Selection, membership: Membership, actor: Account, reason: str
) -> None:
    """Unfreeze the weights, in the weighting phase only and with a written reason (for
    a selection moved back from scoring, or a freeze made too early); audited."""
    check_facilitator(selection, membership)
    _lock(session, selection, exclusive=True)
    if not selection.weights_frozen:
        raise ServiceError(_l("The weights are not frozen."), None)
    if selection.phase != "weighting":
        raise ServiceError(
            _l("Move the selection back to the weighting phase first."), None
        )
    reason = checked_text(reason, "reason", required=True,
                          message=_l("Say why the frozen weights are opened again."))
    old = {"frozen_at": selection.weights_frozen_at.isoformat()}
    selection.weights_frozen_at = None
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.REOPEN,
        entity=AuditEntity.WEIGHTS,
        entity_key=selection.name, old=old, new={"frozen_at": None}, reason=reason,
    )
    session.flush()


# -- price settings -----------------------------------------------------------------


def save_price_settings(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    given: PriceInput,
) -> bool:
    """Set how price counts; True when something changed. Refused, with nothing
    changed, for anyone but the facilitator, once the weights are frozen, for an
    impossible setting, and for `value` while a vendor taking part has no costs."""
    if membership.role != FACILITATOR or membership.selection_id != selection.id:
        raise ServiceError(_l("Only the facilitator sets how price counts."), None)
    # Locked so that a freeze committing at the same time cannot pass this change.
    session.refresh(selection, with_for_update=True)
    if selection.weights_frozen:
        raise ServiceError(_l("The price settings are frozen with the weights: they can no "
                              "longer be changed."), None)
    values = checked_price_settings(given)
    if values["price_method"] == pricing.VALUE:
        missing = session.scalars(
            select(Vendor.name).where(Vendor.selection_id == selection.id,
                                      Vendor.withdrawn.is_(False), Vendor.tco.is_(None))
            .order_by(Vendor.name)
        ).first()
        if missing is not None:
            raise ServiceError(
                _l("The price method value needs every vendor's costs: %(vendor)s has none "
                   "yet.", vendor=missing),
                "price_method",
            )
    old = current_price_settings(selection)
    for name, value in values.items():
        setattr(selection, name, value)
    new = current_price_settings(selection)
    if new == old:
        return False
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.PRICE_SETTINGS, old=old, new=new,
    )
    session.flush()
    if new["tco_years"] != old["tco_years"]:
        vendors.refresh_tcos(session, selection, actor)
    return True
