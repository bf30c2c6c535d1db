"""The pairwise page (issue 21, item 10): the real limit said before any pair is offered,
every missing or off-scale judgement marked at once, and the random-index table named."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select

from selector.domain.ahp import pairs
from selector.models import Category
from selector.models import PairwiseJudgement
from selector.models import Selection
from tests.web.test_weighting_pages import FENNA
from tests.web.test_weighting_pages import INGRID
from tests.web.test_weighting_pages import IT
from tests.web.test_weighting_pages import example  # noqa: F401  (the fixture)
from tests.web.test_weighting_pages import pair_data
from tests.web.test_weighting_pages import signed_in
from tests.web.test_weighting_pages import text


def _judgements_saved(dbs) -> int:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(PairwiseJudgement))


def _field(selection, a: str, b: str) -> str:
    return f"pair-{selection.categories[a]}-{selection.categories[b]}"


def test_every_missing_or_off_scale_pair_is_marked_at_once(app, dbs, example):  # noqa: F811
    ingrid = signed_in(app, INGRID)
    judgements = dict.fromkeys(pairs(IT), "1")
    for pair in (("hosting", "standards"), ("browsers", "backup"), ("backup", "security")):
        judgements[pair] = ""
    judgements[("standards", "security")] = "9.04"  # not 9
    response = ingrid.post(example.url("/pairwise/it"), pair_data(example, judgements))
    page = text(response)
    assert response.status_code == 422
    assert "4 pairs below need a judgement on Saaty's scale." in page
    marked = set(re.findall(r'id="(pair-\d+-\d+)-error"', page))
    assert marked == {_field(example, "hosting", "standards"),
                      _field(example, "browsers", "backup"),
                      _field(example, "backup", "security"),
                      _field(example, "standards", "security")}
    assert page.count("every pair needs a judgement") == 3
    assert ("Choose a value from 1/9 to 9 for “Standards &amp; compliance” against "
            "“Security &amp; access”.") in page
    assert _judgements_saved(dbs) == 0


def _eleven_it_categories(dbs, selection_id: int) -> list[str]:
    """Six more IT categories, each with an accepted wish: 11 active IT categories."""
    from selector.services import accounts
    from selector.services import requirements

    with dbs.transaction() as session:
        selection = session.get(Selection, selection_id)
        fenna = accounts.find_account(session, FENNA)
        for number in range(1, 7):
            category = requirements.add_category(session, selection, fenna,
                                                 name=f"Integration {number}", domain="it")
            requirements.create_requirement(
                session, selection, fenna, "facilitator",
                requirements.RequirementFields(category_id=category.id,
                                               title=f"Interface {number} is documented"),
                status="accepted", status_reason="Agreed.")
        keys = [c.key for c in requirements.categories_of(session, selection.id)
                if c.domain == "it"]
    assert len(keys) == 11
    return keys


def test_more_than_ten_categories_get_the_limit_instead_of_the_pairs(app, dbs, example):  # noqa: F811
    keys = _eleven_it_categories(dbs, example.selection)
    ingrid = signed_in(app, INGRID)
    page = text(ingrid.get(example.url("/pairwise/it")))
    assert ("Pairwise comparison takes at most 10 categories, because Saaty&#39;s random "
            "index that the consistency check needs is published up to 10. This domain has "
            "11 active categories: allocate points to them instead.") in page
    assert 'name="pair-' not in page and "Save the comparison" not in page

    with dbs.transaction(write=False) as session:
        ids = dict(session.execute(select(Category.key, Category.id).where(
            Category.selection_id == example.selection)).all())
    data = {"domain_points": "50"}
    data.update({f"pair-{ids[a]}-{ids[b]}": "1" for a, b in pairs(keys)})
    assert len(data) == 1 + 55  # the domain's points and 55 pairs
    response = ingrid.post(example.url("/pairwise/it"), data)
    assert response.status_code == 422
    assert "Pairwise comparison takes at most 10 categories" in text(response)
    assert "1/9 to 9" not in text(response)
    assert _judgements_saved(dbs) == 0


def test_the_consistency_ratio_names_saatys_random_index_table(app, dbs, example):  # noqa: F811
    ingrid = signed_in(app, INGRID)
    judgements = dict.fromkeys(pairs(IT), "1")
    judgements[("hosting", "standards")] = "0.33"  # 1/3, rounded to two decimals
    response = ingrid.post(example.url("/pairwise/it"), pair_data(example, judgements))
    assert response.status_code == 302
    page = text(ingrid.get(response.headers["Location"]))
    assert re.search(r"consistency index 0\.\d{3} divided by the random index 1\.12 for 5 "
                     r"categories, from the random-index table of Saaty \(1980\)", page)
    start = page.index('id="random-index"')
    table = page[start:page.index("</details>", start)]
    assert "The random-index table of Saaty (1980)" in table
    rows = re.findall(r'<tr( aria-current="true")?><th scope="row">(\d+)</th>'
                      r'<td class="num">([\d.]+)</td>', table)
    assert [(n, ri) for _, n, ri in rows] == [
        ("3", "0.58"), ("4", "0.90"), ("5", "1.12"), ("6", "1.24"), ("7", "1.32"),
        ("8", "1.41"), ("9", "1.45"), ("10", "1.49")]
    assert [n for current, n, _ in rows if current] == ["5"]
