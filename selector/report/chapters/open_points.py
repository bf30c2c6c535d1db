"""The open points: unverified knock-outs, gaps, wide disagreements, late changes."""

from __future__ import annotations

import json
from typing import Any

from selector.domain.vocabulary import AuditAction, AuditEntity
from selector.report.chapters.summary import (
    coverage_sentences,
    perspectives_agreement,
    unverified_sentences,
)
from selector.report.chapters.weights import build_weights
from selector.report.contents import ChangeLine, DisagreementLine, OpenPoints
from selector.report.context import ReportContext
from selector.report.i18n import number, short_date, t_
from selector.report.labels import (
    action_label,
    attribution,
    domain_label,
    entity_label,
    field_labels,
    phase_label,
    priority_label,
    role_label,
    status_label,
)
from selector.report.process_record import ROLE_ORDER, AuditChange, late_changes
from selector.report.text import clean, shorten

DISAGREEMENTS_SHOWN = 15
CHANGED_TEXT = 60  # characters of a changed text shown in the list of changes

# Entities whose key names a member (an e-mail): the report names the role instead.
_KEYED_BY_MEMBER = {AuditEntity.ALLOCATION, AuditEntity.PAIRWISE}
# Entities of the selection as a whole: their key (the selection's name) says nothing.
_WHOLE_SELECTION = {AuditEntity.SELECTION, AuditEntity.GROUP_BALANCE,
                    AuditEntity.FINAL_WEIGHTS, AuditEntity.WEIGHTS}


def _parsed(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _value_text(context: ReportContext, field: str, value: Any) -> str:
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
        if field == "category":
            return context.category_name.get(value, value)
        return "“" + shorten(value, CHANGED_TEXT) + "”"
    return t_("changed")  # a list or a structure: that it changed is what matters


def _differences(context: ReportContext, old: Any, new: Any) -> list[str]:
    """ "field old → new" for every field that differs; category keys as names."""
    if not isinstance(old, dict) and not isinstance(new, dict):
        return [f"{_value_text(context, '', old)} → {_value_text(context, '', new)}"]
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    names = field_labels()
    parts = []
    for field in list(old) + [f for f in new if f not in old]:
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        if isinstance(before, dict) or isinstance(after, dict):  # final weights per category
            parts.extend(_differences(context, before or {}, after or {}))
            continue
        name = names.get(field) or context.category_name.get(field, field)
        parts.append(f"{name} {_value_text(context, field, before)} → "
                     f"{_value_text(context, field, after)}")
    return parts


def change_text(context: ReportContext, change: AuditChange) -> str:
    """What an audit entry changed, in words (never the stored JSON)."""
    old, new = _parsed(change.old), _parsed(change.new)
    if change.entity == AuditEntity.SELECTION and change.action == AuditAction.PHASE:
        return t_("moved back from the {old} phase to the {new} phase").format(
            old=_value_text(context, "phase", (old or {}).get("phase")),
            new=_value_text(context, "phase", (new or {}).get("phase")),
        )
    if change.action == AuditAction.CREATE or change.action == AuditAction.DELETE:
        values = new if change.action == AuditAction.CREATE else old
        values = values if isinstance(values, dict) else {}
        title = values.get("title") or values.get("name")
        label = action_label(change.action)
        return f"{label}: “{shorten(title, CHANGED_TEXT)}”" if title else label
    parts = _differences(context, old, new)
    return "; ".join(parts) if parts else action_label(change.action)


def _what(context: ReportContext, change: AuditChange) -> str:
    """The changed thing: its kind, and its code or name, or whose it is by role."""
    what = entity_label(change.entity)
    if change.entity in _KEYED_BY_MEMBER:
        owner = change.entity_key.split(" ")[0]
        role = context.member_role.get(owner)
        return t_("{what} of {member}").format(what=what, member=attribution(role or ""))
    if change.entity in _WHOLE_SELECTION or not change.entity_key:
        return what
    if change.entity == AuditEntity.CATEGORY:
        return f"{what} {context.category_name.get(change.entity_key, clean(change.entity_key))}"
    return f"{what} {clean(change.entity_key)}"


def build_open_points(context: ReportContext) -> OpenPoints:
    unverified = unverified_sentences(context, context.vendors)
    coverage = coverage_sentences(context)
    wide = [s for s in context.spreads if s.discussion_point]
    disagreements = []
    for spread in wide[:DISAGREEMENTS_SHOWN]:
        by_role: dict[str, list[int]] = {}
        for member, score in spread.scores.items():
            by_role.setdefault(context.member_role.get(member, ""), []).append(score)
        roles = sorted(by_role, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 9)
        disagreements.append(
            DisagreementLine(
                vendor=context.name_of(spread.vendor),
                code=spread.requirement,
                title=context.title(spread.requirement),
                scores=" · ".join(
                    f"{role_label(role) if role else '–'} "
                    + ", ".join(str(x) for x in sorted(by_role[role]))
                    for role in roles
                ),
                range=spread.range,
            )
        )
    process = context.process
    changes = []
    if process is not None:
        for change in late_changes(process):
            changes.append(
                ChangeLine(
                    date=short_date(change.at),
                    what=_what(context, change),
                    change=change_text(context, change),
                    by=role_label(change.actor_role) if change.actor_role else t_("system"),
                    reason=clean(change.reason),
                )
            )
    dissent = []
    sentence, agree = perspectives_agreement(context)
    if agree is False:
        dissent.append(sentence)
    weights = build_weights(context)
    if weights.divergence:
        dissent.append(
            t_("Business and IT weighed these categories 10 percentage points or more apart:")
        )
        dissent.extend(weights.divergence)
    nothing = not (unverified or coverage or wide or changes or dissent)
    return OpenPoints(
        unverified=tuple(unverified),
        coverage=tuple(coverage),
        disagreements=tuple(disagreements),
        disagreements_total=len(wide),
        changes=tuple(changes),
        changes_known=process is not None,
        dissent=tuple(dissent),
        nothing_open=nothing,
    )
