"""The vendors area's reads: the vendors, their links, questions, answers and proposed
verdicts as the pages, the report and the questionnaire workbook show them.

Queries only: nothing here adds, changes or deletes a row or writes the audit trail.
The scoring area reads vendors through this module (`get_vendor`, `vendors_of`,
`committee_answers`), which imports nothing of scoring: `writes` records verdicts
through the scoring area, so the two areas meet here without a cycle.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import vendor_answers as answer_rules
from selector.domain.it_catalogue import QUESTIONS
from selector.domain.it_catalogue import Question
from selector.domain.it_catalogue import words_in
from selector.domain.requirement_mapping import Sheet
from selector.i18n import _l
from selector.models import AnswerDocument
from selector.models import Attachment
from selector.models import Category
from selector.models import PortalLink
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import VendorQuestion
from selector.models import Verdict
from selector.models import VerdictProposal
from selector.models.base import utcnow
from selector.services import spreadsheets
from selector.services.errors import NotFound
from selector.services.requirements import structured_of
from selector.services.spreadsheets import SpreadsheetError
from selector.services.vendors.rules import COLUMN_WIDTHS
from selector.services.vendors.rules import HEADER_ROW
from selector.services.vendors.rules import IDENTITY_SHEET
from selector.services.vendors.rules import KEY_ROW
from selector.services.vendors.rules import LABEL_ROW
from selector.services.vendors.rules import LISTS_SHEET
from selector.services.vendors.rules import PROPOSED
from selector.services.vendors.rules import QUESTIONNAIRE_FORMAT
from selector.services.vendors.rules import QUESTIONNAIRE_HEADING
from selector.services.vendors.rules import QUESTIONNAIRE_KEYS
from selector.services.vendors.rules import QUESTIONNAIRE_LABELS
from selector.services.vendors.rules import QUESTIONNAIRE_TITLE
from selector.services.vendors.rules import YES_NO
from selector.services.vendors.rules import structured_answer

# -- vendors --------------------------------------------------------------------------


def vendors_of(session: Session, selection: Selection) -> list[Vendor]:
    """All vendors of the selection, withdrawn ones last, then by name."""
    return list(
        session.scalars(
            select(Vendor)
            .where(Vendor.selection_id == selection.id)
            .order_by(Vendor.withdrawn, Vendor.name, Vendor.key)
        )
    )


def get_vendor(session: Session, selection: Selection, vendor_id: int) -> Vendor:
    """A vendor of this selection; an id from another selection is not found."""
    vendor = session.scalar(
        select(Vendor).where(Vendor.id == vendor_id, Vendor.selection_id == selection.id)
    )
    if vendor is None:
        raise NotFound(_l("There is no such vendor in this selection."))
    return vendor


# -- portal links ---------------------------------------------------------------------


def current_link(session: Session, vendor: Vendor) -> PortalLink | None:
    """The vendor's working link, if any (for the facilitator's progress list)."""
    return session.scalar(
        select(PortalLink).where(PortalLink.vendor_id == vendor.id,
                                 PortalLink.ended_at.is_(None),
                                 PortalLink.expires_at > utcnow())
        .order_by(PortalLink.id.desc()))


# -- questions and their published answers --------------------------------------------


@dataclass(frozen=True)
class PublishedQuestion:
    """A question and its answer as every vendor reads them: no asker."""

    id: int
    question: str
    answer: str
    published_at: datetime


def published_questions(session: Session, selection: Selection) -> list[PublishedQuestion]:
    """Every published question and answer, oldest first: what all vendors were told, and
    the report's appendix."""
    return [PublishedQuestion(q.id, q.question, q.answer, q.published_at)
            for q in session.scalars(
                select(VendorQuestion).where(VendorQuestion.selection_id == selection.id,
                                             VendorQuestion.published_at.is_not(None))
                .order_by(VendorQuestion.published_at, VendorQuestion.id))]


@dataclass(frozen=True)
class WaitingQuestion:
    """A question the facilitator has yet to answer, with who asked it (for them only)."""

    question: VendorQuestion
    vendor: Vendor | None


