"""Requirements: writing them together, deciding on them, and keeping them honest.

Business and IT members both propose requirements (status `proposed`); the facilitator
accepts, rejects or defers them with a reason (or, when the facilitator sets
`Selection.owner_groups_decide`, members of the requirement's owner group do). Every
change is written to the audit trail in the same transaction, with old and new values.

Rules kept here:

* A save names the version it started from (`Requirement.version`); when someone else
  saved in between, the save is refused with `Conflict` instead of overwriting.
* A knock-out needs its rationale.
* Freezing (decisions.md): once the weights are frozen, priorities and explicit weights
  are frozen; once scoring opens, every requirement field is. A frozen field changes only
  by the facilitator, with a reason; the audit entry carries the reason and the report
  lists it as a change after the freeze.
* Quality flags (`selector.services.quality_flags`) are computed when a requirement is
  saved and stored with it; near-duplicate flags of the requirements it resembles are
  updated too. They advise and never block a save.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain.vocabulary import (
    DECISIONS,
    DOMAINS,
    INTENTS,
    PRIORITIES,
    STATUSES,
    VERIFICATIONS,
    WRITERS,
    AuditAction,
    AuditEntity,
)
from selector.i18n import _l
from selector.models import Account, AuditEntry, Category, Requirement, Selection
from selector.models.base import utcnow
from selector.services import audit
from selector.services.categories import code_prefix
from selector.services.errors import Conflict, NotFound, ServiceError
from selector.services.quality_flags import flags_of, refresh_quality

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
    def of(cls, requirement: Requirement) -> RequirementFields:
        return cls(**{f.name: getattr(requirement, f.name) for f in fields(cls)})


# Field order in audit entries and change lists.
FIELD_ORDER = tuple(f.name for f in fields(RequirementFields))


# -- reading ----------------------------------------------------------------------------


def get_requirement(session: Session, selection: Selection, requirement_id: int) -> Requirement:
    """A requirement of this selection; one of another selection is not found."""
    requirement = session.get(Requirement, requirement_id)
    if requirement is None or requirement.selection_id != selection.id:
        raise NotFound(_l("There is no such requirement in this selection."), "requirement")
    return requirement


def structured_of(requirement: Requirement) -> dict[str, Any] | None:
    if not requirement.structured:
        return None
    try:
        value = json.loads(requirement.structured)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass
class RequirementFilter:
    domain: str = ""
    category_id: int | None = None
    priority: str = ""
    status: str = ""
    owner_group: str = ""
    knockout: str = ""  # "yes", "no" or ""
    raised_by: int | None = None
    flagged: bool = False
    search: str = ""


@dataclass
class RequirementRow:
    """One line of the requirement list (read in one query, no objects per row)."""

    id: int
    code: str
    title: str
    category_id: int
    category_name: str
    category_key: str
    domain: str
    priority: str
    weight: float | None
    knockout: bool
    status: str
    status_reason: str
    owner_group: str
    verification: str
    intent: str
    version: int
    library_id: str | None
    structured: bool
    raised_by_id: int | None
    raised_by_name: str
    raised_by_email: str
    flags: list[dict[str, Any]] = field(default_factory=list)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_requirements(
    session: Session, selection_id: int, filters: RequirementFilter | None = None
) -> list[RequirementRow]:
    """The selection's requirements, filtered, in category order then by code."""
    filters = filters or RequirementFilter()
    query = (
        select(
            Requirement.id, Requirement.code, Requirement.title, Requirement.category_id,
            Category.name, Category.key, Category.domain, Requirement.priority,
            Requirement.weight, Requirement.knockout, Requirement.status,
            Requirement.status_reason, Requirement.owner_group, Requirement.verification,
            Requirement.intent, Requirement.version, Requirement.library_id,
            Requirement.structured.is_not(None), Requirement.raised_by_id,
            Account.name, Account.email, Requirement.quality_flags,
        )
        .join(Category, Category.id == Requirement.category_id)
        .outerjoin(Account, Account.id == Requirement.raised_by_id)
        .where(Requirement.selection_id == selection_id)
        .order_by(Category.position, Category.id, Requirement.code)
    )
    if filters.domain in DOMAINS:
        query = query.where(Category.domain == filters.domain)
    if filters.category_id:
        query = query.where(Requirement.category_id == filters.category_id)
    if filters.priority in PRIORITIES:
        query = query.where(Requirement.priority == filters.priority)
    if filters.status in STATUSES:
        query = query.where(Requirement.status == filters.status)
    if filters.owner_group in DOMAINS:
        query = query.where(Requirement.owner_group == filters.owner_group)
    if filters.knockout in ("yes", "no"):
        query = query.where(Requirement.knockout.is_(filters.knockout == "yes"))
    if filters.raised_by:
        query = query.where(Requirement.raised_by_id == filters.raised_by)
    if filters.flagged:
        query = query.where(Requirement.quality_flags != "[]")
    words = filters.search.split()[:10]
    for word in words:
        pattern = _like(word)
        query = query.where(
            or_(
                func.lower(Requirement.code).like(pattern, escape="\\"),
                func.lower(Requirement.title).like(pattern, escape="\\"),
                func.lower(Requirement.description).like(pattern, escape="\\"),
            )
        )
    rows = []
    for r in session.execute(query):
        rows.append(
            RequirementRow(
                id=r[0], code=r[1], title=r[2], category_id=r[3], category_name=r[4],
                category_key=r[5], domain=r[6], priority=r[7], weight=r[8], knockout=r[9],
                status=r[10], status_reason=r[11], owner_group=r[12], verification=r[13],
                intent=r[14], version=r[15], library_id=r[16], structured=bool(r[17]),
                raised_by_id=r[18], raised_by_name=r[19] or "", raised_by_email=r[20] or "",
                flags=flags_of(r[21]),
            )
        )
    return rows


