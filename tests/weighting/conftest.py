"""A selection in the weighting phase, built through the services: the example selection
imported without its scores (its allocations make it a weighting-phase selection)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from selector.models import Allocation
from selector.models import AuditEntry
from selector.models import Category
from selector.models import FinalWeight
from selector.models import Membership
from selector.models import PairwiseJudgement
from selector.models import Requirement
from selector.models import Selection
from selector.services import selection_file
from tests.scoring.helpers import audit_entries as audit_entries_in

FENNA = "fenna@example.org"  # facilitator
BRAM = "bram@example.org"  # business
SANNE = "sanne@example.org"  # business
INGRID = "ingrid@example.org"  # IT
KOEN = "koen@example.org"  # IT
MARLOES = "marloes@example.org"  # sponsor


@dataclass
class World:
    selection: int
    members: dict[str, int]  # e-mail -> membership id
    requirements: dict[str, int]  # code -> requirement id
    categories: dict[str, int]  # key -> category id


def build_weighting_selection(db, doc) -> World:
    doc = {**doc, "scores": [], "consensus": [], "knockouts": []}
    with db.transaction() as session:
        sid = selection_file.import_selection(session, doc)
        assert session.get(Selection, sid).phase == "weighting"
    with db.transaction(write=False) as session:
        return World(
            selection=sid,
            members=dict(session.execute(
                select(Account.email, Membership.id)
                .join(Membership, Membership.account_id == Account.id)
                .where(Membership.selection_id == sid)).all()),
            requirements=dict(session.execute(
                select(Requirement.code, Requirement.id).where(Requirement.selection_id == sid)
            ).all()),
            categories=dict(session.execute(
                select(Category.key, Category.id).where(Category.selection_id == sid)).all()),
        )


@pytest.fixture
def world(db, example_doc) -> World:
    return build_weighting_selection(db, example_doc)


@contextmanager
def acting(db, world: World, email: str, write: bool = True):
    """(session, selection, membership, account) of one member, in one transaction."""
    with db.transaction(write=write) as session:
        membership = session.get(Membership, world.members[email])
        yield session, session.get(Selection, world.selection), membership, membership.account


def snapshot(db, world: World) -> dict:
    """Everything a weighting change touches: a refused change must leave it as it was."""
    with db.transaction(write=False) as session:
        sid = world.selection
        selection = session.get(Selection, sid)
        return {
            "allocations": sorted(session.execute(
                select(Allocation.membership_id, Allocation.category_id, Allocation.points)
                .join(Membership, Membership.id == Allocation.membership_id)
                .where(Membership.selection_id == sid)).all()),
            "final": sorted(session.execute(
                select(FinalWeight.category_id, FinalWeight.points)
                .where(FinalWeight.selection_id == sid)).all()),
            "pairwise": sorted(session.execute(
                select(PairwiseJudgement.membership_id, PairwiseJudgement.domain,
                       PairwiseJudgement.comparisons)).all()),
            "requirements": sorted(session.execute(
                select(Requirement.code, Requirement.weight, Requirement.weight_reason,
                       Requirement.version).where(Requirement.selection_id == sid)).all()),
            "selection": (selection.balance_business, selection.balance_it,
                          selection.final_weights_rationale, selection.weights_frozen_at,
                          selection.phase),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def audit_entries(db, entity: str) -> list[dict]:
    with db.transaction(write=False) as session:
        return audit_entries_in(session, entity)
