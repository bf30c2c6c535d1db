"""Vendors and each member's scoring sheet per vendor (submission, conflict of interest)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from selector.models.base import Base
from selector.models.base import UTCDateTime
from selector.models.base import utcnow


class Vendor(Base):
    __tablename__ = "vendors"
    __table_args__ = (
        UniqueConstraint("selection_id", "key"),
        CheckConstraint("tco IS NULL OR tco > 0", name="tco"),
        CheckConstraint(
            "(licence_per_year IS NULL OR licence_per_year >= 0)"
            " AND (implementation IS NULL OR implementation >= 0)"
            " AND (hosting_support_per_year IS NULL OR hosting_support_per_year >= 0)"
            " AND (contract_years IS NULL OR contract_years >= 0)",
            name="costs",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    tco: Mapped[float | None] = mapped_column(Float, default=None)
    # The cost breakdown; all four set or none (then tco is entered directly).
    licence_per_year: Mapped[float | None] = mapped_column(Float, default=None)
    implementation: Mapped[float | None] = mapped_column(Float, default=None)
    hosting_support_per_year: Mapped[float | None] = mapped_column(Float, default=None)
    contract_years: Mapped[float | None] = mapped_column(Float, default=None)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the vendor submitted its answers (issue 20); a facilitator may reopen them.
    answers_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Sheet(Base):
    """One member's scoring sheet for one vendor. Its scores count once submitted and
    while the member is not excluded from the vendor (conflict of interest)."""

    __tablename__ = "sheets"
    __table_args__ = (
        UniqueConstraint("membership_id", "vendor_id"),
        CheckConstraint("conflict IS NULL OR conflict IN ('none', 'declared')", name="conflict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    conflict: Mapped[str | None] = mapped_column(String(10), default=None)
    conflict_explanation: Mapped[str] = mapped_column(Text, default="")
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
