"""A vendor's answers to the questionnaire: every active requirement, knock-outs first.

Per requirement the vendor says whether it complies (yes, partly, no, planned with a
date, via a third party), explains (required unless "yes"), may add evidence documents
(checked by content and size as verdict documents are: `verdicts.check_upload`) and,
for a requirement from IT's structured questions, gives a structured answer checked by
the same catalogue. It also gives its own cost lines (the vendor service computes the
TCO). Answers change until the vendor submits or the selection's deadline passes; the
facilitator may reopen a submission, with a reason. Every change is audited, under the
vendor's name when it comes through the portal.

The committee reads the answers (`committee_answers`) unless the selection hides them
until the deadline (`domain.vendor_answers.answers_visible`); the facilitator always
sees the progress, never the content before then. Callers: the portal (a
`portal_links.Portal`), the facilitator's pages, the questionnaire workbook and
`selector vendors answers`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain import vendor_answers as rules
from selector.domain.it_catalogue import QUESTIONS, Question
from selector.domain.vocabulary import AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import (
    Account,
    AnswerDocument,
    Attachment,
    Category,
    Requirement,
    Selection,
    Vendor,
    VendorAnswer,
)
from selector.models.base import utcnow
from selector.services import audit, verdict_proposals, verdicts
from selector.services import vendors as vendor_service
from selector.services.errors import Conflict, NotFound, ServiceError
from selector.services.requirements import StructuredItem, clean_it_answer, structured_of

MAX_EXPLANATION = limits.max_length("answer", "explanation")
MAX_DOCUMENTS_PER_ANSWER = 10
# What one vendor's evidence may hold together: a disk is not filled through one link.
MAX_VENDOR_DOCUMENTS = 100 * 1024 * 1024


# -- the questionnaire --------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One requirement to answer, with the vendor's answer so far."""

    requirement: Requirement
    question: Question | None  # IT's structured question behind it, if any
    required: dict[str, Any] | None  # IT's answer to that question (the requirement)
    answer: VendorAnswer | None
    documents: tuple[Attachment, ...] = ()

    @property
    def offered(self) -> dict[str, Any] | None:
        """The vendor's structured answer, if it gave one."""
        return structured_answer(self.answer)


def structured_answer(answer: VendorAnswer | None) -> dict[str, Any] | None:
    if answer is None or not answer.structured:
        return None
    try:
        value = json.loads(answer.structured).get("value")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, dict) else None


def _question(requirement: Requirement) -> tuple[Question | None, dict[str, Any] | None]:
    found = structured_of(requirement) or {}
    question = QUESTIONS.get(found.get("item", ""))
    return (question, found.get("value")) if question is not None else (None, None)


def active_requirements(session: Session, selection: Selection) -> list[Requirement]:
    """What every vendor answers: the active requirements, knock-outs first, then in the
    list's order (category, code)."""
    return list(session.scalars(
        select(Requirement).join(Category, Category.id == Requirement.category_id)
        .where(Requirement.selection_id == selection.id, Requirement.is_active)
        .order_by(Requirement.knockout.desc(), Category.position, Category.id,
                  Requirement.code)))


def questionnaire(session: Session, selection: Selection, vendor: Vendor,
                  answered_only: bool = False) -> list[Item]:
    """The vendor's questionnaire: each active requirement with its answer and evidence
    (`answered_only`: only those it answered, which costs nothing for a vendor that has
    not answered: the committee's sheets ask this on every page)."""
    answers = {a.requirement_id: a for a in session.scalars(
        select(VendorAnswer).where(VendorAnswer.vendor_id == vendor.id))}
    if answered_only and not answers:
        return []
    documents: dict[int, list[Attachment]] = {}
    for answer_id, attachment in session.execute(
            select(AnswerDocument.answer_id, Attachment)
            .join(Attachment, Attachment.id == AnswerDocument.attachment_id)
            .join(VendorAnswer, VendorAnswer.id == AnswerDocument.answer_id)
            .where(VendorAnswer.vendor_id == vendor.id).order_by(Attachment.id)):
        documents.setdefault(answer_id, []).append(attachment)
    items = []
    for requirement in active_requirements(session, selection):
        answer = answers.get(requirement.id)
        if answered_only and answer is None:
            continue
        question, required = _question(requirement)
        items.append(Item(requirement, question, required, answer,
                          tuple(documents.get(answer.id, ())) if answer else ()))
    return items


