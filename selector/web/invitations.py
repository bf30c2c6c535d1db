"""The page behind an invitation link (services.invitations says why there is one).

Signed in as the invited address: accept or decline. Signed in as someone else: this
invitation is not for you. Not signed in: log in to accept, or, when the address has no
account yet, choose a name and password here. An unknown, used, withdrawn or expired
link answers 404.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import logout_user

from selector.forms import show_error
from selector.forms.members import InvitationAccountForm
from selector.forms.members import InvitationForm
from selector.i18n import ROLE_LABELS
from selector.i18n import error_text
from selector.services import invitations
from selector.services.errors import ServiceError
from selector.web.database import db_session
from selector.web.guard import requires

blueprint = Blueprint("invitations", __name__, url_prefix="/invitations")


def _render(found: invitations.Found, status: int = 200, *, form=None, account_form=None):
    mine = current_user.is_authenticated and (
        current_user.account.email == found.invitation.email)
    return render_template(
        "invitations/respond.html",
        found=found,
        role=ROLE_LABELS[found.invitation.role],
        mine=mine,
        form=form or InvitationForm(formdata=None),
        account_form=account_form or InvitationAccountForm(
            formdata=None, name=found.invitation.name),
        login_url=url_for("auth.login", next=request.path),
    ), status


@blueprint.route("/<token>", methods=["GET", "POST"])
@requires("auth.invitation")
def respond(token: str):
    found = invitations.find_by_token(db_session(), token)
    if found is None:
        joined = current_user.is_authenticated and invitations.accepted_by(
            db_session(), token, current_user.account)
        if joined:  # a new account's first login after choosing its password here
            return redirect(url_for("selections.overview", selection_id=joined.id))
        return render_template("auth/link_invalid.html", invitation=True), 404
    if request.method == "GET":
        return _render(found)
    if current_user.is_authenticated:
        return _answer(found)
    return _new_account(found)


def _answer(found: invitations.Found):
    if current_user.account.email != found.invitation.email:
        return _render(found, 403)  # the page says it is for another account
    form = InvitationForm()
    if not form.validate_on_submit():
        return _render(found, 422, form=form)
    try:
        if form.answer.data == "accept":
            invitations.accept(db_session(), found, current_user.account)
        else:
            invitations.decline(db_session(), found, current_user.account)
    except ServiceError as error:
        flash(error_text(error), "error")
        return _render(found, 403)
    if form.answer.data == "decline":
        flash(_("You declined the invitation."), "success")
        return redirect(url_for("selections.home"))
    flash(_("Welcome to %(name)s.", name=found.selection.name), "success")
    return redirect(url_for("selections.overview", selection_id=found.selection.id))


def _new_account(found: invitations.Found):
    account_form = InvitationAccountForm()
    if not account_form.validate_on_submit():
        return _render(found, 422, account_form=account_form)
    try:
        invitations.accept_as_new_account(db_session(), found, account_form.name.data,
                                          account_form.new_password.data)
    except ServiceError as error:
        show_error(account_form, error, {"password": "new_password"})
        return _render(found, 422, account_form=account_form)
    # The same answer whether the account was made now or existed already (then nothing
    # changed): log in, and the link leads on.
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    flash(_("Thank you. Log in with this e-mail address and your password to continue."),
          "success")
    return redirect(url_for("auth.login", next=request.path))
