"""Upgrading a database made by the previous release keeps all data (issue 10, point 7).

The fixture `fixtures/release-0001.sql` holds a complete selection as release 0.1 stored
it (schema revision 0001): accounts, the selection, memberships (one removed), categories,
requirements (a knock-out, a rejected one, an explicit weight), allocations, vendors,
sheets (one not submitted), scores, consensus, verdicts and audit entries. A database at
revision 0001 is filled with it and upgraded to the head: every row is still there with
every value, the new columns hold their defaults, the ranking is the same, and the app
works on the upgraded data (a login, its pages, a write through a service).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy import text

from selector import migrate

FIXTURE = Path(__file__).parent / "fixtures" / "release-0001.sql"
PASSWORD = "release one passphrase, long enough"
# The tables of revision 0001, each with the column that orders its rows.
TABLES = ("accounts", "login_attempts", "selections", "api_tokens", "password_links",
          "login_sessions", "memberships", "categories", "requirements", "allocations",
          "vendors", "sheets", "scores", "consensus", "verdicts", "audit_entries",
          "final_weights", "final_reports")
NEW_TABLES = ("assignments", "pairwise_judgements", "attachments")

# Columns a later migration drops on purpose: 0008 removes the setting that opened the
# costs to scorers before scoring closed (decisions.md: the prijskluis).
DROPPED = {"selections": {"prices_visible_to_scorers"}}


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in re.split(r";\s*$", "\n".join(lines), flags=re.M) if s.strip()]


def _load_fixture(engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.exec_driver_sql("SET TIME ZONE 'UTC'")
        for statement in _statements(FIXTURE.read_text(encoding="utf-8")):
            connection.exec_driver_sql(statement)
        if postgres:  # explicit ids: move the sequences past them, as pg_dump would
            for table in TABLES:
                if table == "login_sessions":  # a text key, no sequence
                    continue
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table})) WHERE EXISTS (SELECT 1 FROM {table})")


def _snapshot(engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {table: [dict(row) for row in connection.execute(
                    text(f"SELECT * FROM {table} ORDER BY id")).mappings()]
                for table in TABLES}


RANKING_0001 = [("northwind", 62.694444), ("zephyr", 30.586111), ("poldersuite", 63.961111)]


def _rank(engine):
    from selector.domain.method import rank
    from selector.services.loader import load_selection

    with engine.connect() as connection:
        return rank(load_selection(connection, 1))


def test_a_release_0001_database_upgrades_with_all_its_data(db, tmp_path, monkeypatch):
    engine = db.engine
    migrate.downgrade(engine, "base")
    migrate.upgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    _load_fixture(engine)
    before = _snapshot(engine)
    counts = {table: len(rows) for table, rows in before.items()}
    assert counts == {"accounts": 8, "login_attempts": 2, "selections": 1, "api_tokens": 1,
                      "password_links": 1, "login_sessions": 1, "memberships": 6,
                      "categories": 4, "requirements": 8, "allocations": 16, "vendors": 3,
                      "sheets": 10, "scores": 28, "consensus": 1, "verdicts": 3,
                      "audit_entries": 9, "final_weights": 0, "final_reports": 0}

    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()

    # Every row, every value of the old columns.
    after = _snapshot(engine)
    for table, rows in before.items():
        gone = DROPPED.get(table, set())
        rows = [{k: v for k, v in row.items() if k not in gone} for row in rows]
        kept = [{column: row[column] for column in rows[0]} for row in after[table]] \
            if rows else after[table]
        assert kept == rows, table
        assert not gone & set(after[table][0] if after[table] else ()), table
    # The new columns hold their defaults, the new tables are empty.
    assert {(row["weight_reason"], row["quality_flags"], row["structured"], row["library_id"])
            for row in after["requirements"]} == {("", "[]", None, None)}
    assert [bool(row["owner_groups_decide"]) for row in after["selections"]] == [False]
    with engine.connect() as connection:
        for table in NEW_TABLES:
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
    assert set(inspect(engine).get_table_names()) >= set(TABLES) | set(NEW_TABLES)

    # The same ranking, before and after; the knock-out still excludes PolderSuite.
    # (The loader reads the newest schema, so "before" is the fixture's ranking as release
    # 0001 computed it, written out here.)
    ranking_after = _rank(engine)
    assert [(v["key"], round(v["total"], 6)) for v in ranking_after["vendors"]] == RANKING_0001
    vendors = {v["key"]: v for v in ranking_after["vendors"]}
    assert ranking_after["vendors"][0]["key"] == "northwind"
    assert vendors["poldersuite"]["excluded"] is True
    assert vendors["northwind"]["excluded"] is False

    _the_app_works_on_it(db, tmp_path, monkeypatch, ranking_after)


def _the_app_works_on_it(db, tmp_path, monkeypatch, ranking) -> None:
    from selector.files.selection_file import validate
    from selector.models import Account
    from selector.models import Requirement
    from selector.models import Selection
    from selector.services import accounts
    from selector.services import memberships
    from selector.services.selection_file import export_selection
    from selector.web import database
    from selector.web.app import create_app
    from tests.web.conftest import Browser

    # The ORM reads the upgraded rows; a write through a service gets fresh ids.
    with db.transaction() as session:
        selection = session.get(Selection, 1)
        fenna = accounts.find_account(session, "fenna@example.org")
        assert accounts.verify_password(fenna, PASSWORD)
        assert [r.quality_flags for r in session.query(Requirement)] == ["[]"] * 8
        accounts.create_account(session, "nina@example.org", "Nina Nieuw", PASSWORD)
        added = memberships.add_member(session, selection, fenna, "nina@example.org",
                                       "observer")
        assert added.member.membership.id == 7
        assert session.query(Account).count() == 9
    with db.transaction(write=False) as session:
        exported = validate(export_selection(session, 1))
    assert {v["key"] for v in exported["vendors"]} == {v["key"] for v in ranking["vendors"]}

    # The pages of the upgraded selection, as its facilitator and its sponsor see them.
    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "upgrade", "DATABASE_URL": db.url
                      .render_as_string(hide_password=False), "SERVER_NAME": "selector.test"})
    try:
        for email in ("fenna@example.org", "marloes@example.org"):
            browser = Browser(app)
            browser.login(email, PASSWORD)
            for path in ("/selections/1", "/selections/1/requirements",
                         "/selections/1/vendors", "/selections/1/analysis",
                         "/selections/1/report"):
                page = browser.get(path)
                assert page.status_code == 200, (email, path, page.status_code)
            report = browser.get("/selections/1/report").get_data(as_text=True)
            assert "Northwind CRM" in report
    finally:
        database.dispose(app)
