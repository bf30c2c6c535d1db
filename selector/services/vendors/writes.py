"""The vendors area's writes: vendors and their costs, portal links, questions, answers,
evidence and proposed verdicts, each change with its audit entry in the caller's
transaction (under the vendor's name when it comes through the portal).

One exception to "the caller commits": a failed portal lookup is committed at once by
`open_portal`, so that it counts for the throttle whatever the request does next.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain import vendor_answers as answer_rules
from selector.domain.it_catalogue import QUESTIONS
from selector.domain.it_catalogue import AnswerRefused
from selector.domain.it_catalogue import answer_words
from selector.domain.it_catalogue import check_answer
from selector.domain.requirement_mapping import Sheet
from selector.domain.requirement_mapping import Uncomputed
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import AnswerDocument
from selector.models import Attachment
from selector.models import Membership
from selector.models import PortalLink
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import VendorQuestion
from selector.models import Verdict
from selector.models import VerdictProposal
from selector.models.base import utcnow
from selector.services import audit
from selector.services import logins
from selector.services import verdicts
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.requirements import StructuredItem
from selector.services.requirements import clean_it_answer
from selector.services.requirements import structured_of
from selector.services.spreadsheets import SpreadsheetError
from selector.services.vendors.reads import active_requirements
from selector.services.vendors.reads import get_vendor
from selector.services.vendors.reads import it_question
from selector.services.vendors.reads import proposals_of
from selector.services.vendors.reads import questionnaire
from selector.services.vendors.reads import vendors_of
from selector.services.vendors.rules import CONFIRMED
from selector.services.vendors.rules import COST_KEYS
from selector.services.vendors.rules import DEFAULT_LINK_DAYS
from selector.services.vendors.rules import IDENTITY_SHEET
from selector.services.vendors.rules import LINK_NOT_FOUND
from selector.services.vendors.rules import LISTS_SHEET
from selector.services.vendors.rules import MAX_ANSWER
from selector.services.vendors.rules import MAX_DOCUMENTS_PER_ANSWER
from selector.services.vendors.rules import MAX_EXPLANATION
from selector.services.vendors.rules import MAX_LINK_DAYS
from selector.services.vendors.rules import MAX_OPEN_QUESTIONS
from selector.services.vendors.rules import MAX_OVERRIDE_REASON
from selector.services.vendors.rules import MAX_QUESTION
from selector.services.vendors.rules import MAX_REASON
from selector.services.vendors.rules import MAX_VENDOR_DOCUMENTS
from selector.services.vendors.rules import OVERRIDDEN
from selector.services.vendors.rules import PROPOSED
from selector.services.vendors.rules import WITHDRAWN
from selector.services.vendors.rules import AnswerInput
from selector.services.vendors.rules import Costs
from selector.services.vendors.rules import RowAnswer
from selector.services.vendors.rules import Throttled
from selector.services.vendors.rules import VendorInput
from selector.services.vendors.rules import cell_date
from selector.services.vendors.rules import cell_text
from selector.services.vendors.rules import checked_question_text
from selector.services.vendors.rules import checked_vendor
from selector.services.vendors.rules import compute_tco
from selector.services.vendors.rules import key_row
from selector.services.vendors.rules import portal_url
from selector.services.vendors.rules import questionnaire_problem
from selector.services.vendors.rules import require_answers_open
from selector.services.vendors.rules import stored_structured
from selector.services.vendors.rules import vendor_actor
from selector.services.written import written_text

log = logging.getLogger(__name__)

# -- vendors and their costs ----------------------------------------------------------


def _vendor_snapshot(vendor: Vendor) -> dict[str, Any]:
    """The audited fields of a vendor."""
    return {
        "name": vendor.name, "product": vendor.product, "website": vendor.website,
        "contact": vendor.contact, "notes": vendor.notes, "tco": vendor.tco,
        "withdrawn": vendor.withdrawn, **{key: getattr(vendor, key) for key in COST_KEYS},
    }


def _unique_key(session: Session, selection: Selection, name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "vendor"
    taken = set(session.scalars(select(Vendor.key).where(Vendor.selection_id == selection.id)))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def add_vendor(
    session: Session, selection: Selection, actor: Account, given: VendorInput
) -> Vendor:
    """A new vendor; its key is made from the name (unique in the selection)."""
    values = checked_vendor(selection, given)
    vendor = Vendor(
        selection_id=selection.id, key=_unique_key(session, selection, values["name"]),
        **values,
    )
    session.add(vendor)
    session.flush()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
        entity=AuditEntity.VENDOR,
        entity_key=vendor.key, new=_vendor_snapshot(vendor),
    )
    return vendor


def update_vendor(
    session: Session, selection: Selection, actor: Account | None, vendor_id: int,
    given: VendorInput, keep_costs: bool = False, actor_name: str = "",
) -> Vendor:
    """Change a vendor's details; with `keep_costs` (the costs were not shown, so not
    given) the cost breakdown and TCO stay as they are. `actor_name`: the vendor itself,
    giving its costs through the portal."""
    vendor = get_vendor(session, selection, vendor_id)
    if keep_costs:
        given = replace(given, tco=vendor.tco,
                        **{key: getattr(vendor, key) for key in COST_KEYS})
    values = checked_vendor(selection, given)
    if keep_costs:
        values["tco"] = vendor.tco  # as stored, even if tco_years changed meanwhile
    old = _vendor_snapshot(vendor)
    for key, value in values.items():
        setattr(vendor, key, value)
    new = _vendor_snapshot(vendor)
    if new != old:
        audit.record(
            session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
            entity=AuditEntity.VENDOR,
            entity_key=vendor.key, old=old, new=new, actor_name=actor_name,
        )
    session.flush()
    return vendor


def set_withdrawn(
    session: Session, selection: Selection, actor: Account, vendor_id: int, withdrawn: bool,
    reason: str = "",
) -> Vendor:
    """Withdraw a vendor (kept on record, out of the ranking), or bring it back."""
    vendor = get_vendor(session, selection, vendor_id)
    reason = written_text(reason, "reason", MAX_REASON, required=(
        _l("Say why the vendor is withdrawn.") if withdrawn
        else _l("Say why the vendor takes part again.")))
    if vendor.withdrawn == withdrawn:
        raise ServiceError(
            _l("This vendor is withdrawn already.") if withdrawn
            else _l("This vendor takes part already."),
            "reason",
        )
    vendor.withdrawn = withdrawn
    audit.record(
        session, selection_id=selection.id, actor=actor,
        action=AuditAction.WITHDRAW if withdrawn else AuditAction.REINSTATE,
        entity=AuditEntity.VENDOR,
        entity_key=vendor.key, old={"withdrawn": not withdrawn}, new={"withdrawn": withdrawn},
        reason=reason,
    )
    session.flush()
    return vendor


def refresh_tcos(session: Session, selection: Selection, actor: Account | None) -> int:
    """Recompute every breakdown's TCO (after `tco_years` changed); returns how many
    changed. For whoever changes the selection's settings."""
    changed = 0
    for vendor in vendors_of(session, selection):
        costs = [getattr(vendor, key) for key in COST_KEYS]
        if any(value is None for value in costs):
            continue
        tco = compute_tco(vendor.implementation, vendor.licence_per_year,
                          vendor.hosting_support_per_year, selection.tco_years)
        tco = tco if tco > 0 else None
        if tco != vendor.tco:
            audit.record(
                session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                entity=AuditEntity.VENDOR, entity_key=vendor.key, old={"tco": vendor.tco},
                new={"tco": tco}, reason=f"tco_years = {selection.tco_years}",
            )
            vendor.tco = tco
            changed += 1
    session.flush()
    return changed


