"""WCAG 2.1 AA checked by axe-core (issue 22): the vendored axe.min.js (tests/vendor/,
never served by the app) is injected into every page of a selection in each phase, as
the facilitator and as the members who see those pages otherwise (a scorer, IT, the
sponsor), with content on them (requirements with flags, IT's answers, verdicts with a
document, a recommendation and the sponsor's decision, a sealed report, the consensus
per item, "see everything"), in English and in Dutch; and into the login, account,
invitation, set-password, admin, portal and accessibility pages. A serious or critical
violation fails the test with the rule, the page and the offending elements.

To cover a page, add its path to the list of its phase: SELECTION_PAGES (the
facilitator's, fixed paths), DETAIL_PAGES (paths naming one {vendor}, {requirement},
{category} or {it_requirement} of the selection) or MEMBER_PAGES (what other members
open). One browser page per test visits them all: the facilitator's pages of a phase at
1280 and 390 px (resizing needs no reload: no script of the app reads the width), every
other view of them (other members, other content, Dutch) at 390 px only, where tables
scroll inside frames and the menus fold, to keep the suite short."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import update

from selector.models import Account
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.services import invitations
from selector.services import logins
from selector.services import reports
from selector.services import requirements
from selector.services import scoring
from selector.services import selections
from selector.services import vendors
from selector.services import verdicts
from selector.services.vendors import AnswerInput
from tests.analysis.support import import_example
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.requirements.test_own_files import tender_workbook
from tests.services.test_recommendations import member
from tests.web.conftest import make_account
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import build_world

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
WIDTHS = (1280, 390)
PHONE = 390
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SCORER = "bram@example.org"
SPONSOR = "marloes@example.org"
ADMIN = "ada@example.org"

# The facilitator's pages of a selection, per phase (paths under /selections/<id>).
SELECTION_PAGES = {
    "requirements": ["", "/requirements", "/requirements/new",
                     "/requirements/categories", "/requirements/quality", "/requirements/it",
                     "/requirements/library", "/requirements/import", "/members", "/vendors",
                     "/audit", "/audit?kind=requirement&since=2020-01-01"],
    "weighting": ["", "/weighting", "/weighting/requirements", "/weighting/price",
                  "/weighting/discussion", "/requirements",
                  "/vendors/portal", "/audit"],
    "scoring": ["", "/scoring", "/scoring/assignments", "/scoring/consensus", "/verdicts",
                "/vendors", "/vendors/portal", "/audit"],
    "decision": ["", "/analysis", "/analysis/heat-map", "/analysis/knock-outs",
                 "/analysis/panel-health", "/analysis/perspectives", "/analysis/sensitivity",
                 "/analysis/what-if", "/scoring/consensus", "/recommendation", "/report",
                 "/verdicts", "/audit"],
}

# The facilitator's pages of one vendor, requirement or category, per phase.
DETAIL_PAGES = {
    "requirements": ["/requirements/{requirement}", "/requirements/{requirement}/edit",
                     "/requirements/{it_requirement}", "/requirements/{it_requirement}/edit",
                     "/vendors/{vendor}"],
    "weighting": ["/requirements/{requirement}", "/requirements/{requirement}/edit",
                  "/vendors/{vendor}"],
    "scoring": ["/scoring/vendors/{vendor}", "/scoring/consensus/vendors/{vendor}",
                "/scoring/consensus/requirements/{requirement}", "/vendors/{vendor}"],
    "decision": ["/scoring/vendors/{vendor}", "/scoring/consensus/vendors/{vendor}",
                 "/scoring/consensus/requirements/{requirement}",
                 "/analysis/heat-map/{category}", "/vendors/{vendor}"],
}

# The pages a scorer sees differently from the facilitator: the pairwise comparison (not
# the facilitator's) and the sheet as it is filled in. (Fixed paths; the phone-width test
# reads them too.)
SCORER_PAGES = {"weighting": ["/weighting", "/weighting/pairwise/business",
                              "/weighting/requirements"],
                "scoring": ["/scoring"]}

# Every page another member opens, by member and phase: they see fewer buttons and forms,
# and other notices (blind scoring, the sponsor's decision). Checked at phone width.
MEMBER_PAGES = {
    "requirements": {
        INGRID: ["", "/requirements", "/requirements/it", "/requirements/new",
                 "/requirements/library", "/requirements/{it_requirement}",
                 "/requirements/{it_requirement}/edit"],
        SPONSOR: ["", "/requirements", "/requirements/{requirement}", "/members", "/vendors",
                  "/audit"],
    },
    "weighting": {
        SCORER: [*SCORER_PAGES["weighting"], "", "/weighting/discussion", "/weighting/price",
                 "/requirements/{requirement}"],
        SPONSOR: ["", "/weighting", "/weighting/requirements", "/vendors/{vendor}"],
    },
    "scoring": {
        SCORER: [*SCORER_PAGES["scoring"], "", "/scoring/vendors/{vendor}", "/verdicts",
                 "/scoring/consensus"],
        SPONSOR: ["", "/verdicts", "/scoring/consensus", "/analysis", "/report", "/audit"],
    },
    "decision": {
        SCORER: ["", "/analysis", "/analysis/heat-map/{category}", "/scoring/vendors/{vendor}",
                 "/scoring/consensus/vendors/{vendor}", "/recommendation", "/report",
                 "/verdicts"],
        SPONSOR: ["", "/analysis", "/analysis/knock-outs", "/recommendation", "/report",
                  "/scoring/consensus/requirements/{requirement}", "/audit"],
    },
}

# "See everything" (the facilitator's setting while scoring is open, with scores in).
SEE_EVERYTHING_PAGES = ["", "/scoring", "/scoring/vendors/{vendor}", "/scoring/consensus",
                        "/scoring/consensus/vendors/{vendor}", "/analysis",
                        "/analysis/heat-map", "/analysis/perspectives", "/report", "/vendors"]
# After the recommendation, the sponsor's decision and the sealed final report.
SIGNED_OFF_PAGES = ["", "/recommendation", "/report", "/verdicts", "/analysis/knock-outs",
                    f"/audit?person={FENNA}&kind=recommendation"]
# The pages that are not a selection's: as anyone, and as an instance admin.
PUBLIC_PAGES = ["/login", "/accessibility"]
ACCOUNT_PAGES = ["/", "/account", "/account/password", "/account/two-factor",
                 "/admin/accounts", "/admin/invitations", "/selections/new"]
PORTAL_PAGES = ["/", "/questions", "/costs"]


def violations(page) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe finds on the open page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    # Two frames: what the page's script does once the layout settles (a frame that
    # scrolls becomes focusable) is done before axe reads the page.
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found
            if v["impact"] in BLOCKING]


def check(page, base: str, paths: list[str]) -> dict[str, list[str]]:
    """Open each path and collect what axe refuses, by path."""
    failures = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, (path, response.status)
        found = violations(page)
        if found:
            failures[path] = found
    return failures


class Tour:
    """One browser page that opens pages as one person after another and keeps what axe
    refuses, by person, language, width and path."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.who: str | None = None
        self.language = "en"
        self.failures: dict[str, list[str]] = {}

    def sign_in(self, who: str | None) -> None:
        if who == self.who:
            return
        if who is None:
            self.page.context.clear_cookies()
        else:
            self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            log_in(self.page, self.base, who)
        self.who = who

    def visit(self, who: str | None, paths: list[str], widths=WIDTHS, status: int = 200,
              marks: dict[str, str] | None = None) -> None:
        """Open each path as `who` (None: nobody signed in) and let axe read it. `marks`
        names, by the end of a path, an element that shows the content is there."""
        self.sign_in(who)
        for path in paths:
            response = self.page.goto(f"{self.base}{path}")
            assert response.status == status, (who, path, response.status)
            assert self.page.evaluate("document.documentElement.lang") == self.language, path
            for end, selector in (marks or {}).items():
                if path.endswith(end):
                    assert self.page.locator(selector).count() > 0, (path, selector)
            self.inspect(path, widths)

    def inspect(self, path: str, widths=WIDTHS) -> None:
        """Let axe read the open page at each width."""
        for width in widths:
            self.page.set_viewport_size({"width": width, "height": 900})
            found = violations(self.page)
            if found:
                self.failures[f"{self.who} {self.language} {width} {path}"] = found

    def summary(self) -> str:
        return "\n".join(f"{where}: {found}" for where, found in self.failures.items())

    def speak(self, dbs, language: str) -> None:
        """Every account and the anonymous visitor read the pages in `language`."""
        with dbs.transaction() as session:
            session.execute(update(Account).values(language=language))
        self.page.set_extra_http_headers({"Accept-Language": language})
        self.language = language


