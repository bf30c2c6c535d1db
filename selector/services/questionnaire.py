"""The vendor questionnaire as a workbook (formats.md, "Vendor questionnaire (.xlsx)"):
written for one vendor, read back when the vendor returns it.

The first sheet holds one row per active requirement (knock-outs first) under the key
row `code, title, description, verification_criterion, knockout, compliance,
explanation, planned_date`; above it the same columns' labels in the selection's
language. `compliance` has a drop-down of its labels in that language; a returned file
may hold the keys or the labels in Dutch or English. The hidden sheet `Selector` names
the selection and the vendor; a file for another selection or vendor is refused. That
is a guard against mix-ups, not a lock: the caller decides whose answers are read (the
portal its own vendor's, the command line the vendor it names).

What this relies on:

* Text is written and read literally (formats.md: "Text comes back literally"). Every
  text cell is written as a string cell (never a formula, whatever it starts with:
  `=HYPERLINK(...)`, `+31 20 123`, `@sum`) with Excel's quote prefix, so a spreadsheet
  program keeps it text when it is edited too; read back, a cell's text is taken as it
  is (no `'` is dropped: `spreadsheets.read_workbook(literal=True)`). Characters a
  workbook cannot hold (control characters) are left out on the way out.
* A returned file is untrusted: it is read in the sandbox (`spreadsheets.read_workbook`:
  size, zip and XML checks, a separate limited process), never inside a database
  transaction; a formula the vendor typed counts as the value saved with it, and one
  saved without a value is a problem naming its cell.
* All rows or none: every row is checked (`vendor_answers.import_answers`) and every
  problem is listed at once; with any problem nothing is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from selector.domain import vendor_answers as rules
from selector.domain.it_catalogue import Words, words_in
from selector.domain.requirement_mapping import Sheet, Uncomputed
from selector.i18n import _l
from selector.models import Account, Selection, Vendor
from selector.services import spreadsheets, vendor_answers
from selector.services.spreadsheets import SpreadsheetError

FORMAT = "selector/questionnaire"
KEYS = ("code", "title", "description", "verification_criterion", "knockout", "compliance",
        "explanation", "planned_date")
ANSWER_KEYS = ("compliance", "explanation", "planned_date")
IDENTITY_SHEET = "Selector"
LISTS_SHEET = "Lists"
HEADER_ROW, LABEL_ROW, KEY_ROW = 1, 2, 3

LABELS: dict[str, Words] = {
    "code": {"en": "Code", "nl": "Code"},
    "title": {"en": "Requirement", "nl": "Eis"},
    "description": {"en": "Description", "nl": "Omschrijving"},
    "verification_criterion": {"en": "How it is verified", "nl": "Hoe het wordt getoetst"},
    "knockout": {"en": "Knock-out", "nl": "Knock-out"},
    "compliance": {"en": "Do you comply?", "nl": "Voldoet u?"},
    "explanation": {"en": "Explanation (required unless yes)",
                    "nl": "Toelichting (verplicht, behalve bij ja)"},
    "planned_date": {"en": "Planned date (when planned)",
                     "nl": "Geplande datum (bij gepland)"},
}
SHEET_TITLE: Words = {"en": "Questionnaire", "nl": "Vragenlijst"}
HEADING: Words = {"en": "Questionnaire for {vendor}: {selection}",
                  "nl": "Vragenlijst voor {vendor}: {selection}"}
YES_NO: dict[bool, Words] = {True: {"en": "yes", "nl": "ja"}, False: {"en": "no", "nl": "nee"}}
WIDTHS = {"code": 12, "title": 40, "description": 60, "verification_criterion": 50,
          "knockout": 10, "compliance": 20, "explanation": 60, "planned_date": 16}


# -- writing ------------------------------------------------------------------------------


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """A cell holding `value`; text always as a string cell with the quote prefix, so it
    is never read or edited into a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def workbook(session: Session, selection: Selection, vendor: Vendor, *,
             with_answers: bool = True) -> bytes:
    """The questionnaire for one vendor, with its answers so far (unless not
    `with_answers`: the committee's copy while the answers are hidden), as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    language = selection.language
    items = vendor_answers.questionnaire(session, selection, vendor)
    book = Workbook()
    sheet = book.active
    sheet.title = words_in(SHEET_TITLE, language)
    _put(sheet, HEADER_ROW, 1, words_in(HEADING, language).format(
        vendor=vendor.name, selection=selection.name)).font = Font(bold=True, size=13)
    for column, key in enumerate(KEYS, start=1):
        _put(sheet, LABEL_ROW, column, words_in(LABELS[key], language)).font = Font(bold=True)
        _put(sheet, KEY_ROW, column, key).font = Font(color="808080")
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[key]
    sheet.freeze_panes = sheet.cell(row=KEY_ROW + 1, column=2)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, item in enumerate(items, start=KEY_ROW + 1):
        r, answer = item.requirement, item.answer if with_answers else None
        values = {
            "code": r.code, "title": r.title, "description": r.description,
            "verification_criterion": r.verification_criterion,
            "knockout": words_in(YES_NO[bool(r.knockout)], language),
            "compliance": rules.compliance_label(answer.compliance, language) if answer else "",
            "explanation": answer.explanation if answer else "",
            "planned_date": answer.planned_on if answer and answer.planned_on else None,
        }
        for column, key in enumerate(KEYS, start=1):
            cell = _put(sheet, row, column, values[key])
            cell.alignment = wrap
            if key == "planned_date":
                cell.number_format = "yyyy-mm-dd"
    last = KEY_ROW + max(len(items), 1)

    lists = book.create_sheet(LISTS_SHEET)
    for row, key in enumerate(rules.COMPLIANCES, start=1):
        _put(lists, row, 1, rules.compliance_label(key, language))
    lists.sheet_state = "hidden"
    column = get_column_letter(KEYS.index("compliance") + 1)
    choices = DataValidation(type="list", allow_blank=True, showErrorMessage=True,
                             formula1=f"={LISTS_SHEET}!$A$1:$A${len(rules.COMPLIANCES)}")
    choices.add(f"{column}{KEY_ROW + 1}:{column}{last}")
    sheet.add_data_validation(choices)

    identity = book.create_sheet(IDENTITY_SHEET)
    for row, (key, value) in enumerate((("format", FORMAT), ("selection", selection.id),
                                        ("selection_name", selection.name),
                                        ("vendor", vendor.key),
                                        ("vendor_name", vendor.name)), start=1):
        _put(identity, row, 1, key)
        _put(identity, row, 2, value)
    identity.sheet_state = "hidden"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(selection: Selection, vendor: Vendor) -> str:
    return spreadsheets.export_filename(selection, f"questionnaire-{vendor.key}")


# -- reading ------------------------------------------------------------------------------


def read(data: bytes, name: str) -> list[Sheet]:
    """The returned file's sheets, read literally in the sandbox. Call it before the
    database transaction: no lock is held while an untrusted file is parsed."""
    if not (name or "").lower().endswith(".xlsx"):
        raise SpreadsheetError([_l("Return the questionnaire as the .xlsx workbook it was "
                                   "sent as.")])
    return spreadsheets.read_workbook(data, name, literal=True)


def _identity(sheets: list[Sheet]) -> dict[str, Any]:
    sheet = next((s for s in sheets if s.name == IDENTITY_SHEET), None)
    if sheet is None:
        return {}
    return {str(cells[0]): cells[1] for _, cells in sheet.rows
            if len(cells) >= 2 and isinstance(cells[0], str)}


def _check_identity(sheets: list[Sheet], selection: Selection, vendor: Vendor) -> None:
    found = _identity(sheets)
    if found.get("format") != FORMAT:
        raise SpreadsheetError([_l("This file is not a questionnaire written by Selector. "
                                   "Fill in the questionnaire you were sent.")])
    if str(found.get("selection")) != str(selection.id):
        raise SpreadsheetError([_l("This questionnaire belongs to another selection.")])
    if found.get("vendor") != vendor.key:
        raise SpreadsheetError([_l("This questionnaire was written for another vendor.")])


def _key_row(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for number, cells in sheet.rows:
        keys = {str(c).strip().lower(): i for i, c in enumerate(cells) if isinstance(c, str)}
        if {"code", "compliance", "explanation"} <= keys.keys():
            return number, keys
    return None


_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _date(value: Any) -> date | None | str:
    """A planned date from a cell; the text of the problem when it is none."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _DAY_FIRST.match(text)
    if found:
        try:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        except ValueError:
            pass
    return str(_l("'%(value)s' is not a date; write it as 2027-03-31", value=text[:40]))


