"""Audit entries in words: what an entry is about and what it changed.

One wording for the report (its late changes and its appendix's numbers) and the audit
trail page and its exports (`selector.services.audit_trail`), so that both say the same
of the same entry. Never the stored JSON; labels from `selector.report.labels`, in the
current report language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from selector.domain.vocabulary import PHASES
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.report.i18n import number
from selector.report.i18n import t_
from selector.report.labels import action_label
from selector.report.labels import attribution
from selector.report.labels import domain_label
from selector.report.labels import entity_label
from selector.report.labels import field_labels
from selector.report.labels import phase_label
from selector.report.labels import price_method_labels
from selector.report.labels import priority_label
from selector.report.labels import role_label
from selector.report.labels import status_label
from selector.report.process_record import AuditCount
from selector.report.text import clean
from selector.report.text import shorten

CHANGED_TEXT = 60  # characters of a changed text shown in a change

# Entities whose key names a member (an e-mail): the words name the role instead.
KEYED_BY_MEMBER = {AuditEntity.ALLOCATION, AuditEntity.PAIRWISE}
# Entities of the selection as a whole: their key (the selection's name) says nothing.
WHOLE_SELECTION = {AuditEntity.SELECTION, AuditEntity.GROUP_BALANCE,
                   AuditEntity.FINAL_WEIGHTS, AuditEntity.WEIGHTS}
# Actions whose stored values are bookkeeping (counts, digests, links): the action's
# label says what happened; the values add nothing a reader needs.
EVENTS = frozenset(AuditAction) - {AuditAction.CREATE, AuditAction.UPDATE,
                                   AuditAction.DELETE, AuditAction.DECIDE,
                                   AuditAction.DECLARE, AuditAction.PHASE}


class AuditedChange(Protocol):
    """What the words read of an entry (`AuditChange` and `AuditEntry` have it)."""

    action: str
    entity: str
    entity_key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class AuditNames:
    """The selection's names for the keys an entry holds."""

    category_name: Mapping[str, str]  # category key -> name
    member_role: Mapping[str, str]  # e-mail -> role


def parsed(value: str | None) -> Any:
    """A stored old or new value as data (a text that is no JSON as it is)."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _value_text(names: AuditNames, field: str, value: Any) -> str:
    """One stored value in words: labels for the vocabulary, quotes around text."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return t_("yes") if value else t_("no")
    if isinstance(value, int | float):
        return number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, str):
        if field == "priority":
            return priority_label(value)
        if field == "status":
            return status_label(value)
        if field in ("domain", "owner_group"):
            return domain_label(value)
        if field == "phase":
            return phase_label(value).lower()
        if field == "role":
            return role_label(value)
        if field == "price_method":
            return price_method_labels().get(value, value)
        if field == "category":
            return names.category_name.get(value, value)
        return "“" + shorten(value, CHANGED_TEXT) + "”"
    return t_("changed")  # a list or a structure: that it changed is what matters


def _differences(names: AuditNames, old: Any, new: Any) -> list[str]:
    """ "field old → new" for every field that differs; category keys as names."""
    if not isinstance(old, dict) and not isinstance(new, dict):
        return [f"{_value_text(names, '', old)} → {_value_text(names, '', new)}"]
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    labels = field_labels()
    parts = []
    for field in list(old) + [f for f in new if f not in old]:
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        if isinstance(before, dict) or isinstance(after, dict):  # final weights per category
            parts.extend(_differences(names, before or {}, after or {}))
            continue
        name = labels.get(field) or names.category_name.get(field, field.replace("_", " "))
        parts.append(f"{name} {_value_text(names, field, before)} → "
                     f"{_value_text(names, field, after)}")
    return parts


def _values(names: AuditNames, values: Mapping[str, Any]) -> list[str]:
    """ "field value" for every field of a created or deleted thing that has one."""
    labels = field_labels()
    return [f"{labels.get(field) or field.replace('_', ' ')} {_value_text(names, field, value)}"
            for field, value in values.items() if value is not None and value != ""]


def change_text(names: AuditNames, change: AuditedChange) -> str:
    """What an audit entry changed, in words (never the stored JSON)."""
    old, new = parsed(change.old), parsed(change.new)
    if change.entity == AuditEntity.SELECTION and change.action == AuditAction.PHASE:
        before = (old or {}).get("phase") if isinstance(old, dict) else None
        after = (new or {}).get("phase") if isinstance(new, dict) else None
        forward = (before in PHASES and after in PHASES
                   and PHASES.index(after) > PHASES.index(before))
        sentence = (t_("moved on from the {old} phase to the {new} phase") if forward
                    else t_("moved back from the {old} phase to the {new} phase"))
        return sentence.format(old=_value_text(names, "phase", before),
                               new=_value_text(names, "phase", after))
    if change.action in EVENTS:
        return action_label(change.action)
    if change.action == AuditAction.CREATE or change.action == AuditAction.DELETE:
        values = new if change.action == AuditAction.CREATE else old
        values = values if isinstance(values, dict) else {}
        title = values.get("title") or values.get("name")
        label = action_label(change.action)
        if title:
            return f"{label}: “{shorten(title, CHANGED_TEXT)}”"
        parts = _values(names, values)
        return f"{label}: " + "; ".join(parts) if parts else label
    parts = _differences(names, old, new)
    return "; ".join(parts) if parts else action_label(change.action)


def subject_text(names: AuditNames, change: AuditedChange) -> str:
    """The changed thing: its kind, and its code or name, or whose it is by role."""
    what = entity_label(change.entity)
    if change.entity in KEYED_BY_MEMBER:
        owner = change.entity_key.split(" ")[0]
        role = names.member_role.get(owner)
        return t_("{what} of {member}").format(what=what, member=attribution(role or ""))
    if change.entity in WHOLE_SELECTION or not change.entity_key:
        return what
    if change.entity == AuditEntity.CATEGORY:
        return f"{what} {names.category_name.get(change.entity_key, clean(change.entity_key))}"
    return f"{what} {clean(change.entity_key)}"


def count_lines(counts: Iterable[AuditCount]) -> tuple[AuditCount, ...]:
    """The trail in numbers, per kind and action (the appendix's table)."""
    return tuple(
        AuditCount(entity_label(c.entity), action_label(c.action), c.count)
        for c in sorted(counts, key=lambda c: (c.entity, c.action))
    )
