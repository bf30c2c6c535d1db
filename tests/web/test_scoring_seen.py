"""Blind scoring walked around (issue 17, item 13): a member submits a throw-away sheet,
reads the others' scores, then revises with any reason. The revision stands, but it is
marked "changed after seeing others' scores" on the consensus page, in panel health and
in the report's appendix; what was scored before seeing stays unmarked."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from selector.models import Membership
from selector.models import Selection
from selector.models import Vendor
from selector.models.scoring import ScoreDisclosure
from selector.services import accounts
from selector.services import scoring
from selector.services import selections
from selector.services.reports import selection_report
from selector.services.reports import selection_report_data
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import SANNE
from tests.web.scoring_world import World
from tests.web.scoring_world import post_json
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in

SECRET = "Sanne-argument-55d1: the pipeline view is excellent"
MARK = "data-after-seeing"



def submit_sheet(app, world: World, email: str, score: int, comment: str,
                 vendor: str = "northwind"):
    """Declare no conflict, score every item, submit; returns the signed-in browser."""
    browser = signed_in(app, email)
    browser.post(sheet_url(world, vendor) + "/conflict", {"conflict": "none"})
    for item in browser.get(sheet_url(world, vendor) + "/sheet.json").json["items"]:
        assert post_json(browser, sheet_url(world, vendor) + "/scores", {
            "requirement_id": item["requirement_id"], "score": score, "comment": comment,
            "version": None}).status_code == 200
    assert browser.post(sheet_url(world, vendor) + "/submit").status_code == 302
    return browser


def revise(browser, world: World, code: str, score: int, reason: str = "any reason"):
    items = {i["code"]: i for i in browser.get(sheet_url(world) + "/sheet.json").json["items"]}
    item = items[code]
    response = post_json(browser, sheet_url(world) + "/scores", {
        "requirement_id": item["requirement_id"], "score": score,
        "comment": "On reflection.", "version": item["version"], "reason": reason})
    assert response.status_code == 200, response.json


def first_code(browser, world: World) -> str:
    return browser.get(sheet_url(world) + "/sheet.json").json["items"][0]["code"]


def noted(dbs, world: World, email: str) -> set[int]:
    with dbs.transaction(write=False) as session:
        return set(session.scalars(select(ScoreDisclosure.vendor_id).where(
            ScoreDisclosure.membership_id == world.members[email])))


def close_scoring(dbs, world: World) -> None:
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        selections.change_phase(session, selection, accounts.find_account(session, FENNA),
                                "forward")


def world_vendor_name(session, world: World) -> str:
    return session.get(Vendor, world.vendors["northwind"]).name


def marked_rows(page: str) -> list[str]:
    return [row for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if MARK in row]


def test_a_revision_after_seeing_the_others_is_marked_everywhere(app, dbs, world, tmp_path):
    submit_sheet(app, world, SANNE, 5, SECRET)
    bram = submit_sheet(app, world, BRAM, 3, "Throw-away.")  # the throw-away sheet
    assert noted(dbs, world, BRAM) == set()  # submitted, but shown nothing yet

    page = bram.get(sheet_url(world)).get_data(as_text=True)
    assert SECRET in page  # he reads Sanne's scores ...
    assert "data-seen-note" in page  # ... and is told that changes are marked from now on
    assert noted(dbs, world, BRAM) == {world.vendors["northwind"]}
    code = first_code(bram, world)
    revise(bram, world, code, 5)  # ... and follows her, with any reason: allowed

    close_scoring(dbs, world)
    fenna = signed_in(app, FENNA)
    meeting = fenna.get(f"/selections/{world.selection}/scoring/consensus").get_data(
        as_text=True)
    rows = marked_rows(meeting)
    assert len(rows) == 1 and "Bram" in rows[0] and "Sanne" not in rows[0]
    assert "changed after seeing others' scores" in html.unescape(rows[0])
    section = re.search(rf'<section[^>]*data-vendor="northwind" data-code="{code}".*?</section>',
                        meeting, flags=re.S).group(0)
    assert MARK in section

    health = fenna.get(f"/selections/{world.selection}/analysis/panel-health").get_data(
        as_text=True)
    bram_row = re.search(rf'<tr data-member="{BRAM}">.*?</tr>', health, flags=re.S).group(0)
    assert re.search(r'data-field="after_seeing">1<', bram_row)
    sanne_row = re.search(rf'<tr data-member="{SANNE}">.*?</tr>', health, flags=re.S).group(0)
    assert re.search(r'data-field="after_seeing">0<', sanne_row)
    assert f'data-member="{BRAM}" data-vendor="northwind" data-requirement="{code}"' in health

    with dbs.transaction(write=False) as session:
        report, _ = selection_report_data(session, world.selection, "en")
        lines = report.appendix.seen_changes
        assert [(line.code, line.role) for line in lines] == [(code, "Business")]
        assert lines[0].vendor == world_vendor_name(session, world)
        pdf = selection_report(session, world.selection, "en").pdf
    from tests.report.helpers import ExtractedPdf

    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = ExtractedPdf(path).text
    assert "C. Changed after seeing others' scores" in text or \
        "C. Changed after seeing others’ scores" in text


def test_changes_before_anything_was_shown_are_not_marked(app, dbs, world):
    bram = submit_sheet(app, world, BRAM, 3, "First of all.")
    assert "peers__list" not in bram.get(sheet_url(world)).get_data(as_text=True)
    revise(bram, world, first_code(bram, world), 4)  # nobody else's score shown yet
    assert noted(dbs, world, BRAM) == set()
    with dbs.transaction(write=False) as session:
        assert scoring.changes_after_seeing(session, world.selection) == []


def test_a_refused_post_that_shows_the_others_still_records_it(app, dbs, world):
    """Reading the others' scores from an error page (a refused whole-sheet post) is
    reading them too: the refusal is rolled back, the moment is kept."""
    submit_sheet(app, world, SANNE, 5, SECRET)
    bram = submit_sheet(app, world, BRAM, 3, "Throw-away.")
    items = bram.get(sheet_url(world) + "/sheet.json").json["items"]
    assert noted(dbs, world, BRAM) == set()
    form = {f"score_{i['requirement_id']}": "3" for i in items}
    form[f"score_{items[0]['requirement_id']}"] = "99"  # refused
    form[f"score_{items[1]['requirement_id']}"] = "4"  # would be a change: rolled back
    form["reason"] = "any reason"
    response = bram.post(sheet_url(world), form)
    assert response.status_code == 422 and SECRET in response.get_data(as_text=True)
    assert noted(dbs, world, BRAM) == {world.vendors["northwind"]}
    assert bram.get(sheet_url(world) + "/sheet.json").json["items"][1]["score"] == 3


def test_see_everything_and_reopened_scoring_count_as_shown(app, dbs, world):
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        fenna = accounts.find_account(session, FENNA)
        scoring.set_visibility(session, selection, fenna, facilitator_sees_all=True)
    assert noted(dbs, world, FENNA) == set(world.vendors.values())
    assert noted(dbs, world, BRAM) == set()

    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        fenna = accounts.find_account(session, FENNA)
        selections.change_phase(session, selection, fenna, "forward")
        selections.change_phase(session, selection, fenna, "back", "one more look")
        scorers = set(session.scalars(select(Membership.id).where(
            Membership.selection_id == world.selection, Membership.removed_at.is_(None),
            Membership.role.in_(("facilitator", "business", "it")))))
    assert noted(dbs, world, BRAM) == set(world.vendors.values())
    with dbs.transaction(write=False) as session:
        assert set(session.scalars(select(ScoreDisclosure.membership_id))) == scorers
