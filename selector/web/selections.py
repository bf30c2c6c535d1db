"""My selections (the home page), creating a selection, and its overview with the phases."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from selector.forms import show_error
from selector.forms.selections import PhaseForm
from selector.forms.selections import SelectionForm
from selector.i18n import PHASE_LABELS
from selector.i18n import PRICE_METHOD_LABELS
from selector.services import analysis
from selector.services import scoring
from selector.services import selections
from selector.services.errors import ServiceError
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("selections", __name__)


@blueprint.route("/")
@requires("selection.list")
def home():
    mine = selections.selections_of(db_session(), current_user.account)
    return render_template("selections/home.html", selections=mine)


@blueprint.route("/selections/new", methods=["GET", "POST"])
@requires("selection.create")
def create():
    form = SelectionForm()
    if request.method == "GET":
        form.language.data = str(get_locale() or "en")[:2]
    if form.validate_on_submit():
        try:
            selection = selections.create_selection(
                db_session(),
                current_user.account,
                name=form.name.data,
                organisation=form.organisation.data or "",
                language=form.language.data,
                scale_max=form.scale_max.data,
                business_share=form.business_share.data / 100,
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The selection is created. Add the committee members next."), "success")
            return redirect(url_for("selections.overview", selection_id=selection.id))
    status = 422 if request.method == "POST" else 200
    return render_template("selections/new.html", form=form), status


def _overview_page(access: MemberAccess, phase_form: PhaseForm | None = None, status=200):
    selection = access.selection
    session = db_session()
    ranked = analysis.standings(session, selection) if access.sees_scores else None
    return render_template(
        "selections/overview.html",
        selection=selection,
        access=access,
        overview=selections.overview(session, selection),
        standings=ranked.rows if ranked else None,
        ranked=ranked,
        price_methods=PRICE_METHOD_LABELS,
        excluded=scoring.excluded_vendors(session, selection),
        next_phase=selections.next_phase(selection.phase),
        previous_phase=selections.previous_phase(selection.phase),
        phase_form=phase_form or PhaseForm(formdata=None),
    ), status


@blueprint.route("/selections/<int:selection_id>")
@requires("selection.view")
def overview(access: MemberAccess):
    return _overview_page(access)


@blueprint.route("/selections/<int:selection_id>/phase", methods=["POST"])
@requires("phase.change")
def change_phase(access: MemberAccess):
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            new = selections.change_phase(
                db_session(), access.selection, current_user.account,
                form.direction.data, form.reason.data or "",
            )
        except ServiceError as error:
            show_error(form, error, {"direction": ""})  # a hidden field: show it above
        else:
            flash(_("The selection is now in the phase “%(phase)s”.",
                    phase=PHASE_LABELS[new]), "success")
            return redirect(url_for("selections.overview", selection_id=access.selection.id))
    elif form.direction.errors:  # a hidden field: show its error above the form
        form.form_errors.extend(form.direction.errors)
    return _overview_page(access, form, 422)
