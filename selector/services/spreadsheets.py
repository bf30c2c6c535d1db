"""Requirement catalogues as spreadsheets: import from .xlsx or .csv, export to .xlsx,
and a template with the documented columns and drop-down lists.

Spreadsheets are untrusted input. What this module relies on, and why:

* Size first: the upload is at most `MAX_UPLOAD` bytes. Then the bytes are parsed in the
  sandbox (`selector.services.sandbox`: a separate process with CPU, memory and time
  limits, at a lower priority), never in the web worker, and never while the request
  holds a database transaction: on SQLite a write transaction locks out every other
  writer, and a hostile workbook once kept every committee's score saves waiting.
  `workbook_parse` does the reading there: the zip directory's declared sizes before
  anything is decompressed, every part's nesting depth and row elements before openpyxl
  opens it, openpyxl in read-only mode with defusedxml (no entity expansion, no
  external entities; `DEFUSEDXML` below records that it is active).
* Rows and columns are capped (`MAX_ROWS`, `MAX_COLUMNS`): iteration stops at the cap,
  so a sheet with 100,000 rows is refused after reading 5,001 of them.
* Formulas are never evaluated: a formula cell is read as its text (`=SUM(A1:A3)`).
* Import is all-or-nothing: every row is checked first, and any problem refuses the
  whole file with one message per problem (`row 12, priority: 'hoog' is not one of
  must, should, could, wont`); the caller's transaction then writes nothing.
* Export neutralises formula injection: every text cell of every sheet written (the
  hidden `Lists` sheet and the help sheet too) that starts with `=`, `+`, `-`, `@`, tab
  or CR (or with `'`) gets a leading `'`; import drops exactly that one `'`, so the
  round trip is exact (decisions.md). Headers and data validations are built from the
  same neutralised texts.

The preview keeps no state in process memory (several gunicorn workers serve the app):
an upload that passed its checks is stashed under the instance folder with a random
name, and the commit re-reads it from there. A refused upload is never stashed, a
commit (done or refused) deletes its stash at once, and one account's stash holds at
most `STASH_QUOTA` bytes: its oldest uploads make way for a new one.
"""

from __future__ import annotations

import io
import logging
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector import paths
from selector.domain.vocabulary import DOMAINS, INTENTS, PRIORITIES, STATUSES, VERIFICATIONS
from selector.i18n import _l
from selector.models import Account, Category, Membership, Requirement, Selection
from selector.services import requirements as requirement_service
from selector.services import sandbox
from selector.services.errors import ServiceError
from selector.services.quality_flags import refresh_quality
from selector.services.workbook_parse import (  # noqa: F401  (the limits, named here too)
    MAX_COLUMNS,
    MAX_PARTS,
    MAX_ROWS,
    MAX_UNPACKED,
    MAX_UPLOAD,
)

try:
    from openpyxl.xml import DEFUSEDXML
except ImportError:  # pragma: no cover
    DEFUSEDXML = False

log = logging.getLogger(__name__)

MAX_ERRORS = 50
STASH_HOURS = 24
# What one account's stashed uploads may hold together: four files of the largest size.
STASH_QUOTA = 4 * MAX_UPLOAD

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


# What the sandboxed reader's refusals say (`workbook_parse` names them).
NOT_XLSX = _l("This file is not an .xlsx spreadsheet. Save it as an Excel workbook (.xlsx) "
              "or as CSV, and upload it again.")
UNREADABLE_XLSX = _l("This .xlsx file could not be read. Save it again as an Excel "
                     "workbook (.xlsx) and upload it again.")
