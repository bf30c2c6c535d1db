"""The scoring path and the weighting with the keyboard alone (issue 22, item 2): in a
real browser a scorer logs in, goes from the overview to a sheet, declares no conflict,
scores every wish (an extreme one with its argument) and submits; a business member
weighs the categories with points and one domain pairwise. Nothing is clicked: only
Tab, Shift+Tab, Enter, Space, arrow keys and typing. After every key the focused element
must show a focus ring, and each page must have one `main`, named navigation, one h1 and
a name for every field a screen reader lands on. The database is checked afterwards."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from selector.models import Allocation
from selector.models import Category
from selector.models import Membership
from selector.models import Requirement
from selector.models import Score
from selector.models import Sheet
from tests.browser_support import chromium_page
from tests.browser_support import served
from tests.web.conftest import PASSWORD
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import build_world

pytestmark = pytest.mark.browser

ARGUMENT = "The only one that logs the source of every lead without extra clicks."
# Bram's points over the ten categories of the example, in page order (business first).
POINTS = [30, 10, 10, 10, 5, 10, 5, 5, 10, 5]

# What the focused element looks like: its name for the failure message, and whether a
# focus ring is drawn. A score's radio button is invisible (opacity 0): its ring is drawn
# on the label around it (scoring.css), so that label is what is looked at.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const drawn = el.matches('.scale__input') ? el.closest('label') : el;
  const style = getComputedStyle(drawn);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const box = drawn.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
          text: (el.innerText || el.value || '').trim().slice(0, 60),
          ring: outline || shadow, visible: box.width > 0 && box.height > 0 && box.bottom > 0};
}"""


def focused(page) -> dict:
    where = page.evaluate(FOCUS)
    assert where is not None, "the focus was lost (it is on the page's body)"
    return where


def press(page, key: str) -> dict:
    """Press one key; the element that then has the focus must show it."""
    page.keyboard.press(key)
    where = focused(page)
    if where["id"] != "main":  # the skip link's target: not a control, so no ring
        assert where["ring"], f"no visible focus on {where} after {key}"
        assert where["visible"], f"the focused {where} is off screen or hidden"
    return where


