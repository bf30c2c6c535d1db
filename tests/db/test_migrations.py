"""Migrations: empty to head, head to base, and a migrated schema equal to the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import selector.models as models
from selector import migrate
from selector.db import make_engine


def test_migrated_schema_equals_the_models(db):
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, models.Base.metadata) == []


def test_downgrade_to_base_and_up_again(db):
    migrate.downgrade(db.engine, "base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(db.engine)
    assert set(inspect(db.engine).get_table_names()) >= set(models.Base.metadata.tables)


def test_sqlite_connections_have_the_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    engine.dispose()


def test_the_lean_schema_check_knows_the_head(db):
    from selector import schema

    assert schema.HEAD == migrate.head_revision()
    assert schema.revision(db.engine) == schema.HEAD


def test_migrations_keep_data_down_and_up(db, example_doc):
    """A database holding a selection goes down to the first schema and back up, and
    ranks the same (SecureDrop's lesson: test migrations with data in them)."""
    from selector.domain.method import rank
    from selector.files.selection_file import validate
    from selector.services.loader import load_selection
    from selector.services.selection_file import import_selection

    with db.transaction() as session:
        selection_id = import_selection(session, validate(example_doc))
    with db.engine.connect() as connection:
        before = rank(load_selection(connection, selection_id))
    migrate.downgrade(db.engine, "0001")
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        after = rank(load_selection(connection, selection_id))
    assert after == before
