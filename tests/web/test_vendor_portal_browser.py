"""The facilitator's vendor portal page in Chromium (issue 20): at 1280 and 390 px a
link is issued through the page, shown once, and nothing scrolls sideways; screenshots
in test-artifacts/ to look at."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.test_vendor_portal_pages import SECRET
from tests.web.test_vendor_portal_pages import answer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_the_facilitator_invites_a_vendor_at_every_width(app, dbs, world, width, name):
    ARTIFACTS.mkdir(exist_ok=True)
    answer(dbs, world, "IT-BRW-01", "no", SECRET)
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, base, "fenna@example.org")
        page.goto(f"{base}/selections/{world.selection}/vendors/portal")
        card = page.locator("section[data-vendor=polder]")
        card.get_by_text("Invite: issue a link").click()
        card.get_by_label("Valid for (days)").fill("21")
        card.get_by_role("button", name="Issue the link").click()
        link = page.get_by_label("Portal link").input_value()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/portal/[A-Za-z0-9_-]{40,}", link)
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('main .card')].map("
            "c => c.scrollWidth - c.clientWidth)")
        assert max(overflow) <= 1, overflow
        page.screenshot(path=str(ARTIFACTS / f"vendor-portal-{name}.png"), full_page=True)
        page.goto(f"{base}/selections/{world.selection}/vendors/portal")
        assert link not in page.content()  # shown once
        assert "Only Chrome" not in page.content()
        assert not page.problems, page.problems