def tab_to(page, selector: str, key: str = "Tab", limit: int = 80) -> dict:
    """Tab (or Shift+Tab) until the focused element matches `selector`."""
    seen = []
    for _ in range(limit):
        where = press(page, key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return where
        seen.append(where["text"] or where["name"] or where["tag"])
    raise AssertionError(f"{selector} is not reached with {key}; passed {seen}")


def follow(page, selector: str) -> None:
    """Tab to a link or button and press Enter, then wait for the next page."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def check_landmarks(page, signed_in: bool = True) -> None:
    """As a screen reader finds the page: one main, one h1, every navigation named (at
    least one when signed in)."""
    tree = page.locator("body").aria_snapshot()
    lines = [line.strip() for line in tree.splitlines()]
    assert len([line for line in lines if re.match(r"- main\b", line)]) == 1, page.url
    assert len([line for line in lines if re.match(r"- heading .*\[level=1\]", line)]) == 1, \
        page.url
    navs = [line for line in lines if re.match(r"- navigation\b", line)]
    assert all(re.match(r'- navigation "[^"]+"', line) for line in navs), (page.url, navs)
    if signed_in:
        assert navs, page.url


FIELD = re.compile(r"- (radio|textbox|spinbutton|combobox|checkbox|slider)\b")


def check_field_names(page, form_selector: str) -> int:
    """Every field of the form is in the accessibility tree with a name; returns how
    many there are (compared with the DOM, so none is left out of the tree)."""
    tree = page.locator(form_selector).aria_snapshot()
    fields = [line.strip() for line in tree.splitlines()
              if FIELD.match(line.strip())]
    unnamed = [line for line in fields if not re.match(r'- \w+ "[^"]+"', line)]
    assert unnamed == [], unnamed
    in_dom = page.locator(
        f"{form_selector} :is(input:not([type=hidden]):not([aria-hidden=true]), "
        "select, textarea)").count()
    assert len(fields) == in_dom, (len(fields), in_dom)
    return len(fields)


def log_in_by_keyboard(page, base: str, email: str) -> None:
    """The login page opens with the focus in the e-mail field; Tab to the password,
    Enter logs in."""
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    check_landmarks(page, signed_in=False)
    assert focused(page)["name"] == "email"
    page.keyboard.type(email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url


def skip_to_content(page) -> None:
    """A page's first Tab stop is the skip link, shown while focused; Enter on it puts
    the focus on `main`, so the next Tab is the first control of the content."""
    where = press(page, "Tab")
    assert where["text"] == "Skip to the content", where
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    press(page, "Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    press(page, "Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def to_selection_tab(page, base: str, sid: int, tab: str) -> None:
    """From the home page to the selection's overview, then to one of its tabs."""
    check_landmarks(page)
    skip_to_content(page)
    follow(page, f'main a[href="/selections/{sid}"]')
    assert page.url == f"{base}/selections/{sid}"
    check_landmarks(page)
    follow(page, f'nav a[href="/selections/{sid}/{tab}"]')
    check_landmarks(page)


def test_a_scorer_scores_and_submits_a_sheet_with_the_keyboard_alone(app, dbs):
    world = build_world(dbs, "scoring")
    sid, vendor = world.selection, world.vendors["northwind"]
    with served(app) as base, chromium_page() as page:
        log_in_by_keyboard(page, base, BRAM)
        to_selection_tab(page, base, sid, "scoring")
        follow(page, f'a[href="/selections/{sid}/scoring/vendors/{vendor}"]')
        check_landmarks(page)

        # First the conflict of interest: into the radio group, choose "no", continue.
        tab_to(page, "input[name=conflict]")
        press(page, "Space")
        assert page.locator("input[name=conflict]:checked").get_attribute("value") == "none"
        follow(page, ".conflict-card button[type=submit]")
        check_landmarks(page)
        assert check_field_names(page, "#sheet") > 0

        items = page.locator("[data-item]").evaluate_all(
            "items => items.map(i => [i.getAttribute('data-item'), i.getAttribute('data-code')])")
        assert len(items) == 13
        given = {}
        # The first requirement: an extreme 5, then Tab to its argument and type it.
        first_id, first_code = items[0]
        tab_to(page, f'[data-item="{first_id}"] [data-score]')
        press(page, "5")
        given[first_code] = 5
        assert tab_to(page, f'[data-item="{first_id}"] [data-comment]')
        page.keyboard.type(ARGUMENT)
        # Tab on to the next requirement; from there a digit, then arrow down, each time.
        tab_to(page, f'[data-item="{items[1][0]}"] [data-score]')
        for index, (item_id, code) in enumerate(items[1:], start=1):
            assert page.evaluate("s => document.activeElement.matches(s)",
                                 f'[data-item="{item_id}"] [data-score]'), code
            value = 2 + index % 3  # 3, 4, 2, ...: never an extreme
            press(page, str(value))
            given[code] = value
            if index < len(items) - 1:
                press(page, "ArrowDown")
        # Once every answer is saved the focus is still where the member left it.
        page.wait_for_function(
            "() => document.querySelector('[data-connection]').dataset.state === 'saved'")
        last = focused(page)
        assert last["name"].startswith("score_") and last["text"] == str(given[items[-1][1]])
        assert page.evaluate("document.activeElement.checked") is True
        assert page.locator("[data-overall-scored]").inner_text() == "13"
        # ArrowUp goes back a requirement, with the score it has.
        press(page, "ArrowUp")
        assert page.evaluate("document.activeElement.closest('[data-item]').dataset.code") \
            == items[-2][1]

        follow(page, "[data-submit-sheet] button[type=submit]")
        check_landmarks(page)
        assert page.locator(".badge--ok").first.inner_text().startswith("✓ submitted")
        assert page.problems == []

    with dbs.transaction(write=False) as session:
        membership = world.members[BRAM]
        sheet = session.scalar(select(Sheet).where(Sheet.membership_id == membership,
                                                   Sheet.vendor_id == vendor))
        assert sheet.conflict == "none"
        assert sheet.submitted_at is not None
        stored = {code: (score, comment) for code, score, comment in session.execute(
            select(Requirement.code, Score.score, Score.comment)
            .join(Requirement, Requirement.id == Score.requirement_id)
            .where(Score.membership_id == membership, Score.vendor_id == vendor))}
    assert {code: score for code, (score, _c) in stored.items()} == given
    assert stored[first_code] == (5, ARGUMENT)


def test_a_member_weighs_with_points_and_pairwise_with_the_keyboard_alone(app, dbs):
    world = build_world(dbs, "weighting")
    sid = world.selection
    with served(app) as base, chromium_page() as page:
        log_in_by_keyboard(page, base, BRAM)
        to_selection_tab(page, base, sid, "weighting")
        assert check_field_names(page, "form[data-allocation]") == 10

        # The points: Tab into each number field, replace what it holds, type the points.
        inputs = page.locator("form[data-allocation] input[name^=points-]").evaluate_all(
            "inputs => inputs.map(i => i.name)")
        assert len(inputs) == len(POINTS)
        for name, points in zip(inputs, POINTS, strict=True):
            tab_to(page, f'input[name="{name}"]')
            press(page, "Control+a")
            page.keyboard.type(str(points))
        assert page.locator("output[data-total]").inner_text() == "100"
        # Shift+Tab back to the first field reaches it again (no trap, no skipped field).
        tab_to(page, f'input[name="{inputs[0]}"]', key="Shift+Tab")
        follow(page, "form[data-allocation] button[type=submit]")
        assert page.get_by_role("status").or_(page.locator(".flash")).first.is_visible()
        with dbs.transaction(write=False) as session:
            allocation = dict(session.execute(
                select(Category.key, Allocation.points)
                .join(Category, Category.id == Allocation.category_id)
                .where(Allocation.membership_id == world.members[BRAM])).all())
        assert sorted(allocation.values(), reverse=True) == sorted(POINTS, reverse=True)
        assert allocation["sales"] == 30

        # The pairwise comparison of the business categories: each pair's choice with
        # the arrow keys, the domain's points typed, saved with Enter.
        follow(page, f'nav a[href="/selections/{sid}/weighting/pairwise/business"]')
        check_landmarks(page)
        form = "form[action$='/weighting/pairwise/business']"
        pairs = check_field_names(page, form) - 1  # the selects and the points field
        assert pairs == 10
        for index in range(pairs):
            where = tab_to(page, f"{form} select")
            assert where["tag"] == "select"
            press(page, "Home")  # "— choose —"
            steps = 7 if index == 0 else 9  # first pair: "3×" for the first; else equal
            for _ in range(steps):
                press(page, "ArrowDown")
        chosen = page.locator(f"{form} select").evaluate_all("s => s.map(x => x.value)")
        assert chosen == ["3"] + ["1"] * 9
        tab_to(page, f"{form} input[name=domain_points]")
        press(page, "Control+a")
        page.keyboard.type("50")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        check_landmarks(page)
        assert page.locator("#consistency").is_visible()
        assert page.problems == []

    with dbs.transaction(write=False) as session:
        membership = session.get(Membership, world.members[BRAM])
        allocation = dict(session.execute(
            select(Category.key, Allocation.points)
            .join(Category, Category.id == Allocation.category_id)
            .where(Allocation.membership_id == membership.id)).all())
    business = ["sales", "marketing", "service", "customer_view", "reporting"]
    assert sum(allocation[key] for key in business) == pytest.approx(50)
    # Sales counts 3x marketing and the rest equal: sales gets the largest share.
    assert allocation["sales"] == max(allocation[key] for key in business)
    assert allocation["sales"] > allocation["marketing"]
    # The IT points stay as typed on the allocation page.
    assert [allocation[key] for key in ("hosting", "standards", "browsers", "backup",
                                        "security")] == POINTS[5:]
