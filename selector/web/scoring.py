"""Scoring in the browser: a member's sheets, the sheet itself (saved answer by answer
through a small JSON endpoint, or as a whole form without JavaScript), the conflict of
interest declaration, submission; the facilitator's progress view, assignments and
exclusions; and the consensus meeting after scoring has closed.

Thin views: the rules live in `selector.services.scoring`, what may be seen in its
reads (blind scoring). A JSON response carries only the member's own answers.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from selector.domain.limits import parse_id
from selector.forms import show_error
from selector.forms.admin import ActionForm
from selector.forms.scoring import VERIFICATION_LABELS
from selector.forms.scoring import ConflictForm
from selector.forms.scoring import ConsensusForm
from selector.forms.scoring import ExclusionForm
from selector.forms.scoring import RemoveConsensusForm
from selector.forms.scoring import VisibilityForm
from selector.forms.scoring import anchor_labels
from selector.forms.scoring import comment_field
from selector.forms.scoring import score_field
from selector.forms.scoring import sheet_form
from selector.forms.scoring import version_field
from selector.i18n import error_text
from selector.models import Consensus
from selector.models import Requirement
from selector.services import logins
from selector.services import scoring
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.vendors import get_vendor
from selector.web.database import READ_METHODS
from selector.web.database import database
from selector.web.database import db_session
from selector.web.database import keep_changes
from selector.web.downloads import document_download
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("scoring", __name__, url_prefix="/selections/<int:selection_id>/scoring")


def _anchors(access: MemberAccess) -> list[str]:
    return anchor_labels(access.selection.scale_max, access.selection.language)


# -- the start page -----------------------------------------------------------------------


@blueprint.route("")
@requires("scoring.view")
def index(access: MemberAccess):
    session = db_session()
    selection = access.selection
    progress = None
    if access.can("scoring.manage"):
        progress = scoring.scoring_progress(session, selection)
    return render_template(
        "scoring/index.html",
        selection=selection,
        access=access,
        mine=scoring.my_sheets(session, selection, access.membership),
        progress=progress,
        exclusion_form=ExclusionForm(formdata=None),
        visibility_form=VisibilityForm(
            formdata=None, facilitator_sees_all=selection.facilitator_sees_all),
    )


@blueprint.route("/settings", methods=["POST"])
@requires("scoring.manage")
def settings(access: MemberAccess):
    form = VisibilityForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(url_for("scoring.index", selection_id=access.selection.id)), 303
    changed = scoring.set_visibility(
        db_session(), access.selection, current_user.account,
        facilitator_sees_all=bool(form.facilitator_sees_all.data))
    if changed:
        flash(_("The settings are saved."), "success")
    return redirect(url_for("scoring.index", selection_id=access.selection.id))


# -- one sheet ----------------------------------------------------------------------------


def _note_scores_shown(access: MemberAccess, vendor_ids: list[int], status: int) -> None:
    """Record that this member is being shown others' scores for `vendor_ids` (issue 17,
    item 13), whatever becomes of the rest of the request. Only while scoring is open:
    moving back from the decision phase records it for everyone."""
    if not access.selection.scoring_open or not access.can("scoring.score"):
        return
    membership_id = access.membership.id
    if not scoring.unnoted(db_session(), membership_id, vendor_ids):
        return
    if request.method in READ_METHODS:  # a read session: write in a transaction of its own
        with database().transaction() as session:
            scoring.note_shown(session, membership_id, vendor_ids)
        return
    if status >= 400:
        # The refused changes go, as they would at the end of the request; the note stays.
        db_session().rollback()
        keep_changes()
    scoring.note_shown(db_session(), membership_id, vendor_ids)


def _store_owner() -> str:
    """Whose unsaved answers the sheet may keep in the browser (issue 17, item 4): this
    account in this login session. Derived from the session's stored id, never from the
    cookie's token; another login (or another person) gets another name."""
    token = getattr(current_user, "token", None)
    if not token:  # not a login session: the page keeps nothing
        return ""
    session_id = logins.token_hash(token)
    digest = hashlib.sha256(f"unsaved-answers:{session_id}".encode()).hexdigest()[:24]
    return f"{current_user.account.id}-{digest}"


def _problem_ids(view: scoring.SheetView,
                 refusal: scoring.SubmitRefusal | None) -> list[int]:
    """The requirements that stopped a submission, in the order the sheet shows them, so
    the page can lead the member to the first one (issue 22, item 6)."""
    if refusal is None:
        return []
    codes = set(refusal.open_items) | set(refusal.unargued)
    return [item.requirement.id for item in view.items if item.requirement.code in codes]


