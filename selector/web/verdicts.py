"""Knock-out verdicts: the board of knock-outs x vendors for every member, the form with
which the owner group (or the facilitator) records passed or failed with evidence and
an optional document, and the download of such a document (members only).
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from selector.domain.limits import parse_id
from selector.domain.vocabulary import PASSED
from selector.forms import show_error
from selector.forms.scoring import VerdictForm
from selector.forms.vendor_portal import OverrideForm
from selector.i18n import error_text
from selector.models import Requirement
from selector.services import scoring
from selector.services import vendors
from selector.services import verdicts
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.vendors import get_vendor
from selector.web.database import db_session
from selector.web.downloads import document_download
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("verdicts", __name__,
                      url_prefix="/selections/<int:selection_id>/verdicts")


def _page(access: MemberAccess, forms: dict | None = None, status: int = 200):
    selection = access.selection
    board_vendors, rows = scoring.knockout_board(db_session(), selection)
    return render_template(
        "scoring/verdicts.html", selection=selection, access=access, vendors=board_vendors,
        rows=rows, forms=forms or {}, blank_form=VerdictForm, OverrideForm=OverrideForm,
        # None while the selection hides the vendors' answers until the deadline.
        proposals=vendors.proposals_of(db_session(), selection),
        may_record=lambda requirement: (
            access.can("verdicts.record") and selection.scoring_started
            and verdicts.may_record(access.membership, requirement)),
    ), status


@blueprint.route("")
@requires("verdicts.view")
def index(access: MemberAccess):
    return _page(access)


def _read_upload(form: VerdictForm) -> verdicts.Upload | None:
    stored = form.document.data
    if stored is None or not getattr(stored, "filename", ""):
        return None
    # One byte more than allowed is enough to know it is too large.
    content = stored.stream.read(verdicts.MAX_ATTACHMENT + 1)
    return verdicts.Upload(stored.filename, content)


@blueprint.route("/requirements/<int:requirement_id>/vendors/<int:vendor_id>",
                 methods=["POST"])
@requires("verdicts.record")
def record(access: MemberAccess, requirement_id: int, vendor_id: int):
    session = db_session()
    selection = access.selection
    requirement = session.get(Requirement, requirement_id)
    if requirement is None or requirement.selection_id != selection.id:
        raise NotFound(_("There is no such requirement in this selection."))
    vendor = get_vendor(session, selection, vendor_id)
    if vendor.withdrawn:  # the board has no form for it to show the refusal in
        flash(_("This vendor has been withdrawn: it is no longer scored."), "error")
        return _page(access, status=409)
    key = f"{requirement.id}-{vendor.id}"
    form = VerdictForm(prefix=f"v{key}")
    if not form.validate_on_submit():
        return _page(access, {key: form}, 422)
    try:
        saved = verdicts.record_verdict(
            session, selection, access.membership, current_user.account,
            vendor_id=vendor.id, requirement_id=requirement.id,
            passed=form.passed.data == PASSED, evidence=form.evidence.data or "",
            version=parse_id(form.version.data), upload=_read_upload(form))
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _page(access, {key: form}, 409 if isinstance(error, Conflict) else 422)
    if saved.verdict.passed:
        flash(_("%(vendor)s passes knock-out %(code)s.", vendor=vendor.name,
                code=requirement.code), "success")
    else:
        flash(_("%(vendor)s fails knock-out %(code)s and is excluded from the ranking.",
                vendor=vendor.name, code=requirement.code), "warning")
    return redirect(url_for("verdicts.index", selection_id=selection.id) + f"#verdict-{key}")


@blueprint.route("/proposals/<int:proposal_id>/confirm", methods=["POST"])
@requires("verdicts.record")
def confirm_proposal(access: MemberAccess, proposal_id: int):
    """The owner group agrees with a verdict proposed from a vendor's answer."""
    key = f"proposal-{proposal_id}"
    form = OverrideForm(prefix=key, formdata=None)  # only to show a refusal beside it
    try:
        saved = vendors.confirm_proposal(db_session(), access.selection, access.membership,
                                          current_user.account, proposal_id)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        form.form_errors.append(error_text(error))
        return _page(access, {key: form}, 409 if isinstance(error, Conflict) else 422)
    vendor = get_vendor(db_session(), access.selection, saved.verdict.vendor_id)
    requirement = db_session().get(Requirement, saved.verdict.requirement_id)
    flash(_("%(vendor)s fails knock-out %(code)s and is excluded from the ranking.",
            vendor=vendor.name, code=requirement.code), "warning")
    return redirect(url_for("verdicts.index", selection_id=access.selection.id))


@blueprint.route("/proposals/<int:proposal_id>/override", methods=["POST"])
@requires("verdicts.record")
def override_proposal(access: MemberAccess, proposal_id: int):
    """The owner group disagrees with a proposed verdict, saying why: none is recorded."""
    key = f"proposal-{proposal_id}"
    form = OverrideForm(prefix=key)
    if not form.validate_on_submit():
        if not _is_proposal(access, proposal_id):
            raise NotFound(_("There is no such proposed verdict in this selection."))
        return _page(access, {key: form}, 422)
    try:
        vendors.override_proposal(db_session(), access.selection, access.membership,
                                   current_user.account, proposal_id, form.reason.data)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _page(access, {key: form}, 422)
    flash(_("The proposed verdict is overridden; the reason is on record."), "success")
    return redirect(url_for("verdicts.index", selection_id=access.selection.id))


def _is_proposal(access: MemberAccess, proposal_id: int) -> bool:
    found = vendors.proposals_of(db_session(), access.selection) or []
    return any(p.proposal.id == proposal_id for p in found)


@blueprint.route("/documents/<int:attachment_id>")
@requires("verdicts.view")
def document(access: MemberAccess, attachment_id: int):
    """A verdict's document, to members only: always a download with its checked type,
    so a browser never renders it as a page of this site."""
    attachment, path = verdicts.get_attachment(db_session(), access.selection, attachment_id)
    return document_download(attachment, path)


@blueprint.errorhandler(413)
def _too_large(_error):
    """A request over the app's MAX_CONTENT_LENGTH (32 MB): back to the page, with why."""
    flash(_("The document is larger than %(size)d MB.",
            size=verdicts.MAX_ATTACHMENT // (1024 * 1024)), "error")
    selection_id = (request.view_args or {}).get("selection_id")
    if selection_id is None:
        return redirect(url_for("selections.home")), 303
    return redirect(url_for("verdicts.index", selection_id=selection_id)), 303
