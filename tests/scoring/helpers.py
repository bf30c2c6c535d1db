"""Small helpers for the scoring service tests."""

from __future__ import annotations

import json

from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from selector.models import AuditEntry
from selector.models import Membership
from selector.models import Score
from selector.models import Selection


def actor(session, ids, email: str):
    """(selection, membership, account) of one member."""
    selection = session.get(Selection, ids.selection)
    membership = session.get(Membership, ids.members[email])
    account = session.get(Account, ids.accounts[email])
    return selection, membership, account


def tulip_fails_browser_check(session, ids, upload, version=None):
    """Ingrid's verdict that tulip fails IT-BRW-01 ("Needs IE mode."), with `upload` as
    its evidence (None: no document)."""
    from selector.services import verdicts

    selection, membership, account = actor(session, ids, "ingrid@example.org")
    return verdicts.record_verdict(
        session, selection, membership, account, vendor_id=ids.vendors["tulip"],
        requirement_id=ids.requirements["IT-BRW-01"], passed=False,
        evidence="Needs IE mode.", version=version, upload=upload)


def verdict_with_evidence(database_url: str, example_doc, filename: str, content: bytes):
    """Build the scoring example and record Ingrid's failed verdict on tulip's IT-BRW-01
    with the file as its evidence; the example's ids and the attachment's id."""
    from selector.db import Database
    from selector.services import verdicts
    from tests.scoring.conftest import build_scoring_selection

    db = Database(database_url)
    try:
        ids = build_scoring_selection(db, example_doc)
        with db.transaction() as session:
            saved = tulip_fails_browser_check(session, ids, verdicts.Upload(filename, content))
            return ids, saved.attachment.id
    finally:
        db.dispose()


def counts(session) -> tuple[int, int]:
    """(scores, audit entries): what a refused change must leave as it was."""
    return (
        session.scalar(select(func.count()).select_from(Score)),
        session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def audit_entries(session, entity: str) -> list[dict]:
    return [
        {"action": e.action, "key": e.entity_key, "actor": e.actor,
         "old": json.loads(e.old) if e.old else None,
         "new": json.loads(e.new) if e.new else None, "reason": e.reason}
        for e in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id))
    ]
