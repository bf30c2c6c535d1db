"""Inviting someone to a selection, and that person (or an admin) accepting.

Why not add the member at once: any signed-in account can create a selection and so
"add" any address. When adding created a membership at once and handed out a
set-password link for accounts without a password, that was an account takeover
(issue 17). Now the facilitator's add records an invitation and gets its link to pass
on; the same answer whether the address has an account or not, with the name the
facilitator typed, never the stored one. The link alone gives nothing: an existing
account accepts only while logged in as itself; an address without an account chooses
its password through the link (the account is made then, so no junk accounts are made
on every address typed); or an instance admin confirms the invitation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.limits import max_length
from selector.domain.vocabulary import ROLES
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Invitation
from selector.models import Membership
from selector.models import Selection
from selector.models.base import utcnow
from selector.services import accounts
from selector.services import audit
from selector.services import memberships
from selector.services.email_addresses import checked_email
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.logins import token_hash
from selector.services.passwords import check_password_policy

LIFETIME = timedelta(days=14)
NAME_LENGTH = max_length("member", "name")
MAX_OPEN_PER_SELECTION = 200  # a selection's committee is tens of people, not thousands


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its link's token, which exists only in this response."""

    invitation: Invitation
    token: str


def _new_token(invitation: Invitation, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = utcnow() + lifetime
    return token


def _is_member(session: Session, selection: Selection, email: str) -> bool:
    return session.scalar(
        select(func.count()).select_from(Membership)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == selection.id, Account.email == email,
               Membership.removed_at.is_(None))
    ) > 0


# An open invitation: neither accepted (or confirmed), declined nor withdrawn.
OPEN = (
    Invitation.accepted_at.is_(None),
    Invitation.declined_at.is_(None),
    Invitation.withdrawn_at.is_(None),
)


def _open(selection_id: int):
    return (Invitation.selection_id == selection_id, *OPEN)


def invite(
    session: Session, selection: Selection, actor: Account, email: str, role: str,
    name: str = "", lifetime: timedelta = LIFETIME,
) -> IssuedInvitation:
    """Record an invitation; the same outcome whether the address has an account."""
    if role not in ROLES:
        raise ServiceError(_l("Choose one of the roles."), "role")
    email = checked_email(email)
    name = name.strip()
    if len(name) > NAME_LENGTH:
        raise ServiceError(_l("The name can have at most 200 characters."), "name")
    if _is_member(session, selection, email):
        raise ServiceError(_l("This person is a member already."), "email")
    if session.scalar(select(Invitation.id).where(*_open(selection.id),
                                                  Invitation.email == email)):
        raise ServiceError(
            _l("An invitation for this address is open already: give it a new link in the "
               "list of invitations."), "email")
    open_count = session.scalar(
        select(func.count()).select_from(Invitation).where(*_open(selection.id)))
    if open_count >= MAX_OPEN_PER_SELECTION:
        raise ServiceError(
            _l("This selection has %(count)d open invitations: withdraw some first.",
               count=MAX_OPEN_PER_SELECTION), "email")
    invitation = Invitation(selection_id=selection.id, email=email, name=name, role=role,
                            invited_by_id=actor.id)
    token = _new_token(invitation, lifetime)
    session.add(invitation)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.INVITE,
                 entity=AuditEntity.MEMBER, entity_key=email, new={"role": role})
    return IssuedInvitation(invitation, token)


def open_invitations(session: Session, selection: Selection) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation).where(*_open(selection.id)).order_by(Invitation.created_at,
                                                                Invitation.id)))


def get_open(session: Session, selection: Selection, invitation_id: int) -> Invitation:
    invitation = session.scalar(
        select(Invitation).where(*_open(selection.id), Invitation.id == invitation_id))
    if invitation is None:
        raise NotFound(_l("There is no such open invitation in this selection."))
    return invitation


def renew(session: Session, selection: Selection, actor: Account, invitation_id: int,
          lifetime: timedelta = LIFETIME) -> IssuedInvitation:
    """A new link for an open invitation; the old link stops working."""
    invitation = get_open(session, selection, invitation_id)
    token = _new_token(invitation, lifetime)
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.RENEW,
                 entity=AuditEntity.INVITATION, entity_key=invitation.email)
    session.flush()
    return IssuedInvitation(invitation, token)


def withdraw(session: Session, selection: Selection, actor: Account,
             invitation_id: int) -> Invitation:
    invitation = get_open(session, selection, invitation_id)
    invitation.withdrawn_at = utcnow()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.WITHDRAW,
                 entity=AuditEntity.INVITATION, entity_key=invitation.email,
                 old={"role": invitation.role})
    session.flush()
    return invitation


@dataclass(frozen=True)
class Found:
    invitation: Invitation
    selection: Selection
    inviter: Account
    account: Account | None  # the invited address's account, when it has one


