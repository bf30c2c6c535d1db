"""Money, the recommendation and the sponsor's decision in the report (issue 18), read
back from the PDF's text."""

from __future__ import annotations

import copy
import io
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from selector.domain.method import rank
from selector.domain.ranked import RankedSelection
from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.models import Account
from selector.models import Selection
from selector.models import SponsorDecision
from selector.models import Vendor
from selector.report.build import build_report_data
from selector.report.pdf import render_pdf
from selector.services.reports import Seal
from selector.services.reports import selection_report
from selector.services.selection_file import import_selection
from tests.report.helpers import normalise

TODAY = date(2026, 12, 2)

# Cost lines giving TCOs over 5 years of 150,000, 140,000 and 300,000 (implementation
# plus 5 times licence and hosting): with linear_bids at 20% PolderSuite's expensive,
# losing bid decides that Northwind CRM wins.
COSTS = {
    "northwind": {"licence_per_year": 16000, "implementation": 30000,
                  "hosting_support_per_year": 8000, "contract_years": 3},
    "tulip": {"licence_per_year": 15000, "implementation": 25000,
              "hosting_support_per_year": 8000, "contract_years": 4},
    "polder": {"licence_per_year": 35000, "implementation": 50000,
               "hosting_support_per_year": 15000, "contract_years": 2.5},
}


