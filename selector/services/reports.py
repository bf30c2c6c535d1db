"""The argued selection report of a stored selection, and sealed final reports.

`process_info` reads what only the database knows (phase history, freezes, the audit
trail, the facilitator's recommendation and decision record) for
`selector.report.build.build_report_data`. `selection_report` renders the PDF of a
stored selection as it is now (a draft). `issue_final_report` seals one: the PDF is
stored with its SHA-256, the moment it was issued and the ranking document it was
computed from, so later changes to the selection never alter it; the newest sealed
report is the current one (`current_final_report`). Issuing is audited.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import FREEZE_RELEVANT, AuditAction, AuditEntity
from selector.models import Account, AuditEntry, FinalReport, Membership, Selection
from selector.models.base import utcnow
from selector.report.build import build_report_data
from selector.report.contents import ReportData
from selector.report.process_record import (
    AuditChange,
    AuditCount,
    PhaseChange,
    ProcessInfo,
    SeenChange,
    phase_from_audit,
)
from selector.services import audit, disclosures
from selector.services.errors import NotFound, ServiceError
from selector.services.ranking import ranked_selection
from selector.services.selection_file import export_selection

LANGUAGES = ("nl", "en")


# The messages below are plain English for now: the web app's catalogue
# (translations/*/messages.po) belongs to the web layer, which marks them with `_l`
# when it adds the report pages.


def process_info(
    session: Session,
    selection_id: int,
    *,
    status: str = "draft",
    issued_at: datetime | None = None,
) -> ProcessInfo:
    """The process record of a stored selection, for the report."""
    selection = session.get(Selection, selection_id)
    if selection is None:
        raise NotFound("There is no such selection.")
    memberships = session.execute(
        select(Membership.account_id, Membership.role, Membership.joined_at, Account.email)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == selection_id)
    ).all()
    role_of_account = {m.account_id: m.role for m in memberships}
    joined = {m.email: m.joined_at for m in memberships}

    phase_rows = session.execute(
        select(AuditEntry.at, AuditEntry.action, AuditEntry.new, AuditEntry.reason)
        .where(
            AuditEntry.selection_id == selection_id,
            AuditEntry.entity == AuditEntity.SELECTION,
            AuditEntry.action.in_((AuditAction.PHASE, AuditAction.IMPORT)),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    phases: list[PhaseChange] = []
    if not any(row.action == AuditAction.IMPORT for row in phase_rows):
        phases.append(PhaseChange(selection.created_at, "requirements"))
    for row in phase_rows:
        phase = phase_from_audit(row.new)
        if phase:
            phases.append(
                PhaseChange(row.at, phase, row.reason or "",
                            imported=row.action == AuditAction.IMPORT)
            )

    freezes = [t for t in (selection.requirements_frozen_at, selection.weights_frozen_at) if t]
    changes: list[AuditChange] = []
    if freezes:
        watched = sorted(FREEZE_RELEVANT)
        rows = session.execute(
            select(AuditEntry)
            .where(
                AuditEntry.selection_id == selection_id,
                AuditEntry.at > min(freezes),
                or_(
                    AuditEntry.entity.in_(watched),
                    and_(AuditEntry.entity == AuditEntity.SELECTION,
                         AuditEntry.action == AuditAction.PHASE),
                ),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        ).scalars()
        changes = [
            AuditChange(
                at=entry.at,
                action=entry.action,
                entity=entry.entity,
                entity_key=entry.entity_key,
                actor_role=role_of_account.get(entry.account_id, ""),
                old=entry.old,
                new=entry.new,
                reason=entry.reason,
            )
            for entry in rows
        ]
    counts = session.execute(
        select(AuditEntry.entity, AuditEntry.action, func.count())
        .where(AuditEntry.selection_id == selection_id)
        .group_by(AuditEntry.entity, AuditEntry.action)
    ).all()
    return ProcessInfo(
        status=status,
        issued_at=issued_at,
        phase=selection.phase,
        created_at=selection.created_at,
        recommendation=selection.recommendation or "",
        decision_context=selection.decision_context or "",
        decision_options=selection.decision_options or "",
        decision=selection.decision or "",
        decision_consequences=selection.decision_consequences or "",
        final_weights_rationale=selection.final_weights_rationale or "",
        phases=tuple(phases),
        requirements_frozen_at=selection.requirements_frozen_at,
        weights_frozen_at=selection.weights_frozen_at,
        member_joined=joined,
        changes=tuple(changes),
        audit_counts=tuple(AuditCount(e, a, int(n)) for e, a, n in counts),
        seen_changes=tuple(
            SeenChange(c.member, c.vendor, c.requirement, c.seen_at, c.changed_at)
            for c in disclosures.changes_after_seeing(session, selection_id)),
    )


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    ranking: dict[str, Any]
    report: ReportData


def selection_report_data(
    session: Session,
    selection_id: int,
    language: str | None = None,
    *,
    status: str = "draft",
    issued_at: datetime | None = None,
) -> tuple[ReportData, dict]:
    """What the report of a stored selection says as it is now, and the ranking it
    rests on, without drawing it: the web page shows this as HTML.

    `language` None means the selection's own. Raises NotFound or RankingUnavailable
    (`services.ranking`).
    """
    if language is not None and language not in LANGUAGES:
        raise ServiceError("Choose Dutch or English.", "language")
    ranked = ranked_selection(session, selection_id)
    doc = export_selection(session, selection_id)
    process = process_info(session, selection_id, status=status, issued_at=issued_at)
    report = build_report_data(
        doc,
        ranked,
        process=process,
        language=language or doc["selection"].get("language") or "en",
        today=(issued_at or utcnow()).date(),
    )
    return report, ranked.ranking


def selection_report(
    session: Session,
    selection_id: int,
    language: str | None = None,
    *,
    status: str = "draft",
    issued_at: datetime | None = None,
) -> RenderedReport:
    """The report of a stored selection as it is now: PDF bytes, ranking and data."""
    from selector.report.pdf import render_pdf

    report, ranking = selection_report_data(
        session, selection_id, language, status=status, issued_at=issued_at
    )
    return RenderedReport(render_pdf(report), ranking, report)


def issue_final_report(
    session: Session, selection_id: int, actor: Account | None, language: str
) -> FinalReport:
    """Seal the final report: store the PDF with its SHA-256, date and ranking; audited.

    Only the facilitator issues it (an `actor` of None is the system, e.g. a script),
    and only in the decision phase, when scoring is closed. Issuing again later makes
    a new current report; earlier ones stay stored unchanged.
    """
    selection = session.get(Selection, selection_id)
    if selection is None:
        raise NotFound("There is no such selection.")
    if actor is not None:
        role = session.scalar(
            select(Membership.role).where(
                Membership.selection_id == selection_id,
                Membership.account_id == actor.id,
                Membership.removed_at.is_(None),
            )
        )
        if role != "facilitator":
            raise ServiceError("Only the facilitator can issue the final report.")
    if not selection.scoring_closed:
        raise ServiceError(
            "The final report can be issued in the decision phase, when scoring is closed."
        )
    if language not in LANGUAGES:
        raise ServiceError("Choose Dutch or English.", "language")
    issued_at = utcnow()
    rendered = selection_report(
        session, selection_id, language, status="final", issued_at=issued_at
    )
    digest = hashlib.sha256(rendered.pdf).hexdigest()
    report = FinalReport(
        selection_id=selection_id,
        issued_at=issued_at,
        issued_by_id=actor.id if actor is not None else None,
        language=language,
        sha256=digest,
        ranking=json.dumps(rendered.ranking, ensure_ascii=False, sort_keys=True),
        pdf=rendered.pdf,
    )
    session.add(report)
    session.flush()
    winner = rendered.report.summary.recommended
    audit.record(
        session,
        selection_id=selection_id,
        actor=actor,
        action=AuditAction.ISSUE,
        entity=AuditEntity.FINAL_REPORT,
        entity_key=str(report.id),
        new={
            "sha256": digest,
            "language": language,
            "issued_at": issued_at.isoformat(),
            "recommended": winner.key if winner else None,
            "bytes": len(rendered.pdf),
        },
    )
    session.flush()
    return report


def final_reports(session: Session, selection_id: int) -> list[FinalReport]:
    """Every sealed report of a selection, newest (the current one) first."""
    return list(
        session.scalars(
            select(FinalReport)
            .where(FinalReport.selection_id == selection_id)
            .order_by(FinalReport.issued_at.desc(), FinalReport.id.desc())
        )
    )


def current_final_report(session: Session, selection_id: int) -> FinalReport | None:
    """The newest sealed report of a selection, or None."""
    return session.scalars(
        select(FinalReport)
        .where(FinalReport.selection_id == selection_id)
        .order_by(FinalReport.issued_at.desc(), FinalReport.id.desc())
        .limit(1)
    ).first()
