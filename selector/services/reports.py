"""The argued selection report of a stored selection, and sealed final reports.

`process_info` reads what only the database knows (phase history, freezes, the audit
trail, the facilitator's recommendation and decision record) for
`selector.report.build.build_report_data`. `selection_report` renders the PDF of a
stored selection as it is now (a draft). `issue_final_report` seals one: the PDF is
stored with its SHA-256, the moment it was issued and the ranking document it was
computed from, so later changes to the selection never alter it. Issuing is audited.

Sealing with care (issue 18): sealing is refused while the recommended vendor has a
knock-out without a verdict, unless the facilitator writes why (kept with the report and
in the audit trail). A sealed report keeps the SHA-256 of the selection's content
(`content_digest`); when the content differs later, the report is superseded: it is no
longer the current one (`current_final_report`), and `changes_since` lists what was done
after it was sealed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.domain import vendor_answers as answer_rules
from selector.domain.vocabulary import FREEZE_RELEVANT, AuditAction, AuditEntity
from selector.files.selection_file import SelectionFileError, canonical
from selector.models import (
    Account,
    AuditEntry,
    FinalReport,
    Membership,
    Selection,
    Vendor,
)
from selector.models.base import utcnow
from selector.report.build import build_report_data
from selector.report.contents import ReportData
from selector.report.process_record import (
    AuditChange,
    AuditCount,
    PhaseChange,
    ProcessInfo,
    PublishedQuestion,
    SeenChange,
    SponsorVerdict,
    phase_from_audit,
)
from selector.services import audit, disclosures, recommendations, vendor_questions
from selector.services.errors import NotFound, ServiceError
from selector.services.ranking import ranked_selection
from selector.services.selection_file import export_selection

LANGUAGES = ("nl", "en")
MAX_SEAL_REASON = limits.REASON_LENGTH
SEAL_REASON_TOO_LONG = f"The reason can have at most {MAX_SEAL_REASON:,} characters."


# The messages below are plain English for now: the web app's catalogue
# (translations/*/messages.po) belongs to the web layer, which marks them with `_l`
# when it adds the report pages.


def process_info(
    session: Session,
    selection_id: int,
    *,
    status: str = "draft",
    issued_at: datetime | None = None,
    seal_reason: str = "",
) -> ProcessInfo:
    """The process record of a stored selection, for the report. `seal_reason` is the
    facilitator's reason for sealing while the recommended vendor has unverified
    knock-outs (the report prints it)."""
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
        recommended_vendor=_vendor_key(session, selection_id, selection.recommended_vendor_id),
        recommendation_reason=selection.recommendation_reason or "",
        recommendation_by=_account_name(session, selection.recommendation_by_id),
        recommendation_at=selection.recommendation_at,
        sponsor_decision=_sponsor_decision(session, selection_id),
        seal_reason=seal_reason,
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
        questions=tuple(PublishedQuestion(q.question, q.answer, q.published_at)
                        for q in vendor_questions.published(session, selection)),
    )


def _vendor_key(session: Session, selection_id: int, vendor_id: int | None) -> str:
    """The key of a vendor of this selection ("" for none or another selection's)."""
    if vendor_id is None:
        return ""
    return session.scalar(
        select(Vendor.key).where(Vendor.id == vendor_id, Vendor.selection_id == selection_id)
    ) or ""


def _account_name(session: Session, account_id: int | None) -> str:
    """An account's name, or its e-mail when it has none ("" for no account)."""
    account = session.get(Account, account_id) if account_id is not None else None
    return (account.name or account.email) if account is not None else ""


def _sponsor_decision(session: Session, selection_id: int) -> SponsorVerdict | None:
    """The newest decision of a sponsor (every one is kept; the newest counts)."""
    decision = recommendations.current_decision(session, selection_id)
    if decision is None:
        return None
    return SponsorVerdict(
        verdict=decision.verdict,
        vendor=_vendor_key(session, selection_id, decision.vendor_id),
        by=_account_name(session, decision.by_account_id) or decision.by_email,
        decided_on=decision.decided_on,
        reason=decision.reason,
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
    seal_reason: str = "",
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
    selection = session.get(Selection, selection_id)
    if selection is not None and not answer_rules.answers_visible(
            selection.answers_hidden, selection.answers_deadline, utcnow()):
        # Hidden until the deadline: the report (even a draft) does not quote them.
        doc = {key: value for key, value in doc.items() if key != "answers"}
    process = process_info(session, selection_id, status=status, issued_at=issued_at,
                           seal_reason=seal_reason)
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
    seal_reason: str = "",
) -> RenderedReport:
    """The report of a stored selection as it is now: PDF bytes, ranking and data."""
    from selector.report.pdf import render_pdf

    report, ranking = selection_report_data(
        session, selection_id, language, status=status, issued_at=issued_at,
        seal_reason=seal_reason,
    )
    return RenderedReport(render_pdf(report), ranking, report)


def issue_final_report(
    session: Session, selection_id: int, actor: Account | None, language: str,
    *, seal_reason: str = "",
) -> FinalReport:
    """Seal the final report: store the PDF with its SHA-256, date and ranking, and the
    SHA-256 of the selection's content; audited.

    Only the facilitator issues it (an `actor` of None is the system, e.g. a script),
    and only in the decision phase, when scoring is closed. While the recommended vendor
    has unverified knock-outs, only with a `seal_reason`. Issuing again later makes a
    new current report; earlier ones stay stored unchanged.
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
    seal_reason = (seal_reason or "").strip()
    if len(seal_reason) > MAX_SEAL_REASON:
        raise ServiceError(SEAL_REASON_TOO_LONG, "seal_reason")
    unverified = unverified_knockouts(session, selection)
    if unverified and not seal_reason:
        raise ServiceError(
            "The recommended vendor has knock-outs without a verdict: record the verdicts, "
            "or write why the report is sealed anyway.", "seal_reason")
    seal_reason = seal_reason if unverified else ""  # kept only where it was asked for
    issued_at = utcnow()
    rendered = selection_report(
        session, selection_id, language, status="final", issued_at=issued_at,
        seal_reason=seal_reason,
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
        content_sha256=content_digest(session, selection_id),
        seal_reason=seal_reason,
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
            "content_sha256": report.content_sha256,
            "unverified_knockouts": unverified,
        },
        reason=report.seal_reason,
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


def newest_final_report(session: Session, selection_id: int) -> FinalReport | None:
    """The newest sealed report of a selection, current or superseded, or None."""
    return session.scalars(
        select(FinalReport)
        .where(FinalReport.selection_id == selection_id)
        .order_by(FinalReport.issued_at.desc(), FinalReport.id.desc())
        .limit(1)
    ).first()


def current_final_report(session: Session, selection_id: int) -> FinalReport | None:
    """The newest sealed report of a selection while the selection's content is what
    it was sealed with; None when there is none or it is superseded."""
    report = newest_final_report(session, selection_id)
    if report is None or is_superseded(session, report):
        return None
    return report


# -- sealing with care --------------------------------------------------------------------


def unverified_knockouts(session: Session, selection: Selection) -> list[str]:
    """The codes of the recommended vendor's knock-outs that have no verdict yet."""
    vendor = recommendations.recommended_vendor(session, selection)
    if vendor is None:
        return []
    return list(recommendations.standing(session, selection, vendor).unverified)


def content_digest(session: Session, selection_id: int) -> str:
    """The SHA-256 of what the selection holds now: its selection file in canonical form
    (the recommendation and the sponsor's decision included), plus the recommended
    vendor and the reason for it, which the report prints but formats.md's file does not
    carry. JSON with sorted keys, so the same content always gives the same digest."""
    doc = export_selection(session, selection_id)
    try:
        content = canonical(doc)
    except SelectionFileError:  # a state no file can hold: hash it as exported
        content = doc
    selection = session.get(Selection, selection_id)
    vendor = recommendations.recommended_vendor(session, selection) if selection else None
    text = json.dumps(
        {"selection_file": content,
         "recommended_vendor": vendor.key if vendor is not None else None,
         "recommendation_reason": selection.recommendation_reason if selection else ""},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_superseded(session: Session, report: FinalReport, digest: str | None = None) -> bool:
    """Does the selection's content differ from what `report` was sealed with? A report
    sealed before the content was fingerprinted cannot tell, and counts as current.

    Every change to a selection is audited beside it, so without an audit entry after
    the sealing nothing changed, and the digest (0.6 s for 48,000 scores) is not made.
    """
    if report.content_sha256 is None:
        return False
    if digest is None:
        if not session.scalar(select(_changes_query(report).exists())):
            return False
        digest = content_digest(session, report.selection_id)
    return report.content_sha256 != digest


def _changes_query(report: FinalReport):
    return select(AuditEntry).where(
        AuditEntry.selection_id == report.selection_id,
        AuditEntry.at > report.issued_at,
        AuditEntry.entity != AuditEntity.FINAL_REPORT,
    )


def changes_since(session: Session, report: FinalReport) -> list[AuditEntry]:
    """What was done to the selection after `report` was sealed (its own issue entry
    and later sealings aside), oldest first."""
    return list(session.scalars(_changes_query(report).order_by(AuditEntry.at, AuditEntry.id)))