def ids_of(dbs, sid: int) -> dict[str, object]:
    """The first vendor, requirement, IT requirement and category of a selection, for
    the paths of DETAIL_PAGES and MEMBER_PAGES."""
    with dbs.transaction(write=False) as session:
        rows = list(session.scalars(select(Requirement).where(
            Requirement.selection_id == sid).order_by(Requirement.id)))
        return {
            "vendor": session.scalar(select(Vendor.id).where(Vendor.selection_id == sid)
                                     .order_by(Vendor.id)),
            "requirement": rows[0].id,
            "it_requirement": next((r.id for r in rows if r.structured), rows[0].id),
            "category": rows[0].category.key,
        }


def under(sid: int, paths: list[str], ids: dict[str, object]) -> list[str]:
    return [f"/selections/{sid}{path.format(**ids)}" for path in paths]


def _requirements_with_content(dbs, example_doc) -> int:
    """The example's requirements, categories and vendors, before weighting (no weights,
    no scores), with IT's structured answers and an item picked from the library; the
    imported requirements carry quality flags (no criterion)."""
    doc = {**example_doc, "category_weights": [], "scores": [], "consensus": [],
           "knockouts": []}
    sid = import_example(dbs, doc)
    with dbs.transaction() as session:
        selection, _membership, fenna = member(session, sid, FENNA)
        requirements.save_it_answers(session, selection, fenna, "facilitator", [
            requirements.StructuredItem("hosting", "deployment_model", {"models": ["saas"]}),
            requirements.StructuredItem(
                "hosting", "data_location", {"location": "the EU/EEA"}, priority="must",
                knockout=True, knockout_rationale="The GDPR requires it for our residents."),
            requirements.StructuredItem("browsers", "browser", {
                "browser": "firefox", "device": "desktop", "min_version": 115}),
            requirements.StructuredItem("backup", "rpo", {"hours": 4}, priority="must"),
        ])
        requirements.pick_from_library(session, selection, fenna, "facilitator",
                                       ["lib-sal-pipeline"])
    return sid


