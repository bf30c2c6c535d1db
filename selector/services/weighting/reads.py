"""The weighting area's reads: what the weighting and price pages show.

Queries only: nothing here adds, changes or deletes a row or writes the audit trail.
Every number shown comes from `selector.domain.method` (group means, combined weights,
divergence) on the selection as the loader reads it: nothing is computed a second way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import ahp
from selector.domain import method
from selector.domain import price as pricing
from selector.domain import selection as domain
from selector.domain.vocabulary import WEIGHERS
from selector.i18n import _l
from selector.models import Account
from selector.models import Allocation
from selector.models import Category
from selector.models import FinalWeight
from selector.models import Membership
from selector.models import PairwiseJudgement
from selector.models import Requirement
from selector.models import Selection
from selector.services.errors import NotFound
from selector.services.loader import load_selection
from selector.services.weighting.rules import DEFAULT_BALANCE
from selector.services.weighting.rules import judgements_from_text
from selector.services.weighting.rules import pairwise_refusal

# -- categories and final weights ---------------------------------------------------


def categories_in_order(session: Session, selection: Selection) -> list[Category]:
    """The selection's categories, active or not, in its order."""
    return list(
        session.scalars(
            select(Category)
            .where(Category.selection_id == selection.id)
            .order_by(Category.position, Category.key)
        )
    )


def active_category_keys(session: Session, selection: Selection) -> list[str]:
    """The keys of the categories that carry weight (the method's own list)."""
    return method.active_categories(load_selection(session, selection.id, comments=False))


def _points_per_category(
    session: Session, rows: type[Allocation] | type[FinalWeight], whose: ColumnElement[bool]
) -> dict[str, float]:
    """Stored points per category key, in the selection's order of categories."""
    return dict(session.execute(
        select(Category.key, rows.points)
        .join(Category, Category.id == rows.category_id)
        .where(whose)
        .order_by(Category.position, Category.key)
    ).all())


def final_points(session: Session, selection: Selection) -> dict[str, float]:
    """The facilitator's stored final points per category key (empty: none)."""
    return _points_per_category(session, FinalWeight, FinalWeight.selection_id == selection.id)


def member_points(session: Session, membership_id: int) -> dict[str, float]:
    """The stored points of one member per category key (empty: none allocated)."""
    return _points_per_category(session, Allocation, Allocation.membership_id == membership_id)


def pairwise_categories(
    session: Session, selection: Selection, domain_name: str
) -> list[Category]:
    """The active categories of one domain, in the selection's order: what is compared."""
    active = set(active_category_keys(session, selection))
    return [
        c for c in categories_in_order(session, selection)
        if c.domain == domain_name and c.key in active
    ]


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


# -- what the weighting pages show --------------------------------------------------


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
    categories = categories_in_order(session, selection)
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
        final=final_points(session, selection),
        balance=(selection.balance_business, selection.balance_it),
        frozen_at=selection.weights_frozen_at,
        by_key=by_key,
    )


# -- pairwise comparison (AHP) ------------------------------------------------------


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
    return None if judgement is None else judgements_from_text(judgement.comparisons)


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


# -- requirement weights within a category ------------------------------------------


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
        for c in categories_in_order(session, selection)
        if c.id in by_category
    ]


# -- the price page's live example --------------------------------------------------


class ExampleBid(NamedTuple):
    label: str  # "A" or "B"
    price: float  # TCO in euros
    quality: float  # 0..100
    price_score: float | None  # P; None with `value`
    fictitious_price: float | None  # F; only with `value`
    total: float  # points, or -F in euros with `value`


#: Two made-up bids: the dearer one has the better quality.
EXAMPLE_BIDS = (("A", 100_000.0, 80.0), ("B", 80_000.0, 60.0))


def price_example(settings: pricing.PriceSettings) -> tuple[ExampleBid, ...] | None:
    """What `settings` do to the two example bids; None while they are impossible."""
    if pricing.problems(settings):
        return None
    prices = [price for _, price, _ in EXAMPLE_BIDS]
    qualities = [quality for _, _, quality in EXAMPLE_BIDS]
    if settings.method == pricing.VALUE:
        fictitious = pricing.fictitious_prices(settings, prices, qualities)
        return tuple(ExampleBid(label, price, quality, None, f, -f)
                     for (label, price, quality), f in zip(EXAMPLE_BIDS, fictitious,
                                                           strict=True))
    scores = pricing.price_scores(settings, prices, [False] * len(prices))
    p = settings.weight
    return tuple(
        ExampleBid(label, price, quality, float(score), None,
                   (1 - p) * quality + p * float(score))
        for (label, price, quality), score in zip(EXAMPLE_BIDS, scores, strict=True)
    )
