"""The vendors of a selection: everyone sees who takes part (and which vendors a failed
knock-out excludes, with the reason); the facilitator adds, edits and withdraws them,
and runs the committee's side of the vendor portal (links, progress, deadline,
reopening, questions and answers, the questionnaire workbook).

Costs and TCO are shown only where `MemberAccess.sees_costs` allows: scorers
judge quality without seeing prices until scoring has closed ("quality before price").
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from selector.domain import vendor_answers as answer_rules
from selector.forms import show_error
from selector.forms.vendor_portal import LinkForm
from selector.forms.vendor_portal import PublishForm
from selector.forms.vendor_portal import ReopenForm
from selector.forms.vendor_portal import ReturnedForm
from selector.forms.vendor_portal import ScheduleForm
from selector.forms.vendors import VendorForm
from selector.forms.vendors import WithdrawForm
from selector.i18n import error_text
from selector.models.base import utcnow
from selector.services import spreadsheets
from selector.services import vendors
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.scoring import exclusions
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires
from selector.web.requirements import XLSX

blueprint = Blueprint("vendors", __name__, url_prefix="/selections/<int:selection_id>/vendors")


def _index(access: MemberAccess, form: VendorForm | None = None, status: int = 200):
    selection = access.selection
    return render_template(
        "vendors/index.html",
        selection=selection,
        access=access,
        vendors=vendors.vendors_of(db_session(), selection),
        exclusions=exclusions(db_session(), selection),
        prices=access.sees_costs,
        cost_fields=True,  # a new vendor's costs are entered, then hidden until allowed
        form=form or VendorForm(formdata=None),
    ), status


def _detail(access: MemberAccess, vendor, form: VendorForm | None = None,
            withdraw_form: WithdrawForm | None = None, status: int = 200):
    selection = access.selection
    prices = access.sees_costs
    if form is None:
        form = VendorForm(formdata=None, obj=vendor)
        if not prices:  # the page must not carry a cost (decisions.md)
            for key in (*vendors.COST_KEYS, "tco"):
                form[key].data = None
        elif all(getattr(vendor, key) is not None for key in vendors.COST_KEYS):
            form.tco.data = None  # computed from the breakdown, not entered
    return render_template(
        "vendors/detail.html",
        selection=selection,
        access=access,
        vendor=vendor,
        excluded_by=exclusions(db_session(), selection).get(vendor.id, []),
        prices=prices,
        cost_fields=prices,
        form=form,
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
    ), status


@blueprint.route("")
@requires("vendors.view")
def index(access: MemberAccess):
    return _index(access)


@blueprint.route("", methods=["POST"])
@requires("vendors.manage")
def add(access: MemberAccess):
    form = VendorForm()
    if not form.validate_on_submit():
        return _index(access, form, 422)
    try:
        vendor = vendors.add_vendor(db_session(), access.selection, current_user.account,
                                    form.to_input())
    except ServiceError as error:
        show_error(form, error)
        return _index(access, form, 422)
    flash(_("%(name)s is added as a vendor.", name=vendor.name), "success")
    return redirect(url_for("vendors.index", selection_id=access.selection.id))


@blueprint.route("/<int:vendor_id>")
@requires("vendors.view")
def detail(access: MemberAccess, vendor_id: int):
    vendor = vendors.get_vendor(db_session(), access.selection, vendor_id)
    return _detail(access, vendor)


@blueprint.route("/<int:vendor_id>", methods=["POST"])
@requires("vendors.manage")
def update(access: MemberAccess, vendor_id: int):
    vendor = vendors.get_vendor(db_session(), access.selection, vendor_id)
    form = VendorForm()
    if not form.validate_on_submit():
        return _detail(access, vendor, form, status=422)
    try:
        vendors.update_vendor(db_session(), access.selection, current_user.account,
                              vendor.id, form.to_input(),
                              keep_costs=not access.sees_costs)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _detail(access, vendor, form, status=422)
    flash(_("The changes to %(name)s are saved.", name=vendor.name), "success")
    return redirect(url_for("vendors.detail", selection_id=access.selection.id,
                            vendor_id=vendor.id))


@blueprint.route("/<int:vendor_id>/withdraw", methods=["POST"])
@requires("vendors.manage")
def withdraw(access: MemberAccess, vendor_id: int):
    vendor = vendors.get_vendor(db_session(), access.selection, vendor_id)
    form = WithdrawForm()
    withdrawn = form.withdrawn.data != "0"
    if not form.validate_on_submit():
        return _detail(access, vendor, withdraw_form=form, status=422)
    try:
        vendors.set_withdrawn(db_session(), access.selection, current_user.account,
                              vendor.id, withdrawn, form.reason.data or "")
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _detail(access, vendor, withdraw_form=form, status=422)
    if withdrawn:
        flash(_("%(name)s is withdrawn. It stays on record but takes no part in the ranking.",
                name=vendor.name), "success")
    else:
        flash(_("%(name)s takes part again.", name=vendor.name), "success")
    return redirect(url_for("vendors.index", selection_id=access.selection.id))


# -- the committee's side of the vendor portal (issue 20) ---------------------------------
#
# The facilitator's page: per vendor its link, progress and submission; the deadline; the
# questions waiting for an answer. It never shows the answers' content: while the
# selection hides them until the deadline, the questionnaire download is blank too.


def _answers_visible(selection) -> bool:
    return answer_rules.answers_visible(selection.answers_hidden, selection.answers_deadline,
                                        utcnow())


def _portal_page(access: MemberAccess, forms: dict | None = None,
                 issued: vendors.IssuedLink | None = None, status: int = 200):
    session, selection = db_session(), access.selection
    progress = vendors.answer_progress(session, selection)
    forms = forms or {}
    schedule = forms.get("schedule") or ScheduleForm(
        formdata=None, hidden=selection.answers_hidden,
        deadline=_local(selection.answers_deadline))
    page = render_template(
        "vendors/portal.html", selection=selection, access=access, progress=progress,
        links={p.vendor.id: vendors.current_link(session, p.vendor) for p in progress},
        visible=_answers_visible(selection), waiting=vendors.waiting_questions(session, selection),
        published=vendors.published_questions(session, selection), forms=forms,
        schedule=schedule, issued=issued, issued_url=issued.url(request.host_url) if issued
        else None, LinkForm=LinkForm, ReopenForm=ReopenForm, ReturnedForm=ReturnedForm,
        PublishForm=PublishForm)
    # A new link is in this answer only: no cache may keep it.
    return page, status, {"Cache-Control": "no-store"} if issued else {}


def _local(moment):
    """A stored UTC moment on the reader's clock, naive, for the deadline field."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(str(get_timezone()))).replace(tzinfo=None)


