"""WCAG 2.1 AA checked by axe-core (issue 22): the vendored axe.min.js (tests/vendor/,
never served by the app) is injected into every page of a selection in each phase, the
login, account, admin, portal and accessibility pages, and a serious or critical
violation fails the test with the rule, the page and the offending elements."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from selector.models import Requirement, Selection, Vendor
from selector.services import portal_links
from tests.analysis.support import import_example
from tests.browser_support import chromium_page, log_in, served
from tests.web.conftest import make_account
from tests.web.scoring_world import FENNA, build_world

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

SELECTION_PAGES = {
    "requirements": ["", "/requirements", "/requirements/new", "/requirements/categories",
                     "/requirements/quality", "/requirements/it", "/requirements/library",
                     "/requirements/import", "/members", "/vendors", "/audit"],
    "weighting": ["", "/weighting", "/weighting/requirements", "/weighting/price",
                  "/weighting/discussion", "/requirements", "/vendors/portal", "/audit"],
    "scoring": ["", "/scoring", "/scoring/assignments", "/scoring/consensus", "/verdicts",
                "/vendors", "/audit"],
    "decision": ["", "/analysis", "/analysis/heat-map", "/analysis/knock-outs",
                 "/analysis/panel-health", "/analysis/perspectives", "/analysis/sensitivity",
                 "/recommendation", "/report", "/verdicts", "/audit"],
}

# The pages a scorer sees differently from the facilitator: the pairwise comparison (not
# the facilitator's) and the sheet as it is filled in.
SCORER = "bram@example.org"
SCORER_PAGES = {"weighting": ["/weighting", "/weighting/pairwise/business",
                              "/weighting/requirements"],
                "scoring": ["/scoring"]}


def violations(page) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe finds on the open page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
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


def selection_in(dbs, example_doc, phase: str) -> int:
    if phase == "decision":
        return import_example(dbs, example_doc)
    if phase == "requirements":
        with dbs.transaction() as session:
            from selector.services import selections
            owner = make_account(session, FENNA, "Fenna de Vries")
            return selections.create_selection(session, owner, name="Alpha CRM").id
    return build_world(dbs, phase).selection


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("phase", list(SELECTION_PAGES))
def test_every_page_of_a_selection_passes_axe(app, dbs, example_doc, phase, width):
    """At 390 px tables scroll inside their own frame, which a keyboard must reach
    (axe's scrollable-region-focusable: issue 22, item 8, on the report page)."""
    sid = selection_in(dbs, example_doc, phase)
    paths = [f"/selections/{sid}{path}" for path in SELECTION_PAGES[phase]]
    with dbs.transaction(write=False) as session:
        vendor = session.scalar(select(Vendor.id).where(Vendor.selection_id == sid)
                                .order_by(Vendor.id))
        requirement = session.scalar(select(Requirement.id)
                                     .where(Requirement.selection_id == sid)
                                     .order_by(Requirement.id))
    if phase == "weighting":
        paths += [f"/selections/{sid}/requirements/{requirement}",
                  f"/selections/{sid}/requirements/{requirement}/edit",
                  f"/selections/{sid}/vendors/{vendor}"]
    if phase in ("scoring", "decision"):
        paths.append(f"/selections/{sid}/scoring/vendors/{vendor}")
    scorer_paths = [f"/selections/{sid}{path}" for path in SCORER_PAGES.get(phase, [])]
    if phase == "scoring":
        scorer_paths.append(paths[-1])
    with served(app) as base, chromium_page(bypass_csp=True) as page:
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, base, FENNA)
        failures = check(page, base, paths)
        if scorer_paths:
            log_in(page, base, SCORER)
            failures |= {f"{SCORER} {path}": found
                         for path, found in check(page, base, scorer_paths).items()}
        assert failures == {}


def test_login_account_admin_portal_and_statement_pages_pass_axe(app, dbs, example_doc):
    world = build_world(dbs, "scoring")
    with dbs.transaction() as session:
        make_account(session, "ada@example.org", "Ada Admin", admin=True)
        selection = session.get(Selection, world.selection)
        token = portal_links.issue(session, selection, None,
                                   world.vendors["northwind"], 14).token
    with served(app) as base, chromium_page(bypass_csp=True) as page:
        page.set_viewport_size({"width": 390, "height": 900})
        public = check(page, base, ["/login", "/accessibility", f"/portal/{token}/",
                                    f"/portal/{token}/questions", f"/portal/{token}/costs"])
        log_in(page, base, "ada@example.org")
        signed_in = check(page, base, ["/", "/account", "/account/password",
                                       "/account/two-factor", "/admin/accounts",
                                       "/admin/invitations", "/selections/new"])
        assert {**public, **signed_in} == {}

