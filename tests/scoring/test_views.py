"""The read side: a member's sheet (blind until their own submission), progress counts,
and the bulk loading (a fixed number of queries, whatever the size)."""

from __future__ import annotations

from sqlalchemy import select

from selector.models import Selection
from selector.models import Vendor
from selector.services import scoring
from selector.services.scoring import member_sheet
from selector.services.scoring import my_sheets
from selector.services.scoring import scoring_progress
from tests.conftest import sql_statements
from tests.scoring.helpers import actor
from tests.scoring.test_scores import declare
from tests.scoring.test_scores import save
from tests.scoring.test_scores import score_all
from tests.scoring.test_scores import submit

BRAM, SANNE, FENNA = "bram@example.org", "sanne@example.org", "fenna@example.org"


def sheet_of(db, ids, email, vendor="northwind"):
    with db.transaction(write=False) as s:
        selection, membership, _ = actor(s, ids, email)
        return member_sheet(s, selection, membership, s.get(Vendor, ids.vendors[vendor]))


def peers(view):
    return {(i.requirement.code, p.name, p.score, p.comment) for i in view.items for p in i.peers}


def test_the_sheet_groups_assigned_wishes_by_category_with_progress(db, ids):
    declare(db, ids, BRAM)
    save(db, ids, BRAM, "BUS-SAL-01", 4, "Good pipeline.")
    save(db, ids, BRAM, "BUS-SAL-02", 0, "")
    view = sheet_of(db, ids, BRAM)
    assert [g.category.key for g in view.categories] == [
        "sales", "marketing", "service", "customer_view", "reporting"]
    assert [i.requirement.code for i in view.categories[0].items] == [
        "BUS-SAL-01", "BUS-SAL-02", "BUS-SAL-03"]
    assert (view.categories[0].scored, view.categories[0].total) == (2, 3)
    assert (view.scored, view.total, view.unargued) == (2, 13, 1)  # BUS-RPT-03 is "wont"
    assert view.conflict == "none" and view.submitted_at is None


def test_blind_until_the_own_sheet_is_submitted(db, ids):
    declare(db, ids, SANNE)
    score_all(db, ids, SANNE, value=2, comment="Sanne's secret argument")
    submit(db, ids, SANNE)
    declare(db, ids, BRAM)
    score_all(db, ids, BRAM, value=4, comment="Bram's argument")
    before = sheet_of(db, ids, BRAM)
    assert before.peers_visible is False and peers(before) == set()
    submit(db, ids, BRAM)
    after = sheet_of(db, ids, BRAM)
    assert after.peers_visible is True
    assert ("BUS-SAL-01", "Sanne Bakker", 2, "Sanne's secret argument") in peers(after)
    # Another vendor Bram has not submitted stays blind.
    assert peers(sheet_of(db, ids, BRAM, vendor="polder")) == set()


def test_unsubmitted_sheets_of_others_never_show(db, ids):
    declare(db, ids, SANNE)
    score_all(db, ids, SANNE, value=2, comment="draft")
    declare(db, ids, BRAM)
    score_all(db, ids, BRAM)
    submit(db, ids, BRAM)
    assert peers(sheet_of(db, ids, BRAM)) == set()


def test_the_facilitator_sees_no_scores_while_scoring_unless_see_everything(db, ids):
    declare(db, ids, SANNE)
    score_all(db, ids, SANNE, value=2)
    submit(db, ids, SANNE)
    declare(db, ids, FENNA)
    score_all(db, ids, FENNA)
    submit(db, ids, FENNA)
    assert peers(sheet_of(db, ids, FENNA)) == set()
    with db.transaction() as s:
        s.get(Selection, ids.selection).facilitator_sees_all = True
    assert peers(sheet_of(db, ids, FENNA))


