"""The reports area's reads: the report of a stored selection, its sealed final reports,
the recommendation with the sponsor's verdict, and the score-matrix workbook.

Queries only: nothing here adds, changes or deletes a row or writes the audit trail.
Drawing the PDF is a read too: a draft is drawn for the page, a sealed report by
`writes.issue_final_report`. Every number comes from one ranked selection
(`services.ranking`).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import vendor_answers as answer_rules
from selector.domain.ranked import VendorRow
from selector.domain.vocabulary import APPROVED
from selector.domain.vocabulary import FREEZE_RELEVANT
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.files.selection_file import SelectionFileError
from selector.files.selection_file import canonical
from selector.models import Account
from selector.models import AuditEntry
from selector.models import FinalReport
from selector.models import Membership
from selector.models import Selection
from selector.models import SponsorDecision
from selector.models import Vendor
from selector.models.base import utcnow
from selector.report.build import build_report_data
from selector.report.contents import ReportData
from selector.report.process_record import AuditChange
from selector.report.process_record import AuditCount
from selector.report.process_record import PhaseChange
from selector.report.process_record import ProcessInfo
from selector.report.process_record import PublishedQuestion
from selector.report.process_record import SeenChange
from selector.report.process_record import SponsorVerdict
from selector.report.process_record import phase_from_audit
from selector.report.score_workbook import build_score_workbook
from selector.services import scoring
from selector.services import vendors
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.ranking import ranked_selection
from selector.services.reports.rules import check_language
from selector.services.selection_file import export_selection
from selector.services.spreadsheets import export_filename
from selector.services.spreadsheets import neutralise

# -- the process record: what only the database knows -------------------------------


@dataclass(frozen=True)
class Seal:
    """A report being sealed as final: when, and the facilitator's reason for sealing
    while the recommended vendor has unverified knock-outs (the report prints it)."""

    issued_at: datetime
    reason: str = ""


def process_info(session: Session, selection_id: int, seal: Seal | None = None) -> ProcessInfo:
    """The process record of a stored selection, for the report
    (`selector.report.build.build_report_data`): phase history, freezes, the audit
    trail, the facilitator's recommendation and decision record; a draft unless `seal`
    is given."""
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
        status="final" if seal else "draft",
        issued_at=seal.issued_at if seal else None,
        phase=selection.phase,
        created_at=selection.created_at,
        recommendation=selection.recommendation or "",
        recommended_vendor=_vendor_key(session, selection_id, selection.recommended_vendor_id),
        recommendation_reason=selection.recommendation_reason or "",
        recommendation_by=_account_name(session, selection.recommendation_by_id),
        recommendation_at=selection.recommendation_at,
        sponsor_decision=_sponsor_verdict(session, selection_id),
        seal_reason=seal.reason if seal else "",
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
            for c in scoring.changes_after_seeing(session, selection_id)),
        questions=tuple(PublishedQuestion(q.question, q.answer, q.published_at)
                        for q in vendors.published_questions(session, selection)),
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


def _sponsor_verdict(session: Session, selection_id: int) -> SponsorVerdict | None:
    """The newest decision of a sponsor (every one is kept; the newest counts)."""
    decision = current_sponsor_decision(session, selection_id)
    if decision is None:
        return None
    return SponsorVerdict(
        verdict=decision.verdict,
        vendor=_vendor_key(session, selection_id, decision.vendor_id),
        by=_account_name(session, decision.by_account_id) or decision.by_email,
        decided_on=decision.decided_on,
        reason=decision.reason,
    )


# -- the report of a stored selection, as it is now ---------------------------------


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    ranking: dict[str, Any]
    report: ReportData


def selection_report_data(
    session: Session, selection_id: int, language: str | None = None, seal: Seal | None = None
) -> tuple[ReportData, dict]:
    """What the report of a stored selection says as it is now, and the ranking it
    rests on, without drawing it: the web page shows this as HTML.

    `language` None means the selection's own. Raises NotFound or RankingUnavailable
    (`services.ranking`).
    """
    if language is not None:
        check_language(language)
    ranked = ranked_selection(session, selection_id)
    doc = export_selection(session, selection_id)
    selection = session.get(Selection, selection_id)
    if selection is not None and not answer_rules.answers_visible(
            selection.answers_hidden, selection.answers_deadline, utcnow()):
        # Hidden until the deadline: the report (even a draft) does not quote them.
        doc = {key: value for key, value in doc.items() if key != "answers"}
    process = process_info(session, selection_id, seal)
    report = build_report_data(
        doc,
        ranked,
        process=process,
        language=language or doc["selection"].get("language") or "en",
        today=(seal.issued_at if seal else utcnow()).date(),
    )
    return report, ranked.ranking


def selection_report(
    session: Session, selection_id: int, language: str | None = None, seal: Seal | None = None
) -> RenderedReport:
    """The report of a stored selection as it is now (a draft unless `seal` is given):
    PDF bytes, ranking and data."""
    from selector.report.pdf import render_pdf

    report, ranking = selection_report_data(session, selection_id, language, seal)
    return RenderedReport(render_pdf(report), ranking, report)


# -- sealed final reports: current and superseded -----------------------------------


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


def unverified_knockouts(session: Session, selection: Selection) -> list[str]:
    """The codes of the recommended vendor's knock-outs that have no verdict yet."""
    vendor = recommended_vendor(session, selection)
    if vendor is None:
        return []
    return list(standing(session, selection, vendor).unverified)


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
    vendor = recommended_vendor(session, selection) if selection else None
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


