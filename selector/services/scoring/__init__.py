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

from selector.services.scoring.reads import (
    AnswerShown,
    AssignmentRow,
    ConsensusRow,
    Exclusion,
    KnockoutRow,
    MemberEntry,
    MemberProgress,
    PeerScore,
    SeenChange,
    SheetCategory,
    SheetItem,
    SheetProgress,
    SheetView,
    VerdictCell,
    active_vendors,
    answer_document,
    answers_shown,
    assigned_category_ids,
    assigned_wishes,
    assignment_matrix,
    assignments,
    assignments_and_given,
    changed_keys,
    changes_after_seeing,
    consensus_answers,
    consensus_rows,
    counted_scorers,
    excluded_vendors,
    exclusions,
    knockout_board,
    member_sheet,
    my_sheets,
    scoring_progress,
    unnoted,
)
from selector.services.scoring.rules import (
    CONFLICT_CHOICES,
    MAX_COMMENT,
    MAX_REASON,
    counts_as_scorer,
    default_assignment,
    is_extreme,
    unargued,
)
from selector.services.scoring.writes import (
    SavedConsensus,
    SavedScore,
    SavedSheet,
    SheetAnswer,
    SubmitRefusal,
    declare_conflict,
    note_all_vendors,
    note_shown,
    record_consensus,
    remove_consensus,
    save_score,
    save_sheet,
    set_assignments,
    set_excluded,
    set_visibility,
    submit_sheet,
)

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