def selection_in(dbs, example_doc, phase: str) -> int:
    """The example selection in `phase`, with content on every page of that phase."""
    if phase == "decision":
        return import_example(dbs, example_doc)
    if phase == "requirements":
        return _requirements_with_content(dbs, example_doc)
    return build_world(dbs, phase).selection


def _empty_selection(dbs) -> int:
    """A new selection of the facilitator's: the pages' empty states."""
    with dbs.transaction() as session:
        fenna = session.scalar(select(Account).where(Account.email == FENNA))
        return selections.create_selection(session, fenna, name="Beta CRM").id


def _import_mapping_step(tour: Tour, sid: int, widths=WIDTHS) -> None:
    """Upload a tender workbook through the import page and let axe read the mapping
    step it leads to (a page that answers a POST)."""
    tour.sign_in(FENNA)
    page = tour.page
    page.goto(f"{tour.base}/selections/{sid}/requirements/import")
    page.set_input_files("input[type=file]", files=[{
        "name": "Programma van eisen.xlsx", "mimeType": XLSX, "buffer": tender_workbook()}])
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_selector("select")  # the mapping's column choices
    tour.inspect(f"/selections/{sid}/requirements/import (mapping step)", widths)


def _requirements_tour(tour: Tour, dbs, sid: int, ids: dict[str, object]) -> None:
    """The import's mapping step and the empty selection, then the facilitator's pages
    again in Dutch."""
    _import_mapping_step(tour, sid)
    tour.visit(FENNA, under(sid, ["/audit?since=last+week"], ids), status=422)
    empty = _empty_selection(dbs)
    tour.visit(FENNA, under(empty, ["", "/requirements", "/requirements/quality",
                                    "/requirements/it", "/vendors"], {}), widths=(PHONE,))
    tour.speak(dbs, "nl")
    tour.visit(FENNA, under(sid, SELECTION_PAGES["requirements"]
                            + DETAIL_PAGES["requirements"], ids), widths=(PHONE,))
    _import_mapping_step(tour, sid, widths=(PHONE,))


def _scoring_tour(tour: Tour, dbs, sid: int, ids: dict[str, object]) -> None:
    """The vendor portal's questionnaire with answers (and their evidence forms), and the
    committee's portal page and scoring sheet showing them."""
    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        vendor = session.get(Vendor, ids["vendor"])
        token = vendors.issue_link(session, selection, None, vendor.id, 14).token
        items = list(vendors.questionnaire(session, selection, vendor))[:4]
        for number, item in enumerate(items):
            vendors.save_answer(
                session, selection, vendor, item.requirement.id,
                AnswerInput("yes" if number % 2 else "partly",
                            "Standard in the product since 2021."),
                None, actor_name=f"vendor:{vendor.key}")
    tour.visit(None, [f"/portal/{token}{path}" for path in PORTAL_PAGES],
               marks={f"/portal/{token}/": "input[type=file]"})
    tour.visit(FENNA, under(sid, ["/vendors/portal", "/scoring/vendors/{vendor}"], ids))


