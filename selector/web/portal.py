"""The vendor portal (issue 20): a vendor's contact answers the questionnaire through a
personal link, without an account.

Its own guard (`portal_route`): every route is under `/portal/<token>/` and first finds
the vendor behind the token (`vendors.open_portal`): any token that does not work
is the same 404, a client that failed too often waits (429 with Retry-After). The view
then gets that one vendor of that one selection and nothing else; pages render in the
selection's language, in the portal's own layout, which links nowhere else in the app.
Every form carries a CSRF token (the app's CSRFProtect). Uploads are hostile: evidence is
checked by content and size (`verdicts.check_upload`, a cap per vendor), a returned
workbook is read in the sandbox before the transaction.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from selector.forms import show_error
from selector.forms.portal import PART_PREFIX
from selector.forms.portal import AnswerForm
from selector.forms.portal import ButtonForm
from selector.forms.portal import CostsForm
from selector.forms.portal import DocumentForm
from selector.forms.portal import QuestionForm
from selector.forms.portal import ReturnedForm
from selector.forms.portal import compliance_words
from selector.i18n import error_text
from selector.services import spreadsheets
from selector.services import vendors
from selector.services import verdicts
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.vendors import Portal
from selector.services.vendors import Throttled
from selector.web import errors
from selector.web.database import db_session

blueprint = Blueprint("portal", __name__, url_prefix="/portal/<token>")

# The one action every portal route declares (selector.access): public, with the token.
ACTION = "portal.vendor"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _address() -> str:
    """The client the failed lookups count (as the login throttle counts them)."""
    return request.remote_addr or "unknown"


def portal_route(rule: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A portal route: the token resolved to its `Portal` (the view's first argument, and
    `g.portal` for the layout), the page in the selection's language."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(token: str, **kwargs: Any) -> Any:
            try:
                portal = vendors.open_portal(db_session(), token, _address())
            except Throttled as error:
                return _error_page(429, error_text(error),
                                   {"Retry-After": str(max(error.retry_after, 1))})
            except NotFound:
                abort(404)
            g.portal, g.portal_token = portal, token
            with force_locale(portal.selection.language):
                try:
                    return view(portal, **kwargs)
                except NotFound as error:
                    return _error_page(404, error_text(error))

        guarded.required_action = ACTION  # type: ignore[attr-defined]
        blueprint.route(rule, **options)(guarded)
        return guarded

    return decorate


def _error_page(code: int, explanation: str = "", headers: dict | None = None):
    session = g.get("session")
    if session is not None:
        session.rollback()
    titles = {404: _("This link does not work"), 429: _("Too many attempts"),
              413: _("The file is too large")}
    body = render_template("portal/error.html", code=code,
                           title=titles.get(code, _("This request was refused")),
                           explanation=explanation or str(vendors.LINK_NOT_FOUND))
    return body, code, headers or {}


def _refused(error: HTTPException):
    """Refusals in the portal's own layout (no way into the rest of the app)."""
    code = error.code or 400
    if code == 404:
        return _error_page(404)
    if code == 413:
        return _error_page(413, _("The file is larger than %(size)d MB.",
                                  size=verdicts.MAX_ATTACHMENT // (1024 * 1024)))
    if isinstance(error, CSRFError):
        return _error_page(400, str(errors.CSRF_EXPLANATION))
    # The app's own words, never a library's English description.
    return _error_page(code, str(errors.EXPLANATIONS.get(code, errors.EXPLANATIONS[400])))


# By code: the app's own handlers are by code too, and a code's handler wins.
for _code in (400, 403, 404, 405, 413):
    blueprint.register_error_handler(_code, _refused)


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, token=g.portal_token, **values)


# -- the questionnaire --------------------------------------------------------------------


def _questionnaire_page(portal: Portal, forms: dict[int, AnswerForm] | None = None,
                        status: int = 200, **extra: Any):
    session = db_session()
    selection, vendor = portal.selection, portal.vendor
    items = vendors.questionnaire(session, selection, vendor)
    language = selection.language
    shown: dict[int, AnswerForm] = {}
    for item in items:
        form = (forms or {}).get(item.requirement.id)
        if form is None:
            form = AnswerForm.for_item(item, language, formdata=None)
            form.fill(item)
        shown[item.requirement.id] = form
    missing = sum(1 for item in items if item.answer is None)
    return render_template(
        "portal/questionnaire.html", portal=portal, selection=selection, vendor=vendor,
        items=items, forms=shown, missing=missing, document_form=DocumentForm(),
        button=ButtonForm(), returned_form=extra.pop("returned_form", ReturnedForm()),
        is_open=vendors.answers_open(selection, vendor) and vendor.answers_submitted_at
        is None, compliance=compliance_words(language), **extra), status


@portal_route("/")
def questionnaire_page(portal: Portal):
    return _questionnaire_page(portal)


@portal_route("/answers/<int:requirement_id>", methods=["POST"])
def save_answer(portal: Portal, requirement_id: int):
    session = db_session()
    item = next((i for i in vendors.questionnaire(session, portal.selection,
                                                         portal.vendor)
                 if i.requirement.id == requirement_id), None)
    if item is None:
        raise NotFound(_("There is no such requirement in this questionnaire."))
    form = AnswerForm.for_item(item, portal.selection.language)
    if not form.validate_on_submit():
        return _questionnaire_page(portal, {requirement_id: form}, 422)
    try:
        vendors.save_answer(
            session, portal.selection, portal.vendor, requirement_id, form.given(),
            int(form.version.data) if (form.version.data or "").isdigit() else None,
            actor_name=portal.actor)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        parts = form.question.parts if form.question is not None else ()
        show_error(form, error, {"structured": PART_PREFIX + parts[0].key} if parts else None)
        return _questionnaire_page(portal, {requirement_id: form},
                                   409 if isinstance(error, Conflict) else 422)
    flash(_("Your answer to %(code)s is saved.", code=item.requirement.code), "success")
    return redirect(_url("portal.questionnaire_page") + f"#r{requirement_id}")


@portal_route("/answers/<int:requirement_id>/documents", methods=["POST"])
def add_document(portal: Portal, requirement_id: int):
    form = DocumentForm()
    stored = form.document.data
    problem = None
    if not form.validate_on_submit():
        problem = _("The form has expired. Reload the page and try again.")
    elif stored is None or not getattr(stored, "filename", ""):
        problem = _("Choose a PDF or an image to add.")
    else:
        upload = verdicts.Upload(stored.filename,
                                 stored.stream.read(verdicts.MAX_ATTACHMENT + 1))
        try:
            vendors.add_document(db_session(), portal.selection, portal.vendor,
                                        requirement_id, upload, actor_name=portal.actor)
        except ServiceError as error:
            if isinstance(error, NotFound):
                raise
            problem = error_text(error)
    if problem:
        return _questionnaire_page(portal, status=422, document_problem=(requirement_id,
                                                                         problem))
    flash(_("The document is added."), "success")
    return redirect(_url("portal.questionnaire_page") + f"#r{requirement_id}")


@portal_route("/documents/<int:attachment_id>/remove", methods=["POST"])
def remove_document(portal: Portal, attachment_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        vendors.remove_document(db_session(), portal.selection, portal.vendor,
                                       attachment_id, actor_name=portal.actor)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        return _questionnaire_page(portal, status=409, refusal=error_text(error))
    flash(_("The document is removed."), "success")
    return redirect(_url("portal.questionnaire_page"))


@portal_route("/submit", methods=["POST"])
def submit(portal: Portal):
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        vendors.submit_answers(db_session(), portal.selection, portal.vendor,
                              actor_name=portal.actor)
    except ServiceError as error:
        return _questionnaire_page(portal, status=409, refusal=error_text(error))
    flash(_("Your answers are submitted. Thank you."), "success")
    return redirect(_url("portal.questionnaire_page"))


# -- the workbook, offline ----------------------------------------------------------------


@portal_route("/questionnaire.xlsx")
def download(portal: Portal):
    content = vendors.questionnaire_workbook(db_session(), portal.selection, portal.vendor)
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=vendors.questionnaire_filename(portal.selection, portal.vendor))


@portal_route("/questionnaire", methods=["POST"])
def upload(portal: Portal):
    form = ReturnedForm()
    stored = form.file.data
    if not form.validate_on_submit() or stored is None or not getattr(stored, "filename", ""):
        return _questionnaire_page(portal, status=422, returned_form=form, workbook_problems=[
            _("Choose the filled-in questionnaire (.xlsx) to upload.")])
    session = db_session()
    # The untrusted file is read in the sandbox before anything is written; the lookup's
    # own change (the link's last use) is committed first, so no transaction waits on it.
    session.commit()
    try:
        sheets = vendors.read_questionnaire(stored.stream.read(spreadsheets.MAX_UPLOAD + 1),
                                    stored.filename)
        result = vendors.import_questionnaire(session, portal.selection, portal.vendor,
                                               sheets, actor_name=portal.actor)
    except spreadsheets.SpreadsheetError as error:
        return _questionnaire_page(portal, status=422, returned_form=form,
                                   workbook_problems=[str(p) for p in error.problems])
    except ServiceError as error:
        return _questionnaire_page(portal, status=409, returned_form=form,
                                   workbook_problems=[error_text(error)])
    flash(_("The questionnaire is read: %(created)d new answers, %(updated)d changed, "
            "%(unchanged)d unchanged.", created=result.created, updated=result.updated,
            unchanged=result.unchanged), "success")
    return redirect(_url("portal.questionnaire_page"))


# -- costs --------------------------------------------------------------------------------


def _costs_page(portal: Portal, form: CostsForm | None = None, status: int = 200):
    vendor = portal.vendor
    if form is None:
        form = CostsForm(formdata=None, obj=vendor)
    return render_template("portal/costs.html", portal=portal, selection=portal.selection,
                           vendor=vendor, form=form,
                           is_open=vendors.answers_open(portal.selection, vendor)
                           and vendor.answers_submitted_at is None), status


@portal_route("/costs", methods=["GET", "POST"])
def costs(portal: Portal):
    if request.method == "GET":
        return _costs_page(portal)
    form = CostsForm()
    if not form.validate_on_submit():
        return _costs_page(portal, form, 422)
    try:
        vendors.save_costs(db_session(), portal.selection, portal.vendor, form.costs(),
                                  actor_name=portal.actor)
    except ServiceError as error:
        show_error(form, error)
        return _costs_page(portal, form, 422)
    flash(_("Your costs are saved."), "success")
    return redirect(_url("portal.costs"))


# -- questions ----------------------------------------------------------------------------


def _questions_page(portal: Portal, form: QuestionForm | None = None, status: int = 200):
    session = db_session()
    return render_template(
        "portal/questions.html", portal=portal, selection=portal.selection,
        vendor=portal.vendor, form=form or QuestionForm(formdata=None),
        waiting=vendors.own_waiting_questions(session, portal.vendor),
        published=vendors.published_questions(session, portal.selection)), status


@portal_route("/questions", methods=["GET", "POST"])
def questions(portal: Portal):
    if request.method == "GET":
        return _questions_page(portal)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _questions_page(portal, form, 422)
    try:
        vendors.ask_question(db_session(), portal.selection, portal.vendor,
                             form.question.data or "", actor_name=portal.actor)
    except ServiceError as error:
        show_error(form, error)
        return _questions_page(portal, form, 422)
    flash(_("Your question is sent. The answer will appear here for every vendor."),
          "success")
    return redirect(_url("portal.questions"))


