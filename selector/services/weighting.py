"""Joint weighting: business and IT weigh every category together (method.md section 3).

Every business and IT member allocates points over all active categories of both
domains, or weighs one domain by pairwise comparison (AHP) whose derived weights divide
the points the member gives that domain (decisions.md). Within a category, requirement
weights follow the MoSCoW defaults unless the facilitator or the category's owner group
sets an explicit weight with a reason. The facilitator sets the group balance, accepts
the combined weights or sets final weights with a written rationale, and freezes them:
from then on weights, priorities and explicit requirement weights are read-only, and
only then may scoring open (decisions.md).

Every number shown comes from `selector.domain.method` (group means, combined weights,
divergence) on the selection as the loader reads it: nothing is computed a second way.
Every change is audited with its old and new value in the caller's transaction.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from selector.domain import ahp, method
from selector.domain import selection as domain
from selector.domain.vocabulary import DOMAINS, WEIGHERS, AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import (
    Account,
    Allocation,
    Category,
    FinalWeight,
    Membership,
    PairwiseJudgement,
    Requirement,
    Selection,
)
from selector.models.base import utcnow
from selector.services import audit
from selector.services.errors import Conflict, NotFound, ServiceError
from selector.services.loader import load_selection
from selector.services.quality_flags import refresh_quality

MAX_POINTS = 1_000_000.0
MAX_REQUIREMENT_WEIGHT = 1_000.0
MAX_TEXT = 4000
DEFAULT_BALANCE = (0.5, 0.5)
DEFAULT_DOMAIN_POINTS = 50.0


# -- field names: how a refusal points at the input it is about ---------------------------


def points_field(key: str) -> str:
    """The form field of a member's points on the category `key`."""
    return f"points-{key}"


def final_field(key: str) -> str:
    """The form field of the final weight of the category `key`."""
    return f"final-{key}"


def pair_field(first: str, second: str) -> str:
    """The form field of the pairwise judgement of `first` against `second`."""
    return f"pair-{first}-{second}"


# -- state and locks ----------------------------------------------------------------------


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


# -- reading numbers ----------------------------------------------------------------------


def parse_points(value: object, field_name: str, *, maximum: float = MAX_POINTS) -> float:
    """A number of points from a form or an API: >= 0, finite; blank counts as 0.

    Accepts 12, 12.5, "12", "12.5" and "12,5" (a decimal comma, as Dutch users type).
    """
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise ServiceError(_l("Enter a number (0 or more)."), field_name)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ServiceError(_l("Enter a number (0 or more)."), field_name) from None
    else:
        raise ServiceError(_l("Enter a number (0 or more)."), field_name)
    if not math.isfinite(number):
        raise ServiceError(_l("Enter a number (0 or more)."), field_name)
    if number < 0:
        raise ServiceError(_l("Points cannot be negative."), field_name)
    if number > maximum:
        raise ServiceError(
            _l("Enter at most %(maximum)s.", maximum=f"{maximum:,.0f}"), field_name
        )
    return number


def _text(value: str | None, field_name: str, *, required: bool, message: Any) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(message, field_name)
    if len(text) > MAX_TEXT:
        raise ServiceError(
            _l("The text can have at most %(count)d characters.", count=MAX_TEXT), field_name
        )
    return text


def _categories(session: Session, selection: Selection) -> list[Category]:
    return list(
        session.scalars(
            select(Category)
            .where(Category.selection_id == selection.id)
            .order_by(Category.position, Category.key)
        )
    )


def _active_keys(session: Session, selection: Selection) -> list[str]:
    return method.active_categories(load_selection(session, selection.id, comments=False))


def _check_categories(
    categories: Mapping[str, Category],
    active: set[str],
    given: Mapping[str, object],
    field_of,
    maximum: float = MAX_POINTS,
) -> dict[str, float]:
    """Points per category key, each on an existing, active category of the selection."""
    parsed: dict[str, float] = {}
    for key, raw in given.items():
        name = field_of(key)
        category = categories.get(key)
        if category is None:
            raise ServiceError(
                _l("This category no longer exists in this selection; reload the page."), name
            )
        if key not in active:
            raise ServiceError(
                _l("“%(name)s” is not an active category: none of its wishes carries weight.",
                   name=category.name),
                name,
            )
        parsed[key] = parse_points(raw, name, maximum=maximum)
    return parsed


