"""Rows to domain data: the database feeds the same `Selection` as a selection file.

This is the read path of `selector rank --selection ID`, the ranking page and the
report, so it is kept lean: plain SQL run on the DB-API connection itself (under a
SQLAlchemy session, in its transaction; no ORM classes to build), and the score matrix in
ONE query into tuples (48,000 scores: about 0.07 s on SQLite, against 0.5 s as ORM
objects). Only scores that count are kept (decisions.md): submitted sheets, members not
removed and not excluded from the vendor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from itertools import chain
from itertools import compress
from itertools import repeat
from operator import is_not
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from selector.domain import selection as domain
from selector.domain.vocabulary import SCORERS
from selector.domain.vocabulary import WEIGHERS

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

# Runs one query (SQL with :name parameters) and gives its rows as tuples. A SQLAlchemy
# session or connection is turned into one here; `selector rank` passes the DB-API
# driver's own (selector.cli.direct_read), so that it starts without SQLAlchemy.
Run = Callable[[str, dict[str, Any]], Iterable[tuple]]

# The score matrix: one query on the scores table alone (index ix_scores_matrix), ids
# as they are. Joining the five tables per score cost twice as long (48,000 scores: 0.15 s
# against 0.07 s on SQLite); the ids are mapped to e-mails, keys and codes in Python
# from three small queries.
_SCORES = (
    "SELECT membership_id, vendor_id, requirement_id, score, comment"
    " FROM scores WHERE selection_id = :sid"
)
# The scores without their comments, for the ranking alone (method.rank never reads
# them): one row per sheet with its scores as text, "wish score wish score ...", read
# from the index ix_scores_matrix alone and parsed in one go by numpy. 48,000 scores are
# then ~120 rows: per row fetched, the sqlite3 module gives up and takes back the GIL
# and SQLite takes its mutex once per column, which in a fresh `selector rank` process
# cost more than the scores themselves (~85 ms against ~50 ms). PostgreSQL calls
# group_concat string_agg (see dbapi_runner).
_SHEET_SCORES = (
    "SELECT membership_id, vendor_id, count(*),"
    " group_concat(CAST(requirement_id AS TEXT) || ' ' || CAST(score AS TEXT), ' ')"
    " FROM scores WHERE selection_id = :sid GROUP BY membership_id, vendor_id"
)


def _sql_list(values: tuple[str, ...]) -> str:
    """The vocabulary's words as an SQL list: ('business', 'it')."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _by_current_members(table: str, roles: tuple[str, ...]) -> str:
    """The rows of `table` (by its `membership_id`) whose member is still in the
    selection in one of `roles`, with the member's e-mail as `a.email`: whose scores and
    points count."""
    return f"""
    JOIN memberships m ON m.id = {table}.membership_id
    JOIN accounts a ON a.id = m.account_id
    WHERE m.selection_id = :sid AND m.removed_at IS NULL AND m.role IN {_sql_list(roles)}
    """


# Sheets whose scores count: submitted, by a member still in the selection with a
# scoring role, and not excluded from the vendor for a conflict of interest.
_COUNTED_SHEETS = (
    "SELECT sh.membership_id, sh.vendor_id, a.email FROM sheets sh"
    + _by_current_members("sh", SCORERS)
    + "AND sh.submitted_at IS NOT NULL AND sh.excluded = :no"
)
_VENDOR_KEYS = "SELECT id, key FROM vendors WHERE selection_id = :sid"
_REQUIREMENT_CODES = "SELECT id, code FROM requirements WHERE selection_id = :sid"