def raisers(session: Session, selection_id: int) -> list[tuple[int, str]]:
    """Accounts that raised requirements here: (id, name or e-mail), for the filter."""
    rows = session.execute(
        select(Account.id, Account.name, Account.email)
        .where(Account.id.in_(
            select(Requirement.raised_by_id).where(Requirement.selection_id == selection_id)
        ))
        .order_by(Account.name, Account.email)
    ).all()
    return [(r.id, r.name or r.email) for r in rows]


def history(session: Session, requirement: Requirement) -> list[AuditEntry]:
    """The audit entries of this requirement, oldest first. Entries are keyed by code,
    and a code is held by one requirement at a time: so the entries under each code the
    requirement had, while it had it, are its history."""
    entries = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.selection_id == requirement.selection_id,
                   # explicit weights are also set on the weighting pages (issue 6)
                   AuditEntry.entity.in_((AuditEntity.REQUIREMENT,
                                          AuditEntity.REQUIREMENT_WEIGHT)))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
    spans: list[tuple[str, datetime | None, datetime | None]] = []  # code, since, until
    code, until = requirement.code, None
    while len(spans) < 100:
        rename = None
        for entry in reversed(entries):
            if entry.entity_key != code or (until is not None and entry.at > until):
                continue
            old_code = (json.loads(entry.old) if entry.old else {}).get("code")
            if old_code and old_code != code and entry.at >= requirement.created_at:
                rename = (entry, old_code)
                break
        if rename is None:
            spans.append((code, None, until))
            break
        spans.append((code, rename[0].at, until))
        code, until = rename[1], rename[0].at
    created = requirement.created_at

    def ours(entry: AuditEntry) -> bool:
        if entry.at < created:
            return False
        return any(entry.entity_key == c and (since is None or entry.at >= since)
                   and (end is None or entry.at <= end) for c, since, end in spans)

    return [entry for entry in entries if ours(entry)]


# -- validation -------------------------------------------------------------------------


def _text(value: Any, name: str, *, required: bool = False, single_line: bool = False) -> str:
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


def _choice(value: str, allowed: Sequence[str], name: str) -> str:
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


def clean_fields(
    session: Session, selection: Selection, values: RequirementFields,
    *, category: Category | None = None,
) -> tuple[RequirementFields, Category]:
    """Checked and normalised fields, and the category they name. Raises ServiceError
    naming the first field that is wrong. An import checks rows of a category it has
    yet to create by passing that category, unsaved."""
    if category is None and values.category_id is not None:
        category = session.get(Category, values.category_id)
    if category is None or category.selection_id != selection.id:
        raise ServiceError(_l("Choose a category of this selection."), "category_id")
    title = _text(values.title, "title", required=True, single_line=True)
    code = _text(values.code, "code", single_line=True)
    knockout = bool(values.knockout)
    knockout_rationale = _text(values.knockout_rationale, "knockout_rationale",
                               required=knockout)
    owner_group = (values.owner_group or "").strip().lower() or category.domain
    cleaned = RequirementFields(
        category_id=category.id,
        title=title,
        code=code,
        description=_text(values.description, "description"),
        rationale=_text(values.rationale, "rationale"),
        intent=_choice(values.intent, INTENTS, "intent"),
        verification=_choice(values.verification, VERIFICATIONS, "verification"),
        verification_criterion=_text(values.verification_criterion, "verification_criterion"),
        priority=_choice(values.priority, PRIORITIES, "priority"),
        weight=_weight(values.weight),
        weight_reason=_text(values.weight_reason, "weight_reason"),
        knockout=knockout,
        knockout_rationale=knockout_rationale,
        owner_group=_choice(owner_group, DOMAINS, "owner_group"),
    )
    return cleaned, category


