"""Portal links: stored hashed, one working link per vendor, every failing token the same
NotFound, failed lookups throttled per address, uses audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import LoginAttempt
from selector.models import PortalLink
from selector.models.base import utcnow
from selector.services import logins
from selector.services import vendors
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from tests.vendors.conftest import selection_and_vendor


def _issue(db, ids, key="northwind", days=14):
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids, key)
        issued = vendors.issue_link(session, selection, None, vendor.id, days)
        return issued.token, issued.url("https://selector.example.org")


def _open(db, token, address="192.0.2.1", now=None):
    with db.transaction() as session:
        portal = vendors.open_portal(session, token, address, now=now)
        return portal.selection.id, portal.vendor.key


def _failed_lookups(db) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == vendors.PORTAL_LOOKUP, LoginAttempt.succeeded.is_(False)))


def test_a_link_opens_its_own_vendor_and_only_its_hash_is_stored(db, ids):
    token, url = _issue(db, ids)
    assert url == f"https://selector.example.org/portal/{token}"
    assert len(token) >= 40
    assert _open(db, token) == (ids.selection, "northwind")
    with db.transaction(write=False) as session:
        link = session.scalar(select(PortalLink))
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert link.first_used_at is not None and link.last_used_at is not None
        assert link.expires_at - link.created_at == timedelta(days=14)
        entries = session.execute(select(AuditEntry.action, AuditEntry.entity,
                                         AuditEntry.entity_key, AuditEntry.actor)
                                  .where(AuditEntry.entity == "portal_link")
                                  .order_by(AuditEntry.id)).all()
        dump = " ".join(str(v) for row in session.execute(select(AuditEntry.new)).all()
                        for v in row)
    assert entries == [("issue", "portal_link", "northwind", "system"),
                       ("use", "portal_link", "northwind", "vendor:northwind")]
    assert token not in dump
    _open(db, token)  # a second use is no new audit entry
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "portal_link")) == 2


def test_expired_replaced_altered_and_withdrawn_links_are_not_found(db, ids):
    old, _ = _issue(db, ids)
    new, _ = _issue(db, ids)  # a new link ends the old one
    with pytest.raises(NotFound):
        _open(db, old)
    assert _open(db, new)[1] == "northwind"
    altered = new[:-1] + ("A" if new[-1] != "A" else "B")
    for token in (altered, new.upper(), "", "x" * 500, "é" * 10):
        with pytest.raises(NotFound):
            _open(db, token)
    with pytest.raises(NotFound):  # 14 days and a second later
        _open(db, new, now=utcnow() + timedelta(days=14, seconds=1))
    tulip, _ = _issue(db, ids, "tulip", days=1)
    with db.transaction() as session:
        selection, vendor = selection_and_vendor(session, ids, "tulip")
        vendors.set_withdrawn(session, selection, None, vendor.id, True, "Left the market.")
    with pytest.raises(NotFound):
        _open(db, tulip)
    assert _failed_lookups(db) == 8  # each failure recorded, despite the refusal


def test_failed_lookups_are_throttled_per_address(db, ids):
    token, _ = _issue(db, ids)
    for _ in range(logins.ADDRESS_DELAYS.free):
        with pytest.raises(NotFound):
            _open(db, "guess-" + "x" * 40, address="198.51.100.7")
    with pytest.raises(vendors.Throttled) as refused:
        _open(db, token, address="198.51.100.7")  # even the right token waits
    assert refused.value.retry_after >= 1
    assert _failed_lookups(db) == logins.ADDRESS_DELAYS.free  # the wait is not counted
    assert _open(db, token, address="203.0.113.9")[1] == "northwind"  # another address


@pytest.mark.parametrize("days", [0, -1, 366, True, "14"])
def test_a_links_lifetime_is_checked(db, ids, days):
    with db.transaction() as session, pytest.raises(ServiceError) as refused:
        selection, vendor = selection_and_vendor(session, ids)
        vendors.issue_link(session, selection, None, vendor.id, days)
    assert refused.value.field == "days"
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PortalLink)) == 0


def test_failed_lookups_and_failed_logins_keep_their_own_budgets(db):
    """A vendor mistyping its link must not delay the committee's logins from one office."""
    from selector.services import logins
    from selector.services.errors import NotFound
    from selector.services.vendors import Throttled
    from selector.services.vendors import open_portal

    address = "203.0.113.9"
    with db.transaction() as session:
        throttled = False
        for _ in range(40):
            try:
                open_portal(session, "not-a-token", address)
            except NotFound:
                continue
            except Throttled:
                throttled = True
                break
        assert throttled  # the lookups are throttled among themselves
        assert logins.seconds_to_wait(session, "bram@example.org", address,
                                      logins.Throttle()) == 0