REFUSALS: dict[str, Callable[..., Any]] = {
    "not_xlsx": lambda: NOT_XLSX,
    "unreadable_xlsx": lambda: UNREADABLE_XLSX,
    "too_many_parts": lambda: _l("This .xlsx file has too many parts to be a requirement "
                                 "list."),
    "unpacked_too_large": lambda size, limit: _l(
        "This .xlsx file would unpack to %(size)d MB, more than the %(limit)d MB allowed; "
        "it was not opened.", size=size, limit=limit),
    "too_deep": lambda depth: _l(
        "This .xlsx file nests its elements more than %(depth)d levels deep, which no "
        "spreadsheet program does; it was not opened.", depth=depth),
    "too_many_rows": lambda count: _l(
        "The sheet has more than %(count)d rows of requirements; split it into smaller "
        "files.", count=count),
    "too_many_columns": lambda count: _l("The sheet has more than %(count)d columns.",
                                         count=count),
    "not_csv_text": lambda: _l("This file is not a CSV text file."),
    "unreadable_csv": lambda: _l("This file is not a readable CSV file."),
}
FAILURES = {
    "time": _l("This file took too long to read and was not opened. Save it again as an "
               "Excel workbook (.xlsx) or as CSV, and upload it again."),
    "memory": _l("This file needs too much memory to read and was not opened. Save it again "
                 "as an Excel workbook (.xlsx) or as CSV, and upload it again."),
}


def read_rows(data: bytes, filename: str) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number, cell values) for every row, after the size and container checks.

    The bytes are parsed in the sandbox (`selector.services.sandbox`): a separate process
    with CPU, memory and time limits. A caller in a request must hold no database
    transaction meanwhile (on SQLite a write transaction locks out every other writer):
    read the rows first, then open the transaction."""
    kind = kind_of(filename)
    check_size(data)
    try:
        found = sandbox.run(f"{kind}-rows", data)
    except sandbox.Refused as refusal:
        message = REFUSALS.get(refusal.reason)
        try:
            problem = message(**refusal.params) if message else UNREADABLE_XLSX
        except TypeError:  # a refusal with other parameters than its message
            problem = UNREADABLE_XLSX
        raise SpreadsheetError([problem]) from None
    except sandbox.Failed as failure:
        log.warning("spreadsheet not read in the sandbox: %s", failure)
        raise SpreadsheetError([FAILURES.get(failure.reason, UNREADABLE_XLSX)]) from None
    try:
        return [(int(number), tuple(cells)) for number, cells in found]
    except (TypeError, ValueError):
        raise SpreadsheetError([UNREADABLE_XLSX]) from None


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
    SpreadsheetError when the file itself is refused; row problems are in `problems`.
    Reads the file first (see `read_rows`): call it before the transaction begins."""
    return plan_rows(session, selection, read_rows(data, filename))


def plan_rows(session: Session, selection: Selection,
              rows: list[tuple[int, tuple[Any, ...]]]) -> ImportPlan:
    """Check rows read by `read_rows` against the selection; nothing is written."""
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
    requirement; others are created (status from the sheet, default proposed). Reads the
    file before its first query; a caller that holds a transaction already reads it
    first with `read_rows` and calls `import_rows`."""
    rows = read_rows(data, filename)
    return import_rows(session, selection, actor, role, rows, filename, reason=reason)


def import_rows(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    rows: list[tuple[int, tuple[Any, ...]]],
    filename: str,
    *,
    reason: str = "",
) -> ImportResult:
    """`import_requirements` of rows read by `read_rows`."""
    plan = plan_rows(session, selection, rows)
    if plan.problems:
        raise SpreadsheetError(plan.problems)
    decision_reason = reason.strip() or IMPORT_REASON.get(
        selection.language, IMPORT_REASON["en"]).format(file=Path(filename).name[:100])
    codes = requirement_service.CodeAllocator(session, selection.id)
    # Held here so that the session's (weak) identity map keeps them: each row's
    # `session.get(Category, ...)` is then answered without a query and its autoflush.
    categories = list(session.scalars(select(Category).where(
        Category.selection_id == selection.id)))
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
        refresh_quality(session, selection.id, touched)
    del categories
    return ImportResult(plan.count("create"), plan.count("update"), plan.count("unchanged"))


# -- exporting and the template ---------------------------------------------------------


def _workbook(session: Session, selection: Selection, requirements: list[Requirement],
              help_texts: bool):
    from openpyxl import Workbook
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

    # Raw values here: `_bytes` neutralises every text cell of every sheet on the way out.
    for r in requirements:
        row = {
            "code": r.code, "category": key_of.get(r.category_id, ""),
            "title": r.title, "description": r.description,
            "rationale": r.rationale, "intent": r.intent,
            "verification": r.verification,
            "verification_criterion": r.verification_criterion,
            "priority": r.priority, "weight": r.weight,
            "knockout": "yes" if r.knockout else "no",
            "knockout_rationale": r.knockout_rationale, "owner_group": r.owner_group,
            "status": r.status, "raised_by": emails.get(r.raised_by_id, ""),
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


def neutralise_workbook(workbook) -> None:
    """Every text cell of every sheet as `neutralise` writes it (without the control
    characters a workbook cannot hold): no text the app writes becomes a formula, in
    the visible sheet or any other."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", cell.value))


