"""Getting in: server-side login sessions, login throttling and one-time set-password links.

Security assumptions written down here, where the code relies on them:

* A login session is a row; the browser's (signed) cookie holds a random token whose
  SHA-256 is the row's id. A cookie works only while its row is not revoked, has not
  expired and its account is active. Logging out revokes that row only; a password
  change or reset revokes every row of the account (`accounts.set_password`).
* Failed logins are rows in `login_attempts`, so the delays hold across gunicorn
  workers and hosts. A wrong password and an unknown e-mail address are recorded and
  answered alike, so the throttle does not tell which addresses have accounts.
* The network address is what the app believes `request.remote_addr` to be: with
  SELECTOR_TRUSTED_PROXIES set, a value from X-Forwarded-For. Without a proxy in front
  that header is the client's choice, so the per-address delay is not relied on alone:
  the per-account delay holds whatever address an attempt claims.
* A set-password link is a random token shown once; only its SHA-256 is stored. It
  works once, before it expires, for an active account.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from selector.models import Account
from selector.models import LoginAttempt
from selector.models import LoginSession
from selector.models import PasswordLink
from selector.models.base import utcnow
from selector.services import accounts

# Defaults; the web app passes its configured values.
SESSION_LIFETIME = timedelta(hours=12)
LINK_LIFETIME = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def with_active_account(
    session: Session, model: Any, *conditions: Any
) -> tuple[Any, Account] | None:
    """The row of `model` (a token's row) that meets `conditions`, with its account,
    when that account is active; None otherwise."""
    row = session.execute(
        select(model, Account)
        .join(Account, Account.id == model.account_id)
        .where(*conditions, Account.is_active.is_(True))
    ).first()
    return (row[0], row[1]) if row else None


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
    return with_active_account(
        session, LoginSession,
        LoginSession.id == token_hash(token),
        LoginSession.revoked_at.is_(None),
        LoginSession.created_at > utcnow() - lifetime,
    )


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
#
# Growing delays, not a lock: after some failures the next attempt for that e-mail
# address, and separately from that network address, is refused until a delay has passed
# since the last failure; the delay doubles with further failures up to a cap. Refused
# attempts are not checked and not recorded, so waiting is all the rightful owner needs:
# the right password after the delay works. The per-account delay holds whatever address
# the attempts come from (a rotated X-Forwarded-For gains nothing against one account);
# the per-address delay starts later, grows slower and stays short, so that one guesser
# cannot make a whole office behind one address wait long.


def clock() -> datetime:
    """Now, as throttling sees it; tests replace it to let time pass without sleeping."""
    return utcnow()


@dataclass(frozen=True)
class Delays:
    """After `free` failures the next attempt waits 1 s, doubling every `every` further
    failures, at most `cap`. Failures older than `memory` are forgotten."""

    free: int
    every: int
    cap: timedelta
    memory: timedelta

    def after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        doublings = min((failures - self.free) // max(self.every, 1), 30)
        return min(self.cap, timedelta(seconds=2**doublings))


ACCOUNT_DELAYS = Delays(free=5, every=1, cap=timedelta(minutes=15), memory=timedelta(days=1))
ADDRESS_DELAYS = Delays(free=20, every=2, cap=timedelta(minutes=1), memory=timedelta(hours=1))


@dataclass(frozen=True)
class Throttle:
    per_account: Delays = ACCOUNT_DELAYS
    per_address: Delays = ADDRESS_DELAYS


def _clip(email: str, address: str) -> tuple[str, str]:
    return accounts.normalise_email(email)[:254], (address or "unknown")[:64]


def _failures(session: Session, *where) -> tuple[int, datetime | None]:
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.succeeded.is_(False), *where)
    ).one()
    return int(count or 0), last


def _one_at_a_time(session: Session, email: str) -> None:
    """Serialise checks of one account until the transaction ends. SQLite's write
    transaction (BEGIN IMMEDIATE) does so already; PostgreSQL takes an advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"login:" + email.encode()).digest()[:8], "big",
                             signed=True)
        session.execute(select(func.pg_advisory_xact_lock(key)))


