"""Forms of managing the members of a selection."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from selector.domain.limits import max_length
from selector.domain.vocabulary import BUSINESS
from selector.domain.vocabulary import ROLES
from selector.forms import choices
from selector.forms import new_person_email
from selector.forms.auth import new_password_fields
from selector.i18n import ROLE_LABELS
from selector.i18n import _l


def role_choices():
    return choices((role, ROLE_LABELS[role]) for role in ROLES)


class AddMemberForm(FlaskForm):
    email = new_person_email()
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=max_length("member", "name"))],
        description=_l("Shown in the invitation; the person may change it."),
    )
    role = SelectField(_l("Role"), choices=role_choices(), default=BUSINESS)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())


class InvitationForm(FlaskForm):
    """Accept or decline an invitation (the button pressed says which)."""

    answer = SelectField(choices=choices([("accept", "accept"), ("decline", "decline")]))


class InvitationAccountForm(FlaskForm):
    """An invited address without an account chooses its name and password."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=max_length("member", "name"))],
        render_kw={"autocomplete": "name"},
    )
    new_password, confirm = new_password_fields()
