"""Shared fixtures: a fresh, migrated database per test, on SQLite or PostgreSQL.

The tests run on the database that DATABASE_URL names (PostgreSQL in CI's second run),
otherwise on SQLite files. Each test gets its own database, copied from one migrated
template, so tests never see each other's rows.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "crm-selection.json"
EXAMPLE_RANKING = DATA / "crm-selection.ranking.json"

# CI: few examples, and the same ones every run (derandomize), so that a red CI names a
# change, not a dice roll; the dev profile explores new examples each run.
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REQUIRE_ALL = os.environ.get("SELECTOR_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip with a visible reason locally; in CI (SELECTOR_REQUIRE_ALL=1) a skip fails."""
    if REQUIRE_ALL:
        pytest.fail(f"required but missing: {reason}")
    pytest.skip(reason)


def _server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that use a database: the others (the method,
    file validation, the PDF from a file) ran already in the SQLite run and would only
    make CI longer. SELECTOR_ALL_TESTS=1 runs everything anyway."""
    if _server_url() is None or os.environ.get("SELECTOR_ALL_TESTS") == "1":
        return
    keep, drop = [], []
    for item in items:
        (keep if "database_url" in getattr(item, "fixturenames", ()) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once; per-test databases are copies of this template."""
    from selector import migrate
    from selector.db import make_engine

    server = _server_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield ("sqlite", path)
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    template = f"selector_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{template}"')
    engine = make_engine(url.set(database=template).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    engine.dispose()
    yield ("postgres", (admin, url, template))
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def _postgres_work_database(database_template):
    """On PostgreSQL, one migrated database that every test empties before it runs:
    creating a database per test costs a second or more, emptying it milliseconds."""
    kind, template = database_template
    if kind != "postgres":
        yield None
        return
    admin, base_url, template_name = template
    name = f"selector_w_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    yield name
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_postgres(admin, url: str, name: str) -> None:
    """End what earlier tests left connected, bring the schema to head, empty every table."""
    from sqlalchemy import text

    from selector import migrate
    from selector import schema
    from selector.db import make_engine

    with admin.connect() as c:
        c.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    engine = make_engine(url)
    try:
        if schema.revision(engine) != schema.HEAD:  # a migration test went down
            migrate.upgrade(engine)
        with engine.begin() as c:
            tables = [
                row[0]
                for row in c.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    " AND tablename <> 'alembic_version'"
                )
            ]
            if tables:
                c.exec_driver_sql(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
    finally:
        engine.dispose()


@pytest.fixture
def database_url(database_template, _postgres_work_database, tmp_path, monkeypatch):
    """An empty migrated database for this test; DATABASE_URL points at it."""
    kind, template = database_template
    if kind == "sqlite":
        path = tmp_path / "selector.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        return
    admin, base_url, _template_name = template
    url = base_url.set(database=_postgres_work_database).render_as_string(hide_password=False)
    _empty_postgres(admin, url, _postgres_work_database)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url


@pytest.fixture(scope="session")
def compiled_templates(tmp_path_factory):
    """Compiled templates shared by the apps of this test process: each test makes its
    own app, and compiling its templates anew took longer than many a test (keyed by
    each template's source, so an edited template is compiled again)."""
    from jinja2 import FileSystemBytecodeCache

    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("compiled-templates")))


@pytest.fixture
def db(database_url):
    from selector.db import Database

    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def example_doc():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def example_selection():
    """The worked example as the method's input (a `selector.domain` Selection)."""
    from selector.files.to_domain import selection_from_file

    return selection_from_file(json.loads(EXAMPLE.read_text(encoding="utf-8")))


@pytest.fixture
def expected_ranking():
    return json.loads(EXAMPLE_RANKING.read_text(encoding="utf-8"))


def assert_ranking_matches(got, want, path="", *, keys_in_order=False):
    """Compare ranking documents: floats within 1e-6, p_first within 0.03, rest exact;
    with `keys_in_order`, every object's keys in the same order too (the method's own
    output; a document that went through a JSON column may come back reordered)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        if keys_in_order:
            assert list(got) == list(want), f"{path}: keys {list(got)} != {list(want)}"
        assert set(got) == set(want), f"{path}: keys {sorted(got)} != {sorted(want)}"
        for key in want:
            assert_ranking_matches(got[key], want[key], f"{path}.{key}",
                                   keys_in_order=keys_in_order)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_ranking_matches(g, w, f"{path}[{i}]", keys_in_order=keys_in_order)
    elif isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{path}: {got!r} != {want!r}"
    else:
        tolerance = 0.03 if ".p_first." in path else 1e-6
        assert isinstance(got, int | float) and not isinstance(got, bool), path
        assert abs(got - want) <= tolerance, f"{path}: {got} != {want}"


@contextmanager
def sql_statements(engine) -> Iterator[list[str]]:
    """The SQL statements `engine` sends inside the block, to count queries (no N+1)."""
    from sqlalchemy import event

    sent: list[str] = []

    def record(connection, cursor, statement, *args) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)
