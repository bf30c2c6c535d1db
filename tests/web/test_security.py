"""The web security basics, one test per item: CSRF, login throttling, one message for
wrong password and unknown address, server-side sessions, open redirects, headers,
cookies, the secret key and error pages without stack traces."""

from __future__ import annotations

import os
import re
import stat

from sqlalchemy import func
from sqlalchemy import select

from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser

NEW_PASSWORD = "another long passphrase"


def error_message(response) -> str:
    found = re.search(r'<div class="form-errors" role="alert">\s*<p>(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    return found.group(1).strip() if found else ""


# -- CSRF -------------------------------------------------------------------------------


def test_a_form_without_csrf_token_is_refused_with_400_and_changes_nothing(app, dbs, committee,
                                                                         browser):
    from selector.models import Invitation  # adding a member records an invitation

    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    browser.login(committee.emails["facilitator"])
    path = f"/selections/{committee.selection_id}/members"
    refused = browser.post(path, {"email": "new@example.org", "role": "business"}, token=False)
    assert refused.status_code == 400
    assert "The form has expired or was not sent from this site" in refused.get_data(as_text=True)
    assert "Traceback" not in refused.get_data(as_text=True)
    wrong = browser.post(path, {"email": "new@example.org", "role": "business",
                                "csrf_token": "forged"}, token=False)
    assert wrong.status_code == 400
    with dbs.transaction(write=False) as session:
        count = session.scalar(select(func.count()).select_from(Invitation).where(
            Invitation.selection_id == committee.selection_id))
    accepted = browser.post(path, {"email": "new@example.org", "role": "business"})
    assert accepted.status_code == 200  # the invitation link is shown
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Invitation).where(
            Invitation.selection_id == committee.selection_id)) == count + 1


def test_login_and_logout_need_the_csrf_token_too(app, committee, browser):
    browser.refresh_token()
    response = browser.post("/login", {"email": committee.emails["business"],
                                       "password": PASSWORD}, token=False)
    assert response.status_code == 400
    browser.login(committee.emails["business"])
    assert browser.post("/logout", token=False).status_code == 400
    assert browser.get("/").status_code == 200  # still logged in


# -- login ------------------------------------------------------------------------------


def test_wrong_password_and_unknown_address_get_the_same_answer(app, committee, browser):
    browser.refresh_token()
    wrong = browser.post("/login", {"email": committee.emails["business"],
                                    "password": "not the password"})
    unknown = browser.post("/login", {"email": "nobody@example.org",
                                      "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert error_message(wrong) == error_message(unknown) != ""
    assert "do not match" in error_message(wrong)
    # The pages differ only in the address the user typed (kept in the field), and in
    # the CSRF token, which carries the second it was made in.
    def strip(response, address: str) -> str:
        page = response.get_data(as_text=True).replace(address, "X")
        return re.sub(r'(name="csrf[-_]token"[^>]*?(?:content|value)=")[^"]+', r"\1T", page)

    assert strip(wrong, committee.emails["business"]) == strip(unknown, "nobody@example.org")


def test_a_hash_with_old_parameters_moves_to_todays_at_the_next_login(app, dbs, committee,
                                                                      browser):
    """Accounts hashed with earlier Argon2id parameters (argon2-cffi's defaults, before
    the OWASP ones) keep working, and get today's parameters when they log in."""
    from argon2 import PasswordHasher

    from selector.models import Account
    from selector.services import accounts

    email = committee.emails["business"]
    old_hash = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=2).hash(PASSWORD)
    with dbs.transaction() as session:
        accounts.find_account(session, email).password_hash = old_hash
    browser.login(email)
    with dbs.transaction(write=False) as session:
        new_hash = session.scalar(select(Account.password_hash).where(Account.email == email))
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    assert "m=1024,t=1,p=1" in new_hash  # the parameters of this test run (conftest)
    assert Browser(app).login(email).status_code == 302  # the new hash opens it too


def test_a_deactivated_account_cannot_log_in_and_gets_the_same_message(app, dbs, committee,
                                                                       browser):
    from selector.services import account_admin
    from selector.services import accounts

    with dbs.transaction() as session:
        admin = accounts.find_account(session, committee.admin_email)
        target = accounts.find_account(session, committee.emails["observer"])
        account_admin.set_active(session, admin, target.id, False)
    response = browser.login(committee.emails["observer"], expect=422)
    assert "do not match" in error_message(response)


def test_failed_logins_are_throttled_per_account(app, dbs, committee, browser, login_clock):
    email = committee.emails["business"]
    browser.refresh_token()
    for _ in range(5):
        assert browser.post("/login", {"email": email, "password": "guess"}).status_code == 422
    refused = browser.post("/login", {"email": email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    # Kept in the database: another browser (another worker) is refused as well.
    other = Browser(app)
    other.login(email, expect=429)
    # Other accounts from other addresses are not affected.
    Browser(app).login(committee.emails["it"])
    from selector.models import LoginAttempt

    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))) == 5


