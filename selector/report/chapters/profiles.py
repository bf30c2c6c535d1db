"""One profile per vendor: strongest and weakest wishes, knock-outs, quoted comments.

Choices where the issue leaves room (docs/decisions.md):
- "Strongest" requirements: the largest weighted contributions
  (1 - p) * W(c) * w(r|c) * s(v,r) / scale_max * 100, in points of the total.
  "Weakest": the largest points *missed*, (1 - p) * W(c) * w(r|c) * (1 - s/scale_max)
  * 100 (an unscored wish misses all its weight): the smallest contributions would
  always be the lightest wishes, which argue nothing.
- Comments are quoted and attributed by role, never by name; per vendor at most
  `QUOTES_PER_VENDOR`, those on its strongest and weakest wishes first, then by weight.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from selector.domain.price import VALUE
from selector.domain.vendor_answers import YES
from selector.domain.vendor_answers import compliance_label
from selector.report.contents import AnswerLine
from selector.report.contents import CategoryResult
from selector.report.contents import KnockoutResult
from selector.report.contents import Quote
from selector.report.contents import RequirementContribution
from selector.report.contents import VendorLine
from selector.report.contents import VendorProfile
from selector.report.context import COVERAGE_COMPLETE
from selector.report.context import ReportContext
from selector.report.i18n import current_language
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import t_
from selector.report.i18n import tn_
from selector.report.labels import attribution
from selector.report.labels import join_names
from selector.report.labels import knockout_state_label
from selector.report.labels import money_text
from selector.report.labels import points
from selector.report.text import QUOTE_LIMIT
from selector.report.text import clean
from selector.report.text import shorten

TOP_REQUIREMENTS = 5


QUOTES_PER_VENDOR = 8
ANSWER_LIMIT = 300  # characters of a vendor's explanation: the profile stays compact


def _requirement_contributions(
    context: ReportContext, vendor_key: str
) -> list[RequirementContribution]:
    scale = context.selection.scale_max
    # Points of the total; with `value` the total is euros, so points of the quality
    # (as the category contributions are: method.contributions).
    by_value = context.selection.price_method == VALUE
    quality_share = 1.0 if by_value else 1.0 - context.selection.price_weight
    result = []
    for code, weight in context.requirement_weights.items():
        requirement = context.requirement.get(code)
        score = context.aggregated.get((vendor_key, code))
        achieved = (score or 0.0) / scale
        result.append(
            RequirementContribution(
                code=code,
                title=context.title(code),
                category_name=context.category_name.get(
                    requirement.category if requirement else "", ""
                ),
                weight=weight,
                score=score,
                points=quality_share * weight * achieved * 100.0,
                missed=quality_share * weight * (1.0 - achieved) * 100.0,
            )
        )
    return result


def _quotes(
    context: ReportContext, vendor_key: str, first: Sequence[str]
) -> tuple[list[Quote], int]:
    """The committee's own words on this vendor, attributed by role."""
    # A quote carries the score its own authors gave (the consensus score for a
    # consensus rationale), never the vendor's average: members who wrote the same words
    # share a quote only when they also gave the same score.
    texts: dict[tuple[str, str, float], list[str]] = {}  # (code, text, score) -> roles
    for score in context.commented.get(vendor_key, ()):
        if score.requirement not in context.requirement_weights:
            continue
        text = " ".join(clean(score.comment).split())
        if not text:
            continue
        roles = texts.setdefault((score.requirement, text, score.score), [])
        roles.append(context.member_role.get(score.member, ""))
    for consensus in context.selection.consensus:
        if consensus.vendor != vendor_key or consensus.requirement not in context.requirement:
            continue
        text = " ".join(clean(consensus.rationale).split())
        if text:
            key = (consensus.requirement, text, consensus.score)
            texts.setdefault(key, []).append("consensus")
    priority = {code: j for j, code in enumerate(first)}

    def order(item: tuple[tuple[str, str, float], list[str]]) -> tuple:
        (code, text, score), roles = item
        is_consensus = "consensus" in roles
        return (
            0 if is_consensus else 1,
            priority.get(code, len(priority)),
            -context.requirement_weights.get(code, 0.0),
            code,
            text,
            -score,
        )

    ordered = sorted(texts.items(), key=order)
    quotes = []
    for (code, text, score), roles in ordered[:QUOTES_PER_VENDOR]:
        if "consensus" in roles:
            who = t_("the consensus meeting")
        else:
            counts = Counter(roles)
            parts = []
            for role in ("business", "it", "facilitator", ""):
                n = counts.get(role, 0)
                if n == 1:
                    parts.append(attribution(role))
                elif n > 1:
                    parts.append(
                        {
                            "business": t_("{n} business members"),
                            "it": t_("{n} IT members"),
                            "facilitator": t_("{n} facilitators"),
                            "": t_("{n} committee members"),
                        }[role].format(n=n)
                    )
            who = join_names(parts)
        quotes.append(
            Quote(
                code=code,
                title=context.title(code),
                score=score,
                text=shorten(text, QUOTE_LIMIT),
                attribution=who,
            )
        )
    return quotes, max(0, len(ordered) - QUOTES_PER_VENDOR)


