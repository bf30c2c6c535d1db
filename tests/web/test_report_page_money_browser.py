"""The report page's new chapters in a real browser (Debian's Chromium, headless), on a
desktop and on a 390 px phone: the summary with the facilitator's recommendation, the
costs, the rank reversal and the sponsor's decision fit the page without scrolling
sideways. Screenshots land in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from tests.analysis.support import SPONSOR
from tests.analysis.support import import_example
from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.report.test_report_money import priced
from tests.web.test_report_page_money import approve
from tests.web.test_report_page_money import recommend_tulip

CHAPTERS = ("report-summary", "report-costs", "report-robustness", "report-sign-off")


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_new_chapters_on_a_desktop_and_a_phone(app, dbs, example_doc, width, height):
    sid = import_example(dbs, priced(example_doc, price_weight=0.2,
                                     price_method="linear_bids"))
    recommend_tulip(dbs, sid)
    approve(dbs, sid, "The committee's argument holds.")
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size({"width": width, "height": height})
        log_in(page, base, SPONSOR)
        page.goto(f"{base}/selections/{sid}/report")
        assert page.locator("[data-field=winner]").inner_text() == "Tulip Cloud CRM"
        assert page.locator("[data-field=decision-verdict]").inner_text() == "Approved"
        assert page.locator("#report-costs tbody tr").count() == 3
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        ARTIFACTS.mkdir(exist_ok=True)
        for chapter in CHAPTERS:
            page.locator(f"#{chapter}").screenshot(
                path=str(ARTIFACTS / f"report-page-{chapter}-{width}.png"))
        assert page.problems == []