def _bytes(workbook) -> bytes:
    """The one way a workbook leaves the app: neutralised, then saved."""
    neutralise_workbook(workbook)
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
    return paths.private_dir(instance / "uploads" / "requirements")  # 0700


def _stash_path(folder: Path, account_id: int, selection_id: int, token: str,
                kind: str) -> Path:
    return folder / f"{int(account_id)}-{int(selection_id)}-{token}.{kind}"


def stash(instance: Path, account_id: int, selection_id: int, data: bytes,
          filename: str) -> str:
    """Keep an upload that passed its checks for its commit; returns the token that
    names it. Uploads older than a day go on the way, and so do the account's oldest
    ones while its stash would hold more than `STASH_QUOTA` bytes."""
    kind = kind_of(filename)
    check_size(data)
    folder = _stash_folder(instance)
    cutoff = time.time() - STASH_HOURS * 3600
    mine: list[tuple[float, int, Path]] = []
    for old in folder.iterdir():
        try:
            status = old.stat()
            if status.st_mtime < cutoff:
                old.unlink()
            elif old.name.startswith(f"{int(account_id)}-"):
                mine.append((status.st_mtime, status.st_size, old))
        except OSError:
            pass
    held = sum(size for _, size, _ in mine)
    for _, size, old in sorted(mine, key=lambda found: found[0]):
        if held + len(data) <= STASH_QUOTA:
            break
        old.unlink(missing_ok=True)
        held -= size
    token = secrets.token_hex(16)
    path = _stash_path(folder, account_id, selection_id, token, kind)
    with paths.open_private(path, exclusive=True) as handle:  # 0600
        handle.write(data)
    return token


def unstash(instance: Path, account_id: int, selection_id: int, token: str
            ) -> tuple[bytes, str]:
    """The stashed upload of this account and selection: its bytes and its kind."""
    if not _TOKEN.match(token or ""):
        raise SpreadsheetError([_l("The upload has expired; upload the file again.")])
    folder = _stash_folder(instance)
    for kind in ("xlsx", "csv"):
        path = _stash_path(folder, account_id, selection_id, token, kind)
        if path.is_file():
            return path.read_bytes(), kind
    raise SpreadsheetError([_l("The upload has expired; upload the file again.")])


def discard(instance: Path, account_id: int, selection_id: int, token: str) -> None:
    """Delete a stashed upload (after its commit, done or refused)."""
    if not _TOKEN.match(token or ""):
        return
    folder = _stash_folder(instance)
    for kind in ("xlsx", "csv"):
        _stash_path(folder, account_id, selection_id, token, kind).unlink(missing_ok=True)


def stashed_bytes(instance: Path, account_id: int) -> int:
    """What an account's stash holds now."""
    total = 0
    for path in _stash_folder(instance).glob(f"{int(account_id)}-*"):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total
