"""The vendor pages: the list, adding and editing with the cost breakdown, withdrawing,
prices hidden from scorers until scoring closes, and the knock-out exclusion shown with
its reason."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Selection
from selector.models import Vendor
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import MARLOES
from tests.web.scoring_world import build_world
from tests.web.scoring_world import page_text
from tests.web.scoring_world import signed_in

NEW_VENDOR = {
    "name": "Zeeland CRM", "product": "ZCRM Pro", "website": "zeeland.example",
    "contact": "Els Zeeuw, els@zeeland.example", "notes": "Met at the fair.",
    "licence_per_year": "12.000", "implementation": "40.000,50",
    "hosting_support_per_year": "3000", "contract_years": "3", "tco": "",
}


def vendors_url(world):
    return f"/selections/{world.selection}/vendors"


def vendor_count(dbs):
    with dbs.transaction(write=False) as s:
        return s.scalar(select(func.count()).select_from(Vendor))


def test_the_facilitator_adds_a_vendor_with_a_cost_breakdown(app, dbs, world):
    fenna = signed_in(app, FENNA)
    fenna.post("/language", {"language": "nl"})  # Dutch amounts: 12.000 and 40.000,50
    fenna.refresh_token("/")
    response = fenna.post(vendors_url(world), NEW_VENDOR)
    assert response.status_code == 302, page_text(response)[:3000]
    with dbs.transaction(write=False) as s:
        vendor = s.scalar(select(Vendor).where(Vendor.key == "zeeland-crm"))
        assert (vendor.licence_per_year, vendor.implementation, vendor.tco) == (
            12_000, 40_000.5, 40_000.5 + 5 * 15_000)
        assert vendor.website == "https://zeeland.example"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "vendor")).first()
        assert entry.action == "create" and entry.actor == FENNA
    page = fenna.get(vendors_url(world))
    assert "Zeeland CRM" in page_text(page)
    assert "115.000" not in page_text(page)  # quality before price, for her too ...
    fenna.post(f"/selections/{world.selection}/scoring/settings",
               {"facilitator_sees_all": "y"})
    page = fenna.get(vendors_url(world))  # ... until she turns on "see everything"
    assert "115.000,50" in page_text(page)  # the TCO, formatted for a Dutch reader


def test_bad_costs_are_refused_beside_the_field(app, dbs, world):
    fenna = signed_in(app, FENNA)
    before = vendor_count(dbs)
    partial = fenna.post(vendors_url(world), {**NEW_VENDOR, "implementation": ""})
    assert partial.status_code == 422
    assert "Fill in all four cost fields, or none" in page_text(partial)
    assert 'aria-invalid="true"' in partial.get_data(as_text=True)
    words = fenna.post(vendors_url(world), {**NEW_VENDOR, "licence_per_year": "a lot"})
    assert words.status_code == 422
    assert "Enter an amount in euros" in page_text(words)
    script = fenna.post(vendors_url(world), {**NEW_VENDOR, "website": "javascript:alert(1)"})
    assert script.status_code == 422 and "https://" in page_text(script)
    assert vendor_count(dbs) == before


def test_prices_are_hidden_from_scorers_until_scoring_closes(app, dbs, world):
    bram, fenna = signed_in(app, BRAM), signed_in(app, FENNA)
    tulip = world.vendors["tulip"]
    for path in (vendors_url(world), f"{vendors_url(world)}/{tulip}"):
        for browser in (bram, fenna):  # the facilitator scores too
            page = browser.get(path).get_data(as_text=True)
            assert "121,000" not in page and "121000" not in page
            assert "Quality before price" in page
    with dbs.transaction() as s:
        s.get(Selection, world.selection).facilitator_sees_all = True
    for path in (vendors_url(world), f"{vendors_url(world)}/{tulip}"):
        assert "121,000" in fenna.get(path).get_data(as_text=True)
        assert "121,000" not in bram.get(path).get_data(as_text=True)
    with dbs.transaction() as s:
        s.get(Selection, world.selection).facilitator_sees_all = False
    # The facilitator edits a vendor without seeing its costs: they stay as they are.
    assert fenna.post(f"{vendors_url(world)}/{tulip}",
                      {"name": "Tulip Cloud CRM", "product": "Tulip 9"}).status_code == 302
    with dbs.transaction(write=False) as s:
        assert s.get(Vendor, tulip).tco == 121_000
    # The scoring sheet shows no price either.
    bram.post(f"/selections/{world.selection}/scoring/vendors/{tulip}/conflict",
              {"conflict": "none"})
    sheet = bram.get(f"/selections/{world.selection}/scoring/vendors/{tulip}")
    assert sheet.status_code == 200
    assert "121,000" not in sheet.get_data(as_text=True)
    assert "121000" not in sheet.get_data(as_text=True)
    # No setting opens them early (the prijskluis): the scoring page offers none ...
    page = fenna.get(f"/selections/{world.selection}/scoring").get_data(as_text=True)
    assert "Scorers see no costs until scoring closes" in page
    assert "prices_visible_to_scorers" not in page
    # ... and after scoring closes everyone sees them, sponsors too.
    assert fenna.post(f"/selections/{world.selection}/phase",
                      {"direction": "forward"}).status_code == 302
    assert "121,000" in bram.get(vendors_url(world)).get_data(as_text=True)
    assert "121,000" in signed_in(app, MARLOES).get(vendors_url(world)).get_data(as_text=True)


def test_a_withdrawn_vendor_is_shown_as_withdrawn(app, dbs, world):
    fenna = signed_in(app, FENNA)
    polder = world.vendors["polder"]
    no_reason = fenna.post(f"{vendors_url(world)}/{polder}/withdraw",
                           {"withdrawn": "1", "reason": ""})
    assert no_reason.status_code == 422
    assert "Give the reason" in page_text(no_reason)
    done = fenna.post(f"{vendors_url(world)}/{polder}/withdraw",
                      {"withdrawn": "1", "reason": "Withdrew from the tender."})
    assert done.status_code == 302
    page = signed_in(app, BRAM).get(vendors_url(world)).get_data(as_text=True)
    row = page.split('data-vendor="polder"')[1].split("</tr>")[0]
    assert "withdrawn" in row
    with dbs.transaction(write=False) as s:
        assert s.get(Vendor, polder).withdrawn is True


def test_a_failed_knockout_shows_on_the_vendor_list_with_its_reason(app, dbs, world):
    ingrid = signed_in(app, INGRID)
    key = f"v{world.requirements['IT-BRW-01']}-{world.vendors['polder']}"
    response = ingrid.post(
        f"/selections/{world.selection}/verdicts/requirements/{world.requirements['IT-BRW-01']}"
        f"/vendors/{world.vendors['polder']}",
        {f"{key}-passed": "failed", f"{key}-evidence": "Requires IE mode for planning."})
    assert response.status_code == 302, page_text(response)[:2000]
    page = signed_in(app, BRAM).get(vendors_url(world)).get_data(as_text=True)
    row = page.split('data-vendor="polder"')[1].split("</tr>")[0]
    assert "excluded" in row and "IT-BRW-01" in row and "Requires IE mode for planning." in row


def test_members_cannot_manage_vendors_and_other_selections_are_404(app, dbs, world):
    other = build_world(dbs)
    bram, fenna = signed_in(app, BRAM), signed_in(app, FENNA)
    assert bram.post(vendors_url(world), NEW_VENDOR).status_code == 403
    assert bram.post(f"{vendors_url(world)}/{world.vendors['tulip']}",
                     NEW_VENDOR).status_code == 403
    assert fenna.get(f"{vendors_url(world)}/{other.vendors['tulip']}").status_code == 404
    assert fenna.post(f"{vendors_url(world)}/{other.vendors['tulip']}",
                      NEW_VENDOR).status_code == 404


def test_user_text_is_escaped(app, dbs, world):
    fenna = signed_in(app, FENNA)
    fenna.post(vendors_url(world), {**NEW_VENDOR, "name": "<script>alert(1)</script>",
                                    "notes": "<b>bold</b>"})
    page = fenna.get(vendors_url(world)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_stored_link_that_is_no_web_address_is_shown_as_text(app, dbs, world):
    """A `javascript:` link imported before the limits of issue 17 is never a link."""
    with dbs.transaction() as s:
        vendor = s.scalar(select(Vendor).where(Vendor.selection_id == world.selection)
                          .order_by(Vendor.id))
        vendor.website = "javascript:alert(document.cookie)"
        vendor_id = vendor.id
    fenna = signed_in(app, FENNA)
    for path in (vendors_url(world), f"{vendors_url(world)}/{vendor_id}"):
        page = fenna.get(path)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "javascript:alert(document.cookie)" in text  # shown, as text
        assert 'href="javascript:' not in text