# -- the recommendation and the sponsor's verdict -----------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a vendor stands in the ranking, for the rule on reasons."""

    vendor: Vendor
    first: bool  # the first-ranked vendor that is not excluded
    excluded: bool  # a failed knock-out or below the quality threshold
    below_threshold: bool
    unverified: tuple[str, ...]  # codes of its knock-outs without a verdict


@dataclass(frozen=True)
class RecommendationState:
    """What the recommendation page and the overview show."""

    text: str
    vendor: Vendor | None  # the recommended vendor (stored, else the first-ranked)
    first_ranked: Vendor | None
    reason: str
    by: Account | None
    at: datetime | None
    decision: SponsorDecision | None  # the newest verdict
    decision_vendor: Vendor | None
    decided_by: str  # the sponsor's name, else the e-mail address kept with the verdict

    @property
    def written(self) -> bool:
        return bool(self.text.strip())

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.verdict == APPROVED

    @property
    def sent_back(self) -> bool:
        """Rejected or more information asked, and not revised since."""
        return self.decision is not None and self.decision.verdict != APPROVED and not (
            self.at is not None and self.at > self.decision.recorded_at)

    @property
    def awaiting_decision(self) -> bool:
        """Written, and the sponsor has not decided on this version yet."""
        return self.written and not self.approved and not self.sent_back


def current_sponsor_decision(session: Session, selection_id: int) -> SponsorDecision | None:
    """The sponsor's newest verdict (every verdict is kept; the newest counts)."""
    return session.scalars(
        select(SponsorDecision)
        .where(SponsorDecision.selection_id == selection_id)
        .order_by(SponsorDecision.recorded_at.desc(), SponsorDecision.id.desc())
        .limit(1)
    ).first()


def selection_vendor(session: Session, selection: Selection,
                     vendor_id: int | None) -> Vendor | None:
    """A vendor of this selection, or None (the stored id is a plain integer)."""
    if vendor_id is None:
        return None
    return session.scalar(
        select(Vendor).where(Vendor.id == vendor_id, Vendor.selection_id == selection.id))


def ranked_rows(session: Session, selection: Selection) -> tuple[VendorRow, ...]:
    """The ranking's rows, for where vendors stand."""
    # One draw: only the order and the knock-outs matter here, not p_first.
    return ranked_selection(session, selection.id, comments=False, draws=1).rows


def first_ranked_vendor(session: Session, selection: Selection,
                        rows: tuple[VendorRow, ...]) -> Vendor | None:
    """The first vendor of `rows` that is not excluded, or None."""
    first = next((row for row in rows if not row.excluded), None)
    if first is None:
        return None
    return session.scalar(
        select(Vendor).where(Vendor.selection_id == selection.id, Vendor.key == first.key))


def recommended_vendor(session: Session, selection: Selection) -> Vendor | None:
    """The vendor the facilitator recommends, else the first-ranked one (None when the
    ranking cannot be computed or every vendor is excluded)."""
    chosen = selection_vendor(session, selection, selection.recommended_vendor_id)
    if chosen is not None:
        return chosen
    try:
        return first_ranked_vendor(session, selection, ranked_rows(session, selection))
    except ServiceError:
        return None


def standing(session: Session, selection: Selection, vendor: Vendor,
             rows: tuple[VendorRow, ...] | None = None) -> Standing:
    """Where `vendor` stands in the ranking now (a withdrawn vendor is not ranked)."""
    rows = ranked_rows(session, selection) if rows is None else rows
    first = first_ranked_vendor(session, selection, rows)
    row = next((r for r in rows if r.key == vendor.key), None)
    below = bool(row is not None and row.excluded and not row.knockouts_failed)
    return Standing(
        vendor=vendor,
        first=first is not None and first.id == vendor.id,
        excluded=bool(row is not None and row.excluded),
        below_threshold=below,
        unverified=row.knockouts_unverified if row is not None else (),
    )


def recommendation_state(session: Session, selection: Selection) -> RecommendationState:
    """The recommendation, its vendor and the sponsor's newest verdict."""
    try:
        first = first_ranked_vendor(session, selection, ranked_rows(session, selection))
    except ServiceError:
        first = None
    chosen = selection_vendor(session, selection, selection.recommended_vendor_id)
    decision = current_sponsor_decision(session, selection.id)
    decided_by = ""
    if decision is not None:
        sponsor = session.get(Account, decision.by_account_id) if decision.by_account_id else None
        decided_by = sponsor.name if sponsor is not None and sponsor.name else decision.by_email
    return RecommendationState(
        text=selection.recommendation or "",
        vendor=chosen or (first if selection.recommendation else None),
        first_ranked=first,
        reason=selection.recommendation_reason or "",
        by=(session.get(Account, selection.recommendation_by_id)
            if selection.recommendation_by_id else None),
        at=selection.recommendation_at,
        decision=decision,
        decision_vendor=(selection_vendor(session, selection, decision.vendor_id)
                         if decision is not None else None),
        decided_by=decided_by,
    )


# -- the score-matrix workbook (issue 22) -------------------------------------------

SCORE_WORKBOOK_SUFFIX = "score-matrix"


def _cell_text(text: str) -> str:
    """A text as a cell may hold it: without the control characters a workbook cannot
    store, and never read as a formula."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def score_workbook(session: Session, selection: Selection) -> bytes:
    """The workbook as it stands now, as .xlsx bytes. Raises RankingUnavailable when the
    method refuses the selection (services.ranking)."""
    ranked = ranked_selection(session, selection.id)
    workbook = build_score_workbook(ranked, selection.language, text=_cell_text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def score_workbook_filename(selection: Selection) -> str:
    return export_filename(selection, SCORE_WORKBOOK_SUFFIX)
