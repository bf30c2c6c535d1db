"""Forms of the requirements area: a requirement, a decision, the list's filters, the
library pick, IT management's structured answers, spreadsheet upload and categories."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from selector.domain.limits import REASON_LENGTH, max_length
from selector.forms import choices
from selector.i18n import DOMAIN_LABELS, _l
from selector.models.selection import DOMAINS, INTENTS, PRIORITIES, STATUSES, VERIFICATIONS
from selector.services import it_structured
from selector.services.it_structured import StructuredItem

PRIORITY_LABELS = {
    "must": _l("Must have"),
    "should": _l("Should have"),
    "could": _l("Could have"),
    "wont": _l("Won't have (this time)"),
}
STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "deferred": _l("Deferred"),
}
DECISION_LABELS = {"accepted": _l("Accept"), "rejected": _l("Reject"), "deferred": _l("Defer")}
INTENT_LABELS = {"achieve": _l("Achieve"), "avoid": _l("Avoid")}
VERIFICATION_LABELS = {
    "demo": _l("Demonstration"),
    "test": _l("Test"),
    "document": _l("Document"),
    "reference": _l("Reference check"),
    "contract": _l("Contract"),
    "other": _l("Other"),
}
OWNER_LABELS = {"business": _l("Business"), "it": _l("IT management")}

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
    category_id = SelectField(_l("Category"), coerce=int, validate_choice=False)
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
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


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

        def number(value: str | None) -> int | None:
            # ASCII digits of an id's size: "²" and 10^30 are no category
            return int(value) if value and value.isascii() and value.isdigit() \
                and len(value) <= 9 else None

        return RequirementFilter(
            domain=self.domain.data or "", category_id=number(self.category.data),
            priority=self.priority.data or "", status=self.status.data or "",
            owner_group=self.owner_group.data or "", knockout=self.knockout.data or "",
            raised_by=number(self.raised_by.data), flagged=bool(self.flagged.data),
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
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose a file to upload."))])


class CommitForm(FlaskForm):
    token = HiddenField()
    filename = HiddenField()
    reason = TextAreaField(
        _l("Reason"), validators=[Length(max=REASON_LENGTH)],
        description=_l("Optional; needed once the requirements are frozen."))


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


DEPLOYMENT_LABELS = {"saas": _l("SaaS"), "private_cloud": _l("Private cloud"),
                     "on_premises": _l("On premises")}
API_LABELS = {"rest": "REST/JSON", "soap": "SOAP", "graphql": "GraphQL", "odata": "OData"}
ACCESSIBILITY_LABELS = {
    "wcag21_a": "WCAG 2.1 A", "wcag21_aa": "WCAG 2.1 AA", "wcag22_aa": "WCAG 2.2 AA",
    "wcag22_aaa": "WCAG 2.2 AAA", "en301549": "EN 301 549"}
NORM_LABELS = {"iso27001": "ISO/IEC 27001", "bio": "BIO", "nen7510": "NEN 7510",
               "gdpr": _l("GDPR (AVG)"), "soc2": "SOC 2 Type II", "nis2": "NIS2"}
BROWSER_LABELS = {"chrome": "Google Chrome", "edge": "Microsoft Edge",
                  "firefox": "Mozilla Firefox", "safari": "Apple Safari",
                  "samsung": "Samsung Internet"}
DEVICE_LABELS = {"desktop": _l("Desktop and laptop"), "mobile": _l("Mobile phone"),
                 "tablet": _l("Tablet")}
FREQUENCY_LABELS = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly"),
                    "half_yearly": _l("Every half year"), "yearly": _l("Yearly")}
RESTORER_LABELS = {"vendor": _l("The vendor"), "our_it": _l("Our IT management"),
                   "jointly": _l("Together")}
SSO_LABELS = {"saml2": "SAML 2.0", "oidc": "OpenID Connect", "ws_federation": "WS-Federation"}


NOT_ASKED = _l("Not asked")


def _blank(labels: dict[str, Any], keys, blank: Any = NOT_ASKED) -> list:
    return choices([("", blank)] + [(k, labels[k]) for k in keys])


class BrowserRow(Form):
    browser = SelectField(_l("Browser"), choices=_blank(BROWSER_LABELS, it_structured.BROWSERS,
                                                        _l("—")), default="")
    device = SelectField(_l("Device"), choices=_pairs(DEVICE_LABELS, it_structured.DEVICES),
                         default="desktop")
    min_version = IntegerField(_l("Minimum version"),
                               validators=[Optional(), NumberRange(min=1, max=10_000)])
    controls = FormField(ItemControls)


BROWSER_ROWS = 6


class StructuredForm(FlaskForm):
    """The four areas; an answer left empty asks nothing."""

    deployment_models = MultiCheckboxField(
        _l("Deployment model (any of)"),
        choices=_pairs(DEPLOYMENT_LABELS, it_structured.DEPLOYMENT_MODELS))
    deployment_model = FormField(ItemControls)
    data_location = StringField(_l("Data location"), validators=[Length(max=200)],
                                description=_l("For example: the EU/EEA, the Netherlands."))
    data_location_controls = FormField(ItemControls)
    platform = StringField(_l("Hardware or platform it must run on"),
                           validators=[Length(max=200)],
                           description=_l("For example: Windows Server 2022 on VMware vSphere 8."))
    platform_controls = FormField(ItemControls)

    sso_protocols = MultiCheckboxField(_l("Single sign-on (any of)"),
                                       choices=_pairs(SSO_LABELS, it_structured.SSO_PROTOCOLS))
    sso = FormField(ItemControls)
    api_styles = MultiCheckboxField(_l("API style (any of)"),
                                    choices=_pairs(API_LABELS, it_structured.API_STYLES))
    api = FormField(ItemControls)
    accessibility = SelectField(
        _l("Accessibility level"),
        choices=_blank(ACCESSIBILITY_LABELS, it_structured.ACCESSIBILITY_LEVELS), default="")
    accessibility_controls = FormField(ItemControls)
    norms = MultiCheckboxField(_l("Security and privacy norms"),
                               choices=_pairs(NORM_LABELS, it_structured.NORMS))
    norm_controls = FieldList(FormField(ItemControls), min_entries=len(it_structured.NORMS))

    browsers = FieldList(FormField(BrowserRow), min_entries=BROWSER_ROWS)

    rpo_hours = StringField(_l("RPO: data loss at most (hours)"), validators=[Length(max=20)])
    rpo = FormField(ItemControls)
    rto_hours = StringField(_l("RTO: back in service within (hours)"),
                            validators=[Length(max=20)])
    rto = FormField(ItemControls)
    retention_days = StringField(_l("Retention of back-ups (days)"), validators=[Length(max=20)])
    retention = FormField(ItemControls)
    restore_frequency = SelectField(
        _l("Restore test"), choices=_blank(FREQUENCY_LABELS, it_structured.RESTORE_FREQUENCIES),
        default="")
    restored_by = SelectField(_l("Who restores"),
                              choices=_pairs(RESTORER_LABELS, it_structured.RESTORERS),
                              default="vendor")
    restore_test = FormField(ItemControls)

    # -- between the form and the service ---------------------------------------------

    @staticmethod
    def _item(area: str, item: str, value: dict, controls: FormField, field: str
              ) -> StructuredItem:
        c = controls.form
        version = c.version.data
        return StructuredItem(
            area, item, value, priority=c.priority.data or "should",
            knockout=bool(c.knockout.data),
            knockout_rationale=c.knockout_rationale.data or "",
            version=int(version) if version and str(version).isascii()
            and str(version).isdigit() and len(str(version)) <= 9 else None,
            field=field,
        )

    def items(self) -> list[StructuredItem]:
        """The answers given (empty ones left out), each naming the field for errors."""
        found: list[StructuredItem] = []
        if self.deployment_models.data:
            found.append(self._item("hosting", "deployment_model",
                                    {"models": self.deployment_models.data},
                                    self.deployment_model, "deployment_models"))
        if (self.data_location.data or "").strip():
            found.append(self._item("hosting", "data_location",
                                    {"location": self.data_location.data},
                                    self.data_location_controls, "data_location"))
        if (self.platform.data or "").strip():
            found.append(self._item("hosting", "platform", {"platform": self.platform.data},
                                    self.platform_controls, "platform"))
        if self.sso_protocols.data:
            found.append(self._item("standards", "sso", {"protocols": self.sso_protocols.data},
                                    self.sso, "sso_protocols"))
        if self.api_styles.data:
            found.append(self._item("standards", "api", {"styles": self.api_styles.data},
                                    self.api, "api_styles"))
        if self.accessibility.data:
            found.append(self._item("standards", "accessibility",
                                    {"level": self.accessibility.data},
                                    self.accessibility_controls, "accessibility"))
        for index, norm in enumerate(it_structured.NORMS):
            if norm in (self.norms.data or []):
                found.append(self._item("standards", "norm", {"norm": norm},
                                        self.norm_controls[index], "norms"))
        for index, row in enumerate(self.browsers):
            if row.form.browser.data:
                found.append(self._item(
                    "browsers", "browser",
                    {"browser": row.form.browser.data, "device": row.form.device.data,
                     "min_version": row.form.min_version.data},
                    row.form.controls, f"browsers-{index}"))
        for item, text, controls, key in (
            ("rpo", self.rpo_hours, self.rpo, "hours"),
            ("rto", self.rto_hours, self.rto, "hours"),
            ("retention", self.retention_days, self.retention, "days"),
        ):
            value = (text.data or "").strip().replace(",", ".")
            if value:
                found.append(self._item("backup", item, {key: value}, controls, text.name))
        if self.restore_frequency.data:
            found.append(self._item("backup", "restore_test",
                                    {"frequency": self.restore_frequency.data,
                                     "restored_by": self.restored_by.data},
                                    self.restore_test, "restore_frequency"))
        return found

    def fill(self, table: dict[str, list[dict]]) -> None:
        """Show the answers given before (from `it_structured.answer_table`)."""
        def controls(target: FormField, row: dict) -> None:
            target.form.priority.data = row["priority"]
            target.form.knockout.data = row["knockout"]
            target.form.knockout_rationale.data = row["knockout_rationale"]
            target.form.version.data = str(row["version"])

        browsers = [r for r in table.get("browsers", [])]
        for row in table.get("hosting", []) + table.get("standards", []) + table.get("backup", []):
            item, value = row["item"], row["value"]
            if item == "deployment_model":
                self.deployment_models.data = value.get("models", [])
                controls(self.deployment_model, row)
            elif item == "data_location":
                self.data_location.data = value.get("location", "")
                controls(self.data_location_controls, row)
            elif item == "platform":
                self.platform.data = value.get("platform", "")
                controls(self.platform_controls, row)
            elif item == "sso":
                self.sso_protocols.data = value.get("protocols", [])
                controls(self.sso, row)
            elif item == "api":
                self.api_styles.data = value.get("styles", [])
                controls(self.api, row)
            elif item == "accessibility":
                self.accessibility.data = value.get("level", "")
                controls(self.accessibility_controls, row)
            elif item == "norm" and value.get("norm") in it_structured.NORMS:
                self.norms.data = [*(self.norms.data or []), value["norm"]]
                controls(self.norm_controls[it_structured.NORMS.index(value["norm"])], row)
            elif item in ("rpo", "rto"):
                getattr(self, f"{item}_hours").data = f"{value.get('hours', ''):g}"
                controls(getattr(self, item), row)
            elif item == "retention":
                self.retention_days.data = str(value.get("days", ""))
                controls(self.retention, row)
            elif item == "restore_test":
                self.restore_frequency.data = value.get("frequency", "")
                self.restored_by.data = value.get("restored_by", "vendor")
                controls(self.restore_test, row)
        while len(self.browsers) < len(browsers) + 2:
            self.browsers.append_entry()
        for index, row in enumerate(browsers):
            entry = self.browsers[index].form
            entry.browser.data = row["value"].get("browser", "")
            entry.device.data = row["value"].get("device", "desktop")
            entry.min_version.data = row["value"].get("min_version")
            controls(entry.controls, row)
