"""Getting in: server-side login sessions, login throttling and one-time set-password links.

Security assumptions written down here, where the code relies on them:

* A login session is a row; the browser's (signed) cookie holds a random token whose
  SHA-256 is the row's id. A cookie works only while its row is not revoked, has not
  expired and its account is active. Logging out revokes that row only; a password
  change or reset revokes every row of the account (`accounts.set_password`).
* Failed logins are rows in `login_attempts`, so the limit holds across gunicorn
  workers and hosts. A wrong password and an unknown e-mail address are recorded and
  answered alike, so the throttle does not tell which addresses have accounts.
* A set-password link is a random token shown once; only its SHA-256 is stored. It
  works once, before it expires, for an active account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from selector.models import Account, LoginAttempt, LoginSession, PasswordLink
from selector.models.base import utcnow
from selector.services import accounts

# Defaults; the web app passes its configured values.
SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
LINK_LIFETIME = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- sessions -----------------------------------------------------------------------------


def start_session(session: Session, account: Account) -> str:
    """A new login session for `account`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=token_hash(token), account_id=account.id))
    session.flush()
    return token


def active_session(
    session: Session, token: str, lifetime: timedelta = SESSION_LIFETIME
) -> tuple[LoginSession, Account] | None:
    """The session row and account of a cookie token, if it still works."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(LoginSession, Account)
        .join(Account, Account.id == LoginSession.account_id)
        .where(
            LoginSession.id == token_hash(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.created_at > utcnow() - lifetime,
            Account.is_active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row else None


def end_session(session: Session, token: str) -> None:
    """Revoke one login session (logout)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(session: Session, account_id: int) -> None:
    """Revoke every login session of an account (deactivation)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# -- throttling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    window: timedelta = THROTTLE_WINDOW
    per_account: int = MAX_FAILURES_PER_ACCOUNT
    per_address: int = MAX_FAILURES_PER_ADDRESS


def _clip(email: str, address: str) -> tuple[str, str]:
    return accounts.normalise_email(email)[:254], (address or "unknown")[:64]


def is_throttled(session: Session, email: str, address: str, throttle: Throttle) -> bool:
    """Too many failed logins in the window: for this e-mail address (since its last
    success) or from this network address."""
    email, address = _clip(email, address)
    since = utcnow() - throttle.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.at > since
        )
    )
    account_failures = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > (last_success or since),
        )
    )
    if account_failures >= throttle.per_account:
        return True
    address_failures = session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.address == address,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    )
    return address_failures >= throttle.per_address


def record_attempt(session: Session, email: str, address: str, succeeded: bool) -> None:
    email, address = _clip(email, address)
    session.add(LoginAttempt(email=email, address=address, succeeded=succeeded))
    session.flush()


def forget_old_attempts(session: Session, older_than: timedelta = timedelta(days=30)) -> None:
    """Drop attempts nobody needs any more (throttling looks back minutes)."""
    session.execute(
        LoginAttempt.__table__.delete().where(LoginAttempt.at < utcnow() - older_than)
    )


# -- set-password links -------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime


def issue_password_link(
    session: Session, account: Account, lifetime: timedelta = LINK_LIFETIME
) -> IssuedLink:
    """A new one-time link for `account`; earlier unused links of it stop working."""
    now = utcnow()
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.account_id == account.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    session.add(
        PasswordLink(account_id=account.id, token_hash=token_hash(token), expires_at=expires_at)
    )
    session.flush()
    return IssuedLink(token, expires_at)


def valid_link(session: Session, token: str) -> tuple[PasswordLink, Account] | None:
    """The link and account for a token, when the link can still be used."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(PasswordLink, Account)
        .join(Account, Account.id == PasswordLink.account_id)
        .where(
            PasswordLink.token_hash == token_hash(token),
            PasswordLink.used_at.is_(None),
            PasswordLink.expires_at > utcnow(),
            Account.is_active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row else None


def use_link(session: Session, link: PasswordLink, account: Account, password: str) -> None:
    """Set the password with a link: the link is used up, every session of the account
    ends (accounts.set_password). Raises PasswordRejected when the policy refuses."""
    accounts.set_password(session, account, password)
    link.used_at = utcnow()
    session.flush()
