"""Categories: the facilitator adds, renames, moves, re-assigns (domain) and removes them.

A new selection starts with the default CRM category set of `seed/categories.json`
(created by `selections.create_selection`). Each seed category carries a short code
(`SAL`, `BCK`) from which requirement codes are made (`BUS-SAL-03`, `IT-BCK-03`).

Once the weights are frozen, or scoring has opened, a change needs a reason: it is
audited and the report lists it as a change after the freeze.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain.vocabulary import DOMAINS, AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import Account, Allocation, Category, FinalWeight, Requirement, Selection
from selector.paths import bundled
from selector.services import audit
from selector.services.errors import ServiceError
from selector.services.quality_flags import refresh_category_quality

MAX_NAME = limits.max_length("category", "name")  # as for `selector import`
MAX_KEY = limits.max_length("category", "key")
MAX_REASON = limits.REASON_LENGTH
DOMAIN_PREFIX = {"business": "BUS", "it": "IT"}
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class SeedCategory:
    key: str
    domain: str
    code: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.key


def _seed_path() -> Path:
    return bundled("seed") / "categories.json"


@lru_cache(maxsize=4)
def _read_seed(path: str, mtime: float) -> tuple[SeedCategory, ...]:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(
        SeedCategory(e["key"], e["domain"], e.get("code") or "", dict(e.get("name") or {}))
        for e in entries
    )


def seed_categories(path: Path | None = None) -> tuple[SeedCategory, ...]:
    """The default category set (empty when the seed file is missing)."""
    path = path or _seed_path()
    try:
        return _read_seed(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return ()


def seed_category(key: str) -> SeedCategory | None:
    return next((c for c in seed_categories() if c.key == key), None)


def code_prefix(key: str, domain: str) -> str:
    """The start of a requirement code in this category: the domain's prefix and the
    seed code when the key is a seed category's (`IT-BCK`), else derived from the key
    (`custom_things` -> `BUS-CUS`)."""
    seed = seed_category(key)
    if seed is not None and seed.code:
        code = seed.code.upper()
    else:
        letters = re.sub(r"[^A-Za-z0-9]", "", _ascii(key)).upper()
        code = letters[:3] or "CAT"
    return f"{DOMAIN_PREFIX.get(domain, 'BUS')}-{code}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def key_from_name(name: str) -> str:
    """A key for a new category: the name in lower case ASCII with underscores."""
    key = re.sub(r"[^a-z0-9]+", "_", _ascii(name).lower()).strip("_")
    return key[:MAX_KEY].rstrip("_") or "category"


# -- rules ------------------------------------------------------------------------------


def frozen_reason_needed(selection: Selection) -> bool:
    """Do changes of categories and requirements need a reason now (weights frozen, or
    scoring opened)?"""
    return selection.weights_frozen or selection.scoring_started


def _check_reason(selection: Selection, reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _l("The reason can have at most %(count)d characters.", count=MAX_REASON), "reason")
    if frozen_reason_needed(selection) and not reason:
        raise ServiceError(
            _l("The weights are frozen or scoring has opened: say why this category changes."),
            "reason",
        )
    return reason


def _check_name(session: Session, selection: Selection, name: str,
                except_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_l("Give the category a name."), "name")
    if len(name) > MAX_NAME:
        raise ServiceError(
            _l("The name can have at most %(count)d characters.", count=MAX_NAME), "name")
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


def _check_domain(domain: str) -> str:
    if domain not in DOMAINS:
        raise ServiceError(_l("Choose business or IT."), "domain")
    return domain


def get_category(session: Session, selection: Selection, category_id: int) -> Category:
    """A category of this selection (another selection's is not found)."""
    category = session.get(Category, category_id)
    if category is None or category.selection_id != selection.id:
        from selector.services.errors import NotFound

        raise NotFound(_l("There is no such category in this selection."), "category")
    return category


def categories_of(session: Session, selection_id: int) -> list[Category]:
    return list(
        session.scalars(
            select(Category).where(Category.selection_id == selection_id)
            .order_by(Category.position, Category.id)
        )
    )


def requirement_counts(session: Session, selection_id: int) -> dict[int, int]:
    """Category id -> number of requirements in it."""
    return dict(
        session.execute(
            select(Requirement.category_id, func.count())
            .where(Requirement.selection_id == selection_id)
            .group_by(Requirement.category_id)
        ).all()
    )


def _snapshot(category: Category) -> dict[str, object]:
    return {"key": category.key, "name": category.name, "domain": category.domain}


# -- changes ----------------------------------------------------------------------------


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
    reason = _check_reason(selection, reason)
    name = _check_name(session, selection, name)
    domain = _check_domain(domain)
    key = key.strip().lower() or key_from_name(name)
    if not _KEY.match(key) or len(key) > MAX_KEY:
        raise ServiceError(
            _l("A key has lower-case letters, digits, '-' and '_' only."), "key")
    taken = set(session.scalars(select(Category.key).where(Category.selection_id == selection.id)))
    base, number = key, 2
    while key in taken:
        key = f"{base[: MAX_KEY - 4]}_{number}"
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
                 entity=AuditEntity.CATEGORY, entity_key=key, new=_snapshot(category),
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
                 entity=AuditEntity.CATEGORY, entity_key=key, new=_snapshot(category))
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
    name = _check_name(session, selection, name, except_id=category.id)
    domain = _check_domain(domain)
    if name == category.name and domain == category.domain:
        return False
    reason = _check_reason(selection, reason)
    old = _snapshot(category)
    domain_changed = domain != category.domain
    category.name, category.domain = name, domain
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                 entity=AuditEntity.CATEGORY, entity_key=category.key, old=old,
                 new=_snapshot(category),
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
    reason = _check_reason(selection, reason)
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
    old = _snapshot(category)
    session.delete(category)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.DELETE,
                 entity=AuditEntity.CATEGORY, entity_key=old["key"], old=old, reason=reason)
