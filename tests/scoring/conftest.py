"""A selection in the scoring phase, built through the services: the example selection
imported without its scores, consensus and verdicts, then moved on to scoring."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from selector.models import Account
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.services import selection_file
from selector.services import selections
from selector.services import weighting


@dataclass
class Ids:
    selection: int
    members: dict[str, int]  # e-mail -> membership id
    accounts: dict[str, int]  # e-mail -> account id
    vendors: dict[str, int]  # key -> vendor id
    requirements: dict[str, int]  # code -> requirement id


def build_scoring_selection(db, example_doc, phase: str = "scoring") -> Ids:
    doc = {**example_doc, "scores": [], "consensus": [], "knockouts": []}
    with db.transaction() as session:
        sid = selection_file.import_selection(session, doc)
        selection = session.get(Selection, sid)
        facilitator = session.scalar(select(Account).where(Account.email == "fenna@example.org"))
        assert selection.phase == "weighting"
        if phase in ("scoring", "decision"):
            membership = session.scalar(select(Membership).where(
                Membership.selection_id == sid, Membership.account_id == facilitator.id))
            weighting.freeze_weights(session, selection, membership, facilitator)
            selections.change_phase(session, selection, facilitator, "forward")
        if phase == "decision":
            selections.change_phase(session, selection, facilitator, "forward")
    with db.transaction(write=False) as session:
        members = {
            email: (mid, aid) for email, mid, aid in session.execute(
                select(Account.email, Membership.id, Account.id)
                .join(Membership, Membership.account_id == Account.id)
                .where(Membership.selection_id == sid))
        }
        return Ids(
            selection=sid,
            members={e: m for e, (m, _) in members.items()},
            accounts={e: a for e, (_, a) in members.items()},
            vendors=dict(session.execute(
                select(Vendor.key, Vendor.id).where(Vendor.selection_id == sid)).all()),
            requirements=dict(session.execute(
                select(Requirement.code, Requirement.id).where(Requirement.selection_id == sid)
            ).all()),
        )


@pytest.fixture
def ids(db, example_doc) -> Ids:
    return build_scoring_selection(db, example_doc)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """Attachments go to a temporary instance folder."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("SELECTOR_INSTANCE", str(folder))
    return folder
