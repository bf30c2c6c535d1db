"""Saving one score: the rules, the refusals (nothing changed), the audit trail and the
optimistic version check (no lost update, also with two real concurrent transactions)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from selector.services import memberships
from selector.services import scoring
from selector.services import selections
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from tests.scoring.helpers import actor
from tests.scoring.helpers import audit_entries
from tests.scoring.helpers import counts

BRAM = "bram@example.org"  # business
INGRID = "ingrid@example.org"  # IT
FENNA = "fenna@example.org"  # facilitator
MARLOES = "marloes@example.org"  # sponsor


def declare(db, ids, email, vendor="northwind", conflict="none", explanation=""):
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, email)
        scoring.declare_conflict(s, selection, membership, account, ids.vendors[vendor],
                                 conflict, explanation)


def save(db, ids, email, code, score, comment="", version=None, vendor="northwind",
         reason=""):
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, email)
        return scoring.save_score(
            s, selection, membership, account, vendor_id=ids.vendors[vendor],
            requirement_id=ids.requirements[code], score=score, comment=comment,
            version=version, reason=reason)


def refused(db, ids, email, code, score, *, field="score", error=ServiceError, **kwargs):
    """Assert the save is refused with a message on `field` and changes nothing."""
    with db.transaction(write=False) as s:
        before = counts(s)
    with pytest.raises(error) as caught:
        save(db, ids, email, code, score, **kwargs)
    assert caught.value.field == field
    assert str(caught.value.message)
    with db.transaction(write=False) as s:
        assert counts(s) == before
    return caught.value


def stored(db, ids, email, code, vendor="northwind"):
    with db.transaction(write=False) as s:
        return s.execute(
            select(Score.score, Score.comment, Score.version).where(
                Score.membership_id == ids.members[email],
                Score.vendor_id == ids.vendors[vendor],
                Score.requirement_id == ids.requirements[code])
        ).first()


def test_default_assignment_follows_the_domain_and_the_facilitator_scores_all(db, ids):
    with db.transaction(write=False) as s:
        matrix = scoring.assignments(s, s.get(Selection, ids.selection))
        from selector.models import Category
        domains = dict(s.execute(select(Category.id, Category.domain)).all())
    business = {c for c, d in domains.items() if d == "business"}
    it = {c for c, d in domains.items() if d == "it"}
    assert matrix[ids.members[BRAM]] == business
    assert matrix[ids.members[INGRID]] == it
    assert matrix[ids.members[FENNA]] == business | it
    assert ids.members[MARLOES] not in matrix  # sponsors do not score


def test_first_save_then_update_are_audited_with_old_and_new(db, ids):
    declare(db, ids, BRAM)
    first = save(db, ids, BRAM, "BUS-SAL-01", 3, "Pipeline view works as shown in the demo.")
    assert (first.score, first.version, first.changed, first.unargued_extreme) == (3, 1, True,
                                                                                   False)
    second = save(db, ids, BRAM, "BUS-SAL-01", 4, "Better on a second look.", version=1)
    assert second.version == 2
    assert tuple(stored(db, ids, BRAM, "BUS-SAL-01")) == (4, "Better on a second look.", 2)
    with db.transaction(write=False) as s:
        entries = audit_entries(s, "score")
    assert entries == [
        {"action": "create", "key": "northwind · BUS-SAL-01 · bram@example.org",
         "actor": BRAM, "old": None,
         "new": {"score": 3, "comment": "Pipeline view works as shown in the demo."},
         "reason": ""},
        {"action": "update", "key": "northwind · BUS-SAL-01 · bram@example.org",
         "actor": BRAM,
         "old": {"score": 3, "comment": "Pipeline view works as shown in the demo."},
         "new": {"score": 4, "comment": "Better on a second look."}, "reason": ""},
    ]


def test_saving_the_same_value_again_changes_nothing(db, ids):
    declare(db, ids, BRAM)
    save(db, ids, BRAM, "BUS-SAL-01", 3)
    with db.transaction(write=False) as s:
        before = counts(s)
    again = save(db, ids, BRAM, "BUS-SAL-01", 3, version=1)
    assert (again.version, again.changed) == (1, False)
    with db.transaction(write=False) as s:
        assert counts(s) == before


@pytest.mark.parametrize("value", [6, -1, 100, "3", 2.5, True, None])
def test_a_score_outside_the_scale_is_refused(db, ids, value):
    declare(db, ids, BRAM)
    error = refused(db, ids, BRAM, "BUS-SAL-01", value)
    assert "5" in str(error.message)


def test_a_requirement_not_assigned_to_the_member_is_refused(db, ids):
    declare(db, ids, BRAM)
    error = refused(db, ids, BRAM, "IT-STD-01", 3)
    assert "not assigned to you" in str(error.message)


def test_an_assignment_override_lets_a_member_score_another_category(db, ids):
    declare(db, ids, BRAM)
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        from selector.models import Category
        standards = s.scalar(select(Category.id).where(Category.key == "standards",
                                                       Category.selection_id == ids.selection))
        current = scoring.assignments(s, selection)[ids.members[BRAM]]
        changed = scoring.set_assignments(s, selection, facilitator,
                                          {ids.members[BRAM]: current | {standards}})
    assert changed == 1
    assert save(db, ids, BRAM, "IT-STD-01", 3).version == 1
    with db.transaction(write=False) as s:
        assert audit_entries(s, "assignment") == [
            {"action": "update", "key": "bram@example.org · standards", "actor": FENNA,
             "old": {"assigned": False}, "new": {"assigned": True}, "reason": ""}]


def test_knockouts_and_inactive_requirements_are_not_scored(db, ids):
    declare(db, ids, INGRID)
    assert "accepted wishes" in str(refused(db, ids, INGRID, "IT-HST-01", 3).message)
    declare(db, ids, BRAM)
    refused(db, ids, BRAM, "BUS-RPT-03", 3)  # priority "wont"


def test_no_score_before_the_conflict_of_interest_is_declared(db, ids):
    error = refused(db, ids, BRAM, "BUS-SAL-01", 3, field="conflict")
    assert "conflict of interest" in str(error.message)


def test_a_declared_conflict_needs_an_explanation(db, ids):
    with pytest.raises(ServiceError) as caught:
        declare(db, ids, BRAM, conflict="declared", explanation="  ")
    assert caught.value.field == "explanation"
    declare(db, ids, BRAM, conflict="declared", explanation="My brother-in-law sells it.")
    with db.transaction(write=False) as s:
        sheet = s.scalar(select(Sheet))
        assert (sheet.conflict, sheet.conflict_explanation) == (
            "declared", "My brother-in-law sells it.")
        assert audit_entries(s, "sheet")[0]["new"] == {
            "conflict": "declared", "explanation": "My brother-in-law sells it."}


def exclude(db, ids, email, vendor="northwind", excluded=True, reason="Conflict of interest"):
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        scoring.set_excluded(s, selection, facilitator, ids.members[email], ids.vendors[vendor],
                             excluded, reason)


def test_an_excluded_member_cannot_score_that_vendor_and_their_scores_do_not_count(db, ids):
    declare(db, ids, BRAM, conflict="declared", explanation="Former employee of Northwind.")
    save(db, ids, BRAM, "BUS-SAL-01", 4, "Strong pipeline.")
    exclude(db, ids, BRAM)
    error = refused(db, ids, BRAM, "BUS-SAL-01", 2, version=1)
    assert "excluded" in str(error.message)
    assert tuple(stored(db, ids, BRAM, "BUS-SAL-01")) == (4, "Strong pipeline.", 1)  # kept
    with db.transaction() as s:  # submit is refused too
        selection, membership, account = actor(s, ids, BRAM)
        with pytest.raises(ServiceError):
            scoring.submit_sheet(s, selection, membership, account, ids.vendors["northwind"])
    # Other vendors are unaffected.
    declare(db, ids, BRAM, vendor="polder")
    assert save(db, ids, BRAM, "BUS-SAL-01", 2, vendor="polder").version == 1
    with db.transaction(write=False) as s:
        entries = [e for e in audit_entries(s, "sheet") if e["action"] == "exclude"]
    assert entries == [{"action": "exclude", "key": "northwind · bram@example.org",
                        "actor": FENNA, "old": {"excluded": False}, "new": {"excluded": True},
                        "reason": "Conflict of interest"}]


def test_exclusion_needs_a_reason(db, ids):
    with pytest.raises(ServiceError) as caught:
        exclude(db, ids, BRAM, reason=" ")
    assert caught.value.field == "reason"


def test_a_withdrawn_vendor_is_not_scored(db, ids):
    declare(db, ids, BRAM)
    from selector.services import vendors
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        vendors.set_withdrawn(s, selection, facilitator, ids.vendors["northwind"], True,
                              "Withdrew from the tender.")
    assert "withdrawn" in str(refused(db, ids, BRAM, "BUS-SAL-01", 3, field=None).message)


def test_a_vendor_of_another_selection_is_not_found(db, ids, example_doc):
    from tests.scoring.conftest import build_scoring_selection
    other = build_scoring_selection(db, example_doc)
    declare(db, ids, BRAM)
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, BRAM)
        with pytest.raises(NotFound):
            scoring.save_score(s, selection, membership, account,
                               vendor_id=other.vendors["northwind"],
                               requirement_id=ids.requirements["BUS-SAL-01"], score=3,
                               comment="", version=None)
        with pytest.raises(NotFound):
            scoring.save_score(s, selection, membership, account,
                               vendor_id=ids.vendors["northwind"],
                               requirement_id=other.requirements["BUS-SAL-01"], score=3,
                               comment="", version=None)


def test_sponsors_and_removed_members_do_not_score(db, ids):
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, MARLOES)
        with pytest.raises(ServiceError):
            scoring.declare_conflict(s, selection, membership, account,
                                     ids.vendors["northwind"], "none")
    declare(db, ids, BRAM)
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        memberships.remove_member(s, selection, facilitator, ids.members[BRAM])
    refused(db, ids, BRAM, "BUS-SAL-01", 3, field=None)


@pytest.mark.parametrize("phase", ["weighting", "decision"])
def test_scores_are_saved_only_in_the_scoring_phase(db, example_doc, phase):
    from tests.scoring.conftest import build_scoring_selection
    ids = build_scoring_selection(db, example_doc)
    declare(db, ids, BRAM)
    save(db, ids, BRAM, "BUS-SAL-01", 3)
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        if phase == "weighting":
            selections.change_phase(s, selection, facilitator, "back", "Weights reopened.")
        else:
            selections.change_phase(s, selection, facilitator, "forward")
    error = refused(db, ids, BRAM, "BUS-SAL-01", 4, version=1)
    expected = "not started" if phase == "weighting" else "closed"
    assert expected in str(error.message)
    assert tuple(stored(db, ids, BRAM, "BUS-SAL-01"))[:2] == (3, "")


def score_all(db, ids, email, value=3, vendor="northwind", comment="Seen in the demo."):
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, email)
        wishes = scoring.assigned_wishes(s, membership)
        for wish in wishes:
            scoring.save_score(s, selection, membership, account,
                               vendor_id=ids.vendors[vendor], requirement_id=wish.id,
                               score=value, comment=comment, version=None)
        return [w.code for w in wishes]


def submit(db, ids, email, vendor="northwind"):
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, email)
        return scoring.submit_sheet(s, selection, membership, account, ids.vendors[vendor])


def test_an_extreme_without_argument_is_saved_marked_and_blocks_submission(db, ids):
    declare(db, ids, INGRID)
    codes = score_all(db, ids, INGRID)
    marked = save(db, ids, INGRID, codes[0], 5, "", version=1)
    assert marked.unargued_extreme is True
    assert tuple(stored(db, ids, INGRID, codes[0]))[:2] == (5, "")
    with pytest.raises(ServiceError) as caught:
        submit(db, ids, INGRID)
    assert caught.value.field == "submit" and codes[0] in str(caught.value.message)
    assert caught.value.refusal.unargued == [codes[0]]
    save(db, ids, INGRID, codes[0], 5, "Restores tested monthly; report attached.", version=2)
    assert submit(db, ids, INGRID).submitted_at is not None


def test_an_incomplete_sheet_cannot_be_submitted(db, ids):
    declare(db, ids, INGRID)
    save(db, ids, INGRID, "IT-STD-01", 3)
    with pytest.raises(ServiceError) as caught:
        submit(db, ids, INGRID)
    assert "still open" in str(caught.value.message)
    with db.transaction(write=False) as s:
        assert s.scalar(select(Sheet.submitted_at)) is None


def test_after_submission_a_change_needs_a_reason_and_is_audited(db, ids):
    declare(db, ids, INGRID)
    score_all(db, ids, INGRID)
    submit(db, ids, INGRID)
    error = refused(db, ids, INGRID, "IT-STD-01", 4, comment="Seen in the demo.", version=1,
                    field="reason")
    assert "say why" in str(error.message)
    changed = save(db, ids, INGRID, "IT-STD-01", 4, "Seen in the demo.", version=1,
                   reason="Reference call confirmed SAML.")
    assert changed.version == 2
    with db.transaction(write=False) as s:
        entry = audit_entries(s, "score")[-1]
    assert entry["old"]["score"] == 3 and entry["new"]["score"] == 4
    assert entry["reason"] == "Reference call confirmed SAML."


def test_only_submitted_sheets_count(db, ids):
    declare(db, ids, INGRID)
    score_all(db, ids, INGRID, value=4)
    with db.transaction(write=False) as s:
        assert len(load_selection(s, ids.selection).scores) == 0
    submit(db, ids, INGRID)
    with db.transaction(write=False) as s:
        scores = load_selection(s, ids.selection).scores
    assert len(scores) == 9 and {x.score for x in scores} == {4}  # 11 IT, 2 knock-outs


def test_a_lost_update_is_prevented(db, ids):
    """Two tabs start from version 1; the second save is refused, the first stands."""
    declare(db, ids, BRAM)
    save(db, ids, BRAM, "BUS-SAL-01", 3, "first")
    save(db, ids, BRAM, "BUS-SAL-01", 4, "tab one", version=1)
    with db.transaction(write=False) as s:
        before = counts(s)
    with pytest.raises(Conflict) as caught:
        save(db, ids, BRAM, "BUS-SAL-01", 1, "tab two", version=1)
    assert caught.value.current == {"score": 4, "comment": "tab one", "version": 2,
                                    "unargued_extreme": False}
    assert tuple(stored(db, ids, BRAM, "BUS-SAL-01")) == (4, "tab one", 2)
    with db.transaction(write=False) as s:
        assert counts(s) == before


def test_two_first_saves_cannot_both_win(db, ids):
    declare(db, ids, BRAM)
    save(db, ids, BRAM, "BUS-SAL-01", 3, "tab one")
    with pytest.raises(Conflict):
        save(db, ids, BRAM, "BUS-SAL-01", 2, "tab two", version=None)
    assert tuple(stored(db, ids, BRAM, "BUS-SAL-01")) == (3, "tab one", 1)


@pytest.mark.parametrize("first_version", [None, 1])
def test_concurrent_transactions_from_the_same_version_one_wins(db, ids, first_version):
    """Two real transactions at once (threads, two connections): on SQLite the second
    waits for the write lock (BEGIN IMMEDIATE), on PostgreSQL for the sheet's row lock;
    either way it then sees the new version and is refused."""
    declare(db, ids, BRAM)
    if first_version is not None:
        save(db, ids, BRAM, "BUS-SAL-01", 3, "start")
    outcome: dict[str, object] = {}
    started = threading.Event()

    def second():
        started.set()
        try:
            save(db, ids, BRAM, "BUS-SAL-01", 1, "second", version=first_version)
            outcome["second"] = "saved"
        except Conflict:
            outcome["second"] = "conflict"

    with db.transaction() as s:
        selection, membership, account = actor(s, ids, BRAM)
        scoring.save_score(s, selection, membership, account,
                           vendor_id=ids.vendors["northwind"],
                           requirement_id=ids.requirements["BUS-SAL-01"], score=5,
                           comment="first", version=first_version)
        thread = threading.Thread(target=second)
        thread.start()
        started.wait()
        thread.join(0.5)  # it must be waiting for us, not done
        assert thread.is_alive()
    thread.join(20)
    assert outcome == {"second": "conflict"}
    row = stored(db, ids, BRAM, "BUS-SAL-01")
    assert (row.score, row.comment) == (5, "first")
