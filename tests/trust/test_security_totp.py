"""The optional second factor (TOTP): set up on the account page, confirmed with a code,
asked for after the password (the login session starts only after the right code),
throttled like passwords, turned off with password and code, audited, and required of
facilitators when the instance says so (issue 10, point 2)."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from selector.models import AuditEntry
from selector.models import LoginSession
from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser


def _secret_on(page: str) -> str:
    found = re.search(r'id="totp-secret"[^>]*value="([A-Z2-7 ]+)"', page)
    assert found, "no key on the page"
    return found.group(1).replace(" ", "")


def _account(dbs, email: str) -> Account:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(Account).where(Account.email == email))


def _stored_secret(app, dbs, email: str) -> str:
    """The account's secret as the app opens it (it is stored sealed)."""
    from selector.services import totp

    account = _account(dbs, email)
    assert totp.is_sealed(account.totp_secret)
    with app.app_context():
        return totp.reveal(account.totp_secret, account.id)


def _audit(dbs, email: str) -> list[tuple[str, str]]:
    with dbs.transaction(write=False) as session:
        return [tuple(row) for row in session.execute(
            select(AuditEntry.action, AuditEntry.entity).where(
                AuditEntry.entity_key == email, AuditEntry.entity == "second_factor")
            .order_by(AuditEntry.id))]


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def _wrong(secret: str) -> str:
    right = {pyotp.TOTP(secret).at(time.time() + step * 30) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def password_step(browser: Browser, email: str, password: str = PASSWORD, **extra):
    """The first step; the code step's page brings a new CSRF token (the session was
    started afresh)."""
    browser.refresh_token()
    response = browser.post("/login", {"email": email, "password": password, **extra})
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        browser.refresh_token("/login/code")
    return response


def signed_in_with_code(app, dbs, email: str) -> tuple[Browser, str]:
    """Turn the second factor on for `email`, then log in with password and code; the
    browser and the secret."""
    secret = enable(app, dbs, email)
    browser = Browser(app)
    password_step(browser, email)
    assert browser.post("/login/code", {"code": _code(secret)}).status_code == 302
    browser.refresh_token("/")
    return browser, secret


def enable(app, dbs, email: str) -> str:
    """Set up the second factor for `email` through the pages; returns the secret."""
    browser = Browser(app)
    browser.login(email)
    secret = _secret_on(browser.get("/account/two-factor").get_data(as_text=True))
    response = browser.post("/account/two-factor/enable", {"code": _code(secret)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return secret


def test_the_account_page_shows_the_key_the_uri_and_a_qr_code(app, committee, browser):
    browser.login(committee.emails["business"])
    account = browser.get("/account").get_data(as_text=True)
    assert 'href="/account/two-factor"' in account and "Second factor" in account
    page = browser.get("/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = _secret_on(html)
    assert len(secret) == 32
    assert f"otpauth://totp/Selector:bram%40example.org?secret={secret}&amp;issuer=Selector" \
        in html
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, drawn offline
    assert page.headers["Cache-Control"] == "no-store"
    # Reloading keeps the same key (the app may have scanned it already).
    assert _secret_on(browser.get("/account/two-factor").get_data(as_text=True)) == secret


def test_a_wrong_code_turns_nothing_on(app, dbs, committee, browser):
    email = committee.emails["business"]
    browser.login(email)
    secret = _secret_on(browser.get("/account/two-factor").get_data(as_text=True))
    for code in (_wrong(secret), "12345", "abcdef", "", "1" * 500):
        response = browser.post("/account/two-factor/enable", {"code": code})
        assert response.status_code == 422, code
        html = response.get_data(as_text=True)
        assert 'id="code-error"' in html, code
    assert _account(dbs, email).totp_secret is None
    assert _audit(dbs, email) == []


def test_turning_it_on_is_audited_and_ends_the_other_sessions(app, dbs, committee):
    email = committee.emails["business"]
    elsewhere = Browser(app)
    elsewhere.login(email)
    here = Browser(app)
    here.login(email)
    secret = _secret_on(here.get("/account/two-factor").get_data(as_text=True))
    response = here.post("/account/two-factor/enable", {"code": " " + _code(secret)[:3] + " "
                                                        + _code(secret)[3:]})
    assert response.status_code == 302
    assert _stored_secret(app, dbs, email) == secret
    assert _audit(dbs, email) == [("enable", "second_factor")]
    assert here.get("/").status_code == 200  # a fresh session for this browser
    assert elsewhere.get("/").status_code == 302  # started with the password alone
    page = here.get("/account/two-factor").get_data(as_text=True)
    assert "Turn the second factor off" in page and 'id="totp-secret"' not in page


def test_login_asks_for_the_code_before_any_session_exists(app, dbs, committee):
    email = committee.emails["it"]
    secret = enable(app, dbs, email)
    with dbs.transaction(write=False) as session:
        sessions_before = session.scalar(select(func.count()).select_from(LoginSession))
    browser = Browser(app)
    target = f"/selections/{committee.selection_id}/members"
    response = password_step(browser, email, next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == sessions_before
    assert browser.get("/").headers["Location"].startswith("/login")  # not signed in yet
    step = browser.get("/login/code")
    assert step.status_code == 200
    assert 'autocomplete="one-time-code"' in step.get_data(as_text=True)
    wrong = browser.post("/login/code", {"code": _wrong(secret)})
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert browser.get("/").status_code == 302
    right = browser.post("/login/code", {"code": _code(secret)})
    assert right.status_code == 302 and right.headers["Location"] == target
    browser.refresh_token("/")
    assert browser.get("/").status_code == 200
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == \
            sessions_before + 1


def test_a_code_from_the_previous_step_is_accepted_but_not_an_old_one(app, dbs, committee):
    email = committee.emails["it"]
    secret = enable(app, dbs, email)
    for offset, status in ((-30, 302), (-300, 422)):
        browser = Browser(app)
        password_step(browser, email)
        assert browser.post("/login/code", {"code": _code(secret, offset)}).status_code == \
            status, offset


def test_the_code_step_needs_the_password_step_and_expires(app, dbs, committee):
    email = committee.emails["it"]
    secret = enable(app, dbs, email)
    browser = Browser(app)
    browser.refresh_token()
    response = browser.post("/login/code", {"code": _code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    password_step(browser, email)
    with browser.client.session_transaction() as cookie:
        pending = dict(cookie["second_factor"])
        pending["since"] -= 301
        cookie["second_factor"] = pending
    response = browser.post("/login/code", {"code": _code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert browser.get("/").status_code == 302
    # A wrong password never reaches the code step.
    browser.refresh_token()
    response = browser.post("/login", {"email": email, "password": "not the password"})
    assert response.status_code == 422
    assert browser.get("/login/code").headers["Location"] == "/login"


def test_wrong_codes_are_throttled_like_passwords(app, dbs, committee, login_clock):
    email = committee.emails["it"]
    secret = enable(app, dbs, email)
    browser = Browser(app)
    password_step(browser, email)
    for _ in range(5):
        assert browser.post("/login/code", {"code": _wrong(secret)}).status_code == 422
    refused = browser.post("/login/code", {"code": _code(secret)})
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert browser.get("/").status_code == 302
    # Starting again with the password does not reset the count.
    other = Browser(app)
    other.refresh_token()
    assert other.post("/login", {"email": email, "password": PASSWORD}).status_code == 429


def test_turning_it_off_needs_the_password_and_a_code_and_is_audited(app, dbs, committee):
    email = committee.emails["it"]
    browser, secret = signed_in_with_code(app, dbs, email)
    for data, field in (({"password": "wrong password", "code": _code(secret)}, "password"),
                        ({"password": PASSWORD, "code": _wrong(secret)}, "code"),
                        ({"password": PASSWORD}, "code")):
        response = browser.post("/account/two-factor/disable", data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.get_data(as_text=True), data
    assert _stored_secret(app, dbs, email) == secret
    response = browser.post("/account/two-factor/disable",
                            {"password": PASSWORD, "code": _code(secret)})
    assert response.status_code == 302
    assert _account(dbs, email).totp_secret is None
    assert _audit(dbs, email) == [("enable", "second_factor"), ("disable", "second_factor")]
    fresh = Browser(app)
    fresh.login(email)  # the password alone again


def test_an_admin_can_turn_off_a_lost_second_factor(app, dbs, committee):
    email = committee.emails["it"]
    secret = enable(app, dbs, email)
    account_id = _account(dbs, email).id
    admin = Browser(app)
    admin.login(committee.admin_email)
    page = admin.get("/admin/accounts").get_data(as_text=True)
    assert f"/admin/accounts/{account_id}/second-factor/reset" in page

    # Someone who is not an admin cannot, and nothing changes.
    member = Browser(app)
    member.login(committee.emails["business"])
    refused = member.post(f"/admin/accounts/{account_id}/second-factor/reset", {})
    assert refused.status_code == 403
    assert _stored_secret(app, dbs, email) == secret

    response = admin.post(f"/admin/accounts/{account_id}/second-factor/reset", {})
    assert response.status_code == 302
    assert "second factor of " + email + " is turned off" in \
        admin.get("/admin/accounts").get_data(as_text=True)
    assert _account(dbs, email).totp_secret is None
    assert _audit(dbs, email)[-1] == ("reset", "second_factor")
    # The password alone logs in again.
    again = Browser(app)
    assert password_step(again, email).headers["Location"] != "/login/code"


def _requiring_app(database_url, tmp_path, monkeypatch, **config):
    from selector.web.app import create_app

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                       "DATABASE_URL": database_url, "SERVER_NAME": "selector.test",
                       **config})


def test_the_instance_can_require_it_of_facilitators(app, dbs, committee, database_url,
                                                    tmp_path, monkeypatch):
    from selector.web import database

    assert app.config["REQUIRE_TOTP_FOR_FACILITATORS"] is False
    monkeypatch.setenv("SELECTOR_REQUIRE_TOTP_FOR_FACILITATORS", "1")
    strict = _requiring_app(database_url, tmp_path, monkeypatch)
    assert strict.config["REQUIRE_TOTP_FOR_FACILITATORS"] is True
    try:
        selection = f"/selections/{committee.selection_id}"
        fenna = Browser(strict)
        fenna.login(committee.emails["facilitator"])
        assert fenna.get("/").status_code == 200  # the list of selections still opens
        for path in (selection, f"{selection}/members", f"{selection}/requirements?q=x"):
            response = fenna.get(path)
            assert response.status_code == 303, path
            assert response.headers["Location"].startswith("/account/two-factor?next="), path
        # A POST is turned away before it changes anything.
        refused = fenna.post(f"{selection}/members", {"email": "new@example.org",
                                                     "role": "observer"})
        assert refused.status_code == 303
        with dbs.transaction(write=False) as session:
            assert session.scalar(select(func.count()).select_from(Account).where(
                Account.email == "new@example.org")) == 0
        api = fenna.get(f"/api/v1/selections/{committee.selection_id}/ranking")
        assert api.status_code == 403 and "second factor" in api.json["error"]
        page = fenna.get(f"/account/two-factor?next={selection}/members")
        assert "requires a second factor of facilitators" in page.get_data(as_text=True)
        secret = _secret_on(page.get_data(as_text=True))
        done = fenna.post(f"/account/two-factor/enable?next={selection}/members",
                          {"code": _code(secret), "next": f"{selection}/members"})
        assert done.status_code == 302 and done.headers["Location"] == f"{selection}/members"
        fenna.refresh_token("/")
        assert fenna.get(selection).status_code == 200
        # Other roles are not asked for it.
        bram = Browser(strict)
        bram.login(committee.emails["business"])
        assert bram.get(selection).status_code == 200
    finally:
        database.dispose(strict)


def test_the_setting_can_come_from_the_config(app, committee, database_url, tmp_path,
                                              monkeypatch):
    from selector.web import database

    monkeypatch.delenv("SELECTOR_REQUIRE_TOTP_FOR_FACILITATORS", raising=False)
    strict = _requiring_app(database_url, tmp_path, monkeypatch,
                            REQUIRE_TOTP_FOR_FACILITATORS=True)
    try:
        fenna = Browser(strict)
        fenna.login(committee.emails["facilitator"])
        assert fenna.get(f"/selections/{committee.selection_id}").status_code == 303
    finally:
        database.dispose(strict)


def test_the_pages_speak_dutch(app, dbs, committee, browser):
    browser.login(committee.emails["business"])
    browser.post("/language", {"language": "nl"})
    page = browser.get("/account/two-factor").get_data(as_text=True)
    assert "Tweede factor" in page and "2. Bevestig met een code" in page
    wrong = browser.post("/account/two-factor/enable", {"code": _wrong(_secret_on(page))})
    assert "Deze code klopt niet." in wrong.get_data(as_text=True)
    assert "Tweede factor" in browser.get("/account").get_data(as_text=True)


def test_the_stored_secret_is_never_shown_again(app, dbs, committee):
    email = committee.emails["business"]
    browser, secret = signed_in_with_code(app, dbs, email)
    for path in ("/account", "/account/two-factor"):
        assert secret not in browser.get(path).get_data(as_text=True)
