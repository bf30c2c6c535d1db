"""How price counts (issue 18, items 1 and 2): the facilitator's price settings page and
its service, its live example, the rank-reversal warning, the refusals that change
nothing, the audit row, TCOs recomputed over new `tco_years`, and the rank reversal
said plainly on the ranking page and the overview."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from selector.models import AuditEntry
from selector.models import Membership
from selector.models import Selection
from selector.models import Vendor
from selector.services import weighting as weighting_service
from selector.services.errors import ServiceError
from tests.analysis.support import value
from tests.analysis.support import values
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in
from tests.web.summaries import problem_summary

FENNA, BRAM, MARLOES = "fenna@example.org", "bram@example.org", "marloes@example.org"
COSTS = {  # implementation, licence and hosting per year: TCO over 5 years
    "northwind": (40_000, 20_000, 8_400),
    "polder": (30_000, 18_000, 5_200),
    "tulip": (25_000, 15_000, 4_200),
}
VALID = {"price_method": "lowest_ratio", "price_weight": "30", "price_full": "",
         "price_zero": "", "log_factor": "", "quality_value": "", "quality_threshold": "0",
         "tco_years": "5"}


@pytest.fixture
def sid(dbs, example_doc) -> int:
    """The example selection in the weighting phase, every vendor with cost lines."""
    from selector.files.selection_file import validate
    from selector.services import accounts
    from selector.services import selection_file

    doc = {**example_doc, "scores": [], "consensus": [], "knockouts": [],
           "vendors": [{**v, "tco": None, "costs": {
               "implementation": COSTS[v["key"]][0], "licence_per_year": COSTS[v["key"]][1],
               "hosting_support_per_year": COSTS[v["key"]][2], "contract_years": 4}}
               for v in example_doc["vendors"]]}
    with dbs.transaction() as session:
        selection_id = selection_file.import_selection(session, validate(doc))
        for account in session.scalars(select(Account)):
            accounts.set_password(session, account, PASSWORD)
    return selection_id


def url(sid: int) -> str:
    return f"/selections/{sid}/weighting/price"


def stored(dbs, sid: int) -> tuple[dict, int]:
    """The settings as stored and the number of audit rows."""
    with dbs.transaction(write=False) as session:
        selection = session.get(Selection, sid)
        count = session.scalar(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.selection_id == sid))
        return weighting_service.current_price_settings(selection), count


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def warning_shown(page: str) -> bool:
    tag = re.search(r'<div[^>]*id="rank-reversal-warning"[^>]*>', page).group(0)
    return " hidden" not in tag


# --------------------------------------------------------------------------- the page


def test_the_facilitator_sees_every_method_in_plain_words_and_the_example(app, dbs, sid):
    response = signed_in(app, FENNA).get(url(sid))
    assert response.status_code == 200
    page = text(response)
    for label in ("Relative to the lowest bid", "Linear between the lowest and the highest bid",
                  "Linear on a fixed scale", "Logarithmic",
                  "Value for money (fictitious price)"):
        assert label in page
    assert "gunnen op waarde" in page
    assert re.search(r'src="/static/js/price\.[0-9a-f]{12}\.js"', page)
    assert "<script>" not in page  # CSP: no inline script
    # Price weight 0: the example's totals are the qualities, and A (quality 80) wins.
    assert values(page, "example_total") == ["80", "60"]
    assert values(page, "example_price_score") == ["80", "100"]
    assert value(page, "example_outcome") == "Bid A ranks first."
    assert not warning_shown(page)  # no price weight: nothing can reverse
    # Linked from the weighting pages.
    weighting = text(signed_in(app, FENNA).get(f"/selections/{sid}/weighting"))
    assert f'href="{url(sid)}"' in weighting


def test_saving_a_relative_method_with_a_weight_warns_and_is_audited(app, dbs, sid):
    before, audits = stored(dbs, sid)
    browser = signed_in(app, FENNA)
    response = browser.post(url(sid), VALID)
    assert response.status_code == 302
    after, audits_after = stored(dbs, sid)
    assert after["price_method"] == "lowest_ratio" and after["price_weight"] == 0.3
    assert audits_after == audits + 1
    with dbs.transaction(write=False) as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.selection_id == sid).order_by(AuditEntry.id.desc())).first()
        assert (entry.entity, entry.action, entry.actor) == ("price_settings", "update", FENNA)
        assert '"price_weight": 0.0' in entry.old and '"price_weight": 0.3' in entry.new
    page = text(browser.get(url(sid)))
    assert warning_shown(page)
    assert "A losing bid can decide the winner." in page
    assert ("Linear on a fixed scale and Value for money (fictitious price) score each bid "
            "on its own") in page
    # lowest/bid: A 80, B 100; totals 0.7 x 80 + 0.3 x 80 = 80 and 0.7 x 60 + 0.3 x 100 = 72
    assert values(page, "example_price_score") == ["80", "100"]
    assert values(page, "example_total") == ["80", "72"]


@pytest.mark.parametrize(("settings", "scores", "totals", "winner"), [
    # (150,000 - TCO) / 100,000: A 50, B 70; totals 0.7 x 80 + 0.3 x 50 = 71, 42 + 21 = 63
    ({"price_method": "linear_fixed", "price_full": "50000", "price_zero": "150000"},
     ["50", "70"], ["71", "63"], "A"),
    # the lowest is 100, the highest 0: totals 56 and 72
    ({"price_method": "linear_bids"}, ["0", "100"], ["56", "72"], "B"),
])
def test_the_example_follows_the_method(app, dbs, sid, settings, scores, totals, winner):
    browser = signed_in(app, FENNA)
    assert browser.post(url(sid), {**VALID, **settings}).status_code == 302
    page = text(browser.get(url(sid)))
    assert values(page, "example_price_score") == scores
    assert values(page, "example_total") == totals
    assert value(page, "example_outcome") == f"Bid {winner} ranks first."
    assert warning_shown(page) == (settings["price_method"] != "linear_fixed")


def test_value_for_money_shows_the_fictitious_prices(app, dbs, sid):
    browser = signed_in(app, FENNA)
    settings = {**VALID, "price_method": "value", "quality_value": "50000"}
    assert browser.post(url(sid), settings).status_code == 302
    page = text(browser.get(url(sid)))
    # F = TCO - V x Q / 100: A 100,000 - 40,000, B 80,000 - 30,000: B wins
    assert values(page, "example_fictitious") == ["€60,000", "€50,000"]
    assert value(page, "example_outcome") == "Bid B ranks first."
    assert not warning_shown(page)


def test_a_sponsor_reads_the_settings_without_a_form(app, dbs, sid):
    signed_in(app, FENNA).post(url(sid), VALID)
    response = signed_in(app, MARLOES).get(url(sid))
    assert response.status_code == 200
    page = text(response)
    assert value(page, "price_method") == "Relative to the lowest bid"
    assert value(page, "price_weight") == "30.0%"
    assert 'action="' + url(sid) not in page


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(("settings", "field", "message"), [
    ({"price_method": "log", "log_factor": "1"}, "log_factor",
     "The log factor must be a number above 1"),
    ({"price_method": "linear_fixed", "price_full": "90000", "price_zero": "60000"},
     "price_zero", "The price that earns no points must be an amount higher than the price "
     "that earns all points."),
    ({"price_method": "value", "quality_value": "-5"}, "quality_value",
     "The value of perfect quality must be an amount above 0 euros."),
    ({"quality_threshold": "101"}, "quality_threshold",
     "The quality threshold must be a number from 0 to 100."),
    ({"price_weight": "100"}, "price_weight",
     "The price weight must be a percentage from 0 up to, but not including, 100."),
    ({"price_method": "cheapest"}, "price_method", "Choose one of the price methods."),
    ({"tco_years": "0"}, "tco_years", "The TCO covers a whole number of years from 1 to 50."),
    ({"price_weight": "abc"}, "price_weight",
     "The price weight must be a percentage from 0 up to, but not including, 100."),
])
def test_an_impossible_setting_is_refused_beside_its_field_and_nothing_changes(
        app, dbs, sid, settings, field, message):
    before = stored(dbs, sid)
    response = signed_in(app, FENNA).post(url(sid), {**VALID, **settings})
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page[-3000:]
    assert stored(dbs, sid) == before


def test_value_is_refused_while_a_vendor_has_no_costs(app, dbs, sid):
    from selector.services import vendors

    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        fenna = session.scalar(select(Account).where(Account.email == FENNA))
        vendors.add_vendor(session, selection, fenna, vendors.VendorInput(name="Zonder Prijs"))
    before = stored(dbs, sid)
    response = signed_in(app, FENNA).post(
        url(sid), {**VALID, "price_method": "value", "quality_value": "50000"})
    assert response.status_code == 422
    assert ("The price method value needs every vendor's costs: Zonder Prijs has none yet."
            in text(response))
    assert stored(dbs, sid) == before


@pytest.mark.parametrize(("email", "status"), [
    (BRAM, 403), (MARLOES, 403), ("otto@example.org", 404)])
def test_only_the_facilitator_may_save(app, dbs, sid, email, status):
    from selector.services import accounts

    with dbs.transaction() as session:
        accounts.create_account(session, "otto@example.org", "Otto", PASSWORD)
    before = stored(dbs, sid)
    assert signed_in(app, email).post(url(sid), VALID).status_code == status
    assert stored(dbs, sid) == before


def test_the_service_refuses_anyone_but_the_facilitator(dbs, sid):
    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        bram = session.scalar(select(Account).where(Account.email == BRAM))
        membership = session.scalar(select(Membership).where(
            Membership.selection_id == sid, Membership.account_id == bram.id))
        with pytest.raises(ServiceError, match="Only the facilitator"):
            weighting_service.save_price_settings(
                session, selection, membership, bram, weighting_service.PriceInput(**VALID))


def test_frozen_weights_freeze_the_price_settings(app, dbs, sid):
    from selector.services import weighting

    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        fenna = session.scalar(select(Account).where(Account.email == FENNA))
        membership = session.scalar(select(Membership).where(
            Membership.selection_id == sid, Membership.account_id == fenna.id))
        weighting.freeze_weights(session, selection, membership, fenna)
    before = stored(dbs, sid)
    browser = signed_in(app, FENNA)
    response = browser.post(url(sid), VALID)
    assert response.status_code == 422
    assert "The price settings are frozen with the weights" in text(response)
    assert stored(dbs, sid) == before
    page = text(browser.get(url(sid)))
    assert "These settings are frozen with the weights." in page
    assert 'name="price_method"' not in page
    assert value(page, "price_method") == "Relative to the lowest bid"


def test_new_tco_years_recompute_every_tco_from_its_cost_lines(app, dbs, sid):
    def tcos() -> dict[str, float]:
        with dbs.transaction(write=False) as session:
            return dict(session.execute(select(Vendor.key, Vendor.tco)
                                        .where(Vendor.selection_id == sid)).all())

    assert tcos() == {k: i + 5 * (lic + host) for k, (i, lic, host) in COSTS.items()}
    response = signed_in(app, FENNA).post(url(sid), {**VALID, "tco_years": "3"})
    assert response.status_code == 302
    assert tcos() == {k: i + 3 * (lic + host) for k, (i, lic, host) in COSTS.items()}
    assert stored(dbs, sid)[0]["tco_years"] == 3


# --------------------------------------------------------------------------- rank reversal


def priced_doc(**settings) -> dict:
    """tests/domain/test_price_methods.py REVERSAL, as a selection file: A quality 80 at
    200, B 60 at 100, C 20 at 50; price weight 0.3 relative to the lowest bid."""
    return {
        "format": "selector/selection", "version": 1,
        "selection": {"name": "Prices", "price_weight": 0.3, **settings},
        "categories": [{"key": "c", "name": "Functions", "domain": "business"}],
        "requirements": [{"code": "R1", "category": "c", "title": "Function",
                          "priority": "must", "verification": "demo", "intent": "achieve"}],
        "members": [{"email": FENNA, "name": "Fenna", "role": "facilitator"},
                    {"email": MARLOES, "name": "Marloes", "role": "sponsor"}],
        "vendors": [{"key": k, "name": n, "tco": t}
                    for k, n, t in (("a", "Alpha", 200), ("b", "Beta", 100), ("c", "Gamma", 50))],
        "scores": [{"member": FENNA, "vendor": k, "requirement": "R1", "score": s}
                   for k, s in (("a", 4), ("b", 3), ("c", 1))],
    }


def import_priced(dbs, **settings) -> int:
    from selector.files.selection_file import validate
    from selector.services import accounts
    from selector.services import selection_file

    with dbs.transaction() as session:
        selection_id = selection_file.import_selection(session, validate(priced_doc(**settings)))
        for account in session.scalars(select(Account)):
            accounts.set_password(session, account, PASSWORD)
    return selection_id


REVERSAL = "Without Gamma, Beta would rank first."


def test_the_ranking_page_and_the_overview_say_which_losing_bid_decides(app, dbs):
    priced = import_priced(dbs)
    browser = signed_in(app, MARLOES)
    ranking = text(browser.get(f"/selections/{priced}/analysis"))
    assert value(ranking, "rank_reversal", vendor="c") == REVERSAL
    assert "“Relative to the lowest bid” is relative" in ranking
    assert "score each bid on its own and cannot do this" in ranking
    assert "Price method: Relative to the lowest bid." in ranking
    overview = text(browser.get(f"/selections/{priced}"))
    assert REVERSAL in overview


def test_no_reversal_is_said_under_a_fixed_scale(app, dbs):
    priced = import_priced(dbs, price_method="linear_fixed", price_full=40.0, price_zero=250.0)
    browser = signed_in(app, MARLOES)
    assert "would rank first" not in text(browser.get(f"/selections/{priced}/analysis"))
    assert "would rank first" not in text(browser.get(f"/selections/{priced}"))


def test_the_reversal_is_blind_until_scoring_closes(app, dbs):
    priced = import_priced(dbs)
    with dbs.transaction() as session:
        session.get(Selection, priced).phase = "scoring"  # scores open again
    browser = signed_in(app, MARLOES)
    assert "would rank first" not in text(browser.get(f"/selections/{priced}/analysis"))
    assert "would rank first" not in text(browser.get(f"/selections/{priced}"))


def test_a_vendor_below_the_threshold_is_shown_as_excluded(app, dbs):
    priced = import_priced(dbs, quality_threshold=50.0)
    ranking = text(signed_in(app, MARLOES).get(f"/selections/{priced}/analysis"))
    assert value(ranking, "below_threshold", vendor="c") == (
        "Gamma is excluded: its quality of 20.0 is below the quality threshold of 50.0.")
    assert "Gamma is excluded: it failed" not in ranking
    overview = text(signed_in(app, MARLOES).get(f"/selections/{priced}"))
    assert "below the quality threshold" in overview


def test_the_what_if_works_for_value(app, dbs):
    from selector.services import analysis

    priced = import_priced(dbs, price_method="value", quality_value=1_000.0)
    with dbs.transaction(write=False) as session:
        result = analysis.analyse(session, session.get(Selection, priced))
        rows = analysis.what_if(result, {"c": 1.0})
        model = analysis.what_if_model(result, with_prices=True)
    # V x Q / 100 - TCO: A 800 - 200, B 600 - 100, C 200 - 50
    assert {r["key"]: r["total"] for r in rows} == pytest.approx(
        {"a": 600.0, "b": 500.0, "c": 150.0})
    assert model["quality_value"] == 1_000.0
    assert {v["key"]: v["tco"] for v in model["vendors"]} == pytest.approx(
        {"a": 200.0, "b": 100.0, "c": 50.0})
    page = text(signed_in(app, FENNA).get(f"/selections/{priced}/analysis/sensitivity"))
    assert "whatif-data" in page


def test_a_refused_setting_is_counted_at_the_top_of_the_form(app, dbs, sid):
    """Issue 22, item 6: the summary names the count and links to the first field in error."""
    response = signed_in(app, FENNA).post(
        url(sid), {**VALID, "tco_years": "0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = problem_summary(page)  # the service refuses one value at a time
    assert "There is 1 problem." in summary
    assert 'href="#tco_years"' in summary
    assert page.index('id="error-summary"') < page.index('name="price_method"')