def _check_weigher(selection: Selection, membership: Membership) -> None:
    if (
        membership.selection_id != selection.id
        or membership.removed_at is not None
        or membership.role not in WEIGHERS
    ):
        raise ServiceError(_l("Only business and IT members weigh the categories."), None)


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


def _allocation_of(session: Session, membership_id: int) -> dict[str, float]:
    """The stored points of one member: category key -> points."""
    return {
        key: points
        for key, points in session.execute(
            select(Category.key, Allocation.points)
            .join(Category, Category.id == Allocation.category_id)
            .where(Allocation.membership_id == membership_id)
        )
    }


# -- allocations --------------------------------------------------------------------------


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
    _check_weigher(selection, membership)
    _require_open(session, selection)
    categories = {c.key: c for c in _categories(session, selection)}
    active = _active_keys(session, selection)
    parsed = _check_categories(categories, set(active), points, points_field)
    # One member's saves queue up here (PostgreSQL), so the audit's old values are exact.
    session.execute(
        select(Membership.id).where(Membership.id == membership.id).with_for_update()
    )
    old = _allocation_of(session, membership.id)
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


# -- pairwise comparison (AHP) ------------------------------------------------------------


@dataclass
class PairwiseOutcome:
    result: ahp.PairwiseResult
    points: dict[str, float]  # the derived points per category of the domain
    domain_points: float


def pairwise_categories(
    session: Session, selection: Selection, domain_name: str
) -> list[Category]:
    """The active categories of one domain, in the selection's order: what is compared."""
    active = set(_active_keys(session, selection))
    return [
        c for c in _categories(session, selection) if c.domain == domain_name and c.key in active
    ]


def pairwise_refusal(categories: Sequence[Category]) -> str | None:
    """Why these categories cannot be compared pairwise, or None. The page says it
    instead of offering the pairs: Saaty's random index, which the consistency ratio
    needs, is published for up to 10 categories."""
    if len(categories) < 2:
        return _l("Pairwise comparison needs at least two active categories in this domain.")
    if len(categories) > ahp.MAX_SIZE:
        return _l(
            "Pairwise comparison takes at most %(max)d categories, because Saaty's random "
            "index that the consistency check needs is published up to %(max)d. This domain "
            "has %(count)d active categories: allocate points to them instead.",
            max=ahp.MAX_SIZE, count=len(categories))
    return None


def _off_scale(first: str, second: str) -> str:
    return _l("Choose a value from 1/9 to 9 for “%(first)s” against “%(second)s”.",
              first=first, second=second)


def judgement_problem(raw: object, first: str, second: str) -> str | None:
    """What is wrong with the judgement of `first` against `second`, or None: blank
    (the pair is not compared) or off Saaty's scale (9.04 is not 9)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _l("Compare “%(first)s” with “%(second)s”: every pair needs a judgement.",
                  first=first, second=second)
    if ahp.parse_judgement(raw) is None:  # type: ignore[arg-type]
        return _off_scale(first, second)
    return None


def _judgements_from_text(stored: str) -> dict[tuple[str, str], float]:
    return {(a, b): float(value) for a, b, value in json.loads(stored)}


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
    _check_weigher(selection, membership)
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
        raise ServiceError(_off_scale(names.get(a, a), names.get(b, b)),
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


def stored_pairwise(
    session: Session, membership: Membership, domain_name: str
) -> dict[tuple[str, str], float] | None:
    """A member's saved judgements of one domain, or None."""
    judgement = session.scalar(
        select(PairwiseJudgement).where(
            PairwiseJudgement.membership_id == membership.id,
            PairwiseJudgement.domain == domain_name,
        )
    )
    return None if judgement is None else _judgements_from_text(judgement.comparisons)