# -- portal links ---------------------------------------------------------------------


# The "address" column of login_attempts holds the client; this word stands in the
# e-mail column for failed portal lookups, which name no account.
PORTAL_LOOKUP = logins.PORTAL_LOOKUP


@dataclass(frozen=True)
class IssuedLink:
    """A new link with its token, which exists only in this answer."""

    link: PortalLink
    vendor: Vendor
    token: str

    def url(self, base: str | None = None) -> str:
        return portal_url(self.token, base)


def _token_hash(token: str) -> str:
    return logins.token_hash(token)


def issue_link(session: Session, selection: Selection, actor: Account | None, vendor_id: int,
               days: int = DEFAULT_LINK_DAYS) -> IssuedLink:
    """A new personal link for the vendor, valid `days` days; its earlier link stops
    working. `actor` None: the console."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_LINK_DAYS:
        raise ServiceError(_l("A link is valid for 1 to %(max)d days.", max=MAX_LINK_DAYS),
                           "days")
    vendor = get_vendor(session, selection, vendor_id)
    if vendor.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: it gets no portal link."),
                           "vendor")
    now = utcnow()
    ended = session.execute(
        update(PortalLink)
        .where(PortalLink.vendor_id == vendor.id, PortalLink.ended_at.is_(None))
        .values(ended_at=now)
    ).rowcount
    token = secrets.token_urlsafe(32)
    link = PortalLink(selection_id=selection.id, vendor_id=vendor.id,
                      token_hash=_token_hash(token), created_at=now,
                      expires_at=now + timedelta(days=days),
                      created_by_id=actor.id if actor is not None else None)
    session.add(link)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.ISSUE,
                 entity=AuditEntity.PORTAL_LINK, entity_key=vendor.key,
                 new={"days": days, "expires_at": link.expires_at.isoformat(),
                      "ended_earlier_links": ended})
    return IssuedLink(link, vendor, token)


@dataclass(frozen=True)
class Portal:
    """Who a working link lets in: one vendor of one selection, nothing else."""

    link: PortalLink
    selection: Selection
    vendor: Vendor

    @property
    def actor(self) -> str:
        return vendor_actor(self.vendor)


def open_portal(session: Session, token: str, address: str,
                now: datetime | None = None) -> Portal:
    """The vendor and selection behind a link's token. Raises Throttled (nothing checked,
    nothing counted) or NotFound (recorded and committed as a failed lookup)."""
    wait = logins.address_wait(session, address)
    if wait:
        log.warning("portal lookup from %s refused: wait %d s", address, wait)
        raise Throttled(wait)
    now = now or utcnow()
    found = None
    if token and len(token) <= 200 and token.isascii():
        digest = _token_hash(token)
        found = session.execute(
            select(PortalLink, Selection, Vendor)
            .join(Selection, Selection.id == PortalLink.selection_id)
            .join(Vendor, Vendor.id == PortalLink.vendor_id)
            .where(PortalLink.token_hash == digest, PortalLink.ended_at.is_(None),
                   PortalLink.expires_at > now, Vendor.withdrawn.is_(False))
        ).first()
        if found is not None and not hmac.compare_digest(found[0].token_hash, digest):
            found = None  # (the database compared already; this costs nothing)
    if found is None:
        logins.record_attempt(session, PORTAL_LOOKUP, address, succeeded=False)
        session.commit()
        log.warning("portal lookup from %s failed", address)
        raise NotFound(LINK_NOT_FOUND)
    link, selection, vendor = found
    if link.first_used_at is None:
        link.first_used_at = now
        audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.USE,
                     entity=AuditEntity.PORTAL_LINK, entity_key=vendor.key,
                     actor_name=vendor_actor(vendor))
    link.last_used_at = now
    session.flush()
    log.info("portal link of vendor %s (selection %s) used from %s", vendor.key,
             selection.id, address)
    return Portal(link, selection, vendor)


# -- questions and their published answers --------------------------------------------


def ask_question(session: Session, selection: Selection, vendor: Vendor, question: str, *,
                 actor_name: str = "", now: datetime | None = None) -> VendorQuestion:
    """A vendor's question, until the deadline for the answers passes."""
    now = now or utcnow()
    if selection.answers_deadline is not None and now >= selection.answers_deadline:
        raise ServiceError(_l("The deadline has passed: no more questions can be asked."),
                           "question")
    text = checked_question_text(question, "question", MAX_QUESTION, _l("Write your question."))
    waiting = session.scalars(select(VendorQuestion.id).where(
        VendorQuestion.vendor_id == vendor.id, VendorQuestion.published_at.is_(None))).all()
    if len(waiting) >= MAX_OPEN_QUESTIONS:
        raise ServiceError(_l("You have %(count)d questions waiting for an answer; wait for "
                              "those first.", count=MAX_OPEN_QUESTIONS), "question")
    asked = VendorQuestion(selection_id=selection.id, vendor_id=vendor.id, question=text,
                           asked_at=now, answer="")
    session.add(asked)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.CREATE,
                 entity=AuditEntity.VENDOR_QUESTION, entity_key=f"#{asked.id}",
                 new={"question": text}, actor_name=actor_name)
    return asked


