"""The report's input that only the database knows: the process record.

`ProcessInfo` (phase dates, freezes, audit trail, recommendation and decision record) is
plain data that `selector.services.reports` fills; a report made from a file has none.
The audit rules the report applies to it (what counts as a change after a freeze) live
here beside it; which audited entities a freeze covers is the vocabulary's
(`selector.domain.vocabulary.FROZEN_WITH_REQUIREMENTS` and `FROZEN_WITH_WEIGHTS`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from selector.domain.vocabulary import BUSINESS
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import FROZEN_WITH_REQUIREMENTS
from selector.domain.vocabulary import FROZEN_WITH_WEIGHTS
from selector.domain.vocabulary import IT
from selector.domain.vocabulary import OBSERVER
from selector.domain.vocabulary import PHASES
from selector.domain.vocabulary import SPONSOR
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity

# The order in which the report lists the members by role.
ROLE_ORDER = (SPONSOR, FACILITATOR, BUSINESS, IT, OBSERVER)
PHASE_ORDER = PHASES


@dataclass(frozen=True)
class PhaseChange:
    """The selection entered `phase` at `at` (from the audit trail)."""

    at: datetime
    phase: str
    reason: str = ""
    imported: bool = False  # the selection was imported from a file in this phase


@dataclass(frozen=True)
class AuditChange:
    """One audit entry, with the actor's role in the selection instead of a name."""

    at: datetime
    action: str
    entity: str
    entity_key: str = ""
    actor_role: str = ""
    old: str | None = None
    new: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class AuditCount:
    """How many audit entries one kind and action has: keys in the record, words once
    the report has named them (`selector.report.audit_words.count_lines`)."""

    entity: str
    action: str
    count: int


@dataclass(frozen=True)
class SeenChange:
    """A member's score given or changed after they were first shown the others' scores
    for that vendor (issue 17, item 13; `selector.services.scoring`)."""

    member: str  # e-mail
    vendor: str  # key
    requirement: str  # code
    seen_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class PublishedQuestion:
    """A vendor's question as published to all vendors, with its answer; no asker."""

    question: str
    answer: str
    published_at: datetime


@dataclass(frozen=True)
class SponsorVerdict:
    """The sponsor's newest decision on the recommendation (formats.md `decision`)."""

    verdict: str  # selector.domain.vocabulary.SPONSOR_VERDICTS
    vendor: str  # the vendor's key ("" when none is named)
    by: str  # the sponsor's name (their e-mail when the name is unknown)
    decided_on: date
    reason: str


@dataclass(frozen=True)
class ProcessInfo:
    """What only the database knows about a selection; absent for a selection file.

    `changes` need only hold the entries made after the earliest freeze (the report
    picks the ones that touch frozen content); `audit_counts` summarise the trail.
    """

    status: str = "draft"  # "draft" or "final"
    issued_at: datetime | None = None
    phase: str | None = None
    created_at: datetime | None = None
    recommendation: str = ""
    recommended_vendor: str = ""  # the vendor's key; "" when the facilitator named none
    recommendation_reason: str = ""  # why another vendor than the first-ranked one
    recommendation_by: str = ""  # the facilitator's name
    recommendation_at: datetime | None = None
    sponsor_decision: SponsorVerdict | None = None
    # Why the final report was sealed while the recommended vendor had unverified
    # knock-outs ("" otherwise).
    seal_reason: str = ""
    decision_context: str = ""
    decision_options: str = ""
    decision: str = ""
    decision_consequences: str = ""
    final_weights_rationale: str = ""
    phases: tuple[PhaseChange, ...] = ()
    requirements_frozen_at: datetime | None = None
    weights_frozen_at: datetime | None = None
    member_joined: Mapping[str, datetime] = field(default_factory=dict)  # e-mail -> joined
    changes: tuple[AuditChange, ...] = ()
    audit_counts: tuple[AuditCount, ...] = ()
    seen_changes: tuple[SeenChange, ...] = ()
    questions: tuple[PublishedQuestion, ...] = ()  # the nota van inlichtingen, oldest first


def late_changes(process: ProcessInfo) -> list[AuditChange]:
    """Audit entries that changed frozen content after its freeze, or moved a phase back."""
    changes = []
    previous_phase = None
    for change in sorted(process.changes, key=lambda c: c.at):
        frozen_at = None
        if change.entity in FROZEN_WITH_REQUIREMENTS:
            frozen_at = process.requirements_frozen_at
            # Priorities and explicit weights freeze with the weights (decisions.md).
            if process.weights_frozen_at and (
                frozen_at is None or process.weights_frozen_at < frozen_at
            ):
                frozen_at = process.weights_frozen_at
        elif change.entity in FROZEN_WITH_WEIGHTS:
            frozen_at = process.weights_frozen_at
        elif change.entity == AuditEntity.SELECTION and change.action == AuditAction.PHASE:
            freeze = min(
                (t for t in (process.requirements_frozen_at, process.weights_frozen_at) if t),
                default=None,
            )
            new = phase_from_audit(change.new)
            old = phase_from_audit(change.old) or previous_phase
            previous_phase = new or previous_phase
            back = (
                old in PHASE_ORDER
                and new in PHASE_ORDER
                and PHASE_ORDER.index(new) < PHASE_ORDER.index(old)
            )
            if freeze is not None and change.at > freeze and back:
                changes.append(change)
            continue
        if frozen_at is not None and change.at > frozen_at:
            changes.append(change)
    return changes


def phase_from_audit(value: str | None) -> str | None:
    """The phase named by an audit value: a JSON string or an object with "phase"."""
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return value
    if isinstance(parsed, dict):
        phase = parsed.get("phase")
        return phase if isinstance(phase, str) else None
    return parsed if isinstance(parsed, str) else None