def check_code_format(code: str) -> None:
    if not _CODE.match(code):
        raise ServiceError(
            _l("A code has letters, digits and '-', '_', '.', '/' only, and starts with a "
               "letter or digit."), "code")


def _check_code(session: Session, selection_id: int, code: str,
                except_id: int | None = None) -> None:
    check_code_format(code)
    clash = session.scalar(
        select(Requirement.code).where(
            Requirement.selection_id == selection_id,
            func.lower(Requirement.code) == code.lower(),
            *([Requirement.id != except_id] if except_id else []),
        )
    )
    if clash is not None:
        raise ServiceError(
            _l("The code %(code)s is taken by another requirement.", code=clash), "code")


class CodeAllocator:
    """Suggests codes per category prefix (`IT-BCK-03`): one past the highest number in
    use. Remembers what it handed out, so a batch (an import, a pick from the library)
    gets distinct codes without a query per item."""

    def __init__(self, session: Session, selection_id: int) -> None:
        self.session = session
        self.selection_id = selection_id
        self._next: dict[str, int] = {}
        self._prefixes: dict[tuple[str, str], str] = {}

    def _highest(self, prefix: str) -> int:
        codes = self.session.scalars(
            select(Requirement.code).where(
                Requirement.selection_id == self.selection_id,
                Requirement.code.like(prefix + "-%"),
            )
        )
        pattern = re.compile(re.escape(prefix) + r"-(\d+)$", re.IGNORECASE)
        numbers = [int(m.group(1)) for c in codes if (m := pattern.match(c))]
        return max(numbers, default=0)

    def next(self, category: Category) -> str:
        key = (category.key, category.domain)
        prefix = self._prefixes.get(key)
        if prefix is None:  # looks in the seed file: once per category, not per item
            prefix = self._prefixes[key] = code_prefix(category.key, category.domain)
        if prefix not in self._next:
            self._next[prefix] = self._highest(prefix) + 1
        number = self._next[prefix]
        self._next[prefix] = number + 1
        return f"{prefix}-{number:02d}"

    def reserve(self, code: str) -> None:
        """A code given explicitly: later suggestions step over it."""
        match = re.match(r"^(.*)-(\d+)$", code)
        if match and match.group(1) in self._next:
            self._next[match.group(1)] = max(self._next[match.group(1)],
                                              int(match.group(2)) + 1)


def suggest_code(session: Session, selection_id: int, category: Category) -> str:
    """The code a new requirement in `category` gets unless one is typed."""
    return CodeAllocator(session, selection_id).next(category)


# -- who may do what --------------------------------------------------------------------


def may_change(selection: Selection, role: str) -> bool:
    """May a member with `role` propose or edit requirements now? Once scoring has opened
    the requirements are frozen: only the facilitator changes them, with a reason."""
    if role not in WRITERS:
        return False
    return role == "facilitator" or not selection.scoring_started


def may_decide(selection: Selection, role: str, owner_group: str) -> bool:
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


def check_freeze(selection: Selection, role: str, reason: str, changed: Iterable[str]) -> None:
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


# -- audit snapshots --------------------------------------------------------------------


def _category_keys(session: Session, selection_id: int) -> dict[int, str]:
    return dict(session.execute(
        select(Category.id, Category.key).where(Category.selection_id == selection_id)).all())


def _audit_value(name: str, value: Any, keys: dict[int, str]) -> tuple[str, Any]:
    if name == "category_id":
        return "category", keys.get(value, value)
    return name, value


def snapshot(values: RequirementFields, keys: dict[int, str]) -> dict[str, Any]:
    return dict(_audit_value(name, getattr(values, name), keys) for name in FIELD_ORDER)


# -- changes ----------------------------------------------------------------------------