def _sheet_page(access: MemberAccess, vendor, *, form=None, conflict_form=None,
                submit_error: str | None = None,
                refusal: scoring.SubmitRefusal | None = None, status: int = 200):
    session = db_session()
    selection = access.selection
    view = scoring.member_sheet(session, selection, access.membership, vendor)
    if any(item.peers for item in view.items):
        _note_scores_shown(access, [vendor.id], status)
    labels = _anchors(access)
    if form is None:
        data: dict[str, Any] = {}
        for item in view.items:
            rid = item.requirement.id
            data[score_field(rid)] = item.score
            data[comment_field(rid)] = item.comment
            data[version_field(rid)] = "" if item.version is None else str(item.version)
        form = sheet_form([i.requirement.id for i in view.items], selection.scale_max, labels,
                          data=data)
    editable = (selection.scoring_open and not vendor.withdrawn
                and view.conflict is not None and not view.excluded
                and access.can("scoring.score"))
    return render_template(
        "scoring/sheet.html",
        selection=selection,
        access=access,
        vendor=vendor,
        view=view,
        form=form,
        labels=labels,
        scale=range(selection.scale_max + 1),
        conflict_form=conflict_form or ConflictForm(formdata=None),
        submit_form=ActionForm(formdata=None),
        submit_error=submit_error,
        problems=_problem_ids(view, refusal),
        editable=editable,
        score_field=score_field,
        comment_field=comment_field,
        version_field=version_field,
        verification_labels=VERIFICATION_LABELS,
        store_owner=_store_owner(),
        answers=scoring.answers_shown(session, selection, vendor.id),
    ), status


@blueprint.route("/vendors/<int:vendor_id>")
@requires("scoring.view")
def sheet(access: MemberAccess, vendor_id: int):
    vendor = get_vendor(db_session(), access.selection, vendor_id)
    return _sheet_page(access, vendor)


@blueprint.route("/vendors/<int:vendor_id>/documents/<int:attachment_id>")
@requires("verdicts.view")  # evidence is read as verdict documents are: by every member
def answer_document(access: MemberAccess, vendor_id: int, attachment_id: int):
    """A document the vendor gave with an answer, once the committee may read them."""
    attachment, path = scoring.answer_document(db_session(), access.selection,
                                               vendor_id, attachment_id)
    return document_download(attachment, path)


@blueprint.route("/vendors/<int:vendor_id>/conflict", methods=["POST"])
@requires("scoring.score")
def declare(access: MemberAccess, vendor_id: int):
    vendor = get_vendor(db_session(), access.selection, vendor_id)
    form = ConflictForm()
    if not form.validate_on_submit():
        return _sheet_page(access, vendor, conflict_form=form, status=422)
    try:
        scoring.declare_conflict(db_session(), access.selection, access.membership,
                                 current_user.account, vendor.id, form.conflict.data,
                                 form.explanation.data or "")
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _sheet_page(access, vendor, conflict_form=form, status=422)
    if form.conflict.data == "declared":
        flash(_("Your conflict of interest is recorded. The facilitator decides whether you "
                "score this vendor; until then you may score it."), "warning")
    return redirect(url_for("scoring.sheet", selection_id=access.selection.id,
                            vendor_id=vendor.id))


def _show_refusal(form, requirement_id: int, error: ServiceError) -> None:
    """Put a refused answer's message beside it; a conflict also says what is stored now
    and takes its version, so that saving again overwrites it knowingly."""
    message = error_text(error)
    current = getattr(error, "current", None)
    if isinstance(error, Conflict) and current is not None:
        message += " " + _("Stored now: %(score)d.", score=current["score"])
        form[version_field(requirement_id)].data = str(current["version"])
    if error.field == "reason" and not isinstance(error, Conflict):
        form.reason.errors = [message]
    else:
        form[score_field(requirement_id)].errors = [message]


