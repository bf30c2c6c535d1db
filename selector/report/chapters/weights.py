"""The weights chapter: category weights, the panel's spread and the group balance."""

from __future__ import annotations

import dataclasses

from selector.domain import method
from selector.report.contents import WeightLine
from selector.report.contents import WeightsSection
from selector.report.context import ReportContext
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import t_
from selector.report.labels import domain_label
from selector.report.text import clean


def build_weights(context: ReportContext) -> WeightsSection:
    selection = context.selection
    means = method.group_means(selection)
    joint = method.combined_weights(dataclasses.replace(selection, final_weights=None))
    divergence = {d.category: d for d in method.divergence(selection)}
    rows = []
    for key, weight in context.weights.items():
        d = divergence.get(key)
        rows.append(
            WeightLine(
                key=key,
                name=context.category_name.get(key, key),
                domain_label=domain_label(context.category_domain.get(key, "business")),
                business=None if means["business"] is None else means["business"].get(key),
                it=None if means["it"] is None else means["it"].get(key),
                joint=joint.get(key, 0.0),
                final=float(weight),
                difference=d.difference if d else None,
                discussion_point=bool(d and d.discussion_point),
            )
        )
    allocated = {"business": set(), "it": set()}
    for allocation in selection.allocations:
        role = context.member_role.get(allocation.member)
        if role in allocated and allocation.points > 0:
            allocated[role].add(allocation.member)
    intro = [
        t_("{business} business members and {it} IT members allocated points.").format(
            business=len(allocated["business"]), it=len(allocated["it"])
        )
    ]
    uses_final = bool(selection.final_weights)
    if uses_final:
        intro.append(
            t_("The ranking uses the final weights that the facilitator set after the "
               "weighting discussion; the joint weights of the groups are shown beside them.")
        )
    elif means["business"] is None and means["it"] is None:
        intro.append(t_("Nobody allocated points, so every category weighs the same."))
    else:
        intro.append(t_("The ranking uses the joint weights of business and IT."))
    divergence_sentences = [
        t_("{category}: business {business}, IT {it} – {points} percentage points apart.").format(
            category=row.name,
            business=percent(row.business or 0.0, 1),
            it=percent(row.it or 0.0, 1),
            points=number(abs(row.difference or 0.0) * 100, 1),
        )
        for row in rows
        if row.discussion_point
    ]
    inactive = tuple(
        clean(c.name) for c in selection.categories if c.key not in context.weights
    )
    process = context.process
    rationale = clean(process.final_weights_rationale).strip() if process else ""
    # The app records a weighting discussion only as the facilitator's written rationale
    # (final weights, or the combined weights accepted with a note), which can be given
    # only before the freeze; without one the report does not claim a discussion.
    discussed = bool(rationale and process and process.weights_frozen_at)
    if discussed:
        divergence_intro = t_("These categories were discussed before the weights were "
                              "frozen, because business and IT weighed them 10 percentage "
                              "points or more apart:")
    else:
        divergence_intro = t_("Business and IT weighed these categories 10 percentage points "
                              "or more apart:")
    return WeightsSection(
        intro=tuple(intro),
        rows=tuple(rows),
        uses_final=uses_final,
        final_rationale=rationale,
        divergence=tuple(divergence_sentences),
        inactive=inactive,
        divergence_intro=divergence_intro,
    )
