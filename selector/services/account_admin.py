"""What an instance admin does with accounts: create, deactivate, reactivate, and issue
one-time set-password links (which also serve a forgotten password). Each change is
written to the audit trail (with no selection)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.services import accounts
from selector.services import audit
from selector.services import logins
from selector.services.errors import NotFound
from selector.services.errors import ServiceError


def all_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.email)))


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(_l("There is no such account."))
    return account


def create_account(
    session: Session, actor: Account, email: str, name: str, admin: bool = False,
    lifetime: timedelta = logins.LINK_LIFETIME,
) -> tuple[Account, logins.IssuedLink]:
    """A new account without a password, and a set-password link for it."""
    if accounts.find_account(session, email) is not None:
        raise ServiceError(_l("An account with this e-mail address exists already."), "email")
    account = accounts.create_account(session, email, name, None, admin=admin)
    audit.record(
        session, selection_id=None, actor=actor, action=AuditAction.CREATE,
        entity=AuditEntity.ACCOUNT,
        entity_key=account.email, new={"name": account.name, "admin": account.is_admin},
    )
    return account, logins.issue_password_link(session, account, lifetime)


def set_active(session: Session, actor: Account, account_id: int, active: bool) -> Account:
    account = get_account(session, account_id)
    if account.id == actor.id and not active:
        raise ServiceError(_l("You cannot deactivate your own account."))
    if account.is_active != active:
        audit.record(
            session, selection_id=None, actor=actor,
            action=AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE,
            entity=AuditEntity.ACCOUNT,
            entity_key=account.email, old={"active": account.is_active}, new={"active": active},
        )
        account.is_active = active
        if not active:
            logins.end_all_sessions(session, account.id)
    return account


def issue_link(
    session: Session, actor: Account, account_id: int,
    lifetime: timedelta = logins.LINK_LIFETIME,
) -> tuple[Account, logins.IssuedLink]:
    account = get_account(session, account_id)
    if not account.is_active:
        raise ServiceError(_l("Reactivate the account first."))
    audit.record(
        session, selection_id=None, actor=actor, action=AuditAction.ISSUE_LINK,
        entity=AuditEntity.ACCOUNT,
        entity_key=account.email,
    )
    return account, logins.issue_password_link(session, account, lifetime)
