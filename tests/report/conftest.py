"""Fixtures for the report tests."""

from __future__ import annotations

import json

import pytest

from tests.report.helpers import EXAMPLE
from tests.report.helpers import ExtractedPdf
from tests.report.helpers import run_selector


@pytest.fixture(scope="session")
def example_reports(tmp_path_factory):
    """The example selection's report made by the CLI, per language (made once)."""
    made: dict[str, ExtractedPdf] = {}

    def report(language: str) -> ExtractedPdf:
        if language not in made:
            output = tmp_path_factory.mktemp(f"report-{language}") / "report.pdf"
            result = run_selector("report", str(EXAMPLE), "-o", str(output), "--lang", language)
            assert result.returncode == 0, result.stderr
            made[language] = ExtractedPdf(output)
        return made[language]

    return report


@pytest.fixture
def example_file_doc():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))
