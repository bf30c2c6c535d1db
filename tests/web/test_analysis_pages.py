"""The analysis pages on the worked example: every number a page shows is the engine's
ranking document, formatted as the page formats it; sponsors read but change nothing;
blind scoring holds until scoring closes."""

from __future__ import annotations

import re
from contextlib import contextmanager
from html import escape
from html import unescape

import pytest
from flask_babel import force_locale

from selector.domain import method
from selector.web import analysis as pages
from tests.analysis.support import BUSINESS
from tests.analysis.support import FACILITATOR
from tests.analysis.support import IT
from tests.analysis.support import LEVEL_NOW
from tests.analysis.support import NEAR_ONE_FLIP
from tests.analysis.support import SPONSOR
from tests.analysis.support import cells
from tests.analysis.support import engine_ranking
from tests.analysis.support import engine_selection
from tests.analysis.support import import_example
from tests.analysis.support import two_vendor_doc
from tests.analysis.support import value
from tests.analysis.support import values
from tests.web.conftest import Browser
from tests.web.conftest import signed_in


@contextmanager
def formatting(app, language: str):
    """Format numbers as the page does for a reader of `language`."""
    with app.test_request_context(), force_locale(language):
        yield


def page(browser: Browser, sid: int, path: str = "", status: int = 200) -> str:
    response = browser.get(f"/selections/{sid}/analysis{path}")
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_ranking_page_shows_the_engine_numbers(app, dbs, example_sid, language):
    doc = engine_ranking(dbs, example_sid)
    html = page(signed_in(app, SPONSOR, language), example_sid)
    rows = [c.vendor for c in cells(html) if c.field == "rank"]
    assert rows == [v["key"] for v in doc["vendors"]]  # rank order
    with formatting(app, language):
        for vendor in doc["vendors"]:
            key = vendor["key"]
            assert value(html, "rank", vendor=key) == str(vendor["rank"])
            assert value(html, "total", vendor=key) == pages.points(vendor["total"])
            assert value(html, "quality", vendor=key) == pages.points(vendor["quality"])
            assert value(html, "coverage", vendor=key) == pages.share(vendor["coverage"])
            assert value(html, "p_first", vendor=key) == pages.share(
                doc["sensitivity"]["p_first"][key]
            )
        assert not values(html, "price_score")  # p = 0: no price column
    # The figures a Dutch reader sees use a decimal comma.
    total = value(html, "total", vendor="northwind")
    assert total == ("70,9" if language == "nl" else "70.9")
    # Knock-out status per vendor.
    assert "IT-BRW-01" in value(html, "knockouts", vendor="polder")
    assert "IT-BRW-01" in value(html, "knockouts", vendor="tulip")
    # The contribution chart: accessible SVG with a title, in the selection's language.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert "<title id=\"contributions-title\">Contribution of each category to the total" in html
    assert "PolderSuite (excluded)" in html


