"""The scoring sheet in the browser (Flask test client): declaring a conflict of
interest, saving answers through the JSON endpoint and the whole form, submitting, and
each refusal with its message and nothing changed."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import SANNE
from tests.web.scoring_world import build_world
from tests.web.scoring_world import page_text
from tests.web.scoring_world import post_json
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in
from tests.web.summaries import problem_summary


def declare(browser, world, vendor="northwind", conflict="none", explanation=""):
    response = browser.post(sheet_url(world, vendor) + "/conflict",
                            {"conflict": conflict, "explanation": explanation})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


def save(browser, world, code, score, comment="", version=None, vendor="northwind",
         reason=""):
    return post_json(browser, sheet_url(world, vendor) + "/scores", {
        "requirement_id": world.requirements[code], "score": score, "comment": comment,
        "version": version, "reason": reason})


def counts(dbs):
    with dbs.transaction(write=False) as s:
        return (s.scalar(select(func.count()).select_from(Score)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def test_the_sheet_asks_for_a_conflict_declaration_first(app, dbs, world):
    bram = signed_in(app, BRAM)
    page = bram.get(sheet_url(world))
    assert page.status_code == 200
    text = page_text(page)
    assert "First: a conflict of interest?" in text
    assert "13 requirements await your score" in text
    assert 'id="sheet"' not in page.get_data(as_text=True)
    response = save(bram, world, "BUS-SAL-01", 3)
    assert response.status_code == 422
    assert response.json["field"] == "conflict"
    assert "conflict of interest" in response.json["error"]
    assert counts(dbs)[0] == 0


def test_a_member_scores_through_the_json_endpoint(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)
    page = bram.get(sheet_url(world))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="sheet"' in html
    assert "BUS-SAL-01" in html and "IT-STD-01" not in html  # business wishes only
    assert "meets well" in html  # the anchors, in the selection's language (en)
    first = save(bram, world, "BUS-SAL-01", 5, "")
    assert first.status_code == 200
    assert first.json == {"saved": True, "requirement_id": world.requirements["BUS-SAL-01"],
                          "score": 5, "comment": "", "version": 1, "unargued_extreme": True,
                          "changed": True}
    second = save(bram, world, "BUS-SAL-01", 5, "Best pipeline board we saw.", version=1)
    assert second.json["version"] == 2 and second.json["unargued_extreme"] is False
    own = bram.get(sheet_url(world) + "/sheet.json").json
    item = next(i for i in own["items"] if i["code"] == "BUS-SAL-01")
    assert item == {"requirement_id": world.requirements["BUS-SAL-01"], "code": "BUS-SAL-01",
                    "score": 5, "comment": "Best pipeline board we saw.", "version": 2,
                    "unargued_extreme": False}
    assert (own["scored"], own["total"], own["submitted"]) == (1, 13, False)
    page = bram.get(sheet_url(world))
    html = page.get_data(as_text=True)
    assert "Best pipeline board we saw." in html
    assert 'value="2"' in html  # the version the next save starts from


def test_a_lost_update_gets_409_with_the_stored_answer(app, dbs, world):
    tab_one, tab_two = signed_in(app, BRAM), signed_in(app, BRAM)
    declare(tab_one, world)
    assert save(tab_one, world, "BUS-SAL-01", 3, "first").status_code == 200
    assert save(tab_one, world, "BUS-SAL-01", 4, "tab one", version=1).status_code == 200
    before = counts(dbs)
    late = save(tab_two, world, "BUS-SAL-01", 1, "tab two", version=1)
    assert late.status_code == 409
    assert "changed elsewhere" in late.json["error"]
    assert late.json["current"] == {"score": 4, "comment": "tab one", "version": 2,
                                    "unargued_extreme": False}
    assert counts(dbs) == before


def refused(dbs, response, status, field, words):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.json["field"] == field
    assert words in response.json["error"]


def test_refusals_through_the_json_endpoint_change_nothing(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)
    save(bram, world, "BUS-SAL-01", 3, "ok")
    before = counts(dbs)
    refused(dbs, save(bram, world, "BUS-SAL-02", 6), 422, "score", "from 0 to 5")
    refused(dbs, save(bram, world, "BUS-SAL-02", -1), 422, "score", "from 0 to 5")
    refused(dbs, save(bram, world, "BUS-SAL-02", "4"), 422, "score", "0 to 5")
    refused(dbs, save(bram, world, "IT-STD-01", 3), 422, "score", "not assigned to you")
    refused(dbs, save(bram, world, "IT-HST-01", 3, vendor="northwind"), 422, "score",
            "accepted wishes")
    assert save(bram, world, "BUS-SAL-01", 3, "ok", vendor="northwind",
                version=1).json["changed"] is False
    bad = post_json(bram, sheet_url(world) + "/scores", {"score": 3})
    assert bad.status_code == 400
    assert counts(dbs) == before


def test_no_score_for_a_vendor_the_member_is_excluded_from(app, dbs, world):
    bram, fenna = signed_in(app, BRAM), signed_in(app, FENNA)
    declare(bram, world, conflict="declared", explanation="I worked at Northwind until 2024.")
    assert save(bram, world, "BUS-SAL-01", 4, "Strong").status_code == 200
    # The facilitator sees the declaration and excludes Bram.
    progress = fenna.get(f"/selections/{world.selection}/scoring")
    assert "I worked at Northwind until 2024." in progress.get_data(as_text=True)
    response = fenna.post(
        f"/selections/{world.selection}/scoring/vendors/{world.vendors['northwind']}"
        f"/members/{world.members[BRAM]}/exclusion", {"excluded": "1", "reason": "Ex-employee"})
    assert response.status_code == 302
    before = counts(dbs)
    refused(dbs, save(bram, world, "BUS-SAL-01", 2, "changed", version=1), 422, "score",
            "excluded")
    assert counts(dbs) == before
    page = bram.get(sheet_url(world))
    assert "excluded you from scoring this vendor" in page_text(page)
    with dbs.transaction(write=False) as s:
        assert s.scalar(select(Score.score)) == 4  # kept


def test_a_member_cannot_exclude(app, dbs, world):
    bram = signed_in(app, BRAM)
    response = bram.post(
        f"/selections/{world.selection}/scoring/vendors/{world.vendors['northwind']}"
        f"/members/{world.members[SANNE]}/exclusion", {"excluded": "1", "reason": "x"})
    assert response.status_code == 403


def score_everything(browser, world, value=3, vendor="northwind", comment="As demonstrated."):
    own = browser.get(sheet_url(world, vendor) + "/sheet.json").json
    for item in own["items"]:
        response = post_json(browser, sheet_url(world, vendor) + "/scores", {
            "requirement_id": item["requirement_id"], "score": value, "comment": comment,
            "version": item["version"]})
        assert response.status_code == 200, response.json
    return own["items"]


def test_submit_refused_with_an_unargued_extreme_then_accepted(app, dbs, world):
    ingrid = signed_in(app, INGRID)
    declare(ingrid, world)
    items = score_everything(ingrid, world)
    extreme = save(ingrid, world, items[0]["code"], 0, "", version=1)
    assert extreme.json["unargued_extreme"] is True
    page = ingrid.get(sheet_url(world))
    assert "An extreme score needs an argument." in page_text(page)
    refused_submit = ingrid.post(sheet_url(world) + "/submit")
    assert refused_submit.status_code == 422
    assert "Argue every extreme score" in page_text(refused_submit)
    with dbs.transaction(write=False) as s:
        assert s.scalar(select(Sheet.submitted_at)) is None
    save(ingrid, world, items[0]["code"], 0, "No SAML at all; OIDC only.", version=2)
    done = ingrid.post(sheet_url(world) + "/submit")
    assert done.status_code == 302
    with dbs.transaction(write=False) as s:
        assert s.scalar(select(Sheet.submitted_at)) is not None


def test_after_submission_a_change_needs_a_reason(app, dbs, world):
    ingrid = signed_in(app, INGRID)
    declare(ingrid, world)
    score_everything(ingrid, world)
    assert ingrid.post(sheet_url(world) + "/submit").status_code == 302
    page = ingrid.get(sheet_url(world))
    assert "Why do you change your submitted scores?" in page_text(page)
    before = counts(dbs)
    refused(dbs, save(ingrid, world, "IT-STD-01", 4, "As demonstrated.", version=1), 422,
            "reason", "say why")
    assert counts(dbs) == before
    ok = save(ingrid, world, "IT-STD-01", 4, "As demonstrated.", version=1,
              reason="Checked the SAML add-on after all.")
    assert ok.status_code == 200
    with dbs.transaction(write=False) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "score")
                          .order_by(AuditEntry.id.desc())).first()
        assert entry.reason == "Checked the SAML add-on after all."
        assert '"score": 3' in entry.old and '"score": 4' in entry.new


def test_in_a_closed_phase_the_save_is_refused_with_a_clear_message(app, dbs, world):
    bram, fenna = signed_in(app, BRAM), signed_in(app, FENNA)
    declare(bram, world)
    save(bram, world, "BUS-SAL-01", 3)
    assert fenna.post(f"/selections/{world.selection}/phase",
                      {"direction": "forward"}).status_code == 302
    before = counts(dbs)
    refused(dbs, save(bram, world, "BUS-SAL-01", 4, version=1), 422, "score",
            "Scoring is closed")
    form_post = bram.post(sheet_url(world), {f"score_{world.requirements['BUS-SAL-01']}": "4",
                                             f"version_{world.requirements['BUS-SAL-01']}": "1"})
    assert form_post.status_code == 422
    assert "Scoring is closed" in page_text(form_post)
    assert counts(dbs) == before
    page = bram.get(sheet_url(world))
    assert "Scoring is closed: scores can no longer be changed." in page_text(page)
    assert 'disabled' in page.get_data(as_text=True)


def test_the_whole_form_saves_without_javascript(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)
    sal1, sal2 = world.requirements["BUS-SAL-01"], world.requirements["BUS-SAL-02"]
    response = bram.post(sheet_url(world), {
        f"score_{sal1}": "4", f"comment_{sal1}": "Good", f"version_{sal1}": "",
        f"score_{sal2}": "2", f"comment_{sal2}": "", f"version_{sal2}": ""})
    assert response.status_code == 302
    page = bram.get(sheet_url(world))
    assert "2 answers saved." in page_text(page)
    with dbs.transaction(write=False) as s:
        assert sorted(s.execute(select(Score.requirement_id, Score.score)).all()) == sorted(
            [(sal1, 4), (sal2, 2)])


def test_the_whole_form_refuses_all_when_one_answer_is_wrong(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)
    sal1, sal2 = world.requirements["BUS-SAL-01"], world.requirements["BUS-SAL-02"]
    response = bram.post(sheet_url(world), {
        f"score_{sal1}": "4", f"comment_{sal1}": "Good",
        f"score_{sal2}": "", f"comment_{sal2}": "An argument without a score"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Choose a score to go with your argument." in text
    assert "An argument without a score" in response.get_data(as_text=True)  # kept
    assert counts(dbs)[0] == 0
    bad_choice = bram.post(sheet_url(world), {f"score_{sal1}": "9"})
    assert bad_choice.status_code == 422
    assert counts(dbs)[0] == 0


def test_sponsors_cannot_score(app, dbs, world):
    sponsor = signed_in(app, "marloes@example.org")
    assert sponsor.get(sheet_url(world)).status_code == 403
    assert save(sponsor, world, "BUS-SAL-01", 3).status_code == 403


def test_another_selections_vendor_is_404(app, dbs, world):
    other = build_world(dbs)
    bram = signed_in(app, BRAM)
    declare(bram, world)
    response = post_json(bram, f"/selections/{world.selection}/scoring/vendors/"
                               f"{other.vendors['northwind']}/scores",
                         {"requirement_id": world.requirements["BUS-SAL-01"], "score": 3,
                          "comment": "", "version": None})
    assert response.status_code == 404
    assert bram.get(f"/selections/{world.selection}/scoring/vendors/"
                    f"{other.vendors['northwind']}").status_code == 404


def test_the_json_endpoint_needs_the_csrf_token(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)
    response = bram.client.post(sheet_url(world) + "/scores", json={
        "requirement_id": world.requirements["BUS-SAL-01"], "score": 3})
    assert response.status_code == 400
    assert counts(dbs)[0] == 0


def test_the_sheet_is_in_dutch_for_a_dutch_selection(app, dbs, world):
    with dbs.transaction() as s:
        s.get(Selection, world.selection).language = "nl"
    bram = signed_in(app, BRAM)
    declare(bram, world)
    html = bram.get(sheet_url(world)).get_data(as_text=True)
    assert "voldoet ruim" in html  # "meets well", whatever the reader's language


def test_a_declared_conflict_is_shown_escaped(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world, conflict="declared", explanation="<script>alert('x')</script>")
    for page in (bram.get(sheet_url(world)),
                 signed_in(app, FENNA).get(f"/selections/{world.selection}/scoring")):
        html = page.get_data(as_text=True)
        assert "<script>alert(" not in html
        assert "&lt;script&gt;alert(" in html


def test_a_refused_submit_names_the_count_at_the_top_and_links_to_the_first(app, dbs, world):
    """Issue 22, item 6: the page opens on a summary (the form posts to its anchor) with
    the count and a link to the first problem in the sheet's order; each problem is
    marked where it is."""
    ingrid = signed_in(app, INGRID)
    declare(ingrid, world)
    items = score_everything(ingrid, world)
    save(ingrid, world, items[3]["code"], 0, "", version=1)
    save(ingrid, world, items[1]["code"], 0, "", version=1)
    page = ingrid.get(sheet_url(world)).get_data(as_text=True)
    assert 'id="sheet-problems"' not in page
    assert '/submit#sheet-problems"' in page
    refused = ingrid.post(sheet_url(world) + "/submit")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    summary = problem_summary(page, "sheet-problems")
    first = items[1]["requirement_id"]
    assert "There are 2 problems." in summary
    assert "Argue every extreme score" in summary
    assert f'href="#item-{first}"' in summary
    assert f'data-first-problem="item-{first}"' in page
    assert page.index('id="sheet-problems"') < page.index('id="sheet"')
    marked = re.findall(r'<fieldset class="item item--error" id="item-(\d+)"', page)
    assert marked == [str(first), str(items[3]["requirement_id"])]


def test_a_sheet_with_open_requirements_counts_every_one(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)
    save(bram, world, "BUS-SAL-01", 3)
    refused = bram.post(sheet_url(world) + "/submit")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "There are 12 problems." in problem_summary(page, "sheet-problems")
    assert page.count("Score this requirement before you submit.") == 12
    assert f'"#item-{world.requirements["BUS-SAL-01"]}"' not in problem_summary(
        page, "sheet-problems")
