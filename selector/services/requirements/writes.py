"""The requirements area's writes: every change of requirements, their categories and
their quality flags, each with its audit entry in the caller's transaction.

The checks that need no database are `rules`; the queries a page needs are `reads`.
The caller (a view or a command) commits once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from selector.domain import quality
from selector.domain.it_catalogue import AREA
from selector.domain.it_catalogue import QUESTIONS
from selector.domain.it_catalogue import generate
from selector.domain.vocabulary import DECISIONS
from selector.domain.vocabulary import PRIORITIES
from selector.domain.vocabulary import STATUSES
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Allocation
from selector.models import Category
from selector.models import FinalWeight
from selector.models import Requirement
from selector.models import Selection
from selector.models.base import utcnow
from selector.services import audit
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.requirements.reads import CodeAllocator
from selector.services.requirements.reads import categories_of
from selector.services.requirements.reads import current_it_answers
from selector.services.requirements.reads import existing_library_ids
from selector.services.requirements.reads import load_library
from selector.services.requirements.reads import seed_category
from selector.services.requirements.rules import CATEGORY_KEY
from selector.services.requirements.rules import FIELD_ORDER
from selector.services.requirements.rules import MAX_CATEGORY_KEY
from selector.services.requirements.rules import MAX_CATEGORY_NAME
from selector.services.requirements.rules import WEIGHT_FIELDS
from selector.services.requirements.rules import RequirementFields
from selector.services.requirements.rules import StructuredItem
from selector.services.requirements.rules import check_category_domain
from selector.services.requirements.rules import check_category_reason
from selector.services.requirements.rules import check_code_format
from selector.services.requirements.rules import check_freeze
from selector.services.requirements.rules import check_writer
from selector.services.requirements.rules import checked_fields
from selector.services.requirements.rules import clean_choice
from selector.services.requirements.rules import clean_it_answer
from selector.services.requirements.rules import clean_text
from selector.services.requirements.rules import flags_of
from selector.services.requirements.rules import key_from_name
from selector.services.requirements.rules import may_decide
from selector.services.requirements.rules import own_flags
from selector.services.requirements.rules import structured_of
from selector.services.requirements.rules import with_duplicates
from selector.services.written import written_text

# -- requirements -------------------------------------------------------------------


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
    return checked_fields(values, category), category


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


def _category_keys(session: Session, selection_id: int) -> dict[int, str]:
    return dict(session.execute(
        select(Category.id, Category.key).where(Category.selection_id == selection_id)).all())


def _audit_value(name: str, value: Any, keys: dict[int, str]) -> tuple[str, Any]:
    if name == "category_id":
        return "category", keys.get(value, value)
    return name, value


def snapshot(values: RequirementFields, keys: dict[int, str]) -> dict[str, Any]:
    return dict(_audit_value(name, getattr(values, name), keys) for name in FIELD_ORDER)


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
    reason = clean_text(reason, "reason")
    status = clean_choice(status, STATUSES, "status")
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
    status_reason = clean_text(status_reason, "status_reason")
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
    reason = clean_text(reason, "reason")
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
    reason = clean_text(reason, "reason", required=True)
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


# -- quality flags: computed when a requirement is saved, stored with it ------------


# Past this many changed requirements, duplicates are recomputed for the whole selection
# in one pass instead of one requirement at a time.
BULK_REFRESH = 20


def _dump_flags(flags: list[dict[str, Any]]) -> str:
    return json.dumps(flags, ensure_ascii=False, sort_keys=True)


def refresh_quality(
    session: Session,
    selection_id: int,
    changed: Sequence[Requirement],
    old_codes: Iterable[str] = (),
) -> None:
    """Recompute the flags of `changed` requirements, and the near-duplicate flags of
    the requirements they resemble (now, or before the change: `old_codes`). Flags are
    derived data: this is not audited and does not change a requirement's version."""
    session.flush()
    domains = dict(session.execute(
        select(Category.id, Category.domain).where(Category.selection_id == selection_id)).all())
    rows = session.execute(
        select(Requirement.id, Requirement.code, Requirement.title, Requirement.status,
               Requirement.quality_flags)
        .where(Requirement.selection_id == selection_id)
    ).all()
    entries = [quality.TitleEntry(r.id, r.code, r.title) for r in rows if r.status != "rejected"]
    status = {r.id: r.status for r in rows}
    stored = {r.id: r.quality_flags for r in rows}
    changed_ids = {r.id for r in changed}

    if len(changed) > BULK_REFRESH:
        groups = quality.duplicate_groups(entries)
        affected = {r.id for r in rows} - changed_ids
    else:
        groups = {}
        for requirement in changed:
            others = [e for e in entries if e.key != requirement.id]
            groups[requirement.id] = (
                [] if requirement.status == "rejected"
                else quality.duplicates_of(requirement.title, others)
            )
        touched = {r.code for r in changed} | set(old_codes)
        affected = {e.key for found in groups.values() for e in found}
        for r in rows:
            if r.id in changed_ids or r.id in affected:
                continue
            if any(f.get("code") == quality.DUPLICATE and f.get("params", {}).get("code")
                   in touched for f in flags_of(r.quality_flags)):
                affected.add(r.id)
        affected -= changed_ids
        by_id = {e.key: e for e in entries}
        for requirement_id in affected:
            entry = by_id.get(requirement_id)
            groups[requirement_id] = (
                [] if entry is None
                else quality.duplicates_of(entry.title, [e for e in entries
                                                         if e.key != requirement_id])
            )

    for requirement in changed:
        own = own_flags(requirement, domains.get(requirement.category_id, "business"))
        flags = quality.flags_json(own + quality.duplicate_flags(groups.get(requirement.id, [])))
        text = _dump_flags(flags)
        if requirement.quality_flags != text:
            requirement.quality_flags = text
    updates = []
    for requirement_id in affected:
        duplicates = [] if status.get(requirement_id) == "rejected" else groups.get(
            requirement_id, [])
        text = _dump_flags(with_duplicates(flags_of(stored[requirement_id]), duplicates))
        if text != stored[requirement_id]:
            updates.append((requirement_id, text))
    if updates:
        objects = {r.id: r for r in session.scalars(
            select(Requirement).where(Requirement.id.in_([i for i, _ in updates])))}
        for requirement_id, text in updates:
            objects[requirement_id].quality_flags = text
    session.flush()


