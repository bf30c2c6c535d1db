"""Forms of the instance admin."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from selector.i18n import _l


class AccountForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)]
    )
    is_admin = BooleanField(
        _l("Administrator of this installation"),
        description=_l("Administrators manage accounts. They do not see selections they "
                       "are not a member of."),
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
