"""The CRM requirement library (`seed/library/requirements.json`): picking from it.

Every library item is written in Dutch and English, with a verification criterion. A
picked item becomes a requirement of the selection in the *selection's* language
(decisions.md: generated content follows the selection), with a new code and status
`proposed`: the committee still decides on it. An item already picked into the
selection (same `library_id`) is skipped. A selection that lacks the item's category
gets it from the default category set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.i18n import _l
from selector.models import Account, Category, Requirement, Selection
from selector.paths import bundled
from selector.services import requirements as requirement_service
from selector.services.categories import ensure_seed_category, seed_categories
from selector.services.errors import ServiceError
from selector.services.quality_flags import refresh_quality

MAX_PICK = 500


@dataclass(frozen=True)
class LibraryText:
    title: str
    description: str
    rationale: str
    verification_criterion: str


@dataclass(frozen=True)
class LibraryItem:
    id: str
    category: str
    priority: str
    intent: str
    verification: str
    knockout_suggested: bool
    texts: dict[str, LibraryText] = field(default_factory=dict, hash=False, compare=False)

    def text(self, language: str) -> LibraryText:
        return self.texts.get(language) or self.texts["en"]


def _library_path() -> Path:
    return bundled("seed") / "library" / "requirements.json"


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> tuple[LibraryItem, ...]:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    items = []
    for entry in entries:
        texts = {
            language: LibraryText(
                title=entry[language]["title"],
                description=entry[language].get("description", ""),
                rationale=entry[language].get("rationale", ""),
                verification_criterion=entry[language].get("verification_criterion", ""),
            )
            for language in ("en", "nl")
            if language in entry
        }
        items.append(
            LibraryItem(
                id=entry["id"],
                category=entry["category"],
                priority=entry.get("priority", "should"),
                intent=entry.get("intent", "achieve"),
                verification=entry.get("verification", "demo"),
                knockout_suggested=bool(entry.get("knockout_suggested", False)),
                texts=texts,
            )
        )
    return tuple(items)


def load_library(path: Path | None = None) -> tuple[LibraryItem, ...]:
    """Every library item (read once per change of the file)."""
    path = path or _library_path()
    try:
        return _read(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return ()


def browse(language: str, category: str = "", search: str = "",
           path: Path | None = None) -> list[LibraryItem]:
    """Library items, optionally of one category and matching every word of `search`
    (in title, description or criterion, in `language`), in category order."""
    order = {c.key: position for position, c in enumerate(seed_categories())}
    words = [w.casefold() for w in search.split()[:10]]
    found = []
    for item in load_library(path):
        if category and item.category != category:
            continue
        if words:
            text = item.text(language)
            haystack = " ".join((item.id, text.title, text.description,
                                 text.verification_criterion)).casefold()
            if not all(word in haystack for word in words):
                continue
        found.append(item)
    found.sort(key=lambda i: (order.get(i.category, len(order)), i.id))
    return found


@dataclass
class PickResult:
    created: list[Requirement]
    skipped: list[str]  # library ids already in the selection


def pick(
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
    present = requirement_service.existing_library_ids(session, selection.id)
    categories = {
        c.key: c for c in session.scalars(
            select(Category).where(Category.selection_id == selection.id))
    }
    codes = requirement_service.CodeAllocator(session, selection.id)
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
        values = requirement_service.RequirementFields(
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
            requirement_service.create_requirement(
                session, selection, actor, role, values, library_id=item.id, codes=codes,
                reason=reason, refresh=False,
            )
        )
        present.add(item_id)
    if created:
        refresh_quality(session, selection.id, created)
    return PickResult(created, skipped)
