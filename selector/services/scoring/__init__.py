"""Scoring (issue 7): who scores what, conflicts of interest, the sheets and their scores,
the knock-out board, and the consensus score the committee agrees on afterwards.

Business members score the business categories, IT members the IT ones and the
facilitator all of them, unless the facilitator assigns otherwise. Before a member's
first score on a vendor they declare a conflict of interest; the facilitator may exclude
a member from a vendor (the scores are kept but no longer count). A score is a whole
number from 0 to `scale_max` on an assigned active wish; an extreme one needs an argument
before the sheet can be submitted, and after submission a change needs a reason. Every
save names the version it started from, so a stale save is refused, never applied over
someone else's. After scoring closes the facilitator records consensus scores.

Blind scoring (decisions.md) is decided by `selector.domain.visibility`: the reads leave
out what a page may not show. The first moment a member saw the others' scores is
recorded, so that a score changed afterwards is marked as such (issue 17, item 13).

Knock-out verdicts themselves, and their documents, are `selector.services.verdicts`;
the board that shows them is here. `rules` holds the checks that need no database,
`reads` what the pages show, `writes` every change with its audit entry (old and new
value); the caller commits. The names below are the area's public ones:
`from selector.services import scoring`.
"""

from __future__ import annotations

from selector.services.scoring.reads import AnswerShown
from selector.services.scoring.reads import AssignmentRow
from selector.services.scoring.reads import ConsensusRow
from selector.services.scoring.reads import Exclusion
from selector.services.scoring.reads import KnockoutRow
from selector.services.scoring.reads import MemberEntry
from selector.services.scoring.reads import MemberProgress
from selector.services.scoring.reads import PeerScore
from selector.services.scoring.reads import SeenChange
from selector.services.scoring.reads import SheetCategory
from selector.services.scoring.reads import SheetItem
from selector.services.scoring.reads import SheetProgress
from selector.services.scoring.reads import SheetView
from selector.services.scoring.reads import VerdictCell
from selector.services.scoring.reads import active_vendors
from selector.services.scoring.reads import answer_document
from selector.services.scoring.reads import answers_shown
from selector.services.scoring.reads import assigned_category_ids
from selector.services.scoring.reads import assigned_wishes
from selector.services.scoring.reads import assignment_matrix
from selector.services.scoring.reads import assignments
from selector.services.scoring.reads import assignments_and_given
from selector.services.scoring.reads import changed_keys
from selector.services.scoring.reads import changes_after_seeing
from selector.services.scoring.reads import consensus_answers
from selector.services.scoring.reads import consensus_rows
from selector.services.scoring.reads import counted_scorers
from selector.services.scoring.reads import excluded_vendors
from selector.services.scoring.reads import exclusions
from selector.services.scoring.reads import knockout_board
from selector.services.scoring.reads import member_sheet
from selector.services.scoring.reads import my_sheets
from selector.services.scoring.reads import scoring_progress
from selector.services.scoring.reads import unnoted
from selector.services.scoring.rules import CONFLICT_CHOICES
from selector.services.scoring.rules import MAX_COMMENT
from selector.services.scoring.rules import MAX_REASON
from selector.services.scoring.rules import counts_as_scorer
from selector.services.scoring.rules import default_assignment
from selector.services.scoring.rules import is_extreme
from selector.services.scoring.rules import unargued
from selector.services.scoring.writes import SavedConsensus
from selector.services.scoring.writes import SavedScore
from selector.services.scoring.writes import SavedSheet
from selector.services.scoring.writes import SheetAnswer
from selector.services.scoring.writes import SubmitRefusal
from selector.services.scoring.writes import declare_conflict
from selector.services.scoring.writes import note_all_vendors
from selector.services.scoring.writes import note_shown
from selector.services.scoring.writes import record_consensus
from selector.services.scoring.writes import remove_consensus
from selector.services.scoring.writes import save_score
from selector.services.scoring.writes import save_sheet
from selector.services.scoring.writes import set_assignments
from selector.services.scoring.writes import set_excluded
from selector.services.scoring.writes import set_visibility
from selector.services.scoring.writes import submit_sheet

__all__ = [
    # limits and extreme scores
    "MAX_COMMENT", "MAX_REASON", "CONFLICT_CHOICES", "is_extreme", "unargued",
    # who scores what
    "default_assignment", "counts_as_scorer", "assignments", "assignments_and_given",
    "counted_scorers", "assigned_category_ids", "assigned_wishes", "AssignmentRow",
    "assignment_matrix", "set_assignments",
    # sheets: conflict of interest, exclusion, scores, submission
    "active_vendors", "PeerScore", "SheetItem", "SheetCategory", "SheetView",
    "member_sheet", "declare_conflict", "set_excluded", "SavedScore", "save_score",
    "SheetAnswer", "SavedSheet", "save_sheet", "SubmitRefusal", "submit_sheet",
    # the vendor's own answers beside the requirements
    "AnswerShown", "answers_shown", "consensus_answers", "answer_document",
    # progress
    "SheetProgress", "MemberProgress", "scoring_progress", "my_sheets",
    # the knock-out board
    "VerdictCell", "KnockoutRow", "Exclusion", "knockout_board", "exclusions",
    "excluded_vendors",
    # the consensus meeting
    "MemberEntry", "ConsensusRow", "consensus_rows", "SavedConsensus", "record_consensus",
    "remove_consensus",
    # blind scoring: the facilitator's setting, and changes after seeing others' scores
    "set_visibility", "unnoted", "note_shown", "note_all_vendors", "SeenChange",
    "changes_after_seeing", "changed_keys",
]
