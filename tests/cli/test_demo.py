"""`selector demo` keeps to its own database in the instance folder (issue 21, item 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from selector.db import Database
from selector.models import Account, Selection


def demo(instance, database_url: str):
    env = {**os.environ, "SELECTOR_INSTANCE": str(instance), "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "selector.cli.main", "demo", "--no-serve"],
        capture_output=True, text=True, env=env, timeout=300,
    )


def test_demo_never_writes_into_database_url(database_url, tmp_path):
    instance = tmp_path / "instance"
    first = demo(instance, database_url)
    assert first.returncode == 0, first.stderr
    again = demo(instance, database_url)  # idempotent: the selections are made once
    assert again.returncode == 0, again.stderr

    production = Database(database_url)
    with production.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Selection)) == 0
        assert session.scalar(select(func.count()).select_from(Account)) == 0
    production.dispose()

    path = instance / "demo.db"
    assert path.is_file()
    lines = again.stdout.splitlines()
    assert f"The demo's own database: {path}" in lines
    assert "(DATABASE_URL is set, but the demo never uses it: it keeps to this file.)" in lines
    assert f"  DATABASE_URL=sqlite:///{path} selector list" in lines
    assert f"  sqlite3 {path}" in lines
    assert sum(line.startswith("Demo selection ") for line in lines) == 2  # there already

    listed = subprocess.run(
        [sys.executable, "-m", "selector.cli.main", "list", "--json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 2
