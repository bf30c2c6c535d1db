"""IT management's structured requirements: hosting and hardware, standards, browsers,
back-up and recovery (the four areas the source texts name). The questions, their
answers' rules and the generated texts live in one catalogue,
`selector.domain.it_catalogue`; this module stores the answers.

IT answers a short form; each answer becomes one requirement (decisions.md: one per
browser row; one each for RPO, RTO, retention and restore tests) in the right IT
category, with the priority IT chooses (default should) and optionally as a knock-out
with its rationale. The answer itself is kept in `Requirement.structured` as
`{"area", "item", "slot", "value"}`, so the report can draw a clean table from it and
the form can be filled in again. Saving the form again updates the requirements made
before (matched by `slot`); an answer left empty changes nothing.

The generated text follows the selection's language, like library items. The answers
travel in the selection file as `it_answers` (docs/formats.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.it_catalogue import (
    AREA,
    AREAS,
    QUESTIONS,
    AnswerRefused,
    Question,
    check_answer,
    generate,
)
from selector.i18n import _l
from selector.models import Account, Category, Requirement, Selection
from selector.models.selection import PRIORITIES
from selector.services import requirements as requirement_service
from selector.services.categories import ensure_seed_category
from selector.services.errors import Conflict, ServiceError
from selector.services.quality_flags import refresh_quality


def question_of(area: str, item: str) -> Question | None:
    """The catalogue's question `item`, when it belongs to `area`."""
    question = QUESTIONS.get(item)
    return question if question is not None and question.area == area else None


@dataclass
class StructuredItem:
    """One structured answer: what IT asks for, how important, and whether a knock-out."""

    area: str
    item: str
    value: dict[str, Any]
    priority: str = "should"
    knockout: bool = False
    knockout_rationale: str = ""
    version: int | None = None  # the version the form showed, for an existing requirement
    field: str = ""  # the form's prefix of this answer's fields (errors: `<field>-<part>`)

    def where(self, part: str = "") -> str:
        """The field an error belongs beside: the part's (default: the first part's) when
        a form gave its prefix, else the slot."""
        question = question_of(self.area, self.item)
        if not self.field:
            return self.slot
        return f"{self.field}-{part or (question.parts[0].key if question else '')}"

    @property
    def slot(self) -> str:
        """What makes this answer unique in a selection (one requirement per slot)."""
        question = question_of(self.area, self.item)
        if question is None:
            return f"{self.area}.{self.item}"
        shown = {p.key: (self.value or {}).get(p.key) for p in question.parts}
        return question.slot.format(area=self.area, key=self.item, **shown)


@dataclass
class SaveResult:
    created: list[Requirement] = field(default_factory=list)
    updated: list[Requirement] = field(default_factory=list)
    unchanged: int = 0


# -- validation -------------------------------------------------------------------------


def _message(refused: AnswerRefused):
    """The catalogue's refusal, worded for the person at the form."""
    if refused.reason in ("none_chosen", "not_list"):
        return _l("Choose at least one option.")
    if refused.reason in ("empty", "missing", "not_text"):
        return _l("This field is required.")
    if refused.reason == "too_long":
        return _l("This can have at most %(count)d characters.", count=refused.maximum)
    if refused.reason == "not_number":
        return _l("Enter a number.")
    if refused.reason == "out_of_range":
        return _l("Enter a number above 0 and at most %(max)d.", max=refused.maximum)
    if refused.reason == "not_whole":
        return _l("Enter a whole number.")
    return _l("Choose one of the offered options.")


def clean_value(item: StructuredItem) -> dict[str, Any]:
    """The answer checked and normalised; ServiceError naming the item's field."""
    question = question_of(item.area, item.item)
    if question is None:
        raise ServiceError(_l("Choose one of the offered options."), item.where())
    try:
        return check_answer(question, item.value)
    except AnswerRefused as refused:
        raise ServiceError(_message(refused), item.where(refused.part)) from None


# -- reading and saving -----------------------------------------------------------------


def current_answers(session: Session, selection_id: int) -> dict[str, tuple[Requirement, dict]]:
    """Slot -> (requirement, its structured answer) for this selection's IT answers."""
    found = {}
    for requirement in session.scalars(
        select(Requirement).where(Requirement.selection_id == selection_id,
                                  Requirement.structured.is_not(None))
        .order_by(Requirement.id)
    ):
        answer = requirement_service.structured_of(requirement)
        if answer and answer.get("slot"):
            found[answer["slot"]] = (requirement, answer)
    return found


