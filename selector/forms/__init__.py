"""WTForms classes, one module per area. Labels and messages are lazy translations.

`show_error` puts a service's refusal next to the field it names (or above the form),
so the user sees why, beside what they typed.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired
from wtforms.validators import ValidationError

from selector.domain.limits import parse_id
from selector.i18n import _l
from selector.i18n import error_text
from selector.services.email_addresses import checked_email
from selector.services.errors import ServiceError

try:  # WTForms 3.3 wants SelectChoice objects; older versions take (value, label) pairs
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None


def choices(pairs) -> list:
    """Options of a SelectField from (value, label) pairs, for any WTForms 3."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def row_id(value: object) -> int:
    """The `coerce` of a select whose options are rows: read as every id is read
    (`limits.parse_id`); a value that names no row is "not a valid choice"."""
    number = parse_id(value)
    if number is None:
        raise ValueError(f"no row id: {value!r}")
    return number


def show_error(form: FlaskForm, error: Exception, rename: dict[str, str] | None = None) -> None:
    """Attach a ServiceError's message to its field, else to the whole form. `rename`
    maps a service's field name to the form's (e.g. password -> new_password)."""
    text = error_text(error)
    name = getattr(error, "field", None)
    name = (rename or {}).get(name, name)
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        form.form_errors.append(text)


class EmailAddress:
    """The one e-mail rule (`selector.domain.limits`, as `selector import` applies it):
    syntax, length and plain ASCII against look-alike addresses. An empty field is left
    to DataRequired or Optional."""

    def __call__(self, form: FlaskForm, field) -> None:
        if not field.data:
            return
        try:
            checked_email(field.data)
        except ServiceError as error:
            raise ValidationError(error_text(error)) from None


def new_person_email() -> EmailField:
    """The e-mail address of a person being added (an account or a member): required,
    under the one e-mail rule, and not autocompleted with the user's own address."""
    return EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter an e-mail address.")), EmailAddress()],
        render_kw={"autocomplete": "off"},
    )


def error_messages(form: FlaskForm) -> list[str]:
    """Every refusal of a form as "Label: message", for a page that does not show the
    form itself (a one-button form in a list): a refusal is never silent."""
    messages = [str(message) for message in form.form_errors]
    for name, errors in form.errors.items():
        if name is None:
            continue
        label = form[name].label.text if name in form else name
        messages.extend(f"{label}: {message}" for message in errors
                        if isinstance(message, str) or not isinstance(message, dict))
    return messages
