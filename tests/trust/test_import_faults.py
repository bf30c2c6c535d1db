"""Faults: `selector import` killed with SIGKILL at any moment leaves the database whole,
with the selection either entirely there or entirely absent (issue 10, point 5)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from benchmarks.generate import big_selection


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("fault") / "big.json"
    path.write_text(json.dumps(big_selection(wishes=200, vendors=8, members=8)), encoding="utf-8")
    return path


def _counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        selections = connection.execute(text("SELECT count(*) FROM selections")).scalar()
        scores = connection.execute(text("SELECT count(*) FROM scores")).scalar()
        if url.startswith("sqlite"):
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    engine.dispose()
    return selections, scores


def _import(env, path):
    return subprocess.run(
        [sys.executable, "-m", "selector.cli.main", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("fraction", [0.55, 0.75, 0.9])
def test_an_import_killed_midway_is_all_or_nothing(big_file, database_url, fraction):
    """Time one whole import, then kill a second one at a fraction of that time."""
    n = len(json.loads(big_file.read_text())["scores"])
    env = dict(os.environ, DATABASE_URL=database_url)
    started = time.perf_counter()
    first = _import(env, big_file)
    duration = time.perf_counter() - started
    assert first.returncode == 0, first.stderr
    assert _counts(database_url) == (1, n)

    process = subprocess.Popen(
        [sys.executable, "-m", "selector.cli.main", "import", str(big_file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(duration * fraction)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    selections, scores = _counts(database_url)
    assert (selections, scores) in {(1, n), (2, 2 * n)}

    again = _import(env, big_file)  # the database still takes a complete import
    assert again.returncode == 0, again.stderr
    assert _counts(database_url) == (selections + 1, scores + n)
