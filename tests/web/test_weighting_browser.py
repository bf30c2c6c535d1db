"""In a real browser (Debian's Chromium, headless): two business members and one IT
member allocate their points, the facilitator looks at the divergence chart, sets final
weights with a written rationale and freezes them.

The app runs in this process on a fresh database (werkzeug's server in a thread).
Screenshots land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser_support import ARTIFACTS
from tests.browser_support import BROWSER_ARGS
from tests.browser_support import chromium
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

FENNA, BRAM, SANNE, INGRID = (
    "fenna@example.org", "bram@example.org", "sanne@example.org", "ingrid@example.org")

# Points per category (the example's categories), chosen so that business and IT
# differ by 10 points or more on sales, service and security.
POINTS = {
    BRAM: {"sales": 30, "marketing": 10, "service": 20, "customer_view": 15, "reporting": 5,
           "hosting": 5, "standards": 5, "browsers": 0, "backup": 5, "security": 5},
    SANNE: {"sales": 20, "marketing": 15, "service": 25, "customer_view": 15, "reporting": 5,
            "hosting": 5, "standards": 5, "browsers": 0, "backup": 5, "security": 5},
    INGRID: {"sales": 5, "marketing": 5, "service": 5, "customer_view": 10, "reporting": 5,
             "hosting": 12, "standards": 10, "browsers": 8, "backup": 13, "security": 27},
}


@pytest.fixture
def live(app, dbs, example_doc):
    """The example selection without weights or scores, moved to the weighting phase,
    served on a free port."""
    from selector.models import Account
    from selector.models import Selection
    from selector.services import accounts
    from selector.services import selection_file
    from selector.services import selections

    doc = {**example_doc, "category_weights": [], "scores": [], "consensus": [],
           "knockouts": []}
    with dbs.transaction() as session:
        sid = selection_file.import_selection(session, doc)
        for account in session.scalars(select(Account)):
            accounts.set_password(session, account, PASSWORD)
        selection = session.get(Selection, sid)
        facilitator = accounts.find_account(session, FENNA)
        selections.change_phase(session, selection, facilitator, "forward")
        assert selection.phase == "weighting"
    with served(app) as base:
        yield base, sid


def test_business_and_it_allocate_the_facilitator_sets_final_weights_and_freezes(
        live, dbs, tmp_path):
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    from selector.domain import method
    from selector.models import AuditEntry
    from selector.models import Selection
    from selector.services.loader import load_selection

    executable = chromium()
    base, sid = live
    ARTIFACTS.mkdir(exist_ok=True)
    weighting = f"{base}/selections/{sid}/weighting"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900},
                                extra_http_headers={"Accept-Language": "en"})
        try:
            for email in (BRAM, SANNE, INGRID):
                log_in(page, base, email)
                page.goto(weighting)
                expect(page.get_by_role("heading", name="Your allocation")).to_be_visible()
                # Blind until saved: no group figures before the member's own allocation.
                expect(page.get_by_text("after you saved your own allocation").first
                       ).to_be_visible()
                for key, value in POINTS[email].items():
                    page.fill(f"input[data-points='{key}']", str(value))
                # The live total and shares follow the typing (JavaScript).
                expect(page.locator("output[data-total]")).to_have_text("100")
                expect(page.locator("[data-share-for='sales']")).to_have_text(
                    f"{POINTS[email]['sales']:.1f}%")
                if email == BRAM:
                    page.screenshot(path=str(ARTIFACTS / "weighting-allocation.png"),
                                    full_page=True)
                page.click("button:has-text('Save my allocation')")
                expect(page.get_by_text("Your allocation is saved.")).to_be_visible()
                expect(page.get_by_role("heading", name="The group")).to_be_visible()

            log_in(page, base, FENNA)
            page.goto(f"{weighting}/discussion")
            chart = page.locator("svg[aria-labelledby='divergence-title divergence-desc']")
            expect(chart).to_be_visible()
            with dbs.transaction(write=False) as session:
                engine = load_selection(session, sid)
            flagged = [d.category for d in method.divergence(engine) if d.discussion_point]
            assert flagged == ["sales", "service", "security"]
            rows = page.locator("#divergence-table tbody tr.row--discuss")
            expect(rows).to_have_count(3)
            expect(page.get_by_text("3 discussion points")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "weighting-discussion.png"), full_page=True)

            final = {"sales": 18, "marketing": 8, "service": 14, "customer_view": 12,
                     "reporting": 5, "hosting": 8, "standards": 7, "browsers": 5,
                     "backup": 10, "security": 13}
            form = page.locator("form[action$='/weighting/final']")
            for key, value in final.items():
                form.locator(f"input[data-points='{key}']").fill(str(value))
            expect(form.locator("output[data-total]")).to_have_text("100")
            form.locator("textarea[name=rationale]").fill(
                "Security stays above the business view after the incident review; sales "
                "and service as the business weighed them.")
            form.locator("button[type=submit]").click()
            expect(page.get_by_text("The final weights are saved with your rationale.")
                   ).to_be_visible()
            expect(page.get_by_text("Your final weights will be frozen.")).to_be_visible()
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("button:has-text('Freeze the weights')")
            expect(page.get_by_text("The weights are frozen. Scoring can open now.")
                   ).to_be_visible()
            expect(page.get_by_text("The weights are frozen since")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "weighting-frozen.png"), full_page=True)
        finally:
            browser.close()

    with dbs.transaction(write=False) as session:
        assert session.get(Selection, sid).weights_frozen_at is not None
        engine = load_selection(session, sid)
        frozen = session.scalars(
            select(AuditEntry).where(AuditEntry.selection_id == sid,
                                     AuditEntry.action == "freeze")).one()
        allocations = session.scalars(
            select(AuditEntry).where(AuditEntry.selection_id == sid,
                                     AuditEntry.entity == "allocation")).all()
    assert engine.final_weights == final
    assert method.combined_weights(engine)["sales"] == pytest.approx(0.18)
    assert '"source": "final"' in frozen.new
    assert sorted(a.actor for a in allocations) == sorted([BRAM, SANNE, INGRID])