def publish_answer(session: Session, selection: Selection, actor: Account | None,
                   question_id: int, answer: str, question: str | None = None
                   ) -> VendorQuestion:
    """The facilitator's answer, published to every vendor at once. `question` may word
    the question anew (to take out what would name the asker); a published answer may be
    corrected, and is then published again."""
    asked = session.scalar(select(VendorQuestion).where(
        VendorQuestion.id == question_id, VendorQuestion.selection_id == selection.id))
    if asked is None:
        raise NotFound(_l("There is no such question in this selection."))
    text = checked_question_text(answer, "answer", MAX_ANSWER, _l("Write the answer."))
    wording = (asked.question if question is None else
               checked_question_text(question, "question", MAX_QUESTION,
                                     _l("Write the question.")))
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


# -- answers to the questionnaire -----------------------------------------------------


@dataclass(frozen=True)
class CheckedAnswer:
    compliance: str
    explanation: str
    planned_on: date | None
    structured: str | None  # JSON as stored


def checked_answer(requirement: Requirement, given: AnswerInput, today: date) -> CheckedAnswer:
    """The answer as stored, or a ServiceError naming the field."""
    compliance = given.compliance if given.compliance in answer_rules.COMPLIANCES else None
    if compliance is None:
        raise ServiceError(_l("Choose yes, partly, no, planned or via a third party."),
                           "compliance")
    explanation = (given.explanation or "").strip()
    if answer_rules.explanation_required(compliance) and not explanation:
        raise ServiceError(_l("Explain your answer: an explanation is required unless the "
                              "answer is yes."), "explanation")
    problem = limits.text_problem(explanation, MAX_EXPLANATION)
    if problem is not None:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=MAX_EXPLANATION)
            if problem.reason == "too_long" else _l("This text holds characters that cannot "
                                                    "be stored."), "explanation")
    planned_on = None
    if compliance == answer_rules.PLANNED:
        if not isinstance(given.planned_on, date):
            raise ServiceError(_l("Give the date by which it is planned."), "planned_on")
        planned_on = (given.planned_on.date() if isinstance(given.planned_on, datetime)
                      else given.planned_on)
        if planned_on < today:
            raise ServiceError(_l("The planned date has passed; give a date from today on."),
                               "planned_on")
    structured = None
    if given.structured is not None:
        question, _required = it_question(requirement)
        if question is None:
            raise ServiceError(_l("This requirement asks for no structured answer."),
                               "structured")
        value = clean_it_answer(StructuredItem(question.area, question.key, given.structured,
                                               field="structured"))
        structured = json.dumps({"item": question.key, "value": value}, ensure_ascii=False,
                                sort_keys=True)
    return CheckedAnswer(compliance, explanation, planned_on, structured)


