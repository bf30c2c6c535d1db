"""The vendor portal's forms (issue 20): one answer, its evidence, the costs, a question,
a returned questionnaire, and the one-button forms (submit, remove a document).

A structured IT question is asked with its own parts (an option, options or a value),
built from IT's catalogue as the IT page builds them (`forms.requirements`), in the
selection's language (the portal renders in it).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional

from selector.domain import vendor_answers as rules
from selector.domain.it_catalogue import Question
from selector.domain.it_catalogue import words_in
from selector.forms import choices
from selector.forms.requirements import MultiCheckboxField
from selector.forms.requirements import _shown as shown_part
from selector.forms.requirements import _typed as typed_part
from selector.forms.requirements import reader_words
from selector.forms.vendors import AmountField
from selector.i18n import _l
from selector.services import vendors

# A form's own field name for a structured part: `s-<part>` (the service names the
# whole answer "structured").
PART_PREFIX = "s-"


def _compliance_choices(language: str) -> list:
    return choices((key, rules.compliance_label(key, language)) for key in rules.COMPLIANCES)


class AnswerForm(FlaskForm):
    """One requirement's answer; the structured parts are added per question (`for_item`)."""

    version = HiddenField()
    compliance = RadioField(_l("Do you comply?"), choices=[], validate_choice=False)
    explanation = TextAreaField(
        _l("Explanation (required unless yes)"),
        validators=[Length(max=vendors.MAX_EXPLANATION)])
    planned_on = DateField(_l("Planned date (when planned)"), validators=[Optional()])

    @classmethod
    def for_item(cls, item: vendors.QuestionnaireItem, language: str, **kwargs: Any) -> AnswerForm:
        """The form of one questionnaire item, with its structured parts if IT asked it."""
        form_class = cls
        if item.question is not None:
            form_class = type("StructuredAnswerForm", (cls,), _part_fields(item.question))
        form = form_class(prefix=f"r{item.requirement.id}", **kwargs)
        form.compliance.choices = _compliance_choices(language)
        form.question = item.question
        return form

    def fill(self, item: vendors.QuestionnaireItem) -> None:
        answer = item.answer
        if answer is None:
            return
        self.version.data = str(answer.version)
        self.compliance.data = answer.compliance
        self.explanation.data = answer.explanation
        self.planned_on.data = answer.planned_on
        offered = item.offered or {}
        for part in item.question.parts if item.question else ():
            self[PART_PREFIX + part.key].data = shown_part(part, offered.get(part.key))

    def parts(self) -> list:
        question: Question | None = getattr(self, "question", None)
        return [self[PART_PREFIX + p.key] for p in question.parts] if question else []

    def structured(self) -> dict[str, Any] | None:
        """The structured answer as the catalogue checks it; None when left empty."""
        question: Question | None = getattr(self, "question", None)
        if question is None:
            return None
        value = {p.key: typed_part(p, self[PART_PREFIX + p.key].data) for p in question.parts}
        if not any(v not in (None, "", []) for v in value.values()):
            return None
        return value

    def given(self) -> vendors.AnswerInput:
        return vendors.AnswerInput(
            compliance=self.compliance.data or "", explanation=self.explanation.data or "",
            planned_on=self.planned_on.data, structured=self.structured())


def _part_fields(question: Question) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for part in question.parts:
        label = reader_words(part.label)
        options = [(o.key, reader_words(o.label)) for o in part.options]
        if part.kind == "many":
            field = MultiCheckboxField(label, choices=choices(options))
        elif part.kind == "one":
            field = SelectField(label, choices=choices([("", "—"), *options]), default="")
        else:
            limit = part.maximum if part.kind == "text" else 20
            field = StringField(label, validators=[Length(max=limit)])
        fields[PART_PREFIX + part.key] = field
    return fields


class DocumentForm(FlaskForm):
    """Evidence for one answer: a PDF or an image."""

    document = FileField(_l("Evidence (PDF, PNG or JPEG)"))


class ButtonForm(FlaskForm):
    """A form of one button (submit, remove a document): only its CSRF token."""


class CostsForm(FlaskForm):
    licence_per_year = AmountField(_l("Licences or subscription per year (€)"))
    implementation = AmountField(_l("Implementation, once (€)"))
    hosting_support_per_year = AmountField(_l("Hosting and support per year (€)"))
    contract_years = AmountField(_l("Contract length (years)"))

    def costs(self) -> vendors.Costs:
        return vendors.Costs(self.licence_per_year.data, self.implementation.data,
                                    self.hosting_support_per_year.data,
                                    self.contract_years.data)


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("Your question"),
                             validators=[Length(max=vendors.MAX_QUESTION)])


class ReturnedForm(FlaskForm):
    file = FileField(_l("The filled-in questionnaire (.xlsx)"))


def compliance_words(language: str) -> dict[str, str]:
    """The compliance labels in the questionnaire's language, for the locked view."""
    return {key: words_in(rules.COMPLIANCE_LABELS[key], language) for key in rules.COMPLIANCES}

