"""Rows to domain data: the database feeds the same `Selection` as a selection file.

The score matrix is read with one Core query into tuples: 48,000 ORM objects would take
five times as long. Only scores that count are read (decisions.md): submitted sheets,
members not removed and not excluded from the vendor.
"""

from __future__ import annotations

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session

from selector.domain import selection as domain
from selector.models import (
    Account,
    Allocation,
    Category,
    Consensus,
    FinalWeight,
    Membership,
    Requirement,
    Score,
    Selection,
    Sheet,
    Vendor,
    Verdict,
)

SCORING_ROLES = ("facilitator", "business", "it")


def counted_scores(session: Session, selection_id: int) -> list[Row]:
    """(member, vendor, requirement, score, comment) for every score that counts."""
    query = (
        select(
            Account.email.label("member"),
            Vendor.key.label("vendor"),
            Requirement.code.label("requirement"),
            Score.score,
            Score.comment,
        )
        .select_from(Score)
        .join(Membership, Membership.id == Score.membership_id)
        .join(Account, Account.id == Membership.account_id)
        .join(Vendor, Vendor.id == Score.vendor_id)
        .join(Requirement, Requirement.id == Score.requirement_id)
        .join(
            Sheet,
            and_(Sheet.membership_id == Score.membership_id, Sheet.vendor_id == Score.vendor_id),
        )
        .where(
            Score.selection_id == selection_id,
            Membership.removed_at.is_(None),
            Membership.role.in_(SCORING_ROLES),
            Sheet.submitted_at.is_not(None),
            Sheet.excluded.is_(False),
        )
    )
    return session.execute(query).all()


def load_selection(session: Session, selection_id: int) -> domain.Selection:
    """The domain `Selection` of a stored selection, for the method."""
    selection = session.get(Selection, selection_id)
    if selection is None:
        raise LookupError(f"there is no selection {selection_id}")
    sid = selection_id
    categories = session.execute(
        select(Category.id, Category.key, Category.name, Category.domain)
        .where(Category.selection_id == sid)
        .order_by(Category.position, Category.key)
    ).all()
    key_of = {c.id: c.key for c in categories}
    requirements = session.execute(
        select(
            Requirement.code,
            Requirement.category_id,
            Requirement.title,
            Requirement.priority,
            Requirement.weight,
            Requirement.knockout,
            Requirement.status,
            Requirement.knockout_rationale,
            Requirement.owner_group,
        ).where(Requirement.selection_id == sid)
        .order_by(Requirement.id)  # the order they were written in
    ).all()
    members = session.execute(
        select(Account.email, Account.name, Membership.role)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == sid, Membership.removed_at.is_(None))
        .order_by(Account.email)
    ).all()
    allocations = session.execute(
        select(Account.email, Allocation.category_id, Allocation.points)
        .join(Membership, Membership.id == Allocation.membership_id)
        .join(Account, Account.id == Membership.account_id)
        .where(
            Membership.selection_id == sid,
            Membership.removed_at.is_(None),
            Membership.role.in_(("business", "it")),
        )
    ).all()
    final = session.execute(
        select(FinalWeight.category_id, FinalWeight.points).where(FinalWeight.selection_id == sid)
    ).all()
    vendors = session.execute(
        select(Vendor.key, Vendor.name, Vendor.tco, Vendor.withdrawn)
        .where(Vendor.selection_id == sid)
        .order_by(Vendor.key)
    ).all()
    consensus = session.execute(
        select(Vendor.key, Requirement.code, Consensus.score, Consensus.rationale)
        .join(Vendor, Vendor.id == Consensus.vendor_id)
        .join(Requirement, Requirement.id == Consensus.requirement_id)
        .where(Consensus.selection_id == sid)
    ).all()
    verdicts = session.execute(
        select(Vendor.key, Requirement.code, Verdict.passed, Verdict.evidence)
        .join(Vendor, Vendor.id == Verdict.vendor_id)
        .join(Requirement, Requirement.id == Verdict.requirement_id)
        .where(Verdict.selection_id == sid)
    ).all()
    return domain.Selection(
        name=selection.name,
        categories=tuple(domain.Category(c.key, c.name, c.domain) for c in categories),
        requirements=tuple(
            domain.Requirement(
                code=r.code,
                category=key_of[r.category_id],
                title=r.title,
                priority=r.priority,
                weight=r.weight,
                knockout=r.knockout,
                status=r.status,
                knockout_rationale=r.knockout_rationale,
                owner_group=r.owner_group,
            )
            for r in requirements
        ),
        members=tuple(domain.Member(m.email, m.name, m.role) for m in members),
        allocations=tuple(
            domain.Allocation(a.email, key_of[a.category_id], a.points) for a in allocations
        ),
        vendors=tuple(domain.Vendor(v.key, v.name, v.tco, v.withdrawn) for v in vendors),
        scores=tuple(domain.Score(*row) for row in counted_scores(session, sid)),
        consensus=tuple(domain.Consensus(*row) for row in consensus),
        verdicts=tuple(domain.Verdict(*row) for row in verdicts),
        scale_max=selection.scale_max,
        price_weight=selection.price_weight,
        group_balance={"business": selection.balance_business, "it": selection.balance_it},
        final_weights={key_of[f.category_id]: f.points for f in final} or None,
    )
