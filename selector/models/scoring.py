"""Scores, consensus and knock-out verdicts: what decides the ranking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from selector.models.base import Base
from selector.models.base import PerVendorAndRequirement
from selector.models.base import UTCDateTime
from selector.models.base import utcnow


class Score(Base):
    """One member's score for one vendor on one requirement.

    `selection_id` is stored on the row (it is implied by the vendor) so that a whole
    score matrix loads with one indexed query.
    """

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("membership_id", "vendor_id", "requirement_id"),
        # 0..100 bounds any scale; the selection's own scale_max is checked by the
        # services and by the database's triggers (migration 0005).
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        # Every lookup by selection, and the whole score matrix from the index alone.
        Index("ix_scores_matrix", "selection_id", "membership_id", "vendor_id",
              "requirement_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"))
    # Memberships are never deleted while they have scores (removal sets removed_at).
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="RESTRICT"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirements.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ScoreDisclosure(Base):
    """The moment a member was first shown other members' scores for a vendor.

    Blind scoring (issue 17, item 13): a score the member gives or changes on that vendor
    afterwards is marked "changed after seeing others' scores" on the consensus page, in
    panel health and in the report. Only the first moment is kept.
    """

    __tablename__ = "score_disclosures"
    __table_args__ = (UniqueConstraint("membership_id", "vendor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Consensus(PerVendorAndRequirement, Base):
    """The score the committee agreed on in the consensus meeting; replaces the mean."""

    __tablename__ = "consensus"
    __table_args__ = (
        UniqueConstraint("vendor_id", "requirement_id"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("length(rationale) > 0", name="rationale"),
    )

    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Verdict(PerVendorAndRequirement, Base):
    """A knock-out verdict: passed or failed for one vendor, with its evidence."""

    __tablename__ = "verdicts"
    __table_args__ = (UniqueConstraint("vendor_id", "requirement_id"),)

    passed: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Attachment(Base):
    """Evidence for a knock-out verdict (PDF or image). The file lives outside the web root
    under the instance folder, named by its id; it is served only to members."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/png', 'image/jpeg')", name="content_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    verdict_id: Mapped[int | None] = mapped_column(
        ForeignKey("verdicts.id", ondelete="SET NULL"), index=True, default=None
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
