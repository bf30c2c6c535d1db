"""Forms of the instance admin."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from selector.domain.limits import max_length
from selector.forms import new_person_email
from selector.i18n import _l


class AccountForm(FlaskForm):
    email = new_person_email()
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=max_length("member", "name"))]
    )
    is_admin = BooleanField(
        _l("Administrator of this installation"),
        description=_l("Administrators manage accounts. They do not see selections they "
                       "are not a member of."),
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
