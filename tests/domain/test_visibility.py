"""Blind scoring and the price vault (decisions.md, "Blind scoring and prices"): every
role x phase x setting against the table below, written out by hand, not derived from the
code under test."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pytest

from selector.domain import phases
from selector.domain import visibility
from selector.models import Selection

ROLES = ("facilitator", "business", "it", "sponsor", "observer")

# Before scoring closes (requirements, weighting, scoring), by role and "see everything":
# (numbers derived from scores, costs). In the decision phase everyone sees both. No
# setting opens the costs to scorers early (the prijskluis).
BEFORE_CLOSING = {
    ("facilitator", False): (False, False),
    ("facilitator", True): (True, True),
    ("business", False): (False, False),
    ("business", True): (False, False),  # "see everything" is the facilitator's alone
    ("it", False): (False, False),
    ("it", True): (False, False),
    ("sponsor", False): (False, False),
    ("sponsor", True): (False, False),
    ("observer", False): (False, False),
    ("observer", True): (False, False),
}


@dataclass
class Settings:
    phase: str
    facilitator_sees_all: bool


def expected(phase: str, role: str, sees_all: bool) -> tuple[bool, bool]:
    if phase == "decision":
        return True, True
    return BEFORE_CLOSING[(role, sees_all)]


CASES = list(product(phases.PHASES, ROLES, (False, True)))


@pytest.mark.parametrize(("phase", "role", "sees_all"), CASES)
def test_who_sees_scores_and_costs(phase, role, sees_all):
    settings = Settings(phase, sees_all)
    scores, costs = expected(phase, role, sees_all)
    assert visibility.scores_visible(settings, role) is scores
    assert visibility.costs_visible(settings, role) is costs


def test_every_combination_is_covered():
    assert len(CASES) == 4 * 5 * 2
    assert len(set(CASES)) == len(CASES)


@pytest.mark.parametrize(("phase", "role", "sees_all"), CASES)
def test_a_selection_row_answers_as_the_table(phase, role, sees_all):
    row = Selection(name="x", phase=phase, facilitator_sees_all=sees_all)
    assert (visibility.scores_visible(row, role),
            visibility.costs_visible(row, role)) == expected(phase, role, sees_all)


def test_no_setting_opens_the_costs_to_scorers_before_scoring_closes():
    """decisions.md: prices stay sealed from scorers (a prijskluis), "with no setting that
    opens them early"; the selection has no such setting any more."""
    assert not hasattr(Selection, "prices_visible_to_scorers")
    for phase, role, sees_all in product(("requirements", "weighting", "scoring"),
                                         ("business", "it", "sponsor", "observer"),
                                         (False, True)):
        assert not visibility.costs_visible(Settings(phase, sees_all), role)


# Others' scores on a vendor's sheet: what "scores" allows, and besides, while scoring is
# open, business and IT members who submitted their own sheet for that vendor (issue 7).
@pytest.mark.parametrize(("phase", "role", "sees_all", "submitted"), [
    (phase, role, sees_all, submitted)
    for phase, role, sees_all, submitted
    in product(phases.PHASES, ROLES, (False, True), (False, True))
])
def test_who_sees_the_others_scores_on_a_sheet(phase, role, sees_all, submitted):
    settings = Settings(phase, sees_all)
    after_submitting = phase == "scoring" and role in ("business", "it") and submitted
    want = expected(phase, role, sees_all)[0] or after_submitting
    assert visibility.peer_scores_visible(settings, role, submitted) is want


@pytest.mark.parametrize(("phase", "started", "open_", "closed"), [
    ("requirements", False, False, False),
    ("weighting", False, False, False),
    ("scoring", True, True, False),
    ("decision", True, False, True),
])
def test_the_moments_of_scoring(phase, started, open_, closed):
    row = Selection(name="x", phase=phase)
    assert (row.scoring_started, row.scoring_open, row.scoring_closed) == (
        started, open_, closed)
    assert (phases.scoring_started(phase), phases.scoring_open(phase),
            phases.scoring_closed(phase)) == (started, open_, closed)
