"""Every page at phone width (issue 22): at 390 x 844 no page scrolls sideways (a table
scrolls inside its own frame), the header and the selection's tabs fold into a compact
menu so that the page's own content starts on the first screen, and that menu opens with
the keyboard, with and without script. Screenshots go to test-artifacts/phone/ for a
person to look at."""

from __future__ import annotations

import pytest

from selector.models import Selection
from selector.services import vendors
from tests.browser_support import ARTIFACTS
from tests.browser_support import chromium_page
from tests.browser_support import log_in
from tests.browser_support import served
from tests.web.conftest import make_account
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import build_world
from tests.web.test_accessibility_browser import DETAIL_PAGES
from tests.web.test_accessibility_browser import MEMBER_PAGES
from tests.web.test_accessibility_browser import SELECTION_PAGES
from tests.web.test_accessibility_browser import ids_of
from tests.web.test_accessibility_browser import selection_in
from tests.web.test_accessibility_browser import under

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}  # a tablet upright: between the phone and desktop
SHOTS = ARTIFACTS / "phone"
# The pages a person looks at after a change of layout, by phase: path -> file name.
SCREENSHOTS = {"decision": {"": "overview", "/analysis": "ranking",
                            "/analysis/sensitivity": "sensitivity", "/report": "report",
                            "/scoring/vendors/{vendor}": "scoring-sheet"},
               "weighting": {"/weighting": "weighting", "/weighting/discussion": "discussion",
                             "/weighting/requirements": "requirement-weights"},
               "requirements": {"/requirements": "requirements",
                                "/requirements/it": "it-answers"}}

# What sticks out on the right, outermost first: an element inside a frame that scrolls
# or clips sideways by itself does not widen the page, so it is not named.
SIDEWAYS = """() => {
  const width = window.innerWidth;
  // Clipped by an ancestor that scrolls or clips sideways, along the chain of containing
  // blocks (an absolutely placed element escapes the frames inside its positioned parent).
  const contained = el => {
    for (let box = el; box;) {
      const position = getComputedStyle(box).position;
      if (position === 'fixed') { return false; }
      box = position === 'absolute' ? box.offsetParent : box.parentElement;
      if (!box || box === document.body) { return false; }
      if (getComputedStyle(box).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  const right = el => el.getBoundingClientRect().right;
  // A box that sticks out, or text that overflows a box that does not (a long word).
  const reach = el => getComputedStyle(el).overflowX !== 'visible' ? right(el)
    : Math.max(right(el), el.getBoundingClientRect().left + el.scrollWidth);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('');
  const out = [...document.body.querySelectorAll('*')].filter(
    el => el.getClientRects().length && reach(el) > width + 0.5 && !contained(el));
  const culprits = out.filter(el => right(el) > width + 0.5
    ? !(out.includes(el.parentElement) && right(el.parentElement) > width + 0.5)
    : ![...el.children].some(child => out.includes(child)));
  culprits.sort((a, b) => reach(b) - reach(a));
  return {scroll: document.documentElement.scrollWidth, width: width,
          offenders: culprits.slice(0, 5).map(el => name(el) + ' right='
            + Math.round(reach(el)) + ' "'
            + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"')};
}"""

# Where the page's own content starts: its h1 (on a selection's pages, its name) and the
# first heading inside <main>, in pixels from the top of the page.
FIRST_CONTENT = """() => {
  const top = el => el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : null;
  return {h1: top(document.querySelector('h1')),
          main: top(document.querySelector('main').querySelector('h1, h2, h3, legend'))};
}"""


def sideways(page) -> str | None:
    """Why the open page scrolls sideways (its widest elements), or None when it fits."""
    found = page.evaluate(SIDEWAYS)
    if found["scroll"] <= found["width"]:
        return None
    return f"scrollWidth {found['scroll']} > {found['width']}: {found['offenders']}"


def visit(page, base: str, paths: list[str], first_screen: bool = True) -> dict[str, str]:
    """Open each path at the page's width and collect what does not fit, by path; a page
    that does not fit is photographed (test-artifacts/phone/failed-...). `first_screen`:
    the page's own content must also start on the first screen."""
    failures = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        problems = [f"status {response.status}" if response.status != 200 else None,
                    sideways(page)]
        start = page.evaluate(FIRST_CONTENT)
        if start["h1"] is None or start["main"] is None:
            problems.append(f"no h1 or no heading in main: {start}")
        elif first_screen and max(start["h1"], start["main"]) >= page.viewport_size["height"]:
            problems.append(f"the content starts below the first screen: {start}")
        problems = [problem for problem in problems if problem]
        if problems:
            failures[path] = "; ".join(problems)
            SHOTS.mkdir(parents=True, exist_ok=True)
            name = "".join(c if c.isalnum() else "-" for c in path.split("/", 3)[-1])
            page.screenshot(path=str(SHOTS / f"failed-{name}.png"), full_page=True)
    return failures