def save_answers(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    items: list[StructuredItem],
    *,
    reason: str = "",
) -> SaveResult:
    """Turn IT's answers into requirements (new ones proposed, earlier ones updated);
    all or none."""
    requirement_service.check_writer(role)
    result = SaveResult()
    seen: set[str] = set()
    existing = current_answers(session, selection.id)
    categories = {c.key: c for c in session.scalars(
        select(Category).where(Category.selection_id == selection.id))}
    codes = requirement_service.CodeAllocator(session, selection.id)
    # A savepoint: a refusal half-way leaves nothing behind, also for the page that
    # shows the refusal in the same transaction.
    with session.begin_nested():
        for given in items:
            value = clean_value(given)
            item = StructuredItem(given.area, given.item, value, given.priority, given.knockout,
                                  given.knockout_rationale, given.version, given.field)
            slot, where = item.slot, item.where()
            if slot in seen:
                raise ServiceError(_l("This answer is given twice."), where)
            seen.add(slot)
            if item.priority not in PRIORITIES:
                raise ServiceError(_l("Choose one of the offered options."), where)
            if item.knockout and not item.knockout_rationale.strip():
                raise ServiceError(
                    _l("A knock-out needs its rationale: why must a vendor that fails it drop "
                       "out?"), where)
            answer = {"area": item.area, "item": item.item, "slot": slot, "value": value}
            question = QUESTIONS[item.item]
            generated = generate(question, value, selection.language)
            key = AREA[item.area].category
            category = categories.get(key)
            if category is None:
                category = ensure_seed_category(session, selection, actor, key)
                categories[key] = category
            previous = existing.get(slot)
            if previous is not None:
                requirement, old_answer = previous
                if item.version is not None and item.version != requirement.version:
                    raise Conflict(_l(
                        "Someone else changed this requirement while you were editing it (it is "
                        "now at version %(version)d). Reload it to see their change, then make "
                        "yours again.", version=requirement.version), where)
                if (old_answer.get("value") == value and requirement.priority == item.priority
                        and requirement.knockout == item.knockout
                        and (requirement.knockout_rationale == item.knockout_rationale.strip()
                             or not item.knockout)):
                    result.unchanged += 1
                    continue
                values = requirement_service.RequirementFields.of(requirement)
                if old_answer.get("value") != value:  # new answer, new text
                    values.title = generated["title"]
                    values.description = generated["description"]
                    values.verification_criterion = generated["verification_criterion"]
                values.priority = item.priority
                values.knockout = item.knockout
                values.knockout_rationale = item.knockout_rationale
                requirement_service.update_requirement(
                    session, requirement, actor, role, values, expected_version=None,
                    reason=reason, structured=answer)
                result.updated.append(requirement)
                continue
            values = requirement_service.RequirementFields(
                category_id=category.id,
                title=generated["title"],
                description=generated["description"],
                rationale=generated["rationale"],
                intent="achieve",
                verification=question.verification,
                verification_criterion=generated["verification_criterion"],
                priority=item.priority,
                knockout=item.knockout,
                knockout_rationale=item.knockout_rationale,
                owner_group="it",
            )
            result.created.append(
                requirement_service.create_requirement(
                    session, selection, actor, role, values, structured=answer, codes=codes,
                    reason=reason, refresh=False)
            )
    if result.created:
        refresh_quality(session, selection.id, result.created)
    return result


def stored_answer(item: str, value: dict[str, Any]) -> str:
    """`Requirement.structured` for a checked answer to question `item` (as the
    requirements service writes it)."""
    question = QUESTIONS[item]
    answer = {"area": question.area, "item": item, "slot": question.slot_of(value),
              "value": value}
    return json.dumps(answer, ensure_ascii=False, sort_keys=True)


def file_answers(requirements: list[Requirement]) -> list[dict[str, Any]]:
    """The selection file's `it_answers` of these requirements, by code."""
    found = []
    for requirement in requirements:
        answer = requirement_service.structured_of(requirement)
        if answer and answer.get("item") in QUESTIONS:
            found.append({"requirement": requirement.code, "item": answer["item"],
                          "value": answer.get("value") or {}})
    return sorted(found, key=lambda a: a["requirement"])


def answer_table(session: Session, selection_id: int) -> dict[str, list[dict[str, Any]]]:
    """The structured answers per area, for the report's table and the form: each with
    the requirement's code, title, priority, knock-out and status."""
    table: dict[str, list[dict[str, Any]]] = {area.key: [] for area in AREAS}
    for slot, (requirement, answer) in sorted(current_answers(session, selection_id).items()):
        area = answer.get("area")
        if area not in table:
            continue
        table[area].append({
            "slot": slot, "item": answer.get("item"), "value": answer.get("value") or {},
            "code": requirement.code, "title": requirement.title,
            "priority": requirement.priority, "knockout": requirement.knockout,
            "knockout_rationale": requirement.knockout_rationale,
            "status": requirement.status, "version": requirement.version,
            "id": requirement.id,
        })
    return table
