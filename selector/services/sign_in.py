"""Signing in: the password step and the second-factor step, in their order.

Each step is one call that applies the login throttle (`selector.services.logins`),
checks the secret and records the attempt. It answers with an `Attempt`; the web view
turns that into a page or a redirect, and on success starts the login session with its
cookie. Security assumptions are those of `selector.services.logins`; the
ones these steps add:

* The password attempt is claimed first, as a failure, and committed at once: parallel
  attempts for one account then wait in turn instead of all passing the check before
  any is recorded (`logins.claim_attempt`).
* The password is checked in a read transaction: on SQLite a write transaction holds the
  database's write lock, and Argon2 takes a while on purpose.
* An unknown address is verified against a dummy hash, so it takes as long as a known
  one and is answered alike.
"""

from __future__ import annotations

import enum
import functools
import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.db import Database
from selector.models import Account
from selector.services import accounts
from selector.services import logins
from selector.services import totp


class Step(enum.Enum):
    """What an attempt comes to."""

    WAIT = "wait"  # too soon after failed attempts: nothing checked, nothing counted
    WRONG = "wrong"  # the failure is recorded; the caller keeps it although it answers an error
    SECOND_FACTOR = "second_factor"  # the password is right; the code decides
    UNUSABLE = "unusable"  # the second factor cannot be checked (SECRET_KEY changed)
    SIGNED_IN = "signed_in"  # the caller starts the login session


@dataclass(frozen=True)
class Attempt:
    step: Step
    wait: int = 0  # seconds, for Step.WAIT
    account: Account | None = None  # for Step.SECOND_FACTOR and Step.SIGNED_IN
    message: str = ""  # why the code cannot be checked, for Step.UNUSABLE


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown addresses (the hasher's parameters are fixed)."""
    return accounts.hash_password("not-a-password-of-anyone")


def _account_with_password(database: Database, email: str, password: str) -> int | None:
    """The id of the active account that `password` opens, checked in a read transaction."""
    with database.transaction(write=False) as reading:
        account = accounts.find_account(reading, email)
        if account is None:
            accounts.verify_password(Account(password_hash=_dummy_hash()), password)
        elif accounts.verify_password(account, password) and account.is_active:
            return account.id
    return None


def with_password(
    database: Database,
    session: Session,
    email: str,
    password: str,
    address: str,
    throttle: logins.Throttle,
) -> Attempt:
    """The password step: throttle, check, record."""
    wait, claim = logins.claim_attempt(session, email, address, throttle)
    session.commit()
    if wait:
        return Attempt(Step.WAIT, wait=wait)
    account_id = _account_with_password(database, email, password)
    if account_id is None:
        return Attempt(Step.WRONG)
    account = session.get(Account, account_id)
    accounts.upgrade_password_hash(account, password)  # an older hash is made anew
    if totp.is_enabled(account):
        logins.withdraw_attempt(session, claim)
        return Attempt(Step.SECOND_FACTOR, account=account)
    logins.attempt_succeeded(session, claim)
    if secrets.randbelow(50) == 0:  # now and then: the table stays small
        logins.forget_old_attempts(session)
    return Attempt(Step.SIGNED_IN, account=account)


def no_accounts_yet(session: Session) -> bool:
    """True on a fresh instance: the login page then says how to create the first account."""
    return session.scalar(select(func.count()).select_from(Account)) == 0


def pending_account(session: Session, account_id: int) -> Account | None:
    """The account a pending second-factor step is for, while it can still finish."""
    account = session.get(Account, account_id)
    if account is None or not account.is_active or not totp.is_enabled(account):
        return None
    return account


def with_code(
    session: Session, account: Account, code: str, address: str, throttle: logins.Throttle
) -> Attempt:
    """The second-factor step: throttle, check the code, record.

    A wrong code counts like a wrong password, so the throttle limits guessing."""
    wait = logins.seconds_to_wait(session, account.email, address, throttle)
    if wait:
        return Attempt(Step.WAIT, wait=wait)
    if (unusable := totp.unusable(account)) is not None:
        return Attempt(Step.UNUSABLE, message=unusable)
    if totp.account_code_matches(account, code):
        logins.record_attempt(session, account.email, address, succeeded=True)
        return Attempt(Step.SIGNED_IN, account=account)
    logins.record_attempt(session, account.email, address, succeeded=False)
    return Attempt(Step.WRONG)
