"""Forms of managing the members of a selection."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from selector.forms import choices
from selector.i18n import ROLE_LABELS, _l
from selector.models.selection import ROLES


def role_choices():
    return choices((role, ROLE_LABELS[role]) for role in ROLES)


class AddMemberForm(FlaskForm):
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
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only needed when this person has no account yet."),
    )
    role = SelectField(_l("Role"), choices=role_choices(), default="business")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())
