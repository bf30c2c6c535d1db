"""Vendors answer for themselves, in a real browser (issue 20): the facilitator invites two
vendors; Northwind answers through the spreadsheet (hosted in the United States: "no" on
the EU knock-out), PolderSuite in the portal's pages and asks a question, which the
facilitator answers to both; both submit; a business member scores with the answers in
view; IT management confirms the verdict that Northwind's answer proposed.

Screenshots land in test-artifacts/ (vendors-*.png).
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from selector.models import Vendor
from selector.models import VendorQuestion
from selector.models import Verdict
from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import build_world

pytestmark = pytest.mark.browser

QUESTION = "Must single sign-on work for the field staff's tablets as well?"
ANSWER = "Yes: every member of staff signs on through SAML 2.0, tablets included."
US = "Our data centres are in Virginia, United States."


@pytest.fixture
def world(dbs):
    return build_world(dbs, "scoring")


def invite(page, base: str, world, key: str) -> str:
    page.goto(f"{base}/selections/{world.selection}/vendors/portal")
    card = page.locator(f"section[data-vendor={key}]")
    card.get_by_text("Invite: issue a link").click()
    card.get_by_role("button", name="Issue the link").click()
    return page.get_by_label("Portal link").input_value().strip()


def answered_workbook(data: bytes) -> bytes:
    """The questionnaire as a vendor fills it in: yes throughout, but no on IT-HST-01."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        keys = [cell.value for cell in row]
        if "code" in keys and "compliance" in keys:
            code_at, compliance_at = keys.index("code"), keys.index("compliance")
            explanation_at = keys.index("explanation")
            header = row[0].row
            break
    for row in sheet.iter_rows(min_row=header + 1):
        code = row[code_at].value
        if not code:
            continue
        row[compliance_at].value = "no" if code == "IT-HST-01" else "yes"
        if code == "IT-HST-01":
            row[explanation_at].value = US
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_two_vendors_answer_and_the_committee_uses_their_answers(app, dbs, world, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    with served(app) as base, chromium_page() as page:
        log_in(page, base, FENNA)
        links = {key: invite(page, base, world, key) for key in ("northwind", "polder")}
        # (The page itself, not the printed link's redirect to it: the test app's
        # SERVER_NAME would send the redirect to another host.)
        links = {key: link.rstrip("/") + "/" for key, link in links.items()}
        page.context.clear_cookies()

        # Northwind: the spreadsheet, out and back in, then submit.
        page.goto(links["northwind"])
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the questionnaire (.xlsx)").click()
        filled = tmp_path / "northwind.xlsx"
        filled.write_bytes(answered_workbook(info.value.path().read_bytes()))
        page.set_input_files("form.portal__upload input[type=file]", str(filled))
        page.get_by_role("button", name="Upload the filled-in questionnaire").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Submit my answers").click()
        page.wait_for_load_state()
        page.screenshot(path=str(ARTIFACTS / "vendors-northwind-submitted.png"), full_page=False)

        # PolderSuite: the portal's pages, one answer at a time, and a question.
        page.goto(links["polder"])
        actions = [a for a in page.eval_on_selector_all(
            "form[action*='/answers/']", "forms => forms.map(f => f.getAttribute('action'))")
            if re.search(r"/answers/\d+$", a)]
        assert len(actions) >= 10
        for action in actions:
            form = page.locator(f"form[action='{action}']")
            form.locator("input[type=radio][value=yes]").check()
            form.get_by_role("button", name="Save this answer").click()
            page.wait_for_load_state()
        page.goto(links["polder"] + "questions")
        page.get_by_label("Your question").fill(QUESTION)
        page.get_by_role("button", name="Send the question").click()
        page.wait_for_load_state()

        # The facilitator answers the question to every invited vendor.
        log_in(page, base, FENNA)
        page.goto(f"{base}/selections/{world.selection}/vendors/portal")
        question = page.locator(".question", has_text=QUESTION)
        question.get_by_text("Answer and publish").click()
        question.get_by_label("Answer", exact=True).fill(ANSWER)
        question.get_by_role("button", name="Publish to all vendors").click()
        page.wait_for_load_state()
        page.context.clear_cookies()
        for key in ("northwind", "polder"):
            page.goto(links[key] + "questions")
            assert ANSWER in page.content()
            assert "PolderSuite" not in page.locator("main").inner_text() or key == "polder"
        page.goto(links["polder"])
        page.get_by_role("button", name="Submit my answers").click()
        page.wait_for_load_state()
        page.screenshot(path=str(ARTIFACTS / "vendors-polder-submitted.png"), full_page=False)

        # A business member scores Northwind with its answers in view.
        log_in(page, base, BRAM)
        page.goto(f"{base}/selections/{world.selection}/scoring/vendors/"
                  f"{world.vendors['northwind']}")
        page.get_by_label("No: I have no ties with this vendor").check()
        page.click("button:has-text('Continue to the sheet')")
        page.wait_for_load_state()
        assert page.locator("[data-answer=yes]").count() >= 5
        page.screenshot(path=str(ARTIFACTS / "vendors-sheet-with-answers.png"), full_page=False)

        # IT management confirms the verdict Northwind's own answer proposed.
        log_in(page, base, INGRID)
        page.goto(f"{base}/selections/{world.selection}/verdicts")
        proposals = page.locator("#proposals")
        assert US in proposals.inner_text()
        page.screenshot(path=str(ARTIFACTS / "vendors-proposal.png"), full_page=False)
        proposals.get_by_role("button", name="Confirm: the vendor fails").first.click()
        page.wait_for_load_state()
        assert not page.problems, page.problems

    with dbs.transaction(write=False) as session:
        verdict = session.scalar(select(Verdict).where(
            Verdict.vendor_id == world.vendors["northwind"],
            Verdict.requirement_id == world.requirements["IT-HST-01"]))
        assert verdict is not None and verdict.passed is False
        assert US in verdict.evidence
        for key in ("northwind", "polder"):  # both submitted, every requirement answered
            assert session.get(Vendor, world.vendors[key]).answers_submitted_at is not None
        asked = session.scalar(select(VendorQuestion))
        assert asked.answer == ANSWER and asked.published_at is not None
