"""Blind scoring and the price vault: what a member may see, by phase, role and setting.

decisions.md, "Blind scoring and prices": before scoring closes, no response to anyone
but a facilitator with "see everything" on contains a number derived from scores
(totals, category scores, ranking order, p_first, flip points, panel-health shares, means
and spreads), and costs stay sealed from the scorers. This module is the one place these
rules are written: the pages, the API, the report pages, the services and the templates
(through `MemberAccess.sees_scores` and `sees_costs`) ask here. Pure: it reads the three
attributes of `SelectionSettings` and knows nothing of the database.
"""

from __future__ import annotations

from typing import Protocol

from selector.domain.phases import scoring_closed
from selector.domain.phases import scoring_open
from selector.domain.vocabulary import BUSINESS
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import IT

# Business and IT members see the others' scores for a vendor once they submitted their own
# sheet for it (issue 7); the facilitator scores too, but only "see everything" shows them.
PEERS_AFTER_SUBMITTING = frozenset({BUSINESS, IT})


class SelectionSettings(Protocol):
    """What the rules read of a selection (a `selector.models.Selection` row has it)."""

    phase: str
    facilitator_sees_all: bool


def sees_everything(selection: SelectionSettings, role: str) -> bool:
    """Is this a facilitator with "see everything" on (blind scoring lifted for them)?"""
    return role == FACILITATOR and bool(selection.facilitator_sees_all)


def scores_visible(selection: SelectionSettings, role: str) -> bool:
    """May a member with `role` see numbers derived from scores now?"""
    return scoring_closed(selection.phase) or sees_everything(selection, role)


def costs_visible(selection: SelectionSettings, role: str) -> bool:
    """May a member with `role` see costs, TCO and what is derived from them (price
    scores) now? The facilitator enters a new vendor's costs but does not see them again
    before scoring closes, unless "see everything" is on. No setting opens them to the
    scorers early: prices stay sealed until quality is scored (a *prijskluis*,
    decisions.md)."""
    return scoring_closed(selection.phase) or sees_everything(selection, role)


def peer_scores_visible(selection: SelectionSettings, role: str, submitted: bool) -> bool:
    """May a member see the others' scores and comments for a vendor whose own sheet for
    it is (or is not) `submitted`?"""
    if scores_visible(selection, role):
        return True
    return scoring_open(selection.phase) and role in PEERS_AFTER_SUBMITTING and submitted
