"""A selection and what the committee sets up in it: members, categories, requirements
and the weighting (allocations and final weights)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.sql.elements import ColumnElement

from selector.domain import phases
from selector.domain import selection as method_rules
from selector.domain.price import LOWEST_RATIO
from selector.domain.price import PRICE_METHODS
from selector.domain.price import PriceSettings
from selector.domain.vocabulary import ACCEPTED  # the allowed values; also imported from here
from selector.domain.vocabulary import DOMAINS  # the allowed values; also imported from here
from selector.domain.vocabulary import INTENTS  # the allowed values; also imported from here
from selector.domain.vocabulary import PHASES  # the allowed values; also imported from here
from selector.domain.vocabulary import PRIORITIES  # the allowed values; also imported from here
from selector.domain.vocabulary import ROLES  # the allowed values; also imported from here
from selector.domain.vocabulary import (  # the allowed values; also imported from here
    SPONSOR_VERDICTS,
)
from selector.domain.vocabulary import STATUSES  # the allowed values; also imported from here
from selector.domain.vocabulary import VERIFICATIONS  # the allowed values; also imported from here
from selector.domain.vocabulary import WONT  # the allowed values; also imported from here
from selector.models.base import Base
from selector.models.base import PerCategory
from selector.models.base import UTCDateTime
from selector.models.base import utcnow

if TYPE_CHECKING:
    from selector.models.account import Account


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Selection(Base):
    __tablename__ = "selections"
    __table_args__ = (
        CheckConstraint(_in("phase", PHASES), name="phase"),
        CheckConstraint(_in("language", ("nl", "en")), name="language"),
        CheckConstraint("scale_max >= 1", name="scale_max"),
        CheckConstraint("price_weight >= 0 AND price_weight < 1", name="price_weight"),
        CheckConstraint("balance_business >= 0 AND balance_it >= 0", name="balance"),
        CheckConstraint("tco_years >= 1", name="tco_years"),
        CheckConstraint(_in("price_method", PRICE_METHODS), name="price_method"),
        CheckConstraint("quality_threshold >= 0 AND quality_threshold <= 100",
                        name="quality_threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(2), default="en")
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    price_weight: Mapped[float] = mapped_column(Float, default=0.0)
    balance_business: Mapped[float] = mapped_column(Float, default=0.5)
    balance_it: Mapped[float] = mapped_column(Float, default=0.5)
    tco_years: Mapped[int] = mapped_column(Integer, default=5)
    # How price counts (method.md 1.1, section 5); frozen with the weights. A parameter
    # that the method does not use is kept and ignored (formats.md).
    price_method: Mapped[str] = mapped_column(String(20), default=LOWEST_RATIO)
    price_full: Mapped[float | None] = mapped_column(Float, default=None)
    price_zero: Mapped[float | None] = mapped_column(Float, default=None)
    log_factor: Mapped[float | None] = mapped_column(Float, default=None)
    quality_value: Mapped[float | None] = mapped_column(Float, default=None)
    quality_threshold: Mapped[float] = mapped_column(Float, default=0.0)
    phase: Mapped[str] = mapped_column(String(20), default="requirements")
    # The setting that lifts blind scoring for the facilitator (issue 7); no setting opens
    # the costs to scorers before scoring closes (the prijskluis).
    facilitator_sees_all: Mapped[bool] = mapped_column(Boolean, default=False)
    # When set, members of a requirement's owner group may accept, reject or defer it.
    owner_groups_decide: Mapped[bool] = mapped_column(Boolean, default=False)
    final_weights_rationale: Mapped[str] = mapped_column(Text, default="")
    weights_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    requirements_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The facilitator's written recommendation and decision record (for the report). The
    # recommended vendor may differ from the first-ranked one only with a written reason.
    recommendation: Mapped[str] = mapped_column(Text, default="")
    # No foreign key: vendors refer to selections, and a cycle of keys cannot be added
    # to SQLite in place. Read it through `recommendations`, which checks the vendor.
    recommended_vendor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    recommendation_reason: Mapped[str] = mapped_column(Text, default="")
    recommendation_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    recommendation_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    decision_context: Mapped[str] = mapped_column(Text, default="")
    decision_options: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    decision_consequences: Mapped[str] = mapped_column(Text, default="")
    # The vendors' questionnaire (issue 20): answers change until this moment, and with
    # `answers_hidden` the committee reads them only once it has passed.
    answers_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    answers_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="selection", order_by="Category.position", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="selection", cascade="all, delete-orphan"
    )

    # The moments every rule asks about (selector.domain.phases): ask these, never compare
    # phase names or freeze times.
    @property
    def price(self) -> PriceSettings:
        """How price counts, as the method reads it."""
        return PriceSettings.of_object(self)

    @property
    def weights_frozen(self) -> bool:
        """Weights, priorities and explicit requirement weights are read-only."""
        return self.weights_frozen_at is not None

    def reached(self, phase: str) -> bool:
        """Is the selection in `phase` or a later one?"""
        return phases.reached(self.phase, phase)

    @property
    def scoring_started(self) -> bool:
        """Scoring has opened (scoring or decision phase): the requirements are frozen."""
        return phases.scoring_started(self.phase)

    @property
    def scoring_open(self) -> bool:
        """Scores, conflict declarations and sheets may change."""
        return phases.scoring_open(self.phase)

    @property
    def scoring_closed(self) -> bool:
        """The decision phase: blind scoring has ended."""
        return phases.scoring_closed(self.phase)


class Membership(Base):
    """An account's role in one selection. Removed members keep their row (and scores,
    which then no longer count): `removed_at` is set instead of deleting."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("selection_id", "account_id"),
        CheckConstraint(_in("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"))
    # Accounts are deactivated, never deleted while they are members.
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    selection: Mapped[Selection] = relationship(back_populates="memberships")
    account: Mapped[Account] = relationship()


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint("selection_id", "key"),
        CheckConstraint(_in("domain", DOMAINS), name="domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)

    selection: Mapped[Selection] = relationship(back_populates="categories")


class Requirement(Base):
    __tablename__ = "requirements"
    __table_args__ = (
        UniqueConstraint("selection_id", "code"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("verification", VERIFICATIONS), name="verification"),
        CheckConstraint(_in("intent", INTENTS), name="intent"),
        CheckConstraint(_in("owner_group", DOMAINS), name="owner_group"),
        CheckConstraint("weight IS NULL OR weight >= 0", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    # A category with requirements cannot be deleted: move or delete them first.
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str] = mapped_column(String(10), default="achieve")
    verification: Mapped[str] = mapped_column(String(12), default="demo")
    verification_criterion: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(8))
    weight: Mapped[float | None] = mapped_column(Float, default=None)
    knockout: Mapped[bool] = mapped_column(Boolean, default=False)
    knockout_rationale: Mapped[str] = mapped_column(Text, default="")
    owner_group: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="accepted")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    weight_reason: Mapped[str] = mapped_column(Text, default="")  # why an explicit weight
    # Quality flags (vague words, no criterion, ...) computed on save, a JSON list.
    quality_flags: Mapped[str] = mapped_column(Text, default="[]")
    # IT management's structured answer this requirement came from, JSON (area, item, value).
    structured: Mapped[str | None] = mapped_column(Text, default=None)
    library_id: Mapped[str | None] = mapped_column(String(64), default=None)
    raised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Optimistic concurrency: a save names the version it started from.
    version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[Category] = relationship()

    # method.md section 1, in Python (selector.domain.selection) and as one SQL condition
    # for queries (`select(...).where(Requirement.is_active_wish)`).
    @hybrid_property
    def is_active(self) -> bool:
        """Accepted and not "won't": takes part in the ranking (a wish or a knock-out)."""
        return method_rules.is_active(self.status, self.priority)

    @is_active.inplace.expression
    @classmethod
    def _is_active_condition(cls) -> ColumnElement[bool]:
        return and_(cls.status == ACCEPTED, cls.priority != WONT)

    @hybrid_property
    def is_active_wish(self) -> bool:
        """An active requirement that is no knock-out: scored and weighted."""
        return method_rules.is_active_wish(self.status, self.priority, self.knockout)

    @is_active_wish.inplace.expression
    @classmethod
    def _is_active_wish_condition(cls) -> ColumnElement[bool]:
        return and_(cls.is_active, cls.knockout.is_(False))

    @hybrid_property
    def is_active_knockout(self) -> bool:
        """An active knock-out: its verdicts count."""
        return method_rules.is_active(self.status, self.priority) and bool(self.knockout)

    @is_active_knockout.inplace.expression
    @classmethod
    def _is_active_knockout_condition(cls) -> ColumnElement[bool]:
        return and_(cls.is_active, cls.knockout.is_(True))


