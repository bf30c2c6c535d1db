"""Writing the audit trail, beside the change, in the same transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from selector.models import Account, AuditEntry


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    *,
    selection_id: int | None,
    actor: Account | None,
    action: str,
    entity: str,
    entity_key: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        selection_id=selection_id,
        account_id=actor.id if actor is not None else None,
        actor=actor.email if actor is not None else "system",
        action=action,
        entity=entity,
        entity_key=entity_key,
        old=_json(old),
        new=_json(new),
        reason=reason,
    )
    session.add(entry)
    return entry