def test_the_stacked_bars_add_up_to_the_totals(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    selection = engine_selection(dbs, example_sid)
    parts = method.contributions(selection, doc)
    html = page(signed_in(app, FACILITATOR), example_sid)
    with formatting(app, "en"):
        table = html[html.index('<table class="table chart-table">'):]
        table = table[: table.index("</table>")]
        for vendor in doc["vendors"]:
            for key in doc["category_weights"]:
                assert f"<td>{pages.points(parts[vendor['key']][key])}</td>" in table
            assert f"<td>{pages.points(vendor['total'])}</td>" in table


def test_the_price_score_shows_when_price_counts(app, dbs, example_sid):
    from selector.models import Selection

    with dbs.transaction() as session:
        session.get(Selection, example_sid).price_weight = 0.25
    doc = engine_ranking(dbs, example_sid)
    html = page(signed_in(app, BUSINESS), example_sid)
    with formatting(app, "en"):
        for vendor in doc["vendors"]:
            key = vendor["key"]
            assert value(html, "price_score", vendor=key) == pages.points(vendor["price_score"])
            assert value(html, "total", vendor=key) == pages.points(vendor["total"])


# --------------------------------------------------------------------------- heat map


def test_the_heat_map_shows_every_category_score(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    html = page(signed_in(app, IT), example_sid, "/heat-map")
    with formatting(app, "en"):
        for key, weight in doc["category_weights"].items():
            assert value(html, "weight", category=key) == pages.share(weight)
            for vendor in doc["vendors"]:
                assert value(
                    html, "category_score", category=key, vendor=vendor["key"]
                ) == pages.points(vendor["category_scores"][key])
            assert f'/selections/{example_sid}/analysis/heat-map/{key}"' in html
    # The SVG heat map carries the same numbers, rounded to whole points.
    assert 'role="img"' in html and "Category scores per vendor" in html


def test_the_drill_down_shows_requirements_members_and_consensus(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    selection = engine_selection(dbs, example_sid)
    aggregated = method.aggregated_scores(selection)
    html = page(signed_in(app, SPONSOR), example_sid, "/heat-map/standards")
    with formatting(app, "en"):
        for vendor in doc["vendors"]:
            assert value(html, "category_score", vendor=vendor["key"]) == pages.points(
                vendor["category_scores"]["standards"]
            )
            for code in ("IT-STD-01", "IT-STD-02"):
                assert value(
                    html, "aggregated", vendor=vendor["key"], requirement=code
                ) == pages.score(aggregated[(vendor["key"], code)])
    assert value(html, "aggregated", vendor="polder", requirement="IT-STD-01") == "4"
    assert "SSO works via OpenID Connect" in html  # the consensus rationale
    assert "Koen Smit" in html and "Ingrid Visser" in html
    assert "Scored 5: see demo notes for IT-STD-02." in html  # a member's argument


def test_an_unknown_category_is_not_found(app, example_sid):
    page(signed_in(app, FACILITATOR), example_sid, "/heat-map/nothing", status=404)


ODD_KEYS = ["2026", "0", "-1", "1.5", "1e5", "0x10", "NaN", "true", "null", "a.b", "a/b",
            "items", "__class__", "key with space", "<b>bold</b>", "ünïcödé"]


@pytest.mark.parametrize("key", ODD_KEYS)
def test_the_heat_map_takes_any_category_key(app, dbs, example_doc, key):
    """Issue 17, item 8: a category named "2026" made the heat map answer 500 (Jinja's
    `map(attribute=key)` read the key as a list index; "a.b" as a path)."""
    category = example_doc["categories"][0]
    old, category["key"], category["name"] = category["key"], key, f"Sales {key}"
    for entry in example_doc["requirements"] + example_doc["category_weights"]:
        if entry["category"] == old:
            entry["category"] = key
    sid = import_example(dbs, example_doc)
    browser = signed_in(app, IT)
    html = page(browser, sid, "/heat-map")
    doc = engine_ranking(dbs, sid)
    with formatting(app, "en"):
        assert value(html, "category_score", category=key, vendor="northwind") == pages.points(
            doc["vendors"][0]["category_scores"][key])
    best = max(v["category_scores"][key] for v in doc["vendors"] if not v["excluded"])
    assert doc["vendors"][0]["category_scores"][key] == best  # Northwind is best in it
    row = html.split(f'data-category="{escape(key)}"', 1)[1].split("</tr>", 1)[0]
    assert 'is-best" data-vendor="northwind"' in row
    # Its drill-down link works too.
    link = re.search(r'href="([^"]*/analysis/heat-map/[^"]*)">' + re.escape(escape(f"Sales {key}")),
                     html).group(1)
    assert browser.get(unescape(link)).status_code == 200


# --------------------------------------------------------------------------- knock-outs


def test_the_knockout_matrix_follows_the_document(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    html = page(signed_in(app, SPONSOR), example_sid, "/knock-outs")
    states = {
        (c.vendor, c.requirement): c.attrs["data-state"] for c in cells(html)
        if c.field == "knockout"
    }
    assert len(states) == 6
    for vendor in doc["vendors"]:
        for code in ("IT-HST-01", "IT-BRW-01"):
            want = (
                "failed" if code in vendor["knockouts_failed"]
                else "unverified" if code in vendor["knockouts_unverified"] else "passed"
            )
            assert states[(vendor["key"], code)] == want
    assert "Requires IE mode for the planning module." in value(
        html, "knockout", vendor="polder", requirement="IT-BRW-01"
    )
    # Columns in rank order once scoring is closed.
    header = [c.vendor for c in cells(html) if c.field == "knockout" and
              c.requirement == "IT-HST-01"]
    assert header == [v["key"] for v in doc["vendors"]]


# --------------------------------------------------------------------------- perspectives


def test_perspectives_side_by_side_with_the_disagreement_said_plainly(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    selection = engine_selection(dbs, example_sid)
    means = method.group_means(selection)
    html = page(signed_in(app, SPONSOR), example_sid, "/perspectives")
    found = cells(html)
    for group in ("business", "it"):
        order = [c.vendor for c in found if c.perspective == group and c.field == "rank"]
        assert order == doc["perspectives"][group]
        totals = {r["key"]: r["total"] for r in method.what_if_totals(doc, means[group], 0.0)}
        with formatting(app, "en"):
            labels = pages.distinct_points([totals[key] for key in order])
        shown = [value(html, "total", perspective=group, vendor=key) for key in order]
        assert shown == labels
    # By IT's own weights Tulip and Northwind lie 0.03 apart: two decimals show it.
    assert values(html, "total", perspective="it")[:2] == ["69.50", "69.46"]
    joint = [c.vendor for c in found if c.perspective == "joint" and c.field == "rank"]
    assert joint == [v["key"] for v in doc["vendors"]]
    assert "Business and IT management disagree on the winner." in html
    assert (
        "By the business members' own weights Northwind CRM comes first; by IT "
        "management's own weights Tulip Cloud CRM." in unescape(html)
    )


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_shows_p_first_and_flip_points_as_sentences(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    html = page(signed_in(app, SPONSOR), example_sid, "/sensitivity")
    with formatting(app, "en"):
        for key, chance in doc["sensitivity"]["p_first"].items():
            assert value(html, "p_first", vendor=key) == pages.share(chance)
        backup = doc["flip"]["backup"]
        threshold = pages.whole_percent(backup["threshold"])
        now = pages.whole_percent(doc["category_weights"]["backup"])
    assert (threshold, now) == ("23%", "10%")
    assert value(html, "flip", category="backup") == (
        "Northwind CRM stays first unless the weight of Back-up & recovery rises above "
        "23% (now 10%); then Tulip Cloud CRM comes first."
    )
    flips = [c.category for c in cells(html) if c.field == "flip"]
    assert sorted(flips) == sorted(k for k, f in doc["flip"].items() if f)
    names = {v["key"]: v["name"] for v in doc["vendors"]}
    with formatting(app, "en"):
        for key, flip in doc["flip"].items():
            if flip is None:
                continue
            then, now = pages.percent_pair(flip["threshold"], doc["category_weights"][key])
            direction = "rises above" if flip["threshold"] >= doc["category_weights"][key] \
                else "falls below"
            sentence = value(html, "flip", category=key)
            assert f"{direction} {then} (now {now}); then {names[flip['new_winner']]}" \
                in sentence
    assert value(html, "flip", category="hosting").endswith(
        "rises above 31% (now 9%); then Tulip Cloud CRM comes first."
    )
    # The sponsor gets no what-if panel.
    assert "whatif-data" not in html and "/what-if" not in html


def test_flip_points_in_dutch(app, example_sid):
    html = page(signed_in(app, SPONSOR, "nl"), example_sid, "/sensitivity")
    assert value(html, "flip", category="backup") == (
        "Northwind CRM blijft eerste, tenzij de weging van Back-up & recovery stijgt boven "
        "23% (nu 10%); dan komt Tulip Cloud CRM op de eerste plaats."
    )


@pytest.mark.parametrize("path", ["", "/sensitivity"])
def test_a_flip_point_at_100_percent_is_no_flip_point(app, dbs, example_doc, path):
    """Issue 21, item 11: the pages said "rises above 100%" for a flip point that
    rounding had put at 1 - 2e-16 (method.md 1.1, section 8: none within 1e-9 of 1)."""
    sid = import_example(dbs, two_vendor_doc(example_doc, *NEAR_ONE_FLIP))
    html = unescape(page(signed_in(app, SPONSOR), sid, path))
    assert "Alpha CRM" in html
    assert "rises above" not in html and "falls below" not in html
    assert not values(html, "flip")
    if path:
        assert ("For Sales & leads, Back-up & recovery no weight between 0% and 100% makes "
                "another vendor first.") in html


def test_a_vendor_level_with_the_winner_flips_as_its_slope_says(app, dbs, example_doc):
    """Level now, Beta comes first when x's weight falls below 50% (and y's rises above
    it); the page said "rises above" for both."""
    sid = import_example(dbs, two_vendor_doc(example_doc, *LEVEL_NOW))
    html = page(signed_in(app, SPONSOR), sid, "/sensitivity")
    assert value(html, "flip", category="x") == (
        "Alpha CRM stays first unless the weight of Sales & leads falls below 50.0% "
        "(now 50.0%); then Beta CRM comes first."
    )
    assert value(html, "flip", category="y").startswith(
        "Alpha CRM stays first unless the weight of Back-up & recovery rises above 50.0%")


def test_whole_percentages_that_read_the_same_get_a_decimal(app):
    with formatting(app, "en"):
        assert pages.percent_pair(0.104, 0.098) == ("10.4%", "9.8%")
        assert pages.percent_pair(0.23, 0.098) == ("23%", "10%")
        assert pages.distinct_points([70.88, 67.64]) == ["70.9", "67.6"]
        assert pages.distinct_points([69.541, 69.503, 70.8]) == ["69.54", "69.50", "70.80"]
        assert pages.distinct_points([50.0, 50.0]) == ["50.0", "50.0"]  # equal stays equal


# --------------------------------------------------------------------------- what-if


def test_the_facilitator_gets_the_what_if_with_the_engine_numbers(app, dbs, example_sid):
    import json
    import re

    doc = engine_ranking(dbs, example_sid)
    html = page(signed_in(app, FACILITATOR), example_sid, "/sensitivity")
    data = json.loads(re.search(
        r'<script type="application/json" id="whatif-data">(.*?)</script>', html, re.S
    ).group(1))
    assert [c["key"] for c in data["categories"]] == list(doc["category_weights"])
    assert [c["weight"] for c in data["categories"]] == list(doc["category_weights"].values())
    for got, vendor in zip(data["vendors"], doc["vendors"], strict=True):
        assert got["key"] == vendor["key"]
        assert got["category_scores"] == vendor["category_scores"]
        assert got["excluded"] == vendor["excluded"]


def test_the_what_if_without_javascript_and_as_json(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    weights = {key: 100 * w for key, w in doc["category_weights"].items()}
    weights["backup"] = 40.0
    query = "&".join(f"w-{k}={v}" for k, v in weights.items())
    browser = signed_in(app, FACILITATOR)
    want = method.what_if_totals(doc, weights, 0.0)
    assert want[0]["key"] == "tulip"  # back-up weighing 40 points makes Tulip first

    html = page(browser, example_sid, f"/what-if?{query}")
    order = [c.vendor for c in cells(html) if c.field == "rank" and c.vendor][-3:]
    assert order == [r["key"] for r in want]
    with formatting(app, "en"):
        for row in want:
            totals = values(html, "total", vendor=row["key"])
            assert totals[-1] == pages.points(row["total"])

    response = browser.get(
        f"/selections/{example_sid}/analysis/what-if?{query}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.is_json
    assert response.get_json()["vendors"] == want


def test_the_what_if_refuses_bad_input_and_changes_nothing(app, dbs, example_sid):
    from sqlalchemy import func
    from sqlalchemy import select

    from selector.models import AuditEntry

    before = engine_ranking(dbs, example_sid)
    with dbs.transaction(write=False) as session:
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
    browser = signed_in(app, FACILITATOR)
    response = browser.get(f"/selections/{example_sid}/analysis/what-if?w-sales=-3")
    assert response.status_code == 422
    assert "Enter a number of points of at least 0." in response.get_data(as_text=True)
    zeros = "&".join(f"w-{k}=0" for k in before["category_weights"])
    response = browser.get(
        f"/selections/{example_sid}/analysis/what-if?{zeros}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422 and "weights" in response.get_json()["fields"]
    response = browser.get(f"/selections/{example_sid}/analysis/what-if?price=150")
    assert response.status_code == 422
    browser.get(f"/selections/{example_sid}/analysis/what-if?w-backup=90")
    assert engine_ranking(dbs, example_sid) == before  # the stored weights are untouched
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


# --------------------------------------------------------------------------- panel health


def test_panel_health_is_the_engine_and_for_the_facilitator_only(app, dbs, example_sid):
    selection = engine_selection(dbs, example_sid)
    health = method.panel_health(selection, {})
    html = page(signed_in(app, FACILITATOR), example_sid, "/panel-health")
    with formatting(app, "en"):
        for member in health:
            assert value(html, "completion", member=member.member) == pages.share(
                member.completion
            )
            assert value(html, "identical_share", member=member.member) == pages.share(
                member.identical_share
            )
            assert value(html, "unargued_extreme_share", member=member.member) == pages.share(
                member.unargued_extreme_share
            )
    widest = [s for s in method.disagreement(selection) if s.range > 0][:10]
    shown = [(c.vendor, c.requirement, c.text) for c in cells(html) if c.field == "range"]
    assert shown == [(s.vendor, s.requirement, f"{s.min}–{s.max}") for s in widest]
    assert "Prompts for the conversation, not judgements" in html
    for email in (SPONSOR, BUSINESS, IT):
        page(signed_in(app, email), example_sid, "/panel-health", status=403)


# --------------------------------------------------------------------------- who may


READ_PAGES = ("", "/heat-map", "/heat-map/backup", "/knock-outs", "/perspectives",
              "/sensitivity")


@pytest.mark.parametrize("email", [SPONSOR, "olaf@example.org"])
def test_sponsors_and_observers_see_the_ranking_and_nothing_to_change(
    app, dbs, example_sid, email
):
    import re

    if email.startswith("olaf"):
        from selector.models import Selection
        from selector.services import accounts
        from selector.services import memberships
        from tests.web.conftest import PASSWORD

        with dbs.transaction() as session:
            selection = session.get(Selection, example_sid)
            facilitator = accounts.find_account(session, FACILITATOR)
            accounts.create_account(session, email, "Olaf", PASSWORD)
            memberships.add_member(session, selection, facilitator, email, "observer")
    browser = signed_in(app, email)
    for path in READ_PAGES:
        html = page(browser, example_sid, path)
        actions = re.findall(r'<form[^>]*action="([^"]*)"', html)
        # Only the language switch and logging out: no form that changes anything.
        assert set(actions) <= {"/language", "/logout"}, (path, actions)
        assert 'type="range"' not in html and "whatif" not in html
    assert "Northwind CRM" in page(browser, example_sid)
    page(browser, example_sid, "/what-if?w-sales=10", status=403)
    page(browser, example_sid, "/panel-health", status=403)
    assert "Panel health" not in page(browser, example_sid)  # not even the link


def test_non_members_get_not_found(app, dbs, example_sid):
    from selector.services import accounts
    from tests.web.conftest import PASSWORD

    with dbs.transaction() as session:
        accounts.create_account(session, "otto@example.org", "Otto", PASSWORD)
    browser = signed_in(app, "otto@example.org")
    for path in (*READ_PAGES, "/what-if", "/panel-health"):
        page(browser, example_sid, path, status=404)


# --------------------------------------------------------------------------- blind scoring


def _back_to_scoring(dbs, sid: int, sees_all: bool = False) -> None:
    from selector.models import Selection
    from selector.services import accounts
    from selector.services import selections

    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        actor = accounts.find_account(session, FACILITATOR)
        selections.change_phase(session, selection, actor, "back", "one more vendor to score")
        selection.facilitator_sees_all = sees_all


def test_before_scoring_closes_nobody_sees_numbers(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    _back_to_scoring(dbs, example_sid)
    with formatting(app, "en"):
        numbers = {pages.points(v["total"]) for v in doc["vendors"]}
        numbers |= {pages.share(p) for p in doc["sensitivity"]["p_first"].values()}
        numbers |= {pages.points(s) for v in doc["vendors"] for s in v["category_scores"].values()}
    for email in (FACILITATOR, BUSINESS, SPONSOR):
        browser = signed_in(app, email)
        for path in (*READ_PAGES, "/panel-health", "/what-if?w-sales=5"):
            response = browser.get(f"/selections/{example_sid}/analysis{path}")
            if response.status_code == 403:
                continue  # panel health and what-if are the facilitator's
            html = response.get_data(as_text=True)
            assert response.status_code == 200, (email, path)
            if path != "/knock-outs":
                assert "Available when scoring is closed" in html, (email, path)
            assert not values(html, "total") and not values(html, "p_first"), (email, path)
            assert not values(html, "category_score") and not values(html, "flip")
            for number in numbers:
                assert f">{number}<" not in html, (email, path, number)
            assert "stays first" not in html and "whatif-data" not in html
    # The knock-out matrix stays, in alphabetical order: it reveals no ranking.
    html = page(signed_in(app, SPONSOR), example_sid, "/knock-outs")
    order = [c.vendor for c in cells(html) if c.field == "knockout" and
             c.requirement == "IT-HST-01"]
    assert order == ["northwind", "polder", "tulip"]  # Northwind, PolderSuite, Tulip


def test_a_facilitator_who_sees_everything_sees_the_analysis_early(app, dbs, example_sid):
    doc = engine_ranking(dbs, example_sid)
    _back_to_scoring(dbs, example_sid, sees_all=True)
    html = page(signed_in(app, FACILITATOR), example_sid)
    with formatting(app, "en"):
        assert value(html, "total", vendor="northwind") == pages.points(doc["vendors"][0]["total"])
    assert "Available when scoring is closed" in page(signed_in(app, BUSINESS), example_sid)


# --------------------------------------------------------------------------- links


def test_a_new_verdict_with_a_document_shows_in_the_matrix_and_the_ranking(
    app, dbs, example_sid, tmp_path, monkeypatch
):
    from sqlalchemy import select

    from selector.models import Membership
    from selector.models import Requirement
    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import accounts
    from selector.services import verdicts

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    with dbs.transaction() as session:
        selection = session.get(Selection, example_sid)
        actor = accounts.find_account(session, FACILITATOR)
        membership = session.scalar(select(Membership).where(
            Membership.selection_id == example_sid, Membership.account_id == actor.id))
        tulip = session.scalar(select(Vendor).where(
            Vendor.selection_id == example_sid, Vendor.key == "tulip"))
        knockout = session.scalar(select(Requirement).where(
            Requirement.selection_id == example_sid, Requirement.code == "IT-BRW-01"))
        verdicts.record_verdict(
            session, selection, membership, actor, vendor_id=tulip.id,
            requirement_id=knockout.id, passed=True, evidence="Tested in Edge and Firefox.",
            version=None, upload=verdicts.Upload("browser-test.pdf", b"%PDF-1.4\n%test\n"),
        )
    doc = engine_ranking(dbs, example_sid)
    assert doc["vendors"][1]["knockouts_unverified"] == []
    browser = signed_in(app, FACILITATOR)
    html = page(browser, example_sid, "/knock-outs")
    cell = next(c for c in cells(html) if c.field == "knockout" and c.vendor == "tulip"
                and c.requirement == "IT-BRW-01")
    assert cell.attrs["data-state"] == "passed"
    assert "Tested in Edge and Firefox." in cell.text and "browser-test.pdf" in cell.text
    assert f'href="/selections/{example_sid}/verdicts/documents/' in html
    assert "All knock-outs passed" in value(page(browser, example_sid), "knockouts",
                                            vendor="tulip")


def test_the_drill_down_links_to_the_consensus_and_scoring_pages(app, dbs, example_sid):
    html = page(signed_in(app, FACILITATOR), example_sid, "/heat-map/backup")
    assert f'href="/selections/{example_sid}/scoring/consensus/requirements/' in html
    assert f'href="/selections/{example_sid}/scoring/consensus/vendors/' in html
    assert f'href="/selections/{example_sid}/scoring/vendors/' in html  # own sheet
    html = page(signed_in(app, SPONSOR), example_sid, "/heat-map/backup")
    assert "/scoring/vendors/" not in html  # a sponsor has no scoring sheet
    assert "/scoring/consensus/" in html  # but may read the consensus


def test_every_page_loads_once_and_ranks_once(app, example_sid, monkeypatch):
    from selector.services import ranking

    calls: list[str] = []
    real_load, real_rank = ranking.load_selection, ranking.method.rank

    def load(session, sid, **options):
        calls.append("load")
        return real_load(session, sid, **options)

    def rank(selection, **kwargs):
        calls.append("rank")
        return real_rank(selection, **kwargs)

    monkeypatch.setattr(ranking, "load_selection", load)
    monkeypatch.setattr(ranking.method, "rank", rank)
    browser = signed_in(app, FACILITATOR)
    for path in (*READ_PAGES, "/panel-health", "/what-if?w-sales=20"):
        calls.clear()
        page(browser, example_sid, path)
        assert calls == ["load", "rank"], (path, calls)


def test_an_empty_selection_in_the_decision_phase_still_renders(app, dbs, committee):
    """No requirements, no vendors, no weights: every page answers, none breaks."""
    from selector.models import Selection

    with dbs.transaction() as session:
        session.get(Selection, committee.selection_id).phase = "decision"
    browser = signed_in(app, committee.emails["facilitator"])
    for path in (*READ_PAGES[:2], *READ_PAGES[3:], "/panel-health", "/what-if"):
        html = page(browser, committee.selection_id, path)
        assert "Traceback" not in html
    assert "No vendor is left in the ranking" in page(browser, committee.selection_id)
    page(browser, committee.selection_id, "/heat-map/sales", status=404)


def test_refused_final_weights_are_explained_not_a_crash(app, dbs, example_sid):
    from selector.models import Category
    from selector.models import FinalWeight

    with dbs.transaction() as session:
        sales = session.query(Category).filter_by(selection_id=example_sid, key="sales").one()
        session.add(FinalWeight(selection_id=example_sid, category_id=sales.id, points=0.0))
    browser = signed_in(app, SPONSOR)
    for path in READ_PAGES:
        html = page(browser, example_sid, path)
        assert "The ranking cannot be computed" in html, path
    response = browser.get(f"/api/v1/selections/{example_sid}/ranking")
    assert response.status_code == 422 and response.is_json


def test_incomplete_coverage_is_flagged(app, dbs, example_sid):
    from sqlalchemy import select
    from sqlalchemy import update

    from selector.models import Account
    from selector.models import Membership
    from selector.models import Sheet
    from selector.models import Vendor

    with dbs.transaction() as session:
        tulip = session.scalar(select(Vendor.id).where(
            Vendor.selection_id == example_sid, Vendor.key == "tulip"))
        it_members = select(Membership.id).join(Account).where(
            Membership.selection_id == example_sid, Membership.role == "it")
        session.execute(update(Sheet).where(
            Sheet.vendor_id == tulip, Sheet.membership_id.in_(it_members)
        ).values(submitted_at=None))  # IT's sheets for Tulip no longer count
    doc = engine_ranking(dbs, example_sid)
    tulip_doc = next(v for v in doc["vendors"] if v["key"] == "tulip")
    assert tulip_doc["coverage"] < 0.9
    html = page(signed_in(app, SPONSOR), example_sid)
    with formatting(app, "en"):
        share = pages.share(tulip_doc["coverage"])
    assert value(html, "coverage", vendor="tulip") == share
    assert (f"Tulip Cloud CRM: only {share} of the weight has been scored; unscored wishes "
            "count as 0.") in html


# --------------------------------------------------------------------------- overview


def _overview(browser: Browser, sid: int) -> str:
    response = browser.get(f"/selections/{sid}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_the_overview_shows_the_ranking_and_who_a_knock_out_excludes(app, dbs, example_sid):
    html = _overview(signed_in(app, SPONSOR), example_sid)
    ranking = html[html.index('id="overview-ranking"'):html.index("</table>", html.index(
        'id="overview-ranking"'))]
    # The engine's order, Northwind first with 70.9; PolderSuite marked excluded.
    doc = engine_ranking(dbs, example_sid)
    names = [v["name"] for v in doc["vendors"]]
    assert [ranking.index(name) for name in names] == sorted(ranking.index(n) for n in names)
    assert "70.9" in ranking and "excluded by knock-out" in ranking
    exclusions = html[html.index('id="overview-exclusions"'):]
    assert "PolderSuite" in exclusions and "IT-BRW-01" in exclusions
    assert "Requires IE mode for the planning module." in exclusions


def test_before_scoring_closes_the_overview_shows_exclusions_but_no_ranking(app, dbs,
                                                                          example_sid):
    from selector.models import Selection

    with dbs.transaction() as session:
        session.get(Selection, example_sid).phase = "scoring"
    html = _overview(signed_in(app, BUSINESS), example_sid)
    assert 'id="overview-ranking"' not in html and "70.9" not in html
    assert "Requires IE mode for the planning module." in html