def refresh_all_quality(session: Session, selection_id: int) -> None:
    """Compute the flags of every requirement of a selection (after an import of a
    selection file, which writes requirements in bulk)."""
    requirements = list(session.scalars(
        select(Requirement).where(Requirement.selection_id == selection_id)))
    if requirements:
        refresh_quality(session, selection_id, requirements)


def refresh_category_quality(session: Session, category: Category) -> None:
    """After a category moved domain: its requirements' own flags change."""
    requirements = list(session.scalars(
        select(Requirement).where(Requirement.category_id == category.id)))
    if requirements:
        refresh_quality(session, category.selection_id, requirements)


# -- categories ---------------------------------------------------------------------


def _check_category_name(session: Session, selection: Selection, name: str,
                         except_id: int | None = None) -> str:
    name = written_text(" ".join(name.split()), "name", MAX_CATEGORY_NAME,
                        required=_l("Give the category a name."))
    clash = session.scalar(
        select(Category.id).where(
            Category.selection_id == selection.id,
            func.lower(Category.name) == name.lower(),
            *([Category.id != except_id] if except_id else []),
        )
    )
    if clash is not None:
        raise ServiceError(_l("There is a category with this name already."), "name")
    return name


def _category_snapshot(category: Category) -> dict[str, object]:
    return {"key": category.key, "name": category.name, "domain": category.domain}


