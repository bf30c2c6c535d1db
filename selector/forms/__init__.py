"""WTForms classes, one module per area. Labels and messages are lazy translations.

`show_error` puts a service's refusal next to the field it names (or above the form),
so the user sees why, beside what they typed.
"""

from __future__ import annotations

from flask_wtf import FlaskForm

from selector.i18n import error_text


def show_error(form: FlaskForm, error: Exception) -> None:
    """Attach a ServiceError's message to its field, else to the whole form."""
    text = error_text(error)
    name = getattr(error, "field", None)
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        form.form_errors.append(text)
