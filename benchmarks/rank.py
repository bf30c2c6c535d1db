"""Benchmark of the foundation (issue 3): import, matrix load and ranking for
400 wishes x 10 vendors x 12 members (48,000 scores), and `selector rank --selection ID`
as a whole process beside a plain numpy script on the same selection (median of 15
runs each, taking turns; wall-clock and CPU time).

    python benchmarks/rank.py            # a SQLite file in a temporary folder
    DATABASE_URL=postgresql+psycopg://... python benchmarks/rank.py
"""

from __future__ import annotations

import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import big_selection  # noqa: E402
from selector import migrate  # noqa: E402
from selector.db import Database  # noqa: E402
from selector.domain.method import rank  # noqa: E402
from selector.files.selection_file import validate  # noqa: E402
from selector.services.loader import counted_scores  # noqa: E402
from selector.services.loader import load_selection  # noqa: E402
from selector.services.selection_file import import_selection  # noqa: E402

RUNS = 15


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<52} {time.perf_counter() - start:8.3f} s")
    return result


def median_runs(
    commands: list[list[str]], env: dict, runs: int = RUNS
) -> list[tuple[float, float]]:
    """Median wall-clock and CPU seconds of each command as a whole process. The
    commands take turns, so that a change in the machine's load falls on all of them
    alike; on a shared 2-core machine a single run varies by a third, hence many."""
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, wall, cpu in zip(commands, walls, cpus, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            wall.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return [(statistics.median(wall), statistics.median(cpu))
            for wall, cpu in zip(walls, cpus, strict=True)]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="selector-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    doc = big_selection()
    path = folder / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    print(
        f"selection: {len(doc['requirements'])} requirements, {len(doc['vendors'])} vendors, "
        f"{len(doc['members'])} members, {len(doc['scores'])} scores; database {url.split(':')[0]}"
    )

    db = Database(url)
    migrate.upgrade(db.engine)
    valid = timed("validate the selection file", lambda: validate(doc))

    def do_import():
        with db.transaction() as session:
            return import_selection(session, valid)

    selection_id = timed("import into the database (one transaction)", do_import)

    def load_matrix():
        with db.transaction(write=False) as session:
            return counted_scores(session, selection_id, comments=False)

    rows = timed("load the score matrix (one query, as selector rank)", load_matrix)
    assert len(rows) == len(doc["scores"])

    def load_all():
        with db.transaction(write=False) as session:
            return load_selection(session, selection_id)

    selection = timed("load the whole selection, comments too (as the app)", load_all)
    timed("rank with 10,000 draws", lambda: rank(selection))
    timed("rank with 10,000 draws (again, warm)", lambda: rank(selection))

    db.dispose()  # closed, as after `selector import`: the commands below read it alone
    env = dict(os.environ, DATABASE_URL=url)
    # As installed: pip byte-compiles a package when it installs it; where bytecode is
    # not written (PYTHONDONTWRITEBYTECODE, an editable install), every run would compile
    # the changed sources again and measure that instead. Forced: compileall skips a file
    # whose cached bytecode has the source's modification second, even when the source
    # changed within that second, and Python then compiles it on every import.
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "selector", quiet=1,
                           force=True)
    command = Path(sys.executable).with_name("selector")  # the console script
    start = [str(command)] if command.exists() else [sys.executable, "-m", "selector.cli.main"]
    ours, plain = median_runs(
        [start + ["rank", "--selection", str(selection_id), "--json"],
         [sys.executable, str(Path(__file__).parent / "plain_rank.py"), str(path)]], env)
    for label, (wall, cpu) in (("selector rank --selection ID --json", ours),
                               ("plain numpy script on the JSON file", plain)):
        print(f"{label + f' (median of {RUNS})':<52} {wall:8.3f} s  (CPU {cpu:.3f} s)")


if __name__ == "__main__":
    main()
