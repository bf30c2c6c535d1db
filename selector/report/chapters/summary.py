"""The cover and the summary: the recommendation, key figures, flip points, perspectives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from selector.domain import method
from selector.domain.price import VALUE
from selector.domain.ranked import ABOVE
from selector.domain.ranked import FlipPoint
from selector.report.chapters.costs import price_counts
from selector.report.chapters.costs import rank_reversal_sentences
from selector.report.chapters.costs import rank_reversals
from selector.report.chapters.costs import tco_sentence
from selector.report.chapters.costs import tco_years
from selector.report.contents import CategoryLead
from selector.report.contents import Cover
from selector.report.contents import DecisionRecord
from selector.report.contents import FlipLine
from selector.report.contents import KeyFigure
from selector.report.contents import Summary
from selector.report.contents import VendorLine
from selector.report.context import COVERAGE_COMPLETE
from selector.report.context import ReportContext
from selector.report.i18n import long_date
from selector.report.i18n import money
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import t_
from selector.report.i18n import tn_
from selector.report.labels import join_names
from selector.report.labels import money_text
from selector.report.labels import points
from selector.report.labels import signed
from selector.report.labels import tidy
from selector.report.labels import whole_percent_pair
from selector.report.text import clean
from selector.report.text import shorten


def build_cover(context: ReportContext) -> Cover:
    process = context.process
    final = process is not None and process.status == "final"
    when = process.issued_at if final and process.issued_at else context.today
    recommended = recommended_vendor(context)
    excluded = sum(1 for v in context.vendors if v.excluded)
    vendors = tn_("{n} vendor", "{n} vendors", len(context.vendors)).format(
        n=len(context.vendors)
    )
    if excluded:
        vendors += " " + t_("({n} excluded)").format(n=excluded)
    wishes = sum(1 for r in context.selection.requirements if r.is_wish)
    roles = Counter(m.role for m in context.selection.members)
    facts = (
        KeyFigure(t_("Vendors assessed"), vendors),
        KeyFigure(
            t_("Requirements"),
            tn_("{n} wish", "{n} wishes", wishes).format(n=wishes) + ", "
            + tn_("{n} knock-out", "{n} knock-outs", len(context.knockouts)).format(
                n=len(context.knockouts)
            ),
        ),
        KeyFigure(
            t_("Committee"),
            t_("{business} business, {it} IT").format(
                business=roles.get("business", 0), it=roles.get("it", 0)
            ),
        ),
        KeyFigure(t_("Scores given"), number(len(context.selection.scores), 0)),
    )
    return Cover(
        facts=facts,
        title=t_("Selection report"),
        selection=clean(context.selection.name),
        organisation=clean(context.doc.get("selection", {}).get("organisation") or ""),
        date=long_date(when),
        status="final" if final else "draft",
        status_label=t_("Final report") if final else t_("Draft – not yet final"),
        recommended=recommended.name if recommended else None,
        recommended_label=t_("Recommended vendor"),
    )


def _flip_sentence(winner: str, category: str, flip: FlipPoint, new: str) -> str:
    then, now = whole_percent_pair(flip.threshold, flip.weight)
    if flip.direction == ABOVE:
        text = t_(
            "{winner} stays first unless the weight of {category} rises above {threshold} "
            "(now {weight}); then {new_winner} comes first."
        )
    else:
        text = t_(
            "{winner} stays first unless the weight of {category} falls below {threshold} "
            "(now {weight}); then {new_winner} comes first."
        )
    return text.format(
        winner=winner, category=category, threshold=then, weight=now, new_winner=new
    )


def flip_lines(context: ReportContext) -> list[FlipLine]:
    winner = context.recommended
    lines = []
    if winner is None:
        return lines
    for flip in context.ranked.flip_points:
        name = context.category_name.get(flip.category, flip.category)
        new = context.name_of(flip.new_winner)
        lines.append(
            FlipLine(
                category=flip.category,
                name=name,
                weight=flip.weight,
                threshold=flip.threshold,
                direction=flip.direction,
                new_winner=new,
                sentence=_flip_sentence(winner.name, name, flip, new),
            )
        )
    return lines


def perspectives_agreement(context: ReportContext) -> tuple[str, bool | None]:
    """The sentence on business's and IT's own winners, and whether they agree (None:
    there is one perspective or none)."""
    perspectives = context.ranked.perspectives
    business = context.name_of(perspectives.winners["business"]) or "–"
    it = context.name_of(perspectives.winners["it"]) or "–"
    if perspectives.agreement == "none":
        sentence = t_("Neither business nor IT allocated points, so there are no perspectives.")
    elif perspectives.agreement == "it_only":
        sentence = t_("Only IT allocated points; there is no business perspective. By IT's own "
                      "weights {it} comes first.")
    elif perspectives.agreement == "business_only":
        sentence = t_("Only the business allocated points; there is no IT perspective. By the "
                      "business members' own weights {business} comes first.")
    elif perspectives.agreement == "agree":
        sentence = t_("Business and IT agree: by the business members' own weights and by IT "
                      "management's own weights alike, {winner} comes first.")
    else:
        sentence = t_("Business and IT disagree on the winner: by the business members' own "
                      "weights {business} comes first, by IT management's own weights {it}.")
    agree = {"agree": True, "disagree": False}.get(perspectives.agreement)
    return sentence.format(business=business, it=it, winner=business), agree


def _excluded_sentences(context: ReportContext) -> list[str]:
    sentences = []
    winner = context.recommended
    for vendor in context.vendors:
        if not vendor.excluded:
            continue
        reasons = []
        for code in vendor.knockouts_failed:
            cell = context.ranked.knockout_matrix.cells[(vendor.key, code)]
            evidence = clean(cell.evidence).strip()
            if evidence:
                reasons.append(
                    t_("knock-out {code} ({title}): “{evidence}”").format(
                        code=code, title=context.title(code), evidence=shorten(evidence, 400)
                    )
                )
            else:
                reasons.append(
                    t_("knock-out {code} ({title}), without recorded evidence").format(
                        code=code, title=context.title(code)
                    )
                )
        if vendor.below_threshold:
            reasons.append(threshold_reason(context, vendor))
        sentence = tidy(
            t_("{vendor} is excluded because it failed {reasons}.").format(
                vendor=vendor.name, reasons=join_names(reasons)
            )
        )
        if context.selection.price_method == VALUE:  # totals are euros: compare prices
            sentence += _cheaper_than_winner(vendor, winner)
        elif winner is not None and vendor.quality > winner.total:
            sentence += " " + t_(
                "On its scores alone it would have come first ({total} against {winner_total})."
            ).format(total=number(vendor.total, 1), winner_total=number(winner.total, 1))
        sentences.append(sentence)
    return sentences


def _cheaper_than_winner(vendor: VendorLine, winner: VendorLine | None) -> str:
    """With the price method value the totals are euros: the sentence that an excluded
    vendor's fictitious price would have won, or "" when it would not have."""
    mine = vendor.fictitious_price
    theirs = winner.fictitious_price if winner is not None else None
    if mine is None or theirs is None or mine >= theirs:
        return ""
    return " " + t_("On its fictitious price alone it would have come first ({price} against "
                    "{winner_price}).").format(price=money_text(mine),
                                               winner_price=money_text(theirs))