def seconds_to_wait(session: Session, email: str, address: str, throttle: Throttle) -> int:
    """How long an attempt for `email` from `address` must wait before it is checked:
    0 when it may be checked now. Failures of the account count since its last success.
    In a write transaction, checks of one account wait for each other until it ends."""
    email, address = _clip(email, address)
    _one_at_a_time(session, email)
    now = clock()
    since = now - throttle.per_account.memory
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.at > since
        )
    )
    waits = [timedelta(0)]
    # (A delay of 0 means no wait, even when a parallel attempt's row is a little
    # younger than this `now`.)
    count, last = _failures(session, LoginAttempt.email == email,
                            LoginAttempt.at > max(last_success or since, since))
    if count and (delay := throttle.per_account.after(count)):
        waits.append(last + delay - now)
    waits.append(_address_wait(session, address, throttle.per_address, now,
                               LoginAttempt.email != PORTAL_LOOKUP))
    return math.ceil(max(waits).total_seconds())


#: The e-mail word under which failed vendor-portal lookups are recorded (they name no
#: account). They have a per-address budget of their own: a vendor mistyping its link must
#: not delay the committee's logins from a shared office, nor the other way round.
PORTAL_LOOKUP = "vendor-portal"


def _address_wait(session: Session, address: str, delays: Delays, now: datetime,
                  *kind) -> timedelta:
    count, last = _failures(session, LoginAttempt.address == address,
                            LoginAttempt.at > now - delays.memory, *kind)
    if count and (delay := delays.after(count)):
        return last + delay - now
    return timedelta(0)


def address_wait(session: Session, address: str, delays: Delays = ADDRESS_DELAYS) -> int:
    """Seconds that a vendor-portal lookup from `address` must wait: the per-address delay
    alone, for a secret that names no account, counting failed lookups only."""
    _, address = _clip("", address)
    now = clock()
    wait = _address_wait(session, address, delays, now, LoginAttempt.email == PORTAL_LOOKUP)
    return max(0, math.ceil(wait.total_seconds()))


def claim_attempt(
    session: Session, email: str, address: str, throttle: Throttle
) -> tuple[int, LoginAttempt | None]:
    """Before a password is checked: the seconds to wait, or 0 and the attempt, recorded
    as failed until `attempt_succeeded`. Commit before the slow check, so that the next
    attempt for the account (in another thread or worker) already counts this one."""
    wait = seconds_to_wait(session, email, address, throttle)
    if wait:
        return wait, None
    email, address = _clip(email, address)
    attempt = LoginAttempt(email=email, address=address, succeeded=False, at=clock())
    session.add(attempt)
    session.flush()
    return 0, attempt


def attempt_succeeded(session: Session, attempt: LoginAttempt | None) -> None:
    if attempt is not None:
        attempt.succeeded = True
        session.flush()


def withdraw_attempt(session: Session, attempt: LoginAttempt | None) -> None:
    """The password was right but a second step decides (the code): neither outcome yet."""
    if attempt is not None:
        session.delete(attempt)
        session.flush()


def record_attempt(session: Session, email: str, address: str, succeeded: bool) -> None:
    email, address = _clip(email, address)
    session.add(LoginAttempt(email=email, address=address, succeeded=succeeded, at=clock()))
    session.flush()


def forget_old_attempts(session: Session, older_than: timedelta = timedelta(days=30)) -> None:
    """Drop attempts nobody needs any more (throttling looks back minutes)."""
    session.execute(
        LoginAttempt.__table__.delete().where(LoginAttempt.at < clock() - older_than)
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
    return with_active_account(
        session, PasswordLink,
        PasswordLink.token_hash == token_hash(token),
        PasswordLink.used_at.is_(None),
        PasswordLink.expires_at > utcnow(),
    )


def use_link(session: Session, link: PasswordLink, account: Account, password: str) -> None:
    """Set the password with a link: the link is used up, every session of the account
    ends (accounts.set_password). Raises PasswordRejected when the policy refuses."""
    accounts.set_password(session, account, password)
    link.used_at = utcnow()
    session.flush()