def _answers(context: ReportContext, vendor_key: str) -> tuple[AnswerLine, ...]:
    """The vendor's own answers worth reading beside the scores: every answer to an
    active knock-out, and to a counted wish only when it is not a plain "yes" (a long
    list of yeses would bury the few that matter). Knock-outs first, then in the file's
    order."""
    knockouts = {r.code for r in context.knockouts}
    order = {code: i for i, code in enumerate(context.requirement_text)}
    language = current_language()
    lines = []
    for answer in context.answers.get(vendor_key, ()):
        code, compliance = answer["requirement"], answer["compliance"]
        knockout = code in knockouts
        if not knockout and (code not in context.requirement_weights or compliance == YES):
            continue
        lines.append(AnswerLine(
            code=code, title=context.title(code), knockout=knockout,
            compliance=compliance_label(compliance, language),
            explanation=shorten(answer.get("explanation", ""), ANSWER_LIMIT)))
    lines.sort(key=lambda line: (not line.knockout, order.get(line.code, len(order)),
                                 line.code))
    return tuple(lines)


def profiles_intro(context: ReportContext) -> str:
    """What the profiles show; with `value` a profile's points are points of quality."""
    if context.selection.price_method == VALUE:
        return t_("For each vendor, in rank order: where it scores and where it falls short, "
                  "weighted by what the committee finds important, in the committee's own "
                  "words. Points are points of the quality score (out of 100), which lowers "
                  "the vendor's fictitious price; a requirement's points are its weight times "
                  "its score. Comments are attributed by role, not by name.")
    return t_("For each vendor, in rank order: where it scores and where it falls short, "
              "weighted by what the committee finds important, in the committee's own words. "
              "Points are points of the total score (out of 100); a requirement's points are "
              "its weight times its score. Comments are attributed by role, not by name.")


def _value_headline(context: ReportContext, vendor: VendorLine, standing: str) -> str:
    """With the price method value the total is minus the fictitious price (euros), so
    the headline names the fictitious price and the quality, never "out of 100" totals."""
    price, quality = money_text(vendor.fictitious_price), number(vendor.quality, 1)
    winner = context.recommended
    if standing == "excluded":
        return t_("Failed knock-out {codes}; its fictitious price would be {price} "
                  "(quality {quality} out of 100).").format(
            codes=", ".join(vendor.knockouts_failed), price=price, quality=quality)
    if standing == "recommended" or winner is None:
        return t_("First with a fictitious price of {price} (quality {quality} out of 100); "
                  "chance of ranking first {p_first}.").format(
            price=price, quality=quality, p_first=percent(vendor.p_first, 1))
    return t_("Rank {rank} with a fictitious price of {price} (quality {quality} out of "
              "100), {gap} more than {winner}; chance of ranking first {p_first}.").format(
        rank=vendor.rank, price=price, quality=quality,
        gap=money_text(winner.total - vendor.total), winner=winner.name,
        p_first=percent(vendor.p_first, 1))