def test_progress_counts_scored_of_assigned_and_states(db, ids):
    declare(db, ids, BRAM)
    save(db, ids, BRAM, "BUS-SAL-01", 3)
    declare(db, ids, SANNE, vendor="tulip", conflict="declared",
            explanation="My partner works at Tulip.")
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        scoring.set_excluded(s, selection, facilitator, ids.members[SANNE], ids.vendors["tulip"],
                             True, "Partner works there.")
    with db.transaction(write=False) as s:
        selection = s.get(Selection, ids.selection)
        vendors, rows = scoring_progress(s, selection)
        mine = my_sheets(s, selection, s.get(type(actor(s, ids, BRAM)[1]), ids.members[BRAM]))
    assert [v.key for v in vendors] == ["northwind", "polder", "tulip"]
    by_email = {r.account.email: r for r in rows}
    # The facilitator may score everything, but is no scorer until given assignments or
    # started on a sheet (issue 18, item 7f).
    assert set(by_email) == {"bram@example.org", "sanne@example.org",
                             "youssef@example.org", "ingrid@example.org", "koen@example.org"}
    bram = {p.vendor.key: (p.scored, p.total, p.state) for p in by_email[BRAM].sheets}
    assert bram == {"northwind": (1, 13, "in_progress"), "polder": (0, 13, "not_started"),
                    "tulip": (0, 13, "not_started")}
    sanne_tulip = by_email[SANNE].sheets[2]
    assert (sanne_tulip.state, sanne_tulip.conflict_explanation) == (
        "excluded", "My partner works at Tulip.")
    assert [(p.vendor.key, p.scored) for p in mine] == [("northwind", 1), ("polder", 0),
                                                          ("tulip", 0)]
    declare(db, ids, FENNA)  # the facilitator starts scoring: now counted
    with db.transaction(write=False) as s:
        rows = scoring_progress(s, s.get(Selection, ids.selection))[1]
    fenna = next(r for r in rows if r.account.email == FENNA)
    assert fenna.sheets[0].total == 22  # every wish: assigned every category by default


def test_the_sheet_and_progress_load_in_a_fixed_number_of_queries(db, ids):
    declare(db, ids, SANNE)
    score_all(db, ids, SANNE)
    submit(db, ids, SANNE)
    declare(db, ids, BRAM)
    score_all(db, ids, BRAM)
    submit(db, ids, BRAM)  # with the peers' scores visible: one query more
    with db.transaction(write=False) as s:
        selection, membership, _ = actor(s, ids, BRAM)
        vendor = s.get(Vendor, ids.vendors["northwind"])
        with sql_statements(db.engine) as statements:
            view = member_sheet(s, selection, membership, vendor)
            sheet_queries = len(statements)
            statements.clear()
            scoring_progress(s, selection)
    assert view.total == 13 and len(peers(view)) == 13
    assert sheet_queries <= 6  # sheet, categories, assignment, wishes, own scores, peers
    assert len(statements) <= 8


def test_the_visibility_settings_are_audited(db, ids):
    from tests.scoring.helpers import audit_entries

    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        assert scoring.set_visibility(s, selection, facilitator,
                                      facilitator_sees_all=True) is True
        assert scoring.set_visibility(s, selection, facilitator,
                                      facilitator_sees_all=True) is False
    with db.transaction(write=False) as s:
        assert s.get(Selection, ids.selection).facilitator_sees_all is True
        assert audit_entries(s, "selection")[-1]["new"] == {"facilitator_sees_all": True}


def test_the_facilitator_is_counted_as_a_scorer_only_once_given_assignments(db, ids):
    """Issue 18, item 7f: by default the facilitator may score, but nobody waits for it."""
    from selector.models import Category
    from selector.services import selections

    def scoring_progress_and_tasks():
        with db.transaction(write=False) as s:
            view = selections.overview(s, s.get(Selection, ids.selection))
        tasks = {m.account.email: [t.kind for t in m.tasks] for m in view.members}
        return next(p for p in view.progress if p.phase == "scoring"), tasks

    progress, tasks = scoring_progress_and_tasks()
    assert progress.total == 5 * 3  # three business and two IT members, three vendors
    assert tasks[FENNA] == [] and tasks["bram@example.org"] == ["submit_sheets"]
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, FENNA)
        security = s.scalar(select(Category.id).where(Category.selection_id == ids.selection,
                                                      Category.key == "security"))
        scoring.set_assignments(s, selection, facilitator, {ids.members[FENNA]: [security]})
    progress, tasks = scoring_progress_and_tasks()
    assert progress.total == 6 * 3 and tasks[FENNA] == ["submit_sheets"]
