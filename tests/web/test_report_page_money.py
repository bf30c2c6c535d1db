"""The report page carries what the PDF carries (issue 18, items 2-5): the costs chapter,
the recommendation word for word and attributed, the recommended vendor and its reason,
rank reversal and the sponsor's decision, from the same `ReportData` as the PDF.

The priced example is the report tests' (TCOs of 150,000, 140,000 and 300,000 over 5
years; with linear_bids at 20% PolderSuite's losing bid decides that Northwind CRM
wins), and so is the recommendation holding markup that must stay text."""

from __future__ import annotations

import re
from datetime import date

from selector.models import Selection
from selector.report.i18n import long_date
from selector.report.i18n import report_language
from selector.services import reports
from tests.analysis.support import FACILITATOR
from tests.analysis.support import SPONSOR
from tests.analysis.support import import_example
from tests.analysis.support import value
from tests.report.test_report_money import RECOMMENDATION
from tests.report.test_report_money import priced
from tests.services.test_recommendations import member
from tests.services.test_recommendations import vendor_id
from tests.web.test_reports_pages import report_page
from tests.web.test_reports_pages import signed_in
from tests.web.test_reports_pages import text_of


def chapter(html: str, name: str) -> str:
    """The text of one chapter of the preview (`report-costs`, ...)."""
    start = html.index(f'<section class="report__chapter" id="{name}"')
    end = html.find('<section class="report__chapter"', start + 1)
    return text_of(html[start:end if end > 0 else len(html)])


def recommend_tulip(dbs, sid: int) -> None:
    """The facilitator recommends Tulip Cloud CRM, not the first-ranked vendor, in the
    recommendation holding markup, for its price."""
    with dbs.transaction() as session:
        selection, membership, account = member(session, sid, FACILITATOR)
        reports.write_recommendation(
            session, selection, membership, account, text=RECOMMENDATION,
            vendor_id=vendor_id(session, sid, "tulip"),
            reason="Half the price over five years.")


def approve(dbs, sid: int, reason: str) -> None:
    """The sponsor approves the recommendation on 3 December 2026."""
    with dbs.transaction() as session:
        selection, membership, account = member(session, sid, SPONSOR)
        reports.record_decision(
            session, selection, membership, account, verdict="approved", reason=reason,
            decided_on=date(2026, 12, 3))


def test_the_costs_chapter_at_price_weight_0(app, dbs, example_doc):
    sid = import_example(dbs, example_doc)
    html = report_page(signed_in(app, SPONSOR), sid)
    costs = chapter(html, "report-costs")
    assert costs.startswith("Costs Price did not count in the ranking: the price weight is 0")
    assert '<a href="#report-costs">Costs</a>' in html
    # TCO over 5 years and the difference with the cheapest, Tulip Cloud CRM at €121,000.
    assert "TCO over 5 years Difference Price score" not in costs
    assert [value(html, "tco", vendor=key) for key in ("northwind", "tulip", "polder")] == \
        ["€182,000", "€121,000", "€146,000"]
    assert [value(html, "difference", vendor=key) for key in ("northwind", "tulip", "polder")] \
        == ["+€61,000", "cheapest", "+€25,000"]
    assert value(html, "cost-vendor", vendor="polder").endswith("PolderSuite · excluded")
    assert "For Northwind CRM, Tulip Cloud CRM and PolderSuite only the TCO was entered" in costs
    # The summary's money sentence, as in the PDF.
    assert ("Northwind CRM costs €182,000 over 5 years, €61,000 more than Tulip Cloud CRM "
            "(€121,000). Price did not count in the ranking.") in chapter(html, "report-summary")
    assert "Price and total cost of ownership" not in text_of(html)


def test_the_costs_chapter_when_price_counts_and_the_rank_reversal(app, dbs, example_doc):
    sid = import_example(dbs, priced(example_doc, price_weight=0.2,
                                     price_method="linear_bids"))
    html = report_page(signed_in(app, SPONSOR), sid)
    costs = chapter(html, "report-costs")
    assert "Price counts for 20% of the total, quality for the remaining 80%." in costs
    assert "Price method: linear between the lowest and the highest bid." in costs
    # (300,000 - 150,000) / (300,000 - 140,000) = 93.75 price points.
    assert ("Northwind CRM €16,000 €30,000 €8,000 3 €150,000 +€10,000 93.8 "
            "Tulip Cloud CRM €15,000 €25,000 €8,000 4 €140,000 cheapest 100.0 "
            "PolderSuite €35,000 €50,000 €15,000 2.5 €300,000 +€160,000 0.0") in costs
    assert value(html, "price-score", vendor="northwind") == "93.8"
    sentence = "Without PolderSuite, Tulip Cloud CRM would rank first."
    robustness = chapter(html, "report-robustness")
    assert f"Rank reversal {sentence} A bid that does not win decides the winner here" \
        in robustness
    assert sentence in chapter(html, "report-summary")
    assert sentence in chapter(html, "report-method")