class Pdf:
    """The PDF's text, whole and per page (white space as single spaces)."""

    def __init__(self, pdf: bytes) -> None:
        self.pages = [normalise(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]
        self.text = " ".join(self.pages)

    def from_page(self, marker: str, pages: int = 2) -> str:
        """The text of the first page holding `marker` and the pages after it."""
        first = next(i for i, text in enumerate(self.pages) if marker in text)
        return " ".join(self.pages[first : first + pages])


def report_of(doc: dict, language: str = "en", process=None) -> Pdf:
    doc = validate(doc)
    selection = selection_from_file(doc)
    report = build_report_data(doc, RankedSelection(selection, rank(selection, draws=500)),
                               process=process, language=language, today=TODAY)
    return Pdf(render_pdf(report))


def priced(example_doc: dict, **settings) -> dict:
    """The example with cost lines, PolderSuite passing its knock-out, and `settings`."""
    doc = copy.deepcopy(example_doc)
    for vendor in doc["vendors"]:
        vendor.pop("tco", None)
        vendor["costs"] = COSTS[vendor["key"]]
    for verdict in doc["knockouts"]:
        if verdict["vendor"] == "polder":
            verdict["passed"] = True
    doc["selection"].update(settings)
    return doc


def costs_chapter(pdf: Pdf) -> str:
    return pdf.from_page(" Costs Price ")  # the chapter's heading, then its first sentence


def test_at_price_weight_0_the_costs_are_shown_and_said_not_to_count(example_doc):
    pdf = report_of(example_doc)
    costs = costs_chapter(pdf)
    assert "Price did not count in the ranking: the price weight is 0" in costs
    # TCO over 5 years, the difference with the cheapest (Tulip Cloud CRM at €121,000).
    assert "Northwind CRM – – – – €182,000 +€61,000" in costs
    assert "Tulip Cloud CRM – – – – €121,000 cheapest" in costs
    assert "PolderSuite · excluded – – – – €146,000 +€25,000" in costs
    assert "only the TCO was entered, not the cost lines behind it" in costs
    assert "Price score" not in costs
    # The summary names the recommended vendor's TCO against the runner-up's, exactly.
    summary = next(p for p in pdf.pages if "Executive summary" in p and "The argument" in p)
    assert ("Northwind CRM costs €182,000 over 5 years, €61,000 more than Tulip Cloud CRM "
            "(€121,000). Price did not count in the ranking.") in summary
    assert "TCO over 5 years €182,000" in summary


def test_when_price_counts_the_costs_show_the_lines_the_score_and_the_method(example_doc):
    pdf = report_of(priced(example_doc, price_weight=0.2, price_method="linear_bids"))
    costs = costs_chapter(pdf)
    assert "Price counts for 20% of the total, quality for the remaining 80%." in costs
    assert ("Price method: linear between the lowest and the highest bid. The lowest TCO "
            "among the vendors that are not excluded earns 100 price points and the highest "
            "earns 0") in costs
    # Cost lines, contract years, TCO, difference and price score, by the hand:
    # (300,000 - 150,000) / (300,000 - 140,000) = 93.75 points.
    assert "Northwind CRM €16,000 €30,000 €8,000 3 €150,000 +€10,000 93.8" in costs
    assert "Tulip Cloud CRM €15,000 €25,000 €8,000 4 €140,000 cheapest 100.0" in costs
    assert "PolderSuite €35,000 €50,000 €15,000 2.5 €300,000 +€160,000 0.0" in costs
    assert "Price did not count" not in pdf.text
    summary = next(p for p in pdf.pages if "The argument" in p)
    assert ("Northwind CRM costs €150,000 over 5 years, €10,000 more than Tulip Cloud CRM "
            "(€140,000).") in summary


def test_rank_reversal_is_said_plainly(example_doc):
    pdf = report_of(priced(example_doc, price_weight=0.2, price_method="linear_bids"))
    sentence = "Without PolderSuite, Tulip Cloud CRM would rank first."
    method = pdf.from_page("Every requirement is either a knock-out or a wish")
    assert sentence in method
    assert ("This method scores each bid against the other bids, so taking away a bid that "
            "does not win can change which vendor comes first (rank reversal).") in method
    assert ("Relative to the lowest price, linear between the lowest and the highest bid and "
            "logarithmic all do this; linear on a fixed scale and value (fictitious discount "
            "for quality) score every bid on its own and never do.") in pdf.text
    robustness = next(p for p in pdf.pages if "Rank reversal" in p)
    assert sentence in robustness
    assert "A bid that does not win decides the winner here" in robustness
    summary = next(p for p in pdf.pages if "The argument" in p)
    assert sentence in summary


def test_a_fixed_scale_never_reverses_and_says_so(example_doc):
    pdf = report_of(priced(example_doc, price_weight=0.2, price_method="linear_fixed",
                           price_full=100000, price_zero=400000))
    assert "would rank first" not in pdf.text
    assert ("A TCO of €100,000 or less earns 100 price points and a TCO of €400,000 or more "
            "earns 0") in pdf.text
    # (400,000 - 150,000) / (400,000 - 100,000) = 83.3 points.
    assert "Northwind CRM €16,000 €30,000 €8,000 3 €150,000 +€10,000 83.3" in costs_chapter(pdf)


def test_the_value_method_prints_the_fictitious_price(example_doc):
    pdf = report_of(priced(example_doc, price_method="value", quality_value=100000))
    costs = costs_chapter(pdf)
    assert "Fictitious price" in costs and "Price score" not in costs
    assert "The organisation values perfect quality (a quality score of 100) at €100,000." \
        in costs
    # F = TCO - V * Q / 100: Northwind 150,000 - 100,000 * 0.708857 = 79,114;
    # Tulip 140,000 - 67,645 = 72,355; PolderSuite 300,000 - 72,852 = 227,148.
    assert "Tulip Cloud CRM €15,000 €25,000 €8,000 4 €140,000 cheapest €72,355" in costs
    assert "Northwind CRM €16,000 €30,000 €8,000 3 €150,000 +€10,000 €79,114" in costs
    summary = next(p for p in pdf.pages if "The argument" in p)
    assert ("Tulip Cloud CRM has the lowest fictitious price, €72,355: €6,759 below "
            "Northwind CRM (€79,114).") in summary
    assert "out of 100, " not in summary.split("The argument", 1)[1].split(".")[0]


def test_the_threshold_excludes_and_the_report_says_why(example_doc):
    pdf = report_of(priced(example_doc, quality_threshold=70))
    assert ("Tulip Cloud CRM is excluded because it failed the quality threshold (quality "
            "67.6, threshold 70.0).") in pdf.text
    assert ("Quality threshold: a vendor whose quality is below 70.0 out of 100 is excluded, "
            "like a vendor that fails a knock-out, before any price is compared") in pdf.text
    assert "Below the threshold: Tulip Cloud CRM (quality 67.6)." in pdf.text
    assert "excluded: quality below the threshold" in pdf.text


def test_dutch_costs_use_dutch_euros(example_doc):
    pdf = report_of(example_doc, "nl")
    costs = pdf.from_page(" Kosten De prijs telde niet mee in de rangorde")
    assert "€ 182.000" in costs and "+€ 61.000" in costs


# ------------------------------------------------------------------ from the database


@pytest.fixture
def stored(db, example_doc):
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))


RECOMMENDATION = (
    "We recommend Tulip Cloud CRM.\n\n"
    "Its browser support is still to be verified; <b>the</b> contract & its exit clause\n"
    "were read by Legal."
)


def _ids(session, stored):
    accounts = {a.email: a for a in session.scalars(select(Account))}
    vendors = {v.key: v for v in session.scalars(select(Vendor).where(
        Vendor.selection_id == stored))}
    return accounts, vendors


