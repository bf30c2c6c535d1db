"""The spreadsheets area's rules: what needs no database.

The kinds of file taken, the sentences every refusal says (the sandboxed reader, the
column mapping and each row name theirs by a fixed word; the words become sentences
here), the facilitator's import options, formula neutralising for every workbook the
app writes, and the upload limit's refusal. `reads` and `writes` apply them; the forms,
the vendors' questionnaire, the audit trail and the score workbook ask them too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Collection
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from selector.domain import requirement_mapping as mapping
from selector.domain.vocabulary import BUSINESS
from selector.i18n import _l
from selector.services.errors import ServiceError

# -- formula injection ------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


# -- the file and the sandboxed reader's refusals ---------------------------------------


class SpreadsheetError(ServiceError):
    """A refused spreadsheet: `problems` holds one sentence per problem."""

    def __init__(self, problems: list[Any], field: str | None = "file") -> None:
        first = problems[0] if problems else _l("The file was refused.")
        super().__init__(getattr(first, "message", first), field)
        self.problems = problems


KINDS = ("xlsx", "csv", "docx")


def kind_of(filename: str) -> str:
    name = (filename or "").lower()
    for kind in KINDS:
        if name.endswith("." + kind):
            return kind
    raise SpreadsheetError([_l("Upload an .xlsx, .csv or .docx file.")])


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


# -- the mapping and every problem of every row -----------------------------------------

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
    "not_text": lambda value: _l("expected text, not %(value)s", value=shorten(value)),
    "not_choice": lambda value, values: _l("'%(value)s' is not one of %(values)s",
                                           value=shorten(value), values=values),
    "not_weight": lambda value: _l("'%(value)s' is not a number of 0 or more",
                                   value=shorten(value)),
    "no_category": lambda: _l("no category; fill it in, or put a section row above it"),
    "no_title": lambda: _l("neither a title nor a text"),
    "no_priority": lambda: _l("no priority; fill it in (such as Eis, Wens, must, should), "
                              "or map empty cells to a priority"),
    "unknown_priority": lambda value: _l(
        "'%(value)s' is not a priority label this import knows; map it to must, should, "
        "could, wont or knockout", value=shorten(value)),
    "knockout_without_rationale": lambda: _l(
        "a knock-out needs a rationale; map a reason column, or give one rationale for the "
        "knock-outs that have none"),
}
# A service refusal names a field; a problem names the file's column for it.
FIELD_COLUMN = {"category_id": "category"}


def shorten(value: Any) -> str:
    """A value as a problem quotes it: at most 40 characters."""
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


def row_problem(kind: str, row: int, column: str, message: Any) -> ImportProblem:
    """A problem on one row: "row 12, Prioriteit: ..."."""
    return ImportProblem(kind, row, _l("row %(row)d, %(column)s: %(problem)s", row=row,
                                       column=column, problem=message))


def mapping_problem(problem: mapping.Problem) -> ImportProblem:
    """A problem the mapping found on a row, in the reader's language."""
    if problem.kind == "uncomputed":
        return ImportProblem(problem.kind, problem.row, _l(
            "%(cell)s: %(formula)s has no saved value; open and save the file in Excel.",
            cell=problem.params["cell"], formula=shorten(problem.params["formula"])))
    return row_problem(problem.kind, problem.row or 0, problem.column,
                       ROW_PROBLEMS[problem.kind](**problem.params))


def refusal_problem(refusal: mapping.MappingRefused) -> ImportProblem:
    """The mapping's refusal of the file as a whole, as its one problem."""
    return ImportProblem(refusal.kind, None, MAPPING_REFUSALS[refusal.kind](**refusal.params))


# -- what the facilitator decides -------------------------------------------------------


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


def category_to_create(name: str, options: ImportOptions, groups: Counter, rows: int
                       ) -> NewCategory:
    """A missing category with its domain: as the facilitator gave it, else the owner
    group its rows name most, else business."""
    given = {k.strip().lower(): v for k, v in options.category_domains.items()}
    if name.lower() in given:
        return NewCategory(name, given[name.lower()], False, rows)
    if groups:
        return NewCategory(name, groups.most_common(1)[0][0], True, rows)
    return NewCategory(name, BUSINESS, False, rows)


def guess_category(name: str, groups: Counter, rows: int) -> NewCategory:
    """A new category as the app guesses it, whatever the facilitator chose."""
    return category_to_create(name, ImportOptions(), groups, rows)


# -- the mapping step on the web --------------------------------------------------------


@dataclass
class MappingChoices:
    """What the mapping step's form says. `mapped_sheet`: the sheet on which the column,
    label and category choices were made (they are dropped when another sheet is
    chosen); `columns`: column letter -> a field, "describe" or "ignore"; `priorities`:
    label as written -> must, should, could, wont, knockout or "" (the guess);
    `merges`: the "X wensen" offers to take (None: every offer)."""

    sheet: str = ""
    mapped_sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    merges: list[str] | None = None
    knockout_rationale: str = ""
    accept_reason: str = ""
    reason: str = ""


def guessed_choice(label: str) -> str:
    """What a priority label means by the app's own guess, as a choice ("": none)."""
    guess = mapping.priority_of(label) if label else None
    if guess is None:
        return ""
    return mapping.KNOCKOUT if guess[1] else guess[0]


# -- export and the template ------------------------------------------------------------

# The export's columns: the fields a file's columns are mapped to.
COLUMNS = mapping.TOOL_FIELDS

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


def export_filename(selection: Any, suffix: str = "requirements") -> str:
    """The download's name: the selection's name in safe characters, then `suffix`."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", selection.name).strip("-")[:60] or "selection"
    return f"{base}-{suffix}.xlsx"


# -- the upload stash and the upload limit ----------------------------------------------

STASH_HOURS = 24
STASH_TOKEN = re.compile(r"^[0-9a-f]{32}$")

# How often one account may upload a file to be parsed (`writes.admit_upload`).
UPLOADS_PER_MINUTE = 6


class TooManyUploads(ServiceError):
    """Refused: the account uploaded `UPLOADS_PER_MINUTE` files within the last minute.
    `retry_after`: seconds until the oldest of them leaves the window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(_l("Too many uploads: at most %(count)d a minute. Wait a minute, "
                            "then upload the file again.", count=UPLOADS_PER_MINUTE), "file")
        self.retry_after = retry_after
