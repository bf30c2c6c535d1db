"""A selection in the requirements phase, built through the services: a facilitator,
a business member, an IT member and a sponsor, with the default CRM categories."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from selector.models import AuditEntry
from selector.models import Category
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.services import accounts
from selector.services import memberships
from selector.services import selections
from selector.services.requirements import RequirementFields

FENNA = "fenna@example.org"  # facilitator
BRAM = "bram@example.org"  # business
INGRID = "ingrid@example.org"  # IT
MARLOES = "marloes@example.org"  # sponsor
ROLES = {FENNA: "facilitator", BRAM: "business", INGRID: "it", MARLOES: "sponsor"}


@dataclass
class World:
    selection: int
    accounts: dict[str, int]  # e-mail -> account id
    categories: dict[str, int]  # key -> category id


def build_world(db, language: str = "en") -> World:
    with db.transaction() as session:
        fenna = accounts.create_account(session, FENNA, "Fenna Facilitator", None)
        selection = selections.create_selection(
            session, fenna, name="CRM for Stichting Voorbeeld", language=language)
        for email, role in ROLES.items():
            if role != "facilitator":
                memberships.add_member(session, selection, fenna, email, role,
                                       name=email.split("@")[0].title())
        session.flush()
        return World(
            selection=selection.id,
            accounts=dict(session.execute(select(Account.email, Account.id)).all()),
            categories=dict(session.execute(
                select(Category.key, Category.id).where(
                    Category.selection_id == selection.id)).all()),
        )


@pytest.fixture
def world(db) -> World:
    return build_world(db)


@contextmanager
def acting(db, world: World, email: str, write: bool = True):
    """(session, selection, account, role) of one member, in one transaction."""
    with db.transaction(write=write) as session:
        account = session.get(Account, world.accounts[email])
        yield session, session.get(Selection, world.selection), account, ROLES[email]


def fields(world: World, category: str = "sales", **values) -> RequirementFields:
    values.setdefault("title", "Lead registration with source")
    values.setdefault("verification_criterion",
                      "In the demo, a lead keeps its source after 2 conversions.")
    return RequirementFields(category_id=world.categories[category], **values)


def state(db, world: World) -> dict:
    """Everything a requirement change touches: a refused change must leave it as it was."""
    with db.transaction(write=False) as session:
        sid = world.selection
        return {
            "requirements": sorted(
                tuple(r) for r in session.execute(
                    select(Requirement.code, Requirement.title, Requirement.description,
                           Requirement.priority, Requirement.weight, Requirement.status,
                           Requirement.knockout, Requirement.version, Requirement.category_id,
                           Requirement.quality_flags)
                    .where(Requirement.selection_id == sid)).all()),
            "categories": sorted(
                tuple(c) for c in session.execute(
                    select(Category.key, Category.name, Category.domain)
                    .where(Category.selection_id == sid)).all()),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.selection_id == sid)),
            "memberships": session.scalar(select(func.count()).select_from(Membership)),
        }
