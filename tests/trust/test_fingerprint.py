"""The database fingerprint that every "a refusal changes nothing" check relies on
notices a change of one value, an added row and a removed row, and nothing else (on
SQLite and, computed by the server, on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from tests.trust.access_world import build_world
from tests.trust.access_world import changed_tables
from tests.trust.access_world import fingerprint


def test_the_fingerprint_notices_every_kind_of_change(app, dbs):
    world = build_world(dbs, "scoring", final_reports=False)
    before = fingerprint(dbs)
    assert fingerprint(dbs) == before  # the same database, the same fingerprint
    assert before["requirements"][0] >= 1 and before["scores"][0] >= 0

    def after(statement: str, params: dict) -> list[str]:
        with dbs.engine.begin() as connection:
            connection.execute(text(statement), params)
        return changed_tables(before, fingerprint(dbs))

    assert after("UPDATE requirements SET title = title || '.' WHERE id = :id",
                 {"id": world.a.ids["wish"]}) == ["requirements"]
    before = fingerprint(dbs)
    columns = "selection_id, account_id, actor, at, action, entity, entity_key, old, new, reason"
    assert after(f"INSERT INTO audit_entries ({columns}) SELECT {columns} FROM audit_entries"
                 " WHERE id = (SELECT min(id) FROM audit_entries)", {}) == ["audit_entries"]
    with_copy = fingerprint(dbs)
    assert with_copy["audit_entries"][0] == before["audit_entries"][0] + 1
    # A removed row, on another table: the database refuses to delete audit entries.
    before = with_copy
    assert after("DELETE FROM allocations WHERE id = (SELECT max(id) FROM allocations)",
                 {}) == ["allocations"]
