"""The requirements area's rules: checks and decisions that need no database.

Pure functions on values and dataclasses. A rule that needs a selection, a requirement
or a category takes the model object as an argument (typed `Any`: this module imports
neither SQLAlchemy nor the models) and only reads its attributes. `writes` applies the
rules before it changes a row; the forms, the spreadsheet and file imports and the
vendor portal ask them too.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from typing import Any

from selector.domain import limits
from selector.domain import quality
from selector.domain.it_catalogue import QUESTIONS
from selector.domain.it_catalogue import AnswerRefused
from selector.domain.it_catalogue import Question
from selector.domain.it_catalogue import check_answer
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import INTENTS
from selector.domain.vocabulary import PRIORITIES
from selector.domain.vocabulary import VERIFICATIONS
from selector.domain.vocabulary import WRITERS
from selector.i18n import _l
from selector.services.errors import ServiceError
from selector.services.written import written_text

# -- a requirement's fields ---------------------------------------------------------


WEIGHT_FIELDS = frozenset({"priority", "weight", "weight_reason"})
MAX_WEIGHT = 1000.0
# The same limits as `selector import` (docs/formats.md, "Limits").
LIMITS = {**limits.LENGTHS["requirement"], "reason": limits.REASON_LENGTH}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
# Text may hold tabs and new lines, never other control characters (they cannot be
# written to a spreadsheet, and nobody types them on purpose).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RequirementFields:
    """Everything a member writes in a requirement (the selection file's fields)."""

    category_id: int | None
    title: str
    code: str = ""  # empty: suggested from the category (BUS-SAL-03)
    description: str = ""
    rationale: str = ""
    intent: str = "achieve"
    verification: str = "demo"
    verification_criterion: str = ""
    priority: str = "should"
    weight: float | None = None
    weight_reason: str = ""
    knockout: bool = False
    knockout_rationale: str = ""
    owner_group: str = ""  # empty: the category's domain

    @classmethod
    def of(cls, requirement: Any) -> RequirementFields:
        return cls(**{f.name: getattr(requirement, f.name) for f in fields(cls)})


# Field order in audit entries and change lists.
FIELD_ORDER = tuple(f.name for f in fields(RequirementFields))


def structured_of(requirement: Any) -> dict[str, Any] | None:
    """A requirement's structured IT answer (`Requirement.structured`), parsed; None when
    it has none."""
    if not requirement.structured:
        return None
    try:
        value = json.loads(requirement.structured)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# -- checking what a member writes --------------------------------------------------


def clean_text(value: Any, name: str, *, required: bool = False, single_line: bool = False) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    if _CONTROL.search(text):
        raise ServiceError(_l("This text holds control characters; remove them."), name)
    if required and not text:
        message = {
            "title": _l("Give the requirement a title."),
            "knockout_rationale": _l(
                "A knock-out needs its rationale: why must a vendor that fails it drop out?"),
            "reason": _l("Give a reason."),
        }.get(name, _l("This field is required."))
        raise ServiceError(message, name)
    limit = LIMITS.get(name)
    if limit and len(text) > limit:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=limit), name)
    return text


def clean_choice(value: str, allowed: Sequence[str], name: str) -> str:
    value = (value or "").strip().lower()
    if value not in allowed:
        raise ServiceError(
            _l("Choose one of: %(values)s.", values=", ".join(allowed)), name)
    return value


