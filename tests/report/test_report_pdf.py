"""The PDF of the example selection, made by the real command, read back with pypdf."""

from __future__ import annotations

import re

import pytest

from tests.report.helpers import EXAMPLE
from tests.report.helpers import normalise
from tests.report.helpers import run_selector

CATEGORY_WEIGHTS = {
    # name -> the joint weight as the report prints it (en, nl)
    "Sales & leads": ("10.3%", "10,3%"),
    "Marketing & campaigns": ("9.9%", "9,9%"),
    "Customer service": ("12.8%", "12,8%"),
    "Complete customer view": ("14.0%", "14,0%"),
    "Reporting & data-driven work": ("8.3%", "8,3%"),
    "Hosting & hardware": ("8.6%", "8,6%"),
    "Standards & compliance": ("8.6%", "8,6%"),
    "Browsers & clients": ("7.7%", "7,7%"),
    "Back-up & recovery": ("9.8%", "9,8%"),
    "Security & access": ("9.8%", "9,8%"),
}

WORDS = {
    "en": {
        "recommends": "The selection committee recommends Northwind CRM",
        "excluded": "PolderSuite is excluded because it failed knock-out IT-BRW-01",
        "unverified": "Tulip Cloud CRM: knock-out IT-BRW-01 (Works in the two latest versions of "
        "Edge, Chrome and Firefox) has not been verified yet.",
        "disagree": "Business and IT disagree on the winner: by the business members' own "
        "weights Northwind CRM comes first, by IT management's own weights Tulip Cloud CRM.",
        "page": "page {page} of {total}",
        "flip": "Northwind CRM stays first unless the weight of Back-up & recovery rises "
        "above 23% (now 10%)",
        "chapters": ["Executive summary", "Method", "Vendor profiles", "Robustness",
                     "Open points and dissent", "Appendix", "Decision of the sponsor"],
        "anchors": ["absent", "poor", "partly", "meets", "meets well", "exceeds"],
    },
    "nl": {
        "recommends": "De selectiecommissie beveelt aan Northwind CRM",
        "excluded": "PolderSuite is uitgesloten: de leverancier voldoet niet aan knock-out "
        "IT-BRW-01",
        "unverified": "Tulip Cloud CRM: knock-out IT-BRW-01 (Works in the two latest versions of "
        "Edge, Chrome and Firefox) is nog niet geverifieerd.",
        "disagree": "Business en IT verschillen van mening over de winnaar: met de eigen "
        "weging van de business komt Northwind CRM op de eerste plaats, met die van "
        "IT-management Tulip Cloud CRM.",
        "page": "pagina {page} van {total}",
        "flip": "Northwind CRM blijft eerste, tenzij het gewicht van Back-up & recovery stijgt "
        "tot boven 23% (nu 10%)",
        "chapters": ["Managementsamenvatting", "Methode", "Profielen per leverancier",
                     "Robuustheid", "Open punten en afwijkende standpunten", "Bijlage",
                     "Besluit van de opdrachtgever"],
        "anchors": ["afwezig", "slecht", "gedeeltelijk", "voldoet", "voldoet ruim",
                    "overtreft"],
    },
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_example_report_argues_the_choice(example_reports, language):
    pdf = example_reports(language)
    words = WORDS[language]
    text = pdf.text
    assert words["recommends"] in text
    assert words["excluded"] in text
    assert "Requires IE mode for the planning module." in text
    assert words["unverified"] in text
    assert words["disagree"] in text
    assert words["flip"] in text
    for anchor in words["anchors"]:
        assert anchor in text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_summary_page_names_winner_runner_up_and_margin(example_reports, language):
    pdf = example_reports(language)
    flat = next(
        normalise(p) for p in pdf.pages if WORDS[language]["recommends"] in normalise(p)
    )
    assert "Northwind CRM" in flat and "Tulip Cloud CRM" in flat
    assert ("3.2" if language == "en" else "3,2") in flat
    assert ("99." if language == "en" else "99,") in flat  # chance of ranking first


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_category_appears_with_its_weight(example_reports, language):
    pdf = example_reports(language)
    column = 0 if language == "en" else 1
    for name, weights in CATEGORY_WEIGHTS.items():
        # the heat map and each vendor's category table put the weight beside the name
        assert f"{name} {weights[column]}" in pdf.text, name


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_page_says_page_n_of_m(example_reports, language):
    pdf = example_reports(language)
    total = len(pdf.pages)
    assert total > 10
    for number, page in enumerate(pdf.pages, start=1):
        wanted = WORDS[language]["page"].format(page=number, total=total)
        assert wanted in page, (number, page[-200:])


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_outline_holds_the_chapters_and_the_vendors(example_reports, language):
    pdf = example_reports(language)
    titles = pdf.outline
    for chapter in WORDS[language]["chapters"]:
        assert any(title.endswith(chapter) for title in titles), (chapter, titles)
    for vendor in ("1. Northwind CRM", "2. Tulip Cloud CRM", "3. PolderSuite"):
        assert vendor in titles


def test_the_pdf_embeds_dejavu_sans(example_reports):
    pdf = example_reports("en")
    fonts = set()
    for page in pdf.reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if descriptor is not None:
                assert "/FontFile2" in descriptor.get_object()  # the TrueType is embedded
    assert any("DejaVuSans" in name for name in fonts)
    assert not any(re.search(r"Helvetica|Times", name) for name in fonts), fonts


def test_comments_are_attributed_by_role_not_by_name(example_reports):
    text = example_reports("en").text
    assert "— a business member" in text or "— 2 business members" in text
    assert "— the consensus meeting" in text
    # Names appear in the committee table and the sign-off, never beside a quotation.
    for name in ("Bram Jansen", "Koen Smit", "Ingrid Visser"):
        assert f"— {name}" not in text


def test_the_command_refuses_what_it_cannot_do(tmp_path):
    result = run_selector("report", "-o", str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert "give either a selection file or --selection ID" in result.stderr
    missing = run_selector("report", str(EXAMPLE), "-o", str(tmp_path / "no" / "x.pdf"))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr + result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_the_language_follows_the_selection_unless_given(tmp_path, example_file_doc):
    import json

    example_file_doc["selection"]["language"] = "nl"
    source = tmp_path / "nl.json"
    source.write_text(json.dumps(example_file_doc), encoding="utf-8")
    output = tmp_path / "nl.pdf"
    result = run_selector("report", str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    from tests.report.helpers import ExtractedPdf

    pdf = ExtractedPdf(output)
    assert "pagina 1 van" in pdf.text and "Managementsamenvatting" in pdf.text
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert output.stat().st_mode & 0o777 == 0o666 & ~umask  # not left private by mkstemp