@blueprint.route("/vendors/<int:vendor_id>", methods=["POST"])
@requires("scoring.score")
def save_sheet(access: MemberAccess, vendor_id: int):
    """The whole sheet at once (without JavaScript): every changed answer is saved, or,
    when one is refused, none (the messages stand beside the answers)."""
    session = db_session()
    selection = access.selection
    vendor = get_vendor(session, selection, vendor_id)
    view = scoring.member_sheet(session, selection, access.membership, vendor)
    if selection.scoring_open and view.conflict is None and not vendor.withdrawn:
        # The page asks for the declaration first and shows no sheet to put errors in.
        flash(_("Declare first whether you have a conflict of interest with this vendor."),
              "error")
        return _sheet_page(access, vendor, status=422)
    ids = [item.requirement.id for item in view.items]
    form = sheet_form(ids, selection.scale_max, _anchors(access), formdata=request.form)
    if not form.validate_on_submit():
        return _sheet_page(access, vendor, form=form, status=422)
    answers = [
        scoring.SheetAnswer(
            requirement_id=item.requirement.id,
            score=form[score_field(item.requirement.id)].data,
            comment=(form[comment_field(item.requirement.id)].data or "").strip(),
            version=parse_id(form[version_field(item.requirement.id)].data),
            stored_score=item.score,
            stored_comment=item.comment,
        )
        for item in view.items
    ]
    outcome = scoring.save_sheet(session, selection, access.membership, current_user.account,
                                 vendor_id=vendor.id, answers=answers,
                                 reason=form.reason.data or "")
    for rid, error in outcome.refused:
        _show_refusal(form, rid, error)
    if outcome.refused:
        return _sheet_page(access, vendor, form=form,
                           status=409 if outcome.only_conflicts else 422)
    if outcome.saved:
        flash(ngettext("%(num)d answer saved.", "%(num)d answers saved.", outcome.saved),
              "success")
    return redirect(url_for("scoring.sheet", selection_id=selection.id, vendor_id=vendor.id))


def _json_error(status: int, message: str, field: str | None = None, **extra: Any):
    response = jsonify(error=message, field=field, **extra)
    response.status_code = status
    return response


@blueprint.route("/vendors/<int:vendor_id>/scores", methods=["POST"])
@requires("scoring.score")
def save_score(access: MemberAccess, vendor_id: int):
    """Save one answer: JSON {requirement_id, score, comment, version, reason} with the
    CSRF token in the X-CSRFToken header. One small transaction; the answer is the
    member's own stored answer, nothing else."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _json_error(400, _("The request could not be read. Reload the page."))
    requirement_id, version = parse_id(body.get("requirement_id")), parse_id(body.get("version"))
    if requirement_id is None or (version is None and body.get("version") is not None):
        return _json_error(400, _("The request could not be read. Reload the page."))
    comment = body.get("comment", "")
    reason = body.get("reason", "")
    if not isinstance(comment, str) or not isinstance(reason, str):
        return _json_error(400, _("The request could not be read. Reload the page."))
    try:
        result = scoring.save_score(
            db_session(), access.selection, access.membership, current_user.account,
            vendor_id=vendor_id, requirement_id=requirement_id, score=body.get("score"),
            comment=comment, version=version, reason=reason)
    except Conflict as error:
        return _json_error(409, error_text(error), error.field,
                           current=getattr(error, "current", None))
    except NotFound as error:
        return _json_error(404, error_text(error))
    except ServiceError as error:
        return _json_error(422, error_text(error), error.field)
    return jsonify(saved=True, requirement_id=result.requirement_id, score=result.score,
                   comment=result.comment, version=result.version,
                   unargued_extreme=result.unargued_extreme, changed=result.changed)


@blueprint.route("/vendors/<int:vendor_id>/sheet.json")
@requires("scoring.view")
def sheet_json(access: MemberAccess, vendor_id: int):
    """The member's own answers for a vendor (the page reloads them after a lost
    connection). Never another member's score: blind scoring."""
    vendor = get_vendor(db_session(), access.selection, vendor_id)
    view = scoring.member_sheet(db_session(), access.selection, access.membership,
                                vendor)
    return jsonify(
        vendor=vendor.key,
        conflict=view.conflict,
        excluded=view.excluded,
        submitted=view.submitted_at is not None,
        scored=view.scored,
        total=view.total,
        items=[{"requirement_id": i.requirement.id, "code": i.requirement.code,
                "score": i.score, "comment": i.comment, "version": i.version,
                "unargued_extreme": i.unargued_extreme} for i in view.items],
    )


