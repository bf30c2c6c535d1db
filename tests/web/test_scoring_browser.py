"""In a real browser (Debian's Chromium, headless): a member scores a vendor with the
keyboard only (digits, Tab, typing an argument), reloads and finds every answer saved,
submits; the facilitator closes scoring, records a failed knock-out (with a PDF) and a
consensus score, and the ranking changes accordingly.

The example selection is served without Sanne's scores for Northwind, its knock-out
verdicts and consensus, and moved back to the scoring phase. The app runs in this process
(werkzeug's server in a thread). Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser_support import ARTIFACTS
from tests.browser_support import BROWSER_ARGS
from tests.browser_support import chromium
from tests.browser_support import log_in
from tests.browser_support import record_consensus
from tests.browser_support import served
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

FENNA, SANNE = "fenna@example.org", "sanne@example.org"
# Sanne's scores for Northwind in sheet order (category position, then code); the one
# extreme (5) gets an argument. These are her scores in the example file.
SHEET = [("BUS-SAL-01", 4), ("BUS-SAL-02", 3), ("BUS-SAL-03", 4), ("BUS-MKT-01", 4),
         ("BUS-MKT-02", 4), ("BUS-MKT-03", 3), ("BUS-SVC-01", 4), ("BUS-SVC-02", 3),
         ("BUS-SVC-03", 5), ("BUS-CV-01", 4), ("BUS-CV-02", 4), ("BUS-RPT-01", 4),
         ("BUS-RPT-02", 2)]
ARGUMENT = "Knowledge base search beat every other demo."


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
                      if (s["member"], s["vendor"]) != (SANNE, "northwind")]}
    with dbs.transaction() as session:
        sid = selection_file.import_selection(session, doc)  # scores: phase "decision"
        for account in session.scalars(select(Account)):
            account.password_hash = accounts.hash_password(PASSWORD)
        selection = session.get(Selection, sid)
        fenna = accounts.find_account(session, FENNA)
        selections.change_phase(session, selection, fenna, "back",
                                "Sanne's sheet for Northwind is still open.")
        assert selection.phase == "scoring"
        ids = {
            "vendors": dict(session.execute(select(Vendor.key, Vendor.id)
                                            .where(Vendor.selection_id == sid)).all()),
            "requirements": dict(session.execute(
                select(Requirement.code, Requirement.id)
                .where(Requirement.selection_id == sid)).all()),
        }
    with served(app) as base:
        yield base, sid, ids



def ranking_order(page) -> list[str]:
    return page.locator("tr[data-vendor]").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-vendor'))")


def stored_ranking(dbs, sid) -> list[str]:
    from selector.domain import method
    from selector.services.loader import load_selection

    with dbs.transaction(write=False) as session:
        return [v["key"] for v in method.rank(load_selection(session, sid))["vendors"]]


def test_keyboard_scoring_then_knockout_and_consensus_change_the_ranking(live, dbs):
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    from selector.models import Account
    from selector.models import Consensus
    from selector.models import Membership
    from selector.models import Score
    from selector.models import Sheet
    from selector.models import Verdict

    executable = chromium()
    base, sid, ids = live
    ARTIFACTS.mkdir(exist_ok=True)
    northwind = ids["vendors"]["northwind"]
    sheet_url = f"{base}/selections/{sid}/scoring/vendors/{northwind}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900},
                                extra_http_headers={"Accept-Language": "en"})
        page.on("dialog", lambda dialog: dialog.accept())  # "Move on to ...?" confirmations
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            # --- Sanne scores Northwind with the keyboard -----------------------------
            log_in(page, base, SANNE)
            page.goto(sheet_url)
            page.get_by_label("No: I have no ties with this vendor").check()
            page.click("button:has-text('Continue to the sheet')")
            expect(page.locator("[data-connection]")).to_have_text("All answers are saved.")
            expect(page.get_by_text("Keyboard: type a digit")).to_be_visible()
            first = ids["requirements"][SHEET[0][0]]
            page.focus(f"#item-{first} [data-score]")  # where the keyboard starts
            # The connection drops for the first answer: it is marked, kept and sent
            # once the browser is online again.
            page.context.set_offline(True)
            page.keyboard.press(str(SHEET[0][1]))
            expect(page.locator("[data-connection]")).to_contain_text("No connection")
            expect(page.locator(f"#item-{first} [data-status]")).to_have_text(
                "Not saved yet: waiting for the connection, retrying…")
            page.screenshot(path=str(ARTIFACTS / "scoring-sheet-offline.png"))
            page.context.set_offline(False)
            expect(page.locator(f"#item-{first} [data-status]")).to_have_text("Saved",
                                                                             timeout=10_000)
            for number, (code, value) in enumerate(SHEET):
                item = page.locator(f"#item-{ids['requirements'][code]}")
                expect(item.locator("[data-score]:focus")).to_have_count(1)
                if number:  # the first was typed above
                    page.keyboard.press(str(value))
                page.keyboard.press("Tab")  # to the argument
                expect(item.locator("[data-comment]")).to_be_focused()
                if value in (0, 1, 5):
                    expect(item.locator("[data-extreme]")).to_be_visible()
                    page.keyboard.type(ARGUMENT)
                page.keyboard.press("Tab")  # on to the next requirement
                if code == "BUS-SVC-03":
                    expect(item.locator("[data-extreme]")).to_be_hidden()
            expect(page.locator("[data-connection]")).to_have_text("All answers are saved.",
                                                                   timeout=10_000)
            expect(page.locator("[data-overall-scored]")).to_have_text(str(len(SHEET)))
            page.screenshot(path=str(ARTIFACTS / "scoring-sheet-keyboard.png"), full_page=True)

            # --- reload: every answer is there ------------------------------------------
            page.reload()
            for code, value in SHEET:
                item = page.locator(f"#item-{ids['requirements'][code]}")
                expect(item.locator(f"[data-score][value='{value}']")).to_be_checked()
            svc3 = page.locator(f"#item-{ids['requirements']['BUS-SVC-03']} [data-comment]")
            expect(svc3).to_have_value(ARGUMENT)
            page.locator("#sheet").screenshot(
                path=str(ARTIFACTS / "scoring-sheet-reloaded.png"))
            page.click("button:has-text('Submit sheet for Northwind CRM')")
            expect(page.get_by_text("Your sheet for Northwind CRM is submitted.")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "scoring-my-sheets.png"), full_page=True)
            with dbs.transaction(write=False) as session:
                sanne = session.scalar(
                    select(Membership.id).join(Account, Account.id == Membership.account_id)
                    .where(Membership.selection_id == sid, Account.email == SANNE))
                saved = dict(session.execute(
                    select(Score.requirement_id, Score.score).where(
                        Score.vendor_id == northwind, Score.membership_id == sanne)).all())
                sheet = session.scalar(select(Sheet).where(
                    Sheet.vendor_id == northwind, Sheet.membership_id == sanne))
            assert sheet.submitted_at is not None and sheet.conflict == "none"
            assert saved == {ids["requirements"][c]: v for c, v in SHEET}

            # --- the facilitator closes scoring and looks at the ranking ---------------
            log_in(page, base, FENNA)
            page.goto(f"{base}/selections/{sid}")
            page.click("button:has-text('Move on to “Decision”')")
            expect(page.get_by_text("is now in the phase “Decision”")).to_be_visible()
            page.goto(f"{base}/selections/{sid}/analysis")
            assert ranking_order(page) == ["polder", "northwind", "tulip"]
            assert stored_ranking(dbs, sid) == ["polder", "northwind", "tulip"]

            # --- a failed knock-out, with the test report as PDF -----------------------
            page.goto(f"{base}/selections/{sid}/verdicts")
            brw = ids["requirements"]["IT-BRW-01"]
            polder = ids["vendors"]["polder"]
            row = page.locator(f"#verdict-{brw}-{polder}")
            row.locator("summary").click()
            row.get_by_label("Failed").check()
            row.get_by_label("Evidence").fill("The planning module needs IE mode.")
            row.locator("input[type=file]").set_input_files(files=[{
                "name": "browser-test.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n% browser test report\n%%EOF\n"}])
            row.get_by_role("button", name="Save verdict").click()
            expect(page.get_by_text("fails knock-out IT-BRW-01")).to_be_visible()
            expect(page.locator(f"#verdict-{brw}-{polder}")).to_contain_text("failed: excluded")
            expect(page.locator(f"#verdict-{brw}-{polder}")).to_contain_text("browser-test.pdf")
            page.screenshot(path=str(ARTIFACTS / "scoring-verdicts.png"), full_page=True)
            page.goto(f"{base}/selections/{sid}/vendors")
            expect(page.locator("tr[data-vendor='polder']")).to_contain_text(
                "The planning module needs IE mode.")
            page.goto(f"{base}/selections/{sid}/analysis")
            assert ranking_order(page) == ["northwind", "tulip", "polder"]
            expect(page.locator("tr[data-vendor='polder']")).to_contain_text("IT-BRW-01")

            # --- the consensus meeting: Northwind's complete customer view -------------
            page.goto(f"{base}/selections/{sid}/scoring/consensus/vendors/{northwind}")
            cv1 = ids["requirements"]["BUS-CV-01"]
            item = page.locator(f"#item-{northwind}-{cv1}")
            expect(item).to_contain_text("Sanne Bakker")
            record_consensus(page, item, "1 poor",
                             "The 360° view needs a custom module that is not in the offer.")
            page.screenshot(path=str(ARTIFACTS / "scoring-consensus.png"), full_page=True)
            page.goto(f"{base}/selections/{sid}/analysis")
            assert ranking_order(page) == ["tulip", "northwind", "polder"]
            page.screenshot(path=str(ARTIFACTS / "scoring-ranking-after.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    assert stored_ranking(dbs, sid) == ["tulip", "northwind", "polder"]
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(Verdict.passed).where(Verdict.vendor_id == polder)) is False
        agreed = session.scalar(select(Consensus).where(Consensus.vendor_id == northwind))
        assert (agreed.score, agreed.requirement_id) == (1, cv1)
