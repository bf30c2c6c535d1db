"""The scoring area's rules: checks and decisions that need no database.

Pure functions on values. A rule that needs a selection or a membership takes the model
object as an argument (typed `Any`: this module imports neither SQLAlchemy nor the
models) and only reads its attributes.
"""

from __future__ import annotations

from typing import Any

from selector.domain import limits
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import SCORERS
from selector.i18n import _l
from selector.services.errors import ServiceError
from selector.services.written import written_text

# -- limits -------------------------------------------------------------------------------


MAX_COMMENT = limits.max_length("score", "comment")  # as for `selector import`
MAX_REASON = limits.REASON_LENGTH
CONFLICT_CHOICES = ("none", "declared")


# -- extreme scores -----------------------------------------------------------------------


def is_extreme(score: int, scale_max: int) -> bool:
    """decisions.md: an extreme score is 0, 1 or scale_max."""
    return score in (0, 1, scale_max)


def unargued(score: int | None, comment: str, scale_max: int) -> bool:
    return score is not None and is_extreme(score, scale_max) and not (comment or "").strip()


# -- what a member sends: a score, a comment, a reason ------------------------------------


def checked_reason(reason: str | None) -> str:
    """The reason for a change, stripped; refused when it is too long."""
    return written_text(reason, "reason", MAX_REASON)


def checked_score(selection: Any, score: Any) -> int:
    """A whole number from 0 to the selection's `scale_max`."""
    if isinstance(score, bool) or not isinstance(score, int):
        raise ServiceError(
            _l("Choose a score from 0 to %(max)d.", max=selection.scale_max), "score"
        )
    if not 0 <= score <= selection.scale_max:
        raise ServiceError(
            _l("A score is a whole number from 0 to %(max)d.", max=selection.scale_max),
            "score",
        )
    return score


def checked_comment(comment: str | None) -> str:
    """A score's argument, stripped; refused when it is too long."""
    return written_text(comment, "comment", MAX_COMMENT)


# -- when and who -------------------------------------------------------------------------


def require_scoring_open(selection: Any) -> None:
    if selection.scoring_open:
        return
    if selection.scoring_closed:
        raise ServiceError(_l("Scoring is closed: scores can no longer be changed."), "score")
    raise ServiceError(_l("Scoring has not started yet: scores can be given once the "
                          "facilitator opens the scoring phase."), "score")


def require_scoring_closed(selection: Any) -> None:
    if not selection.scoring_closed:
        raise ServiceError(_l("Consensus scores are recorded after scoring has closed, in "
                              "the decision phase."), "score")


def require_scorer(membership: Any) -> None:
    if membership.role not in SCORERS or membership.removed_at is not None:
        raise ServiceError(_l("Only the facilitator and business and IT members score."))


# -- assignment ---------------------------------------------------------------------------


def default_assignment(role: str, domain: str) -> bool:
    """Business scores business categories, IT the IT ones, the facilitator all."""
    return role == "facilitator" or role == domain


def counts_as_scorer(role: str, categories: set[int], given: bool, started: bool) -> bool:
    """Does the scoring wait for this member? Business and IT members with a category to
    score do; by default the facilitator may score every category but is not counted as
    a scorer, only once `given` scoring assignments (or once `started` on a sheet):
    progress and tasks would otherwise wait for sheets nobody asked for."""
    return bool(categories) and (role != FACILITATOR or given or started)
