"""The mapping step of a committee's own requirement file on the web (issue 19, items 1
and 6): what the facilitator chose on the page becomes `ImportOptions`, and the page
gets the plan with the mapping it used, or, when the mapping is refused, that one
sentence with the columns still there to map again.

Nothing is kept between requests (several gunicorn workers serve the app): the choices
travel in the form and the file in the upload stash. Only the choices that differ from
the app's own guess are passed on as the facilitator's, so that the page keeps saying
how the other columns were found. `MappingStep.digest` names what a preview showed: a
confirm whose choices no longer give that preview is shown again, not imported unseen.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy.orm import Session

from selector.domain import requirement_mapping as mapping
from selector.models import Selection
from selector.services import spreadsheets
from selector.services.spreadsheets import ImportOptions, ImportPlan, ImportProblem


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
    category_guesses: dict[str, spreadsheets.NewCategory] = field(default_factory=dict)
    options: ImportOptions = field(default_factory=ImportOptions)
    digest: str = ""

    @property
    def problems(self) -> list[ImportProblem]:
        return self.refusal or (self.plan.problems if self.plan else [])

    @property
    def ready(self) -> bool:
        """Can it be imported as previewed: a plan and no problem at all."""
        return self.plan is not None and not self.problems


def _guessed_choice(label: str) -> str:
    """What a priority label means by the app's own guess, as a choice ("": none)."""
    guess = mapping.priority_of(label) if label else None
    if guess is None:
        return ""
    return mapping.KNOCKOUT if guess[1] else guess[0]


def _refused(refusal: mapping.MappingRefused) -> list[ImportProblem]:
    return [ImportProblem(refusal.kind, None,
                          spreadsheets.MAPPING_REFUSALS[refusal.kind](**refusal.params))]


def mapping_step(session: Session, selection: Selection, sheets: list[mapping.Sheet],
                 choices: MappingChoices) -> MappingStep:
    """The chosen sheet (default: the first with a header row) mapped with the choices,
    and its plan against the selection. Nothing is written."""
    names = [sheet.name for sheet in sheets]
    try:
        sheet = mapping.choose_sheet(sheets, choices.sheet or None)
    except mapping.MappingRefused as refusal:
        return MappingStep(names, choices.sheet, refusal=_refused(refusal))
    if sheet.wide:
        return MappingStep(names, sheet.name, refusal=[ImportProblem(
            "too_many_columns", None,
            spreadsheets.REFUSALS["too_many_columns"](count=spreadsheets.MAX_COLUMNS))])
    index = mapping.find_header(sheet.rows)
    if index is None:
        return MappingStep(names, sheet.name, refusal=_refused(
            mapping.MappingRefused("no_header", sheet=sheet.name)))
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
                    if same_sheet and choice and choice != _guessed_choice(label)},
        knockout_rationale=choices.knockout_rationale,
        merge_categories=choices.merges if same_sheet else None,
        create_categories=True,
        category_domains=dict(choices.domains) if same_sheet else {},
        accept_reason=choices.accept_reason, reason=choices.reason)
    try:
        plan = spreadsheets.plan_import(session, selection, sheets, options)
    except spreadsheets.SpreadsheetError as error:
        shown = [replace(c, field=columns[c.letter], source="given") if c.letter in columns
                 else c for c in guess]
        return MappingStep(names, sheet.name, header_row, shown, refusal=list(error.problems),
                           options=options)
    assert plan.mapping is not None
    guesses = {new.name: spreadsheets.guess_category(
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
