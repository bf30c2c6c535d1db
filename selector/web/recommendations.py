"""The recommendation page: the facilitator's recommendation to the sponsor and the
sponsor's decision on it (issue 18).

Everyone who may see the selection reads it once scoring is closed (before, the page
says when it opens: the recommended vendor follows from the ranking). The facilitator
writes and revises it there; a sponsor records the decision there. The rules live in
`selector.services.reports`; these views parse the forms and show the answer.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from selector.domain.vocabulary import APPROVED
from selector.domain.vocabulary import DECLINED
from selector.domain.vocabulary import MORE_INFORMATION
from selector.forms import choices
from selector.forms import show_error
from selector.forms.recommendations import VERDICT_LABELS
from selector.forms.recommendations import DecisionForm
from selector.forms.recommendations import RecommendationForm
from selector.i18n import _l
from selector.models import Selection
from selector.models import Vendor
from selector.services import reports
from selector.services.errors import ServiceError
from selector.services.vendors import vendors_of
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("recommendations", __name__,
                      url_prefix="/selections/<int:selection_id>/recommendation")


DECISION_LABELS = {
    APPROVED: _l("Approved"),
    DECLINED: _l("Rejected"),
    MORE_INFORMATION: _l("More information needed"),
}


@blueprint.app_template_global("decision_label")
def decision_label(verdict: str) -> str:
    """A sponsor's verdict in the reader's language."""
    return str(DECISION_LABELS.get(verdict, verdict))


@blueprint.app_template_global("recommendation_state")
def recommendation_state(selection: Selection) -> reports.RecommendationState | None:
    """For the selection overview: the recommendation and the decision, once scoring is
    closed (before that there is nothing to show)."""
    if not selection.scoring_closed:
        return None
    return reports.recommendation_state(db_session(), selection)


def _vendor_choices(vendors: list[Vendor], first: Vendor | None) -> list:
    def label(vendor: Vendor) -> str:
        if vendor.withdrawn:
            return _("%(name)s (withdrawn)", name=vendor.name)
        if first is not None and vendor.id == first.id:
            return _("%(name)s (first-ranked)", name=vendor.name)
        return vendor.name

    return choices((vendor.id, label(vendor)) for vendor in vendors)


def _page(access: MemberAccess, *, write_form: RecommendationForm | None = None,
          decision_form: DecisionForm | None = None, status: int = 200):
    selection = access.selection
    session = db_session()
    state = reports.recommendation_state(session, selection) if selection.scoring_closed else None
    vendors = vendors_of(session, selection)
    if state is not None:
        if write_form is None:
            preselected = state.vendor or state.first_ranked
            write_form = RecommendationForm(
                formdata=None, text=state.text, reason=state.reason,
                vendor=preselected.id if preselected is not None else None)
        if decision_form is None:
            default = state.vendor.id if state.vendor is not None else None
            decision_form = DecisionForm(formdata=None, vendor=default)
        write_form.vendor.choices = _vendor_choices(vendors, state.first_ranked)
        decision_form.vendor.choices = _vendor_choices(vendors, state.first_ranked)
    return render_template(
        "recommendations/page.html",
        selection=selection,
        access=access,
        state=state,
        write_form=write_form,
        decision_form=decision_form,
        VERDICT_LABELS=VERDICT_LABELS,
    ), status


@blueprint.route("")
@requires("recommendation.view")
def page(access: MemberAccess):
    return _page(access)


@blueprint.route("", methods=["POST"])
@requires("recommendation.write")
def write(access: MemberAccess):
    """The facilitator writes or revises the recommendation."""
    form = RecommendationForm()
    form.vendor.choices = []  # any id parses; the service checks it is this selection's
    if form.validate_on_submit():
        try:
            reports.write_recommendation(
                db_session(), access.selection, access.membership, current_user.account,
                text=form.text.data or "", vendor_id=form.vendor.data,
                reason=form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("The recommendation is saved. The sponsor can decide on it now."),
                  "success")
            return redirect(url_for("recommendations.page", selection_id=access.selection.id))
    return _page(access, write_form=form, status=422)


@blueprint.route("/decision", methods=["POST"])
@requires("recommendation.decide")
def decide(access: MemberAccess):
    """A sponsor records the decision on the recommendation."""
    form = DecisionForm()
    form.vendor.choices = []
    if form.validate_on_submit():
        try:
            reports.record_decision(
                db_session(), access.selection, access.membership, current_user.account,
                verdict=form.verdict.data, reason=form.reason.data or "",
                vendor_id=form.vendor.data, decided_on=form.decided_on.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(_("Your decision is recorded."), "success")
            return redirect(url_for("recommendations.page", selection_id=access.selection.id))
    return _page(access, decision_form=form, status=422)
