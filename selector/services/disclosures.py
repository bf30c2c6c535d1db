"""Blind scoring, kept honest afterwards (issue 17, item 13).

A business or IT member who submitted a sheet sees the others' scores for that vendor
(`selector.domain.visibility.peer_scores_visible`), and may still change their own with a
reason. That is allowed, but the rest of the committee should know: submitting a
throw-away sheet, reading the others' scores and then revising everything would otherwise
look like any other revision. So the first moment a member was shown the others' scores
for a vendor is recorded (`ScoreDisclosure`), and every score of theirs on that vendor
saved later is marked "changed after seeing others' scores" on the consensus page, in
panel health and in the report's appendix.

When the moment is recorded:

* a scoring sheet that shows other members' scores (after submitting; a facilitator with
  "see everything" on), and the consensus page while scoring is open;
* "see everything" switched on while scoring is open, or scoring opened with it on:
  from then on every analysis page, the report preview and the API show the facilitators
  everything, for every vendor;
* the selection moved back from the decision phase to scoring: while it was closed,
  every member could see every score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from selector.db import insert_if_absent
from selector.domain.vocabulary import SCORERS
from selector.models import Account, Membership, Requirement, Score, Selection, Vendor
from selector.models.base import utcnow
from selector.models.scoring import ScoreDisclosure


def unnoted(session: Session, membership_id: int, vendor_ids: Iterable[int]) -> list[int]:
    """Of `vendor_ids`, those for which no first showing is recorded yet (a read)."""
    wanted = set(vendor_ids)
    if not wanted:
        return []
    known = set(session.scalars(
        select(ScoreDisclosure.vendor_id).where(ScoreDisclosure.membership_id == membership_id,
                                                ScoreDisclosure.vendor_id.in_(wanted))))
    return sorted(wanted - known)


def note_shown(session: Session, membership_id: int, vendor_ids: Iterable[int]) -> int:
    """Record that the member was shown others' scores for `vendor_ids` now, where no
    earlier moment is recorded; returns how many moments are new."""
    now = utcnow()
    new = 0
    for vendor_id in unnoted(session, membership_id, vendor_ids):
        new += insert_if_absent(
            session, ScoreDisclosure,
            {"membership_id": membership_id, "vendor_id": vendor_id, "at": now},
            ["membership_id", "vendor_id"]) is not None
    return new


def note_all_vendors(session: Session, selection: Selection,
                     roles: Iterable[str] = SCORERS) -> None:
    """Every vendor shown to every current member with one of `roles` (see above)."""
    vendor_ids = list(session.scalars(select(Vendor.id).where(
        Vendor.selection_id == selection.id)))
    memberships = session.scalars(select(Membership.id).where(
        Membership.selection_id == selection.id, Membership.removed_at.is_(None),
        Membership.role.in_(list(roles))))
    for membership_id in memberships:
        note_shown(session, membership_id, vendor_ids)


@dataclass(frozen=True)
class SeenChange:
    """A score given or changed after its member was shown the others' scores."""

    member: str  # e-mail
    name: str
    role: str
    vendor: str  # key
    vendor_name: str
    requirement: str  # code
    seen_at: datetime
    changed_at: datetime


def changes_after_seeing(session: Session | Connection, selection_id: int
                         ) -> list[SeenChange]:
    """Every score of the selection saved after its member was first shown the others'
    scores for that vendor; by vendor, requirement and member. Whether a score counts
    (submitted sheet, not excluded, active wish) is for the caller to decide."""
    rows = session.execute(
        select(Account.email, Account.name, Membership.role, Vendor.key, Vendor.name,
               Requirement.code, ScoreDisclosure.at, Score.updated_at)
        .join(ScoreDisclosure, (ScoreDisclosure.membership_id == Score.membership_id)
              & (ScoreDisclosure.vendor_id == Score.vendor_id))
        .join(Membership, Membership.id == Score.membership_id)
        .join(Account, Account.id == Membership.account_id)
        .join(Vendor, Vendor.id == Score.vendor_id)
        .join(Requirement, Requirement.id == Score.requirement_id)
        .where(Score.selection_id == selection_id, Score.updated_at > ScoreDisclosure.at)
        .order_by(Vendor.name, Vendor.key, Requirement.code, Account.email)
    ).all()
    return [SeenChange(email, name or email, role, key, vendor_name, code, seen, changed)
            for email, name, role, key, vendor_name, code, seen, changed in rows]


def changed_keys(session: Session | Connection, selection_id: int) -> set[tuple[str, str, str]]:
    """(member e-mail, vendor key, requirement code) of `changes_after_seeing`."""
    return {(c.member, c.vendor, c.requirement)
            for c in changes_after_seeing(session, selection_id)}
