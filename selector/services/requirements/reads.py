"""The requirements area's reads: what the pages, the files and the report show.

Queries only: nothing here adds, changes or deletes a row or writes the audit trail.
The bundled catalogues (the default category set and the requirement library) are read
here too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.it_catalogue import AREAS
from selector.domain.it_catalogue import QUESTIONS
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import PRIORITIES
from selector.domain.vocabulary import STATUSES
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import AuditEntry
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.paths import bundled
from selector.services.errors import NotFound
from selector.services.requirements.rules import DOMAIN_PREFIX
from selector.services.requirements.rules import ascii_text
from selector.services.requirements.rules import flags_of
from selector.services.requirements.rules import structured_of

# -- requirements -------------------------------------------------------------------


def get_requirement(session: Session, selection: Selection, requirement_id: int) -> Requirement:
    """A requirement of this selection; one of another selection is not found."""
    requirement = session.get(Requirement, requirement_id)
    if requirement is None or requirement.selection_id != selection.id:
        raise NotFound(_l("There is no such requirement in this selection."), "requirement")
    return requirement


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


def quality_summary(session: Session, selection_id: int) -> list[RequirementRow]:
    """Requirements with at least one quality flag, for the facilitator's list."""
    return list_requirements(session, selection_id, RequirementFilter(flagged=True))


def existing_library_ids(session: Session, selection_id: int) -> set[str]:
    return set(session.scalars(
        select(Requirement.library_id).where(
            and_(Requirement.selection_id == selection_id, Requirement.library_id.is_not(None)))))


# -- requirement codes (`BUS-SAL-03`) ----------------------------------------------


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


# -- categories, and the default set a selection starts with (seed/categories.json) ---


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
        letters = re.sub(r"[^A-Za-z0-9]", "", ascii_text(key)).upper()
        code = letters[:3] or "CAT"
    return f"{DOMAIN_PREFIX.get(domain, 'BUS')}-{code}"


def get_category(session: Session, selection: Selection, category_id: int) -> Category:
    """A category of this selection (another selection's is not found)."""
    category = session.get(Category, category_id)
    if category is None or category.selection_id != selection.id:
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


# -- the requirement library (seed/library/requirements.json) -----------------------
#
# Every item is written in Dutch and English, with a verification criterion; a pick
# (`writes.pick_from_library`) turns it into a requirement in the selection's language.


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
def _read_library(path: str, mtime: float) -> tuple[LibraryItem, ...]:
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
        return _read_library(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return ()


def browse_library(language: str, category: str = "", search: str = "",
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


# -- IT's structured answers (stored in `Requirement.structured`) -------------------


def current_it_answers(session: Session, selection_id: int
                       ) -> dict[str, tuple[Requirement, dict]]:
    """Slot -> (requirement, its structured answer) for this selection's IT answers."""
    found = {}
    for requirement in session.scalars(
        select(Requirement).where(Requirement.selection_id == selection_id,
                                  Requirement.structured.is_not(None))
        .order_by(Requirement.id)
    ):
        answer = structured_of(requirement)
        if answer and answer.get("slot"):
            found[answer["slot"]] = (requirement, answer)
    return found


def it_file_answers(requirements: list[Requirement]) -> list[dict[str, Any]]:
    """The selection file's `it_answers` of these requirements, by code."""
    found = []
    for requirement in requirements:
        answer = structured_of(requirement)
        if answer and answer.get("item") in QUESTIONS:
            found.append({"requirement": requirement.code, "item": answer["item"],
                          "value": answer.get("value") or {}})
    return sorted(found, key=lambda a: a["requirement"])


def it_answer_table(session: Session, selection_id: int) -> dict[str, list[dict[str, Any]]]:
    """The structured answers per area, for the report's table and the form: each with
    the requirement's code, title, priority, knock-out and status."""
    table: dict[str, list[dict[str, Any]]] = {area.key: [] for area in AREAS}
    for slot, (requirement, answer) in sorted(current_it_answers(session, selection_id).items()):
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
