"""Forms of the weighting: built from the categories and wishes they show.

Points are plain number inputs (the page works without JavaScript); the services parse
and check every value and name the field of a refusal, which `show_error` puts beside
it. Field names use database ids (`points-<category id>`), never user text; `renames`
maps a service's field name (`points-<category key>`) to the form's.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation

from selector.domain.ahp import judgement_label
from selector.domain.ahp import pairs
from selector.forms import choices
from selector.i18n import PRICE_METHOD_LABELS
from selector.i18n import _l
from selector.models import Category
from selector.services.weighting import MAX_TEXT
from selector.services.weighting import final_field
from selector.services.weighting import judgement_problem
from selector.services.weighting import pair_field
from selector.services.weighting import points_field

NUMBER = {"type": "number", "min": "0", "step": "any", "inputmode": "decimal"}
# Saaty's verbal scale for the odd steps; even steps lie between two of them.
VERBAL = {
    1: _l("equal"),
    3: _l("moderately more"),
    5: _l("strongly more"),
    7: _l("very strongly more"),
    9: _l("extremely more"),
}


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def allocation_form(
    categories: Sequence[Category], points: Mapping[str, float], *, formdata=None
) -> FlaskForm:
    """One number input per active category, prefilled with the member's points."""

    class AllocationForm(FlaskForm):
        pass

    for category in categories:
        value = points.get(category.key)
        setattr(AllocationForm, f"points-{category.id}", StringField(
            category.name,
            default=_number_text(value),
            render_kw={**NUMBER, "data-points": category.key},
        ))
    if formdata is None:
        return AllocationForm(formdata=None)
    return AllocationForm(formdata=formdata)


def point_renames(categories: Iterable[Category], field_of=points_field,
                  prefix: str = "points") -> dict[str, str]:
    """Service field name -> form field name."""
    return {field_of(c.key): f"{prefix}-{c.id}" for c in categories}


def stray_fields(formdata, prefix: str, categories: Iterable[Category]) -> list[str]:
    """Posted `<prefix>-<id>` fields of categories no longer on the page (deleted, or no
    longer active): saving the rest would not be what the member saw."""
    known = {f"{prefix}-{c.id}" for c in categories}
    return sorted(name for name in formdata if name.startswith(f"{prefix}-") and name not in known)


def allocation_points(form: FlaskForm, categories: Iterable[Category]) -> dict[str, str]:
    """The posted text per category key (the service parses it)."""
    return {c.key: form[f"points-{c.id}"].data or "" for c in categories}


def final_form(
    categories: Sequence[Category], points: Mapping[str, float], rationale: str, *,
    formdata=None,
) -> FlaskForm:
    """The facilitator's final points per active category, with the written rationale."""

    class FinalWeightsForm(FlaskForm):
        rationale = TextAreaField(
            _l("Rationale"),
            validators=[Optional(), Length(max=MAX_TEXT)],
            description=_l("Why the final weights differ from the combined weights. It "
                           "goes into the audit trail and the report."),
        )

    for category in categories:
        setattr(FinalWeightsForm, f"final-{category.id}", StringField(
            category.name,
            default=_number_text(points.get(category.key)),
            render_kw={**NUMBER, "data-points": category.key},
        ))
    form = FinalWeightsForm(formdata=formdata) if formdata is not None else FinalWeightsForm(
        formdata=None)
    if formdata is None:
        form.rationale.data = rationale
    return form


def final_renames(categories: Iterable[Category]) -> dict[str, str]:
    return point_renames(categories, final_field, "final")


def final_points(form: FlaskForm, categories: Iterable[Category]) -> dict[str, str]:
    return {c.key: form[f"final-{c.id}"].data or "" for c in categories}


class BalanceForm(FlaskForm):
    business_share = StringField(
        _l("Weight of the business side (%)"),
        description=_l("IT management gets the rest. The balance, not the number of members "
                       "on each side, decides how much each side weighs."),
        render_kw={"type": "number", "min": "0", "max": "100", "step": "any",
                   "inputmode": "decimal"},
    )


class AcceptForm(FlaskForm):
    rationale = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("For example what the discussion settled."),
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Why open the frozen weights again?"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("Everyone can read this in the audit trail."),
    )


class RequirementWeightForm(FlaskForm):
    weight = StringField(
        _l("Explicit weight"),
        description=_l("Leave empty for the MoSCoW default."),
        render_kw={**NUMBER, "max": "1000"},
    )
    weight_reason = StringField(_l("Reason"), validators=[Optional(), Length(max=MAX_TEXT)])
    version = HiddenField()


def requirement_weight_form(requirement, *, formdata=None) -> RequirementWeightForm:
    prefix = f"r{requirement.id}"
    if formdata is not None:
        return RequirementWeightForm(formdata=formdata, prefix=prefix)
    return RequirementWeightForm(
        formdata=None, prefix=prefix,
        weight=_number_text(requirement.weight), weight_reason=requirement.weight_reason,
        version=str(requirement.version),
    )


def pair_name(first: Category, second: Category) -> str:
    return f"pair-{first.id}-{second.id}"


def _pair_choices(first: str, second: str):
    """Options from "first 9x" down to equal and up to "second 9x", as a_ij values."""
    options = [("", _l("— choose —"))]
    for step in range(9, 1, -1):
        options.append((str(step), _l("%(name)s %(step)d× (%(words)s)", name=first, step=step,
                                      words=VERBAL.get(step, _l("in between")))))
    options.append(("1", _l("Both equally important")))
    for step in range(2, 10):
        options.append((f"1/{step}", _l("%(name)s %(step)d× (%(words)s)", name=second,
                                        step=step, words=VERBAL.get(step, _l("in between")))))
    return choices(options)


