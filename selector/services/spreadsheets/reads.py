"""The spreadsheets area's reads: the file read in the sandbox, the plan of an import and
the mapping step's preview, the export and the template, the stashed upload.

Nothing here adds, changes or deletes a row or a stashed file (that is `writes`).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector import paths
from selector.domain import requirement_mapping as mapping
from selector.domain.vocabulary import ACCEPTED
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import INTENTS
from selector.domain.vocabulary import PRIORITIES
from selector.domain.vocabulary import PROPOSED
from selector.domain.vocabulary import STATUSES
from selector.domain.vocabulary import VERIFICATIONS
from selector.i18n import _l
from selector.models import Account
from selector.models import Category
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.services import requirements as requirement_service
from selector.services import sandbox
from selector.services.errors import ServiceError
from selector.services.spreadsheets.rules import COLUMN_HELP
from selector.services.spreadsheets.rules import COLUMNS
from selector.services.spreadsheets.rules import FAILURES
from selector.services.spreadsheets.rules import FIELD_COLUMN
from selector.services.spreadsheets.rules import KINDS
from selector.services.spreadsheets.rules import REFUSALS
from selector.services.spreadsheets.rules import STASH_TOKEN
from selector.services.spreadsheets.rules import UNREADABLE_XLSX
from selector.services.spreadsheets.rules import ImportOptions
from selector.services.spreadsheets.rules import ImportProblem
from selector.services.spreadsheets.rules import MappingChoices
from selector.services.spreadsheets.rules import NewCategory
from selector.services.spreadsheets.rules import SpreadsheetError
from selector.services.spreadsheets.rules import category_to_create
from selector.services.spreadsheets.rules import guess_category
from selector.services.spreadsheets.rules import guessed_choice
from selector.services.spreadsheets.rules import kind_of
from selector.services.spreadsheets.rules import mapping_problem
from selector.services.spreadsheets.rules import neutralise_workbook
from selector.services.spreadsheets.rules import refusal_problem
from selector.services.spreadsheets.rules import row_problem
from selector.services.spreadsheets.rules import shorten
from selector.services.spreadsheets.rules import unneutralise
from selector.services.workbook_parse import MAX_COLUMNS
from selector.services.workbook_parse import MAX_ROWS
from selector.services.workbook_parse import MAX_UPLOAD

try:
    from openpyxl.xml import DEFUSEDXML
except ImportError:  # pragma: no cover
    DEFUSEDXML = False

log = logging.getLogger(__name__)

# -- reading the file, in the sandbox ---------------------------------------------------


def check_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD:
        raise SpreadsheetError([_l("The file is larger than %(size)d MB.",
                                   size=MAX_UPLOAD // (1024 * 1024))])
    if not data:
        raise SpreadsheetError([_l("The file is empty.")])


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


# -- the plan: what an import would do, and every problem -------------------------------


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


def map_workbook(sheets: list[mapping.Sheet], options: ImportOptions) -> mapping.Mapping:
    """The chosen sheet (default: the first with a recognisable header) as requirements.
    Raises SpreadsheetError when the file as a whole is refused."""
    try:
        sheet = mapping.choose_sheet(sheets, options.sheet)
        if sheet.wide:
            raise SpreadsheetError([REFUSALS["too_many_columns"](count=MAX_COLUMNS)])
        return mapping.map_sheet(sheet, options.mapping_options())
    except mapping.MappingRefused as refusal:
        raise SpreadsheetError([refusal_problem(refusal)]) from None


def plan_import(session: Session, selection: Selection, sheets: list[mapping.Sheet],
                options: ImportOptions | None = None) -> ImportPlan:
    """Map and check a file read by `read_workbook` against the selection: every
    problem of every row, and what each row would do. Nothing is written. Raises
    SpreadsheetError when the file as a whole is refused."""
    options = options or ImportOptions()
    found = map_workbook(sheets, options)
    plan = ImportPlan(sheet=found.sheet, sheets=[s.name for s in sheets], mapping=found,
                      problems=[mapping_problem(p) for p in found.problems])
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
            new = category_to_create(name, options, found.owner_groups.get(name, Counter()),
                                     rows)
            plan.new_categories.append(new)
            if len(name) > requirement_service.MAX_CATEGORY_NAME:
                plan.problems.append(ImportProblem("category_name", None, _l(
                    "The category name '%(value)s' is longer than %(count)d characters.",
                    value=shorten(name), count=requirement_service.MAX_CATEGORY_NAME)))
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
            plan.problems.append(row_problem("unknown_category", number, column("category"), _l(
                "unknown category '%(value)s'; the categories are %(known)s",
                value=shorten(mapped.category), known=known)))
            continue
        raised_by_id = None
        raised_text = values.get("raised_by", "").lower()
        if raised_text:
            raised_by_id = members.get(raised_text)
            if raised_by_id is None:
                plan.problems.append(row_problem("not_member", number, column("raised_by"), _l(
                    "'%(value)s' is not a member of this selection",
                    value=shorten(raised_text))))
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
            name = FIELD_COLUMN.get(error.field or "", error.field or "")
            plan.problems.append(row_problem("field", number, column(name), error.message))
            continue
        if cleaned.code:
            key = cleaned.code.lower()
            if key in seen_codes:
                plan.problems.append(row_problem("code_twice", number, column("code"), _l(
                    "'%(value)s' is also the code of row %(other)d",
                    value=shorten(cleaned.code), other=seen_codes[key])))
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
                plan.problems.append(row_problem("back_to_proposed", number, column("status"), _l(
                    "a decided requirement cannot go back to 'proposed'")))
                continue
            changed.append("status")
        plan.rows.append(PlannedRow(number, "update" if changed else "unchanged", cleaned,
                                    target, raised_by_id, category.name, current, changed))
    plan.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    return plan


# -- the mapping step on the web (issue 19, items 1 and 6) ------------------------------

# Nothing is kept between requests (several gunicorn workers serve the app): the choices
# travel in the form and the file in the upload stash. Only the choices that differ from
# the app's own guess are passed on as the facilitator's, so that the page keeps saying
# how the other columns were found. `MappingStep.digest` names what a preview showed: a
# confirm whose choices no longer give that preview is shown again, not imported unseen.


@dataclass
class MappingStep:
    """What the mapping step shows. `plan` is None when the mapping is refused
    (`refusal`: its one sentence); `columns` are the columns as mapped (as chosen, when
    refused); `category_guesses`: a new category as the app guesses it (its domain from
    the functional/non-functional column, when `guessed`)."""

    sheets: list[str]
    sheet: str
    header_row: int | None = None
    columns: list[mapping.Column] = field(default_factory=list)
    plan: ImportPlan | None = None
    refusal: list[ImportProblem] = field(default_factory=list)
    category_guesses: dict[str, NewCategory] = field(default_factory=dict)
    options: ImportOptions = field(default_factory=ImportOptions)
    digest: str = ""

    @property
    def problems(self) -> list[ImportProblem]:
        return self.refusal or (self.plan.problems if self.plan else [])

    @property
    def ready(self) -> bool:
        """Can it be imported as previewed: a plan and no problem at all."""
        return self.plan is not None and not self.problems


def mapping_step(session: Session, selection: Selection, sheets: list[mapping.Sheet],
                 choices: MappingChoices) -> MappingStep:
    """The chosen sheet (default: the first with a header row) mapped with the choices,
    and its plan against the selection. Nothing is written."""
    names = [sheet.name for sheet in sheets]
    try:
        sheet = mapping.choose_sheet(sheets, choices.sheet or None)
    except mapping.MappingRefused as refusal:
        return MappingStep(names, choices.sheet, refusal=[refusal_problem(refusal)])
    if sheet.wide:
        return MappingStep(names, sheet.name, refusal=[ImportProblem(
            "too_many_columns", None, REFUSALS["too_many_columns"](count=MAX_COLUMNS))])
    index = mapping.find_header(sheet.rows)
    if index is None:
        return MappingStep(names, sheet.name, refusal=[refusal_problem(
            mapping.MappingRefused("no_header", sheet=sheet.name))])
    header_row, header = sheet.rows[index]
    body = [(number, cells) for number, cells in sheet.rows[index + 1:]
            if any(isinstance(c, mapping.Uncomputed) or mapping.clean_text(c) for c in cells)]
    guess = mapping.map_columns(header, body, mapping.MappingOptions())
    guessed = {column.letter: column.field for column in guess}

    same_sheet = not choices.mapped_sheet or \
        choices.mapped_sheet.strip().lower() == sheet.name.strip().lower()
    columns = {letter: target for letter, target in choices.columns.items()
               if same_sheet and letter in guessed and target != guessed[letter]}
    options = ImportOptions(
        sheet=sheet.name, columns=columns,
        priorities={label: choice for label, choice in choices.priorities.items()
                    if same_sheet and choice and choice != guessed_choice(label)},
        knockout_rationale=choices.knockout_rationale,
        merge_categories=choices.merges if same_sheet else None,
        create_categories=True,
        category_domains=dict(choices.domains) if same_sheet else {},
        accept_reason=choices.accept_reason, reason=choices.reason)
    try:
        plan = plan_import(session, selection, sheets, options)
    except SpreadsheetError as error:
        shown = [replace(c, field=columns[c.letter], source="given") if c.letter in columns
                 else c for c in guess]
        return MappingStep(names, sheet.name, header_row, shown, refusal=list(error.problems),
                           options=options)
    assert plan.mapping is not None
    guesses = {new.name: guess_category(
        new.name, plan.mapping.owner_groups.get(new.name, Counter()), new.rows)
        for new in plan.new_categories}
    return MappingStep(names, plan.sheet, plan.mapping.header_row, plan.mapping.columns, plan,
                       category_guesses=guesses, options=options,
                       digest=preview_digest(plan))


def preview_digest(plan: ImportPlan) -> str:
    """A name for what a preview shows: the mapping used, the categories to create and
    what each row becomes. Equal digests, equal imports."""
    found = plan.mapping
    assert found is not None
    shown = {
        "sheet": plan.sheet, "header": found.header_row,
        "columns": [(c.letter, c.field) for c in found.columns],
        "labels": [(p.label, p.priority, p.knockout) for p in found.priorities],
        "merged": found.merged,
        "categories": [(n.name, n.domain) for n in plan.new_categories],
        "rows": [(r.row, r.action, r.status, r.category_name, asdict(r.values))
                 for r in plan.rows],
    }
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- export and the template ------------------------------------------------------------

WIDTHS = {"code": 12, "category": 16, "title": 40, "description": 60, "rationale": 40,
          "verification_criterion": 50, "knockout_rationale": 30, "raised_by": 28}


def _workbook(session: Session, selection: Selection, requirements: list[Requirement],
              help_texts: bool):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.styles import Font
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
        column = get_column_letter(COLUMNS.index(name) + 1)
        validation = DataValidation(
            type="list", formula1=f"=Lists!${letter}$2:${letter}${len(allowed) + 1}",
            allow_blank=True, showErrorMessage=True, sqref=f"{column}2:{column}{last}")
        validation.error = f"{name}: " + ", ".join(allowed)
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


# -- the upload stash (preview, then commit) --------------------------------------------

# What one account's stashed uploads may hold together: four files of the largest size.
STASH_QUOTA = 4 * MAX_UPLOAD


def stash_folder(instance: Path) -> Path:
    return paths.private_dir(instance / "uploads" / "requirements")  # 0700


def stash_path(folder: Path, account_id: int, selection_id: int, token: str,
               kind: str) -> Path:
    return folder / f"{int(account_id)}-{int(selection_id)}-{token}.{kind}"


def unstash(instance: Path, account_id: int, selection_id: int, token: str
            ) -> tuple[bytes, str]:
    """The stashed upload of this account and selection: its bytes and its kind."""
    if not STASH_TOKEN.match(token or ""):
        raise SpreadsheetError([_l("The upload has expired; upload the file again.")])
    folder = stash_folder(instance)
    for kind in KINDS:
        path = stash_path(folder, account_id, selection_id, token, kind)
        if path.is_file():
            return path.read_bytes(), kind
    raise SpreadsheetError([_l("The upload has expired; upload the file again.")])


def stashed_bytes(instance: Path, account_id: int) -> int:
    """What an account's stash holds now."""
    total = 0
    for path in stash_folder(instance).glob(f"{int(account_id)}-*"):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total
