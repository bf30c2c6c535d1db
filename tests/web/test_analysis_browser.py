"""The analysis pages in a real browser (Debian's Chromium, headless): no Content-
Security-Policy violation, the facilitator's what-if reacts at once and agrees with the
engine, and screenshots of the ranking, heat map, perspectives and sensitivity pages in
English and Dutch land in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from selector.domain import method
from tests.analysis.support import FACILITATOR
from tests.analysis.support import SPONSOR
from tests.analysis.support import engine_ranking
from tests.analysis.support import import_example
from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served

SCREENSHOTS = {"": "ranking", "/heat-map": "heat-map", "/perspectives": "perspectives",
               "/sensitivity": "sensitivity"}



@pytest.fixture
def live(app, dbs, example_doc):
    """The app served on a free local port, with the worked example in its database."""
    sid = import_example(dbs, example_doc)
    with served(app) as base:
        yield base, sid


@pytest.fixture
def browser_page():
    with chromium_page() as page:
        yield page



@pytest.mark.browser
def test_screenshots_in_english_and_dutch(live, browser_page):
    base, sid = live
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, base, FACILITATOR)
    for language in ("en", "nl"):
        page.goto(f"{base}/selections/{sid}/analysis")
        page.locator(f"button[name=language][value={language}]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        for path, name in SCREENSHOTS.items():
            page.goto(f"{base}/selections/{sid}/analysis{path}")
            page.wait_for_load_state("networkidle")
            assert page.locator("svg[role=img] title").count() >= 1, path
            page.screenshot(path=str(ARTIFACTS / f"analysis-{name}-{language}.png"),
                            full_page=True)
        heading = page.locator("h1.subheader__title").inner_text()
        assert heading == "CRM selection Gemeente Voorbeeld 2026"
    assert not page.problems, page.problems  # no CSP violation, no script error


@pytest.mark.browser
def test_the_what_if_reacts_at_once_and_agrees_with_the_engine(live, dbs, browser_page):
    import time

    base, sid = live
    page = browser_page
    log_in(page, base, FACILITATOR)
    page.goto(f"{base}/selections/{sid}/analysis/sensitivity")
    page.wait_for_selector("#what-if.js-live")
    assert page.locator("[data-whatif-submit]").is_hidden()  # live: no button needed
    doc = engine_ranking(dbs, sid)
    weights = {key: 100 * w for key, w in doc["category_weights"].items()}
    weights["backup"] = 40.0
    want = method.what_if_totals(doc, weights, 0.0)

    slider = page.locator("#wi-backup")
    started = time.perf_counter()
    slider.evaluate(
        "(el) => { el.value = '40'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-whatif-table] tbody tr').dataset.vendor === 'tulip'"
    )
    elapsed = time.perf_counter() - started
    rows = page.locator("[data-whatif-table] tbody tr")
    assert [rows.nth(i).get_attribute("data-vendor") for i in range(rows.count())] == [
        r["key"] for r in want
    ]
    totals = [rows.nth(i).locator("[data-field=total]").inner_text() for i in range(3)]
    assert totals == [f"{r['total']:.1f}" for r in want]
    assert elapsed < 1.0  # in the browser: no request, no reload

    # Back to the agreed weights: the agreed ranking again; nothing was stored.
    page.locator("[data-whatif-reset]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-whatif-table] tbody tr').dataset.vendor "
        "=== 'northwind'"
    )
    assert engine_ranking(dbs, sid) == doc
    assert not page.problems, page.problems


@pytest.mark.browser
def test_a_sponsor_reads_without_controls(live, browser_page):
    base, sid = live
    page = browser_page
    log_in(page, base, SPONSOR)
    page.goto(f"{base}/selections/{sid}/analysis/sensitivity")
    assert page.locator("#what-if").count() == 0
    assert page.locator("input[type=range]").count() == 0
    assert "Northwind CRM stays first unless the weight of Back-up & recovery rises above" \
        in page.locator("[data-category=backup] [data-field=flip]").inner_text()
    assert page.locator("a", has_text="Panel health").count() == 0
    assert not page.problems, page.problems
