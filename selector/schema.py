"""Which schema version the database has, without importing Alembic.

`selector rank` and the app check this on start; Alembic itself (slow to import) is
only loaded when a migration has to run. A test keeps HEAD equal to Alembic's head.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

HEAD = "0010"


def revision(engine: Engine) -> str | None:
    """The database's Alembic revision; None for an empty database."""
    from sqlalchemy import inspect
    from sqlalchemy import text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
