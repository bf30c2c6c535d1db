"""The consensus meeting and the facilitator's assignment page in the browser."""

from __future__ import annotations

import re

from sqlalchemy import select

from selector.domain import method
from selector.models import Assignment
from selector.models import Category
from selector.models import Consensus
from selector.services.loader import load_selection
from tests.web.scoring_world import BRAM  # noqa: F401  (fixtures)
from tests.web.scoring_world import FENNA  # noqa: F401  (fixtures)
from tests.web.scoring_world import MARLOES  # noqa: F401  (fixtures)
from tests.web.scoring_world import build_world  # noqa: F401  (fixtures)
from tests.web.scoring_world import page_text  # noqa: F401  (fixtures)
from tests.web.scoring_world import signed_in  # noqa: F401  (fixtures)


def consensus_post(browser, world, vendor, code, score, rationale, version="", view="vendor"):
    vid, rid = world.vendors[vendor], world.requirements[code]
    key = f"c{vid}-{rid}"
    return browser.post(
        f"/selections/{world.selection}/scoring/consensus/vendors/{vid}/requirements/{rid}"
        f"?view={view}",
        {f"{key}-score": str(score), f"{key}-rationale": rationale, f"{key}-version": version})


def test_the_meeting_puts_wide_spreads_first_and_records_consensus(app, dbs):
    world = build_world(dbs, with_scores=True)  # the example: imported in the decision phase
    fenna = signed_in(app, FENNA)
    page = fenna.get(f"/selections/{world.selection}/scoring/consensus/vendors/"
                     f"{world.vendors['polder']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ingrid Visser" in html and "Record a consensus score" in html
    with dbs.transaction(write=False) as s:
        before = method.rank(load_selection(s, world.selection))
    response = consensus_post(fenna, world, "polder", "IT-STD-01", 1,
                              "SAML only through a paid add-on.", version="1")
    assert response.status_code == 302
    with dbs.transaction(write=False) as s:
        row = s.scalar(select(Consensus).where(
            Consensus.requirement_id == world.requirements["IT-STD-01"],
            Consensus.vendor_id == world.vendors["polder"]))
        assert (row.score, row.rationale, row.version) == (
            1, "SAML only through a paid add-on.", 2)
        after = method.rank(load_selection(s, world.selection))
    polder = {v["key"]: v for v in after["vendors"]}["polder"]
    assert polder["quality"] < {v["key"]: v for v in before["vendors"]}["polder"]["quality"]
    stale = consensus_post(fenna, world, "polder", "IT-STD-01", 4, "Other tab", version="1")
    assert stale.status_code == 409 and "first" in page_text(stale)
    empty = consensus_post(fenna, world, "polder", "IT-STD-01", 4, "", version="2")
    assert empty.status_code == 422
    assert "Write down why the committee agrees" in page_text(empty)


def test_a_refused_consensus_on_an_item_the_page_does_not_show_still_says_why(app, dbs):
    """IT-BRW-01 is a knock-out, not a wish: the meeting has no item for it, so the
    refusal's message stands above the list (the fuzz tests found it missing)."""
    world = build_world(dbs, with_scores=True)
    response = consensus_post(signed_in(app, FENNA), world, "polder", "IT-BRW-01", 4, "")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="form-errors" role="alert"' in html
    assert "Write down why the committee agrees" in page_text(response)
    with dbs.transaction(write=False) as s:
        assert s.scalar(select(Consensus).where(
            Consensus.requirement_id == world.requirements["IT-BRW-01"])) is None


def test_only_the_facilitator_records_consensus(app, dbs):
    world = build_world(dbs, with_scores=True)
    bram = signed_in(app, BRAM)
    assert consensus_post(bram, world, "polder", "IT-STD-01", 1, "x").status_code == 403
    page = signed_in(app, MARLOES).get(f"/selections/{world.selection}/scoring/consensus")
    assert page.status_code == 200 and "Record a consensus score" not in page_text(page)


def test_consensus_is_refused_while_scoring_is_open(app, dbs):
    world = build_world(dbs)
    response = consensus_post(signed_in(app, FENNA), world, "polder", "IT-STD-01", 1, "x")
    assert response.status_code == 422
    with dbs.transaction(write=False) as s:
        assert s.scalar(select(Consensus)) is None


def test_the_facilitator_changes_assignments(app, dbs):
    world = build_world(dbs)
    fenna = signed_in(app, FENNA)
    page = fenna.get(f"/selections/{world.selection}/scoring/assignments")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    bram = world.members[BRAM]
    with dbs.transaction(write=False) as s:
        categories = dict(s.execute(select(Category.key, Category.id).where(
            Category.selection_id == world.selection)).all())
    checked = re.findall(r'value="(\d+:\d+)" id="[^"]+"\s+checked', html)
    assert f"{bram}:{categories['sales']}" in checked
    assert f"{bram}:{categories['standards']}" not in checked
    wanted = [v for v in checked if v != f"{bram}:{categories['sales']}"]
    wanted.append(f"{bram}:{categories['standards']}")
    response = fenna.post(f"/selections/{world.selection}/scoring/assignments",
                          {"assigned": wanted})
    assert response.status_code == 302
    with dbs.transaction(write=False) as s:
        rows = {(a.category_id, a.assigned) for a in s.scalars(
            select(Assignment).where(Assignment.membership_id == bram))}
    assert rows == {(categories["sales"], False), (categories["standards"], True)}
    assert signed_in(app, BRAM).post(f"/selections/{world.selection}/scoring/assignments",
                                     {"assigned": wanted}).status_code == 403
