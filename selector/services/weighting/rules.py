"""The weighting area's rules: checks and decisions that need no database.

Pure functions on values. A rule that needs a selection, a membership or a category
takes the model object as an argument (typed `Any`: this module imports neither
SQLAlchemy nor the models) and only reads its attributes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from selector.domain import ahp
from selector.domain import limits
from selector.domain import price as pricing
from selector.domain.vocabulary import WEIGHERS
from selector.i18n import _l
from selector.services.errors import ServiceError
from selector.services.written import written_text

# -- limits, and how a refusal points at the input it is about ----------------------


MAX_POINTS = 1_000_000.0
MAX_REQUIREMENT_WEIGHT = 1_000.0
MAX_TEXT = 4000
DEFAULT_BALANCE = (0.5, 0.5)
DEFAULT_DOMAIN_POINTS = 50.0


def points_field(key: str) -> str:
    """The form field of a member's points on the category `key`."""
    return f"points-{key}"


def final_field(key: str) -> str:
    """The form field of the final weight of the category `key`."""
    return f"final-{key}"


def pair_field(first: str, second: str) -> str:
    """The form field of the pairwise judgement of `first` against `second`."""
    return f"pair-{first}-{second}"


# -- numbers and texts from a form --------------------------------------------------


def _decimal_point(text: str) -> str:
    """Read "12,5" as 12.5: a decimal comma, as Dutch users type it."""
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text


def parse_points(value: object, field_name: str, *, maximum: float = MAX_POINTS) -> float:
    """A number of points from a form or an API: >= 0, finite; blank counts as 0.

    Accepts 12, 12.5, "12", "12.5" and "12,5" (a decimal comma, as Dutch users type).
    """
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise ServiceError(_l("Enter a number (0 or more)."), field_name)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            number = float(_decimal_point(text))
        except ValueError:
            raise ServiceError(_l("Enter a number (0 or more)."), field_name) from None
    else:
        raise ServiceError(_l("Enter a number (0 or more)."), field_name)
    if not math.isfinite(number):
        raise ServiceError(_l("Enter a number (0 or more)."), field_name)
    if number < 0:
        raise ServiceError(_l("Points cannot be negative."), field_name)
    if number > maximum:
        raise ServiceError(
            _l("Enter at most %(maximum)s.", maximum=f"{maximum:,.0f}"), field_name
        )
    return number


def checked_text(value: str | None, field_name: str, *, required: bool, message: Any) -> str:
    """A written reason or rationale, trimmed; `message` when it is required but empty."""
    return written_text(value, field_name, MAX_TEXT, required=message if required else None)


def checked_points(
    categories: Mapping[str, Any],
    active: set[str],
    given: Mapping[str, object],
    field_of,
    maximum: float = MAX_POINTS,
) -> dict[str, float]:
    """Points per category key, each on an existing, active category of the selection."""
    parsed: dict[str, float] = {}
    for key, raw in given.items():
        name = field_of(key)
        category = categories.get(key)
        if category is None:
            raise ServiceError(
                _l("This category no longer exists in this selection; reload the page."), name
            )
        if key not in active:
            raise ServiceError(
                _l("“%(name)s” is not an active category: none of its wishes carries weight.",
                   name=category.name),
                name,
            )
        parsed[key] = parse_points(raw, name, maximum=maximum)
    return parsed


# -- who may weigh ------------------------------------------------------------------


def check_weigher(selection: Any, membership: Any) -> None:
    """Refuse anyone but a current business or IT member of this selection."""
    if (
        membership.selection_id != selection.id
        or membership.removed_at is not None
        or membership.role not in WEIGHERS
    ):
        raise ServiceError(_l("Only business and IT members weigh the categories."), None)


def check_facilitator(selection: Any, membership: Any) -> None:
    """Refuse anyone but this selection's facilitator."""
    if membership.selection_id != selection.id or membership.role != "facilitator":
        raise ServiceError(_l("Only the facilitator may do this."), None)


def may_weigh_requirements(membership: Any, category: Any) -> bool:
    """The facilitator, or a member of the category's owner group (its domain)."""
    return membership.role == "facilitator" or membership.role == category.domain


# -- pairwise comparison (AHP) ------------------------------------------------------


def pairwise_refusal(categories: Sequence[Any]) -> str | None:
    """Why these categories cannot be compared pairwise, or None. The page says it
    instead of offering the pairs: Saaty's random index, which the consistency ratio
    needs, is published for up to 10 categories."""
    if len(categories) < 2:
        return _l("Pairwise comparison needs at least two active categories in this domain.")
    if len(categories) > ahp.MAX_SIZE:
        return _l(
            "Pairwise comparison takes at most %(max)d categories, because Saaty's random "
            "index that the consistency check needs is published up to %(max)d. This domain "
            "has %(count)d active categories: allocate points to them instead.",
            max=ahp.MAX_SIZE, count=len(categories))
    return None


