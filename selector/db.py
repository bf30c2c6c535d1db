"""Engine and sessions: SQLite pragmas, BEGIN IMMEDIATE for writes, one transaction helper.

SQLite: WAL so readers never block the writer, foreign keys on (off by default),
a busy timeout so a second writer waits instead of failing, and write transactions that
start with BEGIN IMMEDIATE. With SQLite's default deferred transactions, two
read-then-write transactions both read, then one fails or overwrites the other (measured:
8 threads lost 600 of 800 updates); taking the write lock up front serialises them.
PostgreSQL: read-then-write code uses row locks (`with_for_update`) or version checks.

A SQLite file is made by Selector itself, empty and with mode 0600, before SQLite opens
it: SQLite gives its `-wal` and `-shm` files the database file's mode, so all three stay
private (issue 17, item 11). An existing file that others could read is narrowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event

from selector.paths import database_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker

BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _private_sqlite_file(url: str) -> None:
    """Create the database file with mode 0600 (SQLite accepts an empty file as a new
    database), or narrow an existing one and its -wal/-shm files to 0600."""
    import os
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from selector.paths import PRIVATE_FILE
    from selector.paths import narrow_file

    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        os.close(descriptor)
    except FileExistsError:
        for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if part.exists():
                narrow_file(part)
    except OSError:  # no such folder, say: SQLite reports it in its own words
        pass


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is broken).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine with a session factory for reads and one for writes.

    The ORM is imported only when a session is first asked for: `selector rank` reads
    through a plain connection and starts faster without it.
    """

    def __init__(self, url: str | None = None, **engine_kwargs) -> None:
        self.engine = make_engine(url, **engine_kwargs)
        self.url = self.engine.url
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    @cached_property
    def read_session(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(bind=self.engine, expire_on_commit=False)

    @cached_property
    def write_session(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        return sessionmaker(bind=bind, expire_on_commit=False)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """One unit of work: commits at the end, rolls back on any error."""
        factory = self.write_session if write else self.read_session
        session = factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def insert_if_absent(session: Session, model: type, values: dict[str, Any], keys: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None when a
    row with the same unique key exists (someone else was first)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the two supported databases
        raise RuntimeError(f"unsupported database {dialect}")
    statement = (
        insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
        .returning(model.id)
    )
    return session.execute(statement).scalar()
