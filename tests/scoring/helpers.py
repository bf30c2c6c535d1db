"""Small helpers for the scoring service tests."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from selector.models import Account, AuditEntry, Membership, Score, Selection


def actor(session, ids, email: str):
    """(selection, membership, account) of one member."""
    selection = session.get(Selection, ids.selection)
    membership = session.get(Membership, ids.members[email])
    account = session.get(Account, ids.accounts[email])
    return selection, membership, account


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
