"""A shared computer (issue 17, item 4), in a real browser (Debian's Chromium, headless).

Sanne scores Northwind while the save fails: her score and argument are kept in the
browser's storage for a retry. She logs out; Bram logs in on the same browser and opens
the same sheet. Nothing of Sanne's is saved under Bram's account: logging out clears the
storage, and a sheet deletes unread any answers kept by another account or login (tested
by putting Sanne's kept answers back after the logout, as a browser that ignores
Clear-Site-Data would have them).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.browser_support import BROWSER_ARGS
from tests.browser_support import chromium
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

SANNE, BRAM, FENNA = "sanne@example.org", "bram@example.org", "fenna@example.org"
ARGUMENT = "Sanne's argument 4d2e: the knowledge base is weak"
KEPT = "() => Object.keys(localStorage).filter(k => k.startsWith('selector.unsaved:'))"


@pytest.fixture
def live(app, dbs, example_doc):
    from selector.models import Account
    from selector.models import Requirement
    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import accounts
    from selector.services import selection_file
    from selector.services import selections

    doc = {**example_doc, "knockouts": [], "consensus": [],
           "scores": [s for s in example_doc["scores"]
                      if not (s["member"] in (SANNE, BRAM) and s["vendor"] == "northwind")]}
    with dbs.transaction() as session:
        sid = selection_file.import_selection(session, doc)
        for account in session.scalars(select(Account)):
            account.password_hash = accounts.hash_password(PASSWORD)
        selection = session.get(Selection, sid)
        selections.change_phase(session, selection, accounts.find_account(session, FENNA),
                                "back", "Northwind is still open.")
        vendor = session.scalar(select(Vendor.id).where(Vendor.selection_id == sid,
                                                        Vendor.key == "northwind"))
        first = session.scalar(select(Requirement.id).where(
            Requirement.selection_id == sid, Requirement.code == "BUS-SAL-01"))
    with served(app) as base:
        yield base, sid, vendor, first


def bram_has_nothing(dbs, sid: int, vendor: int) -> None:
    from selector.models import Account
    from selector.models import AuditEntry
    from selector.models import Membership
    from selector.models import Score

    with dbs.transaction(write=False) as session:
        bram = session.scalar(select(Membership.id).join(Account).where(
            Membership.selection_id == sid, Account.email == BRAM))
        assert session.scalar(select(func.count()).select_from(Score).where(
            Score.membership_id == bram, Score.vendor_id == vendor)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "score", AuditEntry.actor == BRAM)) == 0
        assert session.scalar(select(func.count()).select_from(Score).where(
            Score.comment == ARGUMENT)) == 0


def open_sheet_as(page, base: str, sheet: str, email: str) -> None:
    from playwright.sync_api import expect

    log_in(page, base, email)
    page.goto(sheet)
    page.get_by_label("No: I have no ties with this vendor").check()
    page.click("button:has-text('Continue to the sheet')")
    expect(page.locator("[data-connection]")).to_have_text("All answers are saved.")


def test_answers_kept_for_a_retry_never_reach_the_next_persons_account(live, dbs):
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    executable = chromium()
    base, sid, vendor, first = live
    sheet = f"{base}/selections/{sid}/scoring/vendors/{vendor}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        context = browser.new_context(extra_http_headers={"Accept-Language": "en"})
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # "Some answers are not saved"
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            # --- Sanne: the save fails, her answer is kept for a retry -----------------
            open_sheet_as(page, base, sheet, SANNE)
            page.route("**/scores", lambda route: route.abort())  # the server is unreachable
            page.fill(f"#item-{first} [data-comment]", ARGUMENT)
            page.check(f"#item-{first} [data-score][value='2']")
            expect(page.locator("[data-connection]")).to_contain_text("No connection")
            kept = page.evaluate(KEPT)
            assert len(kept) == 1
            stored = page.evaluate("key => localStorage.getItem(key)", kept[0])
            assert ARGUMENT in stored

            # --- she logs out: the browser's storage goes with the login ---------------
            page.click("header form[action$='/logout'] button")
            page.wait_for_url("**/login")
            page.unroute("**/scores")
            assert page.evaluate(KEPT) == []

            # --- Bram on the same browser, same sheet: nothing of Sanne's is sent ------
            open_sheet_as(page, base, sheet, BRAM)
            page.wait_for_timeout(1500)
            expect(page.locator(f"#item-{first} [data-comment]")).to_have_value("")
            bram_has_nothing(dbs, sid, vendor)

            # A browser that kept the storage (no Clear-Site-Data): Sanne's answers are
            # put back as they were; Bram's sheet deletes them unread.
            page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                          [kept[0], stored])
            page.reload()
            expect(page.locator("[data-connection]")).to_have_text("All answers are saved.")
            page.wait_for_timeout(1500)
            expect(page.locator(f"#item-{first} [data-comment]")).to_have_value("")
            assert page.evaluate(KEPT) == []
            bram_has_nothing(dbs, sid, vendor)

            # His own unsaved answers are kept under his own name, as before.
            page.route("**/scores", lambda route: route.abort())
            page.check(f"#item-{first} [data-score][value='3']")
            expect(page.locator("[data-connection]")).to_contain_text("No connection")
            assert len(page.evaluate(KEPT)) == 1 and page.evaluate(KEPT) != kept
            assert errors == []
        finally:
            context.close()
            browser.close()