def _refused(access: MemberAccess, key: str, form, error: ServiceError):
    if isinstance(error, NotFound):
        raise error
    show_error(form, error)
    return _portal_page(access, {key: form}, status=422)


def _portal_vendor(access: MemberAccess, vendor_id: int):
    """The vendor a portal action is about; None (with the message flashed) when it is
    withdrawn, since the page then lists no form to show the refusal beside."""
    vendor = vendors.get_vendor(db_session(), access.selection, vendor_id)
    if vendor.withdrawn:
        flash(_("This vendor has been withdrawn: it takes no part in the vendor portal."),
              "error")
        return None
    return vendor


def _vendor_form(access: MemberAccess, vendor_id: int, action: str, form_class):
    """The vendor a portal action is about, the key of its form on the page and the
    submitted form. A withdrawn vendor (409) or an invalid form (422) ends the request
    with the portal page."""
    vendor = _portal_vendor(access, vendor_id)
    if vendor is None:
        abort(make_response(_portal_page(access, status=409)))
    key = f"{action}-{vendor.id}"
    form = form_class(prefix=key)
    if not form.validate_on_submit():
        abort(make_response(_portal_page(access, {key: form}, status=422)))
    return vendor, key, form


def _back_to_portal(access: MemberAccess, anchor: str = ""):
    return redirect(url_for("vendors.portal", selection_id=access.selection.id) + anchor)


@blueprint.route("/portal")
@requires("vendors.portal")
def portal(access: MemberAccess):
    return _portal_page(access)


@blueprint.route("/portal/schedule", methods=["POST"])
@requires("vendors.portal_manage")
def schedule(access: MemberAccess):
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _portal_page(access, {"schedule": form}, status=422)
    try:
        vendors.set_answers_schedule(db_session(), access.selection, current_user.account,
                                    form.deadline.in_utc(), bool(form.hidden.data))
    except ServiceError as error:
        return _refused(access, "schedule", form, error)
    flash(_("The deadline and the visibility of the answers are saved."), "success")
    return _back_to_portal(access)


