"""Requirement catalogues as spreadsheets: import from .xlsx or .csv, export to .xlsx,
and a template with the documented columns and drop-down lists.

Spreadsheets are untrusted input. What this module relies on, and why:

* Size first: the upload is at most `MAX_UPLOAD` bytes, and for .xlsx (a zip archive)
  the *declared* uncompressed size of all parts together is at most `MAX_UNPACKED`,
  checked from the zip directory BEFORE anything is decompressed (a 195 KB .xlsx was
  measured to expand to 412 MB in openpyxl). Python's zipfile never decompresses a part
  beyond its declared size (`ZipExtFile` truncates at `file_size` and then checks the
  CRC), so a directory that lies about sizes cannot get past this either. Then the row
  elements of each worksheet are counted on the raw bytes, so a sheet of 100,000 rows is
  refused before openpyxl parses it.
* openpyxl reads in read-only mode (rows are streamed, not held as cell objects), with
  defusedxml installed, which openpyxl then uses for every XML part (no entity
  expansion, no external entities). `DEFUSEDXML` below records that it is active.
* Rows and columns are capped (`MAX_ROWS`, `MAX_COLUMNS`): iteration stops at the cap,
  so a sheet with 100,000 rows is refused after reading 5,001 of them.
* Formulas are never evaluated: a formula cell is read as its text (`=SUM(A1:A3)`).
* Import is all-or-nothing: every row is checked first, and any problem refuses the
  whole file with one message per problem (`row 12, priority: 'hoog' is not one of
  must, should, could, wont`); the caller's transaction then writes nothing.
* Export neutralises formula injection: a text cell starting with `=`, `+`, `-`, `@`,
  tab or CR (or with `'`) gets a leading `'`; import drops exactly that one `'`, so the
  round trip is exact (decisions.md).

The preview keeps no state in process memory (several gunicorn workers serve the app):
the upload is stashed under the instance folder with a random name, and the commit
re-reads it from there.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector.i18n import _l
from selector.models import Account, Category, Membership, Requirement, Selection
from selector.models.selection import DOMAINS, INTENTS, PRIORITIES, STATUSES, VERIFICATIONS
from selector.services import requirements as requirement_service
from selector.services.errors import ServiceError

try:
    from openpyxl.xml import DEFUSEDXML
except ImportError:  # pragma: no cover
    DEFUSEDXML = False

MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNPACKED = 25 * 1024 * 1024
MAX_PARTS = 500
MAX_ROWS = 5_000
# Row elements a worksheet part may hold before openpyxl is asked to open it (see
# `_count_rows`); twice the cap, so that a few formatted empty rows do not count.
MAX_ROW_ELEMENTS = 2 * MAX_ROWS + 1
MAX_COLUMNS = 30
MAX_ERRORS = 50
STASH_HOURS = 24

COLUMNS = (
    "code", "category", "title", "description", "rationale", "intent", "verification",
    "verification_criterion", "priority", "weight", "knockout", "knockout_rationale",
    "owner_group", "status", "raised_by",
)
REQUIRED_COLUMNS = ("category", "title", "priority")
YES = ("yes", "true", "1", "ja", "y", "j", "x", "waar")
NO = ("no", "false", "0", "nee", "n", "onwaar", "")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
WIDTHS = {"code": 12, "category": 16, "title": 40, "description": 60, "rationale": 40,
          "verification_criterion": 50, "knockout_rationale": 30, "raised_by": 28}

# What each column holds, for the template's "Columns" sheet and the help page.
COLUMN_HELP = {
    "code": _l("Unique code; leave empty and one is made from the category (BUS-SAL-03). "
               "A code that exists in the selection updates that requirement."),
    "category": _l("The category's key (or its name)."),
    "title": _l("Short title. Required."),
    "description": _l("What the organisation wants to achieve or avoid."),
    "rationale": _l("Why it matters."),
    "intent": _l("achieve or avoid (default achieve)."),
    "verification": _l("How it is checked: demo, test, document, reference, contract or "
                       "other (default demo)."),
    "verification_criterion": _l("What exactly will be checked, with a measure."),
    "priority": _l("must, should, could or wont. Required."),
    "weight": _l("Optional explicit weight, a number of 0 or more (instead of the "
                 "priority's 5, 3 or 1)."),
    "knockout": _l("yes or no (default no). A knock-out needs a knockout_rationale."),
    "knockout_rationale": _l("Why a vendor that fails it drops out."),
    "owner_group": _l("business or it (default: the category's domain)."),
    "status": _l("proposed, accepted, rejected or deferred (default proposed)."),
    "raised_by": _l("E-mail address of the member who raised it (optional)."),
}


class SpreadsheetError(ServiceError):
    """A refused spreadsheet: `problems` holds one sentence per problem."""

    def __init__(self, problems: list[Any], field: str | None = "file") -> None:
        super().__init__(problems[0] if problems else _l("The file was refused."), field)
        self.problems = problems


# -- formula injection ------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A text as written to a cell: a leading `'` when it could be read as a formula
    (or starts with `'` itself, so that import can tell the two apart)."""
    if text and (text[0] in FORMULA_START or text[0] == "'"):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """A cell's text as imported: exactly the `'` that `neutralise` added is dropped."""
    if len(text) >= 2 and text[0] == "'" and (text[1] in FORMULA_START or text[1] == "'"):
        return text[1:]
    return text