@blueprint.route("/vendors/<int:vendor_id>/submit", methods=["POST"])
@requires("scoring.score")
def submit(access: MemberAccess, vendor_id: int):
    vendor = get_vendor(db_session(), access.selection, vendor_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _sheet_page(access, vendor, status=400)
    try:
        scoring.submit_sheet(db_session(), access.selection, access.membership,
                             current_user.account, vendor.id)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        if error.field == "conflict":  # the page asks for the declaration, without a sheet
            flash(error_text(error), "error")
        return _sheet_page(access, vendor, submit_error=error_text(error),
                           refusal=getattr(error, "refusal", None), status=422)
    flash(_("Your sheet for %(vendor)s is submitted. Thank you!", vendor=vendor.name),
          "success")
    return redirect(url_for("scoring.index", selection_id=access.selection.id))


# -- the facilitator: assignments and exclusions ------------------------------------------


def _assignments_page(access: MemberAccess, status: int = 200, error: str | None = None):
    categories, rows = scoring.assignment_matrix(db_session(), access.selection)
    return render_template(
        "scoring/assignments.html", selection=access.selection, access=access,
        categories=categories, rows=rows, form=ActionForm(formdata=None), error=error,
    ), status


@blueprint.route("/assignments")
@requires("scoring.manage")
def assignments(access: MemberAccess):
    return _assignments_page(access)


@blueprint.route("/assignments", methods=["POST"])
@requires("scoring.manage")
def save_assignments(access: MemberAccess):
    form = ActionForm()
    unreadable = _("The request could not be read. Reload the page.")
    if not form.validate_on_submit():
        return _assignments_page(access, 400, unreadable)
    _categories, rows = scoring.assignment_matrix(db_session(), access.selection)
    wanted: dict[int, set[int]] = {row.membership.id: set() for row in rows}
    for value in request.form.getlist("assigned"):
        member_text, _sep, category_text = value.partition(":")
        member, category = parse_id(member_text), parse_id(category_text)
        if member is None or category is None:
            return _assignments_page(access, 400, unreadable)
        if member not in wanted:
            raise NotFound(_("There is no such member in this selection."))
        wanted[member].add(category)
    try:
        changed = scoring.set_assignments(db_session(), access.selection,
                                          current_user.account, wanted)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        return _assignments_page(access, 422, error_text(error))
    flash(ngettext("%(num)d assignment changed.", "%(num)d assignments changed.", changed),
          "success")
    return redirect(url_for("scoring.assignments", selection_id=access.selection.id))


@blueprint.route("/vendors/<int:vendor_id>/members/<int:membership_id>/exclusion",
                 methods=["POST"])
@requires("scoring.manage")
def exclusion(access: MemberAccess, vendor_id: int, membership_id: int):
    form = ExclusionForm()
    excluded = form.excluded.data != "0"
    if not form.validate_on_submit():
        flash(_("Give the reason for this decision."), "error")
        return redirect(url_for("scoring.index", selection_id=access.selection.id)), 303
    try:
        scoring.set_excluded(db_session(), access.selection, current_user.account,
                             membership_id, vendor_id, excluded, form.reason.data or "")
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        flash(error_text(error), "error")
        return redirect(url_for("scoring.index", selection_id=access.selection.id)), 303
    flash(_("The member no longer scores this vendor; their scores for it do not count.")
          if excluded else _("The member scores this vendor again."), "success")
    return redirect(url_for("scoring.index", selection_id=access.selection.id))


# -- the consensus meeting ----------------------------------------------------------------


def _consensus_form(selection, labels: list[str], key: str, row=None, formdata=None
                    ) -> ConsensusForm:
    """The facilitator's form for one (vendor, wish), prefixed so that many fit a page."""
    if formdata is not None:
        form = ConsensusForm(prefix=f"c{key}")
    else:
        agreed = row.consensus if row is not None else None
        form = ConsensusForm(
            formdata=None, prefix=f"c{key}",
            score=agreed.score if agreed else None,
            rationale=agreed.rationale if agreed else "",
            version=str(agreed.version) if agreed else "")
    form.score.choices = [(v, f"{v} {labels[v]}".strip())
                          for v in range(selection.scale_max + 1)]
    return form


def _consensus_page(access: MemberAccess, vendor_id: int | None, requirement_id: int | None,
                    *, forms: dict | None = None, status: int = 200):
    session = db_session()
    selection = access.selection
    vendor = get_vendor(session, selection, vendor_id) if vendor_id is not None else None
    requirement = None
    if requirement_id is not None:
        requirement = session.get(Requirement, requirement_id)
        if requirement is None or requirement.selection_id != selection.id:
            raise NotFound(_("There is no such requirement in this selection."))
    rows = []
    disclosed = access.sees_scores
    if disclosed:
        rows = scoring.consensus_rows(session, selection, vendor_id=vendor_id,
                                      requirement_id=requirement_id)
        _note_scores_shown(access, sorted({row.vendor.id for row in rows if row.entries}),
                           status)
    labels = _anchors(access)
    forms = dict(forms or {})
    removals: dict[str, RemoveConsensusForm] = {}
    may_record = access.can("consensus.record") and selection.scoring_closed
    if may_record:
        for row in rows:
            key = f"{row.vendor.id}-{row.requirement.id}"
            if key not in forms:
                forms[key] = _consensus_form(selection, labels, key, row)
            if row.consensus is not None:
                removals[key] = forms.pop(f"remove-{key}", None) or RemoveConsensusForm(
                    formdata=None, prefix=f"r{key}", version=str(row.consensus.version))
    view = "requirement" if requirement is not None else "vendor" if vendor else "all"
    # A refused form whose item this page does not show (no longer a wish, a withdrawn
    # vendor): its messages go above the list, or nobody would see why.
    shown = {f"{row.vendor.id}-{row.requirement.id}" for row in rows}
    unshown_errors = [message for key, form in forms.items() if key not in shown
                      for message in [*form.form_errors, *(m for f in form for m in f.errors)]]
    return render_template(
        "scoring/consensus.html", selection=selection, access=access, vendor=vendor,
        requirement=requirement, rows=rows, disclosed=disclosed, view=view,
        vendors=scoring.active_vendors(session, selection), labels=labels,
        forms=forms, removals=removals, may_record=may_record,
        unshown_errors=unshown_errors, scale=range(selection.scale_max + 1),
        answers=scoring.consensus_answers(session, selection,
                                          {row.vendor.id for row in rows}),
    ), status


@blueprint.route("/consensus", defaults={"vendor_id": None, "requirement_id": None})
@blueprint.route("/consensus/vendors/<int:vendor_id>", defaults={"requirement_id": None})
@blueprint.route("/consensus/requirements/<int:requirement_id>", defaults={"vendor_id": None})
@requires("consensus.view")
def consensus(access: MemberAccess, vendor_id: int | None, requirement_id: int | None):
    return _consensus_page(access, vendor_id, requirement_id)


def _back_to(view: str | None, vendor_id: int, requirement_id: int) -> dict[str, int | None]:
    if view == "requirement":
        return {"vendor_id": None, "requirement_id": requirement_id}
    if view == "all":
        return {"vendor_id": None, "requirement_id": None}
    return {"vendor_id": vendor_id, "requirement_id": None}


@blueprint.route("/consensus/vendors/<int:vendor_id>/requirements/<int:requirement_id>",
                 methods=["POST"])
@requires("consensus.record")
def record_consensus(access: MemberAccess, vendor_id: int, requirement_id: int):
    selection = access.selection
    back = _back_to(request.args.get("view"), vendor_id, requirement_id)
    key = f"{vendor_id}-{requirement_id}"
    form = _consensus_form(selection, _anchors(access), key, formdata=request.form)
    if not form.validate_on_submit():
        return _consensus_page(access, **back, forms={key: form}, status=422)
    try:
        scoring.record_consensus(
            db_session(), selection, current_user.account, vendor_id=vendor_id,
            requirement_id=requirement_id, score=form.score.data,
            rationale=form.rationale.data or "", version=parse_id(form.version.data))
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _consensus_page(access, **back, forms={key: form},
                               status=409 if isinstance(error, Conflict) else 422)
    flash(_("The consensus score is recorded; the ranking uses it from now on."), "success")
    target = url_for("scoring.consensus", selection_id=selection.id,
                     **{k: v for k, v in back.items() if v is not None})
    return redirect(f"{target}#item-{key}")


@blueprint.route(
    "/consensus/vendors/<int:vendor_id>/requirements/<int:requirement_id>/remove",
    methods=["POST"])
@requires("consensus.record")
def remove_consensus(access: MemberAccess, vendor_id: int, requirement_id: int):
    selection = access.selection
    back = _back_to(request.args.get("view"), vendor_id, requirement_id)
    key = f"{vendor_id}-{requirement_id}"
    form = RemoveConsensusForm(prefix=f"r{key}")
    if not form.validate_on_submit():
        if db_session().scalar(select(Consensus.id).where(
                Consensus.selection_id == selection.id, Consensus.vendor_id == vendor_id,
                Consensus.requirement_id == requirement_id)) is None:
            # Nothing to take back: the page shows no removal form to put errors in.
            flash(_("There is no consensus score to take back for this item."), "error")
        return _consensus_page(access, **back, forms={f"remove-{key}": form}, status=422)
    try:
        scoring.remove_consensus(
            db_session(), selection, current_user.account, vendor_id=vendor_id,
            requirement_id=requirement_id, version=parse_id(form.version.data) or 0,
            reason=form.reason.data or "")
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        show_error(form, error)
        return _consensus_page(access, **back, forms={f"remove-{key}": form},
                               status=409 if isinstance(error, Conflict) else 422)
    flash(_("The consensus score is taken back; the members' mean counts again."), "success")
    target = url_for("scoring.consensus", selection_id=selection.id,
                     **{k: v for k, v in back.items() if v is not None})
    return redirect(f"{target}#item-{key}")
