"""Login throttling by growing delays, not a lock (issue 17, item 12).

The attacks of the issue: five wrong passwords locked the rightful owner out for 15
minutes (and for ever while someone kept guessing), twenty failures from one address
locked a whole office behind it, and with SELECTOR_TRUSTED_PROXIES set but no proxy in
front a rotated X-Forwarded-For chose the address the app believed. Now an attempt too
soon after failures is refused unchecked (429, Retry-After) and the right password after
the delay works; the per-account delay holds whatever address an attempt claims. The
throttle's clock is moved by the tests (`login_clock`), never slept on.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import LoginAttempt
from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser


def _failures(dbs, **where) -> int:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.succeeded.is_(False),
            *(getattr(LoginAttempt, key) == value for key, value in where.items())))


def _attempt(browser: Browser, email: str, password: str, **headers):
    return browser.post("/login", {"email": email, "password": password}, headers=headers)


def test_the_owner_gets_in_after_a_short_wait_not_a_lock(app, dbs, committee, browser,
                                                         login_clock):
    email = committee.emails["business"]
    browser.refresh_token()
    for _ in range(5):
        assert _attempt(browser, email, "a guess").status_code == 422
    refused = _attempt(browser, email, PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "Too many failed attempts. Wait 1 second and try again." in \
        refused.get_data(as_text=True)
    login_clock.advance(1)
    owner = Browser(app)
    owner.login(email)  # the right password after the delay: no lock
    assert owner.get("/").status_code == 200
    assert _failures(dbs, email=email) == 5  # the refused attempt was neither checked nor counted


def test_the_delays_grow_with_every_failure_and_stop_at_fifteen_minutes(app, dbs, committee,
                                                                        browser, login_clock):
    email = committee.emails["it"]
    browser.refresh_token()
    waits = []
    for number in range(24):  # an attacker who guesses again as soon as allowed
        forwarded = {"REMOTE_ADDR": f"198.51.100.{number}"}  # another address each time
        response = browser.post("/login", {"email": email, "password": "a guess"},
                                environ_base=forwarded)
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            login_clock.advance(waits[-1])
            response = browser.post("/login", {"email": email, "password": "a guess"},
                                    environ_base=forwarded)
        assert response.status_code == 422
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] + [900] * 9
    # The rightful owner, after the longest delay, gets in; the page said so in minutes.
    owner = Browser(app)
    owner.refresh_token()
    refused = _attempt(owner, email, PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    assert "Wait 15 minutes and try again." in refused.get_data(as_text=True)
    login_clock.advance(900)
    owner.login(email)


def test_one_guesser_does_not_make_an_office_behind_one_address_wait_long(
        app, committee, browser, login_clock):
    browser.refresh_token()
    for number in range(20):
        assert _attempt(browser, f"guess{number}@example.org", "x").status_code == 422
    colleague = Browser(app)  # same test client address: the same office
    colleague.refresh_token()
    refused = _attempt(colleague, committee.emails["it"], PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    login_clock.advance(1)
    colleague.login(committee.emails["it"])
    # However long the guesser goes on, the office waits at most a minute after a failure.
    for number in range(20, 120):
        response = _attempt(browser, f"guess{number}@example.org", "x")
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) <= 60
            login_clock.advance(int(response.headers["Retry-After"]))
            response = _attempt(browser, f"guess{number}@example.org", "x")
        assert response.status_code == 422
    other = Browser(app)
    other.refresh_token()
    waited = _attempt(other, committee.emails["business"], PASSWORD)
    assert waited.status_code == 429 and waited.headers["Retry-After"] == "60"
    login_clock.advance(60)
    other.login(committee.emails["business"])


@pytest.fixture
def exposed(app, database_url, tmp_path, monkeypatch):
    """The committee's instance with SELECTOR_TRUSTED_PROXIES=1 but no proxy in front:
    the client writes X-Forwarded-For itself."""
    from selector.web import database
    from selector.web.app import create_app

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    believing = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                            "DATABASE_URL": database_url, "SERVER_NAME": "selector.test",
                            "TRUSTED_PROXIES": 1})
    yield believing
    database.dispose(believing)


def test_a_rotated_x_forwarded_for_gains_no_guesses_against_an_account(
        exposed, committee, login_clock):
    """A new address on every attempt, against one account."""
    from selector.web import database

    email = committee.emails["sponsor"]
    attacker = Browser(exposed)
    attacker.refresh_token()
    statuses = []
    for number in range(60):
        statuses.append(_attempt(attacker, email, f"guess {number}",
                                 **{"X-Forwarded-For": f"203.0.113.{number}"}).status_code)
    assert statuses == [422] * 5 + [429] * 55
    # The right password among the refused tries would not have been checked either.
    right = _attempt(attacker, email, PASSWORD, **{"X-Forwarded-For": "203.0.113.250"})
    assert right.status_code == 429
    with database.database(exposed).transaction(write=False) as session:
        rows = session.execute(select(LoginAttempt.address).where(
            LoginAttempt.email == email)).scalars().all()
    assert len(rows) == 5 and len(set(rows)) == 5  # five addresses believed, 5 guesses

    # Guessing as fast as the delays allow, for a day: about 110 guesses, then one
    # per 15 minutes (the old window, 5 failures per 15 minutes, allowed 480 a day).
    guesses, elapsed, number = 5, 0, 60
    while elapsed < 24 * 3600:
        number += 1
        response = _attempt(attacker, email, f"guess {number}",
                            **{"X-Forwarded-For": f"203.0.{number % 250}.{number % 200}"})
        if response.status_code == 429:
            wait = int(response.headers["Retry-After"])
            login_clock.advance(wait)
            elapsed += wait
        else:
            assert response.status_code == 422
            guesses += 1
    assert guesses <= 115


def test_a_request_around_the_proxy_is_logged_once(exposed, committee, caplog):
    client = exposed.test_client()
    client.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})
    assert "SELECTOR_TRUSTED_PROXIES" not in caplog.text
    client.get("/login")  # straight from the client: no proxy added the header
    client.get("/login")
    assert caplog.text.count("SELECTOR_TRUSTED_PROXIES is set, but a request") == 1


def test_wrong_codes_and_the_password_change_page_wait_alike(app, committee, browser,
                                                             login_clock):
    email = committee.emails["it"]
    browser.login(email)
    for _ in range(5):
        response = browser.post("/account/password", {
            "current_password": "a guess", "new_password": "a new long passphrase",
            "confirm": "a new long passphrase"})
        assert response.status_code == 422
    response = browser.post("/account/password", {
        "current_password": PASSWORD, "new_password": "a new long passphrase",
        "confirm": "a new long passphrase"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "Too many failed attempts" in response.get_data(as_text=True)
    login_clock.advance(1)
    response = browser.post("/account/password", {
        "current_password": PASSWORD, "new_password": "a new long passphrase",
        "confirm": "a new long passphrase"})
    assert response.status_code == 302


def test_parallel_guesses_wait_their_turn(app, dbs, committee, browser, login_clock):
    """Eight guesses sent at the same moment, once the delay has passed: one is checked,
    the others wait (each attempt is claimed before its password is checked)."""
    import threading

    email = committee.emails["observer"]
    browser.refresh_token()
    for _ in range(5):
        assert _attempt(browser, email, "a guess").status_code == 422
    login_clock.advance(1)
    attackers = [Browser(app) for _ in range(8)]
    for attacker in attackers:
        attacker.refresh_token()
    start = threading.Barrier(len(attackers))
    statuses: list[int] = []

    def guess(attacker: Browser, number: int) -> None:
        start.wait()
        statuses.append(_attempt(attacker, email, f"parallel guess {number}").status_code)

    threads = [threading.Thread(target=guess, args=(a, n)) for n, a in enumerate(attackers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [422] + [429] * 7
    assert _failures(dbs, email=email) == 6
