"""Vendors: details, the cost breakdown and its TCO over the selection's tco_years,
withdrawal (kept, out of the ranking), who sees prices, and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.domain import method
from selector.models import AuditEntry
from selector.models import Selection
from selector.models import Vendor
from selector.services import vendors
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from tests.scoring.conftest import build_scoring_selection
from tests.scoring.helpers import actor
from tests.scoring.helpers import audit_entries

FENNA = "fenna@example.org"


def add(db, ids, **given):
    given.setdefault("name", "Zeeland CRM")
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        vendor = vendors.add_vendor(s, selection, facilitator, vendors.VendorInput(**given))
        return vendor.id


def get(db, vendor_id):
    with db.transaction(write=False) as s:
        return s.get(Vendor, vendor_id)


def test_tco_is_computed_over_the_selections_tco_years(db, ids):
    vendor_id = add(db, ids, name="Zeeland CRM", product="ZCRM Pro",
                    website="zeeland.example", contact="sales@zeeland.example",
                    licence_per_year=12_000, implementation=40_000,
                    hosting_support_per_year=3_000, contract_years=3)
    vendor = get(db, vendor_id)
    assert vendor.tco == 40_000 + 5 * (12_000 + 3_000)  # tco_years 5, not the 3 contract years
    assert vendor.key == "zeeland-crm"
    assert vendor.website == "https://zeeland.example"
    with db.transaction(write=False) as s:
        entry = audit_entries(s, "vendor")[-1]
        domain = load_selection(s, ids.selection)
    assert entry["action"] == "create" and entry["new"]["tco"] == 115_000
    assert {v.key: v.tco for v in domain.vendors}["zeeland-crm"] == 115_000


def test_refresh_tcos_after_the_period_changes(db, ids):
    vendor_id = add(db, ids, licence_per_year=10, implementation=100,
                    hosting_support_per_year=0, contract_years=1)
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        selection.tco_years = 3
        assert vendors.refresh_tcos(s, selection, facilitator) == 1
    assert get(db, vendor_id).tco == 130


def test_a_tco_without_breakdown_and_none_at_all(db, ids):
    assert get(db, add(db, ids, name="Direct", tco=99_000)).tco == 99_000
    assert get(db, add(db, ids, name="Unknown")).tco is None


@pytest.mark.parametrize("given,field", [
    ({"name": "  "}, "name"),
    ({"licence_per_year": 100.0}, "implementation"),  # three of four missing
    ({"licence_per_year": -1.0, "implementation": 0.0, "hosting_support_per_year": 0.0,
      "contract_years": 1.0}, "licence_per_year"),
    ({"tco": 0.0}, "tco"),
    ({"tco": float("nan")}, "tco"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"website": "https://exa mple.org"}, "website"),
    ({"notes": "x" * 10_001}, "notes"),
])
def test_bad_vendor_input_names_the_field_and_changes_nothing(db, ids, given, field):
    with db.transaction(write=False) as s:
        before = (s.scalar(select(func.count()).select_from(Vendor)),
                  s.scalar(select(func.count()).select_from(AuditEntry)))
    with pytest.raises(ServiceError) as caught:
        add(db, ids, **{"name": "Zeeland CRM", **given})
    assert caught.value.field == field
    with db.transaction(write=False) as s:
        assert (s.scalar(select(func.count()).select_from(Vendor)),
                s.scalar(select(func.count()).select_from(AuditEntry))) == before


def test_keys_stay_unique(db, ids):
    first, second = add(db, ids, name="Acme"), add(db, ids, name="ACME")
    assert (get(db, first).key, get(db, second).key) == ("acme", "acme-2")


def test_update_is_audited_with_old_and_new(db, ids):
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        vendors.update_vendor(s, selection, facilitator, ids.vendors["tulip"],
                              vendors.VendorInput(name="Tulip Cloud CRM", product="Tulip 9",
                                                  tco=125_000))
    with db.transaction(write=False) as s:
        entry = audit_entries(s, "vendor")[-1]
    assert entry["action"] == "update"
    assert (entry["old"]["tco"], entry["new"]["tco"]) == (121_000, 125_000)
    assert (entry["old"]["product"], entry["new"]["product"]) == ("", "Tulip 9")


def test_a_withdrawn_vendor_stays_on_record_but_leaves_the_ranking(db, ids):
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        with pytest.raises(ServiceError) as caught:
            vendors.set_withdrawn(s, selection, facilitator, ids.vendors["polder"], True, "")
        assert caught.value.field == "reason"
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        vendors.set_withdrawn(s, selection, facilitator, ids.vendors["polder"], True,
                              "PolderSuite withdrew from the tender.")
    with db.transaction(write=False) as s:
        ranking = method.rank(load_selection(s, ids.selection))
        listed = vendors.vendors_of(s, s.get(Selection, ids.selection))
        entry = audit_entries(s, "vendor")[-1]
    assert "polder" not in [v["key"] for v in ranking["vendors"]]
    assert [v.key for v in listed][-1] == "polder" and listed[-1].withdrawn
    assert (entry["action"], entry["reason"]) == ("withdraw",
                                                  "PolderSuite withdrew from the tender.")


def test_a_vendor_of_another_selection_is_not_found(db, ids, example_doc):
    other = build_scoring_selection(db, example_doc)
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        with pytest.raises(NotFound):
            vendors.get_vendor(s, selection, other.vendors["tulip"])


def test_an_update_without_shown_costs_keeps_them(db, ids):
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        vendors.update_vendor(s, selection, facilitator, ids.vendors["tulip"],
                              vendors.VendorInput(name="Tulip CRM", product="Tulip 9"),
                              keep_costs=True)
    vendor = get(db, ids.vendors["tulip"])
    assert (vendor.name, vendor.tco) == ("Tulip CRM", 121_000)
