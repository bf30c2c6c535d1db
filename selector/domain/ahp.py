"""Pairwise comparison (AHP) of categories, as pure functions.

A member may weigh the categories of one domain by comparing them two at a time on
Saaty's 1-9 scale instead of allocating points (method.md section 3, decisions.md):
`a_ij = 3` says "i matters moderately more than j", `a_ij = 1/3` the reverse. The
weights are the principal eigenvector of the reciprocal matrix. The consistency ratio
CR = CI / RI, with CI = (lambda_max - n) / (n - 1) and Saaty's random index RI (1980);
above 0.10 the judgements contradict each other enough to be worth another look, and
the pair that departs most from the derived weights is named (decisions.md: the (i, j)
with the largest |ln(a_ij * w_j / w_i)|).

Imports only the standard library and numpy. Refusals are `PairwiseError`s with a
`kind` and the offending pair, so a service can word them in the user's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from fractions import Fraction

import numpy as np

#: Saaty's random index (1980) by matrix size; n <= 2 is always consistent. The pages
#: name this table where they show a consistency ratio (decisions.md).
RANDOM_INDEX_SOURCE = "Saaty (1980)"
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
}
#: Above this consistency ratio the judgements get a warning (never a refusal).
CR_LIMIT = 0.10
#: The random index is published up to n = 10; beyond that CR is undefined.
MAX_SIZE = max(RANDOM_INDEX)
#: The scale: 1/9, 1/8, ..., 1/2, 1, 2, ..., 9.
SCALE: tuple[Fraction, ...] = tuple(
    [Fraction(1, k) for k in range(9, 1, -1)] + [Fraction(k) for k in range(1, 10)]
)
# A number within this relative distance of a scale value is that value: float noise
# (1/3 stored as 0.333...), never a different judgement (9.04 is not 9).
_SNAP = 1e-9
# Deviations below this are rounding noise: a consistent matrix has no inconsistent pair.
_NOISE = 1e-9


class PairwiseError(ValueError):
    """Judgements the method refuses.

    `kind` is one of "size" (too many categories), "duplicate" (a category twice),
    "unknown" (a pair naming a category not compared), "scale" (a value off Saaty's
    scale), "contradiction" (a pair given both ways, not as reciprocals) and "missing"
    (pairs not compared). `pair` is the offending (i, j), where there is one; `pairs`
    all of them (every pair not compared, not just the first).
    """

    def __init__(self, kind: str, message: str, pair: tuple[str, str] | None = None,
                 pairs: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.pair = pair
        self.pairs = tuple(pairs) or ((pair,) if pair else ())


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """The pair that departs most from the derived weights: a_ij against w_i / w_j."""

    first: str
    second: str
    judgement: float  # a_ij as given
    implied: float  # w_i / w_j, what the weights say
    deviation: float  # |ln(a_ij * w_j / w_i)|


@dataclass(frozen=True, slots=True)
class PairwiseResult:
    keys: tuple[str, ...]
    weights: dict[str, float]  # principal eigenvector, adds up to 1, in the order of keys
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    most_inconsistent: Inconsistency | None  # None when the matrix is consistent

    @property
    def acceptable(self) -> bool:
        """Is the consistency ratio at most 0.10 (Saaty's rule of thumb)?"""
        return self.consistency_ratio <= CR_LIMIT


def pairs(keys: Sequence[str]) -> list[tuple[str, str]]:
    """Every pair to compare, (keys[i], keys[j]) with i < j: n(n-1)/2 of them."""
    return [(keys[i], keys[j]) for i in range(len(keys)) for j in range(i + 1, len(keys))]


def on_scale(value: float) -> Fraction | None:
    """The scale value `value` stands for (within rounding), or None when it is off."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        return None
    if not math.isfinite(float(value)) or value <= 0:
        return None
    for step in SCALE:
        if abs(float(value) - float(step)) <= _SNAP * float(step):
            return step
    return None


def parse_judgement(text: str | float | Fraction) -> Fraction | None:
    """A judgement from a form or file; None when it is not on Saaty's scale.

    Written exactly ("3", "3.0", "1/3", "0.25"), or a reciprocal 1/k rounded to two or
    more decimals ("0.33", "0.333", "0.17"): within half a unit of the last decimal
    written, and only one step can be (the steps 1/8 and 1/9 lie 0.014 apart). Any other
    number is refused, not rounded to a step: 9.04 is not 9, 0.3 is not 1/3.
    """
    if not isinstance(text, str):
        return on_scale(text)
    text = text.strip()
    if "/" in text:
        try:
            return on_scale(Fraction(text))
        except (ValueError, ZeroDivisionError):
            return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    value = Fraction(number)
    if value in SCALE:
        return value
    decimals = -number.as_tuple().exponent
    if decimals < 2:
        return None
    half_unit = Fraction(1, 2 * 10**decimals)
    return next((step for step in SCALE if step < 1 and abs(value - step) <= half_unit), None)


def judgement_label(value: Fraction | float) -> str:
    """"3" or "1/3": how a scale value is written."""
    step = on_scale(value)
    if step is None:
        raise ValueError(f"{value!r} is not on Saaty's scale")
    return str(step.numerator) if step.denominator == 1 else f"1/{step.denominator}"


def build_matrix(
    keys: Sequence[str], judgements: Mapping[tuple[str, str], float | Fraction | str]
) -> np.ndarray:
    """The reciprocal matrix of the judgements: a_ij given for every pair, one way or both."""
    keys = list(keys)
    if len(set(keys)) != len(keys):
        duplicate = next(k for k in keys if keys.count(k) > 1)
        raise PairwiseError("duplicate", f"{duplicate!r} is compared twice", (duplicate, duplicate))
    if len(keys) > MAX_SIZE:
        raise PairwiseError(
            "size", f"pairwise comparison takes at most {MAX_SIZE} categories, not {len(keys)}"
        )
    index = {key: i for i, key in enumerate(keys)}
    n = len(keys)
    matrix = np.ones((n, n))
    given = np.zeros((n, n), dtype=bool)
    for (a, b), raw in judgements.items():
        if a not in index or b not in index or a == b:
            raise PairwiseError("unknown", f"{a!r} and {b!r} are not a pair to compare", (a, b))
        value = parse_judgement(raw)
        if value is None:
            raise PairwiseError(
                "scale", f"{raw!r} for {a!r} against {b!r} is not on the scale 1/9..9", (a, b)
            )
        i, j = index[a], index[b]
        if given[i, j] and matrix[i, j] != float(value):
            raise PairwiseError(
                "contradiction", f"{a!r} against {b!r} is given twice, differently", (a, b)
            )
        matrix[i, j], matrix[j, i] = float(value), float(1 / value)
        given[i, j] = given[j, i] = True
    missing = [(a, b) for a, b in pairs(keys) if not given[index[a], index[b]]]
    if missing:
        raise PairwiseError(
            "missing",
            "; ".join(f"{a!r} has not been compared with {b!r}" for a, b in missing),
            missing[0],
            missing,
        )
    return matrix


def principal_eigenvector(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights (adding up to 1) and lambda_max of a positive reciprocal matrix.

    By Perron's theorem the largest eigenvalue of a positive matrix is real and simple,
    and its eigenvector can be taken positive.
    """
    n = matrix.shape[0]
    if n == 1:
        return np.ones(1), 1.0
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    return vector / vector.sum(), float(values[k].real)


def weigh(
    keys: Sequence[str], judgements: Mapping[tuple[str, str], float | Fraction | str]
) -> PairwiseResult:
    """Weights, consistency and the most inconsistent pair of complete judgements."""
    keys = tuple(keys)
    matrix = build_matrix(keys, judgements)
    return weigh_matrix(keys, matrix)


def weigh_matrix(keys: Sequence[str], matrix: np.ndarray) -> PairwiseResult:
    """As `weigh`, for a reciprocal matrix already built (rows and columns in keys order)."""
    keys = tuple(keys)
    n = len(keys)
    weights, lambda_max = principal_eigenvector(matrix)
    random_index = RANDOM_INDEX.get(n, 0.0)
    if n <= 2:
        consistency_index = consistency_ratio = 0.0  # every 1x1 and 2x2 matrix is consistent
    else:
        # lambda_max >= n for a reciprocal matrix; clip rounding noise below it.
        consistency_index = max(0.0, (lambda_max - n) / (n - 1))
        consistency_ratio = consistency_index / random_index
    return PairwiseResult(
        keys=keys,
        weights={key: float(w) for key, w in zip(keys, weights, strict=True)},
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        random_index=random_index,
        consistency_ratio=consistency_ratio,
        most_inconsistent=_most_inconsistent(keys, matrix, weights),
    )


def _most_inconsistent(
    keys: Sequence[str], matrix: np.ndarray, weights: np.ndarray
) -> Inconsistency | None:
    """The (i, j), i < j, with the largest |ln(a_ij * w_j / w_i)|; the first on a tie."""
    best: Inconsistency | None = None
    n = len(keys)
    for i in range(n):
        for j in range(i + 1, n):
            deviation = abs(math.log(matrix[i, j] * weights[j] / weights[i]))
            if deviation > _NOISE and (best is None or deviation > best.deviation + _NOISE):
                best = Inconsistency(
                    first=keys[i],
                    second=keys[j],
                    judgement=float(matrix[i, j]),
                    implied=float(weights[i] / weights[j]),
                    deviation=deviation,
                )
    return best