def _answer_snapshot(answer: VendorAnswer | CheckedAnswer) -> dict[str, Any]:
    return {"compliance": answer.compliance, "explanation": answer.explanation,
            "planned_on": answer.planned_on.isoformat() if answer.planned_on else None,
            "structured": json.loads(answer.structured) if answer.structured else None}


def _requirement(session: Session, selection: Selection, requirement_id: int) -> Requirement:
    requirement = session.scalar(select(Requirement).where(
        Requirement.id == requirement_id, Requirement.selection_id == selection.id,
        Requirement.is_active))
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this questionnaire."))
    return requirement


def _store(session: Session, selection: Selection, vendor: Vendor, requirement: Requirement,
           checked: CheckedAnswer, stored: VendorAnswer | None, actor: Account | None,
           actor_name: str, now: datetime) -> VendorAnswer:
    """Write one checked answer (audited) and bring its proposed verdict in line."""
    key = f"{vendor.key} · {requirement.code}"
    new = _answer_snapshot(checked)
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
        old = _answer_snapshot(stored)
        if old == new:
            return stored
        stored.compliance, stored.explanation = checked.compliance, checked.explanation
        stored.planned_on, stored.structured = checked.planned_on, checked.structured
        stored.version, stored.updated_at = stored.version + 1, now
        audit.record(session, selection_id=selection.id, actor=actor,
                     action=AuditAction.UPDATE, entity=AuditEntity.ANSWER, entity_key=key,
                     old=old, new=new, actor_name=actor_name)
    session.flush()
    refresh_proposal(session, selection, vendor, requirement, stored, actor_name=actor_name)
    return stored