def waiting_questions(session: Session, selection: Selection) -> list[WaitingQuestion]:
    """The facilitator's list: unanswered questions, oldest first."""
    rows = session.execute(
        select(VendorQuestion, Vendor)
        .outerjoin(Vendor, Vendor.id == VendorQuestion.vendor_id)
        .where(VendorQuestion.selection_id == selection.id,
               VendorQuestion.published_at.is_(None))
        .order_by(VendorQuestion.asked_at, VendorQuestion.id)).all()
    return [WaitingQuestion(question, vendor) for question, vendor in rows]


def own_waiting_questions(session: Session, vendor: Vendor) -> list[VendorQuestion]:
    """A vendor's own questions still without an answer (its portal shows them)."""
    return list(session.scalars(
        select(VendorQuestion).where(VendorQuestion.vendor_id == vendor.id,
                                     VendorQuestion.published_at.is_(None))
        .order_by(VendorQuestion.asked_at, VendorQuestion.id)))


# -- answers to the questionnaire -----------------------------------------------------


@dataclass(frozen=True)
class QuestionnaireItem:
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


def it_question(requirement: Requirement) -> tuple[Question | None, dict[str, Any] | None]:
    """IT's structured question behind a requirement and IT's answer to it, if any."""
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
                  answered_only: bool = False) -> list[QuestionnaireItem]:
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
        question, required = it_question(requirement)
        items.append(QuestionnaireItem(requirement, question, required, answer,
                                       tuple(documents.get(answer.id, ())) if answer else ()))
    return items


@dataclass(frozen=True)
class AnswerProgress:
    vendor: Vendor
    answered: int
    total: int
    submitted_at: datetime | None


def answer_progress(session: Session, selection: Selection) -> list[AnswerProgress]:
    """Per vendor taking part: answers given on active requirements, out of how many, and
    whether submitted. Never the content (the facilitator sees this before the
    deadline, whatever the selection hides)."""
    total = len(active_requirements(session, selection))
    answered = dict(session.execute(
        select(VendorAnswer.vendor_id, func.count())
        .join(Requirement, Requirement.id == VendorAnswer.requirement_id)
        .where(VendorAnswer.selection_id == selection.id, Requirement.is_active)
        .group_by(VendorAnswer.vendor_id)).all())
    return [AnswerProgress(v, answered.get(v.id, 0), total, v.answers_submitted_at)
            for v in vendors_of(session, selection) if not v.withdrawn]


def committee_answers(session: Session, selection: Selection, vendor_id: int,
                      now: datetime | None = None,
                      answered_only: bool = False) -> list[QuestionnaireItem] | None:
    """A vendor's questionnaire with its answers, for the scoring sheet, the consensus
    page and the report; None while the selection hides the answers until the
    deadline."""
    if not answer_rules.answers_visible(selection.answers_hidden, selection.answers_deadline,
                                        now or utcnow()):
        return None
    vendor = get_vendor(session, selection, vendor_id)
    return questionnaire(session, selection, vendor, answered_only)


# -- verdict proposals ----------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    proposal: VerdictProposal
    vendor: Vendor
    requirement: Requirement
    verdict: Verdict | None  # the verdict recorded now, if any


def proposals_of(session: Session, selection: Selection, now: datetime | None = None,
                 states: tuple[str, ...] = (PROPOSED,)) -> list[Proposal] | None:
    """The proposals in `states` on active knock-outs, by requirement then vendor; None
    while the selection hides the vendors' answers until the deadline."""
    if not answer_rules.answers_visible(selection.answers_hidden, selection.answers_deadline,
                                        now or utcnow()):
        return None
    rows = session.execute(
        select(VerdictProposal, Vendor, Requirement, Verdict)
        .join(Vendor, Vendor.id == VerdictProposal.vendor_id)
        .join(Requirement, Requirement.id == VerdictProposal.requirement_id)
        .outerjoin(Verdict, (Verdict.vendor_id == VerdictProposal.vendor_id)
                   & (Verdict.requirement_id == VerdictProposal.requirement_id))
        .where(VerdictProposal.selection_id == selection.id,
               VerdictProposal.state.in_(states), Requirement.is_active_knockout)
        .order_by(Requirement.code, Vendor.name, Vendor.key)
    ).all()
    return [Proposal(*row) for row in rows]


