"""Benchmark of the requirements list (issue 5): 1,000 requirements in one selection,
the list page rendered in full (goal: under 300 ms), its filters and search, and one
requirement's page.

    python benchmarks/requirements_list.py            # a SQLite file in a temporary folder
    DATABASE_URL=postgresql+psycopg://... python benchmarks/requirements_list.py

Every request is a real request through the Flask app (the test client: routing, the
permission check, one query for the rows, rendering), signed in as the facilitator (the
heaviest page: a check box per row for decisions), nothing cached between requests. The
1,000 requirements are made through the services: 172 from the library (every item),
the rest written with flags of every kind, 1 in 5 accepted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.analysis_page import FACILITATOR  # noqa: E402
from benchmarks.analysis_page import PASSWORD  # noqa: E402
from benchmarks.analysis_page import log_in  # noqa: E402
from selector import migrate  # noqa: E402
from selector.db import Database  # noqa: E402
from selector.models import Category  # noqa: E402
from selector.models import Requirement  # noqa: E402
from selector.models import Selection  # noqa: E402
from selector.services import accounts  # noqa: E402
from selector.services import memberships  # noqa: E402
from selector.services import requirements as service  # noqa: E402
from selector.services import selections  # noqa: E402

COUNT = 1_000
RUNS = 9
GOAL = 0.300
TOPICS = ("leads", "opportunities", "campaigns", "complaints", "contacts", "quotes",
          "reports", "dashboards", "e-mail", "telephony", "portal", "surveys")
VERBS = ("register", "assign", "follow up", "report on", "archive", "merge", "export",
         "import", "search", "plan")


def build(db: Database) -> int:
    """A selection with COUNT requirements by three members; returns its id."""
    with db.transaction() as session:
        fenna = accounts.create_account(session, FACILITATOR, "Fenna", PASSWORD)
        selection = selections.create_selection(session, fenna, name="Benchmark CRM")
        members = {"business": fenna}
        for role in ("business", "it"):
            added = memberships.add_member(session, selection, fenna, f"{role}@example.org",
                                           role, name=role.title())
            members[role] = added.member.account
        picked = service.pick_from_library(session, selection, members["business"], "business",
                                           [item.id for item in service.load_library()])
        categories = list(session.scalars(select_categories(selection.id)))
        codes = service.CodeAllocator(session, selection.id)
        made = list(picked.created)
        for n in range(COUNT - len(made)):
            category = categories[n % len(categories)]
            role = "it" if category.domain == "it" else "business"
            verb, topic = VERBS[n % len(VERBS)], TOPICS[(n // len(VERBS)) % len(TOPICS)]
            vague = " quickly and user-friendly" if n % 7 == 0 else ""
            values = service.RequirementFields(
                category_id=category.id,
                title=f"{verb.capitalize()} {topic}{vague} (variant {n})",
                description=f"Staff {verb} {topic} for team {n % 23}.",
                verification_criterion="" if n % 5 == 0 else
                f"In the demo, {n % 9 + 2} test users {verb} {topic} within 3 minutes.",
                priority=("must", "should", "could", "should")[n % 4],
                knockout=n % 31 == 0, knockout_rationale="Required by policy 2024-7."
                if n % 31 == 0 else "")
            made.append(service.create_requirement(
                session, selection, members[role], role, values, codes=codes, refresh=False))
        service.refresh_quality(session, selection.id, made)
        for n, requirement in enumerate(made):
            if n % 5 == 0:
                requirement.status = "accepted"
        return selection.id


def select_categories(selection_id: int):
    from sqlalchemy import select

    return select(Category).where(Category.selection_id == selection_id).order_by(
        Category.position)


def timed(client, path: str, runs: int = RUNS) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.data)
    return statistics.median(times), size


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="selector-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    os.environ["SELECTOR_INSTANCE"] = str(folder / "instance")
    db = Database(url)
    migrate.upgrade(db.engine)
    started = time.perf_counter()
    sid = build(db)
    built = time.perf_counter() - started
    with db.transaction(write=False) as session:
        from sqlalchemy import func
        from sqlalchemy import select

        total = session.scalar(select(func.count()).select_from(Requirement).where(
            Requirement.selection_id == sid))
        flagged = session.scalar(select(func.count()).select_from(Requirement).where(
            Requirement.selection_id == sid, Requirement.quality_flags != "[]"))
        assert session.get(Selection, sid) is not None
        one = session.scalar(select(Requirement.id).where(Requirement.selection_id == sid)
                             .order_by(Requirement.id.desc()))
        category = session.scalar(select(Category.id).where(Category.selection_id == sid,
                                                            Category.key == "service"))
    print(f"selection: {total} requirements ({flagged} with quality flags), made through "
          f"the services in {built:.1f} s; database {url.split(':')[0]}")

    from selector.web.app import create_app

    app = create_app({"SECRET_KEY": "benchmark", "DATABASE_URL": url,
                      "SERVER_NAME": "bench.local"})
    client = app.test_client()
    log_in(client)
    base = f"/selections/{sid}/requirements"
    print(f"{'request (median of ' + str(RUNS) + ')':<58} {'time':>9} {'rows':>6} {'size':>8}")
    pages = [
        ("the list, all 1,000 (goal < 300 ms)", base),
        ("filter: IT domain", f"{base}?domain=it"),
        ("filter: one category", f"{base}?category={category}"),
        ("filter: must, proposed", f"{base}?priority=must&status=proposed"),
        ("filter: knock-outs only", f"{base}?knockout=yes"),
        ("filter: with quality flags", f"{base}?flagged=y"),
        ("search: 'complaints'", f"{base}?q=complaints"),
        ("search + filters: 'follow up' business should", f"{base}?q=follow+up&domain=business"
         "&priority=should"),
        ("the quality list", f"{base}/quality"),
        ("one requirement with its history", f"{base}/{one}"),
    ]
    worst = 0.0
    for label, path in pages:
        seconds, size = timed(client, path)
        rows = client.get(path).get_data(as_text=True).count('name="ids"')
        print(f"{label:<58} {seconds * 1000:7.1f} ms {rows:>6} {size / 1024:6.0f} KB")
        if path == base:
            worst = seconds
    print(f"\nthe full list: {worst * 1000:.0f} ms, "
          + ("within the goal of 300 ms" if worst < GOAL else "OVER the goal of 300 ms")
          + f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    from selector.web import database

    database.dispose(app)
    db.dispose()


if __name__ == "__main__":
    main()
