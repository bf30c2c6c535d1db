"""The demo: the example selection in English and Dutch, with a login per member."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.files.selection_file import read_selection_file
from selector.models import Account, Membership, Selection
from selector.paths import bundled, instance_dir
from selector.services.accounts import hash_password
from selector.services.selection_file import import_selection

DEMO_FILES = ("demo.en.json", "demo.nl.json")


def demo_database() -> Path:
    """The demo's own database, `demo.db` in the instance folder; never DATABASE_URL,
    which may well name a production database (decisions.md)."""
    return instance_dir() / "demo.db"


def where_lines(path: Path, ignored_url: str | None) -> list[str]:
    """Where the demo's database is, and how to look at it with the command line."""
    lines = ["", f"The demo's own database: {path}"]
    if ignored_url:
        lines.append("(DATABASE_URL is set, but the demo never uses it: it keeps to this file.)")
    lines += [
        "Look at it with the command line:",
        f"  DATABASE_URL=sqlite:///{path} selector list",
        f"  DATABASE_URL=sqlite:///{path} selector export ID",
        f"  sqlite3 {path}",
    ]
    return lines


def load_demo(session: Session) -> list[str]:
    """Create the demo selections once; give every member a fresh password each run.

    Returns the lines to print: the selections and each account's e-mail and password.
    """
    lines = []
    selection_ids = []
    for name in DEMO_FILES:
        doc = read_selection_file(bundled("seed") / "demo" / name)
        existing = session.scalar(
            select(Selection.id).where(Selection.name == doc["selection"]["name"])
        )
        if existing is None:
            existing = import_selection(session, doc)
            lines.append(f"Loaded demo selection {existing}: {doc['selection']['name']}")
        else:
            lines.append(f"Demo selection {existing} is there: {doc['selection']['name']}")
        selection_ids.append(existing)
    accounts = session.execute(
        select(Account, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id == selection_ids[0])
        .order_by(Membership.role, Account.email)
    ).all()
    lines.append("")
    lines.append("Demo accounts (new passwords each time the demo starts):")
    for account, role in accounts:
        password = "demo-" + secrets.token_urlsafe(9)
        account.password_hash = hash_password(password)
        lines.append(f"  {role:<12} {account.email:<28} {password}")
    return lines