_SELECTION = (
    "SELECT name, scale_max, price_weight, balance_business, balance_it, price_method,"
    " price_full, price_zero, log_factor, quality_value, quality_threshold"
    " FROM selections WHERE id = :sid"
)
_CATEGORIES = (
    "SELECT key, name, domain FROM categories WHERE selection_id = :sid ORDER BY position, key"
)
_REQUIREMENTS = (
    """
    SELECT r.code, c.key, r.title, r.priority, r.weight, r.knockout, r.status,
           r.knockout_rationale, r.owner_group
    FROM requirements r JOIN categories c ON c.id = r.category_id
    WHERE r.selection_id = :sid
    ORDER BY r.id
    """
)
_MEMBERS = (
    """
    SELECT a.email, a.name, m.role
    FROM memberships m JOIN accounts a ON a.id = m.account_id
    WHERE m.selection_id = :sid AND m.removed_at IS NULL
    ORDER BY a.email
    """
)
_ALLOCATIONS = (
    "SELECT a.email, c.key, al.points FROM allocations al"
    " JOIN categories c ON c.id = al.category_id"
    + _by_current_members("al", WEIGHERS)
)
_FINAL_WEIGHTS = (
    """
    SELECT c.key, f.points FROM final_weights f JOIN categories c ON c.id = f.category_id
    WHERE f.selection_id = :sid
    """
)
_VENDORS = (
    "SELECT key, name, tco, withdrawn FROM vendors WHERE selection_id = :sid ORDER BY key"
)
_CONSENSUS = (
    """
    SELECT v.key, r.code, x.score, x.rationale
    FROM consensus x
    JOIN vendors v ON v.id = x.vendor_id JOIN requirements r ON r.id = x.requirement_id
    WHERE x.selection_id = :sid
    """
)
_VERDICTS = (
    """
    SELECT v.key, r.code, x.passed, x.evidence
    FROM verdicts x
    JOIN vendors v ON v.id = x.vendor_id JOIN requirements r ON r.id = x.requirement_id
    WHERE x.selection_id = :sid
    """
)


_NAMED = re.compile(r"(?<!:):([a-z_]+)")


def dbapi_runner(connection: Any, dialect: str) -> Run:
    """A runner on a DB-API connection. The SQL here is SQLite's; for PostgreSQL two
    words change: psycopg names parameters `%(name)s`, and group_concat is string_agg.
    Tuples straight from the driver: for 48,000 scores this is about 0.1 s faster than
    SQLAlchemy's result rows."""
    if dialect == "sqlite":
        return lambda sql, params: connection.execute(sql, params).fetchall()
    return lambda sql, params: connection.execute(_for_postgresql(sql), params).fetchall()


def _for_postgresql(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql).replace("group_concat(", "string_agg(")


def _runner(source: Session | Connection | Run) -> Run:
    """The runner of a SQLAlchemy session or connection: its DB-API connection, in the
    transaction it is in."""
    if not hasattr(source, "execute"):  # already a runner
        return source
    connection = source.connection() if callable(source.connection) else source
    return dbapi_runner(connection.connection.dbapi_connection, connection.dialect.name)


def counted_scores(source: Session | Connection | Run, selection_id: int, *,
                   comments: bool = True) -> domain.Scores:
    """The scores that count, in one query, as columns; without `comments` every
    comment is empty (enough for the ranking, and faster: see _SHEET_SCORES).

    The rows' ids become e-mails, keys and codes through C-level maps over whole
    columns, not a Python loop per score (48,000 scores: about 0.06 s sooner)."""
    run = _runner(source)
    params = {"sid": selection_id, "no": False}
    counted = {(member, vendor): email for member, vendor, email in run(_COUNTED_SHEETS, params)}
    vendors = dict(run(_VENDOR_KEYS, params))
    codes = dict(run(_REQUIREMENT_CODES, params))
    if not comments:
        return _scores_by_sheet(run(_SHEET_SCORES, params), counted, vendors, codes)
    rows = run(_SCORES, params)
    if not rows:
        return domain.Scores()
    columns = tuple(zip(*rows, strict=True))
    # Each score's e-mail, None where its sheet does not count (then left out).
    emails = tuple(map(counted.get, zip(columns[0], columns[1], strict=True)))
    if None in emails:
        keep = tuple(map(is_not, emails, repeat(None)))
        emails = tuple(compress(emails, keep))
        columns = tuple(tuple(compress(column, keep)) for column in columns)
    return domain.Scores(
        members=emails,
        vendors=tuple(map(vendors.__getitem__, columns[1])),
        requirements=tuple(map(codes.__getitem__, columns[2])),
        values=columns[3],
        comments=columns[4],
    )