class _OnScale:
    """A pair needs a judgement on Saaty's scale. As a field validator, every pair left
    open or off the scale is marked at once, not only the first (the service, which
    checks again, stops at the first)."""

    def __init__(self, first: str, second: str) -> None:
        self.first, self.second = first, second

    def __call__(self, form: FlaskForm, field) -> None:
        problem = judgement_problem(field.data or "", self.first, self.second)
        if problem is not None:
            # str(): a lazy string counts as safe HTML in Jinja, and this one holds the
            # category names as typed
            raise StopValidation(str(problem))


def pairwise_form(
    categories: Sequence[Category], stored: Mapping[tuple[str, str], float] | None,
    domain_points: float, *, formdata=None,
) -> FlaskForm:
    """A choice per pair of categories on Saaty's scale, and the domain's points."""

    class PairwiseForm(FlaskForm):
        domain_points = StringField(
            _l("Points for these categories together"),
            description=_l("The comparison divides these points over the categories; your "
                           "points on the other domain stay as they are."),
            render_kw=NUMBER,
        )

    by_key = {c.key: c for c in categories}
    for a, b in pairs([c.key for c in categories]):
        first, second = by_key[a], by_key[b]
        default = ""
        if stored:
            value = stored.get((a, b))
            if value is None and (b, a) in stored:
                value = 1 / stored[(b, a)]
            if value is not None:
                default = judgement_label(value)
        setattr(PairwiseForm, pair_name(first, second), SelectField(
            _l("%(first)s against %(second)s", first=first.name, second=second.name),
            choices=_pair_choices(first.name, second.name),
            default=default,
            validators=[_OnScale(first.name, second.name)],
            validate_choice=False,  # _OnScale names a value off the scale
        ))
    if formdata is not None:
        return PairwiseForm(formdata=formdata)
    form = PairwiseForm(formdata=None)
    form.domain_points.data = _number_text(domain_points)
    return form


def pairwise_judgements(form: FlaskForm, categories: Sequence[Category]):
    """(key_i, key_j) -> the chosen value ("" when none was chosen)."""
    by_key = {c.key: c for c in categories}
    return {
        (a, b): form[pair_name(by_key[a], by_key[b])].data or ""
        for a, b in pairs([c.key for c in categories])
    }


def pairwise_renames(categories: Sequence[Category]) -> dict[str, str]:
    by_key = {c.key: c for c in categories}
    return {
        pair_field(a, b): pair_name(by_key[a], by_key[b])
        for a, b in pairs([c.key for c in categories])
    }


# -- how price counts ----------------------------------------------------------------------

AMOUNT = {"type": "number", "min": "0", "step": "any", "inputmode": "decimal"}


class PriceSettingsForm(FlaskForm):
    """The price method, its parameters, the price weight (a percentage), the quality
    threshold and the years a TCO covers. `selector.services.weighting` parses and
    checks every value; the method's choice is checked there too, so a refusal is its
    one sentence."""

    price_method = RadioField(
        _l("Price method"), choices=choices(PRICE_METHOD_LABELS.items()),
        validate_choice=False,
    )
    price_weight = StringField(
        _l("Price weight (%)"),
        description=_l("The share of the total that price decides; quality gets the rest. "
                       "0 means price does not count. Not used by value for money."),
        render_kw={**AMOUNT, "max": "99.9", "data-price-input": "weight"},
    )
    price_full = StringField(
        _l("Price that earns all points (€)"),
        description=_l("Linear on a fixed scale: a TCO at or below this gets 100."),
        render_kw={**AMOUNT, "data-price-input": "price_full"},
    )
    price_zero = StringField(
        _l("Price that earns no points (€)"),
        description=_l("Linear on a fixed scale: a TCO at or above this gets 0."),
        render_kw={**AMOUNT, "data-price-input": "price_zero"},
    )
    log_factor = StringField(
        _l("Log factor"),
        description=_l("Logarithmic: the multiple of the lowest bid that earns no points, "
                       "for example 2 (twice the lowest bid)."),
        render_kw={**AMOUNT, "min": "1", "data-price-input": "log_factor"},
    )
    quality_value = StringField(
        _l("Value of perfect quality (€)"),
        description=_l("Value for money: what a quality of 100 is worth to you in euros over "
                       "the TCO's years."),
        render_kw={**AMOUNT, "data-price-input": "quality_value"},
    )
    quality_threshold = StringField(
        _l("Quality threshold (0–100)"),
        description=_l("A vendor whose quality is below this is excluded, whatever its "
                       "price. 0: no threshold."),
        render_kw={**AMOUNT, "max": "100", "data-price-input": "quality_threshold"},
    )
    tco_years = StringField(
        _l("Years the TCO covers"),
        description=_l("Every vendor's TCO: implementation + this many years of licences, "
                       "hosting and support. Changing it recomputes each vendor's TCO."),
        render_kw={"type": "number", "min": "1", "max": "50", "step": "1",
                   "inputmode": "numeric"},
    )


# The price method's amounts, stored as they are typed (the weight is a fraction).
_AMOUNT_SETTINGS = ("price_full", "price_zero", "log_factor", "quality_value",
                    "quality_threshold")


def price_settings_form(selection, *, formdata=None) -> PriceSettingsForm:
    """The form prefilled with the selection's settings (the weight as a percentage)."""
    if formdata is not None:
        return PriceSettingsForm(formdata=formdata)
    return PriceSettingsForm(
        formdata=None,
        price_method=selection.price_method,
        price_weight=_number_text(round(selection.price_weight * 100, 6)),
        tco_years=str(selection.tco_years),
        **{name: _number_text(getattr(selection, name)) for name in _AMOUNT_SETTINGS},
    )
