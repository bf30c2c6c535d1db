"""The notices of the scoring pages follow the one blind-scoring rule
(`selector.domain.visibility`, asked through `MemberAccess` and the sheet view), not a
role or phase restated in the template (issue 21, item 2)."""

from __future__ import annotations

from selector.models import Selection
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import SANNE
from tests.web.scoring_world import World
from tests.web.scoring_world import page_text
from tests.web.scoring_world import post_json
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in

AFTER_SUBMITTING = "You have submitted this sheet, so you now see what the others"
PROGRESS_ONLY = "While scoring is open you see progress only, not the scores."


def submit_sheet(app, world: World, email: str):
    browser = signed_in(app, email)
    browser.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    for item in browser.get(sheet_url(world) + "/sheet.json").json["items"]:
        assert post_json(browser, sheet_url(world) + "/scores", {
            "requirement_id": item["requirement_id"], "score": 3, "comment": "Fine.",
            "version": None}).status_code == 200
    assert browser.post(sheet_url(world) + "/submit").status_code == 302
    return browser


def see_everything(dbs, world: World, on: bool) -> None:
    with dbs.transaction() as s:
        s.get(Selection, world.selection).facilitator_sees_all = on


def test_a_business_member_is_told_why_the_others_show_after_submitting(app, dbs, world):
    sanne = signed_in(app, SANNE)
    sanne.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    assert AFTER_SUBMITTING not in page_text(sanne.get(sheet_url(world)))
    submit_sheet(app, world, SANNE)
    assert AFTER_SUBMITTING in page_text(sanne.get(sheet_url(world)))
    with dbs.transaction() as s:
        s.get(Selection, world.selection).phase = "decision"
    # Once scoring has closed everyone sees everything: no longer because of the sheet.
    assert AFTER_SUBMITTING not in page_text(sanne.get(sheet_url(world)))


def test_the_facilitator_who_sees_everything_gets_no_after_submitting_notice(
        app, dbs, world):
    submit_sheet(app, world, SANNE)
    see_everything(dbs, world, True)
    fenna = signed_in(app, FENNA)
    fenna.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    sheet = fenna.get(sheet_url(world)).get_data(as_text=True)
    assert "Fine." in sheet  # Sanne's comment: "see everything" shows the others
    assert AFTER_SUBMITTING not in page_text(fenna.get(sheet_url(world)))


def test_the_progress_only_notice_follows_see_everything(app, dbs, world):
    fenna = signed_in(app, FENNA)
    scoring = f"/selections/{world.selection}/scoring"
    assert PROGRESS_ONLY in page_text(fenna.get(scoring))
    see_everything(dbs, world, True)
    assert PROGRESS_ONLY not in page_text(fenna.get(scoring))
    see_everything(dbs, world, False)
    with dbs.transaction() as s:
        s.get(Selection, world.selection).phase = "decision"
    assert PROGRESS_ONLY not in page_text(fenna.get(scoring))