def add_category(
    session: Session,
    selection: Selection,
    actor: Account | None,
    *,
    name: str,
    domain: str,
    key: str = "",
    reason: str = "",
) -> Category:
    """A new category at the end of the list; its key is made from the name unless given."""
    reason = check_category_reason(selection, reason)
    name = _check_category_name(session, selection, name)
    domain = check_category_domain(domain)
    key = key.strip().lower() or key_from_name(name)
    if not CATEGORY_KEY.match(key) or len(key) > MAX_CATEGORY_KEY:
        raise ServiceError(
            _l("A key has lower-case letters, digits, '-' and '_' only."), "key")
    taken = set(session.scalars(select(Category.key).where(Category.selection_id == selection.id)))
    base, number = key, 2
    while key in taken:
        key = f"{base[: MAX_CATEGORY_KEY - 4]}_{number}"
        number += 1
    position = session.scalar(
        select(func.coalesce(func.max(Category.position), -1)).where(
            Category.selection_id == selection.id)
    ) + 1
    category = Category(selection_id=selection.id, key=key, name=name, domain=domain,
                        position=position)
    session.add(category)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
                 entity=AuditEntity.CATEGORY, entity_key=key, new=_category_snapshot(category),
                 reason=reason)
    return category


def ensure_seed_category(session: Session, selection: Selection, actor: Account | None,
                         key: str) -> Category:
    """The selection's category `key`, created from the seed (name in the selection's
    language) when the selection does not have it."""
    category = session.scalar(
        select(Category).where(Category.selection_id == selection.id, Category.key == key))
    if category is not None:
        return category
    seed = seed_category(key)
    if seed is None:
        raise ServiceError(_l("There is no such category in this selection."), "category")
    name = seed.name(selection.language)
    taken = set(session.scalars(select(Category.name).where(
        Category.selection_id == selection.id)))
    if name in taken:  # a renamed category took the seed name: keep both apart
        name = f"{name} ({seed.code or key})"
    position = session.scalar(
        select(func.coalesce(func.max(Category.position), -1)).where(
            Category.selection_id == selection.id)
    ) + 1
    category = Category(selection_id=selection.id, key=key, name=name, domain=seed.domain,
                        position=position)
    session.add(category)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
                 entity=AuditEntity.CATEGORY, entity_key=key, new=_category_snapshot(category))
    return category


def update_category(
    session: Session,
    category: Category,
    actor: Account | None,
    *,
    name: str,
    domain: str,
    reason: str = "",
) -> bool:
    """Rename a category and/or move it to the other domain; False when nothing changed.
    Owner groups of its requirements stay as they are (they are set per requirement)."""
    selection = session.get(Selection, category.selection_id)
    name = _check_category_name(session, selection, name, except_id=category.id)
    domain = check_category_domain(domain)
    if name == category.name and domain == category.domain:
        return False
    reason = check_category_reason(selection, reason)
    old = _category_snapshot(category)
    domain_changed = domain != category.domain
    category.name, category.domain = name, domain
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                 entity=AuditEntity.CATEGORY, entity_key=category.key, old=old,
                 new=_category_snapshot(category),
                 reason=reason)
    if domain_changed:  # IT requirements are checked for a measure, business ones not
        refresh_category_quality(session, category)
    return True


def move_category(session: Session, category: Category, actor: Account | None,
                  direction: str) -> None:
    """Move a category one place up or down in the list (order only; not audited as a
    change of content)."""
    siblings = categories_of(session, category.selection_id)
    index = next(i for i, c in enumerate(siblings) if c.id == category.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    session.flush()


def remove_category(session: Session, category: Category, actor: Account | None,
                    reason: str = "") -> None:
    """Remove a category that holds no requirements and no points from members."""
    selection = session.get(Selection, category.selection_id)
    reason = check_category_reason(selection, reason)
    has_requirements = session.scalar(
        select(func.count()).select_from(Requirement).where(
            Requirement.category_id == category.id))
    if has_requirements:
        raise ServiceError(
            _l("This category holds %(count)d requirements: move them to another category "
               "first.", count=has_requirements),
            "category",
        )
    has_points = session.scalar(
        select(func.count()).select_from(Allocation).where(
            Allocation.category_id == category.id, Allocation.points > 0)
    ) + session.scalar(
        select(func.count()).select_from(FinalWeight).where(
            FinalWeight.category_id == category.id, FinalWeight.points > 0)
    )
    if has_points:
        raise ServiceError(
            _l("Members have given this category points: it cannot be removed."), "category")
    old = _category_snapshot(category)
    session.delete(category)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.DELETE,
                 entity=AuditEntity.CATEGORY, entity_key=old["key"], old=old, reason=reason)