def photograph(page, base: str, phase: str, sid: int, ids: dict[str, object]) -> None:
    """Save the phone-width screenshots of this phase's pages named in SCREENSHOTS: the
    whole page and its first screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path, name in SCREENSHOTS.get(phase, {}).items():
        page.goto(f"{base}{under(sid, [path], ids)[0]}")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        page.screenshot(path=str(SHOTS / f"{name}-first-screen.png"))


@pytest.mark.parametrize("phase", list(SELECTION_PAGES))
def test_no_page_of_a_selection_scrolls_sideways_on_a_phone(app, dbs, example_doc, phase):
    """The facilitator's pages of the phase and the other members' (the accessibility
    test's lists): each fits 390 px, with the selection's name and the first heading of
    the page on the first screen; the facilitator's also fit a tablet (768 px), where the
    menus are not folded."""
    sid = selection_in(dbs, example_doc, phase)
    ids = ids_of(dbs, sid)
    facilitator_pages = under(sid, SELECTION_PAGES[phase] + DETAIL_PAGES[phase], ids)
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size(TABLET)
        log_in(page, base, FENNA)
        failures = {f"tablet {path}": problem for path, problem
                    in visit(page, base, facilitator_pages, first_screen=False).items()}
        page.set_viewport_size(PHONE)
        failures |= visit(page, base, facilitator_pages)
        photograph(page, base, phase, sid, ids)
        for who, paths in MEMBER_PAGES[phase].items():
            log_in(page, base, who)
            failures |= {f"{who} {path}": problem for path, problem
                         in visit(page, base, under(sid, paths, ids)).items()}
        assert failures == {}, "\n".join(f"{path}: {why}" for path, why in failures.items())


def test_login_account_admin_portal_and_statement_pages_fit_a_phone(app, dbs):
    world = build_world(dbs, "scoring")
    with dbs.transaction() as session:
        make_account(session, "ada@example.org", "Ada Admin", admin=True)
        selection = session.get(Selection, world.selection)
        token = vendors.issue_link(session, selection, None,
                                   world.vendors["northwind"], 14).token
    with served(app) as base, chromium_page() as page:
        page.set_viewport_size(PHONE)
        public = visit(page, base, ["/login", "/accessibility", f"/portal/{token}/",
                                    f"/portal/{token}/questions", f"/portal/{token}/costs"])
        # Sent to the login with a message: the message stands above the form, which
        # keeps the screen's width (it once stood beside it, squeezing the form).
        page.goto(f"{base}/account")
        boxes = page.evaluate("""() => [document.querySelector('.flashes'),
            document.querySelector('.auth__card')].map(el => el.getBoundingClientRect())
            .map(box => ({top: box.top, bottom: box.bottom, width: box.width}))""")
        assert boxes[0]["bottom"] <= boxes[1]["top"], boxes
        assert boxes[1]["width"] >= PHONE["width"] - 48, boxes
        log_in(page, base, "ada@example.org")
        signed_in = visit(page, base, ["/", "/account", "/account/password",
                                       "/account/two-factor", "/admin/accounts",
                                       "/admin/invitations", "/selections/new"])
        page.goto(f"{base}/admin/accounts")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "admin-accounts.png"), full_page=True)
        failures = {**public, **signed_in}
        assert failures == {}, "\n".join(f"{path}: {why}" for path, why in failures.items())


def tab_menu_state(page) -> dict:
    summary = page.locator(".tabmenu summary")
    return {"summary": " ".join(summary.text_content().split()),
            "summary_visible": summary.is_visible(),
            "tab_visible": page.locator("nav.tabs").get_by_role("link", name="Report")
            .is_visible(),
            "account_visible": page.locator(".topbar__account").is_visible()}


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_the_compact_menu_opens_with_the_keyboard_and_says_where_you_are(app, dbs,
                                                                       example_doc, script):
    """At 390 px the tabs and the account links sit behind two disclosures whose
    summaries name the current part; Enter opens them. At 1280 px nothing is folded."""
    sid = selection_in(dbs, example_doc, "decision")
    with served(app) as base, chromium_page(java_script_enabled=script) as page:
        page.set_viewport_size(PHONE)
        log_in(page, base, FENNA)
        page.goto(f"{base}/selections/{sid}/analysis/heat-map")
        assert tab_menu_state(page) == {"summary": "Parts of this selection Analysis",
                                        "summary_visible": True, "tab_visible": False,
                                        "account_visible": False}
        page.locator(".tabmenu summary").focus()
        page.keyboard.press("Enter")
        assert page.locator("nav.tabs").get_by_role("link", name="Report").is_visible()
        page.locator(".topmenu summary").focus()
        page.keyboard.press("Enter")
        assert page.locator(".topbar__account").is_visible()
        assert page.get_by_role("button", name="Log out").is_visible()
        # The main menu comes next in the keyboard's order.
        assert page.locator(".topmenu summary").inner_text() == "Menu"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "My selections"
        # A page with a tab of its own is named by it, a page without by its area's.
        sheet = under(sid, ["/scoring/vendors/{vendor}"], ids_of(dbs, sid))[0]
        for path, part in [(f"/selections/{sid}/scoring/consensus", "Consensus"),
                           (sheet, "Scoring"), (f"/selections/{sid}/requirements/quality",
                                                "Requirements")]:
            page.goto(f"{base}{path}")
            assert page.locator(".tabmenu summary").text_content().split()[-1] == part

        page.set_viewport_size({"width": 1280, "height": 844})
        page.goto(f"{base}/selections/{sid}/analysis/heat-map")
        assert tab_menu_state(page) == {"summary": "Parts of this selection Analysis",
                                        "summary_visible": False,
                                        "tab_visible": True, "account_visible": True}