def save_answer(session: Session, selection: Selection, vendor: Vendor, requirement_id: int,
                given: AnswerInput, version: int | None, *, actor_name: str = "",
                now: datetime | None = None) -> VendorAnswer:
    """Save (or change) the vendor's answer to one requirement. `version` is the answer's
    version the form showed (None: it showed none); a stale one is a Conflict."""
    now = now or utcnow()
    require_answers_open(selection, vendor, now)
    requirement = _requirement(session, selection, requirement_id)
    checked = checked_answer(requirement, given, now.date())
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
    require_answers_open(selection, vendor, now)
    by_code = {r.code: r for r in active_requirements(session, selection)}
    stored = {a.requirement_id: a for a in session.scalars(
        select(VendorAnswer).where(VendorAnswer.vendor_id == vendor.id))}
    result = ImportedAnswers(problems=list(problems or []))
    planned: list[tuple[Requirement, CheckedAnswer]] = []
    for row in rows:
        requirement = by_code.get(row.code)
        if requirement is None:
            result.problems.append(str(_l("row %(row)d: %(code)s is not a requirement of this "
                                          "questionnaire", row=row.row, code=row.code)))
            continue
        try:
            planned.append((requirement, checked_answer(requirement, row.given, now.date())))
        except ServiceError as refused:
            result.problems.append(str(_l("row %(row)d (%(code)s): %(message)s", row=row.row,
                                          code=row.code, message=refused.message)))
    if result.problems:
        return result
    for requirement, checked in planned:
        before = stored.get(requirement.id)
        old = _answer_snapshot(before) if before is not None else None
        _store(session, selection, vendor, requirement, checked, before, actor, actor_name, now)
        if old is None:
            result.created += 1
        elif old != _answer_snapshot(checked):
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def add_document(session: Session, selection: Selection, vendor: Vendor, requirement_id: int,
                 upload: verdicts.Upload, *, actor_name: str = "",
                 now: datetime | None = None) -> Attachment:
    """A document (PDF, PNG or JPEG, checked by its content and size as verdict documents
    are) as evidence for an answer given already."""
    require_answers_open(selection, vendor, now)
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
    require_answers_open(selection, vendor, now)
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
    # The link first: the two rows have no ORM relationship, so in one flush the
    # attachment could go first and take the link with it (ON DELETE CASCADE), leaving
    # the link's own DELETE nothing to match.
    session.delete(document)
    session.flush()
    session.delete(attachment)  # its file stays until a backup's restore skips it
    session.flush()


def save_costs(session: Session, selection: Selection, vendor: Vendor, costs: Costs, *,
               actor_name: str = "", now: datetime | None = None) -> Vendor:
    """The vendor's own cost lines, checked and its TCO computed as for any vendor."""
    require_answers_open(selection, vendor, now)
    given = VendorInput(
        name=vendor.name, product=vendor.product, website=vendor.website,
        contact=vendor.contact, notes=vendor.notes)
    given = replace(given, **{key: getattr(costs, key) for key in COST_KEYS})
    if all(getattr(costs, key) is None for key in COST_KEYS):
        raise ServiceError(_l("Fill in all four cost fields."), "licence_per_year")
    return update_vendor(session, selection, None, vendor.id, given, actor_name=actor_name)


def submit_answers(session: Session, selection: Selection, vendor: Vendor, *,
                   actor_name: str = "", now: datetime | None = None) -> None:
    """The vendor is done: every requirement answered, the answers locked."""
    now = now or utcnow()
    require_answers_open(selection, vendor, now)
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


def reopen_answers(session: Session, selection: Selection, actor: Account | None,
                   vendor_id: int, reason: str) -> Vendor:
    """The facilitator opens a vendor's submitted answers again, saying why. (After the
    deadline the vendor can change them only once the deadline is moved as well.)"""
    vendor = get_vendor(session, selection, vendor_id)
    reason = written_text(reason, "reason", limits.REASON_LENGTH,
                          required=_l("Say why the vendor's answers are reopened."))
    if vendor.answers_submitted_at is None:
        raise ServiceError(_l("This vendor has not submitted its answers."), "reason")
    old = vendor.answers_submitted_at.isoformat()
    vendor.answers_submitted_at = None
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.REOPEN,
                 entity=AuditEntity.ANSWER, entity_key=vendor.key,
                 old={"submitted_at": old}, new={"submitted_at": None}, reason=reason)
    session.flush()
    return vendor