def build_profile(context: ReportContext, vendor: VendorLine) -> VendorProfile:
    winner = context.recommended
    if vendor.excluded:
        standing, label = "excluded", t_("Excluded")
    elif winner is not None and vendor.key == winner.key:
        standing, label = "recommended", t_("Recommended")
    elif context.runner_up is not None and vendor.key == context.runner_up.key:
        standing, label = "runner_up", t_("Runner-up")
    else:
        standing, label = "other", t_("Rank {rank}").format(rank=vendor.rank)

    if standing == "excluded" and not vendor.knockouts_failed:  # below the quality threshold
        headline = t_("Excluded: its quality of {quality} out of 100 is below the quality "
                      "threshold of {threshold}.").format(
            quality=number(vendor.quality, 1),
            threshold=number(context.selection.quality_threshold, 1),
        )
    elif context.selection.price_method == VALUE:
        headline = _value_headline(context, vendor, standing)
    elif standing == "excluded":
        headline = t_("Failed knock-out {codes}; on its scores alone it would reach "
                      "{total} out of 100.").format(
            codes=", ".join(vendor.knockouts_failed), total=number(vendor.total, 1)
        )
    elif standing == "recommended":
        headline = t_("First with {total} out of 100; chance of ranking first "
                      "{p_first}.").format(
            total=number(vendor.total, 1), p_first=percent(vendor.p_first, 1)
        )
    else:
        headline = t_("Rank {rank} with {total} out of 100, {gap} points behind {winner}; "
                      "chance of ranking first {p_first}.").format(
            rank=vendor.rank,
            total=number(vendor.total, 1),
            gap=points((winner.total if winner else vendor.total) - vendor.total),
            winner=winner.name if winner else "–",
            p_first=percent(vendor.p_first, 1),
        )

    category_scores = next(
        (
            v["category_scores"]
            for v in context.ranking.get("vendors", [])
            if v["key"] == vendor.key
        ),
        {},
    )
    parts = context.contributions.get(vendor.key, {})
    categories = tuple(
        CategoryResult(
            key=key,
            name=context.category_name.get(key, key),
            weight=weight,
            score=float(category_scores.get(key, 0.0)),
            points=float(parts.get(key, 0.0)),
        )
        for key, weight in context.weights.items()
    )
    weighted = [c for c in categories if c.weight > 0]
    profile = ""
    if len(weighted) >= 2:
        by_score = sorted(weighted, key=lambda c: (-c.score, c.name))
        best = by_score[:2]
        worst = [c for c in reversed(by_score[-2:]) if c not in best]
        profile = t_("Strongest in {best}; weakest in {worst}.").format(
            best=join_names([f"{c.name} ({number(c.score, 0)})" for c in best]),
            worst=join_names([f"{c.name} ({number(c.score, 0)})" for c in worst]) or "–",
        )

    contributions = _requirement_contributions(context, vendor.key)
    strongest = sorted(
        (c for c in contributions if c.points > 0), key=lambda c: (-c.points, c.code)
    )[:TOP_REQUIREMENTS]
    shown = {c.code for c in strongest}
    weakest = sorted(
        (c for c in contributions if c.missed > 0 and c.code not in shown),
        key=lambda c: (-c.missed, c.code),
    )[:TOP_REQUIREMENTS]
    quotes, more = _quotes(
        context, vendor.key, [c.code for c in strongest] + [c.code for c in weakest]
    )

    knockouts = []
    cells = context.ranked.knockout_matrix.cells
    for requirement in context.knockouts:
        cell = cells[(vendor.key, requirement.code)]
        knockouts.append(
            KnockoutResult(
                code=requirement.code,
                title=clean(requirement.title),
                state=cell.state,
                label=knockout_state_label(cell.state),
                evidence=clean(cell.evidence),
            )
        )

    risks = []
    for code in vendor.knockouts_failed:
        risks.append(t_("Failed knock-out {code} ({title}).").format(
            code=code, title=context.title(code)))
    for code in vendor.knockouts_unverified:
        risks.append(
            t_("Knock-out {code} ({title}) has not been verified yet; it could still exclude "
               "this vendor.").format(code=code, title=context.title(code))
        )
    if vendor.coverage < COVERAGE_COMPLETE:
        risks.append(
            t_("Only {share} of the weight has been scored; unscored wishes count as 0.")
            .format(share=percent(vendor.coverage, 1))
        )
    wide = [s for s in context.spreads if s.vendor == vendor.key and s.discussion_point]
    if wide:
        codes = ", ".join(s.requirement for s in wide[:6]) + (" …" if len(wide) > 6 else "")
        risks.append(
            tn_("The committee's scores differ by 3 points or more on {n} wish: {codes}.",
                "The committee's scores differ by 3 points or more on {n} wishes: {codes}.",
                len(wide)).format(n=len(wide), codes=codes)
        )
    if context.selection.price_weight > 0 and not vendor.tco:
        risks.append(t_("No TCO is known; its price score is 0."))
    if not risks:
        risks.append(t_("The data show no particular risks."))

    return VendorProfile(
        key=vendor.key,
        name=vendor.name,
        rank=vendor.rank,
        standing=standing,
        standing_label=label,
        total=vendor.total,
        quality=vendor.quality,
        coverage=vendor.coverage,
        p_first=vendor.p_first,
        tco=vendor.tco,
        headline=headline,
        profile=profile,
        categories=categories,
        strongest=tuple(strongest),
        weakest=tuple(weakest),
        quotes=tuple(quotes),
        more_quotes=more,
        knockouts=tuple(knockouts),
        risks=tuple(risks),
        answers=_answers(context, vendor.key),
    )
