"""The score-matrix workbook of a stored selection, as .xlsx bytes (issue 22).

One load and one rank (`services.ranking.ranked_selection`, which reads the score
matrix, comments included, in one query), laid out by `selector.report.score_workbook`
in the selection's language. Every text cell is neutralised on its way in, as in every
spreadsheet the app writes (`services.spreadsheets.neutralise`, decisions.md).

Who may have it is the caller's business: the web route's action
(`analysis.workbook`) is refused while scoring is blind to the member, and the command
line refuses it before scoring closes.
"""

from __future__ import annotations

import io

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

from selector.models import Selection
from selector.report.score_workbook import build_score_workbook
from selector.services.ranking import ranked_selection
from selector.services.spreadsheets import export_filename, neutralise

FILENAME_SUFFIX = "score-matrix"


def _cell_text(text: str) -> str:
    """A text as a cell may hold it: without the control characters a workbook cannot
    store, and never read as a formula."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def score_workbook(session: Session, selection: Selection) -> bytes:
    """The workbook as it stands now. Raises RankingUnavailable when the method
    refuses the selection (services.ranking)."""
    ranked = ranked_selection(session, selection.id)
    workbook = build_score_workbook(ranked, selection.language, text=_cell_text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def score_workbook_filename(selection: Selection) -> str:
    return export_filename(selection, FILENAME_SUFFIX)