def set_answers_schedule(session: Session, selection: Selection, actor: Account | None,
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


# -- verdict proposals ----------------------------------------------------------------


def proposed_evidence(selection: Selection, requirement: Requirement,
                      answer: VendorAnswer | None) -> str | None:
    """The evidence of the failed verdict this answer proposes on an active knock-out,
    or None when it proposes none."""
    if answer is None or not requirement.is_active_knockout:
        return None
    language = selection.language
    required = structured_of(requirement) or {}
    question = QUESTIONS.get(required.get("item", ""))
    offered = (stored_structured(answer.structured) or {}).get("value")
    if question is not None and offered is not None:
        try:
            wanted = check_answer(question, required.get("value"))
            offered = check_answer(question, offered)
        except AnswerRefused:  # stored before a catalogue change: a person judges
            wanted = None
        if wanted is not None and answer_rules.falls_short(question.key, wanted, offered):
            return answer_rules.evidence(answer.compliance, answer.explanation, language,
                                         answer_words(question, offered, language),
                                         answer_words(question, wanted, language))
    if answer.compliance == answer_rules.NO:
        return answer_rules.evidence(answer.compliance, answer.explanation, language)
    return None


def refresh_proposal(session: Session, selection: Selection, vendor: Vendor,
                     requirement: Requirement, answer: VendorAnswer | None,
                     actor_name: str = "") -> VerdictProposal | None:
    """Bring the proposal on (vendor, knock-out) in line with the answer now stored."""
    evidence = proposed_evidence(selection, requirement, answer)
    proposal = session.scalar(select(VerdictProposal).where(
        VerdictProposal.vendor_id == vendor.id,
        VerdictProposal.requirement_id == requirement.id))
    key = f"{vendor.key} · {requirement.code}"
    if evidence is None:
        if proposal is not None and proposal.state == PROPOSED:
            proposal.state = WITHDRAWN
            audit.record(session, selection_id=selection.id, actor=None,
                         action=AuditAction.WITHDRAW, entity=AuditEntity.VERDICT_PROPOSAL,
                         entity_key=key, old={"state": PROPOSED}, new={"state": WITHDRAWN},
                         actor_name=actor_name)
        return proposal
    if proposal is None:
        proposal = VerdictProposal(selection_id=selection.id, vendor_id=vendor.id,
                                   requirement_id=requirement.id, evidence=evidence,
                                   state=PROPOSED, proposed_at=utcnow())
        session.add(proposal)
        audit.record(session, selection_id=selection.id, actor=None,
                     action=AuditAction.CREATE, entity=AuditEntity.VERDICT_PROPOSAL,
                     entity_key=key, new={"state": PROPOSED, "evidence": evidence},
                     actor_name=actor_name)
    elif proposal.state == WITHDRAWN or proposal.evidence != evidence:
        old = {"state": proposal.state, "evidence": proposal.evidence}
        proposal.state, proposal.evidence, proposal.proposed_at = PROPOSED, evidence, utcnow()
        proposal.decided_by_id = proposal.decided_at = None
        proposal.reason = ""
        audit.record(session, selection_id=selection.id, actor=None,
                     action=AuditAction.UPDATE, entity=AuditEntity.VERDICT_PROPOSAL,
                     entity_key=key, old=old, new={"state": PROPOSED, "evidence": evidence},
                     actor_name=actor_name)
    session.flush()
    return proposal


def _open_proposal(session: Session, selection: Selection, membership: Membership,
                   proposal_id: int) -> tuple[VerdictProposal, Vendor, Requirement]:
    found = proposals_of(session, selection)
    match = next((p for p in found or [] if p.proposal.id == proposal_id), None)
    if match is None:
        raise NotFound(_l("There is no such proposed verdict in this selection."))
    if not verdicts.may_record(membership, match.requirement):
        raise ServiceError(_l("Only the facilitator and the members of the knock-out's owner "
                              "group decide on its proposed verdicts."))
    return match.proposal, match.vendor, match.requirement


def confirm_proposal(session: Session, selection: Selection, membership: Membership,
                     actor: Account, proposal_id: int) -> verdicts.SavedVerdict:
    """The owner group agrees: the proposal becomes the failed verdict, with the answer
    as its evidence (the verdict service records and audits it, in its phases only)."""
    proposal, vendor, requirement = _open_proposal(session, selection, membership, proposal_id)
    version = session.scalar(select(Verdict.version).where(
        Verdict.vendor_id == vendor.id, Verdict.requirement_id == requirement.id))
    saved = verdicts.record_verdict(
        session, selection, membership, actor, vendor_id=vendor.id,
        requirement_id=requirement.id, passed=False, evidence=proposal.evidence,
        version=version)
    proposal.state, proposal.decided_by_id, proposal.decided_at = CONFIRMED, actor.id, utcnow()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.CONFIRM,
                 entity=AuditEntity.VERDICT_PROPOSAL, entity_key=f"{vendor.key} · "
                 f"{requirement.code}", old={"state": PROPOSED}, new={"state": CONFIRMED})
    session.flush()
    return saved


