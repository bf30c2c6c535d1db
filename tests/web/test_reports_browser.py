"""The report in a real browser (Debian's Chromium, headless): the sponsor opens the
report page, downloads the PDF through the browser, and the PDF names the winner; the
facilitator seals a final report. Screenshots land in test-artifacts/ for a person to
look at."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.analysis.support import FACILITATOR
from tests.analysis.support import SPONSOR
from tests.analysis.support import import_example
from tests.browser_support import chromium_page
from tests.browser_support import log_in as log_in_page
from tests.browser_support import served

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DUTCH_DEMO = ROOT / "seed" / "demo" / "demo.nl.json"


@pytest.fixture
def serve(app):
    """Serve the app on a free local port; yields its address."""
    with served(app) as base:
        yield base


@pytest.fixture
def browser_page():
    with chromium_page(accept_downloads=True) as page:
        page.on("dialog", lambda dialog: dialog.accept())  # "Issue the final report now?"
        yield page


def log_in(page, base: str, email: str, language: str = "en") -> None:
    log_in_page(page, base, email)
    if language != "en":
        page.locator(f"button[name=language][value={language}]").click()
        page.wait_for_load_state()


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


@pytest.mark.browser
def test_the_sponsor_downloads_the_report(app, dbs, example_doc, serve, browser_page, tmp_path):
    sid = import_example(dbs, example_doc)
    page = browser_page
    log_in(page, serve, SPONSOR)
    page.goto(f"{serve}/selections/{sid}")
    page.locator("nav.tabs a", has_text="Report").click()
    page.wait_for_url(f"**/selections/{sid}/report")
    assert page.locator("[data-field=winner]").inner_text() == "Northwind CRM"
    assert page.locator("svg[role=img] title").count() == 4
    assert page.locator("form[action$='/report/final']").count() == 0  # a sponsor reads
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-page-en.png"))
    page.screenshot(path=str(ARTIFACTS / "report-page-en-full.png"), full_page=True)

    with page.expect_download() as info:
        page.locator(".pagehead a", has_text="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("crm-selection-gemeente-voorbeeld-2026-draft-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = pdf_text(saved)
    assert "The selection committee recommends Northwind CRM" in text
    assert "PolderSuite is excluded because it failed knock-out IT-BRW-01" in text
    assert not page.problems, page.problems  # no CSP violation, no script error


@pytest.mark.browser
def test_the_facilitator_seals_a_dutch_final_report(app, dbs, serve, browser_page, tmp_path):
    sid = import_example(dbs, json.loads(DUTCH_DEMO.read_text(encoding="utf-8")))
    page = browser_page
    log_in(page, serve, FACILITATOR, "nl")
    page.goto(f"{serve}/selections/{sid}/report")
    page.locator("button", has_text="Eindrapport uitbrengen").click()
    page.wait_for_selector(".flash--success")
    sha = page.locator("[data-field=sha256]").first.inner_text()
    assert sha in page.locator(".flash--success").inner_text()
    page.locator("#final-reports").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-page-nl-sealed.png"))

    with page.expect_download() as info:
        page.locator(".sealed__download").first.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == sha
    assert "De selectiecommissie beveelt aan Northwind CRM" in pdf_text(saved)

    page.goto(f"{serve}/selections/{sid}")
    assert page.locator("[data-field=current-sha256]").inner_text() == sha
    page.locator("#final-report").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-overview-nl.png"))
    assert not page.problems, page.problems
