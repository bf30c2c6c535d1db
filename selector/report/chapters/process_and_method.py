"""The process chapter (members, phases, freezes) and the method chapter (scale, formula)."""

from __future__ import annotations

from datetime import datetime

from selector.domain.vocabulary import anchor_words
from selector.report.chapters.costs import how_price_counts
from selector.report.chapters.costs import price_method_explanation
from selector.report.chapters.costs import rank_reversals
from selector.report.chapters.costs import relative_method_warning
from selector.report.contents import MemberLine
from selector.report.contents import MethodSection
from selector.report.contents import PhaseLine
from selector.report.contents import ProcessSection
from selector.report.contents import ScaleAnchor
from selector.report.context import ReportContext
from selector.report.i18n import current_language
from selector.report.i18n import long_date
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import short_date
from selector.report.i18n import t_
from selector.report.labels import join_names
from selector.report.labels import phase_label
from selector.report.labels import role_label
from selector.report.process_record import PHASE_ORDER
from selector.report.process_record import ROLE_ORDER
from selector.report.process_record import ProcessInfo
from selector.report.text import clean


def _phase_at(process: ProcessInfo, when: datetime) -> str | None:
    current = None
    for change in process.phases:
        if change.at <= when:
            current = change.phase
    return current


def build_process(context: ReportContext) -> ProcessSection:
    process = context.process
    members = []
    by_role = {role: [] for role in ROLE_ORDER}
    for member in context.selection.members:
        by_role.setdefault(member.role, []).append(member)
    first_change = process.phases[0].at if process and process.phases else None
    for role in by_role:
        for member in sorted(by_role[role], key=lambda m: (clean(m.name).casefold(), m.email)):
            since = ""
            if process is not None:
                joined = process.member_joined.get(member.email)
                if joined is not None:
                    if first_change is None or joined <= first_change:
                        since = t_("from the start")
                    else:
                        phase = _phase_at(process, joined)
                        since = t_("from the {phase} phase ({date})").format(
                            phase=phase_label(phase).lower() if phase else "–",
                            date=short_date(joined),
                        )
            members.append(
                MemberLine(
                    role=role,
                    role_label=role_label(role),
                    name=clean(member.name) or t_("(no name)"),
                    since=since,
                )
            )
    if process is None:
        return ProcessSection(
            available=False,
            members=tuple(members),
            phases=(),
            freezes=(),
            notes=(
                t_("This report was made from a selection file. The process record – dates "
                   "of the phases, the freezes and the audit trail – is kept in the "
                   "application and is not part of the file."),
            ),
        )
    phases = []
    previous = None
    for change in process.phases:
        note = clean(change.reason)
        if change.imported:
            note = t_("imported from a selection file")
        if previous is not None and change.phase in PHASE_ORDER and previous in PHASE_ORDER:
            if PHASE_ORDER.index(change.phase) < PHASE_ORDER.index(previous):
                note = t_("moved back: {reason}").format(reason=note or "–")
        phases.append(PhaseLine(short_date(change.at), phase_label(change.phase), note))
        previous = change.phase
    freezes = []
    for frozen_at, frozen, open_ in (
        (process.requirements_frozen_at, t_("The requirements were frozen on {date}."),
         t_("The requirements have not been frozen.")),
        (process.weights_frozen_at, t_("The weights were frozen on {date}."),
         t_("The weights have not been frozen.")),
    ):
        freezes.append(frozen.format(date=long_date(frozen_at)) if frozen_at else open_)
    notes = []
    if process.phase:
        notes.append(
            t_("The selection is now in the {phase} phase.").format(
                phase=phase_label(process.phase).lower()
            )
        )
    return ProcessSection(
        available=True,
        members=tuple(members),
        phases=tuple(phases),
        freezes=tuple(freezes),
        notes=tuple(notes),
    )


def scale_anchors(scale_max: int) -> tuple[ScaleAnchor, ...]:
    """The score scale with its anchors (method.md section 4), in the words the scoring
    sheet shows (`selector.domain.vocabulary.anchor_words`)."""
    return tuple(ScaleAnchor(score, word) for score, word
                 in enumerate(anchor_words(scale_max, current_language())))