def override_proposal(session: Session, selection: Selection, membership: Membership,
                      actor: Account, proposal_id: int, reason: str) -> VerdictProposal:
    """The owner group disagrees, with a reason: no verdict is recorded."""
    reason = written_text(reason, "reason", MAX_OVERRIDE_REASON, required=_l(
        "Say why the answer does not make the vendor fail this knock-out."))
    proposal, vendor, requirement = _open_proposal(session, selection, membership, proposal_id)
    proposal.state, proposal.reason = OVERRIDDEN, reason
    proposal.decided_by_id, proposal.decided_at = actor.id, utcnow()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.OVERRIDE,
                 entity=AuditEntity.VERDICT_PROPOSAL,
                 entity_key=f"{vendor.key} · {requirement.code}", old={"state": PROPOSED},
                 new={"state": OVERRIDDEN}, reason=reason)
    session.flush()
    return proposal


# -- the questionnaire workbook -------------------------------------------------------


@dataclass(frozen=True)
class ReturnedQuestionnaire:
    """What a returned questionnaire gave."""

    created: int
    updated: int
    unchanged: int


def import_questionnaire(session: Session, selection: Selection, vendor: Vendor,
                         sheets: list[Sheet], *, actor: Account | None = None,
                         actor_name: str = "") -> ReturnedQuestionnaire:
    """Write a returned questionnaire's answers (read by `read_questionnaire`): all rows
    or none. Raises SpreadsheetError with every problem found."""
    problem = questionnaire_problem(sheets, selection, vendor)
    if problem is not None:
        raise SpreadsheetError([problem])
    main = next((s for s in sheets if s.name not in (IDENTITY_SHEET, LISTS_SHEET)), None)
    found = key_row(main) if main is not None else None
    if found is None:
        raise SpreadsheetError([_l("The questionnaire has no row with the keys code, "
                                   "compliance and explanation; fill in the sheet you were "
                                   "sent without changing its rows above the answers.")])
    keys_at, columns = found
    problems: list[Any] = []
    rows: list[RowAnswer] = []
    seen: dict[str, int] = {}

    def cell(cells: tuple[Any, ...], key: str) -> Any:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in main.rows:
        if number <= keys_at:
            continue
        uncomputed = [c for c in cells if isinstance(c, Uncomputed)]
        if uncomputed:
            problems.append(_l("row %(row)d: the formula in %(cell)s has no value; type the "
                               "text itself", row=number, cell=uncomputed[0].cell))
            continue
        code = cell_text(cell(cells, "code"))
        code = (code or "").strip()
        compliance, explanation = cell(cells, "compliance"), cell_text(cell(cells, "explanation"))
        planned = cell_date(cell(cells, "planned_date"))
        if compliance in (None, "") and not explanation and planned is None:
            continue  # not answered (yet)
        if not code:
            problems.append(_l("row %(row)d: an answer without a requirement code",
                               row=number))
            continue
        if code in seen:
            problems.append(_l("row %(row)d: %(code)s is answered on row %(first)d already",
                               row=number, code=code, first=seen[code]))
            continue
        seen[code] = number
        if explanation is None:
            problems.append(_l("row %(row)d (%(code)s): the explanation must be text, not a "
                               "date", row=number, code=code))
            continue
        if isinstance(planned, str):
            problems.append(_l("row %(row)d (%(code)s): %(message)s", row=number, code=code,
                               message=planned))
            continue
        key = answer_rules.compliance_from_text(compliance)
        given_compliance = key or (cell_text(compliance) or "").strip()
        rows.append(RowAnswer(number, code, AnswerInput(given_compliance, explanation, planned)))
    result = import_answers(session, selection, vendor, rows, actor=actor,
                            actor_name=actor_name, problems=problems)
    if result.problems:
        raise SpreadsheetError(result.problems)
    return ReturnedQuestionnaire(result.created, result.updated, result.unchanged)
