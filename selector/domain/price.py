"""Price in the ranking, the Dutch way (method.md 1.1, section 5): the price methods,
their settings and the price score.

One module for the rule, so that the selection file, the settings form and the method
refuse the same impossible settings with the same reasons. Pure Python and numpy.

Relative methods (`lowest_ratio`, `linear_bids`, `log`) score a bid against the other
bids, so a losing bid can decide the winner (rank reversal); `linear_fixed` and
`value` score each bid on its own and never do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

import numpy as np

LOWEST_RATIO = "lowest_ratio"
LINEAR_BIDS = "linear_bids"
LINEAR_FIXED = "linear_fixed"
LOG = "log"
VALUE = "value"
PRICE_METHODS = (LOWEST_RATIO, LINEAR_BIDS, LINEAR_FIXED, LOG, VALUE)
RELATIVE_METHODS = (LOWEST_RATIO, LINEAR_BIDS, LOG)

#: The setting each method needs besides the price weight (formats.md).
PARAMETERS: dict[str, tuple[str, ...]] = {
    LOWEST_RATIO: (),
    LINEAR_BIDS: (),
    LINEAR_FIXED: ("price_full", "price_zero"),
    LOG: ("log_factor",),
    VALUE: ("quality_value",),
}
PARAMETER_NAMES = ("price_full", "price_zero", "log_factor", "quality_value")
#: The settings under the names a selection stores them (columns, selection-file keys).
STORED_NAMES = ("price_method", "price_weight", *PARAMETER_NAMES, "quality_threshold")

#: Section 5: a quality below the threshold is judged after rounding to these decimals.
THRESHOLD_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class PriceSettings:
    """How price counts in a selection; the defaults rank exactly as method 1."""

    method: str = LOWEST_RATIO
    weight: float = 0.0  # p: 0 <= p < 1; not used by `value`
    price_full: float | None = None
    price_zero: float | None = None
    log_factor: float | None = None
    quality_value: float | None = None
    quality_threshold: float = 0.0

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> PriceSettings:
        """The settings under their stored names (`STORED_NAMES`); absent is the default."""
        return cls(
            method=stored.get("price_method", LOWEST_RATIO),
            weight=stored.get("price_weight", 0.0),
            price_full=stored.get("price_full"),
            price_zero=stored.get("price_zero"),
            log_factor=stored.get("log_factor"),
            quality_value=stored.get("quality_value"),
            quality_threshold=stored.get("quality_threshold", 0.0),
        )

    @classmethod
    def of_object(cls, source: object) -> PriceSettings:
        """The settings of anything that has them as attributes (a stored or a domain
        selection)."""
        return cls.of({name: getattr(source, name) for name in STORED_NAMES})

    @property
    def uses_weight(self) -> bool:
        """True when total = (1 - p) * Q + p * P with p > 0: there is a price score."""
        return self.method != VALUE and self.weight > 0

    @property
    def can_reverse(self) -> bool:
        """Whether a losing bid can decide the winner (section 5, rank reversal)."""
        return self.method in RELATIVE_METHODS and self.weight > 0

    @property
    def quality_factor(self) -> float:
        """a in total = a * Q + b(v): the same for every vendor (section 5)."""
        if self.method == VALUE:
            return float(self.quality_value or 0.0) / 100.0
        return 1.0 - self.weight


class PriceProblem(ValueError):
    """An impossible price setting; `field` names it (a selection-file key)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def problems(settings: PriceSettings) -> list[PriceProblem]:
    """Every impossible setting, in formats.md's order; none means the settings rank.
    The values may be anything a user or a file gave (they are checked here).

    A parameter that the chosen method does not use is not checked (formats.md: "kept
    and ignored").
    """
    values = asdict(settings)
    found: list[PriceProblem] = []
    method = values.get("method", LOWEST_RATIO)
    if method not in PRICE_METHODS:
        found.append(PriceProblem(
            "price_method", f"{method!r} is not one of: {', '.join(PRICE_METHODS)}"))
        return found
    weight = values.get("weight", 0.0)
    if not (_number(weight) and 0 <= weight < 1):
        found.append(PriceProblem(
            "price_weight", "the price weight must be at least 0 and below 1"))
    threshold = values.get("quality_threshold", 0.0)
    if not (_number(threshold) and 0 <= threshold <= 100):
        found.append(PriceProblem(
            "quality_threshold", "the quality threshold must be from 0 to 100"))
    for name in PARAMETERS[method]:
        if values.get(name) is None:
            found.append(PriceProblem(name, f"the price method {method} needs {name}"))
        elif not _number(values[name]):
            found.append(PriceProblem(name, f"{name} must be a number"))
    if any(problem.field in PARAMETERS[method] for problem in found):
        return found
    if method == LINEAR_FIXED:
        full, zero = values["price_full"], values["price_zero"]
        if full <= 0:
            found.append(PriceProblem(
                "price_full", "the price that earns all points must be more than 0"))
        elif full >= zero:
            found.append(PriceProblem(
                "price_zero",
                "the price that earns no points must be higher than the price that earns "
                "all points"))
    elif method == LOG and values["log_factor"] <= 1:
        found.append(PriceProblem(
            "log_factor", "the log factor must be more than 1 (the multiple of the lowest "
            "bid that earns no points)"))
    elif method == VALUE and values["quality_value"] <= 0:
        found.append(PriceProblem(
            "quality_value", "the value of perfect quality must be more than 0 euros"))
    return found


def bids(tcos: Sequence[float | None], excluded: Sequence[bool]) -> list[float]:
    """The TCOs of the vendors that are not excluded and have one (a TCO <= 0 is none)."""
    return [t for t, out in zip(tcos, excluded, strict=True) if t is not None and t > 0 and not out]


def price_scores(
    settings: PriceSettings, tcos: Sequence[float | None], excluded: Sequence[bool]
) -> np.ndarray:
    """P(v) for every vendor by one of the four scoring methods, clamped to 0..100.

    A vendor without a TCO gets 0, and so does every vendor when there is no bid.
    `value` has no price score: asking for one is a programming error.
    """
    if settings.method == VALUE:
        raise ValueError("the price method value has no price score")
    offered = bids(tcos, excluded)
    if not offered:
        return np.zeros(len(tcos))
    lo, hi = min(offered), max(offered)
    return np.array([
        0.0 if t is None or t <= 0 else min(100.0, max(0.0, _score(settings, t, lo, hi)))
        for t in tcos
    ])


def _score(settings: PriceSettings, tco: float, lo: float, hi: float) -> float:
    """The unclamped price score of one TCO (section 5)."""
    method = settings.method
    if method == LOWEST_RATIO:
        return 100.0 * lo / tco
    if method == LINEAR_BIDS:
        return 100.0 if hi == lo else 100.0 * (hi - tco) / (hi - lo)
    if method == LINEAR_FIXED:
        full, zero = float(settings.price_full or 0), float(settings.price_zero or 0)
        return 100.0 * (zero - tco) / (zero - full)
    assert method == LOG
    return 100.0 * (1.0 - math.log(tco / lo) / math.log(float(settings.log_factor or 0)))


def fictitious_prices(
    settings: PriceSettings, tcos: Sequence[float | None], quality: Sequence[float]
) -> list[float]:
    """`value` (gunnen op waarde): F(v) = TCO(v) - V * Q(v) / 100; every TCO is known."""
    value = float(settings.quality_value or 0.0)
    return [float(t) - value * float(q) / 100.0 for t, q in zip(tcos, quality, strict=True)]