@dataclass(frozen=True)
class PairwisePage:
    """What the pairwise page of one domain shows a member."""

    categories: list[Category]  # compared, in the selection's order
    refusal: str | None  # why no pairs are offered (`pairwise_refusal`), or None
    stored: dict[tuple[str, str], float] | None  # the member's saved judgements
    state: WeightingState
    own: MemberAllocation | None
    domain_points: float  # the points the member gives the domain now (0: none yet)
    result: ahp.PairwiseResult | None  # the saved judgements' weights and consistency
    missing: tuple[str, str] | None  # a pair not compared (a category became active later)


def pairwise_page(
    session: Session, selection: Selection, membership: Membership, domain_name: str
) -> PairwisePage:
    """The pairwise comparison of one domain as a member sees it: the categories, the
    member's saved judgements and what they come to."""
    categories = pairwise_categories(session, selection, domain_name)
    refusal = pairwise_refusal(categories)
    stored = stored_pairwise(session, membership, domain_name)
    state = weighting_state(session, selection)
    own = state.member(membership.id)
    points = sum((own.points.get(c.key, 0.0) for c in categories), 0.0) if own else 0.0
    result = missing = None
    if stored and refusal is None:
        keys = [c.key for c in categories]
        try:
            result = ahp.weigh(keys, {pair: value for pair, value in stored.items()
                                      if pair[0] in keys and pair[1] in keys})
        except ahp.PairwiseError as error:
            missing = error.pair  # a category became active after the comparison
    return PairwisePage(categories, refusal, stored, state, own, points, result, missing)


# -- requirement weights within a category ------------------------------------------------


def may_weigh_requirements(membership: Membership, category: Category) -> bool:
    """The facilitator, or a member of the category's owner group (its domain)."""
    return membership.role == "facilitator" or membership.role == category.domain


def requirement_category(
    session: Session, selection: Selection, requirement_id: int
) -> Category:
    """The category of a requirement of this selection (its owner group may weigh it)."""
    category = session.scalar(
        select(Category)
        .join(Requirement, Requirement.category_id == Category.id)
        .where(Requirement.id == requirement_id, Requirement.selection_id == selection.id)
    )
    if category is None:
        raise NotFound(_l("There is no such requirement in this selection."))
    return category


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
    reason = _text(reason, "weight_reason", required=not clearing,
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


# -- the facilitator: balance, final weights, freeze --------------------------------------


def _require_facilitator(selection: Selection, membership: Membership) -> None:
    if membership.selection_id != selection.id or membership.role != "facilitator":
        raise ServiceError(_l("Only the facilitator may do this."), None)


def set_group_balance(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    business_percent: object,
) -> tuple[float, float]:
    """How much the business weighs against IT, in percent (IT gets the rest)."""
    _require_facilitator(selection, membership)
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


def _final_of(session: Session, selection: Selection) -> dict[str, float]:
    return {
        key: points
        for key, points in session.execute(
            select(Category.key, FinalWeight.points)
            .join(Category, Category.id == FinalWeight.category_id)
            .where(FinalWeight.selection_id == selection.id)
            .order_by(Category.position, Category.key)
        )
    }


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
    _require_facilitator(selection, membership)
    _require_open(session, selection, exclusive=True)
    categories = {c.key: c for c in _categories(session, selection)}
    active = _active_keys(session, selection)
    parsed = _check_categories(categories, set(active), points, final_field)
    if not math.fsum(parsed.get(key, 0.0) for key in active) > 0:
        raise ServiceError(_l("Give at least one category more than 0 points."), "final")
    rationale = _text(rationale, "rationale", required=True,
                      message=_l("Explain in writing why the final weights differ from the "
                                 "combined weights."))
    old = _final_of(session, selection)
    old_rationale = selection.final_weights_rationale
    if old == parsed and old_rationale == rationale:
        return parsed
    session.execute(delete(FinalWeight).where(FinalWeight.selection_id == selection.id))
    session.add_all(
        FinalWeight(selection_id=selection.id, category_id=categories[key].id, points=value)
        for key, value in parsed.items()
    )
    selection.final_weights_rationale = rationale
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.FINAL_WEIGHTS, entity_key=selection.name,
        old={"weights": old or None, "rationale": old_rationale},
        new={"weights": parsed, "rationale": rationale},
        reason=rationale,
    )
    session.flush()
    return parsed


