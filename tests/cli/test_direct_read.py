"""`selector rank --selection ID` reads through the database's own driver, without
importing SQLAlchemy (a lean start), and falls back to the usual way where it cannot."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from selector import schema
from selector.cli.direct_read import reader
from selector.cli.errors import CommandError
from selector.files.selection_file import validate
from selector.services.loader import load_selection
from selector.services.selection_file import import_selection
from tests.conftest import assert_ranking_matches

# Ranks in a fresh interpreter and says whether SQLAlchemy or Flask was imported.
PROBE = """
import json, sys
from selector.cli.main import main
code = main(["rank", "--selection", sys.argv[1], *sys.argv[2:]])
sys.stderr.write("\\nsqlalchemy=%s flask=%s\\n" % ("sqlalchemy" in sys.modules,
                                                   "flask" in sys.modules))
sys.exit(code)
"""


def _imported(db, example_doc) -> int:
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))


def test_rank_reads_without_sqlalchemy_and_equals_the_example(db, database_url, example_doc,
                                                             expected_ranking):
    selection_id = _imported(db, example_doc)
    done = subprocess.run([sys.executable, "-c", PROBE, str(selection_id), "--json"],
                          text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("sqlalchemy=False flask=False")
    assert_ranking_matches(json.loads(done.stdout), expected_ranking)


def test_the_ranked_selection_and_a_refusal_need_neither_sqlalchemy_nor_flask(
        db, database_url, example_doc):
    """The table with its flip points (the ranked selection's facts) starts as lean; a
    refusal, rare, may load Flask-Babel for its message."""
    selection_id = _imported(db, example_doc)
    done = subprocess.run([sys.executable, "-c", PROBE, str(selection_id)], text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("sqlalchemy=False flask=False")
    assert "  backup: rises above 23.0% (now 9.8%) -> tulip first" in done.stdout
    missing = subprocess.run([sys.executable, "-c", PROBE, "999"], text=True,
                             capture_output=True, timeout=120)
    assert missing.returncode == 1
    assert missing.stderr.startswith("selector: There is no selection 999.\n")
    assert "sqlalchemy=False" in missing.stderr


def test_the_driver_and_sqlalchemy_load_the_same_selection(db, database_url, example_doc):
    selection_id = _imported(db, example_doc)
    with reader(database_url) as run:
        assert run is not None
        direct = load_selection(run, selection_id)
    with db.engine.connect() as connection:
        assert direct == load_selection(connection, selection_id)


def test_an_empty_database_takes_the_usual_way(tmp_path):
    """No schema yet: the reader steps aside; the command migrates and says what is
    missing."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    create_engine(url).connect().close()  # an empty file
    with reader(url) as run:
        assert run is None
    done = subprocess.run([sys.executable, "-m", "selector.cli.main", "rank", "--selection",
                           "1"], env={"DATABASE_URL": url, "PATH": ""}, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == "selector: There is no selection 1."


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://x@y/z"])
def test_what_it_cannot_read_is_left_to_sqlalchemy(url):
    with reader(url) as run:
        assert run is None


def test_an_older_schema_is_refused_in_one_sentence(db, database_url):
    def set_version(version: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"),
                               {"v": version})

    set_version("0001")
    try:
        with pytest.raises(CommandError, match="schema version 0001.*selector db upgrade"):
            with reader(database_url):
                pass
    finally:
        set_version(schema.HEAD)  # the schema itself is the newest: say so again


def test_the_reader_reads_one_snapshot(db, database_url, example_doc):
    """A score saved while `selector rank` reads is not half seen: every query of the
    reader sees the database as at its first."""
    selection_id = _imported(db, example_doc)
    with reader(database_url) as run:
        before = load_selection(run, selection_id)
        with db.engine.begin() as connection:  # another member saves meanwhile
            connection.execute(text("UPDATE scores SET score = 0 WHERE selection_id = :s"),
                               {"s": selection_id})
            connection.execute(text("UPDATE vendors SET name = 'Renamed' WHERE selection_id"
                                    " = :s"), {"s": selection_id})
        assert load_selection(run, selection_id) == before
    with reader(database_url) as run:  # a new read sees the change
        after = load_selection(run, selection_id)
    assert set(after.scores.values) == {0} and {v.name for v in after.vendors} == {"Renamed"}