def find_by_token(session: Session, token: str) -> Found | None:
    """The open, unexpired invitation of a link's token."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(Invitation, Selection, Account)
        .join(Selection, Selection.id == Invitation.selection_id)
        .join(Account, Account.id == Invitation.invited_by_id)
        .where(Invitation.token_hash == token_hash(token), Invitation.expires_at > utcnow(),
               *OPEN)
    ).first()
    if row is None:
        return None
    return Found(row[0], row[1], row[2], accounts.find_account(session, row[0].email))


def _join(session: Session, found: Found, account: Account, confirmed_by: Account | None
          ) -> memberships.Member:
    invitation = found.invitation
    invitation.accepted_at = utcnow()
    invitation.confirmed_by_id = confirmed_by.id if confirmed_by is not None else None
    if _is_member(session, found.selection, account.email):  # added meanwhile
        member = next(m for m in memberships.members_of(session, found.selection)
                      if m.account.id == account.id)
    else:
        member = memberships.add_member(session, found.selection, confirmed_by or account,
                                        account.email, invitation.role).member
    session.flush()
    return member


def accept(session: Session, found: Found, account: Account) -> memberships.Member:
    """The invited person, logged in as the invited address, joins."""
    if account.email != found.invitation.email:
        raise ServiceError(_l("This invitation is for another account."))
    return _join(session, found, account, None)


def decline(session: Session, found: Found, account: Account) -> None:
    if account.email != found.invitation.email:
        raise ServiceError(_l("This invitation is for another account."))
    found.invitation.declined_at = utcnow()
    audit.record(session, selection_id=found.selection.id, actor=account,
                 action=AuditAction.DECLINE,
                 entity=AuditEntity.INVITATION, entity_key=account.email)
    session.flush()


def accept_as_new_account(session: Session, found: Found, name: str,
                          password: str) -> Account | None:
    """An address without an account chooses its name and password through the link,
    and joins. For an address that has an account nothing changes (it accepts after
    logging in), and the caller answers alike, so that whoever holds the link does not
    learn whether the address has an account: the password is hashed either way."""
    name = name.strip()
    if not name:
        raise ServiceError(_l("Enter your name."), "name")
    if len(name) > NAME_LENGTH:
        raise ServiceError(_l("The name can have at most 200 characters."), "name")
    check_password_policy(password, email=found.invitation.email)
    if accounts.find_account(session, found.invitation.email) is not None:
        accounts.hash_password(password)  # as long as making the account takes
        return None
    account = accounts.create_account(session, found.invitation.email, name, password)
    audit.record(session, selection_id=None, actor=account, action=AuditAction.CREATE,
                 entity=AuditEntity.ACCOUNT, entity_key=account.email,
                 new={"name": account.name, "admin": False})
    _join(session, found, account, None)
    return account


def accepted_by(session: Session, token: str, account: Account) -> Selection | None:
    """The selection of an invitation this account accepted with this link (where the
    link leads after the new account's first login)."""
    if not token or len(token) > 200:
        return None
    return session.scalar(
        select(Selection).join(Invitation, Invitation.selection_id == Selection.id)
        .where(Invitation.token_hash == token_hash(token), Invitation.email == account.email,
               Invitation.accepted_at.is_not(None))
    )


# -- the instance admin ---------------------------------------------------------------


def all_open(session: Session) -> list[tuple[Invitation, Selection, Account]]:
    """Every open invitation of the instance, newest first (the admin's list)."""
    return [tuple(row) for row in session.execute(
        select(Invitation, Selection, Account)
        .join(Selection, Selection.id == Invitation.selection_id)
        .join(Account, Account.id == Invitation.invited_by_id)
        .where(*OPEN)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()]


def confirm(session: Session, admin: Account, invitation_id: int) -> memberships.Member:
    """An admin confirms an invitation for the person (who may have no account yet: it is
    made without a password; the admin then issues a set-password link)."""
    row = session.execute(
        select(Invitation, Selection, Account)
        .join(Selection, Selection.id == Invitation.selection_id)
        .join(Account, Account.id == Invitation.invited_by_id)
        .where(Invitation.id == invitation_id, *OPEN)
    ).first()
    if row is None:
        raise NotFound(_l("There is no such open invitation."))
    invitation = row[0]
    account = accounts.find_account(session, invitation.email)
    if account is None:
        account = accounts.ensure_account(session, invitation.email,
                                          invitation.name or invitation.email.split("@")[0])
        audit.record(session, selection_id=None, actor=admin, action=AuditAction.CREATE,
                     entity=AuditEntity.ACCOUNT, entity_key=account.email,
                     new={"name": account.name, "admin": False})
    elif not account.is_active:
        raise ServiceError(_l("This account is deactivated: reactivate it first."))
    return _join(session, Found(invitation, row[1], row[2], account), account, admin)
