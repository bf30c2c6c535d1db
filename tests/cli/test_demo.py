"""`selector demo` keeps to its own database in the instance folder (issue 21, item 9) and
holds one selection in each phase, with what to try first (issue 22, item 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import func
from sqlalchemy import select

from selector.db import Database
from selector.models import Account
from selector.models import Allocation
from selector.models import AuditEntry
from selector.models import Membership
from selector.models import Requirement
from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from selector.models import Vendor
from selector.services.accounts import verify_password


def demo(instance, database_url: str | None = None):
    """`selector demo --no-serve` in its own process; without DATABASE_URL if None."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["SELECTOR_INSTANCE"] = str(instance)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
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
    assert sum(line.startswith("Demo selection ") for line in lines) == 8  # there already

    listed = subprocess.run(
        [sys.executable, "-m", "selector.cli.main", "list", "--json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 8  # one per phase and language


PHASES = {  # the demo selections' names and the phase each is in
    "Demo step 1, requirements: CRM Gemeente Voorbeeld 2026": "requirements",
    "Demostap 1, eisen: CRM Gemeente Voorbeeld 2026": "requirements",
    "Demo step 2, weighting: CRM Gemeente Voorbeeld 2026": "weighting",
    "Demostap 2, weging: CRM Gemeente Voorbeeld 2026": "weighting",
    "Demo step 3, scoring: CRM Gemeente Voorbeeld 2026": "scoring",
    "Demostap 3, scoren: CRM Gemeente Voorbeeld 2026": "scoring",
    "CRM selection Gemeente Voorbeeld 2026": "decision",
    "CRM-selectie Gemeente Voorbeeld 2026": "decision",
}


def test_demo_has_one_selection_in_each_phase_and_says_what_to_try(tmp_path):
    """Issue 22, item 5: beside the finished selection, one in each earlier phase per
    language, created once; the demo says which exist and what to try as whom."""
    instance = tmp_path / "instance"
    first = demo(instance)
    assert first.returncode == 0, first.stderr
    again = demo(instance)
    assert again.returncode == 0, again.stderr

    db = Database(f"sqlite:///{instance / 'demo.db'}")
    with db.transaction(write=False) as session:
        rows = session.execute(select(Selection.id, Selection.name, Selection.phase)).all()
        assert sorted((name, phase) for _, name, phase in rows) == sorted(PHASES.items())
        id_of = {name: selection_id for selection_id, name, _ in rows}
        by_phase = {phase: [id_of[n] for n, p in PHASES.items() if p == phase]
                    for phase in ("requirements", "weighting", "scoring", "decision")}

        # Requirements: proposals to decide, IT's structured answers, flags to fix.
        for selection_id in by_phase["requirements"]:
            proposed = session.execute(
                select(Requirement.code, Requirement.structured.is_not(None))
                .where(Requirement.selection_id == selection_id,
                       Requirement.status == "proposed")).all()
            assert sorted(code for code, _ in proposed) == [
                "BUS-CV-03", "BUS-RPT-03", "BUS-SAL-03", "BUS-SVC-04", "IT-BCK-04",
                "IT-BCK-05", "IT-BRW-02", "IT-SEC-03", "IT-STD-03", "IT-STD-04"]
            assert sum(structured for _, structured in proposed) == 4  # IT's four answers
            flags = dict(session.execute(
                select(Requirement.code, Requirement.quality_flags)
                .where(Requirement.selection_id == selection_id)).all())
            assert '"vague_word"' in flags["BUS-SVC-04"]
            assert '"no_verification_criterion"' in flags["BUS-SVC-04"]
            assert '"duplicate_title"' in flags["BUS-CV-03"]
            assert '"duplicate_title"' in flags["BUS-CV-02"]
            assert '"vague_word"' in flags["IT-SEC-03"]
            assert weighers(session, selection_id) == set()

        # Weighting: some members have weighed, others not; nothing frozen.
        for selection_id in by_phase["weighting"]:
            assert weighers(session, selection_id) == {
                "bram@example.org", "sanne@example.org", "ingrid@example.org"}
            assert frozen(session, selection_id) is False

        # Scoring: weights frozen, sheets partly filled, some submitted, some not begun.
        for selection_id in by_phase["scoring"]:
            assert frozen(session, selection_id) is True
            assert weighers(session, selection_id) == {
                "bram@example.org", "sanne@example.org", "youssef@example.org",
                "ingrid@example.org", "koen@example.org"}
            sheets = session.execute(
                select(Account.email, Vendor.key, Sheet.submitted_at.is_not(None),
                       select(func.count()).where(Score.membership_id == Sheet.membership_id,
                                                  Score.vendor_id == Sheet.vendor_id)
                       .scalar_subquery())
                .join(Membership, Membership.id == Sheet.membership_id)
                .join(Account, Account.id == Membership.account_id)
                .join(Vendor, Vendor.id == Sheet.vendor_id)
                .where(Membership.selection_id == selection_id)).all()
            assert sorted(sheets) == [
                ("bram@example.org", "northwind", True, 13),
                ("bram@example.org", "polder", True, 13),
                ("bram@example.org", "tulip", False, 6),
                ("ingrid@example.org", "northwind", True, 9),
                ("ingrid@example.org", "polder", True, 9),
                ("ingrid@example.org", "tulip", True, 9),
                ("sanne@example.org", "northwind", True, 13),
                ("sanne@example.org", "polder", False, 6),
                ("youssef@example.org", "northwind", False, 6),
            ]
            scored = session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.selection_id == selection_id, AuditEntry.entity == "score"))
            assert scored == 13 * 2 + 6 + 9 * 3 + 13 + 6 + 6  # each save audited
    db.dispose()

    def said(output: str) -> list[str]:
        return [line for line in output.splitlines()
                if line.startswith(("Loaded demo selection ", "Demo selection "))]

    assert said(first.stdout) == [f"Loaded demo selection {id_of[name]}: {name}"
                                  for name in PHASES]
    assert said(again.stdout) == [f"Demo selection {id_of[name]} is there: {name}"
                                  for name in PHASES]  # created once
    lines = again.stdout.splitlines()
    start = lines.index("What to try first (sign in with an account below, at the address "
                        "printed last):")
    assert lines[start + 1] == (f"  1. The requirements phase (selection "
                                f"{by_phase['requirements'][0]}; in Dutch "
                                f"{by_phase['requirements'][1]}):")
    assert lines[start + 2].startswith("     as fenna@example.org (facilitator), accept or "
                                       "reject the proposed requirements")
    assert (f"  2. The weighting phase (selection {by_phase['weighting'][0]}; in Dutch "
            f"{by_phase['weighting'][1]}):") in lines
    assert (f"  3. The scoring phase (selection {by_phase['scoring'][0]}; in Dutch "
            f"{by_phase['scoring'][1]}):") in lines
    assert "  4. The decision phase (selection 1; in Dutch 2):" in lines
    accounts = lines[lines.index("Demo accounts (new passwords each time the demo starts):")
                     + 1:]
    roles = [line.split()[:2] for line in accounts[: accounts.index("")]]
    assert roles == [
        ["business", "bram@example.org"], ["business", "sanne@example.org"],
        ["business", "youssef@example.org"], ["facilitator", "fenna@example.org"],
        ["it", "ingrid@example.org"], ["it", "koen@example.org"],
        ["observer", "anouk@example.org"], ["sponsor", "marloes@example.org"],
    ]
    observer = next(line.split() for line in accounts if "anouk@example.org" in line)
    db = Database(f"sqlite:///{instance / 'demo.db'}")
    with db.transaction(write=False) as session:
        account = session.scalars(
            select(Account).where(Account.email == "anouk@example.org")).one()
        assert verify_password(account, observer[2])  # this run's password signs in
    db.dispose()


def weighers(session, selection_id: int) -> set[str]:
    """The members who have allocated points in this selection."""
    return set(session.scalars(
        select(Account.email).join(Membership, Membership.account_id == Account.id)
        .join(Allocation, Allocation.membership_id == Membership.id)
        .where(Membership.selection_id == selection_id)))


def frozen(session, selection_id: int) -> bool:
    return session.scalar(select(Selection.weights_frozen_at)
                          .where(Selection.id == selection_id)) is not None