def off_scale(first: str, second: str) -> str:
    return _l("Choose a value from 1/9 to 9 for “%(first)s” against “%(second)s”.",
              first=first, second=second)


def judgement_problem(raw: object, first: str, second: str) -> str | None:
    """What is wrong with the judgement of `first` against `second`, or None: blank
    (the pair is not compared) or off Saaty's scale (9.04 is not 9)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _l("Compare “%(first)s” with “%(second)s”: every pair needs a judgement.",
                  first=first, second=second)
    if ahp.parse_judgement(raw) is None:  # type: ignore[arg-type]
        return off_scale(first, second)
    return None


def judgements_from_text(stored: str) -> dict[tuple[str, str], float]:
    """Stored judgements (`PairwiseJudgement.comparisons`): (first, second) -> value."""
    return {(a, b): float(value) for a, b, value in json.loads(stored)}


# -- price settings (method.md 1.1, section 5) --------------------------------------


MAX_TCO_YEARS = 50
# One sentence per setting, for every way it can be impossible (missing included).
PRICE_REFUSALS = {
    "price_method": _l("Choose one of the price methods."),
    "price_weight": _l(
        "The price weight must be a percentage from 0 up to, but not including, 100."),
    "quality_threshold": _l("The quality threshold must be a number from 0 to 100."),
    "price_full": _l("The price that earns all points must be an amount above 0 euros."),
    "price_zero": _l("The price that earns no points must be an amount higher than the price "
                     "that earns all points."),
    "log_factor": _l("The log factor must be a number above 1: the multiple of the lowest "
                     "bid that earns no points."),
    "quality_value": _l("The value of perfect quality must be an amount above 0 euros."),
    "tco_years": _l("The TCO covers a whole number of years from 1 to %(most)d.",
                    most=MAX_TCO_YEARS),
}
PRICE_FIELDS = ("price_method", "price_weight", *pricing.PARAMETER_NAMES,
                "quality_threshold", "tco_years")


@dataclass(frozen=True)
class PriceInput:
    """What the form gives: texts as typed (a decimal comma is fine), or numbers. The
    price weight is a percentage; an empty parameter is "not set"."""

    price_method: str
    price_weight: Any = 0
    price_full: Any = None
    price_zero: Any = None
    log_factor: Any = None
    quality_value: Any = None
    quality_threshold: Any = 0
    tco_years: Any = 5


def _number(value: Any, field: str) -> float | None:
    """A finite number from a form or a script; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ServiceError(PRICE_REFUSALS[field], field)
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(_decimal_point(str(value).strip()))
        except ValueError:
            raise ServiceError(PRICE_REFUSALS[field], field) from None
    if not math.isfinite(number) or abs(number) > limits.MAX_AMOUNT:
        raise ServiceError(PRICE_REFUSALS[field], field)
    return number


def _years(value: Any) -> int:
    number = _number(value, "tco_years")
    if number is None or number != int(number) or not 1 <= number <= MAX_TCO_YEARS:
        raise ServiceError(PRICE_REFUSALS["tco_years"], "tco_years")
    return int(number)


def checked_price_settings(given: PriceInput) -> dict[str, Any]:
    """The column values for `given`, or a ServiceError naming the first impossible
    setting (in the order of the page)."""
    method = given.price_method if isinstance(given.price_method, str) else ""
    weight = _number(given.price_weight, "price_weight")
    threshold = _number(given.quality_threshold, "quality_threshold")
    values: dict[str, Any] = {
        "price_method": method,
        "price_weight": 0.0 if weight is None else weight / 100.0,
        **{name: _number(getattr(given, name), name) for name in pricing.PARAMETER_NAMES},
        "quality_threshold": 0.0 if threshold is None else threshold,
    }
    found = pricing.problems(pricing.PriceSettings.of(values))
    if found:
        raise ServiceError(PRICE_REFUSALS[found[0].field], found[0].field)
    values["tco_years"] = _years(given.tco_years)
    return values


def preview_price_settings(given: PriceInput) -> pricing.PriceSettings | None:
    """The settings `given` describes, or None when one of them is impossible."""
    try:
        values = checked_price_settings(given)
    except ServiceError:
        return None
    return pricing.PriceSettings.of(values)


def current_price_settings(selection: Any) -> dict[str, Any]:
    """The selection's settings as stored (the audit's old and new values)."""
    return {name: getattr(selection, name) for name in PRICE_FIELDS}
