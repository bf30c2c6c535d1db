"""The requirements area: the list with filters, a requirement with its history and
decision, proposing and editing, the library, IT management's structured answers,
spreadsheets, the quality list and the categories. Thin views: parse the form, call
a service, render or redirect."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from selector.domain import quality
from selector.domain.limits import parse_id
from selector.domain.vocabulary import AuditAction
from selector.forms import error_messages
from selector.forms import show_error
from selector.forms.requirement_import import FILE_PROBLEM
from selector.forms.requirement_import import PROBLEM_HEADINGS
from selector.forms.requirement_import import SAMPLE_LENGTH
from selector.forms.requirement_import import SOURCE_LABELS
from selector.forms.requirement_import import MappingForm
from selector.forms.requirement_import import mapping_form
from selector.forms.requirements import FIELD_LABELS
from selector.forms.requirements import LABELS
from selector.forms.requirements import BulkDecisionForm
from selector.forms.requirements import CategoryActionForm
from selector.forms.requirements import CategoryForm
from selector.forms.requirements import DecisionForm
from selector.forms.requirements import FilterForm
from selector.forms.requirements import PickForm
from selector.forms.requirements import RequirementForm
from selector.forms.requirements import SettingsForm
from selector.forms.requirements import StructuredForm
from selector.forms.requirements import UploadForm
from selector.i18n import error_text
from selector.models import Account
from selector.models import Category
from selector.models import Membership
from selector.models import Selection
from selector.services import requirements as requirement_service
from selector.services import spreadsheets
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.spreadsheets import MappingChoices
from selector.services.spreadsheets import MappingStep
from selector.web.database import database
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("requirements", __name__,
                      url_prefix="/selections/<int:selection_id>/requirements")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- helpers for the templates ----------------------------------------------------------


def flag_label(code: str) -> str:
    """A short name for a flag, for the badge beside a requirement."""
    return {
        quality.VAGUE_WORD: _("vague"),
        quality.NO_CRITERION: _("no criterion"),
        quality.NO_MEASURE: _("no measure"),
        quality.KNOCKOUT_WITHOUT_RATIONALE: _("knock-out without why"),
        quality.DUPLICATE: _("duplicate?"),
        quality.MUST_UNCLEAR: _("must: knock-out or weight?"),
    }.get(code, code)


def flag_text(flag: dict[str, Any]) -> str:
    """A flag as advice in a sentence."""
    code, params = flag.get("code"), flag.get("params") or {}
    if code == quality.VAGUE_WORD:
        return _("Vague without a measure: %(words)s. Say how much, how fast or how many.",
                 words=", ".join(f"“{w}”" for w in params.get("words", [])))
    if code == quality.NO_CRITERION:
        return _("No verification criterion: say how you will check it.")
    if code == quality.NO_MEASURE:
        return _("An IT requirement without a number and unit (hours, %%, users, version).")
    if code == quality.KNOCKOUT_WITHOUT_RATIONALE:
        return _("A knock-out without a rationale.")
    if code == quality.DUPLICATE:
        return _("Nearly the same title as %(code)s “%(title)s”.",
                 code=params.get("code", ""), title=params.get("title", ""))
    if code == quality.MUST_UNCLEAR:
        return _("A must that is neither a knock-out nor explicitly weighted: which is it?")
    return str(code)


def _translated_labels() -> dict[str, dict[str, str]]:
    # Translated once per page: a list of 1,000 rows would otherwise look each label up
    # thousands of times (measured: a third of the page's time).
    return {kind: {key: str(text) for key, text in labels.items()}
            for kind, labels in LABELS.items()}


def _memo(function):
    cache: dict[str, str] = {}

    def remembered(flag):
        key = flag if isinstance(flag, str) else json.dumps(flag, sort_keys=True)
        if key not in cache:
            cache[key] = function(flag)
        return cache[key]

    return remembered


def _render(template: str, access: MemberAccess, status: int = 200, **context: Any):
    selection = access.selection
    context.setdefault("may_change", requirement_service.may_change(selection, access.role))
    context.setdefault("reason_needed", requirement_service.frozen_reason_needed(selection))
    return render_template(
        template, selection=selection, access=access, labels=_translated_labels(),
        flag_text=_memo(flag_text), flag_label=_memo(flag_label), **context,
    ), status


def _actor():
    return current_user.account


def _categories(access: MemberAccess) -> list[Category]:
    return requirement_service.categories_of(db_session(), access.selection.id)


def _back_to_list(access: MemberAccess):
    return redirect(url_for("requirements.index", selection_id=access.selection.id))


# -- the list ---------------------------------------------------------------------------


def _list_page(access: MemberAccess, status: int = 200, bulk: BulkDecisionForm | None = None):
    session = db_session()
    sid = access.selection.id
    filters = FilterForm(request.args)
    categories = _categories(access)
    filters.set_choices(categories, requirement_service.raisers(session, sid))
    rows = requirement_service.list_requirements(session, sid, filters.to_filter())
    # The bulk decision: may this member decide at least their own group's requirements?
    may_decide = requirement_service.may_decide(access.selection, access.role,
                                                owner_group=access.role)
    return _render(
        "requirements/index.html", access, status, rows=rows, filters=filters,
        bulk=bulk or BulkDecisionForm(formdata=None), may_decide=may_decide,
        total=len(rows),
    )


@blueprint.route("")
@requires("requirements.view")
def index(access: MemberAccess):
    return _list_page(access)


@blueprint.route("/decide", methods=["POST"])
@requires("requirements.decide")
def decide_many(access: MemberAccess):
    form = BulkDecisionForm()
    ids = [i for i in map(parse_id, request.form.getlist("ids")) if i is not None]
    if not form.validate_on_submit():
        flash(_("Choose a decision."), "error")
        return _list_page(access, 422, form)
    try:
        changed = requirement_service.decide_many(
            db_session(), access.selection, _actor(), access.role, ids, form.status.data,
            form.reason.data or "")
    except ServiceError as error:
        flash(error_text(error), "error")
        return _list_page(access, 422, form)
    flash(ngettext("%(num)d requirement is now %(status)s.",
                   "%(num)d requirements are now %(status)s.", changed,
                   status=str(LABELS["status"][form.status.data]).lower()), "success")
    back = url_for("requirements.index", selection_id=access.selection.id)
    query = form.back_query()  # back to the same filtered list
    return redirect(f"{back}?{query}" if query else back)


@blueprint.route("/quality")
@requires("requirements.view")
def quality_list(access: MemberAccess):
    rows = requirement_service.quality_summary(db_session(), access.selection.id)
    by_flag: dict[str, list] = {code: [] for code in quality.FLAG_CODES}
    for row in rows:
        for flag in row.flags:
            by_flag.setdefault(flag.get("code"), []).append((row, flag))
    return _render("requirements/quality.html", access, rows=rows, by_flag=by_flag)


# -- one requirement --------------------------------------------------------------------


def _member_names(access: MemberAccess) -> dict[str, str]:
    return {email: name or email for email, name in db_session().execute(
        select(Account.email, Account.name)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id == access.selection.id)).all()}


def action_text(action: str) -> str:
    """A requirement's audited change, as its history says it."""
    return {AuditAction.CREATE: _("proposed it"), AuditAction.UPDATE: _("changed it"),
            AuditAction.DECIDE: _("decided on it")}.get(action, action)