# -- checking an answer -------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """What the portal's form (or a returned workbook row) gives for one requirement."""

    compliance: str
    explanation: str = ""
    planned_on: date | None = None  # required with "planned"
    structured: dict[str, Any] | None = None  # for a requirement from IT's questions


@dataclass(frozen=True)
class Checked:
    compliance: str
    explanation: str
    planned_on: date | None
    structured: str | None  # JSON as stored


def check_answer(requirement: Requirement, given: AnswerInput, today: date) -> Checked:
    """The answer as stored, or a ServiceError naming the field."""
    compliance = given.compliance if given.compliance in rules.COMPLIANCES else None
    if compliance is None:
        raise ServiceError(_l("Choose yes, partly, no, planned or via a third party."),
                           "compliance")
    explanation = (given.explanation or "").strip()
    if rules.explanation_required(compliance) and not explanation:
        raise ServiceError(_l("Explain your answer: an explanation is required unless the "
                              "answer is yes."), "explanation")
    problem = limits.text_problem(explanation, MAX_EXPLANATION)
    if problem is not None:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=MAX_EXPLANATION)
            if problem.reason == "too_long" else _l("This text holds characters that cannot "
                                                    "be stored."), "explanation")
    planned_on = None
    if compliance == rules.PLANNED:
        if not isinstance(given.planned_on, date):
            raise ServiceError(_l("Give the date by which it is planned."), "planned_on")
        planned_on = (given.planned_on.date() if isinstance(given.planned_on, datetime)
                      else given.planned_on)
        if planned_on < today:
            raise ServiceError(_l("The planned date has passed; give a date from today on."),
                               "planned_on")
    structured = None
    if given.structured is not None:
        question, _required = _question(requirement)
        if question is None:
            raise ServiceError(_l("This requirement asks for no structured answer."),
                               "structured")
        value = clean_it_answer(StructuredItem(question.area, question.key, given.structured,
                                           field="structured"))
        structured = json.dumps({"item": question.key, "value": value}, ensure_ascii=False,
                                sort_keys=True)
    return Checked(compliance, explanation, planned_on, structured)


def _snapshot(answer: VendorAnswer | Checked) -> dict[str, Any]:
    return {"compliance": answer.compliance, "explanation": answer.explanation,
            "planned_on": answer.planned_on.isoformat() if answer.planned_on else None,
            "structured": json.loads(answer.structured) if answer.structured else None}


# -- while the answers are open -----------------------------------------------------------


def is_open(selection: Selection, vendor: Vendor, now: datetime | None = None) -> bool:
    return rules.answers_open(vendor.answers_submitted_at, selection.answers_deadline,
                              now or utcnow())


def require_open(selection: Selection, vendor: Vendor, now: datetime | None = None) -> None:
    """Refuse a change once the vendor submitted or the deadline passed."""
    if vendor.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: its answers are closed."))
    if vendor.answers_submitted_at is not None:
        raise ServiceError(_l("The answers were submitted and can no longer change. Ask the "
                              "facilitator to reopen them."))
    if not is_open(selection, vendor, now):
        raise ServiceError(_l("The deadline for the answers has passed; they can no longer "
                              "change."))


def _requirement(session: Session, selection: Selection, requirement_id: int) -> Requirement:
    requirement = session.scalar(select(Requirement).where(
        Requirement.id == requirement_id, Requirement.selection_id == selection.id,
        Requirement.is_active))
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this questionnaire."))
    return requirement


