"""Forms of the requirements area: a requirement, a decision, the list's filters, the
library pick, IT management's structured answers, spreadsheet upload and categories."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode

from flask_babel import LazyString
from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from selector.domain.it_catalogue import AREAS
from selector.domain.it_catalogue import QUESTIONS
from selector.domain.it_catalogue import Area
from selector.domain.it_catalogue import Part
from selector.domain.it_catalogue import Question
from selector.domain.it_catalogue import Words
from selector.domain.it_catalogue import words_in
from selector.domain.limits import REASON_LENGTH
from selector.domain.limits import max_length
from selector.domain.limits import parse_id
from selector.domain.vocabulary import ACCEPTED
from selector.domain.vocabulary import BUSINESS
from selector.domain.vocabulary import COULD
from selector.domain.vocabulary import DEFERRED
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import INTENTS
from selector.domain.vocabulary import IT
from selector.domain.vocabulary import MUST
from selector.domain.vocabulary import PRIORITIES
from selector.domain.vocabulary import PROPOSED
from selector.domain.vocabulary import REJECTED
from selector.domain.vocabulary import SHOULD
from selector.domain.vocabulary import STATUSES
from selector.domain.vocabulary import VERIFICATIONS
from selector.domain.vocabulary import WONT
from selector.forms import choices
from selector.forms import row_id
from selector.i18n import DOMAIN_LABELS
from selector.i18n import _l
from selector.services.requirements import StructuredItem

PRIORITY_LABELS = {
    MUST: _l("Must have"),
    SHOULD: _l("Should have"),
    COULD: _l("Could have"),
    WONT: _l("Won't have (this time)"),
}
STATUS_LABELS = {
    PROPOSED: _l("Proposed"),
    ACCEPTED: _l("Accepted"),
    REJECTED: _l("Rejected"),
    DEFERRED: _l("Deferred"),
}
DECISION_LABELS = {ACCEPTED: _l("Accept"), REJECTED: _l("Reject"), DEFERRED: _l("Defer")}
INTENT_LABELS = {"achieve": _l("Achieve"), "avoid": _l("Avoid")}
VERIFICATION_LABELS = {
    "demo": _l("Demonstration"),
    "test": _l("Test"),
    "document": _l("Document"),
    "reference": _l("Reference check"),
    "contract": _l("Contract"),
    "other": _l("Other"),
}
OWNER_LABELS = {BUSINESS: _l("Business"), IT: _l("IT management")}
# A requirement's fields as the pages name them (its history, the import's mapping).
FIELD_LABELS = {
    "code": _l("Code"), "category": _l("Category"), "title": _l("Title"),
    "description": _l("Description"), "rationale": _l("Why it matters"),
    "intent": _l("Intent"), "verification": _l("How we verify it"),
    "verification_criterion": _l("Verification criterion"), "priority": _l("Priority"),
    "weight": _l("Explicit weight"), "weight_reason": _l("Why this weight"),
    "knockout": _l("Knock-out"), "knockout_rationale": _l("Why it is a knock-out"),
    "owner_group": _l("Owner group"), "status": _l("Status"),
    "status_reason": _l("Reason of the decision"), "structured": _l("IT management's answer"),
    "raised_by": _l("Raised by"),
}

LABELS = {
    "priority": PRIORITY_LABELS,
    "status": STATUS_LABELS,
    "decision": DECISION_LABELS,
    "intent": INTENT_LABELS,
    "verification": VERIFICATION_LABELS,
    "owner": OWNER_LABELS,
    "domain": DOMAIN_LABELS,
}


def _pairs(labels: dict[str, Any], keys) -> list:
    return choices((key, labels[key]) for key in keys)


class RequirementForm(FlaskForm):
    category_id = SelectField(_l("Category"), coerce=row_id, validate_choice=False)
    code = StringField(
        _l("Code"), validators=[Optional(), Length(max=max_length("requirement", "code"))],
        description=_l("Leave empty for the suggested code."))
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the requirement a title.")),
                                                 Length(max=max_length("requirement", "title"))])
    description = TextAreaField(
        _l("Description"), validators=[Length(max=max_length("requirement", "description"))],
        description=_l("What the organisation wants to achieve or avoid, in plain words."))
    rationale = TextAreaField(_l("Why it matters"),
                              validators=[Length(max=max_length("requirement", "rationale"))])
    intent = SelectField(_l("Intent"), choices=_pairs(INTENT_LABELS, INTENTS), default="achieve")
    verification = SelectField(_l("How we verify it"),
                               choices=_pairs(VERIFICATION_LABELS, VERIFICATIONS), default="demo")
    verification_criterion = TextAreaField(
        _l("Verification criterion"),
        validators=[Length(max=max_length("requirement", "verification_criterion"))],
        description=_l("What exactly will be checked, with a measure: “3 test users find a "
                       "customer within 2 seconds”."))
    priority = SelectField(_l("Priority"), choices=_pairs(PRIORITY_LABELS, PRIORITIES),
                           default="should")
    weight = StringField(
        _l("Explicit weight"), validators=[Optional(), Length(max=20)],
        description=_l("Optional: a number of 0 or more instead of the priority's 5, 3 or 1."))
    weight_reason = StringField(
        _l("Why this weight"), validators=[Length(max=max_length("requirement", "weight_reason"))])
    knockout = BooleanField(
        _l("Knock-out"),
        description=_l("A vendor that fails it drops out, whatever its score."))
    knockout_rationale = TextAreaField(
        _l("Why it is a knock-out"),
        validators=[Length(max=max_length("requirement", "knockout_rationale"))])
    owner_group = SelectField(
        _l("Owner group"),
        choices=choices([("", _l("The category's domain"))]
                        + [(d, OWNER_LABELS[d]) for d in DOMAINS]),
        default="")
    version = HiddenField()
    reason = TextAreaField(
        _l("Reason for this change"), validators=[Length(max=REASON_LENGTH)],
        description=_l("Needed once the requirements or the weights are frozen."))

    def set_categories(self, categories) -> None:
        self.category_id.choices = choices(
            (c.id, f"{c.name} ({DOMAIN_LABELS[c.domain]})") for c in categories)

    def values(self):
        from selector.services.requirements import RequirementFields

        return RequirementFields(
            category_id=self.category_id.data,
            code=self.code.data or "",
            title=self.title.data or "",
            description=self.description.data or "",
            rationale=self.rationale.data or "",
            intent=self.intent.data,
            verification=self.verification.data,
            verification_criterion=self.verification_criterion.data or "",
            priority=self.priority.data,
            weight=(self.weight.data or "").strip().replace(",", ".") or None,
            weight_reason=self.weight_reason.data or "",
            knockout=bool(self.knockout.data),
            knockout_rationale=self.knockout_rationale.data or "",
            owner_group=self.owner_group.data or "",
        )

    def fill(self, requirement) -> None:
        for name in ("category_id", "code", "title", "description", "rationale", "intent",
                     "verification", "verification_criterion", "priority", "weight_reason",
                     "knockout", "knockout_rationale", "owner_group"):
            getattr(self, name).data = getattr(requirement, name)
        self.weight.data = "" if requirement.weight is None else f"{requirement.weight:g}"
        self.version.data = str(requirement.version)

    def expected_version(self) -> int | None:
        return parse_id(self.version.data)


class DecisionForm(FlaskForm):
    status = SelectField(_l("Decision"), choices=_pairs(DECISION_LABELS, DECISION_LABELS))
    reason = TextAreaField(_l("Reason"), validators=[Length(max=REASON_LENGTH)])
    version = HiddenField()


class BulkDecisionForm(FlaskForm):
    status = SelectField(_l("Decision"), choices=_pairs(DECISION_LABELS, DECISION_LABELS))
    reason = StringField(_l("Reason"), validators=[Length(max=REASON_LENGTH)])
    query = HiddenField()  # the list's query string, to go back to the same filtered list

    def back_query(self) -> str:
        """The list's filters to go back to, rebuilt: only the names FilterForm knows,
        each value URL-encoded again. The posted text never reaches the Location header
        as it is (a CR or LF there was a 500, after the decisions were made) and cannot
        point anywhere but the list."""
        known = set(FilterForm()._fields)
        try:
            pairs = parse_qsl((self.query.data or "")[:2_000], max_num_fields=len(known) * 2)
        except ValueError:  # more fields than the list has: not our list's query
            return ""
        return urlencode([(name, value) for name, value in pairs
                          if name in known and len(value) <= 200])


class FilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    domain = SelectField(_l("Domain"), choices=choices(
        [("", _l("All domains"))] + [(d, DOMAIN_LABELS[d]) for d in DOMAINS]), default="")
    category = SelectField(_l("Category"), coerce=str, validate_choice=False, default="")
    priority = SelectField(_l("Priority"), choices=choices(
        [("", _l("All priorities"))] + [(p, PRIORITY_LABELS[p]) for p in PRIORITIES]),
        default="")
    status = SelectField(_l("Status"), choices=choices(
        [("", _l("All statuses"))] + [(s, STATUS_LABELS[s]) for s in STATUSES]), default="")
    owner_group = SelectField(_l("Owner group"), choices=choices(
        [("", _l("All owner groups"))] + [(d, OWNER_LABELS[d]) for d in DOMAINS]), default="")
    knockout = SelectField(_l("Knock-out"), choices=choices(
        [("", _l("Knock-outs and wishes")), ("yes", _l("Knock-outs only")),
         ("no", _l("Wishes only"))]), default="")
    raised_by = SelectField(_l("Raised by"), coerce=str, validate_choice=False, default="")
    flagged = BooleanField(_l("Only with quality flags"))

    def set_choices(self, categories, raisers) -> None:
        self.category.choices = choices(
            [("", _l("All categories"))] + [(str(c.id), c.name) for c in categories])
        self.raised_by.choices = choices(
            [("", _l("Anyone"))] + [(str(i), name) for i, name in raisers])

    def to_filter(self):
        from selector.services.requirements import RequirementFilter

        return RequirementFilter(
            domain=self.domain.data or "", category_id=parse_id(self.category.data),
            priority=self.priority.data or "", status=self.status.data or "",
            owner_group=self.owner_group.data or "", knockout=self.knockout.data or "",
            raised_by=parse_id(self.raised_by.data), flagged=bool(self.flagged.data),
            search=(self.q.data or "")[:200],
        )

    def active(self) -> bool:
        return any(f.data for f in self if f.name != "q") or bool(self.q.data)


class PickForm(FlaskForm):
    items = SelectMultipleField(_l("Library requirements"), validate_choice=False)
    reason = StringField(_l("Reason"), validators=[Length(max=REASON_LENGTH)])


class SettingsForm(FlaskForm):
    owner_groups_decide = BooleanField(
        _l("Members of the owner group may accept, reject or defer their group's "
           "requirements"))


class UploadForm(FlaskForm):
    file = FileField(_l("File (.xlsx, .csv or .docx)"),
                     validators=[FileRequired(_l("Choose a file to upload."))])


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the category a name.")),
                                               Length(max=max_length("category", "name"))])
    domain = SelectField(_l("Domain"), choices=choices((d, DOMAIN_LABELS[d]) for d in DOMAINS))
    reason = StringField(_l("Reason"), validators=[Length(max=REASON_LENGTH)])


class CategoryActionForm(FlaskForm):
    direction = HiddenField()
    reason = StringField(_l("Reason"), validators=[Length(max=REASON_LENGTH)])


# -- IT management's structured answers -------------------------------------------------


def _priority_field():
    return SelectField(_l("Priority"), choices=_pairs(PRIORITY_LABELS, PRIORITIES),
                       default="should")


class ItemControls(Form):
    """How important one answer is, and whether it is a knock-out."""

    priority = _priority_field()
    knockout = BooleanField(_l("Knock-out"))
    knockout_rationale = StringField(
        _l("Why a knock-out"),
        validators=[Length(max=max_length("requirement", "knockout_rationale"))])
    version = HiddenField()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# The fields come from the catalogue (selector.domain.it_catalogue): one subform per
# question, named by its key, holding the answer's parts and the item's controls
# (`rpo-hours`, `rpo-priority`); a list of rows for the browsers (`browser-0-device`);
# one set of controls per option for the norms (`norm-bio-priority`).

NOT_ASKED = _l("Not asked")
BROWSER_ROWS = 6  # empty rows offered for the browsers


def reader_words(words: Words) -> LazyString:
    """The catalogue's words in the reader's language, looked up when shown."""
    def pick() -> str:
        locale = get_locale()
        return words_in(words, locale.language if locale else "en")

    return LazyString(pick)


def _part_field(question: Question, part: Part, first: bool):
    """The field of one part; the first part of a question says whether it is asked."""
    in_rows = question.repeat == "rows"
    label = reader_words(question.label if first and not in_rows else part.label)
    hint = reader_words(question.hint) if first and question.hint and not in_rows else None
    options = [(o.key, reader_words(o.label)) for o in part.options]
    if part.kind == "many":
        return MultiCheckboxField(label, choices=choices(options), description=hint)
    if part.kind == "one":
        if first:
            blank = _l("—") if in_rows else NOT_ASKED
            return SelectField(label, choices=choices([("", blank), *options]), default="",
                               description=hint)
        return SelectField(label, choices=choices(options), default=part.options[0].key)
    # Numbers are typed as text, so that "1,5" is read as 1.5 and a wrong entry gets
    # the catalogue's message beside the field.
    limit = part.maximum if part.kind == "text" else 20
    return StringField(label, validators=[Length(max=limit)], description=hint)


def _answer_form(question: Question) -> type[Form]:
    """A subform: the question's parts and the controls of one item."""
    fields = {p.key: _part_field(question, p, i == 0) for i, p in enumerate(question.parts)}
    return type(f"{question.key.title()}Answer", (ItemControls,), fields)