# -- the questionnaire workbook -------------------------------------------------------


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """A cell holding `value`; text always as a string cell with the quote prefix, so it
    is never read or edited into a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def questionnaire_workbook(session: Session, selection: Selection, vendor: Vendor, *,
                           with_answers: bool = True) -> bytes:
    """The questionnaire for one vendor, with its answers so far (unless not
    `with_answers`: the committee's copy while the answers are hidden), as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    language = selection.language
    items = questionnaire(session, selection, vendor)
    book = Workbook()
    sheet = book.active
    sheet.title = words_in(QUESTIONNAIRE_TITLE, language)
    _put(sheet, HEADER_ROW, 1, words_in(QUESTIONNAIRE_HEADING, language).format(
        vendor=vendor.name, selection=selection.name)).font = Font(bold=True, size=13)
    for column, key in enumerate(QUESTIONNAIRE_KEYS, start=1):
        _put(sheet, LABEL_ROW, column,
             words_in(QUESTIONNAIRE_LABELS[key], language)).font = Font(bold=True)
        _put(sheet, KEY_ROW, column, key).font = Font(color="808080")
        sheet.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTHS[key]
    sheet.freeze_panes = sheet.cell(row=KEY_ROW + 1, column=2)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, item in enumerate(items, start=KEY_ROW + 1):
        r, answer = item.requirement, item.answer if with_answers else None
        values = {
            "code": r.code, "title": r.title, "description": r.description,
            "verification_criterion": r.verification_criterion,
            "knockout": words_in(YES_NO[bool(r.knockout)], language),
            "compliance": (answer_rules.compliance_label(answer.compliance, language)
                           if answer else ""),
            "explanation": answer.explanation if answer else "",
            "planned_date": answer.planned_on if answer and answer.planned_on else None,
        }
        for column, key in enumerate(QUESTIONNAIRE_KEYS, start=1):
            cell = _put(sheet, row, column, values[key])
            cell.alignment = wrap
            if key == "planned_date":
                cell.number_format = "yyyy-mm-dd"
    last = KEY_ROW + max(len(items), 1)

    lists = book.create_sheet(LISTS_SHEET)
    for row, key in enumerate(answer_rules.COMPLIANCES, start=1):
        _put(lists, row, 1, answer_rules.compliance_label(key, language))
    lists.sheet_state = "hidden"
    column = get_column_letter(QUESTIONNAIRE_KEYS.index("compliance") + 1)
    sheet.add_data_validation(DataValidation(
        type="list", allow_blank=True, showErrorMessage=True,
        formula1=f"={LISTS_SHEET}!$A$1:$A${len(answer_rules.COMPLIANCES)}",
        sqref=f"{column}{KEY_ROW + 1}:{column}{last}"))

    identity = book.create_sheet(IDENTITY_SHEET)
    for row, (key, value) in enumerate((("format", QUESTIONNAIRE_FORMAT),
                                        ("selection", selection.id),
                                        ("selection_name", selection.name),
                                        ("vendor", vendor.key),
                                        ("vendor_name", vendor.name)), start=1):
        _put(identity, row, 1, key)
        _put(identity, row, 2, value)
    identity.sheet_state = "hidden"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def questionnaire_filename(selection: Selection, vendor: Vendor) -> str:
    return spreadsheets.export_filename(selection, f"questionnaire-{vendor.key}")


def read_questionnaire(data: bytes, name: str) -> list[Sheet]:
    """The returned file's sheets, read literally in the sandbox. Call it before the
    database transaction: no lock is held while an untrusted file is parsed."""
    if not (name or "").lower().endswith(".xlsx"):
        raise SpreadsheetError([_l("Return the questionnaire as the .xlsx workbook it was "
                                   "sent as.")])
    return spreadsheets.read_workbook(data, name, literal=True)
