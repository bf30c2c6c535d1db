"""The costs chapter, in every report: each vendor's cost lines, its TCO and its
difference with the cheapest, and how price counted (method.md 1.1, section 5) in plain
words. The summary's TCO sentence and the rank-reversal sentences are written here too,
so that every chapter says the same about money.
"""

from __future__ import annotations

from typing import Any

from selector.domain import price as pricing
from selector.domain.price import PriceSettings
from selector.report.contents import PriceLine
from selector.report.contents import PriceSection
from selector.report.contents import VendorLine
from selector.report.context import ReportContext
from selector.report.i18n import money
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import t_
from selector.report.i18n import tn_
from selector.report.labels import join_names
from selector.report.labels import price_method_labels


def tco_years(context: ReportContext) -> int:
    return int(context.doc.get("selection", {}).get("tco_years") or 5)


def price_counts(settings: PriceSettings) -> bool:
    """Did price count in the ranking: a price score with weight > 0, or `value`?"""
    return settings.method == pricing.VALUE or settings.uses_weight


def how_price_counts(settings: PriceSettings) -> str:
    """One sentence: whether price counted in the ranking, and for how much."""
    if settings.method == pricing.VALUE:
        return t_("Price and quality count together by value: the vendor with the lowest "
                  "fictitious price ranks first.")
    if not settings.uses_weight:
        return t_("Price did not count in the ranking: the price weight is 0, so the vendors "
                  "are ranked on their quality alone. The costs are shown all the same, so "
                  "that the sponsor can weigh them.")
    return t_("Price counts for {price} of the total, quality for the remaining "
              "{quality}.").format(price=percent(settings.weight, 0),
                                   quality=percent(1 - settings.weight, 0))


def price_method_explanation(settings: PriceSettings) -> str:
    """The price method in plain words ("" when price did not count)."""
    if not price_counts(settings):
        return ""
    label = price_method_labels()[settings.method]
    method = settings.method
    if method == pricing.LOWEST_RATIO:
        how = t_("The lowest TCO among the vendors that are not excluded earns 100 price "
                 "points; every other vendor earns 100 times the lowest TCO divided by its "
                 "own, so a vendor twice as expensive earns 50.")
    elif method == pricing.LINEAR_BIDS:
        how = t_("The lowest TCO among the vendors that are not excluded earns 100 price "
                 "points and the highest earns 0; a TCO in between earns points in proportion "
                 "to where it lies between the two.")
    elif method == pricing.LINEAR_FIXED:
        how = t_("A TCO of {full} or less earns 100 price points and a TCO of {zero} or more "
                 "earns 0; a TCO in between earns points in proportion to where it lies "
                 "between the two. The scale was set before any price was opened, so each "
                 "bid is scored on its own.").format(
            full=money(float(settings.price_full or 0)),
            zero=money(float(settings.price_zero or 0)),
        )
    elif method == pricing.LOG:
        how = t_("The lowest TCO among the vendors that are not excluded earns 100 price "
                 "points and a TCO of {factor} times the lowest or more earns 0; in between, "
                 "the points fall with the logarithm of the ratio to the lowest TCO, so the "
                 "first euros above the lowest bid cost the most points.").format(
            factor=number(float(settings.log_factor or 0), 2).rstrip("0").rstrip(".,")
        )
    else:
        how = t_("The organisation values perfect quality (a quality score of 100) at "
                 "{value}. A vendor's fictitious price is its TCO minus that value times its "
                 "quality score out of 100; the lowest fictitious price ranks first, and a "
                 "vendor's total is its fictitious price with the sign reversed. The price "
                 "weight is not used.").format(value=money(float(settings.quality_value or 0)))
    return t_("Price method: {method}.").format(method=label) + " " + how


def relative_method_warning(settings: PriceSettings) -> str:
    """Why a relative method can let a losing bid decide the winner, and which do not."""
    if not settings.can_reverse:
        return ""
    return t_("This method scores each bid against the other bids, so taking away a bid "
              "that does not win can change which vendor comes first (rank reversal).") \
        + " " + _which_methods_reverse()


def _which_methods_reverse() -> str:
    labels = price_method_labels()
    relative = join_names([labels[m] for m in pricing.RELATIVE_METHODS])
    return t_("{relative} all do this; {fixed} and {value} score every bid on its own and "
              "never do.").format(relative=relative[:1].upper() + relative[1:],
                                  fixed=labels[pricing.LINEAR_FIXED],
                                  value=labels[pricing.VALUE])


def rank_reversals(context: ReportContext) -> list[str]:
    """ "Without X, Y would rank first." for every entry of the ranking's `rank_reversal`."""
    return [
        t_("Without {vendor}, {new_winner} would rank first.").format(
            vendor=context.name_of(entry["without"]),
            new_winner=context.name_of(entry["new_winner"]),
        )
        for entry in context.ranking.get("rank_reversal") or []
    ]


