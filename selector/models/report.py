"""Final reports: the PDF a sponsor signs, sealed with its SHA-256 and the ranking it
was computed from, so later changes to the selection do not alter it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import deferred
from sqlalchemy.orm import mapped_column

from selector.models.base import Base
from selector.models.base import UTCDateTime
from selector.models.base import utcnow


class FinalReport(Base):
    __tablename__ = "final_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="RESTRICT"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    language: Mapped[str] = mapped_column(String(2))
    sha256: Mapped[str] = mapped_column(String(64))
    ranking: Mapped[str] = mapped_column(Text)  # the ranking document, JSON
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # The SHA-256 of the selection's content when sealed (its selection file, canonical):
    # when the content differs later the report is superseded. None for reports sealed
    # before this was kept.
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    # Why the report was sealed while the recommended vendor had unverified knock-outs.
    seal_reason: Mapped[str] = mapped_column(Text, default="")
