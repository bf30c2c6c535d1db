"""The consensus meeting: rows with every member's score and argument, the spread, the
discussion points first; the facilitator's consensus score, which the engine then uses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from selector.domain import method
from selector.models import Account
from selector.models import Consensus
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.services import scoring
from selector.services import selection_file
from selector.services.errors import Conflict
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from selector.services.scoring import consensus_rows
from tests.scoring.conftest import Ids
from tests.scoring.helpers import actor
from tests.scoring.helpers import audit_entries


@pytest.fixture
def decided(db, example_doc):
    """The example selection with its scores (import puts it in the decision phase)."""
    scores = [dict(x) for x in example_doc["scores"]]
    for x in scores:  # one wide spread (2, 3, 5): a discussion point
        if (x["vendor"], x["requirement"], x["member"]) == (
                "tulip", "BUS-CV-02", "youssef@example.org"):
            x["score"], x["comment"] = 5, "The merged timeline is the best we have seen."
    doc = {**example_doc, "consensus": [], "scores": scores}
    with db.transaction() as s:
        sid = selection_file.import_selection(s, doc)
    with db.transaction(write=False) as s:
        members = {e: (m, a) for e, m, a in s.execute(
            select(Account.email, Membership.id, Account.id)
            .join(Membership, Membership.account_id == Account.id)
            .where(Membership.selection_id == sid))}
        return Ids(sid, {e: m for e, (m, _) in members.items()},
                   {e: a for e, (_, a) in members.items()},
                   dict(s.execute(select(Vendor.key, Vendor.id)
                                  .where(Vendor.selection_id == sid)).all()),
                   dict(s.execute(select(Requirement.code, Requirement.id)
                                  .where(Requirement.selection_id == sid)).all()))


def agree(db, ids, vendor, code, score, rationale="Agreed in the meeting.", version=None,
          email="fenna@example.org"):
    with db.transaction() as s:
        selection, _, account = actor(s, ids, email)
        return scoring.record_consensus(
            s, selection, account, vendor_id=ids.vendors[vendor],
            requirement_id=ids.requirements[code], score=score, rationale=rationale,
            version=version)


def test_rows_show_every_counted_score_and_put_wide_spreads_first(db, decided):
    with db.transaction(write=False) as s:
        rows = consensus_rows(s, s.get(Selection, decided.selection))
        spreads = method.disagreement(load_selection(s, decided.selection))
    assert len(rows) == len(spreads)  # every scored (vendor, wish)
    flags = [r.discussion_point for r in rows]
    assert flags == sorted(flags, reverse=True)  # discussion points first
    ranges = [r.range for r in rows]
    assert ranges == sorted(ranges, reverse=True)  # then the widest spreads
    wide = [(r.vendor.key, r.requirement.code) for r in rows if r.discussion_point]
    assert wide == [("tulip", "BUS-CV-02")] and rows[0].range >= 3
    assert {(s.vendor, s.requirement) for s in spreads if s.discussion_point} == set(wide)
    row = next(r for r in rows if (r.vendor.key, r.requirement.code) == ("polder", "IT-STD-01"))
    with db.transaction(write=False) as s:
        in_file = sorted((x.member, x.score, x.comment)
                         for x in load_selection(s, decided.selection).scores
                         if (x.vendor, x.requirement) == ("polder", "IT-STD-01"))
    assert len(in_file) == 2
    assert sorted((e.email, e.score, e.comment) for e in row.entries) == in_file
    scores = [x[1] for x in in_file]
    assert row.range == max(scores) - min(scores)
    assert row.mean == pytest.approx(sum(scores) / len(scores))


def test_rows_per_vendor_and_per_requirement(db, decided):
    with db.transaction(write=False) as s:
        selection = s.get(Selection, decided.selection)
        per_vendor = consensus_rows(s, selection, vendor_id=decided.vendors["tulip"])
        per_wish = consensus_rows(s, selection,
                                  requirement_id=decided.requirements["IT-STD-01"])
    assert {r.vendor.key for r in per_vendor} == {"tulip"}
    assert {r.requirement.code for r in per_wish} == {"IT-STD-01"}
    assert {r.vendor.key for r in per_wish} == {"northwind", "polder", "tulip"}


def test_a_consensus_score_replaces_the_mean_in_the_ranking(db, decided):
    with db.transaction(write=False) as s:
        before = method.aggregated_scores(load_selection(s, decided.selection))
    assert before[("polder", "IT-STD-01")] != 1
    saved = agree(db, decided, "polder", "IT-STD-01", 1,
                  "SSO only through an add-on we will not buy.")
    assert saved.version == 1
    with db.transaction(write=False) as s:
        after = method.aggregated_scores(load_selection(s, decided.selection))
        rows = consensus_rows(s, s.get(Selection, decided.selection),
                              vendor_id=decided.vendors["polder"],
                              requirement_id=decided.requirements["IT-STD-01"])
        assert audit_entries(s, "consensus") == [
            {"action": "create", "key": "polder · IT-STD-01", "actor": "fenna@example.org",
             "old": None, "new": {"score": 1, "rationale":
                                  "SSO only through an add-on we will not buy."},
             "reason": ""}]
    assert after[("polder", "IT-STD-01")] == 1
    assert rows[0].consensus.score == 1


def test_consensus_needs_a_rationale_a_valid_score_and_the_current_version(db, decided):
    with pytest.raises(ServiceError) as caught:
        agree(db, decided, "polder", "IT-STD-01", 4, rationale=" ")
    assert caught.value.field == "rationale"
    with pytest.raises(ServiceError) as caught:
        agree(db, decided, "polder", "IT-STD-01", 6)
    assert caught.value.field == "score"
    agree(db, decided, "polder", "IT-STD-01", 4)
    with pytest.raises(Conflict):  # a second facilitator tab that started empty
        agree(db, decided, "polder", "IT-STD-01", 2, version=None)
    assert agree(db, decided, "polder", "IT-STD-01", 3, version=1).version == 2
    with pytest.raises(Conflict):
        agree(db, decided, "polder", "IT-STD-01", 2, version=1)
    with db.transaction(write=False) as s:
        row = s.scalar(select(Consensus))
        assert (row.score, row.version) == (3, 2)
        assert [e["action"] for e in audit_entries(s, "consensus")] == ["create", "update"]


def test_consensus_is_recorded_only_after_scoring_closed(db, ids):
    with pytest.raises(ServiceError) as caught:
        agree(db, ids, "polder", "IT-STD-01", 4)
    assert "decision phase" in str(caught.value.message)
    with db.transaction(write=False) as s:
        assert s.scalar(select(Consensus)) is None


def test_a_consensus_can_be_taken_back_with_a_reason(db, decided):
    agree(db, decided, "polder", "IT-STD-01", 4)
    with db.transaction() as s:
        selection, _, account = actor(s, decided, "fenna@example.org")
        with pytest.raises(ServiceError):
            scoring.remove_consensus(s, selection, account, vendor_id=decided.vendors["polder"],
                                     requirement_id=decided.requirements["IT-STD-01"],
                                     version=1, reason="")
    with db.transaction() as s:
        selection, _, account = actor(s, decided, "fenna@example.org")
        scoring.remove_consensus(s, selection, account, vendor_id=decided.vendors["polder"],
                                 requirement_id=decided.requirements["IT-STD-01"], version=1,
                                 reason="Recorded on the wrong vendor.")
    with db.transaction(write=False) as s:
        assert s.scalar(select(Consensus)) is None
        assert audit_entries(s, "consensus")[-1]["reason"] == "Recorded on the wrong vendor."
