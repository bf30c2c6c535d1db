"""Writing a committee decision on one vendor and requirement: a consensus score or a
knock-out verdict.

Both are optimistically locked the same way: the first version is inserted, each change
bumps the version, and a writer who read an older version loses instead of overwriting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from selector.db import insert_if_absent
from selector.models import Account
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor


def insert_decision(
    session: Session, model: type, selection: Selection, vendor: Vendor,
    requirement: Requirement, actor: Account, now: datetime, values: dict[str, Any],
) -> int | None:
    """The new row's id at version 1, or None when someone else recorded one first."""
    return insert_if_absent(
        session, model,
        {"selection_id": selection.id, "vendor_id": vendor.id,
         "requirement_id": requirement.id, **values,
         "recorded_by_id": actor.id, "recorded_at": now, "version": 1},
        ["vendor_id", "requirement_id"],
    )


def update_decision(
    session: Session, model: Any, stored: Any, actor: Account, now: datetime,
    values: dict[str, Any],
) -> bool:
    """Whether `values` became the next version; False when the row changed since
    `stored` (its id and version) was read."""
    result = session.execute(
        update(model)
        .where(model.id == stored.id, model.version == stored.version)
        .values(**values, version=stored.version + 1, recorded_by_id=actor.id,
                recorded_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