def _text(value: Any) -> str | None:
    """A cell as text; None for a date or a formula without a value (a problem)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return None


@dataclass(frozen=True)
class Returned:
    """What a returned questionnaire gave."""

    created: int
    updated: int
    unchanged: int


def import_returned(session: Session, selection: Selection, vendor: Vendor,
                    sheets: list[Sheet], *, actor: Account | None = None,
                    actor_name: str = "") -> Returned:
    """Write a returned questionnaire's answers (read by `read`): all rows or none.
    Raises SpreadsheetError with every problem found."""
    _check_identity(sheets, selection, vendor)
    main = next((s for s in sheets if s.name not in (IDENTITY_SHEET, LISTS_SHEET)), None)
    found = _key_row(main) if main is not None else None
    if found is None:
        raise SpreadsheetError([_l("The questionnaire has no row with the keys code, "
                                   "compliance and explanation; fill in the sheet you were "
                                   "sent without changing its rows above the answers.")])
    key_row, columns = found
    problems: list[Any] = []
    rows: list[vendor_answers.RowAnswer] = []
    seen: dict[str, int] = {}

    def cell(cells: tuple[Any, ...], key: str) -> Any:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in main.rows:
        if number <= key_row:
            continue
        uncomputed = [c for c in cells if isinstance(c, Uncomputed)]
        if uncomputed:
            problems.append(_l("row %(row)d: the formula in %(cell)s has no value; type the "
                               "text itself", row=number, cell=uncomputed[0].cell))
            continue
        code = _text(cell(cells, "code"))
        code = (code or "").strip()
        compliance, explanation = cell(cells, "compliance"), _text(cell(cells, "explanation"))
        planned = _date(cell(cells, "planned_date"))
        if compliance in (None, "") and not explanation and planned is None:
            continue  # not answered (yet)
        if not code:
            problems.append(_l("row %(row)d: an answer without a requirement code",
                               row=number))
            continue
        if code in seen:
            problems.append(_l("row %(row)d: %(code)s is answered on row %(first)d already",
                               row=number, code=code, first=seen[code]))
            continue
        seen[code] = number
        if explanation is None:
            problems.append(_l("row %(row)d (%(code)s): the explanation must be text, not a "
                               "date", row=number, code=code))
            continue
        if isinstance(planned, str):
            problems.append(_l("row %(row)d (%(code)s): %(message)s", row=number, code=code,
                               message=planned))
            continue
        key = rules.compliance_from_text(compliance)
        given_compliance = key or (_text(compliance) or "").strip()
        rows.append(vendor_answers.RowAnswer(number, code, vendor_answers.AnswerInput(
            given_compliance, explanation, planned)))
    result = vendor_answers.import_answers(session, selection, vendor, rows, actor=actor,
                                           actor_name=actor_name, problems=problems)
    if result.problems:
        raise SpreadsheetError(result.problems)
    return Returned(result.created, result.updated, result.unchanged)
