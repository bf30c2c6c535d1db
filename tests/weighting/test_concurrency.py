"""Saving allocations at the same time: an upsert per (member, category) that loses no
update, audit entries whose old values chain up, and no save slipping past a freeze.
Runs on SQLite and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from selector.models import Account
from selector.models import Allocation
from selector.models import AuditEntry
from selector.models import Category
from selector.models import Membership
from selector.models import Selection
from selector.services import memberships
from selector.services.errors import ServiceError
from selector.services.weighting import freeze_weights
from selector.services.weighting import save_allocation
from tests.weighting.conftest import BRAM
from tests.weighting.conftest import FENNA
from tests.weighting.conftest import acting
from tests.weighting.conftest import audit_entries

THREADS = 8


def run_together(jobs) -> list[BaseException | None]:
    """Run the jobs in threads released at the same moment; their errors, in order."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException | None] = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors[i] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def saver(db, world, email, points):
    def job():
        with acting(db, world, email) as (session, selection, membership, account):
            save_allocation(session, selection, membership, account, points)
    return job


def test_concurrent_saves_of_one_cell_chain_up_in_the_audit(db, world):
    errors = run_together([saver(db, world, BRAM, {"sales": i + 1}) for i in range(THREADS)])
    assert errors == [None] * THREADS
    entries = audit_entries(db, "allocation")
    assert len(entries) == THREADS
    assert entries[0]["old"] == {"sales": 20}
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry["old"]["sales"] == previous["new"]["sales"]  # nobody saw a stale value
    assert sorted(e["new"]["sales"] for e in entries) == list(range(1, THREADS + 1))
    with db.transaction(write=False) as session:
        stored = session.scalar(
            select(Allocation.points).join(Category, Category.id == Allocation.category_id)
            .where(Allocation.membership_id == world.members[BRAM], Category.key == "sales"))
    assert stored == entries[-1]["new"]["sales"]


def test_first_saves_at_the_same_time_never_collide(db, world):
    with db.transaction() as session:
        selection = session.get(Selection, world.selection)
        facilitator = session.scalar(select(Account).where(Account.email == FENNA))
        for email in ("nina@example.org", "omar@example.org"):
            added = memberships.add_member(session, selection, facilitator, email, "business")
            world.members[email] = added.member.membership.id
    keys = sorted(world.categories)
    jobs = [saver(db, world, "nina@example.org", {key: i + 1}) for i, key in enumerate(keys)]
    # Two first saves of one and the same (member, category).
    jobs += [saver(db, world, "omar@example.org", {"sales": 5}),
             saver(db, world, "omar@example.org", {"sales": 7})]
    errors = run_together(jobs)
    assert errors == [None] * len(jobs)
    with db.transaction(write=False) as session:
        rows = dict(session.execute(
            select(Category.key, Allocation.points)
            .join(Category, Category.id == Allocation.category_id)
            .join(Membership, Membership.id == Allocation.membership_id)
            .join(Account, Account.id == Membership.account_id)
            .where(Account.email == "nina@example.org")).all())
        omar = session.scalars(
            select(Allocation.points).where(
                Allocation.membership_id == world.members["omar@example.org"])).all()
    assert rows == {key: i + 1 for i, key in enumerate(keys)}
    assert len(omar) == 1 and omar[0] in (5, 7)


def test_no_save_slips_past_a_freeze(db, world):
    def freezer():
        with acting(db, world, FENNA) as (session, selection, membership, account):
            freeze_weights(session, selection, membership, account)

    jobs = [saver(db, world, BRAM, {"sales": i + 1}) for i in range(THREADS - 1)] + [freezer]
    errors = run_together(jobs)
    assert errors[-1] is None
    refused = [e for e in errors[:-1] if e is not None]
    assert all(isinstance(e, ServiceError) and "frozen" in str(e.message) for e in refused)
    with db.transaction(write=False) as session:
        entries = session.execute(
            select(AuditEntry.id, AuditEntry.entity)
            .where(AuditEntry.entity.in_(("allocation", "weights"))).order_by(AuditEntry.id)
        ).all()
    freeze_id = next(i for i, entity in entries if entity == "weights")
    saved = [i for i, entity in entries if entity == "allocation"]
    assert all(i < freeze_id for i in saved)
    assert len(saved) == THREADS - 1 - len(refused)