# -- reading the file -------------------------------------------------------------------


def kind_of(filename: str) -> str:
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise SpreadsheetError([_l("Upload an .xlsx or .csv file.")])


def check_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD:
        raise SpreadsheetError([_l("The file is larger than %(size)d MB.",
                                   size=MAX_UPLOAD // (1024 * 1024))])
    if not data:
        raise SpreadsheetError([_l("The file is empty.")])


def check_xlsx_container(data: bytes) -> None:
    """Refuse what is not an .xlsx, or would unpack to too much, before opening it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetError([_l(
            "This file is not an .xlsx spreadsheet. Save it as an Excel workbook (.xlsx) "
            "or as CSV, and upload it again.")]) from None
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if len(parts) > MAX_PARTS:
            raise SpreadsheetError([_l("This .xlsx file has too many parts to be a "
                                       "requirement list.")])
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise SpreadsheetError([_l(
                "This file is not an .xlsx spreadsheet. Save it as an Excel workbook (.xlsx) "
                "or as CSV, and upload it again.")])
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED:
            raise SpreadsheetError([_l(
                "This .xlsx file would unpack to %(size)d MB, more than the %(limit)d MB "
                "allowed; it was not opened.", size=unpacked // (1024 * 1024),
                limit=MAX_UNPACKED // (1024 * 1024))])
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                try:
                    rows = _count_rows(archive, part)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    raise SpreadsheetError([_l(
                        "This .xlsx file could not be read. Save it again as an Excel "
                        "workbook (.xlsx) and upload it again.")]) from None
                if rows > MAX_ROW_ELEMENTS:
                    raise _too_many_rows()


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _count_rows(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    """Row elements in a worksheet part, counted on the raw bytes as they unpack (C speed,
    bounded by the declared size). openpyxl parses a whole sheet once just to look for its
    dimension when a file leaves that out, so a huge sheet is refused before that."""
    count, tail = 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(1024 * 1024):
            data = tail + chunk
            # A tag that lies wholly in the carried-over tail was counted before.
            count += sum(1 for m in _ROW_TAG.finditer(data) if m.end() > len(tail))
            tail = data[-64:]
    return count


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError([_l(
        "The sheet has more than %(count)d rows of requirements; split it into smaller files.",
        count=MAX_ROWS)])


def _too_many_columns() -> SpreadsheetError:
    return SpreadsheetError([_l("The sheet has more than %(count)d columns.",
                                count=MAX_COLUMNS)])


def _xlsx_rows(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    check_xlsx_container(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                 keep_links=False, keep_vba=False)
    except Exception:  # openpyxl raises many kinds on broken files
        raise SpreadsheetError([_l(
            "This .xlsx file could not be read. Save it again as an Excel workbook (.xlsx) "
            "and upload it again.")]) from None
    try:
        names = workbook.sheetnames
        sheet = workbook["Requirements"] if "Requirements" in names else workbook[names[0]]
        rows = []
        # Bounded on both axes: the dimension a file declares may be anything.
        for number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1,
                            values_only=True),
            start=1,
        ):
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] not in (None, ""):
                raise _too_many_columns()
            if number > MAX_ROWS + 1:
                if any(v not in (None, "") for v in row):
                    raise _too_many_rows()
                continue
            rows.append((number, tuple(row[:MAX_COLUMNS])))
        return rows
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError([_l(
            "This .xlsx file could not be read. Save it again as an Excel workbook (.xlsx) "
            "and upload it again.")]) from None
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    if b"\x00" in data:
        raise SpreadsheetError([_l("This file is not a CSV text file.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS and any(v.strip() for v in row[MAX_COLUMNS:]):
                raise _too_many_columns()
            if number > MAX_ROWS + 1:
                if any(v.strip() for v in row):
                    raise _too_many_rows()
                continue
            rows.append((number, tuple(row[:MAX_COLUMNS])))
    except csv.Error:
        raise SpreadsheetError([_l("This file is not a readable CSV file.")]) from None
    return rows


def read_rows(data: bytes, filename: str) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number, cell values) for every row, after the size and container checks."""
    kind = kind_of(filename)
    check_size(data)
    return _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)


# -- checking rows ----------------------------------------------------------------------


def _header(cells: tuple[Any, ...]) -> tuple[dict[str, int], list[Any]]:
    columns: dict[str, int] = {}
    problems: list[Any] = []
    for index, cell in enumerate(cells):
        if cell in (None, ""):
            continue
        name = re.sub(r"[\s-]+", "_", str(cell).strip().lower())
        if name not in COLUMNS:
            problems.append(_l("row 1: unknown column '%(name)s'; the columns are %(columns)s.",
                               name=str(cell)[:40], columns=", ".join(COLUMNS)))
        elif name in columns:
            problems.append(_l("row 1: the column '%(name)s' appears twice.", name=name))
        else:
            columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns and not problems:
            problems.append(_l("row 1: the column '%(name)s' is missing.", name=name))
    return columns, problems


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


class _RowProblem(Exception):
    def __init__(self, column: str, message: Any) -> None:
        super().__init__(str(message))
        self.column = column
        self.message = message


def _cell_text(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _RowProblem(column, _l("expected text, not %(value)s", value=_show(value)))
    if isinstance(value, datetime | date | time_of_day | timedelta):
        raise _RowProblem(column, _l("expected text, not a date or time"))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _RowProblem(column, _l("expected text, not %(value)s", value=_show(value)))
        value = int(value) if value.is_integer() else value
    return unneutralise(str(value))


def _cell_choice(value: Any, column: str, allowed: tuple[str, ...], default: str) -> str:
    text = _cell_text(value, column).strip()
    if not text:
        return default
    if text.lower() not in allowed:
        raise _RowProblem(column, _l("'%(value)s' is not one of %(values)s",
                                     value=_show(text), values=", ".join(allowed)))
    return text.lower()


def _cell_bool(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _cell_text(value, column).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _RowProblem(column, _l("'%(value)s' is not one of yes, no", value=_show(text)))


def _cell_weight(value: Any, column: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, datetime | date | time_of_day | timedelta):
        raise _RowProblem(column, _l("'%(value)s' is not a number of 0 or more",
                                     value=_show(value)))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unneutralise(str(value)).strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise _RowProblem(column, _l("'%(value)s' is not a number of 0 or more",
                                         value=_show(value))) from None
    if not math.isfinite(number) or number < 0 or number > requirement_service.MAX_WEIGHT:
        raise _RowProblem(column, _l("'%(value)s' is not a number from 0 to %(max)d",
                                     value=_show(value),
                                     max=int(requirement_service.MAX_WEIGHT)))
    return number


@dataclass
class PlannedRow:
    """What the import will do with one row."""

    row: int
    action: str  # "create", "update" or "unchanged"
    values: requirement_service.RequirementFields
    status: str
    raised_by_id: int | None
    category_name: str
    existing: Requirement | None = None
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _problem(row: int, column: str, message: Any) -> Any:
    return _l("row %(row)d, %(column)s: %(problem)s", row=row, column=column, problem=message)


_FIELD_COLUMN = {"category_id": "category"}


def plan_import(session: Session, selection: Selection, data: bytes, filename: str) -> ImportPlan:
    """Read and check a spreadsheet against the selection; nothing is written. Raises
    SpreadsheetError when the file itself is refused; row problems are in `problems`."""
    rows = read_rows(data, filename)
    rows = [(n, cells) for n, cells in rows if any(c not in (None, "") and str(c).strip()
                                                      for c in cells)]
    plan = ImportPlan()
    if not rows or rows[0][0] != 1:
        raise SpreadsheetError([_l(
            "The first row must name the columns (%(columns)s).", columns=", ".join(COLUMNS))])
    columns, plan.problems = _header(rows[0][1])
    if plan.problems:
        return plan
    if len(rows) == 1:
        plan.problems.append(_l("The sheet holds no requirements below its first row."))
        return plan

    categories = list(session.scalars(
        select(Category).where(Category.selection_id == selection.id)
        .order_by(Category.position, Category.id)))
    by_key = {c.key.lower(): c for c in categories}
    by_name = {c.name.lower(): c for c in categories}
    existing = {r.code.lower(): r for r in session.scalars(
        select(Requirement).where(Requirement.selection_id == selection.id))}
    members = dict(session.execute(
        select(func.lower(Account.email), Account.id)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id == selection.id, Membership.removed_at.is_(None))
    ).all())
    seen_codes: dict[str, int] = {}

    for number, cells in rows[1:]:
        if len(plan.problems) >= MAX_ERRORS:
            plan.problems.append(_l("… and more problems; correct these first."))
            break

        def cell(name: str, cells: tuple[Any, ...] = cells) -> Any:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        try:
            code = _cell_text(cell("code"), "code").strip()
            category_text = _cell_text(cell("category"), "category").strip()
            category = by_key.get(category_text.lower()) or by_name.get(category_text.lower())
            if category is None:
                known = ", ".join(c.key for c in categories)
                raise _RowProblem("category", _l(
                    "unknown category '%(value)s'; the categories are %(known)s",
                    value=_show(category_text), known=known) if category_text
                    else _l("give a category"))
            raised_text = _cell_text(cell("raised_by"), "raised_by").strip().lower()
            raised_by_id = None
            if raised_text:
                raised_by_id = members.get(raised_text)
                if raised_by_id is None:
                    raise _RowProblem("raised_by", _l(
                        "'%(value)s' is not a member of this selection", value=_show(raised_text)))
            owner_group = _cell_choice(cell("owner_group"), "owner_group", DOMAINS, "")
            status = _cell_choice(cell("status"), "status", STATUSES, "")
            values = requirement_service.RequirementFields(
                category_id=category.id,
                code=code,
                title=_cell_text(cell("title"), "title"),
                description=_cell_text(cell("description"), "description"),
                rationale=_cell_text(cell("rationale"), "rationale"),
                intent=_cell_choice(cell("intent"), "intent", INTENTS, "achieve"),
                verification=_cell_choice(cell("verification"), "verification", VERIFICATIONS,
                                          "demo"),
                verification_criterion=_cell_text(cell("verification_criterion"),
                                                  "verification_criterion"),
                priority=_cell_choice(cell("priority"), "priority", PRIORITIES, ""),
                weight=_cell_weight(cell("weight"), "weight"),
                knockout=_cell_bool(cell("knockout"), "knockout"),
                knockout_rationale=_cell_text(cell("knockout_rationale"), "knockout_rationale"),
                owner_group=owner_group,
            )
            if not values.priority:
                raise _RowProblem("priority", _l("give one of %(values)s",
                                                 values=", ".join(PRIORITIES)))
            try:
                cleaned, category = requirement_service.clean_fields(session, selection, values)
                if cleaned.code and cleaned.code.lower() not in existing:
                    requirement_service.check_code_format(cleaned.code)
            except ServiceError as error:
                column = _FIELD_COLUMN.get(error.field or "", error.field or "")
                raise _RowProblem(column, error.message) from None
        except _RowProblem as problem:
            plan.problems.append(_problem(number, problem.column, problem.message))
            continue

        if cleaned.code:
            key = cleaned.code.lower()
            if key in seen_codes:
                plan.problems.append(_problem(number, "code", _l(
                    "'%(value)s' is also the code of row %(other)d",
                    value=_show(cleaned.code), other=seen_codes[key])))
                continue
            seen_codes[key] = number
        current = existing.get(cleaned.code.lower()) if cleaned.code else None
        if current is None:
            plan.rows.append(PlannedRow(number, "create", cleaned, status or "proposed",
                                        raised_by_id, category.name))
            continue
        cleaned.code = current.code
        before = requirement_service.RequirementFields.of(current)
        changed = [n for n in requirement_service.FIELD_ORDER
                   if getattr(before, n) != getattr(cleaned, n)]
        target = status or current.status
        if target != current.status:
            if target == "proposed":
                plan.problems.append(_problem(number, "status", _l(
                    "a decided requirement cannot go back to 'proposed'")))
                continue
            changed.append("status")
        plan.rows.append(PlannedRow(number, "update" if changed else "unchanged", cleaned,
                                    target, raised_by_id, category.name, current, changed))
    return plan


# -- importing --------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


IMPORT_REASON = {"en": "Imported from {file}", "nl": "Geïmporteerd uit {file}"}


def import_requirements(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    data: bytes,
    filename: str,
    *,
    reason: str = "",
) -> ImportResult:
    """Import a spreadsheet: all rows or none. Rows with a code that exists update that
    requirement; others are created (status from the sheet, default proposed)."""
    plan = plan_import(session, selection, data, filename)
    if plan.problems:
        raise SpreadsheetError(plan.problems)
    decision_reason = reason.strip() or IMPORT_REASON.get(
        selection.language, IMPORT_REASON["en"]).format(file=Path(filename).name[:100])
    codes = requirement_service.CodeAllocator(session, selection.id)
    touched: list[Requirement] = []
    for planned in plan.rows:
        try:
            if planned.action == "create":
                touched.append(requirement_service.create_requirement(
                    session, selection, actor, role, planned.values, status=planned.status,
                    status_reason=decision_reason if planned.status != "proposed" else "",
                    reason=reason, raised_by_id=planned.raised_by_id, codes=codes,
                    refresh=False))
            elif planned.action == "update":
                requirement = planned.existing
                assert requirement is not None
                requirement_service.update_requirement(
                    session, requirement, actor, role, planned.values, expected_version=None,
                    reason=reason, refresh=False)
                if planned.status != requirement.status:
                    requirement_service.decide(session, requirement, actor, role,
                                               planned.status, decision_reason, refresh=False)
                touched.append(requirement)
        except ServiceError as error:
            column = _FIELD_COLUMN.get(error.field or "", error.field or "")
            where = column or "file"
            raise SpreadsheetError([_problem(planned.row, where, error.message)]) from None
    if touched:
        requirement_service.refresh_quality(session, selection.id, touched)
    return ImportResult(plan.count("create"), plan.count("update"), plan.count("unchanged"))


# -- exporting and the template ---------------------------------------------------------


def _workbook(session: Session, selection: Selection, requirements: list[Requirement],
              help_texts: bool):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    categories = list(session.scalars(
        select(Category).where(Category.selection_id == selection.id)
        .order_by(Category.position, Category.id)))
    key_of = {c.id: c.key for c in categories}
    emails = dict(session.execute(
        select(Account.id, Account.email).where(
            Account.id.in_({r.raised_by_id for r in requirements if r.raised_by_id}))).all())

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Requirements"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    def text(value: str) -> str:
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value or ""))

    for r in requirements:
        row = {
            "code": text(r.code), "category": text(key_of.get(r.category_id, "")),
            "title": text(r.title), "description": text(r.description),
            "rationale": text(r.rationale), "intent": r.intent,
            "verification": r.verification,
            "verification_criterion": text(r.verification_criterion),
            "priority": r.priority, "weight": r.weight,
            "knockout": "yes" if r.knockout else "no",
            "knockout_rationale": text(r.knockout_rationale), "owner_group": r.owner_group,
            "status": r.status, "raised_by": text(emails.get(r.raised_by_id, "")),
        }
        sheet.append([row[c] for c in COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 14)
        if name in ("title", "description", "rationale", "verification_criterion",
                    "knockout_rationale"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = wrap

    # Drop-down lists, from a sheet of allowed values (hidden).
    lists = workbook.create_sheet("Lists")
    values = {
        "priority": PRIORITIES, "status": STATUSES, "intent": INTENTS,
        "verification": VERIFICATIONS, "knockout": ("yes", "no"), "owner_group": DOMAINS,
        "category": tuple(c.key for c in categories) or ("",),
    }
    last = MAX_ROWS + 1
    for position, (name, allowed) in enumerate(values.items(), start=1):
        letter = get_column_letter(position)
        lists.cell(row=1, column=position, value=name)
        for offset, value in enumerate(allowed, start=2):
            lists.cell(row=offset, column=position, value=value)
        validation = DataValidation(
            type="list", formula1=f"=Lists!${letter}$2:${letter}${len(allowed) + 1}",
            allow_blank=True, showErrorMessage=True)
        validation.error = f"{name}: " + ", ".join(allowed)
        column = get_column_letter(COLUMNS.index(name) + 1)
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)
    lists.sheet_state = "hidden"

    if help_texts:
        guide = workbook.create_sheet("Columns")
        guide.append(["column", "content"])
        for cell in guide[1]:
            cell.font = Font(bold=True)
        for name in COLUMNS:
            guide.append([name, str(COLUMN_HELP[name])])
        guide.column_dimensions["A"].width = 24
        guide.column_dimensions["B"].width = 100
    return workbook


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_requirements(session: Session, selection: Selection) -> bytes:
    """The selection's requirements as .xlsx, in list order, with drop-down lists."""
    requirements = list(session.scalars(
        select(Requirement).join(Category, Category.id == Requirement.category_id)
        .where(Requirement.selection_id == selection.id)
        .order_by(Category.position, Category.id, Requirement.code)))
    return _bytes(_workbook(session, selection, requirements, help_texts=True))


def template(session: Session, selection: Selection) -> bytes:
    """An empty sheet with the documented columns and drop-down lists (priority, status,
    intent, verification, knock-out, owner group and this selection's categories)."""
    return _bytes(_workbook(session, selection, [], help_texts=True))


def export_filename(selection: Selection, suffix: str = "requirements") -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", selection.name).strip("-")[:60] or "selection"
    return f"{base}-{suffix}.xlsx"


# -- the upload stash (preview, then commit) --------------------------------------------


def _stash_folder(instance: Path) -> Path:
    folder = instance / "uploads" / "requirements"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stash(instance: Path, selection_id: int, data: bytes, filename: str) -> str:
    """Keep an upload for its commit; returns the token that names it. Old uploads
    (over a day) are removed on the way."""
    kind = kind_of(filename)
    check_size(data)
    folder = _stash_folder(instance)
    cutoff = time.time() - STASH_HOURS * 3600
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_hex(16)
    (folder / f"{selection_id}-{token}.{kind}").write_bytes(data)
    return token


def unstash(instance: Path, selection_id: int, token: str) -> tuple[bytes, str]:
    """The stashed upload: its bytes and its kind ("xlsx" or "csv")."""
    if not _TOKEN.match(token or ""):
        raise SpreadsheetError([_l("The upload has expired; upload the file again.")])
    folder = _stash_folder(instance)
    for kind in ("xlsx", "csv"):
        path = folder / f"{selection_id}-{token}.{kind}"
        if path.is_file():
            return path.read_bytes(), kind
    raise SpreadsheetError([_l("The upload has expired; upload the file again.")])


def discard(instance: Path, selection_id: int, token: str) -> None:
    if not _TOKEN.match(token or ""):
        return
    folder = _stash_folder(instance)
    for kind in ("xlsx", "csv"):
        (folder / f"{selection_id}-{token}.{kind}").unlink(missing_ok=True)
