"""The weighting pages through the Flask test client: status per role, readers who only
read, the example selection's numbers as the engine computes them (the divergence
highlighted where business and IT are 10 points or more apart), allocation with bad
input, the blind rule, requirement weights, the pairwise option and the freeze."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.domain import method
from selector.models import Account
from selector.models import Allocation
from selector.models import AuditEntry
from selector.models import Category
from selector.models import FinalWeight
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID


@dataclass
class Example:
    selection: int
    categories: dict[str, int]  # key -> id
    requirements: dict[str, int]  # code -> id

    def url(self, path: str = "") -> str:
        return f"/selections/{self.selection}/weighting{path}"


@pytest.fixture
def example(dbs, example_doc) -> Example:
    """The example selection in the weighting phase (its scores left out), with a
    password for every member and an observer and a fresh business member added."""
    from selector.services import accounts
    from selector.services import memberships
    from selector.services import selection_file

    doc = {**example_doc, "scores": [], "consensus": [], "knockouts": []}
    with dbs.transaction() as session:
        sid = selection_file.import_selection(session, doc)
        selection = session.get(Selection, sid)
        facilitator = accounts.find_account(session, FENNA)
        for email in ("olga@example.org", "nina@example.org"):
            role = "observer" if email.startswith("olga") else "business"
            memberships.add_member(session, selection, facilitator, email, role, email[:4])
        for account in session.scalars(select(Account)):
            accounts.set_password(session, account, PASSWORD)
        return Example(
            sid,
            dict(session.execute(select(Category.key, Category.id)
                                 .where(Category.selection_id == sid)).all()),
            dict(session.execute(select(Requirement.code, Requirement.id)
                                 .where(Requirement.selection_id == sid)).all()),
        )


def text(response) -> str:
    return response.get_data(as_text=True)


def weighting_rows(dbs, example) -> tuple:
    with dbs.transaction(write=False) as session:
        selection = session.get(Selection, example.selection)
        return (
            sorted(session.execute(
                select(Allocation.membership_id, Allocation.category_id, Allocation.points)
                .join(Membership).where(Membership.selection_id == example.selection)).all()),
            sorted(session.execute(select(FinalWeight.category_id, FinalWeight.points)).all()),
            (selection.balance_business, selection.weights_frozen_at,
             selection.final_weights_rationale),
            session.scalar(select(func.count()).select_from(AuditEntry)),
        )


# -------------------------------------------------------------------------- who may do what

READERS = {"fenna": 200, "bram": 200, "ingrid": 200, "marloes": 200, "olga": 200}


@pytest.mark.parametrize("who, index, discussion, requirements, pairwise", [
    ("fenna", 200, 200, 200, 403),
    ("bram", 200, 200, 200, 200),
    ("ingrid", 200, 200, 200, 200),
    ("marloes", 200, 200, 200, 403),
    ("olga", 200, 200, 200, 403),
    ("otto", 404, 404, 404, 404),
])
def test_pages_answer_each_role(app, dbs, example, who, index, discussion, requirements,
                                pairwise):
    if who == "otto":
        from selector.services import accounts
        with dbs.transaction() as session:
            accounts.create_account(session, "otto@example.org", "Otto", PASSWORD)
    browser = signed_in(app, f"{who}@example.org")
    assert browser.get(example.url()).status_code == index
    assert browser.get(example.url("/discussion")).status_code == discussion
    assert browser.get(example.url("/requirements")).status_code == requirements
    assert browser.get(example.url("/pairwise/it")).status_code == pairwise
    if pairwise == 200:
        assert browser.get(example.url("/pairwise/finance")).status_code == 404


@pytest.mark.parametrize("who", ["marloes", "olga"])
def test_sponsor_and_observer_only_read(app, dbs, example, who):
    browser = signed_in(app, f"{who}@example.org")
    for path in ("", "/discussion", "/requirements"):
        page = text(browser.get(example.url(path)))
        actions = re.findall(r'<form[^>]*action="([^"]*)"', page)
        assert actions and not [a for a in actions if "/weighting" in a], path
        assert 'type="number"' not in page
    before = weighting_rows(dbs, example)
    for path, data in [("/allocation", {f"points-{example.categories['sales']}": "50"}),
                       ("/balance", {"business_share": "70"}),
                       ("/final", {"rationale": "x"}), ("/accept", {}), ("/freeze", {}),
                       ("/reopen", {"reason": "x"}),
                       (f"/requirements/{example.requirements['BUS-SAL-03']}",
                        {"r1-weight": "4"}),
                       ("/pairwise/it", {"domain_points": "50"})]:
        assert browser.post(example.url(path), data).status_code == 403, path
    assert weighting_rows(dbs, example) == before


def test_members_do_not_manage_and_the_facilitator_does_not_allocate(app, dbs, example):
    before = weighting_rows(dbs, example)
    bram = signed_in(app, BRAM)
    for path in ("/balance", "/final", "/accept", "/freeze"):
        assert bram.post(example.url(path), {}).status_code == 403
    fenna = signed_in(app, FENNA)
    assert fenna.post(example.url("/allocation"), {}).status_code == 403
    assert fenna.post(example.url("/pairwise/it"), {}).status_code == 403
    # An IT member may not weigh the requirements of a business category.
    ingrid = signed_in(app, INGRID)
    rid = example.requirements["BUS-SAL-03"]
    assert ingrid.post(example.url(f"/requirements/{rid}"),
                       {f"r{rid}-weight": "4", f"r{rid}-weight_reason": "x"}).status_code == 403
    assert weighting_rows(dbs, example) == before


# -------------------------------------------------------------------------- the engine's numbers


def formatted(app, function, value):
    with app.test_request_context():
        return function(value)


def test_the_discussion_shows_the_engines_numbers_and_highlights_divergence(
        app, dbs, example, example_doc):
    from selector.files.selection_file import validate
    from selector.files.to_domain import selection_from_file
    from selector.web.weighting import difference
    from selector.web.weighting import share

    engine = selection_from_file(validate({**example_doc, "scores": []}))
    divergence = method.divergence(engine)
    combined = method.combined_weights(engine)
    # The example's own numbers: marketing and service are the two discussion points.
    flagged = {d.category: d.difference for d in divergence if d.discussion_point}
    assert set(flagged) == {"marketing", "service"}
    assert flagged["marketing"] == pytest.approx(0.10119047619, abs=1e-9)
    assert flagged["service"] == pytest.approx(0.11071428571, abs=1e-9)
    assert all(abs(d.difference) < 0.10 for d in divergence if d.category not in flagged)

    page = text(signed_in(app, FENNA).get(example.url("/discussion")))
    rows = dict(re.findall(
        r'<tr class="([^"]*)" data-category="([^"]+)">', page)[i][::-1]
        for i in range(len(divergence)))
    assert {key for key, css in rows.items() if "row--discuss" in css} == set(flagged)
    for d in divergence:
        row = re.search(rf'data-category="{d.category}">(.*?)</tr>', page, re.S).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells == [formatted(app, share, d.business), formatted(app, share, d.it),
                         formatted(app, difference, d.difference),
                         formatted(app, share, combined[d.category])], d.category
    # The chart: accessible SVG, the discussion points named in its description.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in page
    assert '<title id="divergence-title">' in page
    desc = html.unescape(re.search(r'<desc id="divergence-desc">(.*?)</desc>', page).group(1))
    assert "Marketing & campaigns (+10.1)" in desc and "Customer service (+11.1)" in desc
    assert "10 points or more apart" in page
    assert "2 discussion points" in page
    # Each member's allocation, as stored.
    assert re.search(r"Bram Jansen.*?Sanne Bakker.*?Youssef El Amrani.*?Ingrid Visser", page,
                     re.S)


def test_the_allocation_page_shows_the_group_means_after_submission(app, example, example_doc):
    from selector.files.selection_file import validate
    from selector.files.to_domain import selection_from_file
    from selector.web.weighting import share

    engine = selection_from_file(validate({**example_doc, "scores": []}))
    means = method.group_means(engine)
    page = text(signed_in(app, BRAM).get(example.url()))
    assert "Your allocation" in page
    assert f'name="points-{example.categories["sales"]}"' in page
    assert 'value="20"' in page  # Bram's points on sales
    for key in ("sales", "security"):
        assert formatted(app, share, means["business"][key]) in page
        assert formatted(app, share, means["it"][key]) in page


def test_members_are_blind_until_they_saved_their_own(app, dbs, example):
    nina = signed_in(app, "nina@example.org")
    discussion = text(nina.get(example.url("/discussion")))
    assert "First your own allocation" in discussion and "divergence-title" not in discussion
    index = text(nina.get(example.url()))
    assert "after you saved your own allocation" in index
    assert "Combined" not in index
    response = nina.post(example.url("/allocation"),
                         {f"points-{example.categories['sales']}": "60",
                          f"points-{example.categories['security']}": "40"})
    assert response.status_code == 302
    assert "divergence-title" in text(nina.get(example.url("/discussion")))


# -------------------------------------------------------------------------- saving


def test_saving_an_allocation(app, dbs, example):
    bram = signed_in(app, BRAM)
    data = {f"points-{cid}": "10" for cid in example.categories.values()}
    data[f"points-{example.categories['sales']}"] = "12,5"
    response = bram.post(example.url("/allocation"), data)
    assert response.status_code == 302
    assert "Your allocation is saved." in text(bram.get(response.headers["Location"]))
    with dbs.transaction(write=False) as session:
        points = dict(session.execute(
            select(Category.key, Allocation.points).join(Allocation)
            .join(Membership).join(Account).where(Account.email == BRAM)).all())
    assert points["sales"] == 12.5 and points["security"] == 10


@pytest.mark.parametrize("value, message", [
    ("-5", "Points cannot be negative."),
    ("lots", "Enter a number (0 or more)."),
])
def test_bad_points_get_a_message_beside_the_field_and_save_nothing(app, dbs, example, value,
                                                                    message):
    before = weighting_rows(dbs, example)
    field = f"points-{example.categories['marketing']}"
    response = signed_in(app, BRAM).post(example.url("/allocation"), {
        f"points-{example.categories['sales']}": "40", field: value})
    assert response.status_code == 422
    page = text(response)
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
                     rf'name="{field}"', page)
    assert f'<p class="field__error" id="{field}-error">{message}</p>' in page
    assert f'value="{html.escape(value)}"' in page  # what was typed stays in the field
    assert weighting_rows(dbs, example) == before


def test_all_zeros_and_a_vanished_category_are_refused(app, dbs, example):
    before = weighting_rows(dbs, example)
    bram = signed_in(app, BRAM)
    zeros = {f"points-{cid}": "0" for cid in example.categories.values()}
    response = bram.post(example.url("/allocation"), zeros)
    assert response.status_code == 422
    assert "Give at least one category more than 0 points." in text(response)
    response = bram.post(example.url("/allocation"), {
        f"points-{example.categories['sales']}": "30", "points-987654": "20"})
    assert response.status_code == 422
    assert "no longer exists or no longer carries weight" in text(response)
    assert weighting_rows(dbs, example) == before


def test_the_facilitator_sets_balance_and_final_weights_and_freezes(app, dbs, example):
    fenna = signed_in(app, FENNA)
    page = text(fenna.get(example.url("/discussion")))
    assert "default 50/50" in page
    assert fenna.post(example.url("/balance"), {"business_share": "60"}).status_code == 302
    response = fenna.post(example.url("/balance"), {"business_share": "160"})
    assert response.status_code == 422 and "Enter at most 100." in text(response)
    final = {f"final-{cid}": "10" for cid in example.categories.values()}
    response = fenna.post(example.url("/final"), final)
    assert response.status_code == 422
    assert "Explain in writing why the final weights differ" in text(response)
    final["rationale"] = "Security weighs as much as the rest: agreed on 12 March."
    assert fenna.post(example.url("/final"), final).status_code == 302
    page = text(fenna.get(example.url("/discussion")))
    assert "Security weighs as much as the rest: agreed on 12 March." in page
    assert "Your final weights will be frozen." in page
    assert fenna.post(example.url("/freeze"), {}).status_code == 302
    page = text(fenna.get(example.url("/discussion")))
    assert "The weights are frozen since" in page
    assert "Open the weights again" in page
    with dbs.transaction(write=False) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "freeze")).one()
        assert '"source": "final"' in entry.new


def test_after_the_freeze_every_post_is_refused_and_changes_nothing(app, dbs, example):
    fenna = signed_in(app, FENNA)
    assert fenna.post(example.url("/freeze"), {}).status_code == 302
    before = weighting_rows(dbs, example)
    bram, ingrid = signed_in(app, BRAM), signed_in(app, INGRID)
    rid = example.requirements["BUS-SAL-03"]
    attempts = [
        (bram, "/allocation", {f"points-{example.categories['sales']}": "90"}),
        (bram, f"/requirements/{rid}", {f"r{rid}-weight": "4", f"r{rid}-weight_reason": "x"}),
        (ingrid, "/pairwise/it", {"domain_points": "50"}),
        (fenna, "/balance", {"business_share": "70"}),
        (fenna, "/final", {f"final-{example.categories['sales']}": "5", "rationale": "late"}),
        (fenna, "/accept", {}),
        (fenna, "/freeze", {}),
    ]
    for browser, path, data in attempts:
        response = browser.post(example.url(path), data)
        assert response.status_code == 422, path
        assert "frozen" in text(response), path
    assert weighting_rows(dbs, example) == before
    # The pages no longer offer the forms.
    assert 'type="number"' not in text(bram.get(example.url()))
    assert "Freeze the weights?" not in text(fenna.get(example.url("/discussion")))


def test_scoring_opens_only_after_the_freeze(app, dbs, example):
    fenna = signed_in(app, FENNA)
    response = fenna.post(f"/selections/{example.selection}/phase", {"direction": "forward"})
    assert response.status_code == 422
    assert "Freeze the weights before scoring opens" in text(response)
    fenna.post(example.url("/freeze"), {})
    response = fenna.post(f"/selections/{example.selection}/phase", {"direction": "forward"})
    assert response.status_code == 302
    with dbs.transaction(write=False) as session:
        assert session.get(Selection, example.selection).phase == "scoring"


# -------------------------------------------------------------------------- requirement weights


def test_requirement_weights_beside_the_moscow_defaults(app, dbs, example):
    from selector.web.weighting import share

    fenna = signed_in(app, FENNA)
    page = text(fenna.get(example.url("/requirements")))
    # Service: must 5, should 3, could with an explicit 2 -> defaults 5/9, 3/9, 1/9.
    row = re.search(r'BUS-SVC-03</span>.*?</tr>', page, re.S).group(0)
    assert formatted(app, share, 1 / 9) in row and formatted(app, share, 2 / 10) in row
    rid = example.requirements["BUS-SAL-03"]
    response = fenna.post(example.url(f"/requirements/{rid}"),
                          {f"r{rid}-weight": "4", f"r{rid}-weight_reason": "",
                           f"r{rid}-version": "1"})
    assert response.status_code == 422
    assert "Say why this requirement gets its own weight." in text(response)
    response = fenna.post(example.url(f"/requirements/{rid}"),
                          {f"r{rid}-weight": "4", f"r{rid}-weight_reason": "Leads matter.",
                           f"r{rid}-version": "1"})
    assert response.status_code == 302
    page = text(fenna.get(example.url("/requirements")))
    row = re.search(r'BUS-SAL-03</span>.*?</tr>', page, re.S).group(0)
    assert formatted(app, share, 4 / 14) in row and "Leads matter." in row
    # The business member may weigh a business category; a stale version is refused.
    bram = signed_in(app, BRAM)
    response = bram.post(example.url(f"/requirements/{rid}"),
                         {f"r{rid}-weight": "2", f"r{rid}-weight_reason": "Less.",
                          f"r{rid}-version": "1"})
    assert response.status_code == 422 and "changed this requirement" in text(response)


# -------------------------------------------------------------------------- pairwise


def pair_data(example, judgements, points="60"):
    data = {"domain_points": points}
    for (a, b), value in judgements.items():
        data[f"pair-{example.categories[a]}-{example.categories[b]}"] = value
    return data


IT = ["hosting", "standards", "browsers", "backup", "security"]


def test_pairwise_saves_weights_and_warns_about_inconsistency(app, dbs, example):
    from selector.domain.ahp import pairs

    ingrid = signed_in(app, INGRID)
    page = text(ingrid.get(example.url("/pairwise/it")))
    assert "Hosting &amp; hardware <span class=\"muted\">against</span> Standards" in page
    judgements = dict.fromkeys(pairs(IT), "1")
    del judgements[("browsers", "security")]
    response = ingrid.post(example.url("/pairwise/it"), pair_data(example, judgements))
    assert response.status_code == 422
    field = f"pair-{example.categories['browsers']}-{example.categories['security']}"
    assert f'id="{field}-error"' in text(response)
    assert "every pair needs a judgement" in text(response)

    judgements[("browsers", "security")] = "1"
    judgements[("hosting", "standards")] = "9"  # everything equal, except this
    response = ingrid.post(example.url("/pairwise/it"), pair_data(example, judgements))
    assert response.status_code == 302
    page = text(ingrid.get(response.headers["Location"]))
    assert "not consistent enough" in page
    assert "Consistency ratio:" in page
    assert "Look first at “Hosting &amp; hardware” against “Standards &amp; compliance”" in page
    with dbs.transaction(write=False) as session:
        points = dict(session.execute(
            select(Category.key, Allocation.points).join(Allocation)
            .join(Membership).join(Account).where(Account.email == INGRID)).all())
    assert sum(points[k] for k in IT) == pytest.approx(60)
    assert points["sales"] == 5


def test_reopening_weights_that_are_not_frozen_says_why(app, dbs, example):
    """Found by the fuzz test: the page holds no reopen form while the weights are open, so
    a refused reopen must say its refusal another way, and change nothing."""
    fenna = signed_in(app, FENNA)
    before = weighting_rows(dbs, example)
    response = fenna.post(example.url("/reopen"), data={"reason": "Again"})
    assert response.status_code == 422
    assert "not frozen" in html.unescape(text(response))
    assert weighting_rows(dbs, example) == before


def test_a_refused_weight_of_a_requirement_the_page_does_not_list_says_why(app, dbs, example):
    """Found by the fuzz test: a knock-out has no row on the requirement-weights page, so its
    refused weight must say its refusal another way, and change nothing."""
    fenna = signed_in(app, FENNA)
    knockout = example.requirements["IT-BRW-01"]
    before = weighting_rows(dbs, example)
    response = fenna.post(example.url(f"/requirements/{knockout}"),
                          data={f"r{knockout}-weight": "lots", f"r{knockout}-weight_reason": ""})
    assert response.status_code == 422
    assert "Explicit weight: Enter a number (0 or more)." in html.unescape(text(response))
    assert weighting_rows(dbs, example) == before
