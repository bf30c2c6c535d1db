"""The vendors of a selection: everyone sees who takes part (and which vendors a failed
knock-out excludes, with the reason); the facilitator adds, edits and withdraws them.

Costs and TCO are shown only where `MemberAccess.sees_costs` allows: scorers
judge quality without seeing prices until scoring has closed ("quality before price").
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from selector.forms import show_error
from selector.forms.vendors import VendorForm, WithdrawForm
from selector.services import vendors
from selector.services.errors import NotFound, ServiceError
from selector.services.scoring_views import exclusions
from selector.web.database import db_session
from selector.web.guard import MemberAccess, requires

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
