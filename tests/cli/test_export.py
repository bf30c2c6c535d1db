"""`selector export` writes only files that `selector import` takes (issue 21, item 7)."""

from __future__ import annotations

import json

from sqlalchemy import select

from selector.db import Database
from selector.models import Account
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.services import memberships
from selector.services import requirements
from selector.services import vendors
from selector.services import weighting
from tests.cli.test_cli import selector
from tests.conftest import EXAMPLE

REASON = "Agreed in the steering group."


def _import(database_url, path=EXAMPLE) -> int:
    result = selector("import", str(path), env_url=database_url)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def _membership(session, selection_id: int, email: str) -> Membership:
    return session.scalar(select(Membership).join(Account).where(
        Membership.selection_id == selection_id, Account.email == email))


def _requirement(session, selection_id: int, code: str) -> Requirement:
    return session.scalar(select(Requirement).where(
        Requirement.selection_id == selection_id, Requirement.code == code))


def _edit_requirement(session, requirement, account, **changes) -> None:
    values = requirements.RequirementFields.of(requirement)
    for name, value in changes.items():
        setattr(values, name, value)
    requirements.update_requirement(session, requirement, account, "facilitator", values,
                                    expected_version=None, reason=REASON)


def test_export_after_ordinary_edits_gives_a_file_that_imports(database_url, tmp_path):
    selection_id = _import(database_url)
    db = Database(database_url)
    with db.transaction() as session:
        selection = session.get(Selection, selection_id)
        fenna = _membership(session, selection_id, "fenna@example.org").account
        # A member raises a requirement and is removed from the selection later.
        bram = _membership(session, selection_id, "bram@example.org")
        requirements.create_requirement(
            session, selection, fenna, "facilitator",
            requirements.RequirementFields(
                category_id=_requirement(session, selection_id, "BUS-SAL-01").category_id,
                title="Quotes go out as PDF"),
            reason=REASON, raised_by_id=bram.account_id)
        memberships.remove_member(session, selection, fenna, bram.id)
        # A member who allocated points becomes an observer.
        sanne = _membership(session, selection_id, "sanne@example.org")
        memberships.change_role(session, selection, fenna, sanne.id, "observer")
        # A knock-out with verdicts becomes a wish.
        _edit_requirement(session, _requirement(session, selection_id, "IT-BRW-01"), fenna,
                          knockout=False)
        # A vendor whose costs are all 0 (no TCO).
        northwind = session.scalar(select(Vendor).where(
            Vendor.selection_id == selection_id, Vendor.key == "northwind"))
        vendors.update_vendor(session, selection, fenna, northwind.id, vendors.VendorInput(
            name=northwind.name, licence_per_year=0, implementation=0,
            hosting_support_per_year=0, contract_years=3))
    db.dispose()

    out = tmp_path / "edited.json"
    exported = selector("export", str(selection_id), "-o", str(out), env_url=database_url)
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    raised = next(r for r in doc["requirements"] if r["title"] == "Quotes go out as PDF")
    assert "raised_by" not in raised  # Bram is no longer a member
    assert not any(a["member"] == "sanne@example.org" for a in doc["category_weights"])
    assert not any(k["requirement"] == "IT-BRW-01" for k in doc["knockouts"])
    assert len(doc["knockouts"]) == 3  # IT-HST-01's three verdicts stay
    northwind = next(v for v in doc["vendors"] if v["key"] == "northwind")
    assert northwind["tco"] is None and "costs" not in northwind

    imported = selector("import", str(out), env_url=database_url)
    assert imported.returncode == 0, imported.stderr


def test_export_refuses_to_write_a_file_that_import_refuses(database_url, tmp_path,
                                                            example_doc):
    """Final weights on a category that became inactive: no ranking and no file, exit 1."""
    path = tmp_path / "weighting.json"
    path.write_text(json.dumps({**example_doc, "scores": [], "consensus": [], "knockouts": []}),
                    encoding="utf-8")
    selection_id = _import(database_url, path)
    db = Database(database_url)
    with db.transaction() as session:
        selection = session.get(Selection, selection_id)
        fenna = _membership(session, selection_id, "fenna@example.org")
        state = weighting.weighting_state(session, selection)
        points = {c.key: 10 if c.key == "hosting" else 0 for c in state.categories}
        weighting.set_final_weights(session, selection, fenna, fenna.account, points,
                                    "Hosting decides.")
        requirements.decide(session, _requirement(session, selection_id, "IT-HST-02"),
                            fenna.account, "facilitator", "rejected", REASON)  # hosting's wish
    db.dispose()

    out = tmp_path / "out.json"
    result = selector("export", str(selection_id), "-o", str(out), env_url=database_url)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"selector: selection {selection_id} cannot be exported: category_weights_final: the "
        "points on the active categories add up to 0; give an active category points, or "
        "leave the final weights out")
    assert not out.exists()
