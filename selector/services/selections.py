"""Selections: creating one, moving it through its phases, and what its overview shows.

Phases run requirements -> weighting -> scoring -> decision. The facilitator moves a
selection one phase forward, or one phase back with a reason, never back once the final
report is sealed (decisions.md). Every change is audited in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain.phases import DECISION
from selector.domain.phases import SCORING
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import PHASES
from selector.domain.vocabulary import REQUIREMENTS
from selector.domain.vocabulary import SPONSOR
from selector.domain.vocabulary import WEIGHERS
from selector.domain.vocabulary import WEIGHTING
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Allocation
from selector.models import Category
from selector.models import Consensus
from selector.models import FinalReport
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import Sheet
from selector.models import Vendor
from selector.models import Verdict
from selector.models.base import utcnow
from selector.paths import bundled
from selector.services import audit
from selector.services import reports
from selector.services import scoring
from selector.services import weighting
from selector.services.errors import ServiceError
from selector.services.memberships import role_order
from selector.services.written import written_text

SCALES = (3, 4, 5, 10)  # offered in the form; all within limits.SCALE_MIN..SCALE_MAX
MAX_REASON = limits.REASON_LENGTH
MAX_NAME = limits.max_length("selection", "name")
MAX_ORGANISATION = limits.max_length("selection", "organisation")


# -- creating -----------------------------------------------------------------------------


def default_categories(language: str, path: Path | None = None) -> list[dict[str, str]]:
    """The category set a new selection starts with (`seed/categories.json`), names in
    `language`; empty when the seed file is not there."""
    path = path or bundled("seed") / "categories.json"
    if not path.is_file():
        return []
    entries = json.loads(path.read_text(encoding="utf-8"))
    categories = []
    for entry in entries:
        names = entry.get("name") or {}
        name = names.get(language) or names.get("en") or entry["key"]
        categories.append({"key": entry["key"], "domain": entry["domain"], "name": name})
    return categories


def create_selection(
    session: Session,
    actor: Account,
    *,
    name: str,
    organisation: str = "",
    language: str = "en",
    scale_max: int = 5,
    business_share: float = 0.5,
) -> Selection:
    """A new selection with the default categories; `actor` becomes its facilitator."""
    name = written_text(name, "name", MAX_NAME, required=_l("Give the selection a name."))
    organisation = written_text(organisation, "organisation", MAX_ORGANISATION)
    if language not in ("nl", "en"):
        raise ServiceError(_l("Choose Dutch or English."), "language")
    if scale_max not in SCALES:
        raise ServiceError(_l("Choose one of the offered scales."), "scale_max")
    if not 0 <= business_share <= 1:
        raise ServiceError(_l("The business share is a percentage from 0 to 100."),
                           "business_share")
    selection = Selection(
        name=name,
        organisation=organisation,
        language=language,
        scale_max=scale_max,
        balance_business=business_share,
        balance_it=1 - business_share,
    )
    session.add(selection)
    session.flush()
    for position, category in enumerate(default_categories(language)):
        session.add(Category(selection_id=selection.id, position=position, **category))
    session.add(Membership(selection_id=selection.id, account_id=actor.id, role="facilitator"))
    session.flush()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
        entity=AuditEntity.SELECTION,
        entity_key=name,
        new={
            "name": name, "organisation": organisation, "language": language,
            "scale_max": scale_max, "group_balance": {
                "business": selection.balance_business, "it": selection.balance_it},
        },
    )
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
        entity=AuditEntity.MEMBER,
        entity_key=actor.email, new={"role": "facilitator"},
    )
    return selection


@dataclass
class SelectionSummary:
    selection: Selection
    role: str
    members: int


def selections_of(session: Session, account: Account) -> list[SelectionSummary]:
    """The selections an account is a current member of, newest first."""
    member_count = (
        select(func.count())
        .where(Membership.selection_id == Selection.id, Membership.removed_at.is_(None))
        .correlate(Selection)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Selection, Membership.role, member_count)
        .join(Membership, Membership.selection_id == Selection.id)
        .where(Membership.account_id == account.id, Membership.removed_at.is_(None))
        .order_by(Selection.created_at.desc(), Selection.id.desc())
    ).all()
    return [SelectionSummary(s, role, count) for s, role, count in rows]


# -- phases -------------------------------------------------------------------------------


def next_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def previous_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index - 1] if index > 0 else None


def is_sealed(session: Session, selection: Selection) -> bool:
    """Has a final report been issued (the selection can no longer move back)?"""
    return session.scalar(
        select(func.count()).select_from(FinalReport).where(
            FinalReport.selection_id == selection.id)
    ) > 0


def change_phase(
    session: Session, selection: Selection, actor: Account, direction: str, reason: str = ""
) -> str:
    """Move one phase forward, or back with a reason; returns the new phase."""
    reason = reason.strip()
    old = selection.phase
    if direction == "forward":
        new = next_phase(old)
        if new is None:
            raise ServiceError(_l("The decision is the last phase."), "direction")
    elif direction == "back":
        new = previous_phase(old)
        if new is None:
            raise ServiceError(_l("The requirements phase is the first phase."), "direction")
        if not reason:
            raise ServiceError(_l("Say why the selection goes back a phase."), "reason")
        if is_sealed(session, selection):
            raise ServiceError(
                _l("The final report is sealed: the selection cannot go back."), "direction"
            )
    else:
        raise ServiceError(_l("Choose forward or back."), "direction")
    written_text(reason, "reason", MAX_REASON)
    if new == SCORING and direction == "forward":  # weights are frozen before scoring (issue 6)
        weighting.require_frozen_before_scoring(session, selection)
    if new == SCORING and direction == "forward":
        selection.requirements_frozen_at = utcnow()  # requirements freeze as scoring opens
    elif old == SCORING and direction == "back":
        selection.requirements_frozen_at = None
    selection.phase = new
    if new == SCORING and old == DECISION:
        # While scoring was closed everyone could see every score (issue 17, item 13).
        scoring.note_all_vendors(session, selection)
    elif new == SCORING and selection.facilitator_sees_all:
        scoring.note_all_vendors(session, selection, roles=("facilitator",))
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.PHASE,
        entity=AuditEntity.SELECTION,
        entity_key=selection.name, old={"phase": old}, new={"phase": new}, reason=reason,
    )
    session.flush()
    return new


# -- the overview -------------------------------------------------------------------------


@dataclass
class Progress:
    """How far one phase is: `done` of `total`, and what the numbers are of (`kind`)."""

    phase: str
    state: str  # "done", "current" or "upcoming"
    kind: str
    done: int
    total: int
    facts: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Task:
    """One thing a member still has (or had) to do in the current phase."""

    kind: str
    done: int
    total: int

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class MemberTasks:
    membership: Membership
    account: Account
    tasks: list[Task]


@dataclass
class Overview:
    selection: Selection
    progress: list[Progress]
    members: list[MemberTasks]
    sealed: bool
    counts: dict[str, int]


def overview(session: Session, selection: Selection) -> Overview:
    """Per-phase progress and per-member tasks, in a handful of grouped queries."""
    sid = selection.id
    members = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == sid, Membership.removed_at.is_(None))
        .order_by(role_order(), Account.name, Account.email)
    ).all()
    roles = {m.id: m.role for m, _ in members}
    weighers = [m.id for m, _ in members if m.role in WEIGHERS]
    counted = scoring.counted_scorers(session, selection)
    scorers = [m.id for m, _ in members if m.id in counted]

    by_status = dict(
        session.execute(
            select(Requirement.status, func.count())
            .where(Requirement.selection_id == sid)
            .group_by(Requirement.status)
        ).all()
    )
    requirements = sum(by_status.values())
    proposed = by_status.get("proposed", 0)
    knockouts = session.scalar(
        select(func.count()).select_from(Requirement).where(
            Requirement.selection_id == sid, Requirement.is_active_knockout,
        )
    )
    raised = dict(
        session.execute(
            select(Requirement.raised_by_id, func.count())
            .where(Requirement.selection_id == sid, Requirement.raised_by_id.is_not(None))
            .group_by(Requirement.raised_by_id)
        ).all()
    )
    allocated = set(
        session.scalars(
            select(Allocation.membership_id)
            .join(Category, Category.id == Allocation.category_id)
            .where(Category.selection_id == sid, Allocation.points > 0)
            .distinct()
        )
    )
    vendors = session.scalar(
        select(func.count()).select_from(Vendor).where(
            Vendor.selection_id == sid, Vendor.withdrawn.is_(False))
    )
    # A sheet is finished when it is submitted or its member is excluded (conflict).
    finished_sheets = dict(
        session.execute(
            select(Sheet.membership_id, func.count())
            .join(Vendor, Vendor.id == Sheet.vendor_id)
            .where(
                Vendor.selection_id == sid,
                Vendor.withdrawn.is_(False),
                (Sheet.submitted_at.is_not(None)) | Sheet.excluded.is_(True),
            )
            .group_by(Sheet.membership_id)
        ).all()
    )
    verdicts = session.scalar(
        select(func.count()).select_from(Verdict).where(Verdict.selection_id == sid)
    )
    consensus = session.scalar(
        select(func.count()).select_from(Consensus).where(Consensus.selection_id == sid)
    )
    sealed = is_sealed(session, selection)
    # A sealed report whose content has changed since is superseded: not "sealed" here.
    sealed_now = sealed and reports.current_final_report(session, sid) is not None

    current = PHASES.index(selection.phase)

    def state(phase: str) -> str:
        index = PHASES.index(phase)
        return "done" if index < current else "current" if index == current else "upcoming"

    weighed = len([m for m in weighers if m in allocated])
    sheets_done = sum(min(finished_sheets.get(m, 0), vendors) for m in scorers)
    progress = [
        Progress("requirements", state("requirements"), "requirements_decided",
                 requirements - proposed, requirements,
                 {"requirements": requirements, "proposed": proposed,
                  "accepted": by_status.get("accepted", 0), "knockouts": knockouts}),
        Progress("weighting", state("weighting"), "members_weighed", weighed, len(weighers),
                 {"frozen": int(selection.weights_frozen)}),
        Progress("scoring", state("scoring"), "sheets_submitted", sheets_done,
                 len(scorers) * vendors, {"vendors": vendors}),
        Progress("decision", state("decision"), "report_sealed", int(sealed_now), 1,
                 {"consensus": consensus, "verdicts": verdicts,
                  "verdicts_needed": knockouts * vendors}),
    ]

    tasks: list[MemberTasks] = []
    for membership, account in members:
        role = roles[membership.id]
        todo: list[Task] = []
        if selection.phase == REQUIREMENTS:
            if role in DOMAINS:  # business and IT raise their domain's requirements
                todo.append(Task("raise_requirements", raised.get(account.id, 0), 0))
            if role == FACILITATOR:
                todo.append(Task("decide_proposed", requirements - proposed, requirements))
        elif selection.phase == WEIGHTING:
            if role in WEIGHERS:
                todo.append(Task("weigh_categories", int(membership.id in allocated), 1))
            if role == FACILITATOR:
                todo.append(Task("freeze_weights", int(selection.weights_frozen), 1))
        elif selection.scoring_open:
            if membership.id in counted:
                todo.append(Task("submit_sheets", min(finished_sheets.get(membership.id, 0),
                                                      vendors), vendors))
        elif role == FACILITATOR:
            todo.append(Task("record_verdicts", verdicts, knockouts * vendors))
            todo.append(Task("seal_report", int(sealed_now), 1))
        elif role == SPONSOR:
            todo.append(Task("read_report", int(sealed_now), 1))
        tasks.append(MemberTasks(membership, account, todo))

    counts = {"members": len(members), "requirements": requirements, "vendors": vendors,
              "categories": session.scalar(
                  select(func.count()).select_from(Category).where(Category.selection_id == sid))}
    return Overview(selection, progress, tasks, sealed, counts)
