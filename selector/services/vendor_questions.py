"""Vendors' questions and the answers to all of them (the *nota van inlichtingen*).

A vendor asks through its portal; the facilitator answers, and the answer is published
to every invited vendor at once, with the question, without naming who asked: a vendor
learns what the others learn, and not who competes. Asking and publishing are audited,
and the published questions and answers are part of the record (`published`, for the
report's appendix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain.vocabulary import AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import Account, Selection, Vendor, VendorQuestion
from selector.models.base import utcnow
from selector.services import audit
from selector.services.errors import NotFound, ServiceError

MAX_QUESTION = limits.max_length("vendor_question", "question")
MAX_ANSWER = limits.max_length("vendor_question", "answer")
MAX_OPEN_PER_VENDOR = 100  # unanswered questions of one vendor at a time


def _text(value: str, field: str, limit: int, empty_message) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(empty_message, field)
    problem = limits.text_problem(text, limit)
    if problem is not None:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=limit)
            if problem.reason == "too_long"
            else _l("This text holds characters that cannot be stored."), field)
    return text


def ask(session: Session, selection: Selection, vendor: Vendor, question: str, *,
        actor_name: str = "", now: datetime | None = None) -> VendorQuestion:
    """A vendor's question, until the deadline for the answers passes."""
    now = now or utcnow()
    if selection.answers_deadline is not None and now >= selection.answers_deadline:
        raise ServiceError(_l("The deadline has passed: no more questions can be asked."),
                           "question")
    text = _text(question, "question", MAX_QUESTION, _l("Write your question."))
    waiting = session.scalars(select(VendorQuestion.id).where(
        VendorQuestion.vendor_id == vendor.id, VendorQuestion.published_at.is_(None))).all()
    if len(waiting) >= MAX_OPEN_PER_VENDOR:
        raise ServiceError(_l("You have %(count)d questions waiting for an answer; wait for "
                              "those first.", count=MAX_OPEN_PER_VENDOR), "question")
    asked = VendorQuestion(selection_id=selection.id, vendor_id=vendor.id, question=text,
                           asked_at=now, answer="")
    session.add(asked)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.CREATE,
                 entity=AuditEntity.VENDOR_QUESTION, entity_key=f"#{asked.id}",
                 new={"question": text}, actor_name=actor_name)
    return asked


def publish(session: Session, selection: Selection, actor: Account | None, question_id: int,
            answer: str, question: str | None = None) -> VendorQuestion:
    """The facilitator's answer, published to every vendor at once. `question` may word
    the question anew (to take out what would name the asker); a published answer may be
    corrected, and is then published again."""
    asked = session.scalar(select(VendorQuestion).where(
        VendorQuestion.id == question_id, VendorQuestion.selection_id == selection.id))
    if asked is None:
        raise NotFound(_l("There is no such question in this selection."))
    text = _text(answer, "answer", MAX_ANSWER, _l("Write the answer."))
    wording = (asked.question if question is None else
               _text(question, "question", MAX_QUESTION, _l("Write the question.")))
    old = ({"question": asked.question, "answer": asked.answer}
           if asked.published_at is not None else None)
    asked.question, asked.answer = wording, text
    asked.answered_by_id = actor.id if actor is not None else None
    asked.published_at = utcnow()
    # Not the asker: the record of the publication says what every vendor was told.
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.PUBLISH,
                 entity=AuditEntity.VENDOR_QUESTION, entity_key=f"#{asked.id}", old=old,
                 new={"question": wording, "answer": text})
    session.flush()
    return asked


@dataclass(frozen=True)
class Published:
    """A question and its answer as every vendor reads them: no asker."""

    id: int
    question: str
    answer: str
    published_at: datetime


def published(session: Session, selection: Selection) -> list[Published]:
    """Every published question and answer, oldest first: what all vendors were told, and
    the report's appendix."""
    return [Published(q.id, q.question, q.answer, q.published_at) for q in session.scalars(
        select(VendorQuestion).where(VendorQuestion.selection_id == selection.id,
                                     VendorQuestion.published_at.is_not(None))
        .order_by(VendorQuestion.published_at, VendorQuestion.id))]


@dataclass(frozen=True)
class Waiting:
    """A question the facilitator has yet to answer, with who asked it (for them only)."""

    question: VendorQuestion
    vendor: Vendor | None


def waiting(session: Session, selection: Selection) -> list[Waiting]:
    """The facilitator's list: unanswered questions, oldest first."""
    rows = session.execute(
        select(VendorQuestion, Vendor)
        .outerjoin(Vendor, Vendor.id == VendorQuestion.vendor_id)
        .where(VendorQuestion.selection_id == selection.id,
               VendorQuestion.published_at.is_(None))
        .order_by(VendorQuestion.asked_at, VendorQuestion.id)).all()
    return [Waiting(question, vendor) for question, vendor in rows]


def own_waiting(session: Session, vendor: Vendor) -> list[VendorQuestion]:
    """A vendor's own questions still without an answer (its portal shows them)."""
    return list(session.scalars(
        select(VendorQuestion).where(VendorQuestion.vendor_id == vendor.id,
                                     VendorQuestion.published_at.is_(None))
        .order_by(VendorQuestion.asked_at, VendorQuestion.id)))