def test_the_recommendation_word_for_word_attributed_and_the_decision(app, dbs, example_doc):
    sid = import_example(dbs, example_doc)
    browser = signed_in(app, SPONSOR)
    before = report_page(browser, sid)
    summary = chapter(before, "report-summary")
    assert "The facilitator has not written a recommendation yet." in summary
    assert "The selection committee recommends Northwind CRM" in summary
    sign_off = chapter(before, "report-sign-off")
    assert "No decision recorded yet." in sign_off and "Signature" in sign_off

    recommend_tulip(dbs, sid)
    with dbs.transaction(write=False) as session:
        written_at = session.get(Selection, sid).recommendation_at
    html = report_page(browser, sid)
    summary = chapter(html, "report-summary")
    assert value(html, "winner") == "Tulip Cloud CRM"
    assert value(html, "recommended") == "Tulip Cloud CRM"
    assert ("The facilitator recommends Tulip Cloud CRM First in the ranking: Northwind CRM. "
            "The facilitator's reason is given below.") in summary
    assert "The selection committee recommends" not in summary
    assert value(html, "recommended-vendor") == "Recommended vendor: Tulip Cloud CRM."
    assert value(html, "recommendation-reason") == (
        "The facilitator recommends Tulip Cloud CRM rather than Northwind CRM, the first in "
        "the ranking, for this reason: “Half the price over five years.”")
    # Word for word: each paragraph its own, the markup shown as text.
    paragraphs = re.findall(r'<p class="report__text">(.*?)</p>', html.split(
        'data-field="recommendation"', 1)[1].split("</blockquote>", 1)[0], flags=re.S)
    assert paragraphs == [
        "We recommend Tulip Cloud CRM.",
        "Its browser support is still to be verified; &lt;b&gt;the&lt;/b&gt; contract &amp; "
        "its exit clause\nwere read by Legal.",
    ]
    with report_language("en"):
        when = long_date(written_at)
    assert value(html, "recommendation-by") == f"— Fenna de Vries, {when}"
    assert "— the facilitator" not in text_of(html)
    # The TCO sentence is about the recommended vendor, against the first-ranked one.
    assert ("Tulip Cloud CRM costs €121,000 over 5 years, €61,000 less than Northwind CRM "
            "(€182,000).") in summary
    assert 'data-field="ahead"' not in html  # the cover's margin is the first-ranked's

    approve(dbs, sid, "The committee's argument holds; the exit costs are acceptable.")
    html = report_page(browser, sid)
    sign_off = chapter(html, "report-sign-off")
    assert value(html, "decision-verdict") == "Approved"
    assert ("Approved Vendor Tulip Cloud CRM By Marloes Mulder Date 3 December 2026 Reason "
            "The committee's argument holds; the exit costs are acceptable.") in sign_off
    assert "No decision recorded yet." not in sign_off and "Signature" not in sign_off


def test_with_the_price_method_value_the_page_speaks_of_fictitious_prices(
        app, dbs, example_doc):
    sid = import_example(dbs, priced(example_doc, price_method="value",
                                     quality_value=100000))
    html = report_page(signed_in(app, SPONSOR), sid)
    # F = TCO - V * Q / 100: Tulip 140,000 - 67,645 = 72,355; Northwind 79,114.
    assert value(html, "fictitious-price", vendor="tulip") == "€72,355"
    assert value(html, "headline", vendor="tulip") == (
        "First with a fictitious price of €72,355 (quality 67.6 out of 100); chance of "
        "ranking first 100.0%.")
    assert value(html, "headline", vendor="northwind").startswith(
        "Rank 2 with a fictitious price of €79,114 (quality 70.9 out of 100), €6,759 more "
        "than Tulip Cloud CRM; chance of ranking first ")
    assert value(html, "profiles-intro").startswith("For each vendor")
    assert "Points are points of the quality score (out of 100)" in html
    assert "Runner-up: Northwind CRM, €6,759 behind." in chapter(html, "report-summary")
    assert value(html, "ahead").startswith("ahead of Northwind CRM by €6,759;")
    assert not re.search(r"[−-][\d,.]+ out of 100", text_of(html))
