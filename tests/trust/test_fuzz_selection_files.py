"""Hostile selection files for `selector import`, as a user would run it (issue 10, point 3):
a 60 MB file and JSON nested 100,000 levels deep are refused in one sentence, without a
traceback, quickly and without using much memory, and the database stays empty. (The
validation of ordinary broken files is tested in tests/files and tests/cli.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

# Runs the command in this interpreter and reports the peak memory (kB) on stderr. The peak
# is VmHWM, the new process's own: getrusage's ru_maxrss would carry over the peak of the
# (large) test process that started it, since Linux keeps it across exec.
LAUNCHER = """
import re, sys
from selector.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
with open("/proc/self/status") as status:
    peak = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
sys.stderr.write("\\nmaxrss_kb=%s\\n" % peak)
sys.exit(code if isinstance(code, int) else 1)
"""


def _import(path, database_url):
    env = dict(os.environ, DATABASE_URL=database_url)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, "import", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    memory_kb = int(lines[-1].split("=")[1])
    return done.returncode, "\n".join(lines[:-1]).strip(), elapsed, memory_kb


def _selections(database_url) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM selections")).scalar()
    engine.dispose()
    return count


@pytest.fixture
def migrated(database_url):
    """The database migrated by a first, harmless command."""
    subprocess.run([sys.executable, "-m", "selector.cli.main", "list"], check=False,
                   env=dict(os.environ, DATABASE_URL=database_url), capture_output=True,
                   timeout=120)
    return database_url


def test_a_60_mb_file_is_refused_quickly_without_reading_it_all(tmp_path, migrated):
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:  # valid JSON start, then 60 MB of white space
        stream.write(b'{"format": "selector/selection", "version": 1, "selection": {"name": "x"}')
        stream.truncate(60 * 1024 * 1024)
    with path.open("r+b") as stream:
        stream.seek(100)
        stream.write(b" " * (60 * 1024 * 1024 - 200))
    code, message, elapsed, memory_kb = _import(path, migrated)
    assert code != 0
    assert "larger than 50 MB" in message, message
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert elapsed < 20, elapsed
    assert memory_kb < 200 * 1024, memory_kb  # it reads at most 50 MB + 1 byte
    assert _selections(migrated) == 0


@pytest.mark.parametrize("body", [
    b"[" * 100_000,
    b'{"a":' * 100_000,
    b'{"format": "selector/selection", "version": 1, "selection": {"name": "x"},'
    b' "requirements": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
], ids=["lists", "objects", "inside a valid file"])
def test_deeply_nested_json_is_refused_cleanly(tmp_path, migrated, body):
    path = tmp_path / "deep.json"
    path.write_bytes(body)
    code, message, elapsed, memory_kb = _import(path, migrated)
    assert code != 0
    assert message.endswith("not valid JSON: the document is nested too deeply"), message
    assert "Traceback" not in message and "RecursionError" not in message, message
    assert len(message.splitlines()) == 1, message
    assert elapsed < 20, elapsed
    assert memory_kb < 400 * 1024, memory_kb
    assert _selections(migrated) == 0


def _with(path: str, value):
    """The worked example with `value` at the dotted `path`."""
    from tests.conftest import EXAMPLE

    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    *head, last = path.split(".")
    target = doc
    for part in head:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return doc


# Issue 17, item 7: values the forms refuse, inside an otherwise valid file. A NUL made
# PostgreSQL refuse the import half-way and a lone surrogate made both databases fail on
# encoding; the others were imported as they were (docs/formats.md, "Limits").
HOSTILE_VALUES = [
    ("vendors.0.notes", "a\u0000b",
     "vendors[0].notes: holds a NUL character (\\u0000), which no text field may hold"),
    ("categories.0.name", "Sales \ud800",
     "categories[0].name: holds a lone surrogate (U+D800), which is not Unicode text"),
    ("scores.0.comment", "\udfff",
     "scores[0].comment: holds a lone surrogate (U+DFFF), which is not Unicode text"),
    ("selection.scale_max", 20_000, "selection.scale_max: must be at most 10, got 20000"),
    ("selection.scale_max", 10**40, f"selection.scale_max: must be at most 10, got {10**40}"),
    ("requirements.0.title", "x" * (10 * 1024 * 1024),
     "requirements[0].title: 10485760 characters, more than the 300 allowed"),
    ("vendors.0.website", "javascript:alert(document.cookie)",
     "vendors[0].website: 'javascript:alert(document.cookie)' is not a web address; write "
     "one that starts with https:// or http://, without spaces"),
    ("vendors.0.website", "data:text/html,<script>alert(1)</script>",
     "vendors[0].website: 'data:text/html,<script>alert(1)</script>' is not a web address; "
     "write one that starts with https:// or http://, without spaces"),
]


@pytest.mark.parametrize(("path", "value", "sentence"), HOSTILE_VALUES,
                         ids=[f"{p}={str(v)[:20]!r}" for p, v, _ in HOSTILE_VALUES])
def test_hostile_values_are_refused_in_one_sentence(tmp_path, migrated, path, value, sentence):
    target = tmp_path / "hostile.json"
    target.write_text(json.dumps(_with(path, value)), encoding="utf-8")  # \ud800 escaped
    code, message, elapsed, memory_kb = _import(target, migrated)
    assert code != 0
    assert message.endswith(sentence), message[-500:]
    assert "Traceback" not in message and len(message.splitlines()) == 1, message[-500:]
    assert elapsed < 20, elapsed
    assert memory_kb < 400 * 1024, memory_kb
    assert _selections(migrated) == 0