def _store(session: Session, selection: Selection, vendor: Vendor, requirement: Requirement,
           checked: Checked, stored: VendorAnswer | None, actor: Account | None,
           actor_name: str, now: datetime) -> VendorAnswer:
    """Write one checked answer (audited) and bring its proposed verdict in line."""
    key = f"{vendor.key} · {requirement.code}"
    new = _snapshot(checked)
    if stored is None:
        stored = VendorAnswer(selection_id=selection.id, vendor_id=vendor.id,
                              requirement_id=requirement.id, version=1, updated_at=now,
                              compliance=checked.compliance, explanation=checked.explanation,
                              planned_on=checked.planned_on, structured=checked.structured)
        session.add(stored)
        audit.record(session, selection_id=selection.id, actor=actor,
                     action=AuditAction.CREATE, entity=AuditEntity.ANSWER, entity_key=key,
                     new=new, actor_name=actor_name)
    else:
        old = _snapshot(stored)
        if old == new:
            return stored
        stored.compliance, stored.explanation = checked.compliance, checked.explanation
        stored.planned_on, stored.structured = checked.planned_on, checked.structured
        stored.version, stored.updated_at = stored.version + 1, now
        audit.record(session, selection_id=selection.id, actor=actor,
                     action=AuditAction.UPDATE, entity=AuditEntity.ANSWER, entity_key=key,
                     old=old, new=new, actor_name=actor_name)
    session.flush()
    verdict_proposals.refresh(session, selection, vendor, requirement, stored,
                              actor_name=actor_name)
    return stored


def save_answer(session: Session, selection: Selection, vendor: Vendor, requirement_id: int,
                given: AnswerInput, version: int | None, *, actor_name: str = "",
                now: datetime | None = None) -> VendorAnswer:
    """Save (or change) the vendor's answer to one requirement. `version` is the answer's
    version the form showed (None: it showed none); a stale one is a Conflict."""
    now = now or utcnow()
    require_open(selection, vendor, now)
    requirement = _requirement(session, selection, requirement_id)
    checked = check_answer(requirement, given, now.date())
    stored = session.scalar(select(VendorAnswer).where(
        VendorAnswer.vendor_id == vendor.id, VendorAnswer.requirement_id == requirement.id
    ).with_for_update())
    if (stored.version if stored is not None else None) != version:
        raise Conflict(_l("This answer was changed meanwhile (perhaps by a colleague with "
                          "the same link). Reload the page to see it, then answer again."),
                       "compliance")
    return _store(session, selection, vendor, requirement, checked, stored, None,
                  actor_name, now)


@dataclass
class RowAnswer:
    """One answer of a returned workbook: its row, for the problems."""

    row: int
    code: str
    given: AnswerInput


@dataclass
class ImportedAnswers:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def import_answers(session: Session, selection: Selection, vendor: Vendor,
                   rows: list[RowAnswer], *, actor: Account | None = None,
                   actor_name: str = "", now: datetime | None = None,
                   problems: list[Any] | None = None) -> ImportedAnswers:
    """Many answers at once (a returned questionnaire): every row is checked first; with
    any problem (`problems`: those the caller found already) nothing is written and the
    result lists them all, the caller's first (the caller refuses)."""
    now = now or utcnow()
    require_open(selection, vendor, now)
    by_code = {r.code: r for r in active_requirements(session, selection)}
    stored = {a.requirement_id: a for a in session.scalars(
        select(VendorAnswer).where(VendorAnswer.vendor_id == vendor.id))}
    result = ImportedAnswers(problems=list(problems or []))
    planned: list[tuple[Requirement, Checked]] = []
    for row in rows:
        requirement = by_code.get(row.code)
        if requirement is None:
            result.problems.append(str(_l("row %(row)d: %(code)s is not a requirement of this "
                                          "questionnaire", row=row.row, code=row.code)))
            continue
        try:
            planned.append((requirement, check_answer(requirement, row.given, now.date())))
        except ServiceError as refused:
            result.problems.append(str(_l("row %(row)d (%(code)s): %(message)s", row=row.row,
                                          code=row.code, message=refused.message)))
    if result.problems:
        return result
    for requirement, checked in planned:
        before = stored.get(requirement.id)
        old = _snapshot(before) if before is not None else None
        _store(session, selection, vendor, requirement, checked, before, actor, actor_name, now)
        if old is None:
            result.created += 1
        elif old != _snapshot(checked):
            result.updated += 1
        else:
            result.unchanged += 1
    return result


# -- evidence -----------------------------------------------------------------------------