def threshold_reason(context: ReportContext, vendor: VendorLine) -> str:
    """Why a vendor below the quality threshold is excluded (method.md section 5)."""
    return t_("the quality threshold (quality {quality}, threshold {threshold})").format(
        quality=number(vendor.quality, 1),
        threshold=number(context.selection.quality_threshold, 1),
    )


def recommended_vendor(context: ReportContext) -> VendorLine | None:
    """The vendor the facilitator recommends, or else the first-ranked one."""
    process = context.process
    chosen = process.recommended_vendor if process is not None else ""
    for vendor in context.vendors:
        if chosen and vendor.key == chosen:
            return vendor
    return context.recommended


def _recommendation(context: ReportContext) -> tuple[str, str, str, str]:
    """(text, attribution, recommended vendor's name, reason for another vendor)."""
    process = context.process
    if process is None:  # a selection file carries the text only
        return clean(context.doc.get("recommendation") or ""), t_("the facilitator"), "", ""
    by = clean(process.recommendation_by) or t_("the facilitator")
    if process.recommendation_at is not None:
        by = f"{by}, {long_date(process.recommendation_at)}"
    chosen = recommended_vendor(context) if process.recommended_vendor else None
    first = context.recommended
    reason = ""
    if chosen is not None and first is not None and chosen.key != first.key:
        reason = clean(process.recommendation_reason)
    return (clean(process.recommendation), by, chosen.name if chosen else "", reason)


def _money(context: ReportContext) -> list[str]:
    """The recommended vendor's TCO against the next vendor's, and whether price counted."""
    chosen, first = recommended_vendor(context), context.recommended
    if chosen is None:
        return []
    other = context.runner_up if first is not None and chosen.key == first.key else first
    sentences = [tco_sentence(context, chosen, other)]
    if not price_counts(context.selection.price):
        sentences.append(t_("Price did not count in the ranking."))
    return sentences


