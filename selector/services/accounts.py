"""Accounts: creating them, hashing and checking passwords (Argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import limits
from selector.models import Account
from selector.models import LoginSession
from selector.models.base import utcnow
from selector.services.errors import ServiceError
from selector.services.passwords import check_password_policy

# Argon2id with the OWASP Password Storage Cheat Sheet's recommended parameters (19 MiB,
# 2 passes, 1 lane): ~30 ms of one core per login. argon2-cffi's defaults (RFC 9106's
# 64 MiB, 3 passes, 4 lanes) took 0.2 s of both cores of a 2-core server, so a committee
# logging in at the start of a meeting stalled everyone's pages for seconds.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(account: Account, password: str) -> bool:
    if not account.password_hash:
        return False
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def upgrade_password_hash(account: Account, password: str) -> None:
    """After a correct password: a hash made with other parameters than today's is made
    again, so that every account moves to the current parameters at its next login."""
    if account.password_hash and _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalise_email(email)))


def ensure_account(session: Session, email: str, name: str = "") -> Account:
    """The account for an e-mail address; created without a password when missing."""
    account = find_account(session, email)
    if account is None:
        account = Account(email=normalise_email(email), name=name or email.split("@")[0])
        session.add(account)
        session.flush()
    return account


def create_account(
    session: Session, email: str, name: str, password: str | None, admin: bool = False
) -> Account:
    email = email.strip()
    try:  # the one rule of the forms and `selector import`; English: no Flask here
        email = limits.normalise_email(email)
    except limits.Refused as refused:
        if refused.reason == "email_not_ascii":
            raise ServiceError(
                f"'{email}' holds {refused.detail!r}, which is not plain ASCII; e-mail "
                "addresses are accepted in ASCII only, so that none can pass for another",
                field="email") from None
        raise ServiceError(f"'{email}' is not an e-mail address", field="email") from None
    if find_account(session, email) is not None:
        raise ServiceError(f"an account for {email} exists already", field="email")
    account = Account(email=email, name=name.strip() or email.split("@")[0], is_admin=admin)
    if password is not None:
        check_password_policy(password, email=email)
        account.password_hash = hash_password(password)
    session.add(account)
    session.flush()
    return account


def set_password(session: Session, account: Account, password: str) -> None:
    """Set a new password and end every session of the account (decisions.md)."""
    check_password_policy(password, email=account.email)
    account.password_hash = hash_password(password)
    now = utcnow()
    for login in session.scalars(
        select(LoginSession).where(
            LoginSession.account_id == account.id, LoginSession.revoked_at.is_(None)
        )
    ):
        login.revoked_at = now