def create_requirement(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    values: RequirementFields,
    *,
    status: str = "proposed",
    status_reason: str = "",
    reason: str = "",
    raised_by_id: int | None = None,
    library_id: str | None = None,
    structured: dict[str, Any] | None = None,
    codes: CodeAllocator | None = None,
    refresh: bool = True,
) -> Requirement:
    """Propose a requirement (status `proposed`). A member who may decide can give
    another status (an import of an agreed catalogue). `raised_by_id` defaults to the
    actor. Batch callers pass one `codes` allocator and `refresh=False`, then call
    `refresh_quality` once for all they created."""
    check_writer(role)
    reason = _text(reason, "reason")
    status = _choice(status, STATUSES, "status")
    # A proposal sets no weight until it is accepted: the weights' freeze does not stop
    # it; scoring's does.
    check_freeze(selection, role, reason,
                 FIELD_ORDER if status != "proposed" else set(FIELD_ORDER) - WEIGHT_FIELDS)
    cleaned, category = clean_fields(session, selection, values)
    codes = codes or CodeAllocator(session, selection.id)
    if cleaned.code:
        _check_code(session, selection.id, cleaned.code)
        codes.reserve(cleaned.code)
    else:
        cleaned = replace(cleaned, code=codes.next(category))
    status_reason = _text(status_reason, "status_reason")
    if status != "proposed" and not may_decide(selection, role, cleaned.owner_group):
        raise ServiceError(
            _l("Only the facilitator can accept, reject or defer requirements."), "status")
    now = utcnow()
    requirement = Requirement(
        selection_id=selection.id,
        status=status,
        status_reason=status_reason,
        raised_by_id=raised_by_id if raised_by_id is not None else (actor.id if actor else None),
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
        library_id=library_id,
        structured=json.dumps(structured, ensure_ascii=False, sort_keys=True)
        if structured is not None else None,
        version=1,
        quality_flags="[]",
        **{name: getattr(cleaned, name) for name in FIELD_ORDER},
    )
    session.add(requirement)
    if refresh:
        session.flush()
    # A batch (refresh=False) flushes once, in `refresh_quality`'s first query: one
    # INSERT a row cost an import of 5,000 rows seconds inside its write transaction.
    keys = {category.id: category.key}
    new = snapshot(cleaned, keys) | {"status": status}
    if status_reason:
        new["status_reason"] = status_reason
    if library_id:
        new["library_id"] = library_id
    if structured is not None:
        new["structured"] = structured
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
                 entity=AuditEntity.REQUIREMENT, entity_key=requirement.code, new=new,
                 reason=reason)
    if refresh:
        refresh_quality(session, selection.id, [requirement])
    return requirement