def _decision_tour(tour: Tour, dbs, sid: int, ids: dict[str, object]) -> None:
    """Back to scoring with "see everything" on; then forward again, a verdict with a
    document, the recommendation, the sponsor's decision and the sealed final report;
    the decision's pages once more in Dutch."""
    with dbs.transaction() as session:
        selection, _membership, fenna = member(session, sid, FENNA)
        selections.change_phase(session, selection, fenna, "back",
                                "One more look at the service scores.")
        scoring.set_visibility(session, selection, fenna, facilitator_sees_all=True)
    tour.visit(FENNA, under(sid, SEE_EVERYTHING_PAGES, ids), widths=(PHONE,),
               marks={"/analysis": "[data-field=rank]"})
    tour.visit(SCORER, under(sid, ["/scoring/vendors/{vendor}", "/scoring/consensus",
                                   "/analysis"], ids), widths=(PHONE,))

    with dbs.transaction() as session:
        selection, membership, fenna = member(session, sid, FENNA)
        selections.change_phase(session, selection, fenna, "forward")
        knockout = session.scalar(select(Requirement).where(
            Requirement.selection_id == sid, Requirement.code == "IT-BRW-01"))
        tulip = session.scalar(select(Vendor.id).where(Vendor.selection_id == sid,
                                                       Vendor.key == "tulip"))
        verdicts.record_verdict(
            session, selection, membership, fenna, vendor_id=tulip,
            requirement_id=knockout.id, passed=True, evidence="Tested in Edge and Firefox.",
            version=None, upload=verdicts.Upload("browser-test.pdf", b"%PDF-1.4\n%test\n"))
        reports.write_recommendation(
            session, selection, membership, fenna,
            text="The committee recommends the first-ranked vendor.")
    tour.visit(SPONSOR, under(sid, ["/recommendation"], ids), widths=(PHONE,))
    with dbs.transaction() as session:
        selection, membership, marloes = member(session, sid, SPONSOR)
        reports.record_decision(
            session, selection, membership, marloes, verdict="approved",
            reason="The committee's argument holds.", decided_on=date(2026, 12, 3))
    with dbs.transaction() as session:
        fenna = session.scalar(select(Account).where(Account.email == FENNA))
        reports.issue_final_report(session, sid, fenna, "en",
                                   seal_reason="The demonstration follows in January.")
    tour.visit(FENNA, under(sid, SIGNED_OFF_PAGES, ids), widths=(PHONE,), marks={
        "/report": "#final-reports", "/verdicts": "a[href*='/verdicts/documents/']"})
    tour.visit(SPONSOR, under(sid, ["", "/recommendation", "/report"], ids), widths=(PHONE,))
    tour.speak(dbs, "nl")
    tour.visit(FENNA, under(sid, SELECTION_PAGES["decision"], ids), widths=(PHONE,))


MORE = {"requirements": _requirements_tour, "scoring": _scoring_tour,
        "decision": _decision_tour}


@pytest.mark.parametrize("phase", list(SELECTION_PAGES))
def test_every_page_of_a_selection_passes_axe(app, dbs, example_doc, phase):
    """Each page at 1280 and 390 px (at 390 px tables scroll inside their own frame,
    which a keyboard must reach: axe's scrollable-region-focusable); the other members'
    pages at phone width; then what MORE adds for the phase."""
    sid = selection_in(dbs, example_doc, phase)
    ids = ids_of(dbs, sid)
    with served(app) as base, chromium_page(bypass_csp=True) as page:
        tour = Tour(page, base)
        tour.visit(FENNA, under(sid, SELECTION_PAGES[phase] + DETAIL_PAGES[phase], ids))
        for who, paths in MEMBER_PAGES[phase].items():
            tour.visit(who, under(sid, paths, ids), widths=(PHONE,))
        if phase in MORE:
            MORE[phase](tour, dbs, sid, ids)
        assert tour.failures == {}, tour.summary()


def test_login_account_invitation_admin_and_statement_pages_pass_axe(app, dbs):
    """In English and in Dutch: the public pages, a new person's invitation and a
    member's, a set-password link, and the account and admin pages with an invitation
    waiting for the admin."""
    with dbs.transaction() as session:
        fenna = make_account(session, FENNA, "Fenna de Vries")
        ada = make_account(session, ADMIN, "Ada Admin", admin=True)
        olaf = make_account(session, "olaf@example.org", "Olaf")
        selection = selections.create_selection(session, fenna, name="Alpha CRM")
        new_person = invitations.invite(session, selection, fenna, "nina@example.org",
                                        "business", name="Nina").token
        known = invitations.invite(session, selection, fenna, olaf.email, "observer").token
        password = logins.issue_password_link(session, ada).token
    with served(app) as base, chromium_page(bypass_csp=True) as page:
        tour = Tour(page, base)
        for language, widths in (("en", WIDTHS), ("nl", (PHONE,))):
            tour.speak(dbs, language)
            tour.visit(None, [*PUBLIC_PAGES, f"/invitations/{new_person}",
                              f"/invitations/{known}", f"/set-password/{password}"], widths)
            tour.visit("olaf@example.org", [f"/invitations/{known}"], widths)
            tour.visit(ADMIN, ACCOUNT_PAGES, widths)
            tour.sign_in(None)  # the next language starts signed out
        assert tour.failures == {}, tour.summary()
