"""In a real browser (Debian's Chromium, headless): an IT member enters a back-up
requirement with an RPO and makes it a knock-out with its rationale; a business member
picks wishes from the library and proposes one of her own; the facilitator accepts them
all; the list shows who raised each one, with its quality flags.

The app runs in this process on a fresh database (werkzeug's server in a thread).
Screenshots land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.browser_support import ARTIFACTS
from tests.browser_support import BROWSER_ARGS
from tests.browser_support import chromium
from tests.browser_support import log_in
from tests.browser_support import served

pytestmark = pytest.mark.browser


@pytest.fixture
def live(app, committee):
    with served(app) as base:
        yield base, committee


def test_it_and_business_raise_requirements_and_the_facilitator_accepts_them(live, dbs):
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    from selector.models import Requirement

    executable = chromium()
    base, committee = live
    sid = committee.selection_id
    requirements = f"{base}/selections/{sid}/requirements"
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900},
                                extra_http_headers={"Accept-Language": "en"})
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        try:
            # IT management: RPO of 4 hours, a knock-out with its rationale.
            log_in(page, base, committee.emails["it"])
            page.goto(f"{base}/selections/{sid}")
            page.get_by_role("link", name="Requirements", exact=True).click()
            page.get_by_role("link", name="IT requirements").click()
            page.fill("input[name='rpo-hours']", "4")
            page.select_option("select[name='rpo-priority']", "must")
            page.check("input[name='rpo-knockout']")
            page.fill("input[name='rpo-knockout_rationale']",
                      "Losing more than half a day of client contacts cannot be redone.")
            page.fill("input[name='rto-hours']", "8")
            page.screenshot(path=str(ARTIFACTS / "requirements-it-answers.png"), full_page=True)
            page.click("button:has-text(\"Save IT management's requirements\")")
            expect(page.get_by_text("IT management's answers are saved: 2 new requirements"
                                    )).to_be_visible()

            # Business: wishes from the library, and one of her own with vague words.
            log_in(page, base, committee.emails["business"])
            page.goto(f"{requirements}/library?category=sales")
            expect(page.get_by_role("heading", name="The CRM requirement library")
                   ).to_be_visible()
            page.check("input[data-scope='lib-sales']")  # select all in the category
            checked = page.locator("#lib-sales input[name=items]:checked").count()
            assert checked >= 10
            page.screenshot(path=str(ARTIFACTS / "requirements-library.png"), full_page=False)
            page.click("button:has-text('Add the selected requirements as proposals')")
            expect(page.get_by_text(f"{checked} requirements from the library are proposed."
                                    )).to_be_visible()
            page.goto(f"{requirements}/new")
            page.select_option("select[name=category_id]", label="Customer service (Business)")
            expect(page.locator("input[name=code]")).to_have_attribute(
                "placeholder", "BUS-SVC-01")
            page.fill("input[name=title]", "Fast and user-friendly complaint handling")
            page.select_option("select[name=priority]", "must")
            page.click("button:has-text('Propose'):not(:has-text('another'))")
            expect(page.get_by_text("BUS-SVC-01 is proposed.")).to_be_visible()

            # The facilitator accepts them all, with one reason.
            log_in(page, base, committee.emails["facilitator"])
            page.goto(f"{requirements}?status=proposed")
            page.check("input[data-select-all=ids]")
            page.select_option("select[name=status]", "accepted")
            page.fill("input[name=reason]", "Agreed in the joint workshop of 12 March.")
            page.click("button:has-text('Decide')")
            total = checked + 3
            expect(page.get_by_text(f"{total} requirements are now accepted.")).to_be_visible()
            page.goto(requirements)
            rpo_row = page.locator("tr", has=page.get_by_role("link", name="IT-BCK-01"))
            expect(rpo_row).to_contain_text("Recovery point objective (RPO) of at most 4 hours")
            expect(rpo_row).to_contain_text("Knock-out")
            expect(rpo_row).to_contain_text("Ingrid")
            expect(rpo_row).to_contain_text("Accepted")
            own_row = page.locator("tr", has=page.get_by_role("link", name="BUS-SVC-01"))
            expect(own_row).to_contain_text("Bram")
            expect(own_row).to_contain_text("vague")
            expect(own_row).to_contain_text("no criterion")
            expect(own_row).to_contain_text("must: knock-out or weight?")
            library_row = page.locator("tr", has=page.get_by_role("link", name="BUS-SAL-01"))
            expect(library_row).to_contain_text("Bram")
            page.screenshot(path=str(ARTIFACTS / "requirements-list-accepted.png"),
                            full_page=True)

            page.get_by_role("link", name="IT-BCK-01").first.click()
            expect(page.get_by_role("heading", name="Change history")).to_be_visible()
            expect(page.get_by_text("Agreed in the joint workshop of 12 March.").first
                   ).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "requirements-detail.png"), full_page=True)

            page.goto(requirements)
            page.get_by_role("link", name="BUS-SVC-01").first.click()
            page.get_by_role("link", name="Edit").click()
            expect(page.get_by_text("The quality check advises")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "requirements-edit.png"), full_page=True)

            page.goto(f"{requirements}/import")
            page.set_input_files("input[type=file]", files=[{
                "name": "catalogue.csv", "mimeType": "text/csv",
                "buffer": (b"category;title;priority;knockout;knockout_rationale\n"
                           b"service;Complaints answered within 5 working days;must;no;\n"
                           b"exit;Full export in CSV at the end of the contract;should;yes;"
                           b"We must be able to leave\n")}])
            page.click("button:has-text('Check the file')")
            expect(page.get_by_text("Preview of catalogue.csv")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "requirements-import-preview.png"),
                            full_page=True)
            page.goto(f"{requirements}/categories")
            page.screenshot(path=str(ARTIFACTS / "requirements-categories.png"), full_page=True)

            page.goto(f"{requirements}/quality")
            page.screenshot(path=str(ARTIFACTS / "requirements-quality.png"), full_page=True)
            page.get_by_role("button", name="NL").click()
            page.wait_for_load_state()
            page.goto(requirements)
            expect(page.get_by_role("link", name="Alle eisen en wensen")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "requirements-list-nl.png"), full_page=False)
        finally:
            browser.close()
    assert not problems, problems  # e.g. a CSP violation shows up here

    with dbs.transaction(write=False) as session:
        rows = {r.code: r for r in session.scalars(
            select(Requirement).where(Requirement.selection_id == sid))}
    rpo = rows["IT-BCK-01"]
    assert rpo.knockout and rpo.status == "accepted" and rpo.priority == "must"
    assert json.loads(rpo.structured)["value"] == {"hours": 4}
    assert {r.status for r in rows.values()} == {"accepted"}
    assert len(rows) == checked + 3
