"""A read-only connection through the database's own DB-API driver, for
`selector rank --selection ID`.

Importing SQLAlchemy takes longer than the whole ranking (about 0.15 to 0.4 s on a
2-core machine, against 0.05 s for the 10,000 draws), and the command only reads a
handful of queries. So it asks sqlite3 or psycopg directly, with the same SQL as the
app (`selector.services.loader`). Anything this does not handle (another driver, an
in-memory database, an empty database) returns None, and the command takes the usual
way through SQLAlchemy.

All its queries read one snapshot of the database (a read transaction; REPEATABLE READ
on PostgreSQL), as the app's session does: members may be saving scores meanwhile, and
the scores must fit the sheets, vendors and requirements read beside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit

from selector.cli.errors import CommandError
from selector.services.loader import Run
from selector.services.loader import dbapi_runner

BUSY_TIMEOUT_MS = 15_000  # as selector.db: wait for a writer instead of failing


@contextmanager
def reader(url: str) -> Iterator[Run | None]:
    """A runner for `selector.services.loader`, or None where this cannot help."""
    connection = _connect(url)
    if connection is None:
        yield None
        return
    try:
        run = dbapi_runner(connection, "sqlite" if url.startswith("sqlite") else "postgresql")
        version = _version(run)
        if version is None:
            yield None  # an empty database: the usual way migrates it first
            return
        from selector import schema

        if version != schema.HEAD:
            raise CommandError(
                f"the database has schema version {version}, not this Selector's "
                f"{schema.HEAD}; run 'selector db upgrade' first"
            )
        yield run
    finally:
        connection.close()


def _connect(url: str):
    scheme, _, rest = url.partition("://")
    if scheme == "sqlite":
        path = unquote(urlsplit(url).path)[1:]  # sqlite:///relative or sqlite:////absolute
        if not path or path == ":memory:" or urlsplit(url).query:
            return None
        import sqlite3

        try:
            connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True,
                                         timeout=BUSY_TIMEOUT_MS / 1000,
                                         isolation_level=None)
        except sqlite3.Error:
            return None  # e.g. no file yet: the usual way creates it
        connection.execute("BEGIN")  # the snapshot starts at the first read
        return connection
    if scheme in ("postgresql+psycopg", "postgresql", "postgres"):
        try:
            import psycopg
        except ImportError:
            return None
        try:
            connection = psycopg.connect("postgresql://" + rest)
        except psycopg.Error as error:
            raise CommandError(f"cannot connect to the database: {error}".strip()) from None
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        return connection
    return None


def _version(run: Run) -> str | None:
    try:
        rows = list(run("SELECT version_num FROM alembic_version", {}))
    except Exception:  # noqa: BLE001 - no such table: an empty database
        return None
    return rows[0][0] if rows else None
