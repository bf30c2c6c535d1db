"""With the price method `value` a vendor's total is minus its fictitious price, in euros:
the PDF's vendor profiles and summary speak of fictitious prices and of quality out of
100, never of a total "out of 100" (issue 18)."""

from __future__ import annotations

import copy
import re
from datetime import date

from selector.domain.method import rank
from selector.domain.ranked import RankedSelection
from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.report.build import build_report_data
from tests.report.test_report_money import priced
from tests.report.test_report_money import report_of


def test_the_profile_headlines_name_the_fictitious_price(example_doc):
    pdf = report_of(priced(example_doc, price_method="value", quality_value=100000))
    # F = TCO - V * Q / 100: Tulip 140,000 - 67,645 = 72,355; Northwind 150,000 - 70,886
    # = 79,114; PolderSuite 300,000 - 72,852 = 227,148.
    tulip = pdf.from_page("1. Tulip Cloud CRM Recommended", 1)
    assert ("Recommended · First with a fictitious price of €72,355 (quality 67.6 out of "
            "100); chance of ranking first 100.0%.") in tulip
    northwind = pdf.from_page("2. Northwind CRM Runner-up", 1)
    assert ("Runner-up · Rank 2 with a fictitious price of €79,114 (quality 70.9 out of "
            "100), €6,759 more than Tulip Cloud CRM; chance of ranking first") in northwind
    assert ("Rank 3 with a fictitious price of €227,148 (quality 72.9 out of 100), "
            "€154,793 more than Tulip Cloud CRM") in pdf.text
    assert "Points are points of the quality score (out of 100), which lowers the vendor's " \
           "fictitious price" in pdf.text
    assert not re.search(r"[−-][\d,.]+ out of 100", pdf.text)


def test_other_methods_keep_the_total_out_of_100(example_doc):
    pdf = report_of(priced(example_doc, price_method="linear_bids", price_weight=0.2))
    assert "Recommended · First with " in pdf.text and " out of 100; chance of ranking " \
        "first" in pdf.text
    assert "fictitious price" not in pdf.text.split("Vendor profiles")[-1].lower()
    assert "Points are points of the total score (out of 100)" in pdf.text


def test_an_excluded_vendor_is_compared_on_its_fictitious_price(example_doc):
    doc = copy.deepcopy(example_doc)
    doc["selection"].update(price_method="value", quality_value=100000)
    next(v for v in doc["vendors"] if v["key"] == "polder")["tco"] = 100000
    pdf = report_of(doc)
    # PolderSuite failed IT-BRW-01: F = 100,000 - 72,852 = 27,148, below Tulip's
    # 121,000 - 67,645 = 53,355.
    assert ("On its fictitious price alone it would have come first (€27,148 against "
            "€53,355).") in pdf.text
    assert "On its scores alone" not in pdf.text
    assert ("Failed knock-out IT-BRW-01; its fictitious price would be €27,148 (quality "
            "72.9 out of 100).") in pdf.text


def _profiles(doc: dict):
    doc = validate(doc)
    selection = selection_from_file(doc)
    report = build_report_data(doc, RankedSelection(selection, rank(selection, draws=50)),
                               today=date(2026, 12, 2))
    return {p.key: p for p in report.profiles}


def test_a_requirements_points_are_quality_points_whatever_the_price_weight(example_doc):
    """`value` does not use the price weight: a profile's points are its quality's, as
    the category contributions are, even when a price weight was left set."""
    by_value = _profiles(priced(example_doc, price_method="value", quality_value=100000,
                                price_weight=0.2))
    on_quality = _profiles(priced(example_doc))  # price weight 0: points of quality
    for key, profile in by_value.items():
        assert [(c.code, round(c.points, 9)) for c in profile.strongest] == \
            [(c.code, round(c.points, 9)) for c in on_quality[key].strongest]
        assert [round(c.points, 9) for c in profile.categories] == \
            [round(c.points, 9) for c in on_quality[key].categories]
