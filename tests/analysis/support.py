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


def two_vendor_doc(example_doc: dict, alpha: dict[str, int], beta: dict[str, int]) -> dict:
    """A small selection file with the example's members: categories x (wish X1) and
    y (wishes Y1, Y2, Y3), nobody weighed (W = 0.5 each), two vendors scored by the
    facilitator: `alpha` and `beta` map wish codes to scores."""
    wishes = [("X1", "x"), ("Y1", "y"), ("Y2", "y"), ("Y3", "y")]
    return {
        "format": example_doc["format"],
        "version": example_doc["version"],
        "selection": {"name": "Two vendors", "language": "en"},
        "categories": [{"key": "x", "name": "Sales & leads", "domain": "business"},
                       {"key": "y", "name": "Back-up & recovery", "domain": "it"}],
        "requirements": [{"code": code, "category": category, "title": f"Wish {code}",
                          "priority": "must", "verification": "demo", "intent": "achieve"}
                         for code, category in wishes],
        "members": example_doc["members"],
        "vendors": [{"key": "alpha", "name": "Alpha CRM"}, {"key": "beta", "name": "Beta CRM"}],
        "scores": [{"member": FACILITATOR, "vendor": vendor, "requirement": code,
                    "score": score, "comment": "Seen in the demo."}
                   for vendor, scores in (("alpha", alpha), ("beta", beta))
                   for code, score in scores.items()],
    }


# y: both 4 points over three wishes, S(y) equal; x: Alpha 5, Beta 3. Only y alone (W = 1)
# would make them level; rounding put the flip point at 1 - 2e-16 ("rises above 100%").
NEAR_ONE_FLIP = ({"X1": 5, "Y1": 0, "Y2": 0, "Y3": 4}, {"X1": 3, "Y1": 0, "Y2": 1, "Y3": 3})
# Level now (both total 60; Alpha first by name): Beta comes first when x falls below 50%
# or y rises above it.
LEVEL_NOW = ({"X1": 4, "Y1": 2, "Y2": 2, "Y3": 2}, {"X1": 2, "Y1": 4, "Y2": 4, "Y3": 4})
