"""Forms of the vendors area: a vendor with its cost breakdown, and withdrawing one."""

from __future__ import annotations

import math
import re
from decimal import InvalidOperation

from babel.numbers import NumberFormatError
from babel.numbers import format_decimal
from babel.numbers import parse_decimal
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from selector.domain.limits import max_length
from selector.i18n import _l
from selector.services.vendors import MAX_NOTES
from selector.services.vendors import MAX_REASON
from selector.services.vendors import VendorInput


def parse_amount(text: str) -> float:
    """An amount typed the way people type money: "12000", "12.000" (Dutch), "12,000.50",
    "€ 12 000". Raises ValueError when it is not a number."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if not cleaned:
        raise ValueError("empty")
    locale = str(get_locale() or "en")
    try:
        value = float(parse_decimal(cleaned, locale=locale, strict=False))
    except (NumberFormatError, InvalidOperation, ValueError):
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError(cleaned) from None
    if not math.isfinite(value):
        raise ValueError(cleaned)
    return value


class AmountField(Field):
    """A number of euros, or empty (None)."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        # No grouping, the reader's decimal sign: parse_amount reads it back exactly.
        return format_decimal(self.data, format="0.##", locale=str(get_locale() or "en"))

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_amount(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(_l("Enter an amount in euros, for example 12000.")) from None


class VendorForm(FlaskForm):
    name = StringField(
        _l("Vendor"), validators=[DataRequired(_l("Give the vendor a name.")),
                                 Length(max=max_length("vendor", "name"))],
    )
    product = StringField(_l("Product"),
                          validators=[Optional(), Length(max=max_length("vendor", "product"))])
    website = StringField(
        _l("Website"), validators=[Optional(), Length(max=max_length("vendor", "website"))],
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )
    contact = StringField(
        _l("Contact"), validators=[Optional(), Length(max=max_length("vendor", "contact"))],
        description=_l("Name, e-mail address or telephone number of the account manager."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=MAX_NOTES)])
    licence_per_year = AmountField(_l("Licences or subscription per year (€)"))
    implementation = AmountField(_l("Implementation, once (€)"))
    hosting_support_per_year = AmountField(_l("Hosting and support per year (€)"))
    contract_years = AmountField(_l("Contract length (years)"))
    tco = AmountField(
        _l("TCO (€), only without a breakdown"),
        description=_l("Leave empty when you fill in the four cost fields: the TCO is then "
                       "computed."),
    )

    def validate_contract_years(self, field):
        if field.data is not None and field.data > 100:
            raise ValidationError(_l("Enter the contract length in years."))

    def to_input(self) -> VendorInput:
        return VendorInput(
            name=self.name.data or "", product=self.product.data or "",
            website=self.website.data or "", contact=self.contact.data or "",
            notes=self.notes.data or "", licence_per_year=self.licence_per_year.data,
            implementation=self.implementation.data,
            hosting_support_per_year=self.hosting_support_per_year.data,
            contract_years=self.contract_years.data, tco=self.tco.data,
        )


class WithdrawForm(FlaskForm):
    withdrawn = HiddenField(default="1")
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason for this decision.")),
                                  Length(max=MAX_REASON)],
        description=_l("Everyone can read this in the audit trail."),
    )
