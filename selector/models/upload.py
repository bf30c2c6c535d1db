"""The record of an account's file uploads, for the per-account rate limit.

Kept in the database (not in process memory) so that the limit holds across gunicorn
workers, as login throttling does. Rows older than a day are dropped on the way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from selector.models.base import Base
from selector.models.base import UTCDateTime
from selector.models.base import utcnow


class UploadAttempt(Base):
    __tablename__ = "upload_attempts"
    __table_args__ = (Index("ix_upload_attempts_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # what was uploaded: "requirements"
    size: Mapped[int] = mapped_column(Integer)  # bytes
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
