"""Pairwise comparison (AHP): weights, consistency and refusals, against published
examples and against closed forms that can be checked by hand."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from selector.domain.ahp import CR_LIMIT
from selector.domain.ahp import RANDOM_INDEX
from selector.domain.ahp import PairwiseError
from selector.domain.ahp import build_matrix
from selector.domain.ahp import judgement_label
from selector.domain.ahp import pairs
from selector.domain.ahp import parse_judgement
from selector.domain.ahp import weigh


def _power_iteration(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """lambda_max and the Perron vector by plain power iteration: a second way to the
    same numbers, independent of numpy's eigen-solver used by the module."""
    vector = np.ones(matrix.shape[0])
    for _ in range(500):
        nxt = matrix @ vector
        nxt /= nxt.sum()
        if np.allclose(nxt, vector, atol=1e-15, rtol=0):
            break
        vector = nxt
    return vector, float((matrix @ vector).sum() / vector.sum())


def test_random_index_is_saaty_1980():
    assert [RANDOM_INDEX[n] for n in range(3, 11)] == [
        0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
    assert RANDOM_INDEX[1] == RANDOM_INDEX[2] == 0.0


def test_a_consistent_matrix_gives_its_weights_exactly():
    # w = (8, 4, 2, 1) / 15: every a_ij = w_i / w_j lies on the 1-9 scale.
    keys = ["a", "b", "c", "d"]
    w = dict(zip(keys, (8, 4, 2, 1), strict=True))
    judgements = {(i, j): w[i] / w[j] for i, j in pairs(keys)}
    result = weigh(keys, judgements)
    for key in keys:
        assert result.weights[key] == pytest.approx(w[key] / 15, abs=1e-12)
    assert result.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert result.consistency_index == pytest.approx(0.0, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    assert result.acceptable
    assert result.most_inconsistent is None


def test_the_order_of_the_keys_does_not_change_the_weights():
    keys = ["a", "b", "c"]
    judgements = {("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 2}
    forward = weigh(keys, judgements).weights
    backward = weigh(list(reversed(keys)), {(j, i): 1 / v for (i, j), v in judgements.items()})
    for key in keys:
        assert forward[key] == pytest.approx(backward.weights[key], abs=1e-12)


def test_leader_example_four_criteria():
    # Wikipedia, "Analytic hierarchy process - leader example": the board weighs
    # Experience, Education, Charisma and Age pairwise and reports the priorities
    # .547, .127, .270 and .056 (Experience 4x Education, 3x Charisma, 7x Age;
    # Charisma 3x Education, 5x Age; Education 3x Age).
    keys = ["experience", "education", "charisma", "age"]
    judgements = {
        ("experience", "education"): 4, ("experience", "charisma"): 3,
        ("experience", "age"): 7, ("education", "charisma"): "1/3",
        ("education", "age"): 3, ("charisma", "age"): 5,
    }
    result = weigh(keys, judgements)
    published = {"experience": 0.547, "education": 0.127, "charisma": 0.270, "age": 0.056}
    for key, value in published.items():  # published to three decimals
        assert result.weights[key] == pytest.approx(value, abs=0.001)
    # CR = ((lambda_max - 4) / 3) / 0.90 with lambda_max found a second way.
    vector, lambda_max = _power_iteration(build_matrix(keys, judgements))
    assert result.lambda_max == pytest.approx(lambda_max, abs=1e-9)
    assert result.consistency_ratio == pytest.approx((lambda_max - 4) / 3 / 0.90, abs=1e-9)
    assert round(result.consistency_ratio, 3) == 0.044
    assert result.acceptable


def test_leader_example_three_candidates_on_experience():
    # Same source: Tom, Dick and Harry compared on experience (Tom 1/4 of Dick, Tom 4x
    # Harry, Dick 9x Harry) give the published priorities .217, .717 and .066.
    keys = ["tom", "dick", "harry"]
    judgements = {("tom", "dick"): 0.25, ("tom", "harry"): 4, ("dick", "harry"): 9}
    result = weigh(keys, judgements)
    published = {"tom": 0.217, "dick": 0.717, "harry": 0.066}
    assert result.weights == pytest.approx(published, abs=0.001)


def test_saaty_four_chairs_is_inconsistent():
    # Saaty, T. L. (1977), "A scaling method for priorities in hierarchical structures",
    # Journal of Mathematical Psychology 15(3), 234-281: the relative brightness of
    # four chairs at increasing distances from a light, judged by eye. Saaty reports
    # lambda_max = 4.39, so CI = (4.39 - 4) / 3 = 0.13 and, with RI(4) = 0.90, a
    # consistency ratio of about 0.14: above 0.10, so the judgements get a warning.
    keys = ["c1", "c2", "c3", "c4"]
    judgements = {
        ("c1", "c2"): 5, ("c1", "c3"): 6, ("c1", "c4"): 7,
        ("c2", "c3"): 4, ("c2", "c4"): 6, ("c3", "c4"): 4,
    }
    result = weigh(keys, judgements)
    assert round(result.lambda_max, 2) == 4.39
    assert round(result.consistency_index, 2) == 0.13
    assert result.random_index == 0.90
    assert result.consistency_ratio == pytest.approx(
        (result.lambda_max - 4) / 3 / 0.90, abs=1e-12)
    assert round(result.consistency_ratio, 3) == 0.145
    assert result.consistency_ratio > CR_LIMIT and not result.acceptable
    assert result.weights["c1"] == pytest.approx(0.62, abs=0.01)
    assert [round(result.weights[k], 2) for k in keys[1:]] == [0.24, 0.10, 0.05]
    # The chair judged 7x brighter than the farthest is, by the weights, 13.7x brighter.
    worst = result.most_inconsistent
    assert (worst.first, worst.second) == ("c1", "c4")
    assert worst.implied == pytest.approx(result.weights["c1"] / result.weights["c4"])
    assert worst.deviation == pytest.approx(abs(math.log(7 / worst.implied)))


def test_three_by_three_closed_form():
    # For n = 3 the principal eigenvalue has a closed form: with r = a12 * a23 / a13,
    # lambda_max = 1 + r^(1/3) + r^(-1/3), and the eigenvector equals the normalised
    # geometric means of the rows (Crawford & Williams, J. Math. Psych. 29, 1985).
    # A > B 3x, B > C 3x, yet A = C: r = 9, strongly inconsistent.
    keys = ["a", "b", "c"]
    judgements = {("a", "b"): 3, ("b", "c"): 3, ("a", "c"): 1}
    result = weigh(keys, judgements)
    r = 3 * 3 / 1
    lambda_max = 1 + r ** (1 / 3) + r ** (-1 / 3)
    assert result.lambda_max == pytest.approx(lambda_max, abs=1e-12)
    assert result.consistency_ratio == pytest.approx((lambda_max - 3) / 2 / 0.58, abs=1e-12)
    assert round(result.consistency_ratio, 4) == 0.4835
    rows = [(1 * 3 * 1) ** (1 / 3), ((1 / 3) * 1 * 3) ** (1 / 3), (1 * (1 / 3) * 1) ** (1 / 3)]
    for key, g in zip(keys, rows, strict=True):
        assert result.weights[key] == pytest.approx(g / sum(rows), abs=1e-12)
    # All three pairs depart by |ln r^(1/3)| alike: the first pair is named.
    worst = result.most_inconsistent
    assert (worst.first, worst.second) == ("a", "b")
    assert worst.deviation == pytest.approx(math.log(r) / 3, abs=1e-12)


def test_the_perturbed_pair_is_the_most_inconsistent():
    # Consistent (8, 4, 2, 1) except b against d, given as 1/2 where 4 is consistent.
    keys = ["a", "b", "c", "d"]
    judgements = {("a", "b"): 2, ("a", "c"): 4, ("a", "d"): 8,
                  ("b", "c"): 2, ("b", "d"): "1/2", ("c", "d"): 2}
    result = weigh(keys, judgements)
    worst = result.most_inconsistent
    assert (worst.first, worst.second) == ("b", "d")
    assert worst.judgement == 0.5
    assert result.consistency_ratio > CR_LIMIT


def test_two_categories_are_always_consistent():
    result = weigh(["a", "b"], {("b", "a"): 9})
    assert result.weights == pytest.approx({"a": 0.1, "b": 0.9})
    assert result.consistency_ratio == 0.0 and result.random_index == 0.0


def test_one_category_needs_no_comparison():
    result = weigh(["only"], {})
    assert result.weights == {"only": 1.0}
    assert result.consistency_ratio == 0.0 and result.most_inconsistent is None


def test_a_missing_comparison_is_refused_naming_the_pair():
    keys = ["a", "b", "c", "d"]
    judgements = {("a", "b"): 2, ("a", "c"): 4, ("a", "d"): 8, ("b", "c"): 2, ("c", "d"): 2}
    with pytest.raises(PairwiseError) as refused:
        weigh(keys, judgements)
    assert refused.value.kind == "missing"
    assert refused.value.pair == ("b", "d")
    assert "'b' has not been compared with 'd'" in refused.value.message


def test_a_pair_may_be_given_the_other_way_round():
    keys = ["a", "b", "c"]
    one_way = weigh(keys, {("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 2})
    other_way = weigh(keys, {("b", "a"): "1/3", ("c", "a"): 0.2, ("b", "c"): 2})
    assert one_way.weights == pytest.approx(other_way.weights, abs=1e-12)


@pytest.mark.parametrize("value", [0, -3, 10, 2.5, "x", "", "1/0", float("nan"), True, None])
def test_values_off_the_scale_are_refused(value):
    with pytest.raises(PairwiseError) as refused:
        weigh(["a", "b"], {("a", "b"): value})
    assert refused.value.kind == "scale" and refused.value.pair == ("a", "b")


def test_contradicting_and_unknown_pairs_are_refused():
    with pytest.raises(PairwiseError) as refused:
        weigh(["a", "b"], {("a", "b"): 3, ("b", "a"): 3})
    assert refused.value.kind == "contradiction"
    with pytest.raises(PairwiseError) as refused:
        weigh(["a", "b"], {("a", "z"): 3})
    assert refused.value.kind == "unknown" and refused.value.pair == ("a", "z")
    with pytest.raises(PairwiseError) as refused:
        weigh(["a", "b", "a"], {})
    assert refused.value.kind == "duplicate"
    with pytest.raises(PairwiseError) as refused:
        weigh([str(i) for i in range(11)], {})
    assert refused.value.kind == "size"


def test_judgements_parse_and_print_on_the_scale():
    assert parse_judgement("3") == Fraction(3)
    assert parse_judgement(" 1/7 ") == Fraction(1, 7)
    assert parse_judgement("0.333") == Fraction(1, 3)
    assert parse_judgement(0.2) == Fraction(1, 5)
    assert parse_judgement("9.5") is None
    assert judgement_label(Fraction(1, 4)) == "1/4"
    assert judgement_label(6) == "6"


# -- issue 21, item 10 -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9.04", "8.96", "0.3", "0.15", "0.10", "2.5", "1e1", "nan",
                                  "Infinity", "0.1", "10", "1/10", "3/2"])
def test_a_number_off_saatys_scale_is_refused_not_rounded(text):
    assert parse_judgement(text) is None
    with pytest.raises(PairwiseError) as refused:
        weigh(["a", "b"], {("a", "b"): text})
    assert refused.value.kind == "scale" and refused.value.pair == ("a", "b")


@pytest.mark.parametrize("text, step", [
    ("9", Fraction(9)), ("9.0", Fraction(9)), ("9.00", Fraction(9)), ("1/9", Fraction(1, 9)),
    ("2/6", Fraction(1, 3)), ("0.5", Fraction(1, 2)), ("0.25", Fraction(1, 4)),
    ("0.125", Fraction(1, 8)), ("0.33", Fraction(1, 3)), ("0.333", Fraction(1, 3)),
    ("0.3333", Fraction(1, 3)), ("0.17", Fraction(1, 6)), ("0.167", Fraction(1, 6)),
    ("0.14", Fraction(1, 7)), ("0.143", Fraction(1, 7)), ("0.11", Fraction(1, 9)),
    ("0.12", Fraction(1, 8)), ("0.13", Fraction(1, 8)),
])
def test_a_scale_value_written_exactly_or_rounded_to_its_decimals(text, step):
    assert parse_judgement(text) == step


def test_stored_floats_are_their_steps_and_nearby_floats_are_not():
    assert parse_judgement(float(Fraction(1, 3))) == Fraction(1, 3)
    assert parse_judgement(1 / float(Fraction(1, 7))) == Fraction(7)
    assert parse_judgement(9.04) is None
    assert parse_judgement(0.333) is None  # a number, not text: no decimals to go by


def test_every_missing_comparison_is_named_not_just_the_first():
    keys = ["a", "b", "c", "d"]
    with pytest.raises(PairwiseError) as refused:
        weigh(keys, {("a", "b"): 2, ("a", "d"): 8, ("c", "d"): 2})
    assert refused.value.kind == "missing"
    assert refused.value.pairs == (("a", "c"), ("b", "c"), ("b", "d"))
    assert refused.value.pair == ("a", "c")
    assert refused.value.message == (
        "'a' has not been compared with 'c'; 'b' has not been compared with 'c'; "
        "'b' has not been compared with 'd'")
