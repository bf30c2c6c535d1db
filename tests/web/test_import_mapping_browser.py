"""The mapping step of a requirement file in headless Chromium (issue 19): a Dutch tender
workbook uploaded, one column and one priority label mapped otherwise, the shared
knock-out rationale typed, checked again and imported; screenshots of the step at
desktop and phone width (test-artifacts/)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.models import Requirement
from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.requirements.test_own_files import RATIONALE
from tests.requirements.test_own_files import tender_workbook
from tests.web.test_requirements_pages import base

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_tender_workbook_is_mapped_checked_and_imported(app, dbs, committee):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    with served(app) as address, chromium_page() as page:
        log_in(page, address, committee.emails["facilitator"])
        page.goto(f"{address}{base(committee)}/import")
        page.set_input_files("input[type=file]", files=[{
            "name": "Programma van eisen.xlsx", "mimeType": XLSX, "buffer": tender_workbook()}])
        page.click("button:has-text('Check the file')")
        expect(page.get_by_text("Preview of Programma van eisen.xlsx")).to_be_visible()
        expect(page.get_by_text("The column names are on row 4.")).to_be_visible()
        importing = page.get_by_role("button", name="Import these requirements")
        expect(importing).to_be_disabled()  # two knock-outs without a rationale
        expect(page.get_by_text("2 problems")).to_be_visible()

        page.get_by_label("Column G goes to").select_option("ignore")  # Opmerking
        page.get_by_label("“Wens” means").select_option("could")
        page.get_by_label("Knock-out rationale").fill(RATIONALE)
        page.get_by_role("button", name="Check again").click()
        expect(page.get_by_text("5 new, 0 changed, 0 unchanged.")).to_be_visible()
        expect(page.get_by_text("Ignored columns: Opmerking, Score leverancier.")
               ).to_be_visible()
        expect(page.get_by_label("Column G goes to")).to_have_value("ignore")
        expect(page.get_by_label("“Wens” means")).to_have_value("could")
        expect(importing).to_be_enabled()
        page.screenshot(path=str(ARTIFACTS / "import-mapping-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "import-mapping-phone.png"), full_page=True)

        page.set_viewport_size({"width": 1280, "height": 900})
        importing.click()
        expect(page.get_by_text("Imported: 5 new, 0 updated, 0 unchanged.")).to_be_visible()
        assert not page.problems, page.problems

    with dbs.transaction(write=False) as session:
        rows = {r.code: r for r in session.scalars(select(Requirement).where(
            Requirement.selection_id == committee.selection_id))}
    assert sorted(rows) == ["1", "12a", "2", "3", "4"]
    assert (rows["2"].priority, rows["3"].priority) == ("could", "could")
    assert rows["2"].description == "Alle contactmomenten per klant zichtbaar."
    assert rows["12a"].knockout and rows["12a"].knockout_rationale == RATIONALE
