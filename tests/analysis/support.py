"""Helpers for the analysis page tests: the example selection in the web app's
database with passwords for its members, and a reader for the values a page shows.

Pages mark their numbers with `data-field` (and the vendor, category, requirement,
perspective or member they belong to with `data-vendor` and the like, on the element
or an ancestor), so a test reads exactly the text a reader sees in that cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from tests.web.conftest import PASSWORD

CONTEXT_KEYS = ("vendor", "category", "requirement", "perspective", "member")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass(frozen=True)
class Cell:
    field: str
    text: str
    vendor: str | None
    category: str | None
    requirement: str | None
    perspective: str | None
    member: str | None
    attrs: dict[str, str]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.open: list[tuple[int, dict[str, str], list[str]]] = []  # (depth, attrs, text)
        self.cells: list[Cell] = []

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if tag in VOID:
            return
        self.stack.append((tag, values))
        if "data-field" in values:
            self.open.append((len(self.stack), values, []))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            depth = len(self.stack)
            if self.open and self.open[-1][0] == depth:
                _, values, parts = self.open.pop()
                context = {}
                for key in CONTEXT_KEYS:
                    context[key] = next(
                        (a[f"data-{key}"] for _, a in reversed(self.stack) if f"data-{key}" in a),
                        None,
                    )
                self.cells.append(
                    Cell(
                        field=values["data-field"],
                        text=re.sub(r"\s+", " ", "".join(parts)).strip(),
                        attrs=values,
                        **context,
                    )
                )
            name, _ = self.stack.pop()
            if name == tag:
                break

    def handle_data(self, data):
        for _, _, parts in self.open:
            parts.append(data)


def cells(html: str) -> list[Cell]:
    reader = _Reader()
    reader.feed(html)
    return reader.cells


def values(html: str, field: str, **where: str) -> list[str]:
    """The texts of the cells named `field` (in page order), filtered by context."""
    return [
        c.text for c in cells(html)
        if c.field == field and all(getattr(c, k) == v for k, v in where.items())
    ]


def value(html: str, field: str, **where: str) -> str:
    found = values(html, field, **where)
    assert len(found) == 1, f"{field} {where}: {found}"
    return found[0]


def import_example(dbs, example_doc) -> int:
    """The worked example (phase decision) with a password for every member; its id.
    Test modules wrap it in their own `example_sid` fixture."""
    from selector.files.selection_file import validate
    from selector.services import accounts
    from selector.services.selection_file import import_selection

    with dbs.transaction() as session:
        sid = import_selection(session, validate(example_doc))
        for member in example_doc["members"]:
            account = accounts.find_account(session, member["email"])
            accounts.set_password(session, account, PASSWORD)
    return sid


def engine_ranking(dbs, sid: int) -> dict:
    """The ranking document straight from the engine, for comparison."""
    from selector.domain.method import rank
    from selector.services.loader import load_selection

    with dbs.transaction(write=False) as session:
        return rank(load_selection(session, sid))


def engine_selection(dbs, sid: int):
    from selector.services.loader import load_selection

    with dbs.transaction(write=False) as session:
        return load_selection(session, sid)


FACILITATOR = "fenna@example.org"
BUSINESS = "bram@example.org"
IT = "ingrid@example.org"
SPONSOR = "marloes@example.org"
