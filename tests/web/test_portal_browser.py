"""The vendor's portal in Chromium (issue 20): the questionnaire at 1280 and 390 px, an
answer saved through the page, nothing scrolling sideways, no script or CSP problem;
screenshots in test-artifacts/ to look at."""

from __future__ import annotations

import pytest

from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import served
from tests.web.test_portal import ids  # noqa: F401  (the fixture)
from tests.web.test_portal import issue  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_a_vendor_answers_in_the_portal_at_every_width(app, dbs, ids, width, name):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    token = issue(dbs, ids, "northwind")
    requirement = ids.requirements["BUS-SAL-01"]
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/portal/{token}/")
        item = page.locator(f"form[action$='/answers/{requirement}']")
        item.locator(f"input[name='r{requirement}-compliance'][value='partly']").check()
        item.locator(f"[name='r{requirement}-explanation']").fill(
            "Through the standard web form; the source field is added in configuration.")
        item.locator("button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "the source field is added in configuration" in page.content()
        width_now = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"portal-questionnaire-{name}.png"),
                        full_page=True)
        page.goto(f"{base}/portal/{token}/")
        page.screenshot(path=str(ARTIFACTS / f"portal-questionnaire-{name}-first.png"))
        assert width_now <= width, width_now
        assert "/selections" not in page.content()  # the portal links nowhere else
        assert not page.problems, page.problems
