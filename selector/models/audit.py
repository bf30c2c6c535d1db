"""The append-only audit trail: who changed what, when, from which value to which.

Rows are only ever inserted: the ORM refuses updates and deletes (see
`selector.models.__init__`), the database refuses them too, whatever sends them
(triggers, migration 0005), and selections are never deleted, so the trail stands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from selector.models.base import Base
from selector.models.base import UTCDateTime
from selector.models.base import utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_selection_id_at", "selection_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a selection with a trail cannot be deleted behind the trail's back.
    selection_id: Mapped[int | None] = mapped_column(
        ForeignKey("selections.id", ondelete="RESTRICT"), default=None
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    actor: Mapped[str] = mapped_column(String(254), default="")  # e-mail at the time
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))  # create / update / delete / phase ...
    entity: Mapped[str] = mapped_column(String(40))  # requirement / score / verdict ...
    entity_key: Mapped[str] = mapped_column(String(200), default="")  # readable: code, vendor
    old: Mapped[str | None] = mapped_column(Text, default=None)  # JSON
    new: Mapped[str | None] = mapped_column(Text, default=None)  # JSON
    reason: Mapped[str] = mapped_column(Text, default="")
