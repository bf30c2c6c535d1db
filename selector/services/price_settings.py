"""How price counts in a selection: the price method, its parameters, the price weight,
the quality threshold and the years a TCO covers (method.md 1.1, section 5).

Only the facilitator sets them, and only until the weights are frozen: decisions.md
freezes them with the weights, before anyone but the facilitator sees a price. The one
rule for impossible settings is `selector.domain.price.problems`; this module says its
refusals in the reader's language, one sentence naming the field. A change is audited
with its old and new values; a new `tco_years` recomputes every vendor's TCO from its
cost lines (`vendors.refresh_tcos`). The caller commits.

`example` is the page's live example: what the chosen settings do to two made-up bids,
computed by `selector.domain.price` (static/js/price.js mirrors it in the browser).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import price as pricing
from selector.domain.vocabulary import FACILITATOR, AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import Account, Membership, Selection, Vendor
from selector.services import audit, vendors
from selector.services.errors import ServiceError

MAX_TCO_YEARS = 50
MAX_AMOUNT = vendors.MAX_AMOUNT

# One sentence per setting, for every way it can be impossible (missing included).
REFUSALS = {
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
FIELDS = ("price_method", "price_weight", *pricing.PARAMETER_NAMES, "quality_threshold",
          "tco_years")


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
        raise ServiceError(REFUSALS[field], field)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ServiceError(REFUSALS[field], field) from None
    if not math.isfinite(number) or abs(number) > MAX_AMOUNT:
        raise ServiceError(REFUSALS[field], field)
    return number


def _years(value: Any) -> int:
    number = _number(value, "tco_years")
    if number is None or number != int(number) or not 1 <= number <= MAX_TCO_YEARS:
        raise ServiceError(REFUSALS["tco_years"], "tco_years")
    return int(number)


def checked(given: PriceInput) -> dict[str, Any]:
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
        raise ServiceError(REFUSALS[found[0].field], found[0].field)
    values["tco_years"] = _years(given.tco_years)
    return values


def preview(given: PriceInput) -> pricing.PriceSettings | None:
    """The settings `given` describes, or None when one of them is impossible."""
    try:
        values = checked(given)
    except ServiceError:
        return None
    return pricing.PriceSettings.of(values)


def current(selection: Selection) -> dict[str, Any]:
    """The selection's settings as stored (the audit's old and new values)."""
    return {name: getattr(selection, name) for name in FIELDS}


def save_price_settings(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    given: PriceInput,
) -> bool:
    """Set how price counts; True when something changed. Refused, with nothing
    changed, for anyone but the facilitator, once the weights are frozen, for an
    impossible setting, and for `value` while a vendor taking part has no costs."""
    if membership.role != FACILITATOR or membership.selection_id != selection.id:
        raise ServiceError(_l("Only the facilitator sets how price counts."), None)
    # Locked so that a freeze committing at the same time cannot pass this change.
    session.refresh(selection, with_for_update=True)
    if selection.weights_frozen:
        raise ServiceError(_l("The price settings are frozen with the weights: they can no "
                              "longer be changed."), None)
    values = checked(given)
    if values["price_method"] == pricing.VALUE:
        missing = session.scalars(
            select(Vendor.name).where(Vendor.selection_id == selection.id,
                                      Vendor.withdrawn.is_(False), Vendor.tco.is_(None))
            .order_by(Vendor.name)
        ).first()
        if missing is not None:
            raise ServiceError(
                _l("The price method value needs every vendor's costs: %(vendor)s has none "
                   "yet.", vendor=missing),
                "price_method",
            )
    old = current(selection)
    for name, value in values.items():
        setattr(selection, name, value)
    new = current(selection)
    if new == old:
        return False
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.PRICE_SETTINGS, old=old, new=new,
    )
    session.flush()
    if new["tco_years"] != old["tco_years"]:
        vendors.refresh_tcos(session, selection, actor)
    return True


# -- the live example ---------------------------------------------------------------------


class ExampleBid(NamedTuple):
    label: str  # "A" or "B"
    price: float  # TCO in euros
    quality: float  # 0..100
    price_score: float | None  # P; None with `value`
    fictitious_price: float | None  # F; only with `value`
    total: float  # points, or -F in euros with `value`


#: Two made-up bids: the dearer one has the better quality.
EXAMPLE_BIDS = (("A", 100_000.0, 80.0), ("B", 80_000.0, 60.0))


def example(settings: pricing.PriceSettings) -> tuple[ExampleBid, ...] | None:
    """What `settings` do to the two example bids; None while they are impossible."""
    if pricing.problems(settings):
        return None
    prices = [price for _, price, _ in EXAMPLE_BIDS]
    qualities = [quality for _, _, quality in EXAMPLE_BIDS]
    if settings.method == pricing.VALUE:
        fictitious = pricing.fictitious_prices(settings, prices, qualities)
        return tuple(ExampleBid(label, price, quality, None, f, -f)
                     for (label, price, quality), f in zip(EXAMPLE_BIDS, fictitious,
                                                           strict=True))
    scores = pricing.price_scores(settings, prices, [False] * len(prices))
    p = settings.weight
    return tuple(
        ExampleBid(label, price, quality, float(score), None,
                   (1 - p) * quality + p * float(score))
        for (label, price, quality), score in zip(EXAMPLE_BIDS, scores, strict=True)
    )