def add_document(session: Session, selection: Selection, vendor: Vendor, requirement_id: int,
                 upload: verdicts.Upload, *, actor_name: str = "",
                 now: datetime | None = None) -> Attachment:
    """A document (PDF, PNG or JPEG, checked by its content) as evidence for an answer
    given already."""
    require_open(selection, vendor, now)
    requirement = _requirement(session, selection, requirement_id)
    answer = session.scalar(select(VendorAnswer).where(
        VendorAnswer.vendor_id == vendor.id, VendorAnswer.requirement_id == requirement.id))
    if answer is None:
        raise ServiceError(_l("Answer the requirement first, then add its evidence."),
                           "document")
    content_type = verdicts.check_upload(upload)
    held = session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0))
        .join(AnswerDocument, AnswerDocument.attachment_id == Attachment.id)
        .join(VendorAnswer, VendorAnswer.id == AnswerDocument.answer_id)
        .where(VendorAnswer.vendor_id == vendor.id)) or 0
    if session.scalar(select(func.count()).select_from(AnswerDocument).where(
            AnswerDocument.answer_id == answer.id)) >= MAX_DOCUMENTS_PER_ANSWER:
        raise ServiceError(_l("An answer can have at most %(count)d documents.",
                              count=MAX_DOCUMENTS_PER_ANSWER), "document")
    if held + len(upload.content) > MAX_VENDOR_DOCUMENTS:
        raise ServiceError(_l("Your documents would take more than %(limit)d MB together. "
                              "This one was not stored.",
                              limit=MAX_VENDOR_DOCUMENTS // (1024 * 1024)), "document")
    attachment = verdicts.store_attachment(session, selection, None, None, upload,
                                           content_type)
    session.add(AnswerDocument(answer_id=answer.id, attachment_id=attachment.id))
    audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.UPDATE,
                 entity=AuditEntity.ANSWER, entity_key=f"{vendor.key} · {requirement.code}",
                 new={"document": {"filename": attachment.filename, "size": attachment.size,
                                   "sha256": attachment.sha256}}, actor_name=actor_name)
    session.flush()
    return attachment


def remove_document(session: Session, selection: Selection, vendor: Vendor,
                    attachment_id: int, *, actor_name: str = "",
                    now: datetime | None = None) -> None:
    """Take a document off the vendor's own answer while the answers are open."""
    require_open(selection, vendor, now)
    row = session.execute(
        select(AnswerDocument, Attachment, Requirement)
        .join(Attachment, Attachment.id == AnswerDocument.attachment_id)
        .join(VendorAnswer, VendorAnswer.id == AnswerDocument.answer_id)
        .join(Requirement, Requirement.id == VendorAnswer.requirement_id)
        .where(Attachment.id == attachment_id, VendorAnswer.vendor_id == vendor.id)).first()
    if row is None:
        raise NotFound(_l("There is no such document among your answers."))
    document, attachment, requirement = row
    audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.DELETE,
                 entity=AuditEntity.ANSWER, entity_key=f"{vendor.key} · {requirement.code}",
                 old={"document": {"filename": attachment.filename,
                                   "sha256": attachment.sha256}}, actor_name=actor_name)
    session.delete(document)
    session.delete(attachment)  # its file stays until a backup's restore skips it
    session.flush()


# -- costs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    """formats.md `costs`: all four lines, numbers >= 0 (the TCO follows)."""

    licence_per_year: float | None
    implementation: float | None
    hosting_support_per_year: float | None
    contract_years: float | None


def save_costs(session: Session, selection: Selection, vendor: Vendor, costs: Costs, *,
               actor_name: str = "", now: datetime | None = None) -> Vendor:
    """The vendor's own cost lines, checked and its TCO computed by the vendor service."""
    require_open(selection, vendor, now)
    given = vendor_service.VendorInput(
        name=vendor.name, product=vendor.product, website=vendor.website,
        contact=vendor.contact, notes=vendor.notes)
    given = replace(given, **{key: getattr(costs, key) for key in vendor_service.COST_KEYS})
    if all(getattr(costs, key) is None for key in vendor_service.COST_KEYS):
        raise ServiceError(_l("Fill in all four cost fields."), "licence_per_year")
    return vendor_service.update_vendor(session, selection, None, vendor.id, given,
                                        actor_name=actor_name)


# -- submitting and reopening -------------------------------------------------------------