def rank_reversal_sentences(context: ReportContext) -> list[str]:
    """The rank reversals and why a relative method makes them; [] when there are none."""
    reversals = rank_reversals(context)
    if not reversals:
        return []
    method = price_method_labels()[context.selection.price_method]
    return reversals + [
        t_("A bid that does not win decides the winner here, because the price method "
           "“{method}” scores each bid against the other bids: without that bid the lowest "
           "or the highest bid changes, and with it the others' price scores.").format(
            method=method)
        + " " + _which_methods_reverse()
    ]


def _optional_number(value: Any) -> float | None:
    return None if value is None else float(value)


def _cheapest(vendors: list[VendorLine]) -> VendorLine | None:
    """The lowest TCO among the vendors in the running (among all when none has one)."""
    for pool in ([v for v in vendors if not v.excluded], vendors):
        priced = [v for v in pool if v.tco is not None and v.tco > 0]
        if priced:
            return min(priced, key=lambda v: (v.tco, v.rank))
    return None


def tco_sentence(context: ReportContext, vendor: VendorLine, other: VendorLine | None) -> str:
    """The recommended vendor's TCO and its difference with the next vendor, in euros."""
    years = tco_years(context)
    if vendor.tco is None:
        return t_("No costs have been entered for {vendor}.").format(vendor=vendor.name)
    period = tn_("over {n} year", "over {n} years", years).format(n=years)
    if other is None:
        return t_("{vendor} costs {tco} {period}.").format(
            vendor=vendor.name, tco=money(vendor.tco), period=period)
    if other.tco is None:
        return t_("{vendor} costs {tco} {period}; no costs have been entered for "
                  "{other}.").format(vendor=vendor.name, tco=money(vendor.tco), period=period,
                                     other=other.name)
    difference = vendor.tco - other.tco
    if abs(difference) < 0.5:
        text = t_("{vendor} costs {tco} {period}, the same as {other}.")
    elif difference > 0:
        text = t_("{vendor} costs {tco} {period}, {difference} more than {other} "
                  "({other_tco}).")
    else:
        text = t_("{vendor} costs {tco} {period}, {difference} less than {other} "
                  "({other_tco}).")
    return text.format(vendor=vendor.name, tco=money(vendor.tco), period=period,
                       difference=money(abs(difference)), other=other.name,
                       other_tco=money(other.tco))


def build_costs(context: ReportContext) -> PriceSection:
    settings = context.selection.price
    years = tco_years(context)
    cheapest = _cheapest(context.vendors)
    rows = []
    for vendor in context.vendors:
        costs = context.vendor_doc.get(vendor.key, {}).get("costs") or {}
        difference = None
        if cheapest is not None and vendor.tco is not None:
            difference = vendor.tco - float(cheapest.tco or 0)
        rows.append(
            PriceLine(
                key=vendor.key,
                name=vendor.name,
                tco=vendor.tco,
                price_score=vendor.price_score,
                licence_per_year=_optional_number(costs.get("licence_per_year")),
                implementation=_optional_number(costs.get("implementation")),
                hosting_support_per_year=_optional_number(costs.get("hosting_support_per_year")),
                contract_years=_optional_number(costs.get("contract_years")),
                excluded=vendor.excluded,
                difference=difference,
                fictitious_price=vendor.fictitious_price,
            )
        )
    paragraphs = [
        tn_("The TCO covers {n} year for every vendor, whatever the length of its contract: "
            "implementation plus the yearly licence, hosting and support.",
            "The TCO covers {n} years for every vendor, whatever the length of its contract: "
            "implementation plus {n} times the yearly licence, hosting and support.",
            years).format(n=years)
    ]
    explanation = price_method_explanation(settings)
    if explanation:
        paragraphs.append(explanation)
    if cheapest is not None:
        paragraphs.append(
            t_("The cheapest vendor in the running is {vendor}, at {tco}; the difference is "
               "each vendor's TCO minus that.").format(vendor=cheapest.name,
                                                        tco=money(float(cheapest.tco or 0)))
        )
    notes = []
    missing = [v.name for v in context.vendors if v.tco is None]
    if missing:
        notes.append(t_("No costs have been entered for {vendors}.").format(
            vendors=join_names(missing)))
        if settings.uses_weight:
            notes[-1] += " " + t_("A vendor without costs earns 0 price points.")
    only_tco = [r.name for r in rows if r.tco is not None and r.implementation is None]
    if only_tco:
        notes.append(t_("For {vendors} only the TCO was entered, not the cost lines behind "
                        "it.").format(vendors=join_names(only_tco)))
    if settings.uses_weight and any(v.excluded for v in context.vendors):
        notes.append(t_("Excluded vendors are listed with their costs, but their bids do not "
                        "count: they set no lowest or highest bid."))
    return PriceSection(
        price_weight=settings.weight,
        tco_years=years,
        intro=how_price_counts(settings),
        rows=tuple(rows),
        method=settings.method,
        counts=price_counts(settings),
        paragraphs=tuple(paragraphs),
        notes=tuple(notes),
    )
