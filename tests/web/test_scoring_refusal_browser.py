"""In a real browser (headless Chromium): a refused submit of a long scoring sheet opens
on its first problem, with the count said in a live region; without JavaScript the page
opens on the summary at its top, whose link leads to the first problem (issue 22,
item 6)."""

from __future__ import annotations

import pytest

from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in
from tests.web.test_scoring_sheet import declare
from tests.web.test_scoring_sheet import save
from tests.web.test_scoring_sheet import score_everything

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 700}  # a long sheet: the last items are far below


@pytest.fixture
def refused_sheet(app, world):
    """Ingrid's sheet for Northwind, every answer given, two extremes without argument
    far down the sheet; returns the sheet's path and the first unargued item's id."""
    ingrid = signed_in(app, INGRID)
    declare(ingrid, world)
    items = score_everything(ingrid, world)
    for item in (items[-3], items[-1]):
        assert save(ingrid, world, item["code"], 0, "", version=1).json["unargued_extreme"]
    return sheet_url(world), items[-3]["requirement_id"]


def test_a_refused_submit_scrolls_the_first_problem_into_view(app, refused_sheet):
    from playwright.sync_api import expect

    path, first = refused_sheet
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size(PHONE)
        log_in(page, base, INGRID)
        page.goto(base + path)
        problem = page.locator(f"#item-{first}")
        expect(problem).not_to_be_in_viewport()  # far down the sheet
        page.locator("[data-submit-sheet] button[type=submit]").click()
        expect(page.locator("#sheet-problems")).to_contain_text("There are 2 problems.")
        expect(problem.locator("[data-score]:focus")).to_have_count(1)
        expect(problem).to_be_in_viewport()
        page.screenshot(path=str(ARTIFACTS / "scoring-sheet-refused.png"))
        expect(page.locator("[data-problem-count]")).to_have_text("There are 2 problems.")
        # The console names the refused submit's 422; nothing else went wrong.
        assert [p for p in page.problems if "status of 422" not in p] == []


def test_without_javascript_the_summary_leads_to_the_first_problem(app, refused_sheet):
    from playwright.sync_api import expect

    path, first = refused_sheet
    with served(app) as base, chromium_page(java_script_enabled=False) as page:
        page.set_viewport_size(PHONE)
        log_in(page, base, INGRID)
        page.goto(base + path)
        page.locator("[data-submit-sheet] button[type=submit]").click()
        summary = page.locator("#sheet-problems")
        expect(summary).to_be_in_viewport()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "scoring-sheet-refused-no-js.png"))
        problem = page.locator(f"#item-{first}")
        expect(problem).not_to_be_in_viewport()
        summary.get_by_role("link").click()
        expect(problem).to_be_in_viewport()
