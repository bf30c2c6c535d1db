"""Requirement catalogues as spreadsheets: import a committee's own file (.xlsx, .csv or
.docx) through a column mapping, export to .xlsx, and a template with the documented
columns and drop-down lists.

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
* Formulas are never evaluated: a formula cell is read as the value the spreadsheet
  program saved with it; one without a saved value is a problem naming its cell.
* Which column is which is guessed (`selector.domain.requirement_mapping`) and may be
  overridden (`ImportOptions`); a column nobody knows is ignored, never a refusal.
* Import is all-or-nothing: every row is mapped and checked first, and any problem
  refuses the whole file with every problem of every row (`row 12, Prioriteit: ...`);
  the caller's transaction then writes nothing.
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
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector import paths
from selector.domain import requirement_mapping as mapping
from selector.domain.vocabulary import (
    ACCEPTED,
    BUSINESS,
    DOMAINS,
    FACILITATOR,
    INTENTS,
    PRIORITIES,
    PROPOSED,
    STATUSES,
    VERIFICATIONS,
)
from selector.i18n import _l
from selector.models import Account, Category, Membership, Requirement, Selection
from selector.services import requirements as requirement_service
from selector.services import sandbox
from selector.services.errors import ServiceError
from selector.services.requirements import refresh_quality
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

STASH_HOURS = 24
# What one account's stashed uploads may hold together: four files of the largest size.
STASH_QUOTA = 4 * MAX_UPLOAD

# The export's columns: the fields a file's columns are mapped to.
COLUMNS = mapping.TOOL_FIELDS
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
        first = problems[0] if problems else _l("The file was refused.")
        super().__init__(getattr(first, "message", first), field)
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

KINDS = ("xlsx", "csv", "docx")


def kind_of(filename: str) -> str:
    name = (filename or "").lower()
    for kind in KINDS:
        if name.endswith("." + kind):
            return kind
    raise SpreadsheetError([_l("Upload an .xlsx, .csv or .docx file.")])


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
    "not_docx": lambda: _l("This file is not a Word document. Save it as a Word document "
                           "(.docx) and upload it again."),
    "unreadable_xlsx": lambda: UNREADABLE_XLSX,
    "unreadable_docx": lambda: _l("This .docx file could not be read. Save it again as a "
                                  "Word document (.docx) and upload it again."),
    "encrypted": lambda: _l("This file is protected with a password. Open it, remove the "
                            "password, save it and upload it again."),
    "old_format": lambda: _l("This is an old Office file (.xls or .doc). Save it as an Excel "
                             "workbook (.xlsx) or a Word document (.docx) and upload it "
                             "again."),
    "no_numbered_requirements": lambda: _l(
        "This Word document has no numbered requirements and no table. Number them "
        "(1.1 …) or put them in a table, and upload it again."),
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


def _cell(value: Any, literal: bool = False) -> Any:
    """A cell as the sandbox sent it: a formula saved without its value comes as a dict;
    text loses exactly the `'` the export put before formula-like text (unless `literal`:
    a vendors' questionnaire writes text cells as text and reads them back as they are)."""
    if isinstance(value, dict):
        return mapping.Uncomputed(str(value.get("cell", "")), str(value.get("formula", "")))
    if isinstance(value, str) and not literal:
        return unneutralise(value)
    return value


def read_workbook(data: bytes, filename: str, *, literal: bool = False) -> list[mapping.Sheet]:
    """Every sheet of the file (a .csv is one sheet, named after the file; a .docx its
    numbered paragraphs and its tables), after the size and container checks.

    The bytes are parsed in the sandbox (`selector.services.sandbox`): a separate process
    with CPU, memory and time limits. A caller in a request must hold no database
    transaction meanwhile (on SQLite a write transaction locks out every other writer):
    read the file first, then open the transaction."""
    kind = kind_of(filename)
    check_size(data)
    try:
        found = sandbox.run(f"{kind}-sheets", data)
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
        return [mapping.Sheet(
            str(sheet["name"]) or Path(filename).name[:100],
            tuple((int(number), tuple(_cell(c, literal) for c in cells))
                  for number, cells in sheet["rows"]),
            bool(sheet.get("wide")),
        ) for sheet in found]
    except (TypeError, ValueError, KeyError):
        raise SpreadsheetError([UNREADABLE_XLSX]) from None


# -- the plan ---------------------------------------------------------------------------

# What the mapping's refusals say: the file as a whole, one sentence that says what to do.
MAPPING_REFUSALS: dict[str, Callable[..., Any]] = {
    "no_header": lambda sheet: _l(
        "No row of the sheet '%(sheet)s' names the columns. Put a header row (such as Nr, "
        "Categorie, Eis, Omschrijving, Prioriteit) above the requirements.", sheet=sheet),
    "no_sheet": lambda sheet, sheets: _l(
        "The file has no sheet '%(sheet)s'; its sheets are %(sheets)s.",
        sheet=sheet, sheets=sheets),
    "same_field": lambda first, second, field: _l(
        "The columns '%(first)s' and '%(second)s' are both mapped to %(field)s; map one of "
        "them to another field, to describe or to ignore.",
        first=first, second=second, field=field),
    "unknown_target": lambda target, targets: _l(
        "'%(target)s' is not a field; map a column to one of %(targets)s.",
        target=target, targets=targets),
    "unknown_column": lambda column, columns: _l(
        "The sheet has no column '%(column)s'; its columns are %(columns)s.",
        column=column, columns=columns),
    "unknown_priority_choice": lambda value, choices: _l(
        "'%(value)s' is not a priority; map a label to one of %(choices)s.",
        value=value, choices=choices),
    "no_title_column": lambda: _l(
        "No column holds a title or a text; map a column to title or description."),
    "no_rows": lambda sheet: _l(
        "The sheet '%(sheet)s' holds no requirements below its header row.", sheet=sheet),
    "empty_category": lambda column: _l(
        "The category column '%(column)s' is empty on every row; fill it in, or map "
        "another column to category.", column=column),
    "no_category_column": lambda: _l(
        "No column holds the category and no section rows name one; map a column to "
        "category."),
}
# What is wrong on a row: kind -> the message after "row N, column: ".
ROW_PROBLEMS: dict[str, Callable[..., Any]] = {
    "not_text_date": lambda: _l("expected text, not a date or time"),
    "not_text": lambda value: _l("expected text, not %(value)s", value=_show(value)),
    "not_choice": lambda value, values: _l("'%(value)s' is not one of %(values)s",
                                           value=_show(value), values=values),
    "not_weight": lambda value: _l("'%(value)s' is not a number of 0 or more",
                                   value=_show(value)),
    "no_category": lambda: _l("no category; fill it in, or put a section row above it"),
    "no_title": lambda: _l("neither a title nor a text"),
    "no_priority": lambda: _l("no priority; fill it in (such as Eis, Wens, must, should), "
                              "or map empty cells to a priority"),
    "unknown_priority": lambda value: _l(
        "'%(value)s' is not a priority label this import knows; map it to must, should, "
        "could, wont or knockout", value=_show(value)),
    "knockout_without_rationale": lambda: _l(
        "a knock-out needs a rationale; map a reason column, or give one rationale for the "
        "knock-outs that have none"),
}


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the file: its kind (to group them), its row (None: the file) and
    the sentence that names it."""

    kind: str
    row: int | None
    message: Any

    def __str__(self) -> str:
        return str(self.message)


def _problem(kind: str, row: int, column: str, message: Any) -> ImportProblem:
    return ImportProblem(kind, row, _l("row %(row)d, %(column)s: %(problem)s", row=row,
                                       column=column, problem=message))


def _row_problem(problem: mapping.Problem) -> ImportProblem:
    if problem.kind == "uncomputed":
        return ImportProblem(problem.kind, problem.row, _l(
            "%(cell)s: %(formula)s has no saved value; open and save the file in Excel.",
            cell=problem.params["cell"], formula=_show(problem.params["formula"])))
    return _problem(problem.kind, problem.row or 0, problem.column,
                    ROW_PROBLEMS[problem.kind](**problem.params))


@dataclass
class ImportOptions:
    """What the facilitator decides in the mapping step (the command line's flags).
    `columns`: header or column letter -> a field, "describe" or "ignore"; `priorities`:
    a label as written ("" for an empty cell) -> must, should, could, wont or knockout;
    `merge_categories`: the "X wensen" names to merge into "X" (None: every offer);
    `category_domains`: a new category's name -> business or it (else guessed from the
    functional/non-functional column, else business); `accept_reason`: import every row
    as accepted, with this reason in the audit trail; `reason`: why, once frozen."""

    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    knockout_rationale: str = ""
    merge_categories: Collection[str] | None = None
    create_categories: bool = False
    category_domains: dict[str, str] = field(default_factory=dict)
    accept_reason: str = ""
    reason: str = ""

    def mapping_options(self) -> mapping.MappingOptions:
        return mapping.MappingOptions(
            columns=dict(self.columns), priorities=dict(self.priorities),
            knockout_rationale=self.knockout_rationale,
            merge_categories=self.merge_categories)


@dataclass(frozen=True)
class NewCategory:
    """A category the file names and the selection lacks: created on import when the
    options say so. `guessed`: its domain comes from the functional/non-functional
    column."""

    name: str
    domain: str
    guessed: bool
    rows: int


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
    """Everything an import would do, and every problem: nothing is written. `mapping`
    is the column mapping, the priority labels, section rows and merges used."""

    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    mapping: mapping.Mapping | None = None
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    new_categories: list[NewCategory] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def problem_groups(self) -> dict[str, list[ImportProblem]]:
        """The problems by kind, in the order each kind first occurs."""
        groups: dict[str, list[ImportProblem]] = {}
        for problem in self.problems:
            groups.setdefault(problem.kind, []).append(problem)
        return groups

    def counts(self) -> dict[str, Counter]:
        """Per category: rows per priority, and knock-outs ("knockout")."""
        counts: dict[str, Counter] = {}
        for row in self.rows:
            counter = counts.setdefault(row.category_name, Counter())
            counter[row.values.priority] += 1
            if row.values.knockout:
                counter["knockout"] += 1
        return counts


def _refused(refusal: mapping.MappingRefused) -> SpreadsheetError:
    return SpreadsheetError([ImportProblem(refusal.kind, None,
                                           MAPPING_REFUSALS[refusal.kind](**refusal.params))])


def map_workbook(sheets: list[mapping.Sheet], options: ImportOptions) -> mapping.Mapping:
    """The chosen sheet (default: the first with a recognisable header) as requirements.
    Raises SpreadsheetError when the file as a whole is refused."""
    try:
        sheet = mapping.choose_sheet(sheets, options.sheet)
        if sheet.wide:
            raise SpreadsheetError([REFUSALS["too_many_columns"](count=MAX_COLUMNS)])
        return mapping.map_sheet(sheet, options.mapping_options())
    except mapping.MappingRefused as refusal:
        raise _refused(refusal) from None


def _new_category(name: str, options: ImportOptions, groups: Counter, rows: int
                  ) -> NewCategory:
    given = {k.strip().lower(): v for k, v in options.category_domains.items()}
    if name.lower() in given:
        return NewCategory(name, given[name.lower()], False, rows)
    if groups:
        return NewCategory(name, groups.most_common(1)[0][0], True, rows)
    return NewCategory(name, BUSINESS, False, rows)


def guess_category(name: str, groups: Counter, rows: int) -> NewCategory:
    """A new category as the app guesses it, whatever the facilitator chose."""
    return _new_category(name, ImportOptions(), groups, rows)


def plan_import(session: Session, selection: Selection, sheets: list[mapping.Sheet],
                options: ImportOptions | None = None) -> ImportPlan:
    """Map and check a file read by `read_workbook` against the selection: every
    problem of every row, and what each row would do. Nothing is written. Raises
    SpreadsheetError when the file as a whole is refused."""
    options = options or ImportOptions()
    found = map_workbook(sheets, options)
    plan = ImportPlan(sheet=found.sheet, sheets=[s.name for s in sheets], mapping=found,
                      problems=[_row_problem(p) for p in found.problems])
    by_field = {c.field: c.header or c.letter for c in found.columns}

    def column(name: str) -> str:
        return by_field.get(name, name)

    categories = list(session.scalars(
        select(Category).where(Category.selection_id == selection.id)
        .order_by(Category.position, Category.id)))
    by_name = {c.key.lower(): c for c in categories} | {c.name.lower(): c for c in categories}
    existing = {r.code.lower(): r for r in session.scalars(
        select(Requirement).where(Requirement.selection_id == selection.id))}
    members = dict(session.execute(
        select(func.lower(Account.email), Account.id)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id == selection.id, Membership.removed_at.is_(None))
    ).all())

    # Categories the file names that the selection lacks.
    missing = Counter(r.category for r in found.rows if r.category.lower() not in by_name)
    planned_categories: dict[str, Category] = {}
    if options.create_categories:
        for name, rows in missing.items():
            new = _new_category(name, options, found.owner_groups.get(name, Counter()), rows)
            plan.new_categories.append(new)
            if len(name) > requirement_service.MAX_CATEGORY_NAME:
                plan.problems.append(ImportProblem("category_name", None, _l(
                    "The category name '%(value)s' is longer than %(count)d characters.",
                    value=_show(name), count=requirement_service.MAX_CATEGORY_NAME)))
            # Not added to the session: it stands in for the category while checking.
            planned_categories[name.lower()] = Category(
                selection_id=selection.id, key="", name=name, domain=new.domain)

    seen_codes: dict[str, int] = {}
    for mapped in found.rows:
        number, values = mapped.row, mapped.values
        category = by_name.get(mapped.category.lower()) \
            or planned_categories.get(mapped.category.lower())
        if category is None:
            known = ", ".join(c.key for c in categories)
            plan.problems.append(_problem("unknown_category", number, column("category"), _l(
                "unknown category '%(value)s'; the categories are %(known)s",
                value=_show(mapped.category), known=known)))
            continue
        raised_by_id = None
        raised_text = values.get("raised_by", "").lower()
        if raised_text:
            raised_by_id = members.get(raised_text)
            if raised_by_id is None:
                plan.problems.append(_problem("not_member", number, column("raised_by"), _l(
                    "'%(value)s' is not a member of this selection", value=_show(raised_text))))
                continue
        fields = requirement_service.RequirementFields(
            category_id=category.id, code=values.get("code", ""), title=values["title"],
            description=values["description"], rationale=values.get("rationale", ""),
            intent=values.get("intent", "achieve"),
            verification=values.get("verification", "demo"),
            verification_criterion=values.get("verification_criterion", ""),
            priority=values["priority"], weight=values.get("weight"),
            knockout=values["knockout"], knockout_rationale=values["knockout_rationale"],
            owner_group=values.get("owner_group", ""))
        try:
            cleaned, _ = requirement_service.clean_fields(session, selection, fields,
                                                         category=category)
            if cleaned.code and cleaned.code.lower() not in existing:
                requirement_service.check_code_format(cleaned.code)
        except ServiceError as error:
            name = _FIELD_COLUMN.get(error.field or "", error.field or "")
            plan.problems.append(_problem("field", number, column(name), error.message))
            continue
        if cleaned.code:
            key = cleaned.code.lower()
            if key in seen_codes:
                plan.problems.append(_problem("code_twice", number, column("code"), _l(
                    "'%(value)s' is also the code of row %(other)d",
                    value=_show(cleaned.code), other=seen_codes[key])))
                continue
            seen_codes[key] = number
        status = ACCEPTED if options.accept_reason.strip() else values.get("status", "")
        current = existing.get(cleaned.code.lower()) if cleaned.code else None
        if current is None:
            plan.rows.append(PlannedRow(number, "create", cleaned, status or PROPOSED,
                                        raised_by_id, category.name))
            continue
        cleaned.code = current.code
        before = requirement_service.RequirementFields.of(current)
        changed = [n for n in requirement_service.FIELD_ORDER
                   if getattr(before, n) != getattr(cleaned, n)]
        target = status or current.status
        if target != current.status:
            if target == PROPOSED:
                plan.problems.append(_problem("back_to_proposed", number, column("status"), _l(
                    "a decided requirement cannot go back to 'proposed'")))
                continue
            changed.append("status")
        plan.rows.append(PlannedRow(number, "update" if changed else "unchanged", cleaned,
                                    target, raised_by_id, category.name, current, changed))
    plan.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    return plan


_FIELD_COLUMN = {"category_id": "category"}


# -- importing --------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    categories: int = 0  # created


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
    options: ImportOptions | None = None,
) -> ImportResult:
    """Read a file and import it: all rows or none. Reads the file before its first
    query; a caller that holds a transaction already reads it first with
    `read_workbook` and calls `commit_import`."""
    sheets = read_workbook(data, filename)
    options = options or ImportOptions(reason=reason)
    return commit_import(session, selection, actor, role, sheets, filename, options)


def commit_import(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    sheets: list[mapping.Sheet],
    filename: str,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import a file read by `read_workbook`: all rows or none (any problem raises
    SpreadsheetError before the caller commits). Missing categories are created first
    when the options say so; rows with a code that exists update that requirement,
    others are created (status from the file, accepted with `accept_reason`, default
    proposed). Every change is audited with its reason."""
    options = options or ImportOptions()
    plan = plan_import(session, selection, sheets, options)
    if plan.problems:
        raise SpreadsheetError(plan.problems)
    reason = options.reason
    decision_reason = options.accept_reason.strip() or reason.strip() or IMPORT_REASON.get(
        selection.language, IMPORT_REASON["en"]).format(file=Path(filename).name[:100])
    new_categories = len(plan.new_categories)
    if plan.new_categories:
        if role != FACILITATOR:
            raise SpreadsheetError([_l("Only the facilitator can create categories.")])
        for new in plan.new_categories:
            try:
                requirement_service.add_category(session, selection, actor, name=new.name,
                                                 domain=new.domain, reason=reason)
            except ServiceError as error:
                raise SpreadsheetError([_l("category '%(name)s': %(problem)s",
                                           name=_show(new.name), problem=error.message)]
                                       ) from None
        plan = plan_import(session, selection, sheets, options)
        if plan.problems:  # pragma: no cover - the categories were checked above
            raise SpreadsheetError(plan.problems)
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
                    status_reason=decision_reason if planned.status != PROPOSED else "",
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
            name = _FIELD_COLUMN.get(error.field or "", error.field or "") or "file"
            raise SpreadsheetError([_problem("field", planned.row, name, error.message)]
                                   ) from None
    if touched:
        refresh_quality(session, selection.id, touched)
    del categories
    return ImportResult(plan.count("create"), plan.count("update"), plan.count("unchanged"),
                        new_categories)


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
    for kind in KINDS:
        path = _stash_path(folder, account_id, selection_id, token, kind)
        if path.is_file():
            return path.read_bytes(), kind
    raise SpreadsheetError([_l("The upload has expired; upload the file again.")])


def discard(instance: Path, account_id: int, selection_id: int, token: str) -> None:
    """Delete a stashed upload (after its commit, done or refused)."""
    if not _TOKEN.match(token or ""):
        return
    folder = _stash_folder(instance)
    for kind in KINDS:
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
