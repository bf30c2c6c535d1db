"""Import, export and loading through the real database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from selector.domain.method import rank
from selector.files.selection_file import canonical
from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.models import AuditEntry
from selector.models import Membership
from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from selector.services.loader import load_selection
from selector.services.selection_file import export_selection
from selector.services.selection_file import import_selection
from tests.conftest import assert_ranking_matches


def _import(db, doc) -> int:
    with db.transaction() as session:
        return import_selection(session, validate(doc))


def test_ranking_from_the_database_equals_the_example(db, example_doc, expected_ranking):
    selection_id = _import(db, example_doc)
    with db.transaction(write=False) as session:
        selection = load_selection(session, selection_id)
    assert_ranking_matches(rank(selection), expected_ranking)


def test_the_file_and_the_database_feed_the_same_selection(db, example_doc):
    selection_id = _import(db, example_doc)
    with db.transaction(write=False) as session:
        from_db = load_selection(session, selection_id)
    from_file = selection_from_file(validate(example_doc))
    assert set(from_db.scores) == set(from_file.scores)
    assert set(from_db.requirements) == set(from_file.requirements)
    assert set(from_db.allocations) == set(from_file.allocations)
    assert set(from_db.verdicts) == set(from_file.verdicts)
    assert set(from_db.consensus) == set(from_file.consensus)


def test_import_then_export_gives_back_the_same_content(db, example_doc):
    selection_id = _import(db, example_doc)
    with db.transaction(write=False) as session:
        exported = export_selection(session, selection_id)
    assert canonical(validate(exported)) == canonical(validate(example_doc))


def test_import_sets_phase_and_audits(db, example_doc):
    selection_id = _import(db, example_doc)
    with db.transaction(write=False) as session:
        selection = session.get(Selection, selection_id)
        assert selection.phase == "decision"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.selection_id == selection_id))
        assert entry.action == "import" and '"scores": 191' in entry.new


def test_only_submitted_sheets_count(db, example_doc):
    selection_id = _import(db, example_doc)
    with db.transaction() as session:
        bram = session.scalar(
            select(Membership.id)
            .join(Membership.account)
            .where(
                Membership.selection_id == selection_id,
                Membership.account.has(email="bram@example.org"),
            )
        )
        session.execute(update(Sheet).where(Sheet.membership_id == bram).values(submitted_at=None))
    with db.transaction(write=False) as session:
        selection = load_selection(session, selection_id)
        exported = export_selection(session, selection_id)
    assert not any(s.member == "bram@example.org" for s in selection.scores)
    assert not any(s["member"] == "bram@example.org" for s in exported["scores"])
    assert len(selection.scores) == 191 - 42
    _the_ranking_read_gives_the_same_scores(db, selection_id, selection)


def _the_ranking_read_gives_the_same_scores(db, selection_id, selection) -> None:
    """Without comments the scores come one row per sheet, as text (`_SHEET_SCORES`):
    the same scores that count, in another order, with empty comments."""
    with db.transaction(write=False) as session:
        scores = load_selection(session, selection_id, comments=False).scores
    assert set(scores.comments) == {""}
    assert sorted(scores) == sorted(s._replace(comment="") for s in selection.scores)
    assert any(s.comment for s in selection.scores)  # there were comments to leave out


def test_the_ranking_read_of_every_score_equals_the_full_read(db, example_doc):
    selection_id = _import(db, example_doc)
    with db.transaction(write=False) as session:
        selection = load_selection(session, selection_id)
    assert len(selection.scores) == 191
    _the_ranking_read_gives_the_same_scores(db, selection_id, selection)


def test_the_database_refuses_a_second_score_for_the_same_triple(db, example_doc):
    selection_id = _import(db, example_doc)
    with pytest.raises(IntegrityError), db.transaction() as session:
        score = session.scalar(select(Score).where(Score.selection_id == selection_id))
        session.add(
            Score(
                selection_id=selection_id,
                membership_id=score.membership_id,
                vendor_id=score.vendor_id,
                requirement_id=score.requirement_id,
                score=2,
            )
        )
        session.flush()


def test_the_database_refuses_a_score_out_of_range(db, example_doc):
    selection_id = _import(db, example_doc)
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.execute(update(Score).where(Score.selection_id == selection_id).values(score=101))


def test_audit_entries_cannot_be_changed(db, example_doc):
    selection_id = _import(db, example_doc)
    with pytest.raises(RuntimeError, match="append-only"), db.transaction() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.selection_id == selection_id))
        entry.reason = "rewritten"
        session.flush()


def test_concurrent_read_then_write_loses_no_update(db, example_doc):
    """Eight threads each add 1 to one score 25 times, reading it first (issue 3, point 4)."""
    selection_id = _import(db, example_doc)
    with db.transaction(write=False) as session:
        score_id = session.scalar(
            select(Score.id).where(Score.selection_id == selection_id).order_by(Score.id)
        )
    with db.transaction() as session:
        session.execute(update(Score).where(Score.id == score_id).values(version=0))
    errors = []

    def work():
        try:
            for _ in range(25):
                with db.transaction() as session:
                    query = select(Score).where(Score.id == score_id)
                    if not db.is_sqlite:
                        query = query.with_for_update()
                    score = session.scalar(query)
                    score.version = score.version + 1
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.transaction(write=False) as session:
        assert session.scalar(select(Score.version).where(Score.id == score_id)) == 200


def test_a_failed_import_leaves_nothing(db, example_doc):
    doc = validate(example_doc)
    doc["scores"].append(dict(doc["scores"][0]))  # duplicate triple, past validation
    with pytest.raises(IntegrityError), db.transaction() as session:
        import_selection(session, doc)
    with db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Selection)) == 0


def test_price_settings_recommendation_and_decision_survive_import_and_export(db, example_doc):
    doc = dict(example_doc)
    doc["selection"] = {**example_doc["selection"], "price_method": "log", "log_factor": 2.5,
                        "price_weight": 0.25, "quality_threshold": 40, "price_full": 1000}
    doc["recommendation"] = "We recommend Northwind.\n\nIt fits the service desk best."
    doc["decision"] = {"verdict": "more_information", "vendor": None,
                       "by": "marloes@example.org", "reason": "What does the exit cost?",
                       "date": "2026-12-02"}
    selection_id = _import(db, doc)
    with db.transaction(write=False) as session:
        exported = export_selection(session, selection_id)
        stored = load_selection(session, selection_id)
    assert canonical(validate(exported)) == canonical(validate(doc))
    assert exported["decision"]["by"] == "marloes@example.org"
    assert (stored.price_method, stored.log_factor, stored.quality_threshold) == ("log", 2.5, 40)
    assert rank(stored, draws=100)["price_method"] == "log"