def _scores_by_sheet(sheets: Iterable[tuple], counted: dict[tuple[int, int], str],
                     vendors: dict[int, str], codes: dict[int, str]) -> domain.Scores:
    """Scores from one row per sheet: (member, vendor, count, "wish score wish score
    ..."), of the sheets that count."""
    kept = [(counted[(member, vendor)], vendors[vendor], count, text)
            for member, vendor, count, text in sheets if (member, vendor) in counted]
    if not kept:
        return domain.Scores()
    emails, keys, counts, texts = zip(*kept, strict=True)
    numbers = np.fromstring(" ".join(texts), dtype=np.int64, sep=" ")  # wish, score, ...
    total = sum(counts)
    if numbers.size != 2 * total:
        raise ValueError(f"read {numbers.size} numbers for {total} scores")
    return domain.Scores(
        members=tuple(chain.from_iterable(map(repeat, emails, counts))),
        vendors=tuple(chain.from_iterable(map(repeat, keys, counts))),
        requirements=tuple(map(codes.__getitem__, numbers[0::2].tolist())),
        values=tuple(numbers[1::2].tolist()),
        comments=("",) * total,
    )


def load_selection(source: Session | Connection | Run, selection_id: int, *,
                   comments: bool = True) -> domain.Selection:
    """The domain `Selection` of a stored selection, for the method. `comments=False`
    leaves the scores' comments empty and reads the scores faster (see _SHEET_SCORES):
    for whatever shows no comment (`selector rank`, the overview's ranking in brief, the
    weighting pages); panel health and the consensus meeting read them."""
    run = _runner(source)
    params = {"sid": selection_id}
    meta = next(iter(run(_SELECTION, params)), None)
    if meta is None:
        raise LookupError(f"there is no selection {selection_id}")
    name, scale_max, price_weight, balance_business, balance_it, *price = meta
    price_method, price_full, price_zero, log_factor, quality_value, quality_threshold = price
    final = {key: points for key, points in run(_FINAL_WEIGHTS, params)}
    return domain.Selection(
        name=name,
        categories=tuple(domain.Category(*row) for row in run(_CATEGORIES, params)),
        requirements=tuple(
            domain.Requirement(
                code=code,
                category=category,
                title=title,
                priority=priority,
                weight=weight,
                knockout=bool(knockout),
                status=status,
                knockout_rationale=knockout_rationale,
                owner_group=owner_group,
            )
            for (
                code,
                category,
                title,
                priority,
                weight,
                knockout,
                status,
                knockout_rationale,
                owner_group,
            ) in run(_REQUIREMENTS, params)
        ),
        members=tuple(domain.Member(*row) for row in run(_MEMBERS, params)),
        allocations=tuple(domain.Allocation(*row) for row in run(_ALLOCATIONS, params)),
        vendors=tuple(
            domain.Vendor(key, vendor_name, tco, bool(withdrawn))
            for key, vendor_name, tco, withdrawn in run(_VENDORS, params)
        ),
        scores=counted_scores(run, selection_id, comments=comments),
        consensus=tuple(domain.Consensus(*row) for row in run(_CONSENSUS, params)),
        verdicts=tuple(
            domain.Verdict(vendor, code, bool(passed), evidence)
            for vendor, code, passed, evidence in run(_VERDICTS, params)
        ),
        scale_max=scale_max,
        price_weight=price_weight,
        group_balance={"business": balance_business, "it": balance_it},
        final_weights=final or None,
        price_method=price_method,
        price_full=price_full,
        price_zero=price_zero,
        log_factor=log_factor,
        quality_value=quality_value,
        quality_threshold=quality_threshold,
    )
