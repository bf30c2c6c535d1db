"""Writing the audit trail, beside the change, in the same transaction.

Entities and actions are the vocabulary's enums (`selector.domain.vocabulary`): their
values are the strings stored, and the report's labels and its list of changes after a
freeze are made from the same enums, so an audited change cannot go unnamed there.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.models import Account
from selector.models import AuditEntry


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    *,
    selection_id: int | None,
    actor: Account | None,
    action: AuditAction,
    entity: AuditEntity,
    entity_key: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    actor_name: str = "",
) -> AuditEntry:
    """One audit entry. `actor_name` names an actor without an account (a vendor through
    its portal link); without either the entry says "system" (the console, an import)."""
    if not isinstance(action, AuditAction) or not isinstance(entity, AuditEntity):
        raise TypeError(f"audit entries name an AuditAction and an AuditEntity, "
                        f"not {action!r} and {entity!r}")
    entry = AuditEntry(
        selection_id=selection_id,
        account_id=actor.id if actor is not None else None,
        actor=actor.email if actor is not None else (actor_name or "system")[:254],
        action=action,
        entity=entity,
        entity_key=entity_key,
        old=_json(old),
        new=_json(new),
        reason=reason,
    )
    session.add(entry)
    return entry
