"""Forms of signing in and of one's own account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from selector.forms import choices
from selector.i18n import LANGUAGE_NAMES
from selector.i18n import LANGUAGES
from selector.i18n import _l
from selector.services.passwords import MAX_LENGTH
from selector.services.passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True, "inputmode": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


def new_password_fields():
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=_l("Use %(min)d to %(max)d characters.")),
        ],
        description=_l("At least %(count)d characters; a few unrelated words work well.",
                       count=MIN_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the new password once more.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return new, confirm


class SetPasswordForm(FlaskForm):
    new_password, confirm = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm = new_password_fields()


class LanguageForm(FlaskForm):
    """The language switch in the page header."""

    language = SelectField(choices=choices((code, LANGUAGE_NAMES[code]) for code in LANGUAGES))
    next = HiddenField()


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(
        _l("Language"),
        choices=choices(
            [("", _l("As my browser prefers"))]
            + [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
        ),
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name of the token"),
        validators=[DataRequired(_l("Give the token a name, so you know later what uses it.")),
                    Length(max=100)],
        description=_l("For example the script or tool that will use it."),
    )


# -- the second factor (TOTP) -------------------------------------------------------------


def _code_field():
    return StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Enter the six digits your authenticator app shows.")),
                    Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "autocapitalize": "off", "spellcheck": "false"},
    )


class TotpLoginForm(FlaskForm):
    """The second step of logging in."""

    code = _code_field()


class TotpEnableForm(FlaskForm):
    code = _code_field()


class TotpDisableForm(FlaskForm):
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = _code_field()