@blueprint.route("/<int:vendor_id>/link", methods=["POST"])
@requires("vendors.portal_manage")
def issue_link(access: MemberAccess, vendor_id: int):
    vendor, key, form = _vendor_form(access, vendor_id, "link", LinkForm)
    try:
        issued = vendors.issue_link(db_session(), access.selection, current_user.account,
                                    vendor.id, form.days.data)
    except ServiceError as error:
        return _refused(access, key, form, error)
    # Shown in this answer only, never stored: the page is not redirected to.
    return _portal_page(access, issued=issued)


@blueprint.route("/<int:vendor_id>/reopen", methods=["POST"])
@requires("vendors.portal_manage")
def reopen(access: MemberAccess, vendor_id: int):
    vendor, key, form = _vendor_form(access, vendor_id, "reopen", ReopenForm)
    try:
        vendors.reopen_answers(db_session(), access.selection, current_user.account,
                              vendor.id, form.reason.data)
    except ServiceError as error:
        return _refused(access, key, form, error)
    flash(_("The answers of %(name)s are open again.", name=vendor.name), "success")
    return _back_to_portal(access, f"#vendor-{vendor.id}")


@blueprint.route("/portal/questions/<int:question_id>", methods=["POST"])
@requires("vendors.portal_manage")
def publish(access: MemberAccess, question_id: int):
    key = f"question-{question_id}"
    form = PublishForm(prefix=key)
    if not form.validate_on_submit():
        if not any(w.question.id == question_id
                   for w in vendors.waiting_questions(db_session(), access.selection)):
            raise NotFound(_("There is no such question in this selection."))
        return _portal_page(access, {key: form}, status=422)
    try:
        vendors.publish_answer(db_session(), access.selection, current_user.account,
                                 question_id, form.answer.data, form.question.data)
    except ServiceError as error:
        return _refused(access, key, form, error)
    flash(_("The answer is published to every invited vendor."), "success")
    return _back_to_portal(access, "#questions")


@blueprint.route("/<int:vendor_id>/questionnaire.xlsx")
@requires("vendors.portal")
def questionnaire_download(access: MemberAccess, vendor_id: int):
    session, selection = db_session(), access.selection
    vendor = vendors.get_vendor(session, selection, vendor_id)
    data = vendors.questionnaire_workbook(session, selection, vendor,
                                  with_answers=_answers_visible(selection))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=vendors.questionnaire_filename(selection, vendor))


@blueprint.route("/<int:vendor_id>/questionnaire", methods=["POST"])
@requires("vendors.portal_manage")
def questionnaire_upload(access: MemberAccess, vendor_id: int):
    """A questionnaire the vendor returned by e-mail, read for that vendor: every problem
    listed, nothing written on a problem."""
    session = db_session()
    vendor, key, form = _vendor_form(access, vendor_id, "returned", ReturnedForm)
    vendor_id, name = vendor.id, vendor.name
    stored = form.file.data
    filename = (stored.filename or "").rsplit("/", 1)[-1][:200]
    data = stored.stream.read(spreadsheets.MAX_UPLOAD + 1)
    try:
        spreadsheets.admit_upload(session, current_user.account.id, "questionnaire",
                                  len(data))
    except spreadsheets.TooManyUploads as error:
        form.file.errors = [error_text(error)]
        page, status, _headers = _portal_page(access, {key: form}, status=429)
        return page, status, {"Retry-After": str(error.retry_after)}
    # The upload's record counts; the file is parsed with no database lock held.
    session.commit()
    session.expire_all()
    try:
        sheets = vendors.read_questionnaire(data, filename)
        vendor = vendors.get_vendor(session, access.selection, vendor_id)
        returned = vendors.import_questionnaire(session, access.selection, vendor, sheets,
                                                 actor=current_user.account)
    except spreadsheets.SpreadsheetError as error:
        form.file.errors = [str(problem) for problem in error.problems]
        return _portal_page(access, {key: form}, status=422)
    except ServiceError as error:
        return _refused(access, key, form, error)
    flash(_("The returned questionnaire of %(name)s is read. New answers: %(created)d; "
            "changed: %(updated)d; unchanged: %(unchanged)d.", name=name,
            created=returned.created, updated=returned.updated, unchanged=returned.unchanged),
          "success")
    return _back_to_portal(access, f"#vendor-{vendor_id}")
