"""The instance admin: accounts (list, create, deactivate, reactivate, set-password links).

An admin manages accounts, not selections: a selection the admin is not a member of
answers 404 like for anyone else (access.py).
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
from sqlalchemy import func
from sqlalchemy import select

from selector.forms import show_error
from selector.forms.admin import AccountForm
from selector.forms.admin import ActionForm
from selector.i18n import error_text
from selector.models import Membership
from selector.services import account_admin
from selector.services import invitations
from selector.services import logins
from selector.services import totp
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.web import mail
from selector.web.database import db_session
from selector.web.guard import requires
from selector.web.links import IssuedLinkView
from selector.web.links import link_lifetime

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _page(form: AccountForm | None = None, issued: IssuedLinkView | None = None,
          status: int = 200):
    session = db_session()
    selections_per_account = dict(
        session.execute(
            select(Membership.account_id, func.count())
            .where(Membership.removed_at.is_(None))
            .group_by(Membership.account_id)
        ).all()
    )
    return render_template(
        "admin/accounts.html",
        accounts=account_admin.all_accounts(session),
        selections_per_account=selections_per_account,
        form=form or AccountForm(formdata=None),
        action_form=ActionForm(formdata=None),
        issued=issued,
    ), status


def _issued(account, link: logins.IssuedLink) -> IssuedLinkView:
    url = url_for("auth.set_password", token=link.token, _external=True)
    language = account.language or current_user.account.language or "en"
    mailed = mail.send_password_link(account.email, account.name, url, language)
    return IssuedLinkView(account, url, link.expires_at, mailed, mail.configured())


@blueprint.route("/accounts")
@requires("admin.view")
def accounts():
    return _page()


@blueprint.route("/accounts", methods=["POST"])
@requires("admin.manage")
def create_account():
    form = AccountForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        account, link = account_admin.create_account(
            db_session(), current_user.account, form.email.data, form.name.data,
            admin=form.is_admin.data, lifetime=link_lifetime(),
        )
    except ServiceError as error:
        show_error(form, error)
        return _page(form, status=422)
    flash(_("The account for %(email)s is created.", email=account.email), "success")
    return _page(issued=_issued(account, link))


def _action(account_id: int, change):
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(status=422)
    try:
        return change()
    except NotFound:
        raise
    except ServiceError as error:
        flash(error_text(error), "error")
        return _page(status=422)


@blueprint.route("/accounts/<int:account_id>/deactivate", methods=["POST"])
@requires("admin.manage")
def deactivate(account_id: int):
    def change():
        account = account_admin.set_active(db_session(), current_user.account, account_id,
                                           False)
        flash(_("%(email)s is deactivated and logged out everywhere.", email=account.email),
              "success")
        return redirect(url_for("admin.accounts"))

    return _action(account_id, change)


@blueprint.route("/accounts/<int:account_id>/activate", methods=["POST"])
@requires("admin.manage")
def activate(account_id: int):
    def change():
        account = account_admin.set_active(db_session(), current_user.account, account_id, True)
        flash(_("%(email)s is active again.", email=account.email), "success")
        return redirect(url_for("admin.accounts"))

    return _action(account_id, change)


@blueprint.route("/accounts/<int:account_id>/link", methods=["POST"])
@requires("admin.manage")
def issue_link(account_id: int):
    def change():
        account, link = account_admin.issue_link(
            db_session(), current_user.account, account_id, link_lifetime())
        return _page(issued=_issued(account, link))

    return _action(account_id, change)


@blueprint.route("/accounts/<int:account_id>/second-factor/reset", methods=["POST"])
@requires("admin.manage")
def reset_second_factor(account_id: int):
    """For someone who lost the phone with their codes: they log in with the password
    alone and can turn the second factor on again (required for facilitators when the
    instance asks for it, so they are sent to set it up at once)."""
    def change():
        session = db_session()
        account = account_admin.get_account(session, account_id)
        totp.reset(session, current_user.account, account)
        flash(_("The second factor of %(email)s is turned off.", email=account.email),
              "success")
        return redirect(url_for("admin.accounts"))

    return _action(account_id, change)


@blueprint.route("/invitations")
@requires("admin.view")
def open_invitations():
    """Every open invitation: the admin confirms one for a person who cannot accept it
    themselves (no e-mail, no password yet)."""
    return render_template("admin/invitations.html",
                           invitations=invitations.all_open(db_session()),
                           action_form=ActionForm(formdata=None))


@blueprint.route("/invitations/<int:invitation_id>/confirm", methods=["POST"])
@requires("admin.manage")
def confirm_invitation(invitation_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.open_invitations"))
    try:
        member = invitations.confirm(db_session(), current_user.account, invitation_id)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error_text(error), "error")
        return redirect(url_for("admin.open_invitations"))
    flash(_("%(email)s is now a member of the selection.", email=member.account.email),
          "success")
    return redirect(url_for("admin.open_invitations"))


@blueprint.app_template_global()
def admin_active_page() -> bool:
    return request.blueprint == "admin"
