"""The audit trail of a selection, to read and to export (issue 22, item 3).

Every audited change in words, newest first, filtered by person, kind and date, a page
at a time; the same lines as an .xlsx workbook or a CSV file. The words are the report's
(`selector.report.audit_words`), so the page and the report's appendix say the same of
the same entry.

Blind scoring and the price vault (decisions.md) hold here too: before scoring closes a
reader who may not see scores gets no score or consensus value, comment or reason from
the trail, and one who may not see costs gets no cost of a vendor.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import AuditEntity
from selector.models import Account
from selector.models import AuditEntry
from selector.models import Category
from selector.models import Membership
from selector.report.audit_words import AuditNames
from selector.report.audit_words import change_text
from selector.report.audit_words import count_lines
from selector.report.audit_words import parsed
from selector.report.audit_words import subject_text
from selector.report.i18n import report_language
from selector.report.labels import action_label
from selector.report.labels import entity_label
from selector.report.process_record import AuditCount
from selector.services.spreadsheets import neutralise
from selector.services.spreadsheets import neutralise_workbook
from selector.services.vendors import COST_KEYS

PER_PAGE = 50
EARLIEST, LATEST = date(1970, 1, 2), date(9999, 12, 30)
SYSTEM = "system"  # the actor of entries no person made (audit.record)

# What blind scoring hides of an entry before scoring closes, and what the price vault
# hides of a vendor's values.
SCORE_ENTITIES = frozenset({AuditEntity.SCORE, AuditEntity.CONSENSUS})
COST_FIELDS = frozenset({"tco", *COST_KEYS})


@dataclass(frozen=True)
class AuditFilter:
    """The reader's filters; empty values filter nothing. Dates are the reader's days."""

    actor: str = ""  # the e-mail at the time of the entry, or "system"
    entity: str = ""
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass(frozen=True)
class Visibility:
    """What this reader may see now (`selector.domain.visibility`)."""

    scores: bool
    costs: bool


@dataclass(frozen=True)
class TrailLine:
    """One audit entry in words."""

    at: datetime  # in the reader's time zone
    person: str  # the name, or the e-mail when the account has none
    email: str  # the e-mail at the time, or "system"
    kind: str
    action: str
    what: str
    change: str
    reason: str
    hidden: bool = False  # values withheld by blind scoring or the price vault


@dataclass(frozen=True)
class TrailPage:
    lines: list[TrailLine]
    total: int  # entries that pass the filters
    page: int
    pages: int


@dataclass(frozen=True)
class TrailSummary:
    """The whole trail: in numbers as the report's appendix says it, and the people and
    kinds it holds (the filters' options)."""

    counts: tuple[AuditCount, ...]  # in words
    people: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, name)
    kinds: list[tuple[str, str]] = field(default_factory=list)  # (entity, label)


def _bounds(day: date, zone: tzinfo) -> datetime:
    """The start of the reader's `day` in UTC, as the moments are stored."""
    return datetime.combine(day, time.min).replace(tzinfo=zone).astimezone(UTC)


def _filtered(statement: Select, selection_id: int, filters: AuditFilter,
              zone: tzinfo) -> Select:
    statement = statement.where(AuditEntry.selection_id == selection_id)
    if filters.actor:
        statement = statement.where(AuditEntry.actor == filters.actor)
    if filters.entity:
        statement = statement.where(AuditEntry.entity == filters.entity)
    # Days before any trail or at the calendar's end bound nothing (and never overflow).
    if filters.since is not None and filters.since > EARLIEST:
        statement = statement.where(AuditEntry.at >= _bounds(filters.since, zone))
    if filters.until is not None and filters.until < LATEST:
        statement = statement.where(
            AuditEntry.at < _bounds(filters.until + timedelta(days=1), zone))
    return statement


def _names(session: Session, selection_id: int) -> AuditNames:
    """Category names and the current members' roles, as the report has them."""
    categories = session.execute(
        select(Category.key, Category.name).where(Category.selection_id == selection_id)
    ).all()
    roles = session.execute(
        select(Account.email, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id == selection_id, Membership.removed_at.is_(None))
    ).all()
    return AuditNames({key: name for key, name in categories},
                      {email: role for email, role in roles})