def test_the_recommendation_is_printed_word_for_word_and_attributed(db, stored):
    with db.transaction(write=False) as session:
        before = Pdf(selection_report(session, stored).pdf)
    assert "The facilitator has not written a recommendation yet." in before.text
    with db.transaction() as session:
        accounts, vendors = _ids(session, stored)
        selection = session.get(Selection, stored)
        selection.recommendation = RECOMMENDATION
        selection.recommended_vendor_id = vendors["tulip"].id
        selection.recommendation_reason = "Half the price over five years."
        selection.recommendation_by_id = accounts["fenna@example.org"].id
        selection.recommendation_at = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    with db.transaction(write=False) as session:
        rendered = selection_report(session, stored)
    pdf = Pdf(rendered.pdf)
    summary = next(p for p in pdf.pages if "The facilitator's recommendation" in p)
    assert "The facilitator has not written a recommendation yet." not in pdf.text
    assert "Recommended vendor: Tulip Cloud CRM." in summary
    assert ("The facilitator recommends Tulip Cloud CRM rather than Northwind CRM, the first "
            "in the ranking, for this reason: “Half the price over five years.”") in summary
    for paragraph in RECOMMENDATION.split("\n\n"):
        assert normalise(paragraph) in summary  # the markup is text, word for word
    assert "— Fenna de Vries, 1 December 2026" in summary
    assert rendered.report.summary.recommendation == RECOMMENDATION
    assert "The facilitator recommends Tulip Cloud CRM First in the ranking: Northwind CRM." \
        in summary
    # The TCO sentence is about the recommended vendor, against the first-ranked one.
    assert ("Tulip Cloud CRM costs €121,000 over 5 years, €61,000 less than Northwind CRM "
            "(€182,000).") in summary


def test_a_recommendation_from_a_file_is_attributed_to_the_facilitator(example_doc):
    doc = {**example_doc, "recommendation": "Choose Northwind CRM.\n\nIt fits best."}
    pdf = report_of(doc)
    assert "Choose Northwind CRM. It fits best. — the facilitator" in pdf.text
    assert "has not written a recommendation yet" not in pdf.text


def test_the_decision_of_the_sponsor(db, stored):
    with db.transaction(write=False) as session:
        pdf = Pdf(selection_report(session, stored).pdf)
    decision = pdf.text.split("Decision of the sponsor")[-1]
    assert "No decision recorded yet." in decision and "Signature" in decision
    with db.transaction() as session:
        accounts, vendors = _ids(session, stored)
        sponsor = accounts["marloes@example.org"]
        session.add(SponsorDecision(
            selection_id=stored, verdict="more_information", by_account_id=sponsor.id,
            by_email=sponsor.email, reason="First the exit costs.",
            decided_on=date(2026, 11, 30), recorded_at=datetime(2026, 11, 30, tzinfo=UTC)))
        session.add(SponsorDecision(
            selection_id=stored, verdict="approved", vendor_id=vendors["northwind"].id,
            by_account_id=sponsor.id, by_email=sponsor.email,
            reason="The committee's argument holds; the exit costs are acceptable.",
            decided_on=date(2026, 12, 3), recorded_at=datetime(2026, 12, 3, tzinfo=UTC)))
    with db.transaction(write=False) as session:
        pdf = Pdf(selection_report(session, stored, seal=Seal(
            datetime(2026, 12, 4, tzinfo=UTC), "Tulip's browser test is booked for January.")).pdf)
    decision = pdf.text.split("Decision of the sponsor")[-1]
    assert ("Approved Vendor Northwind CRM By Marloes Mulder Date 3 December 2026 Reason "
            "The committee's argument holds; the exit costs are acceptable.") in decision
    assert "No decision recorded yet." not in decision and "Signature" not in decision
    assert "First the exit costs." not in pdf.text  # only the newest verdict counts
    assert ("The final report was sealed while the recommended vendor still had unverified "
            "knock-outs. The facilitator's reason: “Tulip's browser test is booked for "
            "January.”") in decision


def test_a_decision_from_a_file(example_doc):
    doc = {**example_doc, "decision": {
        "verdict": "rejected", "vendor": None, "by": "marloes@example.org",
        "reason": "Too expensive.", "date": "2026-12-04"}}
    decision = report_of(doc).text.split("Decision of the sponsor")[-1]
    assert "Rejected Vendor – By Marloes Mulder Date 4 December 2026 Reason Too expensive." \
        in decision