def _bump_version(session: Session, requirement: Requirement, expected: int | None) -> None:
    """Take the next version, refusing when someone else saved since `expected`. The
    conditional UPDATE makes the check hold between concurrent transactions too."""
    current = requirement.version if expected is None else expected
    result = session.execute(
        update(Requirement)
        .where(Requirement.id == requirement.id, Requirement.version == current)
        .values(version=current + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(requirement)
        raise Conflict(_l(
            "Someone else changed this requirement while you were editing it (it is now at "
            "version %(version)d). Reload it to see their change, then make yours again.",
            version=requirement.version))
    requirement.version = current + 1


def update_requirement(
    session: Session,
    requirement: Requirement,
    actor: Account | None,
    role: str,
    values: RequirementFields,
    *,
    expected_version: int | None,
    reason: str = "",
    structured: dict[str, Any] | None = None,
    refresh: bool = True,
) -> bool:
    """Save an edit; False when nothing changed. `expected_version` is the version the
    editor started from (None: no check, for imports that overwrite on purpose). Batch
    callers pass `refresh=False` and call `refresh_quality` once at the end."""
    check_writer(role)
    selection = session.get(Selection, requirement.selection_id)
    reason = _text(reason, "reason")
    if expected_version is not None and requirement.version != expected_version:
        raise Conflict(_l(
            "Someone else changed this requirement while you were editing it (it is now at "
            "version %(version)d). Reload it to see their change, then make yours again.",
            version=requirement.version))
    cleaned, category = clean_fields(session, selection, values)
    if not cleaned.code:
        cleaned = replace(cleaned, code=requirement.code)
    before = RequirementFields.of(requirement)
    changed = [name for name in FIELD_ORDER if getattr(before, name) != getattr(cleaned, name)]
    new_structured = (json.dumps(structured, ensure_ascii=False, sort_keys=True)
                      if structured is not None else requirement.structured)
    structured_changed = new_structured != requirement.structured
    if not changed and not structured_changed:
        return False
    check_freeze(selection, role, reason, changed or ["structured"])
    if "code" in changed:
        _check_code(session, selection.id, cleaned.code, except_id=requirement.id)
    _bump_version(session, requirement, expected_version)
    keys = _category_keys(session, selection.id)
    old = dict(_audit_value(name, getattr(before, name), keys) for name in changed)
    new = dict(_audit_value(name, getattr(cleaned, name), keys) for name in changed)
    if structured_changed:
        old["structured"] = structured_of(requirement)
        new["structured"] = structured
        requirement.structured = new_structured
    old_code = requirement.code
    for name in changed:
        setattr(requirement, name, getattr(cleaned, name))
    requirement.updated_by_id = actor.id if actor else None
    requirement.updated_at = utcnow()
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                 entity=AuditEntity.REQUIREMENT, entity_key=requirement.code, old=old, new=new,
                 reason=reason)
    if refresh:
        refresh_quality(session, selection.id, [requirement], old_codes=[old_code])
    return True


def decide(
    session: Session,
    requirement: Requirement,
    actor: Account | None,
    role: str,
    status: str,
    reason: str,
    *,
    expected_version: int | None = None,
    refresh: bool = True,
) -> bool:
    """Accept, reject or defer a requirement, with a reason; False when it already had
    that status."""
    selection = session.get(Selection, requirement.selection_id)
    if status not in DECISIONS:
        raise ServiceError(_l("Choose accept, reject or defer."), "status")
    if not may_decide(selection, role, requirement.owner_group):
        if selection.owner_groups_decide and not selection.scoring_started:
            message = _l("Only the facilitator and members of the requirement's owner group "
                         "can accept, reject or defer it.")
        else:
            message = _l("Only the facilitator can accept, reject or defer requirements.")
        raise ServiceError(message, "status")
    reason = _text(reason, "reason", required=True)
    if requirement.status == status:
        return False
    check_freeze(selection, role, reason, ["status"])
    _bump_version(session, requirement, expected_version)
    old = {"status": requirement.status, "status_reason": requirement.status_reason}
    requirement.status = status
    requirement.status_reason = reason
    requirement.updated_by_id = actor.id if actor else None
    requirement.updated_at = utcnow()
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.DECIDE,
                 entity=AuditEntity.REQUIREMENT, entity_key=requirement.code, old=old,
                 new={"status": status, "status_reason": reason}, reason=reason)
    if refresh and "rejected" in (status, old["status"]):
        refresh_quality(session, selection.id, [requirement])
    return True


def decide_many(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    requirement_ids: Iterable[int],
    status: str,
    reason: str,
) -> int:
    """One decision with one reason for several requirements; all or none. Returns how
    many changed status."""
    ids = sorted({int(i) for i in requirement_ids})
    if not ids:
        raise ServiceError(_l("Select at least one requirement."), "requirements")
    requirements = list(session.scalars(
        select(Requirement).where(Requirement.selection_id == selection.id,
                                  Requirement.id.in_(ids)).order_by(Requirement.code)))
    if len(requirements) != len(ids):
        raise NotFound(_l("There is no such requirement in this selection."), "requirement")
    was_rejected = {r.id for r in requirements if r.status == "rejected"}
    changed = [r for r in requirements
               if decide(session, r, actor, role, status, reason, refresh=False)]
    if status == "rejected" or was_rejected & {r.id for r in changed}:
        # Rejected requirements do not count as duplicates of others.
        refresh_quality(session, selection.id, changed)
    return len(changed)


def set_owner_groups_decide(session: Session, selection: Selection, actor: Account | None,
                            value: bool) -> bool:
    """The facilitator lets owner-group members decide on their requirements, or not."""
    value = bool(value)
    if bool(selection.owner_groups_decide) == value:
        return False
    old = bool(selection.owner_groups_decide)
    selection.owner_groups_decide = value
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                 entity=AuditEntity.SELECTION, entity_key=selection.name,
                 old={"owner_groups_decide": old}, new={"owner_groups_decide": value})
    return True


def quality_summary(session: Session, selection_id: int) -> list[RequirementRow]:
    """Requirements with at least one quality flag, for the facilitator's list."""
    return list_requirements(session, selection_id, RequirementFilter(flagged=True))


def existing_library_ids(session: Session, selection_id: int) -> set[str]:
    return set(session.scalars(
        select(Requirement.library_id).where(
            and_(Requirement.selection_id == selection_id, Requirement.library_id.is_not(None)))))
