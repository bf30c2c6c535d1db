"""The audit trail's filters: a GET form read from the query string (no CSRF token)."""

from __future__ import annotations

from wtforms import DateField
from wtforms import Form
from wtforms import IntegerField
from wtforms import SelectField
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from selector.forms import choices
from selector.i18n import _l
from selector.services.audit_trail import AuditFilter

LAST_PAGE = 1_000_000  # far beyond any trail; a page past the last shows the last


class AuditFilterForm(Form):
    person = SelectField(_l("Person"), default="")
    kind = SelectField(_l("Kind"), default="")
    since = DateField(_l("From"), validators=[Optional()],
                      render_kw={"autocomplete": "off"})
    until = DateField(_l("Until"), validators=[Optional()],
                      render_kw={"autocomplete": "off"})
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=LAST_PAGE)])

    def validate(self, extra_validators=None) -> bool:
        """WTForms' own messages name no field: each refusal says which, and what to do."""
        valid = super().validate(extra_validators)
        messages = {
            "person": _l("Choose the person from the list."),
            "kind": _l("Choose the kind from the list."),
            "page": _l("The page is a whole number, 1 or more."),
        }
        for name, message in messages.items():
            if self[name].errors:
                self[name].errors = [message]
        for field, message in (
            (self.since, _l("Enter the start date as a date, for example 2026-03-31.")),
            (self.until, _l("Enter the end date as a date, for example 2026-03-31.")),
        ):
            if field.process_errors:
                field.errors = [message]
        return valid

    def set_choices(self, people: list[tuple[str, str]], kinds: list[tuple[str, str]]) -> None:
        self.person.choices = choices([("", _l("Everyone"))] + people)
        self.kind.choices = choices([("", _l("Every kind"))] + kinds)

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date comes before the start date."))

    def to_filter(self) -> AuditFilter:
        return AuditFilter(actor=self.person.data or "", entity=self.kind.data or "",
                           since=self.since.data, until=self.until.data)

    def active(self) -> bool:
        return bool(self.person.data or self.kind.data or self.since.data or self.until.data)
