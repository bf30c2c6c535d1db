"""Alembic environment: migrations run against the URL the `selector` command chose."""

from alembic import context
from sqlalchemy import engine_from_config
from sqlalchemy import pool

import selector.models  # noqa: F401  (registers every table)
from selector.db import make_engine
from selector.models.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = (
        make_engine(url, poolclass=pool.NullPool)
        if url
        else engine_from_config(
            config.get_section(config.config_ini_section, {}), poolclass=pool.NullPool
        )
    )
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds tables (copy, drop, rename); with foreign keys enforced the
        # drop fails on referenced rows. Switch them off for the migration (outside any
        # transaction, where SQLite honours the pragma) and check integrity afterwards.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        # The last step of a rebuild renames the copy; SQLite (3.26+) then checks every
        # trigger, and one that names the dropped original (the score-scale triggers of
        # revision 0005 read `selections`) fails the rename. The legacy rename does not.
        connection.connection.driver_connection.execute("PRAGMA legacy_alter_table=ON")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA legacy_alter_table=OFF")
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
