"""The appendix (requirement list, audit summary, comments seen before a change) and the
decision of the sponsor: the recorded decision, or the sign-off block."""

from __future__ import annotations

from datetime import date

from selector.report.audit_words import count_lines
from selector.report.chapters.requirements import requirements_in_category_order
from selector.report.chapters.summary import recommended_vendor
from selector.report.chapters.summary import seal_sentence
from selector.report.contents import Appendix
from selector.report.contents import AppendixRow
from selector.report.contents import QuestionLine
from selector.report.contents import SeenChangeLine
from selector.report.contents import SignOff
from selector.report.contents import SponsorDecisionLine
from selector.report.context import ReportContext
from selector.report.i18n import long_date
from selector.report.i18n import short_date
from selector.report.i18n import t_
from selector.report.labels import priority_label
from selector.report.labels import role_label
from selector.report.labels import sponsor_verdict_labels
from selector.report.labels import status_label
from selector.report.process_record import SponsorVerdict
from selector.report.text import clean


def build_appendix(context: ReportContext) -> Appendix:
    vendors = tuple((v.key, v.name) for v in context.vendors)
    rows = []
    for requirement in requirements_in_category_order(context):
        if requirement.is_knockout:
            kind = t_("knock-out")
        elif requirement.is_wish:
            kind = priority_label(requirement.priority)
        elif requirement.status != "accepted":
            kind = status_label(requirement.status)
        else:
            kind = priority_label(requirement.priority)
        scores = tuple(
            context.aggregated.get((key, requirement.code)) if requirement.is_wish else None
            for key, _ in vendors
        )
        rows.append(
            AppendixRow(
                code=requirement.code,
                title=clean(requirement.title),
                category_name=context.category_name.get(requirement.category, ""),
                kind=kind,
                weight=context.requirement_weights.get(requirement.code),
                scores=scores,
            )
        )
    process = context.process
    audit = count_lines(process.audit_counts) if process is not None else ()
    return Appendix(
        vendors=vendors,
        requirements=tuple(rows),
        audit=audit,
        audit_known=process is not None,
        seen_changes=_seen_changes(context),
        questions=tuple(
            QuestionLine(clean(q.question), clean(q.answer), short_date(q.published_at))
            for q in (process.questions if process is not None else ())),
    )


def _seen_changes(context: ReportContext) -> tuple[SeenChangeLine, ...]:
    """The counted scores given or changed after their member saw the others' scores."""
    process = context.process
    if process is None or not process.seen_changes:
        return ()
    vendors = {v.key for v in context.vendors}
    counted = {(s.member, s.vendor, s.requirement) for s in context.selection.scores
               if s.vendor in vendors}
    lines = []
    for change in process.seen_changes:
        if (change.member, change.vendor, change.requirement) not in counted:
            continue
        requirement = context.requirement.get(change.requirement)
        if requirement is None or not requirement.is_wish:
            continue
        lines.append(SeenChangeLine(
            code=change.requirement,
            title=context.title(change.requirement),
            vendor=context.name_of(change.vendor),
            role=role_label(context.member_role.get(change.member, "")),
            seen=short_date(change.seen_at),
            changed=short_date(change.changed_at),
        ))
    lines.sort(key=lambda line: (line.vendor, line.code, line.role, line.changed))
    return tuple(lines)


def _sponsor_decision(context: ReportContext) -> SponsorVerdict | None:
    """The newest decision: the database's, or the selection file's `decision`."""
    if context.process is not None:
        return context.process.sponsor_decision
    entry = context.doc.get("decision")
    if not entry:
        return None
    names = {m.email: clean(m.name) for m in context.selection.members}
    return SponsorVerdict(
        verdict=entry["verdict"],
        vendor=entry.get("vendor") or "",
        by=names.get(entry["by"]) or entry["by"],
        decided_on=date.fromisoformat(entry["date"]),
        reason=entry["reason"],
    )


def build_sign_off(context: ReportContext) -> SignOff:
    sponsors = tuple(
        clean(m.name) or m.email for m in context.selection.members if m.role == "sponsor"
    )
    winner = recommended_vendor(context)
    if winner is not None:
        statement = t_("The selection committee recommends {vendor}. As sponsor I have read "
                       "this report and decide as follows:").format(vendor=winner.name)
        options = (
            t_("I accept the recommendation and choose {vendor}.").format(vendor=winner.name),
            t_("I do not accept the recommendation, for the reasons below."),
        )
    else:
        statement = t_("The selection committee cannot recommend a vendor. As sponsor I have "
                       "read this report and decide as follows:")
        options = (t_("I ask the committee to continue, as described below."),)
    decision = _sponsor_decision(context)
    line = None
    if decision is not None:
        line = SponsorDecisionLine(
            verdict=decision.verdict,
            verdict_label=sponsor_verdict_labels().get(decision.verdict, decision.verdict),
            vendor=context.name_of(decision.vendor) if decision.vendor else "",
            by=clean(decision.by),
            date=long_date(decision.decided_on),
            reason=clean(decision.reason),
        )
    process = context.process
    sealed_with = ""
    if process is not None and process.status == "final" and process.seal_reason.strip():
        sealed_with = seal_sentence(process.seal_reason)
    return SignOff(sponsors=sponsors, statement=statement, options=options, decision=line,
                   seal_reason=sealed_with)
