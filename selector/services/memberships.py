"""Members of a selection: adding them by e-mail with a role, changing roles, removing.

Removing a member sets `removed_at` (their scores are kept, audited, and no longer
count); adding them again brings the same row back. A selection always keeps at least
one facilitator. Every change is audited in the same transaction.

A membership id from another selection is "not found": callers pass the selection they
checked access for, and every lookup is filtered by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import ROLES
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Membership
from selector.models import Selection
from selector.services import accounts
from selector.services import audit
from selector.services.email_addresses import checked_email
from selector.services.errors import NotFound
from selector.services.errors import ServiceError


def role_order():
    """Order by role as the committee is usually listed: facilitator first."""
    return case({role: index for index, role in enumerate(ROLES)}, value=Membership.role)


@dataclass
class Member:
    membership: Membership
    account: Account


def members_of(session: Session, selection: Selection, removed: bool = False) -> list[Member]:
    """Current members (or, with `removed`, former ones), by role then name."""
    condition = (
        Membership.removed_at.is_not(None) if removed else Membership.removed_at.is_(None)
    )
    rows = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == selection.id, condition)
        .order_by(role_order(), Account.name, Account.email)
    ).all()
    return [Member(m, a) for m, a in rows]


def get_member(session: Session, selection: Selection, membership_id: int) -> Member:
    """A current member of this selection; any other id is not found."""
    row = session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(
            Membership.id == membership_id,
            Membership.selection_id == selection.id,
            Membership.removed_at.is_(None),
        )
    ).first()
    if row is None:
        raise NotFound(_l("There is no such member in this selection."))
    return Member(row[0], row[1])


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ServiceError(_l("Choose one of the roles."), "role")


def _facilitators(session: Session, selection: Selection) -> int:
    return session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.selection_id == selection.id,
            Membership.role == "facilitator",
            Membership.removed_at.is_(None),
        )
    )


@dataclass
class Added:
    member: Member
    new_account: bool  # an account was created for the address
    rejoined: bool  # a former member came back


def add_member(
    session: Session, selection: Selection, actor: Account, email: str, role: str, name: str = ""
) -> Added:
    """Add an account to the selection, creating it (without a password) when new."""
    _check_role(role)
    email = checked_email(email)  # the one rule of forms and import (domain.limits)
    if len(name.strip()) > 200:
        raise ServiceError(_l("The name can have at most 200 characters."), "name")
    account = accounts.find_account(session, email)
    new_account = account is None
    if account is None:
        account = accounts.ensure_account(session, email, name.strip())
    elif not account.is_active:
        raise ServiceError(
            _l("This account is deactivated; ask the administrator to reactivate it."), "email"
        )
    membership = session.scalar(
        select(Membership).where(
            Membership.selection_id == selection.id, Membership.account_id == account.id
        )
    )
    rejoined = False
    if membership is not None and membership.removed_at is None:
        raise ServiceError(_l("This person is a member already."), "email")
    if membership is not None:
        old = {"role": membership.role, "removed": True}
        membership.removed_at = None
        membership.role = role
        rejoined = True
    else:
        old = None
        membership = Membership(selection_id=selection.id, account_id=account.id, role=role)
        session.add(membership)
    session.flush()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
        entity=AuditEntity.MEMBER,
        entity_key=account.email, old=old, new={"role": role},
    )
    return Added(Member(membership, account), new_account, rejoined)


def change_role(
    session: Session, selection: Selection, actor: Account, membership_id: int, role: str
) -> Member:
    _check_role(role)
    member = get_member(session, selection, membership_id)
    old = member.membership.role
    if old == role:
        return member
    if old == "facilitator" and _facilitators(session, selection) <= 1:
        raise ServiceError(
            _l("A selection needs a facilitator: make someone else facilitator first."), "role"
        )
    member.membership.role = role
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.MEMBER,
        entity_key=member.account.email, old={"role": old}, new={"role": role},
    )
    session.flush()
    return member


def remove_member(
    session: Session, selection: Selection, actor: Account, membership_id: int
) -> Member:
    """Set `removed_at`: the member loses access; their scores stay but do not count."""
    from selector.models.base import utcnow

    member = get_member(session, selection, membership_id)
    if member.membership.role == "facilitator" and _facilitators(session, selection) <= 1:
        raise ServiceError(
            _l("A selection needs a facilitator: make someone else facilitator first.")
        )
    member.membership.removed_at = utcnow()
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.DELETE,
        entity=AuditEntity.MEMBER,
        entity_key=member.account.email, old={"role": member.membership.role}, new=None,
    )
    session.flush()
    return member


def may_issue_link(member: Member) -> bool:
    """A facilitator may hand out a set-password link only for an account that has
    no password yet: otherwise a facilitator could take over someone's account."""
    return member.account.password_hash is None and member.account.is_active
