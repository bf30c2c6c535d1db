"""The open points: unverified knock-outs, gaps, wide disagreements, late changes."""

from __future__ import annotations

from selector.report.audit_words import AuditNames
from selector.report.audit_words import change_text
from selector.report.audit_words import subject_text
from selector.report.chapters.summary import coverage_sentences
from selector.report.chapters.summary import perspectives_agreement
from selector.report.chapters.summary import unverified_sentences
from selector.report.chapters.weights import build_weights
from selector.report.contents import ChangeLine
from selector.report.contents import DisagreementLine
from selector.report.contents import OpenPoints
from selector.report.context import ReportContext
from selector.report.i18n import short_date
from selector.report.i18n import t_
from selector.report.labels import role_label
from selector.report.process_record import ROLE_ORDER
from selector.report.process_record import late_changes
from selector.report.text import clean

DISAGREEMENTS_SHOWN = 15


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
        names = AuditNames(context.category_name, context.member_role)
        for change in late_changes(process):
            changes.append(
                ChangeLine(
                    date=short_date(change.at),
                    what=subject_text(names, change),
                    change=change_text(names, change),
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
