"""The mapping step of a requirement file (issue 19): one form that carries every
choice (sheet, columns, priority labels, new categories' domains, merges, the shared
knock-out rationale, accepting every row) between "Check again" and the import, so
that nothing is kept in server memory."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from selector.domain import requirement_mapping as mapping
from selector.domain.limits import REASON_LENGTH
from selector.domain.limits import max_length
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import PRIORITIES
from selector.forms import choices
from selector.forms.requirements import FIELD_LABELS
from selector.forms.requirements import PRIORITY_LABELS
from selector.i18n import DOMAIN_LABELS
from selector.i18n import _l
from selector.services import spreadsheets
from selector.services.spreadsheets import MappingChoices
from selector.services.spreadsheets import MappingStep

# What a column can be mapped to, as the select names it.
TARGET_LABELS = {
    **{target: FIELD_LABELS[target] for target in mapping.TOOL_FIELDS},
    "knockout": _l("Knock-out (yes/no)"), "raised_by": _l("Raised by (e-mail)"),
    mapping.DESCRIBE: _l("Keep in the description"), mapping.IGNORE: _l("Ignore"),
}
CHOICE_LABELS = {**PRIORITY_LABELS, mapping.KNOCKOUT: _l("Knock-out (must)")}
# How the mapping step groups the problems: a heading per kind (services.spreadsheets).
PROBLEM_HEADINGS = {
    "uncomputed": _l("Formulas without a saved value"),
    "not_text_date": _l("Dates where text is expected"),
    "not_text": _l("Values where text is expected"),
    "not_choice": _l("Values that are not on the list"),
    "not_weight": _l("Weights that are not numbers"),
    "no_category": _l("Rows without a category"),
    "no_title": _l("Rows without a title or a text"),
    "no_priority": _l("Rows without a priority"),
    "unknown_priority": _l("Priority labels that are not mapped"),
    "knockout_without_rationale": _l("Knock-outs without a rationale"),
    "category_name": _l("Category names that are too long"),
    "unknown_category": _l("Unknown categories"),
    "not_member": _l("Raised by someone who is not a member"),
    "field": _l("Values the requirement does not take"),
    "code_twice": _l("Codes used twice"),
    "back_to_proposed": _l("Decided requirements set back to proposed"),
}
FILE_PROBLEM = _l("The file as a whole")
SOURCE_LABELS = {
    "name": _l("by its name"), "values": _l("by its values"), "none": _l("not recognised"),
    "given": _l("your choice"),
}
SAMPLE_LENGTH = 60  # characters of a sample value shown beside its column
# Labels and categories a file can name: one per row at most.
MAX_ENTRIES = spreadsheets.MAX_ROWS


class ColumnChoice(Form):
    letter = HiddenField()
    target = SelectField(_l("Field"), choices=choices(
        (target, TARGET_LABELS[target]) for target in mapping.TARGETS))


class LabelChoice(Form):
    value = HiddenField()  # the label as written ("label" is the field's own label)
    choice = SelectField(_l("Means"), choices=choices(
        [("", _l("(not mapped)"))]
        + [(c, CHOICE_LABELS[c]) for c in (*PRIORITIES, mapping.KNOCKOUT)]))


class CategoryChoice(Form):
    category = HiddenField()  # its name ("name" is the field's own)
    domain = SelectField(_l("Domain"), choices=choices((d, DOMAIN_LABELS[d]) for d in DOMAINS))


class MappingForm(FlaskForm):
    """Every choice of the mapping step. `checked` names the preview the facilitator
    saw (`MappingStep.digest`); `mapped_sheet` the sheet the choices were made on."""

    token = HiddenField()
    filename = HiddenField()
    checked = HiddenField()
    mapped_sheet = HiddenField()
    sheet = SelectField(_l("Sheet"), validate_choice=False)
    columns = FieldList(FormField(ColumnChoice), max_entries=spreadsheets.MAX_COLUMNS)
    labels = FieldList(FormField(LabelChoice), max_entries=MAX_ENTRIES)
    categories = FieldList(FormField(CategoryChoice), max_entries=MAX_ENTRIES)
    merge = SelectMultipleField(_l("Merge these categories"), validate_choice=False,
                                widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    knockout_rationale = TextAreaField(
        _l("Knock-out rationale"),
        validators=[Length(max=max_length("requirement", "knockout_rationale"))],
        description=_l("For the knock-outs without a reason of their own in the file."))
    accept = BooleanField(
        _l("Import every row as accepted"),
        description=_l("As when the programme was already adopted: one decision, with its "
                       "reason in the audit trail of every requirement."))
    accept_reason = TextAreaField(_l("Why every row is accepted"),
                                  validators=[Length(max=max_length("decision", "reason"))])
    reason = TextAreaField(
        _l("Reason"), validators=[Length(max=REASON_LENGTH)],
        description=_l("Optional; needed once the requirements are frozen."))

    def validate_accept_reason(self, field) -> None:
        if self.accept.data and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason for accepting every row."))

    def mapping_choices(self) -> MappingChoices:
        """The choices as posted. Without `mapped_sheet` (a post that did not come from
        the mapping step) the app's guess stands, every merge offer taken."""
        posted = bool(self.mapped_sheet.data)
        return MappingChoices(
            sheet=(self.sheet.data or "").strip(),
            mapped_sheet=self.mapped_sheet.data or "",
            columns={entry.letter.data or "": entry.target.data for entry in self.columns},
            priorities={entry.value.data or "": entry.choice.data or ""
                        for entry in self.labels},
            domains={entry.category.data or "": entry.domain.data for entry in self.categories},
            merges=list(self.merge.data or []) if posted else None,
            knockout_rationale=self.knockout_rationale.data or "",
            accept_reason=(self.accept_reason.data or "") if self.accept.data else "",
            reason=self.reason.data or "")


