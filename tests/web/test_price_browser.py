"""The price settings page in headless Chromium: the live example (static/js/price.js)
recomputes as the facilitator types and shows the numbers the server computes for the
same settings; the rank-reversal warning follows the method; screenshots at desktop and
phone width (test-artifacts/)."""

from __future__ import annotations

from flask_babel import force_locale

from selector.domain.price import PriceSettings
from selector.services import weighting
from selector.web.weighting import points
from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.test_price_settings import FENNA  # noqa: F401 - the fixture
from tests.web.test_price_settings import sid  # noqa: F401 - the fixture
from tests.web.test_price_settings import url  # noqa: F401 - the fixture


def server_numbers(app, settings: PriceSettings) -> list[str]:
    with app.test_request_context(), force_locale("en"):
        return [points(bid.total) for bid in weighting.price_example(settings)]


def test_the_example_follows_the_settings_as_they_are_typed(app, sid):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    with served(app) as base, chromium_page() as page:
        log_in(page, base, FENNA)
        page.goto(base + url(sid))
        warning = page.locator("#rank-reversal-warning")
        totals = page.locator('[data-field="example_total"]')
        assert not warning.is_visible()
        page.fill("input[name=price_weight]", "30")
        assert warning.is_visible()  # lowest_ratio with a weight: a losing bid can decide
        assert totals.all_inner_texts() == server_numbers(
            app, PriceSettings("lowest_ratio", 0.3))
        page.check("input[name=price_method][value=linear_fixed]")
        page.fill("input[name=price_full]", "50000")
        page.fill("input[name=price_zero]", "150000")
        assert not warning.is_visible()
        assert totals.all_inner_texts() == server_numbers(
            app, PriceSettings("linear_fixed", 0.3, price_full=50_000, price_zero=150_000))
        assert totals.all_inner_texts() == ["71", "63"]
        page.check("input[name=price_method][value=log]")
        page.fill("input[name=log_factor]", "1")
        assert page.locator('[data-field="example_outcome"]').inner_text() == (
            "Fill in the settings the method needs to see the example.")
        page.fill("input[name=log_factor]", "2")
        assert totals.all_inner_texts() == server_numbers(
            app, PriceSettings("log", 0.3, log_factor=2.0))
        page.check("input[name=price_method][value=value]")
        page.fill("input[name=quality_value]", "50000")
        assert page.locator('[data-field="example_fictitious"]').all_inner_texts() == [
            "€60,000", "€50,000"]
        assert page.locator('[data-field="example_outcome"]').inner_text() == (
            "Bid B ranks first.")
        page.check("input[name=price_method][value=lowest_ratio]")
        page.screenshot(path=str(ARTIFACTS / "price-settings-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "price-settings-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not page.problems, page.problems
