"""The members of a selection: everyone sees who is on the committee; the facilitator
adds members by e-mail with a role, changes roles and removes members."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from selector.access import MemberAccess, requires
from selector.forms import show_error
from selector.forms.admin import ActionForm
from selector.forms.members import AddMemberForm, RoleForm
from selector.i18n import ROLE_LABELS, error_text
from selector.services import logins, memberships
from selector.services.errors import NotFound, ServiceError
from selector.web import mail
from selector.web.database import db_session
from selector.web.links import IssuedLinkView, link_lifetime

blueprint = Blueprint("members", __name__, url_prefix="/selections/<int:selection_id>/members")


def _page(access: MemberAccess, *, form: AddMemberForm | None = None,
          issued: IssuedLinkView | None = None, status: int = 200):
    selection = access.selection
    members = memberships.members_of(db_session(), selection)
    return render_template(
        "members/index.html",
        selection=selection,
        access=access,
        members=members,
        former=memberships.members_of(db_session(), selection, removed=True)
        if access.can("members.manage") else [],
        add_form=form or AddMemberForm(formdata=None),
        role_forms={m.membership.id: RoleForm(formdata=None, role=m.membership.role,
                                              prefix=f"m{m.membership.id}")
                    for m in members},
        action_form=ActionForm(formdata=None),
        may_issue_link=memberships.may_issue_link,
        issued=issued,
    ), status


def _issue(access: MemberAccess, member: memberships.Member) -> IssuedLinkView:
    link = logins.issue_password_link(db_session(), member.account, link_lifetime())
    url = url_for("auth.set_password", token=link.token, _external=True)
    mailed = mail.send_password_link(
        member.account.email, member.account.name, url, access.selection.language,
        selection_name=access.selection.name,
    )
    return IssuedLinkView(member.account, url, link.expires_at, mailed, mail.configured())


@blueprint.route("")
@requires("members.view")
def index(access: MemberAccess):
    return _page(access)


@blueprint.route("", methods=["POST"])
@requires("members.manage")
def add(access: MemberAccess):
    form = AddMemberForm()
    if not form.validate_on_submit():
        return _page(access, form=form, status=422)
    try:
        added = memberships.add_member(
            db_session(), access.selection, current_user.account,
            form.email.data, form.role.data, form.name.data or "",
        )
    except ServiceError as error:
        show_error(form, error)
        return _page(access, form=form, status=422)
    account = added.member.account
    flash(_("%(name)s is now a member as %(role)s.", name=account.name,
            role=ROLE_LABELS[added.member.membership.role]), "success")
    if memberships.may_issue_link(added.member):
        # The link is shown in this response only (it is stored hashed).
        return _page(access, issued=_issue(access, added.member))
    return redirect(url_for("members.index", selection_id=access.selection.id))


@blueprint.route("/<int:membership_id>/role", methods=["POST"])
@requires("members.manage")
def change_role(access: MemberAccess, membership_id: int):
    member = memberships.get_member(db_session(), access.selection, membership_id)
    form = RoleForm(prefix=f"m{membership_id}")
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
        return _page(access, status=422)
    try:
        memberships.change_role(db_session(), access.selection, current_user.account,
                                member.membership.id, form.role.data)
    except ServiceError as error:
        flash(error_text(error), "error")
        return _page(access, status=422)
    flash(_("%(name)s is now %(role)s.", name=member.account.name,
            role=ROLE_LABELS[form.role.data]), "success")
    return redirect(url_for("members.index", selection_id=access.selection.id))


@blueprint.route("/<int:membership_id>/remove", methods=["POST"])
@requires("members.manage")
def remove(access: MemberAccess, membership_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(access, status=422)
    try:
        member = memberships.remove_member(db_session(), access.selection,
                                           current_user.account, membership_id)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        flash(error_text(error), "error")
        return _page(access, status=422)
    flash(_("%(name)s is no longer a member. Their scores are kept but no longer count.",
            name=member.account.name), "success")
    if member.account.id == current_user.account.id:
        return redirect(url_for("selections.home"))
    return redirect(url_for("members.index", selection_id=access.selection.id))


@blueprint.route("/<int:membership_id>/link", methods=["POST"])
@requires("members.manage")
def issue_link(access: MemberAccess, membership_id: int):
    member = memberships.get_member(db_session(), access.selection, membership_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(access, status=422)
    if not memberships.may_issue_link(member):
        flash(_("%(name)s has set a password already. A forgotten password is reset by the "
                "administrator.", name=member.account.name), "error")
        return _page(access, status=422)
    current_app.logger.info("set-password link issued for %s", member.account.email)
    return _page(access, issued=_issue(access, member))