def unverified_sentences(context: ReportContext, vendors: Sequence[VendorLine]) -> list[str]:
    sentences = []
    for vendor in vendors:
        for code in vendor.knockouts_unverified:
            sentences.append(
                t_("{vendor}: knock-out {code} ({title}) has not been verified yet.").format(
                    vendor=vendor.name, code=code, title=context.title(code)
                )
            )
    return sentences


def coverage_sentences(context: ReportContext) -> list[str]:
    return [
        t_("{vendor}: only {share} of the weight has been scored; unscored wishes count as 0.")
        .format(vendor=v.name, share=percent(v.coverage, 1))
        for v in context.vendors
        if v.coverage < COVERAGE_COMPLETE
    ]


def build_summary(context: ReportContext) -> Summary:
    winner, runner = context.recommended, context.runner_up
    knockouts_total = len(context.knockouts)
    # With the price method value the totals are euros (minus the fictitious price).
    by_value = context.selection.price_method == VALUE
    margin_text = ""
    if winner is not None and runner is not None:
        margin = winner.total - runner.total
        margin_text = money(margin) if by_value else t_("{points} points").format(
            points=points(margin))
    # The argument in four short paragraphs: standing, knock-outs, robustness, views.
    standing: list[str] = []
    checks: list[str] = []
    robust: list[str] = []
    views: list[str] = []
    leading: list[CategoryLead] = []
    trailing: list[CategoryLead] = []
    passed = 0
    p_first = None
    if not context.vendors:
        standing.append(t_("The selection has no vendors, so there is nothing to recommend."))
    elif winner is None:
        standing.append(
            t_("No vendor can be recommended: every vendor failed at least one knock-out.")
        )
    else:
        p_first = winner.p_first
        if runner is not None and by_value:
            standing.append(
                t_("{winner} has the lowest fictitious price, {price}: {margin} below "
                   "{runner_up} ({runner_up_price}).").format(
                    winner=winner.name,
                    price=money_text(winner.fictitious_price),
                    margin=money(winner.total - runner.total),
                    runner_up=runner.name,
                    runner_up_price=money_text(runner.fictitious_price),
                )
            )
        if runner is not None:
            standing += [] if by_value else [
                t_("{winner} scores {total} out of 100, {margin} points ahead of {runner_up} "
                   "({runner_up_total}).").format(
                    winner=winner.name,
                    total=number(winner.total, 1),
                    margin=points(winner.total - runner.total),
                    runner_up=runner.name,
                    runner_up_total=number(runner.total, 1),
                )
            ]
            mine = context.contributions.get(winner.key, {})
            theirs = context.contributions.get(runner.key, {})
            leads = [
                CategoryLead(
                    key=c,
                    name=context.category_name.get(c, c),
                    winner_points=mine.get(c, 0.0),
                    runner_up_points=theirs.get(c, 0.0),
                )
                for c in context.weights
            ]
            leading = sorted(
                (lead for lead in leads if lead.difference > 0.05),
                key=lambda lead: -lead.difference,
            )[:3]
            trailing = sorted(
                (lead for lead in leads if lead.difference < -0.05),
                key=lambda lead: lead.difference,
            )[:3]
            if leading:
                standing.append(
                    t_("Its lead is built in {categories}.").format(
                        categories=join_names(
                            [
                                t_("{category} ({points} points)").format(
                                    category=lead.name, points=signed(lead.difference)
                                )
                                for lead in leading
                            ]
                        )
                    )
                )
            if trailing:
                standing.append(
                    t_("{runner_up} is stronger in {categories}.").format(
                        runner_up=runner.name,
                        categories=join_names([lead.name for lead in trailing]),
                    )
                )
        elif by_value:
            standing.append(
                t_("{winner} has a fictitious price of {price} and is the only vendor that "
                   "is not excluded.").format(winner=winner.name,
                                              price=money_text(winner.fictitious_price))
            )
        else:
            standing.append(
                t_("{winner} scores {total} out of 100 and is the only vendor that is not "
                   "excluded.").format(winner=winner.name, total=number(winner.total, 1))
            )
            mine = context.contributions.get(winner.key, {})
            top = sorted(
                ((c, mine.get(c, 0.0)) for c in context.weights), key=lambda x: -x[1]
            )[:3]
            if top and top[0][1] > 0:
                standing.append(
                    t_("Its score rests most on {categories}.").format(
                        categories=join_names([context.category_name.get(c, c) for c, _ in top])
                    )
                )
        unverified = len(winner.knockouts_unverified)
        passed = knockouts_total - unverified - len(winner.knockouts_failed)
        if knockouts_total == 0:
            checks.append(t_("The selection has no knock-outs."))
        elif unverified == 0:
            checks.append(
                tn_("{winner} passed the one knock-out.", "{winner} passed all {n} knock-outs.",
                    knockouts_total).format(winner=winner.name, n=knockouts_total)
            )
        else:
            checks.append(
                t_("{winner} passed {passed} of {n} knock-outs; not yet verified: {codes}.")
                .format(
                    winner=winner.name,
                    passed=passed,
                    n=knockouts_total,
                    codes=", ".join(winner.knockouts_unverified),
                )
            )
    checks.extend(_excluded_sentences(context))
    if winner is not None and runner is not None:
        draws = int(context.ranking.get("sensitivity", {}).get("draws", method.DRAWS))
        robust.append(
            t_("In {share} of {draws} random variations of the weights, {winner} stays "
               "first.").format(share=percent(winner.p_first, 1), draws=number(draws, 0),
                                winner=winner.name)
        )
        flips = flip_lines(context)
        if flips:
            nearest = min(flips, key=lambda f: (abs(f.threshold - f.weight), f.name))
            robust.append(nearest.sentence)
        else:
            robust.append(
                t_("No change in the weight of a single category makes another vendor win.")
            )
    perspective_sentence, agree = perspectives_agreement(context)
    if context.vendors:
        views.append(perspective_sentence)

    reversal = rank_reversal_sentences(context)
    if reversal:  # the why is in the method and robustness chapters
        robust += rank_reversals(context) + [
            t_("The chapter “{chapter}” explains why a losing bid can decide the winner.")
            .format(chapter=t_("Robustness"))]
    money_sentences = _money(context)
    argument = [" ".join(p) for p in (standing, money_sentences, checks, robust, views) if p]

    attention = unverified_sentences(context, context.vendors)
    process = context.process
    if process is not None and process.status == "final" and process.seal_reason.strip():
        attention.append(seal_sentence(process.seal_reason))
    attention += coverage_sentences(context)
    wide = [s for s in context.spreads if s.discussion_point]
    if wide:
        attention.append(
            tn_("The committee's scores differ by 3 points or more on {n} vendor–wish pair.",
                "The committee's scores differ by 3 points or more on {n} vendor–wish pairs.",
                len(wide)).format(n=len(wide))
        )

    figures: list[KeyFigure] = []
    if winner is not None:
        figures.append(KeyFigure(t_("Recommended vendor"), winner.name))
        if by_value:
            figures.append(KeyFigure(t_("Fictitious price"), money_text(winner.fictitious_price)))
        else:
            figures.append(KeyFigure(t_("Total score"), number(winner.total, 1) + " / 100"))
        if winner.tco is not None:  # the figures are the first-ranked vendor's
            years = tco_years(context)
            figures.append(KeyFigure(
                tn_("TCO over {n} year", "TCO over {n} years", years).format(n=years),
                money(winner.tco)))
        if runner is not None:
            figures.append(KeyFigure(t_("Runner-up"), runner.name))
            figures.append(KeyFigure(t_("Margin"), margin_text))
            figures.append(KeyFigure(t_("Chance of ranking first"), percent(winner.p_first, 1)))
        figures.append(
            KeyFigure(
                t_("Knock-outs passed"),
                t_("{passed} of {n}").format(passed=passed, n=knockouts_total),
            )
        )
        figures.append(KeyFigure(t_("Coverage of the scoring"), percent(winner.coverage, 1)))

    record = None
    if process is not None:
        record = DecisionRecord(
            context=clean(process.decision_context),
            options=clean(process.decision_options),
            decision=clean(process.decision),
            consequences=clean(process.decision_consequences),
        )
        if not record.present:
            record = None
    text, by, vendor_name, reason = _recommendation(context)
    return Summary(
        recommended=winner,
        runner_up=runner,
        margin=(winner.total - runner.total) if winner and runner else None,
        leading=tuple(leading),
        trailing=tuple(trailing),
        knockouts_total=knockouts_total,
        knockouts_passed=passed,
        p_first=p_first,
        perspectives_agree=agree,
        argument=tuple(argument),
        attention=tuple(attention),
        key_figures=tuple(figures),
        recommendation=text,
        decision_record=record,
        recommendation_by=by,
        recommended_vendor=vendor_name,
        recommendation_reason=reason,
        rank_reversal=tuple(reversal),
        margin_text=margin_text,
    )


def seal_sentence(reason: str) -> str:
    """Why the final report was sealed with unverified knock-outs (the facilitator's words)."""
    return t_("The final report was sealed while the recommended vendor still had "
              "unverified knock-outs. The facilitator's reason: “{reason}”").format(
        reason=clean(reason).strip())