def _question_field(question: Question):
    if question.repeat == "rows":
        return FieldList(FormField(_answer_form(question)),
                         label=reader_words(question.label), min_entries=BROWSER_ROWS,
                         description=reader_words(question.hint) if question.hint else None)
    if question.repeat == "each":
        part = question.parts[0]  # each option ticked is one answer
        fields = {part.key: MultiCheckboxField(
            reader_words(question.label),
            description=reader_words(question.hint) if question.hint else None,
            choices=choices((o.key, reader_words(o.label)) for o in part.options))}
        fields |= {o.key: FormField(ItemControls) for o in part.options}
        return FormField(type(f"{question.key.title()}Answers", (Form,), fields))
    return FormField(_answer_form(question))


def _typed(part: Part, data: Any) -> Any:
    """A field's data as the catalogue takes it: numbers as numbers (a text that is no
    number is passed on, for the catalogue to refuse), an empty optional part as None."""
    if part.kind not in ("number", "whole"):
        return data
    text = str(data or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _shown(part: Part, value: Any) -> Any:
    """A stored part as its field shows it."""
    if part.kind in ("number", "whole"):
        return "" if value is None else f"{value:g}"
    return value


def _asked(data: Any) -> bool:
    return bool(data.strip() if isinstance(data, str) else data)


class StructuredForm(FlaskForm):
    """IT's questions by area, built from the catalogue; an answer left empty asks
    nothing."""

    @staticmethod
    def _item(question: Question, value: dict, controls: Form, prefix: str) -> StructuredItem:
        version = controls.version.data
        return StructuredItem(
            question.area, question.key, value, priority=controls.priority.data or "should",
            knockout=bool(controls.knockout.data),
            knockout_rationale=controls.knockout_rationale.data or "",
            version=parse_id(version),
            field=prefix,
        )

    def _answer(self, question: Question, form: Form, prefix: str) -> StructuredItem | None:
        if not _asked(form[question.parts[0].key].data):
            return None
        value = {p.key: _typed(p, form[p.key].data) for p in question.parts}
        return self._item(question, value, form, prefix)

    def sections(self) -> list[tuple[Area, LazyString, list[tuple[Question, Any]]]]:
        """The areas in the catalogue's order: each with its heading, its questions and
        their fields."""
        return [(area, reader_words(area.label), [(q, self[q.key]) for q in area.questions])
                for area in AREAS]

    def items(self) -> list[StructuredItem]:
        """The answers given (empty ones left out), each naming the field for errors."""
        found: list[StructuredItem | None] = []
        for question in QUESTIONS.values():
            field = self[question.key]
            if question.repeat == "rows":
                found += [self._answer(question, row.form, row.name) for row in field]
            elif question.repeat == "each":
                part = question.parts[0]
                chosen = field.form[part.key]
                found += [self._item(question, {part.key: option.key},
                                     field.form[option.key].form, field.name)
                          for option in part.options if option.key in (chosen.data or [])]
            else:
                found.append(self._answer(question, field.form, field.name))
        return [item for item in found if item is not None]

    def field_named(self, name: str):
        """The field whose HTML name is `name` (where a service's refusal belongs)."""
        def walk(fields):
            for field in fields:
                if field.name == name:
                    return field
                inner = field.form if isinstance(field, FormField) else (
                    field if isinstance(field, FieldList) else None)
                found = walk(inner) if inner is not None else None
                if found is not None:
                    return found
            return None

        return walk(self)

    def fill(self, table: dict[str, list[dict]]) -> None:
        """Show the answers given before (from `requirements.it_answer_table`)."""
        def controls(target: Form, row: dict) -> None:
            target.priority.data = row["priority"]
            target.knockout.data = row["knockout"]
            target.knockout_rationale.data = row["knockout_rationale"]
            target.version.data = str(row["version"])

        def show(question: Question, target: Form, value: dict) -> None:
            for part in question.parts:
                target[part.key].data = _shown(part, value.get(part.key))

        rows = 0
        for row in (r for area in table.values() for r in area):
            question = QUESTIONS.get(row["item"])
            if question is None:
                continue
            field, value = self[question.key], row["value"]
            if question.repeat == "rows":
                while len(field) <= rows + 2:
                    field.append_entry()
                show(question, field[rows].form, value)
                controls(field[rows].form, row)
                rows += 1
            elif question.repeat == "each":
                part = question.parts[0]
                if part.option(value.get(part.key)) is not None:
                    chosen = field.form[part.key]
                    chosen.data = [*(chosen.data or []), value[part.key]]
                    controls(field.form[value[part.key]].form, row)
            else:
                show(question, field.form, value)
                controls(field.form, row)


for _question in QUESTIONS.values():
    setattr(StructuredForm, _question.key, _question_field(_question))