class Allocation(PerCategory, Base):
    """Points one business or IT member gives one category (method.md section 3)."""

    __tablename__ = "allocations"
    __table_args__ = (
        UniqueConstraint("membership_id", "category_id"),
        CheckConstraint("points >= 0", name="points"),
    )

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    points: Mapped[float] = mapped_column(Float)


class FinalWeight(PerCategory, Base):
    """The facilitator's final category weights; no rows means none were set."""

    __tablename__ = "final_weights"
    __table_args__ = (
        UniqueConstraint("selection_id", "category_id"),
        CheckConstraint("points >= 0", name="points"),
    )

    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"))
    points: Mapped[float] = mapped_column(Float)


class Assignment(PerCategory, Base):
    """Overrides who scores which category: by default business members score business
    categories and IT members IT categories (issue 7)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("membership_id", "category_id"),)

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    assigned: Mapped[bool] = mapped_column(Boolean)


class PairwiseJudgement(Base):
    """A member's pairwise comparison (AHP) of one domain's categories; the derived
    weights feed the same allocation (decisions.md)."""

    __tablename__ = "pairwise_judgements"
    __table_args__ = (
        UniqueConstraint("membership_id", "domain"),
        CheckConstraint(_in("domain", DOMAINS), name="domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(10))
    comparisons: Mapped[str] = mapped_column(Text)  # JSON: [[key_i, key_j, a_ij], ...]
    consistency_ratio: Mapped[float | None] = mapped_column(Float, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SponsorDecision(Base):
    """A sponsor's verdict on the recommendation (formats.md `decision`). Every verdict
    is kept; the newest is the selection's decision. A rejection or a request for more
    information sends the recommendation back to the facilitator with its reason."""

    __tablename__ = "sponsor_decisions"
    __table_args__ = (CheckConstraint(_in("verdict", SPONSOR_VERDICTS), name="verdict"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(20))
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="SET NULL"), default=None
    )
    # Kept as written when the sponsor's account or membership goes later.
    by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    by_email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