def _price_paragraphs(context: ReportContext) -> list[str]:
    """How price counted (method.md section 5), the method in plain words, and rank
    reversal when the method is relative."""
    settings = context.selection.price
    first = how_price_counts(settings)
    if settings.uses_weight:
        first += " " + t_("A vendor's price comes from its total cost of ownership (TCO).")
    paragraphs = [first]
    explanation = price_method_explanation(settings)
    if explanation:
        paragraphs.append(explanation)
    warning = relative_method_warning(settings)
    if warning:
        reversals = rank_reversals(context) or [
            t_("In this selection no losing bid changes the winner.")]
        paragraphs.append(" ".join([warning, *reversals]))
    return paragraphs


def _threshold_paragraphs(context: ReportContext) -> list[str]:
    """The quality threshold, when set, and the vendors that fell below it."""
    threshold = context.selection.quality_threshold
    if threshold <= 0:
        return []
    below = [v for v in context.vendors if v.below_threshold]
    text = t_("Quality threshold: a vendor whose quality is below {threshold} out of 100 is "
              "excluded, like a vendor that fails a knock-out, before any price is "
              "compared; its bid does not count.").format(threshold=number(threshold, 1))
    if below:
        text += " " + t_("Below the threshold: {vendors}.").format(vendors=join_names([
            t_("{vendor} (quality {quality})").format(vendor=v.name,
                                                      quality=number(v.quality, 1))
            for v in below
        ]))
    else:
        text += " " + t_("Every vendor reached it.")
    return [text]


def build_method(context: ReportContext) -> MethodSection:
    selection = context.selection
    balance = selection.group_balance or {"business": 0.5, "it": 0.5}
    b, i = float(balance.get("business", 0.0)), float(balance.get("it", 0.0))
    share_b, share_i = (b / (b + i), i / (b + i)) if b + i > 0 else (0.5, 0.5)
    paragraphs = [
        t_("Every requirement is either a knock-out or a wish. A knock-out is an absolute "
           "condition: it is checked pass or fail for each vendor, carries no weight, and "
           "needs a written rationale. A wish is scored and weighted. Only accepted "
           "requirements with priority must, should or could take part; proposed, rejected "
           "and deferred requirements, and those marked won't, do not count."),
        t_("Within its category a wish weighs by its priority – must 5, should 3, could 1 – "
           "unless the committee gave it an explicit weight."),
        t_("Every business and IT member divided points over all categories, business and IT "
           "alike: the business also weighed the IT categories and IT the business ones. The "
           "average of each group then counts for a fixed share – business {business}, IT "
           "{it} – however many members the group has, so IT management is a full partner "
           "with fewer seats.").format(business=percent(share_b, 0), it=percent(share_i, 0)),
    ]
    if selection.final_weights:
        paragraphs.append(
            t_("After the weighting discussion the facilitator set final category weights; "
               "they replace the joint weights in the ranking. The joint weights are shown "
               "beside them.")
        )
    paragraphs += [
        t_("Members scored every vendor on every wish in their categories on a scale from 0 "
           "to {max}. Where the committee agreed a consensus score, that score counts; "
           "otherwise the average of the members' scores.").format(max=selection.scale_max),
        t_("A vendor's category score is the weighted average of its wish scores, out of "
           "100. Its total is the sum of its category scores times the category weights, "
           "also out of 100. Unscored wishes count as 0, and the report says so."),
    ]
    paragraphs += _price_paragraphs(context)
    paragraphs += [
        t_("A vendor that fails a knock-out is excluded, whatever its score. A knock-out "
           "that has not been verified yet does not exclude, but the report lists it as an "
           "open point."),
    ]
    paragraphs += _threshold_paragraphs(context)
    paragraphs += [
        t_("To test how robust the outcome is, the category weights were varied at random "
           "10,000 times around the agreed weights; the share of variations in which a vendor "
           "comes first is its chance of ranking first. A flip point is the weight one "
           "category would need before another vendor comes first."),
        t_("Every number in this report can be recomputed by hand from what the committee "
           "entered."),
    ]
    return MethodSection(paragraphs=tuple(paragraphs), scale=scale_anchors(selection.scale_max))