# -- the library --------------------------------------------------------------------


MAX_PICK = 500


@dataclass
class PickResult:
    created: list[Requirement]
    skipped: list[str]  # library ids already in the selection


def pick_from_library(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    item_ids: list[str],
    *,
    reason: str = "",
    path: Path | None = None,
) -> PickResult:
    """Add library items to the selection as proposed requirements (all or none)."""
    wanted = list(dict.fromkeys(i.strip() for i in item_ids if i and i.strip()))
    if not wanted:
        raise ServiceError(_l("Select at least one requirement from the library."), "items")
    if len(wanted) > MAX_PICK:
        raise ServiceError(
            _l("Pick at most %(count)d requirements at a time.", count=MAX_PICK), "items")
    items = {item.id: item for item in load_library(path)}
    unknown = [i for i in wanted if i not in items]
    if unknown:
        raise ServiceError(
            _l("The library has no requirement %(id)s.", id=unknown[0]), "items")
    present = existing_library_ids(session, selection.id)
    categories = {
        c.key: c for c in session.scalars(
            select(Category).where(Category.selection_id == selection.id))
    }
    codes = CodeAllocator(session, selection.id)
    created, skipped = [], []
    for item_id in wanted:
        if item_id in present:
            skipped.append(item_id)
            continue
        item = items[item_id]
        category = categories.get(item.category)
        if category is None:
            category = ensure_seed_category(session, selection, actor, item.category)
            categories[item.category] = category
        text = item.text(selection.language)
        values = RequirementFields(
            category_id=category.id,
            title=text.title,
            description=text.description,
            rationale=text.rationale,
            intent=item.intent,
            verification=item.verification,
            verification_criterion=text.verification_criterion,
            priority=item.priority,
            knockout=item.knockout_suggested,
            knockout_rationale=text.rationale if item.knockout_suggested else "",
        )
        created.append(
            create_requirement(
                session, selection, actor, role, values, library_id=item.id, codes=codes,
                reason=reason, refresh=False,
            )
        )
        present.add(item_id)
    if created:
        refresh_quality(session, selection.id, created)
    return PickResult(created, skipped)


# -- IT's structured answers --------------------------------------------------------


@dataclass
class ItSaveResult:
    created: list[Requirement] = field(default_factory=list)
    updated: list[Requirement] = field(default_factory=list)
    unchanged: int = 0


def save_it_answers(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    items: list[StructuredItem],
    *,
    reason: str = "",
) -> ItSaveResult:
    """Turn IT's answers into requirements (new ones proposed, earlier ones updated);
    all or none."""
    check_writer(role)
    result = ItSaveResult()
    seen: set[str] = set()
    existing = current_it_answers(session, selection.id)
    categories = {c.key: c for c in session.scalars(
        select(Category).where(Category.selection_id == selection.id))}
    codes = CodeAllocator(session, selection.id)
    # A savepoint: a refusal half-way leaves nothing behind, also for the page that
    # shows the refusal in the same transaction.
    with session.begin_nested():
        for given in items:
            value = clean_it_answer(given)
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
                values = RequirementFields.of(requirement)
                if old_answer.get("value") != value:  # new answer, new text
                    values.title = generated["title"]
                    values.description = generated["description"]
                    values.verification_criterion = generated["verification_criterion"]
                values.priority = item.priority
                values.knockout = item.knockout
                values.knockout_rationale = item.knockout_rationale
                update_requirement(
                    session, requirement, actor, role, values, expected_version=None,
                    reason=reason, structured=answer)
                result.updated.append(requirement)
                continue
            values = RequirementFields(
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
                create_requirement(
                    session, selection, actor, role, values, structured=answer, codes=codes,
                    reason=reason, refresh=False)
            )
    if result.created:
        refresh_quality(session, selection.id, result.created)
    return result