def _entries(session: Session, statement: Select) -> list[Any]:
    """One query: the entries with their author's current name."""
    return session.execute(
        statement.add_columns(Account.name)
        .outerjoin(Account, Account.id == AuditEntry.account_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()


@dataclass(frozen=True)
class _Shown:
    """An entry's values as a reader may see them (the row itself is never changed)."""

    action: str
    entity: str
    entity_key: str
    old: str | None
    new: str | None


def _without_costs(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None if value is None else json.dumps(value)
    return json.dumps({k: v for k, v in value.items() if k not in COST_FIELDS})


def _shown(entry: AuditEntry, visibility: Visibility) -> tuple[AuditEntry | _Shown, bool]:
    """The entry as this reader may see it, and whether something was withheld."""
    if entry.entity in SCORE_ENTITIES and not visibility.scores:
        return entry, True
    if entry.entity == AuditEntity.VENDOR and not visibility.costs:
        old, new = parsed(entry.old), parsed(entry.new)
        if any(isinstance(v, dict) and COST_FIELDS & set(v) for v in (old, new)):
            return _Shown(entry.action, entry.entity, entry.entity_key,
                          _without_costs(old), _without_costs(new)), True
    return entry, False


def _line(entry: AuditEntry, name: str | None, names: AuditNames, visibility: Visibility,
          zone: tzinfo, withheld: str) -> TrailLine:
    shown, hidden = _shown(entry, visibility)
    scores_hidden = hidden and entry.entity in SCORE_ENTITIES
    return TrailLine(
        at=entry.at.astimezone(zone),
        person=name or entry.actor,
        email=entry.actor,
        kind=entity_label(entry.entity),
        action=action_label(entry.action),
        what=subject_text(names, entry),
        change=withheld if scores_hidden else change_text(names, shown),
        reason="" if scores_hidden else entry.reason,
        hidden=hidden,
    )


def trail_summary(session: Session, selection_id: int, *, language: str) -> TrailSummary:
    """The trail in numbers per kind and action, and who and what it names."""
    counts = session.execute(
        select(AuditEntry.entity, AuditEntry.action, func.count())
        .where(AuditEntry.selection_id == selection_id)
        .group_by(AuditEntry.entity, AuditEntry.action)
    ).all()
    people = session.execute(
        select(AuditEntry.actor, func.max(Account.name))
        .outerjoin(Account, Account.id == AuditEntry.account_id)
        .where(AuditEntry.selection_id == selection_id)
        .group_by(AuditEntry.actor)
    ).all()
    with report_language(language):
        lines = count_lines(AuditCount(e, a, int(n)) for e, a, n in counts)
        kinds = sorted({(e, entity_label(e)) for e, _a, _n in counts}, key=lambda k: k[1])
    return TrailSummary(
        counts=lines,
        people=sorted(((actor, name or actor) for actor, name in people),
                      key=lambda p: p[1].lower()),
        kinds=kinds,
    )


def trail_page(session: Session, selection_id: int, filters: AuditFilter, page: int, *,
               visibility: Visibility, zone: tzinfo, language: str, withheld: str,
               per_page: int | None = None) -> TrailPage:
    """One page of the trail (`PER_PAGE` entries), newest first; a page past the last
    shows the last. `withheld` is the reader's words for a value blind scoring hides."""
    per_page = per_page or PER_PAGE
    filtered = _filtered(select(func.count()).select_from(AuditEntry), selection_id,
                         filters, zone)
    total = session.scalar(filtered) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = _entries(session, _filtered(select(AuditEntry), selection_id, filters, zone)
                    .limit(per_page).offset((page - 1) * per_page))
    names = _names(session, selection_id)
    with report_language(language):
        lines = [_line(entry, name, names, visibility, zone, withheld)
                 for entry, name in rows]
    return TrailPage(lines=lines, total=total, page=page, pages=pages)


def trail_lines(session: Session, selection_id: int, filters: AuditFilter, *,
                visibility: Visibility, zone: tzinfo, language: str,
                withheld: str) -> list[TrailLine]:
    """Every entry that passes the filters, newest first (for the exports)."""
    rows = _entries(session, _filtered(select(AuditEntry), selection_id, filters, zone))
    names = _names(session, selection_id)
    with report_language(language):
        return [_line(entry, name, names, visibility, zone, withheld) for entry, name in rows]


# -- exports ----------------------------------------------------------------------------


def _cells(line: TrailLine) -> list[str]:
    return [line.person, line.email, line.kind, line.action, line.what, line.change,
            line.reason]


def trail_csv(lines: list[TrailLine], headings: list[str]) -> bytes:
    """The lines as CSV (UTF-8 with a byte order mark, so Excel reads the accents);
    every text as `spreadsheets.neutralise` writes it: no cell becomes a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in headings])
    for line in lines:
        writer.writerow([line.at.strftime("%Y-%m-%d %H:%M:%S"),
                         *(neutralise(text) for text in _cells(line))])
    return buffer.getvalue().encode("utf-8-sig")


def trail_xlsx(lines: list[TrailLine], headings: list[str], title: str) -> bytes:
    """The lines as a workbook: the moment as a date-time cell, every text
    neutralised (`spreadsheets.neutralise_workbook`)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append([line.at.replace(tzinfo=None), *_cells(line)])
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
    for column, width in zip("ABCDEFGH", (20, 24, 28, 20, 18, 36, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

