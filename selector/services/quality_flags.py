"""Quality flags of requirements: computed when a requirement is saved, then stored.

decisions.md: flags (vague words, a must that is neither knock-out nor weighted,
near-duplicates...) are computed from their inputs when those change and stored with the
requirement, not on every page view. The checks themselves are pure
(`selector.domain.quality`); this module reads the rows they need and writes the result.
Services that change an input call `refresh_quality`; it has a module of its own so that
requirements and categories (a category's domain is an input) need not import each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import quality
from selector.models import Category, Requirement

# Past this many changed requirements, duplicates are recomputed for the whole selection
# in one pass instead of one requirement at a time.
BULK_REFRESH = 20


def flags_of(requirement: Requirement | str | None) -> list[dict[str, Any]]:
    """The stored quality flags, parsed."""
    text = requirement.quality_flags if isinstance(requirement, Requirement) else requirement
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _own_flags(requirement: Requirement, domain: str) -> list[quality.Flag]:
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


def _with_duplicates(stored: list[dict[str, Any]], duplicates: list[quality.TitleEntry]
                     ) -> list[dict[str, Any]]:
    kept = [f for f in stored if f.get("code") != quality.DUPLICATE]
    flags = kept + [f.as_json() for f in quality.duplicate_flags(duplicates)]
    order = {code: position for position, code in enumerate(quality.FLAG_CODES)}
    return sorted(flags, key=lambda f: order.get(f.get("code"), 99))  # the stored order


def _dumps(flags: list[dict[str, Any]]) -> str:
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
        own = _own_flags(requirement, domains.get(requirement.category_id, "business"))
        flags = quality.flags_json(own + quality.duplicate_flags(groups.get(requirement.id, [])))
        text = _dumps(flags)
        if requirement.quality_flags != text:
            requirement.quality_flags = text
    updates = []
    for requirement_id in affected:
        duplicates = [] if status.get(requirement_id) == "rejected" else groups.get(
            requirement_id, [])
        text = _dumps(_with_duplicates(flags_of(stored[requirement_id]), duplicates))
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