def _weight(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ServiceError(_l("The weight is a number of 0 or more."), "weight")
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise ServiceError(_l("The weight is a number of 0 or more."), "weight") from None
    if not math.isfinite(weight) or weight < 0 or weight > MAX_WEIGHT:
        raise ServiceError(
            _l("The weight is a number from 0 to %(max)d.", max=int(MAX_WEIGHT)), "weight")
    return weight


def checked_fields(values: RequirementFields, category: Any) -> RequirementFields:
    """`values` checked and normalised for a requirement in `category` (a Category of
    the selection). Raises ServiceError naming the first field that is wrong."""
    title = clean_text(values.title, "title", required=True, single_line=True)
    code = clean_text(values.code, "code", single_line=True)
    knockout = bool(values.knockout)
    knockout_rationale = clean_text(values.knockout_rationale, "knockout_rationale",
                                    required=knockout)
    owner_group = (values.owner_group or "").strip().lower() or category.domain
    return RequirementFields(
        category_id=category.id,
        title=title,
        code=code,
        description=clean_text(values.description, "description"),
        rationale=clean_text(values.rationale, "rationale"),
        intent=clean_choice(values.intent, INTENTS, "intent"),
        verification=clean_choice(values.verification, VERIFICATIONS, "verification"),
        verification_criterion=clean_text(values.verification_criterion,
                                          "verification_criterion"),
        priority=clean_choice(values.priority, PRIORITIES, "priority"),
        weight=_weight(values.weight),
        weight_reason=clean_text(values.weight_reason, "weight_reason"),
        knockout=knockout,
        knockout_rationale=knockout_rationale,
        owner_group=clean_choice(owner_group, DOMAINS, "owner_group"),
    )


def check_code_format(code: str) -> None:
    if not _CODE.match(code):
        raise ServiceError(
            _l("A code has letters, digits and '-', '_', '.', '/' only, and starts with a "
               "letter or digit."), "code")


# -- who may do what ----------------------------------------------------------------


def may_change(selection: Any, role: str) -> bool:
    """May a member with `role` propose or edit requirements now? Once scoring has opened
    the requirements are frozen: only the facilitator changes them, with a reason."""
    if role not in WRITERS:
        return False
    return role == "facilitator" or not selection.scoring_started


def may_decide(selection: Any, role: str, owner_group: str) -> bool:
    """May a member with `role` accept, reject or defer a requirement of `owner_group`?"""
    if role == "facilitator":
        return True
    if selection.scoring_started:
        return False
    return bool(selection.owner_groups_decide) and role == owner_group


def check_writer(role: str) -> None:
    if role not in WRITERS:
        raise ServiceError(
            _l("Only the facilitator and business and IT members can change requirements."))


def check_freeze(selection: Any, role: str, reason: str, changed: Iterable[str]) -> None:
    """Refuse a change of frozen fields unless the facilitator gives a reason."""
    changed = set(changed)
    if not changed:
        return
    if selection.scoring_started:  # the requirements are frozen
        if not may_change(selection, role):
            raise ServiceError(_l(
                "Scoring has opened, so the requirements are frozen: only the facilitator "
                "can still change them, with a reason."))
        if not reason:
            raise ServiceError(_l(
                "Scoring has opened, so the requirements are frozen: say why this change "
                "is needed."), "reason")
    if selection.weights_frozen and changed & WEIGHT_FIELDS:
        # Frozen weights are read-only (issue 6), for the facilitator too: reopening the
        # weights (in the weighting phase) is the one way back, and it is audited.
        raise ServiceError(_l(
            "The weights are frozen, and with them priorities and explicit weights: "
            "reopen the weights in the weighting phase to change them."), "priority")


# -- categories ---------------------------------------------------------------------


MAX_CATEGORY_NAME = limits.max_length("category", "name")  # as for `selector import`
MAX_CATEGORY_KEY = limits.max_length("category", "key")
MAX_REASON = limits.REASON_LENGTH
DOMAIN_PREFIX = {"business": "BUS", "it": "IT"}
CATEGORY_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def ascii_text(text: str) -> str:
    """`text` without accents and other non-ASCII letters (`ça-va` -> `ca-va`)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def key_from_name(name: str) -> str:
    """A key for a new category: the name in lower case ASCII with underscores."""
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text(name).lower()).strip("_")
    return key[:MAX_CATEGORY_KEY].rstrip("_") or "category"


def frozen_reason_needed(selection: Any) -> bool:
    """Do changes of categories and requirements need a reason now (weights frozen, or
    scoring opened)?"""
    return selection.weights_frozen or selection.scoring_started


def check_category_reason(selection: Any, reason: str) -> str:
    """The reason for a change of a category, trimmed; required once frozen."""
    reason = written_text(reason, "reason", MAX_REASON)
    if frozen_reason_needed(selection) and not reason:
        raise ServiceError(
            _l("The weights are frozen or scoring has opened: say why this category changes."),
            "reason",
        )
    return reason


def check_category_domain(domain: str) -> str:
    if domain not in DOMAINS:
        raise ServiceError(_l("Choose business or IT."), "domain")
    return domain


# -- quality flags ------------------------------------------------------------------


def flags_of(requirement: Any) -> list[dict[str, Any]]:
    """The stored quality flags of a requirement (or of its stored text), parsed."""
    text = (requirement if requirement is None or isinstance(requirement, str)
            else requirement.quality_flags)
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def own_flags(requirement: Any, domain: str) -> list[quality.Flag]:
    """The flags a requirement earns on its own (all but near-duplicates)."""
    return quality.check(
        quality.RequirementText(
            title=requirement.title,
            description=requirement.description,
            verification_criterion=requirement.verification_criterion,
            domain=domain,
            priority=requirement.priority,
            weight=requirement.weight,
            knockout=requirement.knockout,
            knockout_rationale=requirement.knockout_rationale,
        )
    )


def with_duplicates(stored: list[dict[str, Any]], duplicates: list[quality.TitleEntry]
                    ) -> list[dict[str, Any]]:
    """Stored flags with their near-duplicate flags replaced by `duplicates`'."""
    kept = [f for f in stored if f.get("code") != quality.DUPLICATE]
    flags = kept + [f.as_json() for f in quality.duplicate_flags(duplicates)]
    order = {code: position for position, code in enumerate(quality.FLAG_CODES)}
    return sorted(flags, key=lambda f: order.get(f.get("code"), 99))  # the stored order


# -- IT's structured answers --------------------------------------------------------


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


def _refusal_message(refused: AnswerRefused):
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


def clean_it_answer(item: StructuredItem) -> dict[str, Any]:
    """The answer checked and normalised; ServiceError naming the item's field."""
    question = question_of(item.area, item.item)
    if question is None:
        raise ServiceError(_l("Choose one of the offered options."), item.where())
    try:
        return check_answer(question, item.value)
    except AnswerRefused as refused:
        raise ServiceError(_refusal_message(refused), item.where(refused.part)) from None


def stored_it_answer(item: str, value: dict[str, Any]) -> str:
    """`Requirement.structured` for a checked answer to question `item` (as the
    requirements service writes it)."""
    question = QUESTIONS[item]
    answer = {"area": question.area, "item": item, "slot": question.slot_of(value),
              "value": value}
    return json.dumps(answer, ensure_ascii=False, sort_keys=True)
