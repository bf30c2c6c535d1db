"""Blind scoring: until a member has submitted their own sheet for a vendor, nothing
they can fetch (any page, any JSON) holds another member's score or comment for it; the
facilitator sees progress only until scoring closes, unless "see everything" is on."""

from __future__ import annotations

import re

from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Selection
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import MARLOES
from tests.web.scoring_world import SANNE
from tests.web.scoring_world import World
from tests.web.scoring_world import page_text
from tests.web.scoring_world import post_json
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in

SECRET = "Sanne-argument-7f3a: the pipeline view is excellent"


def sanne_submits(app, world: World, vendor="northwind"):
    sanne = signed_in(app, SANNE)
    sanne.post(sheet_url(world, vendor) + "/conflict", {"conflict": "none"})
    for item in sanne.get(sheet_url(world, vendor) + "/sheet.json").json["items"]:
        assert post_json(sanne, sheet_url(world, vendor) + "/scores", {
            "requirement_id": item["requirement_id"], "score": 5, "comment": SECRET,
            "version": None}).status_code == 200
    assert sanne.post(sheet_url(world, vendor) + "/submit").status_code == 302


def every_page(app, world: World, browser) -> dict[str, str]:
    """Every GET page and JSON of the selection this member can open, with ids filled in."""
    values = {"selection_id": world.selection, "vendor_id": world.vendors["northwind"],
              "requirement_id": world.requirements["BUS-SAL-01"],
              "membership_id": world.members[SANNE], "category": "sales"}
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "selection_id" not in rule.arguments:
            continue
        if not set(rule.arguments) <= set(values):
            continue
        _, path = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)
        response = browser.get(path)
        if response.status_code < 500:  # refusals too: a 409's body must not leak either
            pages[path] = response.get_data().decode("utf-8", "replace")
    return pages


def test_a_member_who_has_not_submitted_sees_nothing_of_the_others(app, dbs, world):
    sanne_submits(app, world)
    bram = signed_in(app, BRAM)
    bram.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    pages = every_page(app, world, bram)
    assert sheet_url(world) in pages and sheet_url(world) + "/sheet.json" in pages
    assert len(pages) >= 10
    for path, body in pages.items():
        assert SECRET not in body, path
        assert "peers__list" not in body, path  # no "what the others gave" anywhere
    own = bram.get(sheet_url(world) + "/sheet.json").json
    assert {i["score"] for i in own["items"]} == {None}  # his own: nothing yet, no 5s


def test_after_submitting_the_member_sees_the_others_for_that_vendor_only(app, dbs, world):
    sanne_submits(app, world)
    bram = signed_in(app, BRAM)
    bram.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    for item in bram.get(sheet_url(world) + "/sheet.json").json["items"]:
        post_json(bram, sheet_url(world) + "/scores", {
            "requirement_id": item["requirement_id"], "score": 3, "comment": "Fine.",
            "version": None})
    assert bram.post(sheet_url(world) + "/submit").status_code == 302
    sheet = bram.get(sheet_url(world)).get_data(as_text=True)
    assert SECRET in sheet and "Sanne Bakker" in sheet
    assert SECRET not in bram.get(sheet_url(world) + "/sheet.json").get_data(as_text=True)
    bram.post(sheet_url(world, "polder") + "/conflict", {"conflict": "none"})
    assert "Sanne Bakker" not in bram.get(sheet_url(world, "polder")).get_data(as_text=True)


def test_the_facilitator_sees_progress_not_scores_until_scoring_closes(app, dbs, world):
    sanne_submits(app, world)
    fenna = signed_in(app, FENNA)
    progress = page_text(fenna.get(f"/selections/{world.selection}/scoring"))
    assert "13 of 13" in progress and "submitted" in progress  # Sanne's progress: counts
    pages = every_page(app, world, fenna)
    for path, body in pages.items():
        assert SECRET not in body, path
    consensus = fenna.get(f"/selections/{world.selection}/scoring/consensus")
    assert "follows once scoring has closed" in page_text(consensus)
    # "See everything" (the facilitator's own setting, audited) lets the facilitator in.
    assert signed_in(app, BRAM).post(f"/selections/{world.selection}/scoring/settings",
                                     {"facilitator_sees_all": "y"}).status_code == 403
    assert fenna.post(f"/selections/{world.selection}/scoring/settings",
                      {"facilitator_sees_all": "y"}).status_code == 302
    with dbs.transaction(write=False) as s:
        assert s.get(Selection, world.selection).facilitator_sees_all is True
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "selection")
                          .order_by(AuditEntry.id.desc())).first()
        assert '"facilitator_sees_all": true' in entry.new
    assert SECRET in fenna.get(f"/selections/{world.selection}/scoring/consensus").get_data(
        as_text=True)


def test_after_scoring_closes_the_meeting_shows_everything(app, dbs, world):
    sanne_submits(app, world)
    fenna = signed_in(app, FENNA)
    assert fenna.post(f"/selections/{world.selection}/phase",
                      {"direction": "forward"}).status_code == 302
    for email in (BRAM, MARLOES):
        page = signed_in(app, email).get(f"/selections/{world.selection}/scoring/consensus")
        assert SECRET in page.get_data(as_text=True), email


def test_json_answers_hold_only_the_members_own_numbers(app, dbs, world):
    sanne_submits(app, world)
    bram = signed_in(app, BRAM)
    bram.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    saved = post_json(bram, sheet_url(world) + "/scores", {
        "requirement_id": world.requirements["BUS-SAL-01"], "score": 2, "comment": "meh",
        "version": None})
    body = saved.get_data(as_text=True)
    assert SECRET not in body and not re.search(r'"score":\s*5', body)
