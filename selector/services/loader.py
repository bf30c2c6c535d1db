"""Rows to domain data: the database feeds the same `Selection` as a selection file.

This is the read path of `selector rank --selection ID`, the ranking page and the
report, so it is kept lean: plain SQL through SQLAlchemy Core (no ORM classes to build,
no ORM import), and the score matrix in ONE query into tuples (48,000 scores: about
0.08 s on SQLite, against 0.5 s as ORM objects). Only scores that count are read
(decisions.md): submitted sheets, members not removed and not excluded from the vendor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from selector.domain import selection as domain

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

# Scores that count: a submitted sheet, a member still in the selection with a scoring
# role, and not excluded from the vendor for a conflict of interest.
COUNTED_SCORES = text(
    """
    SELECT a.email, v.key, r.code, s.score, s.comment
    FROM scores s
    JOIN memberships m ON m.id = s.membership_id
    JOIN accounts a ON a.id = m.account_id
    JOIN vendors v ON v.id = s.vendor_id
    JOIN requirements r ON r.id = s.requirement_id
    JOIN sheets sh ON sh.membership_id = s.membership_id AND sh.vendor_id = s.vendor_id
    WHERE s.selection_id = :sid
      AND m.removed_at IS NULL
      AND m.role IN ('facilitator', 'business', 'it')
      AND sh.submitted_at IS NOT NULL
      AND sh.excluded = :no
    """
)

_SELECTION = text(
    "SELECT name, scale_max, price_weight, balance_business, balance_it"
    " FROM selections WHERE id = :sid"
)
_CATEGORIES = text(
    "SELECT key, name, domain FROM categories WHERE selection_id = :sid ORDER BY position, key"
)
_REQUIREMENTS = text(
    """
    SELECT r.code, c.key, r.title, r.priority, r.weight, r.knockout, r.status,
           r.knockout_rationale, r.owner_group
    FROM requirements r JOIN categories c ON c.id = r.category_id
    WHERE r.selection_id = :sid
    ORDER BY r.id
    """
)
_MEMBERS = text(
    """
    SELECT a.email, a.name, m.role
    FROM memberships m JOIN accounts a ON a.id = m.account_id
    WHERE m.selection_id = :sid AND m.removed_at IS NULL
    ORDER BY a.email
    """
)
_ALLOCATIONS = text(
    """
    SELECT a.email, c.key, al.points
    FROM allocations al
    JOIN memberships m ON m.id = al.membership_id
    JOIN accounts a ON a.id = m.account_id
    JOIN categories c ON c.id = al.category_id
    WHERE m.selection_id = :sid AND m.removed_at IS NULL AND m.role IN ('business', 'it')
    """
)
_FINAL_WEIGHTS = text(
    """
    SELECT c.key, f.points FROM final_weights f JOIN categories c ON c.id = f.category_id
    WHERE f.selection_id = :sid
    """
)
_VENDORS = text(
    "SELECT key, name, tco, withdrawn FROM vendors WHERE selection_id = :sid ORDER BY key"
)
_CONSENSUS = text(
    """
    SELECT v.key, r.code, x.score, x.rationale
    FROM consensus x
    JOIN vendors v ON v.id = x.vendor_id JOIN requirements r ON r.id = x.requirement_id
    WHERE x.selection_id = :sid
    """
)
_VERDICTS = text(
    """
    SELECT v.key, r.code, x.passed, x.evidence
    FROM verdicts x
    JOIN vendors v ON v.id = x.vendor_id JOIN requirements r ON r.id = x.requirement_id
    WHERE x.selection_id = :sid
    """
)


def counted_scores(session: Session | Connection, selection_id: int) -> list[tuple]:
    """(member e-mail, vendor key, requirement code, score, comment) of every score
    that counts, in one query."""
    return session.execute(COUNTED_SCORES, {"sid": selection_id, "no": False}).all()


def load_selection(session: Session | Connection, selection_id: int) -> domain.Selection:
    """The domain `Selection` of a stored selection, for the method."""
    params = {"sid": selection_id}
    meta = session.execute(_SELECTION, params).first()
    if meta is None:
        raise LookupError(f"there is no selection {selection_id}")
    final = {key: points for key, points in session.execute(_FINAL_WEIGHTS, params)}
    return domain.Selection(
        name=meta.name,
        categories=tuple(domain.Category(*row) for row in session.execute(_CATEGORIES, params)),
        requirements=tuple(
            domain.Requirement(
                code=code,
                category=category,
                title=title,
                priority=priority,
                weight=weight,
                knockout=bool(knockout),
                status=status,
                knockout_rationale=knockout_rationale,
                owner_group=owner_group,
            )
            for (
                code,
                category,
                title,
                priority,
                weight,
                knockout,
                status,
                knockout_rationale,
                owner_group,
            ) in session.execute(_REQUIREMENTS, params)
        ),
        members=tuple(domain.Member(*row) for row in session.execute(_MEMBERS, params)),
        allocations=tuple(domain.Allocation(*row) for row in session.execute(_ALLOCATIONS, params)),
        vendors=tuple(
            domain.Vendor(key, name, tco, bool(withdrawn))
            for key, name, tco, withdrawn in session.execute(_VENDORS, params)
        ),
        scores=tuple(domain.Score(*row) for row in counted_scores(session, selection_id)),
        consensus=tuple(domain.Consensus(*row) for row in session.execute(_CONSENSUS, params)),
        verdicts=tuple(
            domain.Verdict(vendor, code, bool(passed), evidence)
            for vendor, code, passed, evidence in session.execute(_VERDICTS, params)
        ),
        scale_max=meta.scale_max,
        price_weight=meta.price_weight,
        group_balance={"business": meta.balance_business, "it": meta.balance_it},
        final_weights=final or None,
    )
