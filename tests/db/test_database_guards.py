"""The database's own guards (issue 17, item 15), attacked with plain SQL past the app:
the audit trail cannot be rewritten or deleted, and no score lies above the selection's
scale. On SQLite and PostgreSQL, at the head of the migrations (a later migration that
rebuilds one of these tables must create its triggers again)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from selector import migrate
from selector.files.selection_file import validate
from selector.services.selection_file import import_selection


@pytest.fixture
def selection_id(db, example_doc):
    """The example selection (scale 0..5, scores, a consensus, an audited import)."""
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))


def _refused(db, statement: str, params: dict | None = None) -> str:
    with pytest.raises(DBAPIError) as caught, db.engine.begin() as connection:
        connection.execute(text(statement), params or {})
    return str(caught.value.orig)


def _scalar(db, statement: str, params: dict | None = None):
    with db.engine.connect() as connection:
        return connection.execute(text(statement), params or {}).scalar()


def _trail(db) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            text("SELECT id, action, entity, old, new, reason FROM audit_entries ORDER BY id"))]


def test_the_audit_trail_refuses_a_plain_update_and_delete(db, selection_id):
    trail = _trail(db)
    assert trail, "the import is audited"
    message = _refused(db, "UPDATE audit_entries SET reason = 'nothing happened', "
                           "new = NULL WHERE selection_id = :sid", {"sid": selection_id})
    assert "append-only" in message
    assert "append-only" in _refused(db, "DELETE FROM audit_entries")
    assert "append-only" in _refused(db, "DELETE FROM audit_entries WHERE id = :id",
                                     {"id": trail[0][0]})
    assert _trail(db) == trail

    # Appending still works: that is what the trail is for.
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_entries (selection_id, actor, at, action, entity, entity_key,"
            " reason) VALUES (:sid, '', CURRENT_TIMESTAMP, 'note', 'selection', '', '')"),
            {"sid": selection_id})
    assert len(_trail(db)) == len(trail) + 1


def test_a_score_above_the_selections_scale_is_refused_by_the_database(db, selection_id):
    assert _scalar(db, "SELECT scale_max FROM selections WHERE id = :sid",
                   {"sid": selection_id}) == 5
    row = {"sid": selection_id}
    score_id = _scalar(db, "SELECT min(id) FROM scores WHERE selection_id = :sid", row)
    before = _scalar(db, "SELECT score FROM scores WHERE id = :id", {"id": score_id})

    for value in (6, 100):
        assert "scale" in _refused(db, "UPDATE scores SET score = :v WHERE id = :id",
                                   {"v": value, "id": score_id})
    assert _scalar(db, "SELECT score FROM scores WHERE id = :id", {"id": score_id}) == before

    # A copy of a stored score on another requirement, with 7 on a 0..5 scale.
    copy = ("INSERT INTO scores (selection_id, membership_id, vendor_id, requirement_id,"
            " score, comment, updated_at, version)"
            " SELECT s.selection_id, s.membership_id, s.vendor_id, r.id, :v, '',"
            " CURRENT_TIMESTAMP, 1 FROM scores s JOIN requirements r"
            " ON r.selection_id = s.selection_id AND r.id <> s.requirement_id"
            " WHERE s.id = :id AND NOT EXISTS (SELECT 1 FROM scores t WHERE"
            " t.membership_id = s.membership_id AND t.vendor_id = s.vendor_id"
            " AND t.requirement_id = r.id)")
    count = _scalar(db, "SELECT count(*) FROM scores")
    assert "scale" in _refused(db, copy, {"v": 7, "id": score_id})
    assert _scalar(db, "SELECT count(*) FROM scores") == count
    with db.engine.begin() as connection:  # within the scale the same insert is taken
        connection.execute(text(copy), {"v": 5, "id": score_id})
    assert _scalar(db, "SELECT count(*) FROM scores") > count
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE scores SET score = 0 WHERE id = :id"), {"id": score_id})


def test_a_consensus_above_the_scale_and_a_scale_below_the_scores_are_refused(
        db, selection_id):
    consensus_id = _scalar(db, "SELECT min(id) FROM consensus WHERE selection_id = :sid",
                           {"sid": selection_id})
    assert consensus_id is not None
    assert "scale" in _refused(db, "UPDATE consensus SET score = 9 WHERE id = :id",
                               {"id": consensus_id})
    assert _scalar(db, "SELECT max(score) FROM scores WHERE selection_id = :sid",
                   {"sid": selection_id}) >= 2
    assert "scale" in _refused(db, "UPDATE selections SET scale_max = 1 WHERE id = :sid",
                               {"sid": selection_id})
    assert _scalar(db, "SELECT scale_max FROM selections WHERE id = :sid",
                   {"sid": selection_id}) == 5


def test_downgrading_drops_the_guards_and_upgrading_restores_them(db, selection_id):
    migrate.downgrade(db.engine, "0004")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET reason = reason"))
    migrate.upgrade(db.engine)
    assert "append-only" in _refused(db, "UPDATE audit_entries SET reason = reason")
