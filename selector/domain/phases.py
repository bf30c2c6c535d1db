"""The four phases of a selection and what each one opens or closes (decisions.md).

requirements → weighting → scoring → decision. Scoring *starts* when the selection enters
the scoring phase (the requirements freeze; knock-out verdicts and exclusions begin), is
*open* while it is in that phase (scores change), and is *closed* in the decision phase
(blind scoring ends: the ranking shows). Every rule that depends on these moments asks
here, through `Selection.scoring_started`, `scoring_open` and `scoring_closed`, instead of
comparing phase names.
"""

from __future__ import annotations

# The phase names are the vocabulary's; they are imported from here too.
from selector.domain.vocabulary import DECISION  # noqa: F401
from selector.domain.vocabulary import PHASES  # noqa: F401
from selector.domain.vocabulary import REQUIREMENTS  # noqa: F401
from selector.domain.vocabulary import SCORING  # noqa: F401
from selector.domain.vocabulary import WEIGHTING  # noqa: F401


def reached(phase: str, milestone: str) -> bool:
    """Is a selection in `phase` at or past the phase `milestone`?"""
    return PHASES.index(phase) >= PHASES.index(milestone)


def scoring_started(phase: str) -> bool:
    """Has scoring opened (scoring or decision phase)? The requirements are frozen then."""
    return reached(phase, SCORING)


def scoring_open(phase: str) -> bool:
    """Is scoring open (scores, conflicts and sheets may change)?"""
    return phase == SCORING


def scoring_closed(phase: str) -> bool:
    """Has scoring closed (the decision phase)? Blind scoring ends then."""
    return phase == DECISION
