"""The members of a selection: everyone sees who is on the committee; the facilitator
invites members by e-mail with a role, changes roles and removes members.

Adding someone records an invitation (services.invitations): the answer is the same
whether the address has an account, and a set-password link is shown only to an
instance admin (decisions.md); a facilitator's "new link" for a member without a
password goes by e-mail, or the facilitator is told to ask an administrator.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from selector.forms import show_error
from selector.forms.admin import ActionForm
from selector.forms.members import AddMemberForm
from selector.forms.members import RoleForm
from selector.i18n import ROLE_LABELS
from selector.i18n import error_text
from selector.models.base import utcnow
from selector.services import invitations
from selector.services import logins
from selector.services import memberships
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.web import mail
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires
from selector.web.links import IssuedInvitationView
from selector.web.links import IssuedLinkView
from selector.web.links import link_lifetime

blueprint = Blueprint("members", __name__, url_prefix="/selections/<int:selection_id>/members")


def _page(access: MemberAccess, *, form: AddMemberForm | None = None,
          issued: IssuedLinkView | None = None,
          invited: IssuedInvitationView | None = None, status: int = 200):
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
        invitations=invitations.open_invitations(db_session(), selection)
        if access.can("members.manage") else [],
        now=utcnow(),
        issued=issued,
        invited=invited,
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


def _invited(access: MemberAccess, issued: invitations.IssuedInvitation
             ) -> IssuedInvitationView:
    url = url_for("invitations.respond", token=issued.token, _external=True)
    mailed = mail.send_invitation(
        issued.invitation.email, url, access.selection.language, access.selection.name,
        current_user.account.name,
    )
    return IssuedInvitationView(issued.invitation.email, url, issued.invitation.expires_at,
                                mailed, mail.configured())


@blueprint.route("", methods=["POST"])
@requires("members.manage")
def add(access: MemberAccess):
    form = AddMemberForm()
    if not form.validate_on_submit():
        return _page(access, form=form, status=422)
    try:
        issued = invitations.invite(
            db_session(), access.selection, current_user.account,
            form.email.data, form.role.data, form.name.data or "",
        )
    except ServiceError as error:
        show_error(form, error)
        return _page(access, form=form, status=422)
    flash(_("The invitation for %(email)s as %(role)s is recorded. They join when they "
            "accept it.", email=issued.invitation.email,
            role=ROLE_LABELS[issued.invitation.role]), "success")
    # The link is shown in this response only (it is stored hashed).
    return _page(access, invited=_invited(access, issued))


@blueprint.route("/invitations/<int:invitation_id>/renew", methods=["POST"])
@requires("members.manage")
def renew_invitation(access: MemberAccess, invitation_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(access, status=422)
    issued = invitations.renew(db_session(), access.selection, current_user.account,
                               invitation_id)
    return _page(access, invited=_invited(access, issued))


@blueprint.route("/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@requires("members.manage")
def withdraw_invitation(access: MemberAccess, invitation_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(access, status=422)
    invitation = invitations.withdraw(db_session(), access.selection, current_user.account,
                                      invitation_id)
    flash(_("The invitation for %(email)s is withdrawn; its link no longer works.",
            email=invitation.email), "success")
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
    """A set-password link for a member without a password. Shown only to an instance
    admin; anyone else's request sends it to the member's own address, or, without
    e-mail, tells them to ask an administrator (decisions.md)."""
    member = memberships.get_member(db_session(), access.selection, membership_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _page(access, status=422)
    if not memberships.may_issue_link(member):
        flash(_("%(name)s has set a password already. A forgotten password is reset by the "
                "administrator.", name=member.account.name), "error")
        return _page(access, status=422)
    if not current_user.account.is_admin and not mail.configured():
        flash(_("Ask an administrator to give %(name)s a set-password link: without e-mail "
                "set up, only an administrator can hand one out.", name=member.account.name),
              "error")
        return _page(access, status=422)
    current_app.logger.info("set-password link issued for %s", member.account.email)
    issued = _issue(access, member)
    if current_user.account.is_admin:
        return _page(access, issued=issued)
    if not issued.mailed:
        flash(_("The e-mail to %(email)s could not be sent. Ask an administrator for a "
                "set-password link.", email=member.account.email), "error")
        return _page(access, status=503)
    flash(_("A set-password link is sent to %(email)s.", email=member.account.email),
          "success")
    return redirect(url_for("members.index", selection_id=access.selection.id))