def accept_combined_weights(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    rationale: str = "",
) -> None:
    """Use the combined weights as they are: any final weights are removed."""
    _require_facilitator(selection, membership)
    _require_open(session, selection, exclusive=True)
    rationale = _text(rationale, "rationale", required=False, message="")
    old = _final_of(session, selection)
    old_rationale = selection.final_weights_rationale
    if not old and old_rationale == rationale:
        return
    session.execute(delete(FinalWeight).where(FinalWeight.selection_id == selection.id))
    selection.final_weights_rationale = rationale
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.FINAL_WEIGHTS, entity_key=selection.name,
        old={"weights": old or None, "rationale": old_rationale},
        new={"weights": None, "rationale": rationale},
        reason=rationale,
    )
    session.flush()


def freeze_weights(
    session: Session, selection: Selection, membership: Membership, actor: Account
) -> dict[str, float]:
    """Freeze the category weights W(c) as they stand; returns them (audited)."""
    _require_facilitator(selection, membership)
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
    _require_facilitator(selection, membership)
    _lock(session, selection, exclusive=True)
    if not selection.weights_frozen:
        raise ServiceError(_l("The weights are not frozen."), None)
    if selection.phase != "weighting":
        raise ServiceError(
            _l("Move the selection back to the weighting phase first."), None
        )
    reason = _text(reason, "reason", required=True,
                   message=_l("Say why the frozen weights are opened again."))
    old = {"frozen_at": selection.weights_frozen_at.isoformat()}
    selection.weights_frozen_at = None
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.REOPEN,
        entity=AuditEntity.WEIGHTS,
        entity_key=selection.name, old=old, new={"frozen_at": None}, reason=reason,
    )
    session.flush()


# -- what the pages show ------------------------------------------------------------------


@dataclass
class MemberAllocation:
    """One business or IT member's points, as stored (category key -> points)."""

    membership_id: int
    name: str
    email: str
    role: str
    points: dict[str, float]
    active_total: float  # points on the active categories
    unweighed: list[str]  # active categories without a stored allocation
    pairwise: list[str]  # domains weighed pairwise

    @property
    def submitted(self) -> bool:
        """Counts in the method: points on the active categories add up to more than 0."""
        return self.active_total > 0

    def share(self, key: str) -> float | None:
        """This member's own split: points on `key` over points on active categories."""
        return self.points.get(key, 0.0) / self.active_total if self.active_total else None


@dataclass
class WeightingState:
    selection: Selection
    categories: list[Category]  # active categories, in the selection's order
    inactive: list[Category]
    members: list[MemberAllocation]
    means: dict[str, dict[str, float] | None]  # method.group_means
    combined: dict[str, float] | None  # W(c) the ranking uses (final weights applied)
    joint: dict[str, float]  # the balanced group means alone, before any final weights
    divergence: list[method.CategoryDivergence]
    final: dict[str, float]  # stored final points (empty: none)
    balance: tuple[float, float]
    frozen_at: datetime | None
    by_key: dict[str, Category] = field(default_factory=dict)

    @property
    def balance_is_default(self) -> bool:
        return self.balance == DEFAULT_BALANCE

    @property
    def discussion_points(self) -> list[method.CategoryDivergence]:
        return [d for d in self.divergence if d.discussion_point]

    def member(self, membership_id: int) -> MemberAllocation | None:
        return next((m for m in self.members if m.membership_id == membership_id), None)

    def sees_group_figures(self, membership: Membership) -> bool:
        """Blind until submitted: a business or IT member sees the group means, the
        divergence and the others' allocations only after saving their own."""
        if membership.role not in WEIGHERS:
            return True
        own = self.member(membership.id)
        return own is not None and own.submitted


