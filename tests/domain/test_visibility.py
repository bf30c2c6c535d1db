"""Blind scoring and the price vault (decisions.md, "Blind scoring and prices"): every
role x phase x setting against the table below, written out by hand, not derived from the
code under test."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pytest

from selector.domain import phases, visibility
from selector.models import Selection

ROLES = ("facilitator", "business", "it", "sponsor", "observer")
SETTINGS = tuple(product((False, True), repeat=2))  # (see everything, prices to scorers)

# Before scoring closes (requirements, weighting, scoring), by role and "see everything":
# (numbers derived from scores, costs). In the decision phase everyone sees both.
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
# "Show prices to scorers" opens costs to every member before scoring closes. decisions.md
# says no setting may ("a prijskluis"): issue 18 removes it, and then this set is empty.
COSTS_OPENED_EARLY_BY_SETTING = set(ROLES)


@dataclass
class Settings:
    phase: str
    facilitator_sees_all: bool
    prices_visible_to_scorers: bool


def expected(phase: str, role: str, sees_all: bool, prices: bool) -> tuple[bool, bool]:
    if phase == "decision":
        return True, True
    scores, costs = BEFORE_CLOSING[(role, sees_all)]
    return scores, costs or (prices and role in COSTS_OPENED_EARLY_BY_SETTING)


CASES = [
    (phase, role, sees_all, prices)
    for phase, role, (sees_all, prices) in product(phases.PHASES, ROLES, SETTINGS)
]


@pytest.mark.parametrize(("phase", "role", "sees_all", "prices"), CASES)
def test_who_sees_scores_and_costs(phase, role, sees_all, prices):
    settings = Settings(phase, sees_all, prices)
    scores, costs = expected(phase, role, sees_all, prices)
    assert visibility.scores_visible(settings, role) is scores
    assert visibility.costs_visible(settings, role) is costs


def test_every_combination_is_covered():
    assert len(CASES) == 4 * 5 * 4
    assert len({(p, r, s, c) for p, r, s, c in CASES}) == len(CASES)


@pytest.mark.parametrize(("phase", "role", "sees_all", "prices"), CASES)
def test_a_selection_row_answers_as_the_table(phase, role, sees_all, prices):
    row = Selection(name="x", phase=phase, facilitator_sees_all=sees_all,
                    prices_visible_to_scorers=prices)
    assert (visibility.scores_visible(row, role),
            visibility.costs_visible(row, role)) == expected(phase, role, sees_all, prices)


# Others' scores on a vendor's sheet: what "scores" allows, and besides, while scoring is
# open, business and IT members who submitted their own sheet for that vendor (issue 7).
@pytest.mark.parametrize(("phase", "role", "sees_all", "submitted"), [
    (phase, role, sees_all, submitted)
    for phase, role, sees_all, submitted
    in product(phases.PHASES, ROLES, (False, True), (False, True))
])
def test_who_sees_the_others_scores_on_a_sheet(phase, role, sees_all, submitted):
    settings = Settings(phase, sees_all, False)
    after_submitting = phase == "scoring" and role in ("business", "it") and submitted
    want = expected(phase, role, sees_all, False)[0] or after_submitting
    assert visibility.peer_scores_visible(settings, role, submitted) is want


def test_the_price_setting_never_shows_scores():
    for phase, role in product(("requirements", "weighting", "scoring"), ROLES):
        assert not visibility.scores_visible(Settings(phase, False, True), role)


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
