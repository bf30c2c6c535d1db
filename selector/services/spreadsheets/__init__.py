"""Spreadsheets: a committee's own requirement file in (.xlsx, .csv or .docx) through a
column mapping, the requirements out to .xlsx, a template with the documented columns and
drop-down lists; and, for every workbook the app writes or reads, formula neutralising
and the sandboxed reading.

Spreadsheets are untrusted input. What the area relies on, and why:

* Size first: the upload is at most `MAX_UPLOAD` bytes. Then the bytes are parsed in the
  sandbox (`selector.services.sandbox`: a separate process with CPU, memory and time
  limits, at a lower priority), never in the web worker, and never while the request
  holds a database transaction: on SQLite a write transaction locks out every other
  writer, and a hostile workbook once kept every committee's score saves waiting.
  `selector.services.workbook_parse` does the reading there: the zip directory's
  declared sizes before anything is decompressed, every part's nesting depth and row
  elements before openpyxl opens it, openpyxl in read-only mode with defusedxml (no
  entity expansion, no external entities; `DEFUSEDXML` records that it is active).
  Both stay modules of their own outside this package: the sandbox's child imports
  `workbook_parse` alone, without this package's database and web imports.
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

The area's topics:

* Reading the file and planning the import. `read_workbook` parses in the sandbox;
  `plan_import` maps and checks the sheets against the selection and writes nothing;
  `commit_import` writes the plan (missing categories first, when the options say so),
  each change audited by the requirements area.
* The mapping step on the web (issue 19, items 1 and 6): what the facilitator chose on
  the page (`MappingChoices`) becomes `ImportOptions`, and the page gets the plan with
  the mapping it used (`MappingStep`), or, when the mapping is refused, that one
  sentence with the columns still there to map again. `MappingStep.digest` names what
  a preview showed: a confirm whose choices no longer give that preview is shown
  again, not imported unseen.
* Export and the template, and `neutralise` for every workbook the app writes (the
  audit trail and the score matrix use it too).
* The upload stash. The preview keeps no state in process memory (several gunicorn
  workers serve the app): an upload that passed its checks is stashed under the
  instance folder with a random name, and the commit re-reads it from there. A refused
  upload is never stashed, a commit (done or refused) deletes its stash at once, and
  one account's stash holds at most `STASH_QUOTA` bytes: its oldest uploads make way
  for a new one.
* The upload limit: one account starts at most `UPLOADS_PER_MINUTE` parses a minute
  (`admit_upload`, kept in the database so that it holds across workers), so a loop of
  hostile uploads cannot keep the machine's cores busy.

`rules` holds what needs no database, `reads` the file, the plan, the export and the
stashed upload, `writes` the import, the stash and the upload count; the caller commits.
The names below are the area's public ones: `from selector.services import spreadsheets`.
"""

from __future__ import annotations

from selector.services.spreadsheets.reads import DEFUSEDXML
from selector.services.spreadsheets.reads import MAX_COLUMNS
from selector.services.spreadsheets.reads import MAX_ROWS
from selector.services.spreadsheets.reads import MAX_UPLOAD
from selector.services.spreadsheets.reads import STASH_QUOTA
from selector.services.spreadsheets.reads import ImportPlan
from selector.services.spreadsheets.reads import MappingStep
from selector.services.spreadsheets.reads import PlannedRow
from selector.services.spreadsheets.reads import export_requirements
from selector.services.spreadsheets.reads import mapping_step
from selector.services.spreadsheets.reads import plan_import
from selector.services.spreadsheets.reads import preview_digest
from selector.services.spreadsheets.reads import read_workbook
from selector.services.spreadsheets.reads import stashed_bytes
from selector.services.spreadsheets.reads import template
from selector.services.spreadsheets.reads import unstash
from selector.services.spreadsheets.rules import COLUMN_HELP
from selector.services.spreadsheets.rules import COLUMNS
from selector.services.spreadsheets.rules import FAILURES
from selector.services.spreadsheets.rules import FORMULA_START
from selector.services.spreadsheets.rules import MAPPING_REFUSALS
from selector.services.spreadsheets.rules import REFUSALS
from selector.services.spreadsheets.rules import ROW_PROBLEMS
from selector.services.spreadsheets.rules import UPLOADS_PER_MINUTE
from selector.services.spreadsheets.rules import ImportOptions
from selector.services.spreadsheets.rules import ImportProblem
from selector.services.spreadsheets.rules import MappingChoices
from selector.services.spreadsheets.rules import NewCategory
from selector.services.spreadsheets.rules import SpreadsheetError
from selector.services.spreadsheets.rules import TooManyUploads
from selector.services.spreadsheets.rules import export_filename
from selector.services.spreadsheets.rules import guess_category
from selector.services.spreadsheets.rules import neutralise
from selector.services.spreadsheets.rules import neutralise_workbook
from selector.services.spreadsheets.rules import unneutralise
from selector.services.spreadsheets.writes import ImportResult
from selector.services.spreadsheets.writes import admit_upload
from selector.services.spreadsheets.writes import commit_import
from selector.services.spreadsheets.writes import discard
from selector.services.spreadsheets.writes import import_requirements
from selector.services.spreadsheets.writes import stash

__all__ = [
    # reading the file, and why it was refused
    "MAX_UPLOAD", "MAX_ROWS", "MAX_COLUMNS", "DEFUSEDXML", "SpreadsheetError", "REFUSALS",
    "FAILURES", "read_workbook",
    # planning and importing
    "ImportOptions", "ImportProblem", "MAPPING_REFUSALS", "ROW_PROBLEMS", "NewCategory",
    "guess_category", "PlannedRow", "ImportPlan", "plan_import", "ImportResult",
    "commit_import", "import_requirements",
    # the mapping step on the web
    "MappingChoices", "MappingStep", "mapping_step", "preview_digest",
    # export, the template and formula neutralising
    "COLUMNS", "COLUMN_HELP", "FORMULA_START", "neutralise", "unneutralise",
    "neutralise_workbook", "export_requirements", "template", "export_filename",
    # the upload stash
    "STASH_QUOTA", "stash", "unstash", "discard", "stashed_bytes",
    # the upload limit
    "UPLOADS_PER_MINUTE", "TooManyUploads", "admit_upload",
]
