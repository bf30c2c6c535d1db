"""The whole process in a real browser, as the users would walk it (issue 10, point 8).

Against a real server (gunicorn serving `selector.wsgi:app` in its own process, on the
database the suite runs on) and Debian's Chromium: the facilitator, created on the
command line as an administrator would, creates a selection and invites the committee
(two business members, IT management and the sponsor), who accept the invitation links
shown to her, choosing their passwords. IT management enters the back-up requirements in the
structured form (an RPO of 24 hours, a knock-out with its rationale) and a data
location; the business members pick wishes from the library; the facilitator accepts
them and moves on to weighting; business and IT weigh; the facilitator freezes the
weights, adds two vendors and opens scoring; the members declare they have no conflict,
score both vendors and submit. PolderSuite scores better on the wishes but fails the
back-up knock-out; the facilitator closes scoring and records a consensus score. Price
counts for 20 % on a fixed scale, set before the freeze; after scoring closes the
facilitator writes the recommendation, the sponsor approves it, and the facilitator seals
the final report, which prints both word for word, with the costs. The sponsor also opens
the report and downloads the PDF, which recommends Northwind CRM.

Screenshots of the main steps land in test-artifacts/ (e2e-*.png).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from benchmarks import loadkit
from tests.browser_support import ARTIFACTS
from tests.browser_support import BROWSER_ARGS
from tests.browser_support import chromium
from tests.browser_support import log_in as log_in_as
from tests.browser_support import record_consensus

pytestmark = pytest.mark.browser

PASSWORD = "Tulpen in de polder, 2026!"
FENNA = "fenna@example.org"
INVITED = {  # e-mail -> (name, role)
    "bram@example.org": ("Bram Bakker", "business"),
    "sanne@example.org": ("Sanne Visser", "business"),
    "ingrid@example.org": ("Ingrid Jansen", "it"),
    "marloes@example.org": ("Marloes de Wit", "sponsor"),
}
BRAM, SANNE, INGRID, MARLOES = INVITED
PICKS = {  # who picks which library items
    BRAM: ["lib-sal-lead-source", "lib-sal-pipeline", "lib-sal-quote"],
    SANNE: ["lib-svc-channels", "lib-svc-knowledge-base"],
}
POINTS = {  # category name -> points
    BRAM: {"Sales & leads": 50, "Customer service": 30, "Hosting & hardware": 20},
    SANNE: {"Sales & leads": 30, "Customer service": 50, "Hosting & hardware": 20},
    INGRID: {"Sales & leads": 25, "Customer service": 25, "Hosting & hardware": 50},
}
NORTHWIND, POLDER = "Northwind CRM", "PolderSuite"
# Scores by member, vendor and position in the sheet (business members score the five
# business wishes, IT the data location). PolderSuite does better on every wish; the
# knock-out decides. Sanne's 5 is an extreme score: it gets an argument.
SCORES = {
    BRAM: {NORTHWIND: [3, 3, 4, 3, 3], POLDER: [4, 4, 4, 4, 4]},
    SANNE: {NORTHWIND: [3, 3, 3, 4, 3], POLDER: [4, 4, 4, 4, 5]},
    INGRID: {NORTHWIND: [3], POLDER: [4]},
}
ARGUMENT = "The knowledge base found every answer in the scripted demo at once."
RECOMMENDATION = ("We recommend Northwind CRM: it passed the back-up knock-out.\n\n"
                  "PolderSuite scored higher, but an RPO of 7 days is not acceptable.")
APPROVAL = "Approved as argued; the contract team starts on Monday."


def selector_command() -> list[str]:
    script = Path(sys.executable).parent / "selector"
    return [str(script)] if script.exists() else [sys.executable, "-m", "selector.cli.main"]


@pytest.fixture
def server(database_url, tmp_path):
    """gunicorn on a free local port, with one account: the facilitator, created on the
    command line (`selector users create`) as an administrator would."""
    env = loadkit.server_env(database_url, tmp_path / "instance")
    made = subprocess.run(
        [*selector_command(), "users", "create", FENNA, "--name", "Fenna de Vries",
         "--password-stdin"], input=PASSWORD + "\n", env=env, capture_output=True,
        text=True, timeout=60, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    with loadkit.serving(database_url, tmp_path, workers=2, threads=4) as running:
        yield f"http://{loadkit.HOST}:{running.port}"
    assert "Traceback" not in running.log_text(), running.log_text()[-5000:]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True, locale="en-GB",
                                      extra_http_headers={"Accept-Language": "en"})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda dialog: dialog.accept())  # "Move on to …?" and the like
        page.problems = problems  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=full_page)



def open_selection(page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name=name).click()


def open_as(page, base: str, email: str, name: str, tab_name: str | None = None) -> None:
    """Log in as `email` and open the selection `name` from the home page (at a tab)."""
    log_in_as(page, base, email, PASSWORD)
    open_selection(page, base, name)
    if tab_name:
        tab(page, tab_name)


def tab(page, name: str) -> None:
    page.locator("nav.tabs a", has_text=name).first.click()
    page.wait_for_load_state()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def test_the_whole_process_in_the_browser(server, page, database_url, tmp_path):
    try:
        walk(server, page, tmp_path)
    except Exception:
        shot(page, "failure", full_page=False)  # where it stopped, for a person to look at
        raise
    _check_the_database(database_url, "CRM for customer service 2026")


def walk(base: str, page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    name = "CRM for customer service 2026"

    # --- the facilitator creates the selection and invites the committee -------------
    log_in_as(page, base, FENNA, PASSWORD)
    page.get_by_role("link", name="New selection").first.click()
    page.fill("input[name=name]", name)
    page.fill("input[name=organisation]", "Gemeente Polderdam")
    page.select_option("select[name=language]", "en")
    page.click("button:has-text('Create the selection')")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    selection_url = page.url
    tab(page, "Members")
    links: dict[str, str] = {}
    for email, (person, role) in INVITED.items():
        page.fill("input[name=email]", email)
        page.fill("input[name=name]", person)
        page.select_option("select[name=role]", role)
        page.click("main form button:has-text('Invite')")
        expect(page.get_by_text(f"Invitation link for {email}")).to_be_visible()
        links[email] = page.locator("#invited-link").input_value()
        if role == "sponsor":
            shot(page, "01-members")
    assert all("/invitations/" in link for link in links.values())

    # --- everyone accepts, choosing a password through their invitation link ---------
    for email, link in links.items():
        page.context.clear_cookies()
        page.goto(link)
        expect(page.get_by_text(f"invites {email} to the CRM selection")).to_be_visible()
        page.fill("input[name=new_password]", PASSWORD)
        page.fill("input[name=confirm]", PASSWORD)
        page.click("button:has-text('Create my account')")
        expect(page.get_by_text("Log in with this e-mail address and your password")
               ).to_be_visible()

    # --- IT management: the back-up knock-out and the data location ------------------
    open_as(page, base, INGRID, name, "Requirements")
    page.get_by_role("link", name="IT requirements").click()
    page.fill("input[name='data_location-location']", "the EU/EEA")
    page.fill("input[name='rpo-hours']", "24")
    page.select_option("select[name='rpo-priority']", "must")
    page.check("input[name='rpo-knockout']")
    page.fill("input[name='rpo-knockout_rationale']",
              "Losing more than a day of citizen contacts cannot be redone.")
    shot(page, "02-it-answers")
    page.click("button:has-text(\"Save IT management's requirements\")")
    expect(page.get_by_text("IT management's answers are saved: 2 new requirements")
           ).to_be_visible()

    # --- business: wishes from the library -------------------------------------------
    for email, items in PICKS.items():
        open_as(page, base, email, name, "Requirements")
        page.get_by_role("link", name="Library").click()
        for item in items:
            page.check(f"input[name=items][value='{item}']")
        page.click("button:has-text('Add the selected requirements as proposals')")
        expect(page.get_by_text(f"{len(items)} requirements from the library are proposed."
                                )).to_be_visible()

    # --- the facilitator accepts them and moves on to weighting ----------------------
    log_in_as(page, base, FENNA, PASSWORD)
    page.goto(selection_url)
    tab(page, "Requirements")
    page.check("input[data-select-all=ids]")
    page.select_option("select[name=status]", "accepted")
    page.fill("input[name=reason]", "Agreed in the joint workshop of 12 March.")
    page.click("button:has-text('Decide')")
    expect(page.get_by_text("7 requirements are now accepted.")).to_be_visible()
    knockout_row = page.locator("tr", has=page.get_by_role("link", name="IT-BCK-01"))
    expect(knockout_row).to_contain_text("Knock-out")
    shot(page, "03-requirements-accepted")
    page.goto(selection_url)
    page.click("button:has-text('Move on to “Weighting”')")
    expect(page.get_by_text("is now in the phase “Weighting”")).to_be_visible()

    # --- business and IT weigh -------------------------------------------------------
    for email, points in POINTS.items():
        open_as(page, base, email, name, "Weighting")
        for category, value in points.items():
            page.get_by_label(category, exact=True).fill(str(value))
        expect(page.locator("output[data-total]")).to_have_text("100")
        if email == INGRID:
            shot(page, "04-weighting")
        page.click("button:has-text('Save my allocation')")
        expect(page.get_by_text("Your allocation is saved.")).to_be_visible()

    # --- the facilitator sets how price counts, freezes, adds the vendors, opens scoring
    log_in_as(page, base, FENNA, PASSWORD)
    page.goto(selection_url)
    tab(page, "Weighting")
    page.get_by_role("link", name="How price counts").click()
    page.get_by_label("Linear on a fixed scale").check()
    page.get_by_label("Price weight").fill("20")
    page.locator("input[name=price_full]").fill("150000")
    page.locator("input[name=price_zero]").fill("300000")
    page.locator("input[name=tco_years]").fill("5")
    expect(page.get_by_text("a losing bid can decide the winner")).to_be_hidden()
    shot(page, "04b-price")
    page.click("button:has-text('Save the price settings')")
    expect(page.get_by_text("The price settings are saved.")).to_be_visible()
    tab(page, "Weighting")
    page.get_by_role("link", name="Discussion and final weights").click()
    shot(page, "05-discussion")
    page.click("button:has-text('Freeze the weights')")
    expect(page.get_by_text("The weights are frozen. Scoring can open now.")).to_be_visible()
    page.goto(selection_url)
    tab(page, "Vendors")
    for vendor, tco in ((NORTHWIND, "240000"), (POLDER, "210000")):
        page.fill("input[name=name]", vendor)
        page.fill("input[name=tco]", tco)
        page.click("main form button:has-text('Add')")
        expect(page.locator("tr", has_text=vendor)).to_be_visible()
    page.goto(selection_url)
    page.click("button:has-text('Move on to “Scoring”')")
    expect(page.get_by_text("is now in the phase “Scoring”")).to_be_visible()

    # --- the members score both vendors and submit -----------------------------------
    for email, by_vendor in SCORES.items():
        open_as(page, base, email, name, "Scoring")
        scoring_url = page.url
        for vendor, scores in by_vendor.items():
            page.goto(scoring_url)
            page.get_by_role("link", name=vendor, exact=True).click()
            page.get_by_label("No: I have no ties with this vendor").check()
            page.click("button:has-text('Continue to the sheet')")
            items = page.locator("[data-item]")
            expect(items).to_have_count(len(scores))
            for index, score in enumerate(scores):
                item = items.nth(index)
                item.locator(f"[data-score][value='{score}']").check()
                if score == 5:
                    item.locator("[data-comment]").fill(ARGUMENT)
                    item.locator("[data-comment]").blur()
            expect(page.locator("[data-connection]")).to_have_text("All answers are saved.",
                                                                   timeout=10_000)
            if email == SANNE and vendor == POLDER:
                shot(page, "06-sheet")
            page.click(f"button:has-text('Submit sheet for {vendor}')")
            expect(page.get_by_text(f"Your sheet for {vendor} is submitted.")).to_be_visible()

    # --- IT records the knock-out verdicts: PolderSuite fails ------------------------
    open_as(page, base, INGRID, name, "Knock-out verdicts")
    for vendor, passed, evidence in (
            ("northwind-crm", True, "Back-up policy, section 3: daily back-ups, RPO 24 h."),
            ("poldersuite", False, "Weekly back-ups only: an RPO of 7 days in the offer.")):
        row = page.locator(f"li.verdict[data-vendor='{vendor}'][data-knockout='IT-BCK-01']")
        row.locator("summary").click()
        row.get_by_label("Passed" if passed else "Failed").check()
        row.get_by_label("Evidence").fill(evidence)
        row.get_by_role("button", name="Save verdict").click()
        page.wait_for_load_state()
    expect(page.get_by_text("fails knock-out IT-BCK-01")).to_be_visible()
    shot(page, "07-verdicts")
    # The overview shows the exclusion at once, with its reason (no ranking yet: blind).
    tab(page, "Overview")
    excluded = page.locator("#overview-exclusions")
    expect(excluded).to_contain_text(POLDER)
    expect(excluded).to_contain_text("Weekly back-ups only: an RPO of 7 days in the offer.")
    expect(page.locator("#overview-ranking")).to_have_count(0)

    # --- the facilitator closes scoring and records a consensus score ----------------
    log_in_as(page, base, FENNA, PASSWORD)
    page.goto(selection_url)
    page.click("button:has-text('Move on to “Decision”')")
    expect(page.get_by_text("is now in the phase “Decision”")).to_be_visible()
    tab(page, "Scoring")
    page.get_by_role("link", name="Consensus meeting").first.click()
    item = page.locator("[data-vendor='northwind-crm'][data-code='BUS-SAL-02']")
    record_consensus(
        page, item, "4",
        "Both saw the pipeline per account manager; the forecast needs one extra report.")
    shot(page, "08-consensus")
    page.goto(selection_url)
    expect(page.locator("#overview-ranking tbody tr").first).to_contain_text(NORTHWIND)
    shot(page, "08b-overview")

    # --- the facilitator writes the recommendation; the sponsor approves it ---------
    page.locator("#recommendation-status a", has_text="recommendation").first.click()
    page.get_by_label("Recommendation", exact=True).fill(RECOMMENDATION)
    page.click("button:has-text('Save the recommendation')")
    expect(page.get_by_text("The recommendation is saved.")).to_be_visible()
    open_as(page, base, MARLOES, name)
    page.locator("#recommendation-status a", has_text="recommendation").first.click()
    expect(page.get_by_text(RECOMMENDATION.split("\n")[0])).to_be_visible()
    page.get_by_label("Approve the recommendation").check()
    page.get_by_label("Reason").fill(APPROVAL)
    page.click("button:has-text('Record the decision')")
    expect(page.get_by_text("Your decision is recorded.")).to_be_visible()
    shot(page, "08c-decision")
    page.goto(page.url.split("/recommendation")[0])
    expect(page.locator("#recommendation-status")).to_contain_text(APPROVAL)

    # --- the facilitator seals the final report ---------------------------------------
    open_as(page, base, FENNA, name, "Report")
    page.click("button:has-text('Issue the final report')")
    expect(page.get_by_text("The final report is issued and sealed.")).to_be_visible()
    with page.expect_download() as info:
        page.locator(".sealed--current a.sealed__download").click()
    sealed = info.value.path().read_bytes()
    (ARTIFACTS / "e2e-final-report.pdf").write_bytes(sealed)  # for a person to look at
    final = pdf_text(sealed)
    assert " ".join(RECOMMENDATION.split()) in final  # word for word, attributed
    assert "— Fenna de Vries" in final
    assert "Decision of the sponsor" in final and APPROVAL in final
    assert "linear on a fixed scale" in final and "€240,000" in final

    # --- the sponsor reads the report and downloads the PDF --------------------------
    open_as(page, base, MARLOES, name, "Report")
    expect(page.locator("[data-field=winner]")).to_have_text(NORTHWIND)
    expect(page.get_by_text("6 wishes, 1 knock-out", exact=True)).to_be_visible()
    shot(page, "09-report", full_page=False)
    with page.expect_download() as info:
        page.locator(".pagehead a", has_text="Download PDF").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    text = pdf_text(saved.read_bytes())
    assert f"The selection committee recommends {NORTHWIND}" in text
    assert f"{POLDER} is excluded because it failed knock-out IT-BCK-01" in text
    assert not page.problems, page.problems  # no script error, no CSP violation


def _check_the_database(url: str, name: str) -> None:
    """What the browser did is what is stored, and the ranking agrees with the report."""
    from selector.db import Database
    from selector.domain.method import rank
    from selector.models import Consensus
    from selector.models import Score
    from selector.models import Selection
    from selector.models import Sheet
    from selector.models import Verdict
    from selector.services.loader import load_selection

    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            selection = session.scalar(select(Selection).where(Selection.name == name))
            assert selection.phase == "decision" and selection.weights_frozen_at is not None
            sheets = session.scalars(select(Sheet)).all()
            assert len(sheets) == 6 and all(s.submitted_at for s in sheets)
            assert len(session.scalars(select(Score)).all()) == 22
            assert sorted(v.passed for v in session.scalars(select(Verdict))) == [False, True]
            assert session.scalars(select(Consensus)).one().score == 4
            ranking = rank(load_selection(session, selection.id))
    finally:
        database.dispose()
    keys = [v["key"] for v in ranking["vendors"]]
    assert keys[0] == "northwind-crm"
    assert {v["key"]: v["excluded"] for v in ranking["vendors"]} == {
        "northwind-crm": False, "poldersuite": True}

