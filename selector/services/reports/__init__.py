"""Reports: what the decision phase produces, and what the final report rests on.

* The report of a stored selection. `process_info` reads what only the database knows
  (phase history, freezes, the audit trail, the facilitator's recommendation and
  decision record) for `selector.report.build.build_report_data`. `selection_report`
  renders the PDF of a stored selection as it is now (a draft).
* Sealed final reports (issue 18). `issue_final_report` seals one: the PDF is stored
  with its SHA-256, the moment it was issued and the ranking document it was computed
  from, so later changes to the selection never alter it. Sealing is refused while the
  recommended vendor has a knock-out without a verdict, unless the facilitator writes
  why (kept with the report and in the audit trail). A sealed report keeps the SHA-256
  of the selection's content (`content_digest`); when the content differs later, the
  report is superseded: it is no longer the current one (`current_final_report`), and
  `changes_since` lists what was done after it was sealed.
* The recommendation and the sponsor's decision (issue 18). Once scoring is closed the
  facilitator writes the recommendation: plain text with paragraphs, and the vendor
  recommended (the first-ranked one unless another is named). Another vendor than the
  first-ranked, or one that is withdrawn or excluded (a failed knock-out, or below the
  quality threshold), needs a written reason, which the report prints. A member with
  role sponsor then records a verdict on it: approved (naming the vendor), rejected or
  more information needed, with a reason and a date. Every verdict is kept; the newest
  is the selection's decision. A rejection or a request for more information sends the
  recommendation back to the facilitator: until the facilitator revises it (a
  recommendation written after that verdict), the pages show the sponsor's reason and
  the sponsor cannot decide again. Once approved, the recommendation is final.
* The score-matrix workbook (issue 22): one load and one rank
  (`services.ranking.ranked_selection`, which reads the score matrix, comments
  included, in one query), laid out by `selector.report.score_workbook` in the
  selection's language; every text cell is neutralised on its way in, as in every
  spreadsheet the app writes (`services.spreadsheets.neutralise`, decisions.md). Who
  may have it is the caller's business: the web route's action (`analysis.workbook`)
  is refused while scoring is blind to the member, and the command line refuses it
  before scoring closes.

Every number comes from one ranked selection (`selector.services.ranking`). `rules`
holds the checks that need no database, `reads` the report, the sealed reports, the
recommendation's state and the workbook, `writes` sealing, the recommendation and the
sponsor's verdict, each with its audit entry; the caller commits. The names below are
the area's public ones: `from selector.services import reports`.
"""

from __future__ import annotations

from selector.services.reports.reads import RecommendationState
from selector.services.reports.reads import RenderedReport
from selector.services.reports.reads import Seal
from selector.services.reports.reads import Standing
from selector.services.reports.reads import changes_since
from selector.services.reports.reads import content_digest
from selector.services.reports.reads import current_final_report
from selector.services.reports.reads import current_sponsor_decision
from selector.services.reports.reads import final_reports
from selector.services.reports.reads import is_superseded
from selector.services.reports.reads import newest_final_report
from selector.services.reports.reads import process_info
from selector.services.reports.reads import ranked_rows
from selector.services.reports.reads import recommendation_state
from selector.services.reports.reads import recommended_vendor
from selector.services.reports.reads import score_workbook
from selector.services.reports.reads import score_workbook_filename
from selector.services.reports.reads import selection_report
from selector.services.reports.reads import selection_report_data
from selector.services.reports.reads import standing
from selector.services.reports.reads import unverified_knockouts
from selector.services.reports.rules import LANGUAGES
from selector.services.reports.rules import MAX_DECISION_REASON
from selector.services.reports.rules import MAX_RECOMMENDATION
from selector.services.reports.rules import MAX_RECOMMENDATION_REASON
from selector.services.reports.rules import MAX_SEAL_REASON
from selector.services.reports.rules import SEAL_REASON_TOO_LONG
from selector.services.reports.writes import issue_final_report
from selector.services.reports.writes import record_decision
from selector.services.reports.writes import write_recommendation

__all__ = [
    # the report of a stored selection
    "LANGUAGES", "process_info", "RenderedReport", "Seal", "selection_report_data",
    "selection_report",
    # sealed final reports: current and superseded
    "MAX_SEAL_REASON", "SEAL_REASON_TOO_LONG", "issue_final_report", "final_reports",
    "newest_final_report", "current_final_report", "unverified_knockouts",
    "content_digest", "is_superseded", "changes_since",
    # the recommendation and the sponsor's decision
    "MAX_RECOMMENDATION", "MAX_RECOMMENDATION_REASON", "MAX_DECISION_REASON", "Standing",
    "RecommendationState", "ranked_rows", "standing", "recommended_vendor",
    "recommendation_state", "current_sponsor_decision", "write_recommendation",
    "record_decision",
    # the score-matrix workbook
    "score_workbook", "score_workbook_filename",
]
