"""The vendors' side (issue 20): portal links, the vendors' answers with their evidence,
the questions vendors ask (the *nota van inlichtingen*) and the knock-out verdicts their
answers propose.

Vendors never get accounts (decisions.md): a vendor's contact works through a personal
link whose token is a secret like a password. Only its SHA-256 is stored; a new link
ends the vendor's earlier one.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from selector.domain.vendor_answers import COMPLIANCES
from selector.models.base import Base
from selector.models.base import PerVendorAndRequirement
from selector.models.base import UTCDateTime
from selector.models.base import utcnow

PROPOSAL_STATES = ("proposed", "confirmed", "overridden", "withdrawn")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PortalLink(Base):
    """A vendor's personal link to the portal. Works while not ended and not expired."""

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    first_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class VendorAnswer(PerVendorAndRequirement, Base):
    """A vendor's own answer to one requirement (formats.md `answers`), with a planned
    date and, for a requirement from IT's structured questions, a structured answer
    (JSON, checked by the same catalogue)."""

    __tablename__ = "vendor_answers"
    __table_args__ = (
        UniqueConstraint("vendor_id", "requirement_id"),
        CheckConstraint(_in("compliance", COMPLIANCES), name="compliance"),
    )

    compliance: Mapped[str] = mapped_column(String(12))
    planned_on: Mapped[date | None] = mapped_column(Date, default=None)
    explanation: Mapped[str] = mapped_column(Text, default="")
    structured: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AnswerDocument(Base):
    """Evidence for an answer: an attachment (stored and checked as verdict documents
    are), linked to the answer it supports."""

    __tablename__ = "answer_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_answers.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), unique=True)


class VendorQuestion(Base):
    """A vendor's question and the facilitator's answer, published to every invited
    vendor at once without naming who asked (the *nota van inlichtingen*)."""

    __tablename__ = "vendor_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True)
    # Who asked: known to the facilitator, never published. Kept when the vendor goes.
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="SET NULL"), default=None)
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class VerdictProposal(PerVendorAndRequirement, Base):
    """A knock-out verdict proposed by a vendor's answer (a "no", or a structured answer
    that falls short), waiting for the owner group: confirmed (it becomes the verdict),
    overridden with a reason, or withdrawn when the answer no longer proposes it."""

    __tablename__ = "verdict_proposals"
    __table_args__ = (
        UniqueConstraint("vendor_id", "requirement_id"),
        CheckConstraint(_in("state", PROPOSAL_STATES), name="state"),
    )

    evidence: Mapped[str] = mapped_column(Text)  # the answer, in the selection's language
    state: Mapped[str] = mapped_column(String(12), default="proposed")
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was overridden