def weighting_state(session: Session, selection: Selection) -> WeightingState:
    """Everything the weighting pages show, in a fixed handful of queries."""
    loaded = load_selection(session, selection.id, comments=False)
    active = method.active_categories(loaded)
    active_set = set(active)
    categories = _categories(session, selection)
    by_key = {c.key: c for c in categories}
    rows = session.execute(
        select(Membership.id, Account.name, Account.email, Membership.role)
        .join(Account, Account.id == Membership.account_id)
        .where(
            Membership.selection_id == selection.id,
            Membership.removed_at.is_(None),
            Membership.role.in_(WEIGHERS),
        )
        .order_by(Membership.role, Account.name, Account.email)
    ).all()
    points: dict[int, dict[str, float]] = {}
    for membership_id, key, value in session.execute(
        select(Allocation.membership_id, Category.key, Allocation.points)
        .join(Category, Category.id == Allocation.category_id)
        .join(Membership, Membership.id == Allocation.membership_id)
        .where(Membership.selection_id == selection.id)
    ):
        points.setdefault(membership_id, {})[key] = value
    pairwise: dict[int, list[str]] = {}
    for membership_id, domain_name in session.execute(
        select(PairwiseJudgement.membership_id, PairwiseJudgement.domain)
        .join(Membership, Membership.id == PairwiseJudgement.membership_id)
        .where(Membership.selection_id == selection.id)
        .order_by(PairwiseJudgement.domain)
    ):
        pairwise.setdefault(membership_id, []).append(domain_name)
    members = []
    for membership_id, name, email, role in rows:
        own = points.get(membership_id, {})
        members.append(
            MemberAllocation(
                membership_id=membership_id, name=name or email, email=email, role=role,
                points=own,
                active_total=math.fsum(v for k, v in own.items() if k in active_set),
                unweighed=[k for k in active if k not in own],
                pairwise=pairwise.get(membership_id, []),
            )
        )
    try:
        combined: dict[str, float] | None = method.combined_weights(loaded)
    except method.MethodError:
        combined = None
    joint = method.combined_weights(replace(loaded, final_weights=None))
    return WeightingState(
        selection=selection,
        categories=[by_key[k] for k in active],
        inactive=[c for c in categories if c.key not in active_set],
        members=members,
        means=method.group_means(loaded),
        combined=combined,
        joint=joint,
        divergence=method.divergence(loaded),
        final=_final_of(session, selection),
        balance=(selection.balance_business, selection.balance_it),
        frozen_at=selection.weights_frozen_at,
        by_key=by_key,
    )


@dataclass
class WishWeight:
    requirement: Requirement
    default_raw: float  # the MoSCoW points: must 5, should 3, could 1
    default_share: float  # w(r|c) were every wish in the category on its default
    share: float  # w(r|c) as it stands (explicit weights applied)

    @property
    def explicit(self) -> bool:
        return self.requirement.weight is not None


@dataclass
class CategoryWishes:
    category: Category
    wishes: list[WishWeight]
    active: bool


def requirement_weights(session: Session, selection: Selection) -> list[CategoryWishes]:
    """Per category its wishes: MoSCoW default share beside the share as it stands
    (both w(r|c) from the method)."""
    loaded = load_selection(session, selection.id, comments=False)
    shares = method.requirement_weights_in_category(loaded)
    defaults_only = replace(
        loaded, requirements=tuple(replace(r, weight=None) for r in loaded.requirements)
    )
    default_shares = method.requirement_weights_in_category(defaults_only)
    active = set(method.active_categories(loaded))
    wishes = session.scalars(
        select(Requirement)
        .join(Category, Category.id == Requirement.category_id)
        .where(
            Requirement.selection_id == selection.id,
            Requirement.is_active_wish,
        )
        .order_by(Category.position, Category.key, Requirement.code)
    ).all()
    by_category: dict[int, list[WishWeight]] = {}
    for wish in wishes:
        by_category.setdefault(wish.category_id, []).append(
            WishWeight(
                requirement=wish,
                default_raw=domain.PRIORITY_POINTS.get(wish.priority, 0.0),
                default_share=default_shares.get(wish.code, 0.0),
                share=shares.get(wish.code, 0.0),
            )
        )
    return [
        CategoryWishes(category=c, wishes=by_category[c.id], active=c.key in active)
        for c in _categories(session, selection)
        if c.id in by_category
    ]
