"""The audit trail page in Chromium (issue 22): at desktop width and at 390 px, the
entries readable without scrolling sideways; screenshots in test-artifacts/ to look at."""

from __future__ import annotations

import pytest

from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.test_audit_trail import trail  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_the_audit_trail_reads_at_every_width(app, trail, width, name):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, base, trail.emails["sponsor"])
        page.goto(f"{base}/selections/{trail.selection_id}/audit")
        assert page.locator("h2.pagehead__title").inner_text() == "Audit trail"
        rows = page.locator("table.audit-table tbody tr")
        assert rows.count() == 12
        # The content scrolls with the page, never sideways.
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('main .card')].map("
            "c => c.scrollWidth - c.clientWidth)")
        assert max(overflow) <= 1, overflow
        table = page.locator("table.audit-table").bounding_box()
        assert table["x"] >= 0 and table["x"] + table["width"] <= width + 1, table
        # The filters are labelled and work with the keyboard: choose a person, submit.
        page.get_by_label("Person").select_option("bram@example.org")
        page.get_by_role("button", name="Filter").press("Enter")
        page.wait_for_url(lambda url: "person=bram" in url)
        assert rows.count() == 2
        page.goto(f"{base}/selections/{trail.selection_id}/audit")
        page.screenshot(path=str(ARTIFACTS / f"audit-trail-{name}.png"), full_page=True)
        assert not page.problems, page.problems