def field_name(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def show_value(name: str, value: Any) -> str:
    """An audited value as a reader understands it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    kinds = {"status": "status", "priority": "priority", "intent": "intent",
             "verification": "verification", "owner_group": "owner"}
    if name in kinds and value in LABELS[kinds[name]]:
        return str(LABELS[kinds[name]][value])
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {show_value(key, item)}" for key, item in value.items()
                         if key not in ("area", "slot"))
    if isinstance(value, list):
        return ", ".join(show_value(name, item) for item in value)
    return str(value)


def _changes(entry) -> list[tuple[str, Any, Any]]:
    old = json.loads(entry.old) if entry.old else {}
    new = json.loads(entry.new) if entry.new else {}
    if entry.action == AuditAction.CREATE:
        return []
    keys = [key for key in dict.fromkeys([*old, *new])  # a decision's reason is shown apart
            if not (entry.action == AuditAction.DECIDE and key == "status_reason")]
    return [(key, old.get(key), new.get(key)) for key in keys]


def _detail_page(access: MemberAccess, requirement_id: int, decision: DecisionForm | None = None,
                 status: int = 200):
    session = db_session()
    requirement = requirement_service.get_requirement(session, access.selection, requirement_id)
    raised_by = session.get(Account, requirement.raised_by_id) if requirement.raised_by_id \
        else None
    if decision is None:
        decision = DecisionForm(formdata=None)
        decision.version.data = str(requirement.version)
    may_decide = requirement_service.may_decide(access.selection, access.role,
                                                requirement.owner_group)
    return _render(
        "requirements/detail.html", access, status, requirement=requirement,
        raised_by=raised_by, flags=requirement_service.flags_of(requirement),
        structured=requirement_service.structured_of(requirement),
        history=requirement_service.history(session, requirement), changes=_changes,
        action_text=action_text, field_name=field_name, show_value=show_value,
        names=_member_names(access), decision=decision, may_decide=may_decide,
    )


@blueprint.route("/<int:requirement_id>")
@requires("requirements.view")
def detail(access: MemberAccess, requirement_id: int):
    return _detail_page(access, requirement_id)


@blueprint.route("/<int:requirement_id>/decide", methods=["POST"])
@requires("requirements.decide")
def decide(access: MemberAccess, requirement_id: int):
    session = db_session()
    requirement = requirement_service.get_requirement(session, access.selection, requirement_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        if not requirement_service.may_decide(access.selection, access.role,
                                              requirement.owner_group):
            # No decision form on their page: say it above the requirement.
            flash(_("You cannot accept, reject or defer this requirement."), "error")
        return _detail_page(access, requirement_id, form, 422)
    version = form.version.data
    try:
        changed = requirement_service.decide(
            session, requirement, _actor(), access.role, form.status.data,
            form.reason.data or "",
            expected_version=parse_id(version))
    except NotFound:
        raise
    except ServiceError as error:
        if requirement_service.may_decide(access.selection, access.role,
                                          requirement.owner_group):
            show_error(form, error)
        else:  # no decision form on their page: say it above the requirement
            flash(error_text(error), "error")
        return _detail_page(access, requirement_id, form, 409 if isinstance(error, Conflict)
                            else 422)
    if changed:
        flash(_("%(code)s is now %(status)s.", code=requirement.code,
                status=str(LABELS["status"][form.status.data]).lower()), "success")
    return redirect(url_for("requirements.detail", selection_id=access.selection.id,
                            requirement_id=requirement.id))


def _form_page(access: MemberAccess, form: RequirementForm, requirement=None, status=200):
    session = db_session()
    categories = _categories(access)
    allocator = requirement_service.CodeAllocator(session, access.selection.id)
    suggestions = {c.id: allocator.next(c) for c in categories}
    return _render("requirements/form.html", access, status, form=form,
                   requirement=requirement, suggestions=suggestions,
                   flags=requirement_service.flags_of(requirement) if requirement else [])


@blueprint.route("/new", methods=["GET", "POST"])
@requires("requirements.propose")
def create(access: MemberAccess):
    form = RequirementForm()
    categories = _categories(access)
    form.set_categories(categories)
    if request.method == "GET":
        wanted = parse_id(request.args.get("category", ""))
        ids = [c.id for c in categories]
        form.category_id.data = wanted if wanted in ids else (ids[0] if ids else None)
        return _form_page(access, form)
    if not form.validate_on_submit():
        return _form_page(access, form, status=422)
    try:
        requirement = requirement_service.create_requirement(
            db_session(), access.selection, _actor(), access.role, form.values(),
            reason=form.reason.data or "")
    except ServiceError as error:
        show_error(form, error)
        return _form_page(access, form, status=422)
    flash(_("%(code)s is proposed. The facilitator decides on it.", code=requirement.code),
          "success")
    if request.form.get("another"):
        return redirect(url_for("requirements.create", selection_id=access.selection.id,
                                category=requirement.category_id))
    return redirect(url_for("requirements.detail", selection_id=access.selection.id,
                            requirement_id=requirement.id))


@blueprint.route("/<int:requirement_id>/edit", methods=["GET", "POST"])
@requires("requirements.edit")
def edit(access: MemberAccess, requirement_id: int):
    session = db_session()
    requirement = requirement_service.get_requirement(session, access.selection, requirement_id)
    if request.method == "GET":
        form = RequirementForm(formdata=None)
        form.set_categories(_categories(access))
        form.fill(requirement)
        return _form_page(access, form, requirement)
    form = RequirementForm()
    form.set_categories(_categories(access))
    if not form.validate_on_submit():
        return _form_page(access, form, requirement, 422)
    try:
        changed = requirement_service.update_requirement(
            session, requirement, _actor(), access.role, form.values(),
            expected_version=form.expected_version(), reason=form.reason.data or "")
    except ServiceError as error:
        show_error(form, error)
        return _form_page(access, form, requirement, 409 if isinstance(error, Conflict)
                          else 422)
    if changed:
        flash(_("%(code)s is saved.", code=requirement.code), "success")
    return redirect(url_for("requirements.detail", selection_id=access.selection.id,
                            requirement_id=requirement.id))


# -- the library ------------------------------------------------------------------------


def _library_page(access: MemberAccess, form: PickForm | None = None, status: int = 200):
    language = access.selection.language
    category = request.args.get("category", "")
    search = request.args.get("q", "")[:200]
    seeds = requirement_service.seed_categories()
    items = requirement_service.browse_library(language, category=category, search=search)
    picked = requirement_service.existing_library_ids(db_session(), access.selection.id)
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    names = {c.key: c.name for c in _categories(access)}
    names.update({s.key: names.get(s.key) or s.name(language) for s in seeds})
    return _render(
        "requirements/library.html", access, status, form=form or PickForm(formdata=None),
        groups=groups, names=names, picked=picked, seeds=seeds, category=category,
        search=search, language=language, count=len(items),
    )


@blueprint.route("/library", methods=["GET", "POST"])
@requires("requirements.propose")
def pick(access: MemberAccess):
    if request.method == "GET":
        return _library_page(access)
    form = PickForm()
    if not form.validate_on_submit():
        return _library_page(access, form, 422)
    try:
        result = requirement_service.pick_from_library(
            db_session(), access.selection, _actor(), access.role, form.items.data or [],
            reason=form.reason.data or "")
    except ServiceError as error:
        show_error(form, error)
        flash(error_text(error), "error")
        return _library_page(access, form, 422)
    message = ngettext("%(num)d requirement from the library is proposed.",
                       "%(num)d requirements from the library are proposed.",
                       len(result.created))
    if result.skipped:
        message += " " + ngettext("%(num)d was in the selection already.",
                                  "%(num)d were in the selection already.", len(result.skipped))
    flash(message, "success")
    return redirect(url_for("requirements.index", selection_id=access.selection.id,
                            status="proposed"))


# -- IT management's structured answers -------------------------------------------------


def _it_page(access: MemberAccess, form: StructuredForm, status: int = 200, reason: str = ""):
    table = requirement_service.it_answer_table(db_session(), access.selection.id)
    return _render("requirements/it.html", access, status, form=form, table=table,
                   reason=reason)


def _it_error(form: StructuredForm, error: ServiceError) -> None:
    field = form.field_named(error.field or "")
    if field is None:
        show_error(form, error)
    else:
        field.errors = [*field.errors, error_text(error)]


@blueprint.route("/it", methods=["GET", "POST"])
@requires("requirements.it_answers")
def it_answers(access: MemberAccess):
    if request.method == "GET":
        form = StructuredForm(formdata=None)
        form.fill(requirement_service.it_answer_table(db_session(), access.selection.id))
        return _it_page(access, form)
    form = StructuredForm()
    reason = request.form.get("reason", "")[:2000]
    if not form.validate_on_submit():
        return _it_page(access, form, 422, reason)
    try:
        result = requirement_service.save_it_answers(db_session(), access.selection, _actor(),
                                                     access.role, form.items(), reason=reason)
    except ServiceError as error:
        _it_error(form, error)
        return _it_page(access, form, 409 if isinstance(error, Conflict) else 422, reason)
    flash(_("IT management's answers are saved: %(created)d new requirements, %(updated)d "
            "updated.", created=len(result.created), updated=len(result.updated)), "success")
    return redirect(url_for("requirements.it_answers", selection_id=access.selection.id))


# -- spreadsheets -----------------------------------------------------------------------


def _instance():
    from pathlib import Path

    return Path(current_app.instance_path)


def _xlsx(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@blueprint.route("/export.xlsx")
@requires("requirements.export")
def export(access: MemberAccess):
    data = spreadsheets.export_requirements(db_session(), access.selection)
    return _xlsx(data, spreadsheets.export_filename(access.selection))


@blueprint.route("/template.xlsx")
@requires("requirements.export")
def template(access: MemberAccess):
    data = spreadsheets.template(db_session(), access.selection)
    return _xlsx(data, spreadsheets.export_filename(access.selection, "template"))


def _import_page(access: MemberAccess, form: UploadForm | None = None, status: int = 200,
                 **context: Any):
    return _render("requirements/import.html", access, status,
                   form=form or UploadForm(formdata=None), columns=spreadsheets.COLUMNS,
                   column_help=spreadsheets.COLUMN_HELP, max_rows=spreadsheets.MAX_ROWS,
                   max_megabytes=spreadsheets.MAX_UPLOAD // (1024 * 1024), **context)


def _end_transaction() -> None:
    """Commit what this request wrote so far (the upload's rate-limit record) and end
    its transaction: an untrusted file is parsed with no database lock held (on SQLite
    a write transaction would keep every other writer waiting meanwhile). What the
    request loaded is read again afterwards, in the next transaction: it may have
    changed while the file was parsed."""
    session = db_session()
    session.commit()
    session.expire_all()


@blueprint.route("/import", methods=["GET", "POST"])
@requires("requirements.import")
def upload(access: MemberAccess):
    if request.method == "GET":
        return _import_page(access)
    form = UploadForm()
    if not form.validate_on_submit():
        return _import_page(access, form, 422)
    upload_file = form.file.data
    filename = (upload_file.filename or "").rsplit("/", 1)[-1][:200]
    data = upload_file.stream.read(spreadsheets.MAX_UPLOAD + 1)
    account_id, selection_id = _actor().id, access.selection.id
    try:
        spreadsheets.admit_upload(db_session(), account_id, "requirements", len(data))
    except spreadsheets.TooManyUploads as error:
        form.file.errors = [error_text(error)]
        page, status = _import_page(access, form, 429)
        return page, status, {"Retry-After": str(error.retry_after)}
    _end_transaction()
    try:
        sheets = spreadsheets.read_workbook(data, filename)  # in the sandbox, no lock held
        step = _mapping_step(selection_id, sheets, MappingChoices())
        if not step.columns:  # no sheet names its columns: nothing to map
            raise spreadsheets.SpreadsheetError(step.problems)
        token = spreadsheets.stash(_instance(), account_id, selection_id, data, filename)
    except spreadsheets.SpreadsheetError as error:
        form.file.errors = [str(p) for p in error.problems]
        return _import_page(access, form, 422)
    return _mapping_page(access, step, mapping_form(step, token, filename))


def _mapping_step(selection_id: int, sheets, choices: MappingChoices) -> MappingStep:
    # Planning only reads: a read transaction, which on SQLite blocks no writer.
    with database().transaction(write=False) as reading:
        return spreadsheets.mapping_step(reading, reading.get(Selection, selection_id),
                                         sheets, choices)


def _mapping_page(access: MemberAccess, step: MappingStep, form: MappingForm,
                  status: int = 200, notice: str = ""):
    return _import_page(access, status=status, step=step, mapping=form, notice=notice,
                        filename=form.filename.data, plan=step.plan,
                        headings=PROBLEM_HEADINGS, file_problem=FILE_PROBLEM,
                        sources=SOURCE_LABELS, sample_length=SAMPLE_LENGTH)


def _stashed_step(access: MemberAccess, form: MappingForm):
    """The stashed file of the posted form, read in the sandbox with no transaction
    held, and its mapping step with the posted choices: (sheets, file name, step)."""
    token = form.token.data or ""
    shown = (form.filename.data or "").rsplit("/", 1)[-1][:200]
    account_id, selection_id = _actor().id, access.selection.id
    _end_transaction()
    data, kind = spreadsheets.unstash(_instance(), account_id, selection_id, token)
    name = shown if shown.lower().endswith("." + kind) else f"upload.{kind}"
    sheets = spreadsheets.read_workbook(data, name)  # in the sandbox, no lock held
    return sheets, name, _mapping_step(selection_id, sheets, form.mapping_choices())


@blueprint.route("/import/check", methods=["POST"])
@requires("requirements.import")
def check(access: MemberAccess):
    """"Check again": the preview of the posted choices; nothing is written."""
    form = MappingForm()
    valid = form.validate_on_submit()
    try:
        _, _, step = _stashed_step(access, form)
    except spreadsheets.SpreadsheetError as error:
        return _import_page(access, status=422, problems=[str(p) for p in error.problems],
                            filename=form.filename.data)
    fresh = mapping_form(step, form.token.data or "", form.filename.data or "", form)
    return _mapping_page(access, step, fresh, 200 if valid else 422)


@blueprint.route("/import/commit", methods=["POST"])
@requires("requirements.import")
def commit(access: MemberAccess):
    """Import as previewed. A confirm with problems, or whose choices no longer give
    the preview that was checked, shows the mapping step again and writes nothing."""
    form = MappingForm()
    valid = form.validate_on_submit()
    token = form.token.data or ""
    account_id, selection_id = _actor().id, access.selection.id
    try:
        sheets, name, step = _stashed_step(access, form)
    except spreadsheets.SpreadsheetError as error:
        spreadsheets.discard(_instance(), account_id, selection_id, token)
        return _import_page(access, status=422, problems=[str(p) for p in error.problems],
                            filename=form.filename.data)
    changed = bool(form.checked.data) and form.checked.data != step.digest
    if not valid or not step.ready or changed:
        fresh = mapping_form(step, token, form.filename.data or "", form)
        if valid and step.ready:
            return _mapping_page(access, step, fresh, 409, notice=_(
                "The choices changed after the last check. Nothing was imported: look at "
                "this preview and import again."))
        return _mapping_page(access, step, fresh, 422, notice=_(
            "Nothing was imported: the problems below must be solved first."))
    try:
        result = spreadsheets.commit_import(db_session(), access.selection, _actor(),
                                            access.role, sheets, name, step.options)
    except spreadsheets.SpreadsheetError as error:
        return _import_page(access, status=422, problems=[str(p) for p in error.problems],
                            filename=form.filename.data)
    except ServiceError as error:
        return _import_page(access, status=422, problems=[error_text(error)],
                            filename=form.filename.data)
    finally:
        # Imported or refused (then rolled back), the stash has served: nothing waits on
        # disk for a second try.
        spreadsheets.discard(_instance(), account_id, selection_id, token)
    if result.categories:
        flash(ngettext("%(num)d category was created.", "%(num)d categories were created.",
                       result.categories), "success")
    flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
            created=result.created, updated=result.updated, unchanged=result.unchanged),
          "success")
    return _back_to_list(access)


# -- categories and who decides ---------------------------------------------------------


def _categories_page(access: MemberAccess, status: int = 200, add: CategoryForm | None = None,
                     failed: tuple[int, CategoryForm] | None = None):
    categories = _categories(access)
    forms = {}
    for category in categories:
        if failed and failed[0] == category.id:
            forms[category.id] = failed[1]
        else:
            forms[category.id] = CategoryForm(formdata=None, prefix=f"c{category.id}",
                                              name=category.name, domain=category.domain)
    settings = SettingsForm(formdata=None,
                            owner_groups_decide=access.selection.owner_groups_decide)
    return _render(
        "requirements/categories.html", access, status, categories=categories, forms=forms,
        counts=requirement_service.requirement_counts(db_session(), access.selection.id),
        add=add or CategoryForm(formdata=None, prefix="new"), action=CategoryActionForm(
            formdata=None), settings=settings,
    )


@blueprint.route("/categories", methods=["GET", "POST"])
@requires("requirements.categories")
def categories(access: MemberAccess):
    if request.method == "GET":
        return _categories_page(access)
    form = CategoryForm(prefix="new")
    if not form.validate_on_submit():
        return _categories_page(access, 422, add=form)
    try:
        category = requirement_service.add_category(
            db_session(), access.selection, _actor(), name=form.name.data,
            domain=form.domain.data, reason=form.reason.data or "")
    except ServiceError as error:
        show_error(form, error)
        return _categories_page(access, 422, add=form)
    flash(_("The category %(name)s is added.", name=category.name), "success")
    return redirect(url_for("requirements.categories", selection_id=access.selection.id))


def _category(access: MemberAccess, category_id: int) -> Category:
    return requirement_service.get_category(db_session(), access.selection, category_id)


@blueprint.route("/categories/<int:category_id>", methods=["POST"])
@requires("requirements.categories")
def update_category(access: MemberAccess, category_id: int):
    category = _category(access, category_id)
    form = CategoryForm(prefix=f"c{category.id}")
    if not form.validate_on_submit():
        return _categories_page(access, 422, failed=(category.id, form))
    try:
        changed = requirement_service.update_category(
            db_session(), category, _actor(), name=form.name.data, domain=form.domain.data,
            reason=form.reason.data or "")
    except ServiceError as error:
        show_error(form, error)
        return _categories_page(access, 422, failed=(category.id, form))
    if changed:
        flash(_("The category %(name)s is saved.", name=category.name), "success")
    return redirect(url_for("requirements.categories", selection_id=access.selection.id))


@blueprint.route("/categories/<int:category_id>/move", methods=["POST"])
@requires("requirements.categories")
def move_category(access: MemberAccess, category_id: int):
    category = _category(access, category_id)
    form = CategoryActionForm()
    if form.validate_on_submit():
        requirement_service.move_category(db_session(), category, _actor(),
                                          form.direction.data or "")
    return redirect(url_for("requirements.categories", selection_id=access.selection.id))


@blueprint.route("/categories/<int:category_id>/remove", methods=["POST"])
@requires("requirements.categories")
def remove_category(access: MemberAccess, category_id: int):
    category = _category(access, category_id)
    form = CategoryActionForm()
    if not form.validate_on_submit():
        for message in error_messages(form):
            flash(message, "error")
        return _categories_page(access, 422)
    name = category.name
    try:
        requirement_service.remove_category(db_session(), category, _actor(),
                                            reason=form.reason.data or "")
    except ServiceError as error:
        flash(error_text(error), "error")
        return _categories_page(access, 422)
    flash(_("The category %(name)s is removed.", name=name), "success")
    return redirect(url_for("requirements.categories", selection_id=access.selection.id))


@blueprint.route("/settings", methods=["POST"])
@requires("requirements.settings")
def settings(access: MemberAccess):
    form = SettingsForm()
    if not form.validate_on_submit():
        return _categories_page(access, 422)
    changed = requirement_service.set_owner_groups_decide(
        db_session(), access.selection, _actor(), bool(form.owner_groups_decide.data))
    if changed:
        flash(_("Members of the owner group now decide on their requirements.")
              if form.owner_groups_decide.data
              else _("Only the facilitator decides on requirements now."), "success")
    return redirect(url_for("requirements.categories", selection_id=access.selection.id))