def test_failed_logins_are_throttled_per_address(app, committee, browser, login_clock):
    browser.refresh_token()
    for number in range(20):
        response = browser.post("/login", {"email": f"guess{number}@example.org",
                                           "password": "guess"})
        assert response.status_code == 422
    assert browser.post("/login", {"email": committee.emails["it"],
                                   "password": PASSWORD}).status_code == 429
    # The same account from another address still gets in.
    other = Browser(app)
    other.client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    other.login(committee.emails["it"])


def test_a_success_resets_the_account_counter(app, committee, browser):
    email = committee.emails["business"]
    browser.refresh_token()
    for _ in range(4):
        browser.post("/login", {"email": email, "password": "guess"})
    browser.login(email)
    fresh = Browser(app)
    fresh.refresh_token()
    for _ in range(4):
        assert fresh.post("/login", {"email": email, "password": "guess"}).status_code == 422
    fresh.login(email)


# -- server-side sessions -----------------------------------------------------------------


def _cookie(browser: Browser) -> str:
    return browser.client.get_cookie("selector_session", domain="selector.test").value


def test_logout_ends_the_session_on_the_server(app, committee, browser):
    browser.login(committee.emails["sponsor"])
    stolen = _cookie(browser)
    assert browser.post("/logout").status_code == 302
    replay = Browser(app)
    replay.client.set_cookie("selector_session", stolen, domain="selector.test")
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_ends_only_that_session(app, committee):
    first, second = Browser(app), Browser(app)
    first.login(committee.emails["sponsor"])
    second.login(committee.emails["sponsor"])
    first.post("/logout")
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_a_password_change_ends_every_other_session(app, committee):
    here, elsewhere = Browser(app), Browser(app)
    here.login(committee.emails["it"])
    elsewhere.login(committee.emails["it"])
    old_cookie = _cookie(here)
    response = here.post("/account/password", {"current_password": PASSWORD,
                                              "new_password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # a new session for this browser
    assert elsewhere.get("/").status_code == 302
    replay = Browser(app)
    replay.client.set_cookie("selector_session", old_cookie, domain="selector.test")
    assert replay.get("/").status_code == 302
    Browser(app).login(committee.emails["it"], NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(app, committee, browser):
    browser.login(committee.emails["it"])
    response = browser.post("/account/password", {"current_password": "wrong one",
                                                  "new_password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert "This is not your current password" in response.get_data(as_text=True)
    Browser(app).login(committee.emails["it"], PASSWORD)


def test_a_common_password_is_refused_beside_the_field(app, committee, browser):
    browser.login(committee.emails["it"])
    response = browser.post("/account/password", {"current_password": PASSWORD,
                                                  "new_password": "password123",
                                                  "confirm": "password123"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="new_password-error"' in page and "most common" in page


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, committee):
    plain = Browser(app)
    plain.refresh_token()
    response = plain.post("/login", {"email": committee.emails["it"], "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    page = secure.get("/login", base_url="https://selector.test")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    response = secure.post(
        "/login", base_url="https://selector.test",
        data={"email": committee.emails["it"], "password": PASSWORD,
              "csrf_token": token.group(1)},
        headers={"Referer": "https://selector.test/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


# -- redirects, headers, errors -----------------------------------------------------------


HOSTILE_TARGETS = ["https://evil.example/", "//evil.example/", "/\\evil.example",
                   "javascript:alert(1)", "http:/evil.example", " //evil.example",
                   "/\r\nLocation: https://evil.example", "\t//evil.example"]


def test_next_accepts_local_paths_only(app, committee):
    from selector.web.security import safe_next

    for target in HOSTILE_TARGETS:
        assert safe_next(target) is None, target
        browser = Browser(app)
        browser.refresh_token()
        response = browser.post(f"/login?next={target}", {
            "email": committee.emails["it"], "password": PASSWORD, "next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target
    assert safe_next("/selections/3?tab=members") == "/selections/3?tab=members"


def test_next_takes_the_user_back_to_a_local_page(app, committee, browser):
    path = f"/selections/{committee.selection_id}/members"
    first = browser.get(path)
    assert first.status_code == 302
    login_page = browser.get(first.headers["Location"])
    assert f'value="{path}"' in login_page.get_data(as_text=True)
    browser.refresh_token()
    response = browser.post("/login", {"email": committee.emails["it"], "password": PASSWORD,
                                       "next": path})
    assert response.headers["Location"] == path


def test_security_headers_on_every_kind_of_response(app, committee, browser):
    browser.login(committee.emails["facilitator"])
    responses = [
        browser.get("/login"),
        browser.get("/"),
        browser.get(f"/selections/{committee.selection_id}"),
        browser.get("/selections/999999"),
        browser.get("/static/css/selector.css"),
        browser.post("/logout", token=False),
    ]
    for response in responses:
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(app, committee, browser):
    """The CSP forbids them; a page that used one would silently break."""
    browser.login(committee.emails["facilitator"])
    for path in ["/", f"/selections/{committee.selection_id}",
                 f"/selections/{committee.selection_id}/members", "/account",
                 "/account/password", "/selections/new", "/selections/999999"]:
        page = browser.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+=", page), path  # no inline event handlers


def test_an_unexpected_error_shows_a_page_without_a_trace(database_url, tmp_path, monkeypatch):
    from selector.web import database
    from selector.web.app import create_app

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path))
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": database_url,
                      "PROPAGATE_EXCEPTIONS": False})

    def boom():
        raise RuntimeError("secret internals: /etc/passwd")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "secret internals" not in page
    assert "Content-Security-Policy" in response.headers
    database.dispose(app)


def test_a_secret_key_is_made_once_with_mode_600(database_url, tmp_path, monkeypatch):
    from selector.web import database
    from selector.web.app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "inst"))
    first = create_app({"DATABASE_URL": database_url})
    second = create_app({"DATABASE_URL": database_url})
    key_file = tmp_path / "inst" / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 32
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    third = create_app({"DATABASE_URL": database_url})
    assert third.config["SECRET_KEY"] == "from-the-environment"
    for app in (first, second, third):
        database.dispose(app)


def test_another_selections_member_id_is_not_found(app, dbs, committee, browser):
    from selector.models import Membership

    browser.login(committee.emails["facilitator"])
    base = f"/selections/{committee.selection_id}/members/{committee.other_membership_id}"
    assert browser.post(f"{base}/role", {f"m{committee.other_membership_id}-role": "sponsor"}
                        ).status_code == 404
    assert browser.post(f"{base}/remove").status_code == 404
    assert browser.post(f"{base}/link").status_code == 404
    with dbs.transaction(write=False) as session:
        other = session.get(Membership, committee.other_membership_id)
        assert other.role == "business" and other.removed_at is None
