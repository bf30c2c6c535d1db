"""The robustness chapter: flip points, perspectives, the chance of ranking first and
rank reversal (a losing bid that decides the winner)."""

from __future__ import annotations

from selector.domain import method
from selector.report.chapters.costs import rank_reversal_sentences
from selector.report.chapters.summary import flip_lines
from selector.report.chapters.summary import perspectives_agreement
from selector.report.contents import PerspectiveRow
from selector.report.contents import RobustnessSection
from selector.report.context import ReportContext
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import t_
from selector.report.labels import join_names


def build_robustness(context: ReportContext) -> RobustnessSection:
    draws = int(context.ranking.get("sensitivity", {}).get("draws", method.DRAWS))
    winner = context.recommended
    sentences = []
    if winner is not None and context.runner_up is not None:
        sentences.append(
            t_("In {share} of {draws} random variations of the weights, {winner} stays "
               "first.").format(share=percent(winner.p_first, 1), draws=number(draws, 0),
                                winner=winner.name)
        )
        others = [v for v in context.vendors if not v.excluded and v.key != winner.key]
        challengers = [v for v in others if v.p_first > 0]
        if challengers:
            sentences.append(
                t_("In the other variations: {vendors}.").format(
                    vendors=join_names(
                        [f"{v.name} {percent(v.p_first, 1)}" for v in challengers]
                    )
                )
            )
    elif winner is not None:
        sentences.append(
            t_("{winner} is the only vendor that is not excluded; no weighting changes that.")
            .format(winner=winner.name)
        )
    flips = flip_lines(context)
    stable_names = [
        context.category_name.get(key, key) for key in context.ranked.stable_categories
    ]
    stable = ""
    if winner is not None and context.runner_up is not None and stable_names:
        if flips:
            stable = t_("For the other categories ({categories}) no change of weight alone "
                        "makes another vendor win.").format(categories=join_names(stable_names))
        else:
            stable = t_("No change in the weight of a single category makes another vendor win.")
    perspectives = context.ranked.perspectives
    business, it = perspectives.business, perspectives.it
    rows = []
    for position, vendor in enumerate(context.vendors, start=1):
        rows.append(
            PerspectiveRow(
                position=position,
                joint=vendor.name,
                business=context.name_of(business[position - 1].key)
                if business and position <= len(business)
                else None,
                it=context.name_of(it[position - 1].key) if it and position <= len(it) else None,
            )
        )
    sentence, _ = perspectives_agreement(context)
    return RobustnessSection(
        draws=draws,
        p_first=tuple((v.key, v.name, v.p_first) for v in context.vendors),
        sentences=tuple(sentences),
        flips=tuple(flips),
        stable=stable,
        perspectives=tuple(rows),
        perspective_sentence=sentence if context.vendors else "",
        rank_reversal=tuple(rank_reversal_sentences(context)),
    )
