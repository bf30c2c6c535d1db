"""The report's IT chapter shows IT management's structured answers (the file's
`it_answers`) as a table per IT category, beside the requirements they generated."""

from __future__ import annotations

import json

import pytest

from tests.report.helpers import ExtractedPdf
from tests.report.helpers import normalise
from tests.report.helpers import run_selector

ANSWERS = [
    {"requirement": "IT-HST-01", "item": "data_location", "value": {"location": "the EU/EEA"}},
    {"requirement": "IT-HST-02", "item": "deployment_model",
     "value": {"models": ["saas", "on_premises"]}},
    {"requirement": "IT-STD-01", "item": "sso", "value": {"protocols": ["saml2", "oidc"]}},
    {"requirement": "IT-BRW-01", "item": "browser",
     "value": {"browser": "edge", "device": "desktop", "min_version": 120}},
    {"requirement": "IT-BRW-02", "item": "browser",
     "value": {"browser": "safari", "device": "tablet", "min_version": None}},
    {"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 24}},
    {"requirement": "IT-BCK-03", "item": "restore_test",
     "value": {"frequency": "yearly", "restored_by": "vendor"}},
]

EXPECTED = {
    "en": [
        "Hosting & hardware IT management's answers, and the requirements made from them: "
        "Question Answer Code Deployment model (any of) SaaS or On premises IT-HST-02 "
        "Data location the EU/EEA IT-HST-01 Code Requirement",
        "Standards & compliance IT management's answers, and the requirements made from them: "
        "Question Answer Code Single sign-on (any of) SAML 2.0 or OpenID Connect IT-STD-01",
        "Browsers and devices Microsoft Edge · Desktop and laptop · version 120 or later "
        "IT-BRW-01 Browsers and devices Apple Safari · Tablet · the 2 most recent major "
        "versions IT-BRW-02",
        "RPO: data loss at most (hours) 24 IT-BCK-01 Restore test Yearly · The vendor IT-BCK-03",
    ],
    "nl": [
        "Implementatiemodel (een van) SaaS of On-premises IT-HST-02",
        "Browsers en apparaten Apple Safari · Tablet · de 2 nieuwste hoofdversies IT-BRW-02",
        "RPO: hooguit zoveel gegevensverlies (uren) 24 IT-BCK-01 Hersteltest Jaarlijks · "
        "De leverancier IT-BCK-03",
    ],
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_it_chapter_shows_the_answers_beside_their_requirements(
        tmp_path, example_file_doc, language):
    example_file_doc["it_answers"] = ANSWERS
    source = tmp_path / "answers.json"
    source.write_text(json.dumps(example_file_doc), encoding="utf-8")
    output = tmp_path / "report.pdf"
    result = run_selector("report", str(source), "-o", str(output), "--lang", language)
    assert result.returncode == 0, result.stderr
    text = ExtractedPdf(output).text
    for passage in EXPECTED[language]:
        assert normalise(passage) in text, passage


def test_a_report_without_answers_has_no_answer_tables(example_reports):
    text = example_reports("en").text
    assert "IT management's answers" not in text
    assert "Hosting & hardware Code Requirement Priority Weight IT-HST-01" in text