def mapping_form(step: MappingStep, token: str, filename: str,
                 posted: MappingForm | None = None) -> MappingForm:
    """The form of a mapping step: one entry per column, priority label and new
    category of the step, as the step mapped them. A posted form's own fields keep what
    was typed and their errors; errors of its entries are listed above the form."""
    plan = step.plan
    found = plan.mapping if plan else None
    merged = {old for old, _ in found.merged} if found else set()
    form = MappingForm(formdata=None, data={
        "token": token, "filename": filename, "checked": step.digest,
        "mapped_sheet": step.sheet, "sheet": step.sheet,
        "columns": [{"letter": c.letter, "target": c.field} for c in step.columns],
        "labels": [{"value": p.label, "choice": _choice_of(p)}
                   for p in (found.priorities if found else [])],
        "categories": [{"category": n.name, "domain": n.domain}
                       for n in (plan.new_categories if plan else [])],
        "merge": sorted(merged),
        "knockout_rationale": step.options.knockout_rationale,
        "accept": bool(step.options.accept_reason.strip()),
        "accept_reason": step.options.accept_reason, "reason": step.options.reason,
    })
    form.sheet.choices = choices((name, name) for name in step.sheets)
    form.merge.choices = choices(
        (old, _l("“%(old)s” into “%(new)s”", old=old, new=new))
        for old, new in (found.merge_offers if found else []))
    if posted is not None:
        for name in ("knockout_rationale", "accept", "accept_reason", "reason"):
            form[name].data, form[name].errors = posted[name].data, list(posted[name].errors)
        form.form_errors = [*posted.form_errors, *_entry_errors(posted)]
    return form


def _choice_of(label: mapping.PriorityLabel) -> str:
    if label.priority is None:
        return ""
    return mapping.KNOCKOUT if label.knockout else label.priority


def _entry_errors(posted: MappingForm) -> list[str]:
    """The errors of the posted entries (a choice no select offers), each naming its
    entry; the entries themselves are built anew from the file."""
    found = []
    for entries, key in ((posted.columns, "letter"), (posted.labels, "value"),
                         (posted.categories, "category")):
        for entry in entries:
            for name, errors in entry.errors.items():
                for error in errors:
                    found.append(f"{entry[key].data or '?'} ({entry[name].label.text}): {error}")
    return found
