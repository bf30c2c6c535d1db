"""The password step of signing in as a service, without the web: what it answers and
which attempts it leaves in the throttle's table (the pages: tests/web/test_security.py,
tests/trust/test_login_delays.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from selector.models import Account
from selector.models import LoginAttempt
from selector.models.base import utcnow
from selector.services import accounts
from selector.services import logins
from selector.services import sign_in

EMAIL = "fenna@example.org"
PASSWORD = "a long and right password"
THROTTLE = logins.Throttle(
    per_account=logins.Delays(free=2, every=1, cap=timedelta(minutes=1),
                              memory=timedelta(hours=1)),
    per_address=logins.ACCOUNT_DELAYS)


def attempt(db, email: str, password: str) -> tuple[sign_in.Step, int, int | None]:
    """(step, seconds to wait, account id) of one password step in its own transaction."""
    with db.transaction() as session:
        result = sign_in.with_password(db, session, email, password, "192.0.2.7", THROTTLE)
        return result.step, result.wait, None if result.account is None else result.account.id


def recorded(db) -> list[bool]:
    with db.transaction(write=False) as session:
        return list(session.scalars(select(LoginAttempt.succeeded).order_by(LoginAttempt.id)))


def test_a_password_step_answers_and_records_each_attempt(db, monkeypatch):
    now = utcnow()
    monkeypatch.setattr(logins, "clock", lambda: now)  # no time passes between attempts
    with db.transaction() as session:
        session.add(Account(email=EMAIL, name="Fenna", password_hash=accounts.hash_password(
            PASSWORD)))

    assert attempt(db, "nobody@example.org", PASSWORD) == (sign_in.Step.WRONG, 0, None)
    assert attempt(db, EMAIL, "wrong") == (sign_in.Step.WRONG, 0, None)
    assert attempt(db, EMAIL, "also wrong") == (sign_in.Step.WRONG, 0, None)
    assert recorded(db) == [False, False, False]
    # Two failures for the account are free; the third attempt waits, unchecked and
    # uncounted, even with the right password.
    assert attempt(db, EMAIL, PASSWORD) == (sign_in.Step.WAIT, 1, None)
    assert recorded(db) == [False, False, False]


def test_the_right_password_signs_in_and_counts_as_a_success(db):
    with db.transaction() as session:
        session.add(Account(email=EMAIL, name="Fenna", password_hash=accounts.hash_password(
            PASSWORD)))
    step, _, account_id = attempt(db, " Fenna@Example.org ", PASSWORD)
    assert step is sign_in.Step.SIGNED_IN
    with db.transaction(write=False) as session:
        assert account_id == accounts.find_account(session, EMAIL).id
        assert sign_in.no_accounts_yet(session) is False
    assert recorded(db) == [True]


def test_an_inactive_account_is_refused_like_a_wrong_password(db):
    with db.transaction() as session:
        assert sign_in.no_accounts_yet(session) is True
        session.add(Account(email=EMAIL, name="Fenna", is_active=False,
                            password_hash=accounts.hash_password(PASSWORD)))
    assert attempt(db, EMAIL, PASSWORD) == (sign_in.Step.WRONG, 0, None)
    assert recorded(db) == [False]