def submit(session: Session, selection: Selection, vendor: Vendor, *, actor_name: str = "",
           now: datetime | None = None) -> None:
    """The vendor is done: every requirement answered, the answers locked."""
    now = now or utcnow()
    require_open(selection, vendor, now)
    missing = sum(1 for item in questionnaire(session, selection, vendor)
                  if item.answer is None)
    if missing:
        raise ServiceError(_l("Answer every requirement before you submit: %(count)d still "
                              "without an answer.", count=missing))
    vendor.answers_submitted_at = now
    audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.SUBMIT,
                 entity=AuditEntity.ANSWER, entity_key=vendor.key,
                 new={"submitted_at": now.isoformat()}, actor_name=actor_name)
    session.flush()


def reopen(session: Session, selection: Selection, actor: Account | None, vendor_id: int,
           reason: str) -> Vendor:
    """The facilitator opens a vendor's submitted answers again, saying why. (After the
    deadline the vendor can change them only once the deadline is moved as well.)"""
    vendor = vendor_service.get_vendor(session, selection, vendor_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Say why the vendor's answers are reopened."), "reason")
    if len(reason) > limits.REASON_LENGTH:
        raise ServiceError(_l("The reason can have at most %(count)d characters.",
                              count=limits.REASON_LENGTH), "reason")
    if vendor.answers_submitted_at is None:
        raise ServiceError(_l("This vendor has not submitted its answers."), "reason")
    old = vendor.answers_submitted_at.isoformat()
    vendor.answers_submitted_at = None
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.REOPEN,
                 entity=AuditEntity.ANSWER, entity_key=vendor.key,
                 old={"submitted_at": old}, new={"submitted_at": None}, reason=reason)
    session.flush()
    return vendor


def set_schedule(session: Session, selection: Selection, actor: Account | None,
                 deadline: datetime | None, hidden: bool) -> None:
    """The deadline for the answers (None: none) and whether the committee reads them
    only after it."""
    if deadline is not None and not isinstance(deadline, datetime):
        raise ServiceError(_l("Give a date and time."), "deadline")
    if not isinstance(hidden, bool):
        raise ServiceError(_l("Choose whether the answers are hidden until the deadline."),
                           "hidden")
    old = {"answers_deadline": selection.answers_deadline.isoformat()
           if selection.answers_deadline else None, "answers_hidden": selection.answers_hidden}
    selection.answers_deadline, selection.answers_hidden = deadline, hidden
    new = {"answers_deadline": deadline.isoformat() if deadline else None,
           "answers_hidden": hidden}
    if new != old:
        audit.record(session, selection_id=selection.id, actor=actor,
                     action=AuditAction.UPDATE, entity=AuditEntity.SELECTION,
                     entity_key=selection.name, old=old, new=new)
    session.flush()


# -- what the facilitator and the committee see -------------------------------------------


@dataclass(frozen=True)
class Progress:
    vendor: Vendor
    answered: int
    total: int
    submitted_at: datetime | None


def progress(session: Session, selection: Selection) -> list[Progress]:
    """Per vendor taking part: answers given on active requirements, out of how many, and
    whether submitted. Never the content (the facilitator sees this before the
    deadline, whatever the selection hides)."""
    total = len(active_requirements(session, selection))
    answered = dict(session.execute(
        select(VendorAnswer.vendor_id, func.count())
        .join(Requirement, Requirement.id == VendorAnswer.requirement_id)
        .where(VendorAnswer.selection_id == selection.id, Requirement.is_active)
        .group_by(VendorAnswer.vendor_id)).all())
    return [Progress(v, answered.get(v.id, 0), total, v.answers_submitted_at)
            for v in vendor_service.vendors_of(session, selection) if not v.withdrawn]


def committee_answers(session: Session, selection: Selection, vendor_id: int,
                      now: datetime | None = None,
                      answered_only: bool = False) -> list[Item] | None:
    """A vendor's questionnaire with its answers, for the scoring sheet, the consensus
    page and the report; None while the selection hides the answers until the
    deadline."""
    if not rules.answers_visible(selection.answers_hidden, selection.answers_deadline,
                                 now or utcnow()):
        return None
    vendor = vendor_service.get_vendor(session, selection, vendor_id)
    return questionnaire(session, selection, vendor, answered_only)
