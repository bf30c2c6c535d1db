"""The selection's scores kept as columns (`Scores`) behave as the sequence of `Score`
tuples they hold."""

from __future__ import annotations

import pytest

from selector.domain.selection import Score
from selector.domain.selection import Scores
from selector.domain.selection import Selection

TWO = (Score("a@x", "acme", "R1", 4, "good"), Score("b@x", "tulip", "R2", 1))


def test_scores_keep_the_scores_in_order_as_columns() -> None:
    scores = Scores.of(TWO)
    assert scores.members == ("a@x", "b@x")
    assert scores.vendors == ("acme", "tulip")
    assert scores.requirements == ("R1", "R2")
    assert scores.values == (4, 1)
    assert scores.comments == ("good", "")
    assert len(scores) == 2
    assert tuple(scores) == TWO
    assert all(type(score) is Score for score in scores)
    assert scores[1] == TWO[1] and scores[-1] == TWO[-1]
    assert scores[1:] == Scores.of(TWO[1:])
    assert list(reversed(scores)) == list(reversed(TWO))
    assert TWO[0] in scores and Score("c@x", "acme", "R1", 4) not in scores


def test_scores_compare_by_their_scores_in_order() -> None:
    assert Scores.of(TWO) == Scores.of(list(TWO))
    assert Scores.of(TWO) != Scores.of(TWO[::-1])
    assert hash(Scores.of(TWO)) == hash(Scores.of(TWO))
    assert Scores.of(()) == Scores() and len(Scores()) == 0 and not Scores()
    assert Scores.of(Scores.of(TWO)) == Scores.of(TWO)


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        Scores(("a@x",), ("acme",), ("R1",), (4, 5), ("",))


def test_a_selection_keeps_a_tuple_of_scores_as_columns() -> None:
    selection = Selection(name="s", scores=TWO)
    assert isinstance(selection.scores, Scores)
    assert tuple(selection.scores) == TWO
    assert selection == Selection(name="s", scores=Scores.of(TWO))
    assert Selection(name="s").scores == Scores()
