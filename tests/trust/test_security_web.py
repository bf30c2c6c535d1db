"""Web security, a test per item (issue 10, point 2), over the routes that exist at run
time: CSRF on every state-changing route, security headers on every response, cookie
flags (plain, HTTPS, behind a trusted proxy), login throttling, the password policy,
sessions that end on the server, no open redirects, error pages without internals.
The second factor has its own module (test_security_totp.py); the login form's throttling
per account and per address is tested once, in tests/web/test_security.py."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from selector.models import Account
from tests.trust.access_world import EMAILS
from tests.trust.access_world import build_world
from tests.trust.access_world import changed_tables
from tests.trust.access_world import fill
from tests.trust.access_world import fingerprint
from tests.trust.access_world import form_data
from tests.trust.access_world import harvest
from tests.trust.access_world import routes
from tests.trust.access_world import sign_in
from tests.trust.access_world import writes
from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser

NEW_PASSWORD = "a long and fresh passphrase"
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def _cookie(browser: Browser) -> str:
    return browser.client.get_cookie("selector_session", domain="selector.test").value


def _replay(app, cookie: str) -> Browser:
    thief = Browser(app)
    thief.client.set_cookie("selector_session", cookie, domain="selector.test")
    return thief


def _password_hash(dbs, email: str) -> str:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(Account.password_hash).where(Account.email == email))


# -- CSRF ---------------------------------------------------------------------------------


def test_every_state_changing_route_needs_the_csrf_token(app, dbs):
    """Every POST (PUT, PATCH, DELETE) route, as a member, an admin and anonymously,
    without a token, with a forged one, with another session's one, and as JSON without
    the header: 400 with a message, and nothing changed."""
    world = build_world(dbs, "scoring")
    forms = harvest(app, world, ("facilitator",))
    stranger = sign_in(app, "business")  # a valid token, of another session
    walked = 0
    for identity in ("facilitator", "admin", "anonymous"):
        browser = sign_in(app, identity)
        for rule in routes(app):
            if not writes(rule):
                continue
            path = fill(rule, world, identity=identity)
            data = form_data(forms, path)
            for method in sorted(rule.methods & set(STATE_CHANGING)):
                before = fingerprint(dbs)
                client = browser.client
                attempts = {
                    "no token": client.open(path, method=method, data=data),
                    "forged": client.open(path, method=method,
                                          data={**data, "csrf_token": "forged"}),
                    "another session's": client.open(
                        path, method=method, data={**data, "csrf_token": stranger.csrf}),
                    "JSON without header": client.open(
                        path, method=method, json={"requirement_id": world.a.ids["wish"],
                                                   "score": 3}),
                    "JSON forged header": client.open(
                        path, method=method, json={"score": 3},
                        headers={"X-CSRFToken": "forged"}),
                }
                for what, response in attempts.items():
                    walked += 1
                    where = f"{identity} {method} {path} ({what})"
                    assert response.status_code == 400, f"{where}: {response.status_code}"
                    assert "The form has expired or was not sent from this site" in \
                        response.get_data(as_text=True), where
                changed = changed_tables(before, fingerprint(dbs))
                assert not changed, f"{identity} {method} {path} changed {changed}"
    assert walked >= 3 * 5 * 40


def test_the_token_of_a_form_works_and_csrf_is_on(app, committee, browser):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    browser.login(committee.emails["facilitator"])
    response = browser.post("/account", {"name": "Fenna", "language": ""})
    assert response.status_code == 302


# -- headers ------------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0].lower()] = words[1:]
    return result


def assert_security_headers(response, where: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert policy, f"{where}: no Content-Security-Policy"
    directives = _directives(policy)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, f"{where}: no script policy: {policy}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: {policy}"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where


def test_security_headers_on_every_response(app, dbs):
    """Every GET route (pages, JSON, PDFs, spreadsheets, documents) as the facilitator,
    anonymous and an outsider, static files, and every kind of error."""
    world = build_world(dbs, "decision")
    checked = set()
    for identity in ("facilitator", "outsider", "anonymous"):
        browser = sign_in(app, identity)
        for rule in routes(app):
            if "GET" in rule.methods:
                path = fill(rule, world, identity=identity)
                response = browser.get(path)
                assert_security_headers(response, f"{identity} GET {path}")
                checked.add(response.status_code)
    browser = sign_in(app, "facilitator")
    others = {
        "static": browser.get("/static/css/selector.css"),
        "static missing": browser.get("/static/nothing-here.css"),
        "404": browser.get("/no/such/page"),
        "405": browser.client.put("/login"),
        "400 CSRF": browser.post("/logout", token=False),
        "403": sign_in(app, "sponsor").post(f"/selections/{world.a.id}/members", {}),
        "API 401": Browser(app).get(f"/api/v1/selections/{world.a.id}/ranking"),
        "API 404": browser.get("/api/v1/nothing"),
        "API 405": browser.post(f"/api/v1/selections/{world.a.id}/ranking"),
        "API with token": Browser(app).get(
            f"/api/v1/selections/{world.a.id}/ranking",
            headers={"Authorization": f"Bearer {world.tokens['facilitator'][1]}"}),
    }
    assert others["static"].status_code == 200 and others["404"].status_code == 404
    assert others["405"].status_code == 405 and others["400 CSRF"].status_code == 400
    assert others["403"].status_code == 403 and others["API with token"].status_code == 200
    for what, response in others.items():
        assert_security_headers(response, what)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        too_large = browser.post(f"/selections/{world.a.id}/members", {"email": "x" * 5000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
    assert too_large.status_code == 413
    assert_security_headers(too_large, "413")
    assert {200, 302, 401, 404} <= checked


def test_security_headers_on_throttled_and_failed_pages(app, committee, browser, login_clock):
    browser.refresh_token()
    for _ in range(6):
        response = browser.post("/login", {"email": committee.emails["it"], "password": "x"})
    assert response.status_code == 429
    assert_security_headers(response, "429")


# -- cookies ------------------------------------------------------------------------------


def _login_cookie(client, email: str, base_url: str = "http://selector.test", **headers):
    page = client.get("/login", base_url=base_url, headers=headers)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    # The browser's Referer names the address it sees (https behind a TLS proxy).
    seen = base_url.replace("http:", f"{headers.get('X-Forwarded-Proto', 'http')}:", 1) \
        if base_url.startswith("http:") else base_url
    response = client.post("/login", base_url=base_url, headers={
        "Referer": f"{seen}/login", **headers},
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Set-Cookie"], response


def test_the_session_cookie_is_httponly_and_samesite(app, committee):
    cookie, _ = _login_cookie(app.test_client(), committee.emails["it"])
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on a developer's machine


def test_the_session_cookie_is_secure_over_https(app, committee):
    cookie, response = _login_cookie(app.test_client(), committee.emails["it"],
                                     "https://selector.test")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def _app(database_url, tmp_path, monkeypatch, **config):
    from selector.web.app import create_app

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                       "DATABASE_URL": database_url, "SERVER_NAME": "selector.test",
                       **config})


def test_behind_a_trusted_proxy_the_forwarded_scheme_makes_the_cookie_secure(
        committee, database_url, tmp_path, monkeypatch):
    from selector.web import database

    proxied = _app(database_url, tmp_path, monkeypatch, TRUSTED_PROXIES=1)
    direct = _app(database_url, tmp_path, monkeypatch)
    try:
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        cookie, response = _login_cookie(proxied.test_client(), committee.emails["it"],
                                         "http://selector.test", **forwarded)
        assert "Secure" in cookie and "Strict-Transport-Security" in response.headers
        # Without a trusted proxy configured, anyone could send the header: ignored.
        cookie, response = _login_cookie(direct.test_client(), committee.emails["it"],
                                         "http://selector.test", **forwarded)
        assert "Secure" not in cookie and "Strict-Transport-Security" not in response.headers
    finally:
        database.dispose(proxied)
        database.dispose(direct)


def test_secure_cookies_can_be_forced(committee, database_url, tmp_path, monkeypatch):
    from selector.web import database

    monkeypatch.setenv("SELECTOR_SECURE_COOKIES", "1")
    forced = _app(database_url, tmp_path, monkeypatch)
    try:
        page = forced.test_client().get("/login")
        assert "Secure" in page.headers["Set-Cookie"]
    finally:
        database.dispose(forced)


def test_every_cookie_the_app_sets_is_httponly_and_samesite(app, committee, browser):
    responses = [browser.get("/login")]
    browser.refresh_token()
    responses.append(browser.post("/language", {"language": "nl", "next": "/login"}))
    responses.append(browser.post("/login", {"email": committee.emails["it"],
                                             "password": PASSWORD}))
    browser.refresh_token("/")
    responses.append(browser.post("/logout"))
    cookies = [c for r in responses for c in r.headers.getlist("Set-Cookie")]
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


# -- login throttling ---------------------------------------------------------------------


def test_guessing_the_current_password_on_the_change_page_is_throttled(app, committee,
                                                                       browser, login_clock):
    browser.login(committee.emails["it"])
    for _ in range(5):
        response = browser.post("/account/password", {
            "current_password": "a guess", "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD})
        assert response.status_code == 422
    response = browser.post("/account/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert "Too many failed attempts" in response.get_data(as_text=True)


# -- password policy ----------------------------------------------------------------------


def _refused_passwords(email: str) -> dict[str, tuple[str, str]]:
    """what -> (password, words of the message)"""
    return {
        "too short": ("short1!", "10 to 1024 characters"),
        "common": ("password123", "most common"),
        "common, other case": ("Qwertyuiop", "most common"),
        "the e-mail address": (email, "e-mail address cannot be your password"),
        "the e-mail address, other case": (email.upper(), "e-mail address cannot be"),
        "too long": ("x" * 1025, "10 to 1024 characters"),
    }


def test_the_password_policy_on_the_change_page(app, dbs, committee, browser):
    email = committee.emails["it"]
    browser.login(email)
    stored = _password_hash(dbs, email)
    for what, (password, words) in _refused_passwords(email).items():
        response = browser.post("/account/password", {
            "current_password": PASSWORD, "new_password": password, "confirm": password})
        assert response.status_code == 422, what
        page = response.get_data(as_text=True)
        error = re.search(r'id="new_password-error">(.*?)</p>', page, re.S)
        assert error and words in error.group(1), (what, error and error.group(1))
        assert _password_hash(dbs, email) == stored, what
        assert browser.get("/").status_code == 200, what  # still signed in


def test_the_password_policy_on_a_set_password_link(app, dbs, committee):
    from selector.services import accounts
    from selector.services import logins

    with dbs.transaction() as session:
        account = accounts.ensure_account(session, "newcomer@example.org", "Newcomer")
        token = logins.issue_password_link(session, account).token
    browser = Browser(app)
    browser.refresh_token(f"/set-password/{token}")
    for what, (password, words) in _refused_passwords("newcomer@example.org").items():
        response = browser.post(f"/set-password/{token}",
                                {"new_password": password, "confirm": password})
        assert response.status_code == 422, what
        assert words in response.get_data(as_text=True), what
    assert _password_hash(dbs, "newcomer@example.org") is None
    accepted = browser.post(f"/set-password/{token}",
                            {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert accepted.status_code == 302  # the link still worked after the refusals
    assert browser.get(f"/set-password/{token}").status_code == 404  # and only once
    Browser(app).login("newcomer@example.org", NEW_PASSWORD)


# -- sessions end on the server -----------------------------------------------------------


def test_logout_ends_the_session_and_a_replayed_cookie_gets_nothing(app, dbs, committee,
                                                                    browser):
    browser.login(committee.emails["facilitator"])
    stolen, token = _cookie(browser), browser.csrf
    assert browser.post("/logout").status_code == 302
    thief = _replay(app, stolen)
    for path in ("/", f"/selections/{committee.selection_id}", "/account"):
        response = thief.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/login"), path
    before = fingerprint(dbs)
    thief.csrf = token
    response = thief.post(f"/selections/{committee.selection_id}/members",
                          {"email": "mallory@example.org", "role": "facilitator"})
    assert response.status_code in (302, 400)
    assert not response.headers.get("Location", "/login").startswith("/selections")
    assert not changed_tables(before, fingerprint(dbs))


def test_a_password_change_ends_every_session_and_the_old_cookie(app, committee):
    email = committee.emails["it"]
    here, elsewhere = Browser(app), Browser(app)
    here.login(email)
    elsewhere.login(email)
    old_here, old_elsewhere = _cookie(here), _cookie(elsewhere)
    response = here.post("/account/password", {"current_password": PASSWORD,
                                              "new_password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # a new session in this browser
    for cookie in (old_here, old_elsewhere):
        assert _replay(app, cookie).get("/").status_code == 302
    Browser(app).login(email, NEW_PASSWORD)
    Browser(app).login(email, PASSWORD, expect=422)


def test_a_reset_by_link_and_a_deactivation_end_every_session(app, dbs, committee):
    from selector.services import account_admin
    from selector.services import accounts
    from selector.services import logins

    email = committee.emails["sponsor"]
    browser = Browser(app)
    browser.login(email)
    cookie = _cookie(browser)
    with dbs.transaction() as session:
        token = logins.issue_password_link(session, accounts.find_account(session, email)).token
    reset = Browser(app)
    reset.refresh_token(f"/set-password/{token}")
    assert reset.post(f"/set-password/{token}", {"new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD}).status_code == 302
    assert _replay(app, cookie).get("/").status_code == 302
    again = Browser(app)
    again.login(email, NEW_PASSWORD)
    cookie = _cookie(again)
    with dbs.transaction() as session:
        admin = accounts.find_account(session, committee.admin_email)
        account_admin.set_active(session, admin, accounts.find_account(session, email).id,
                                 False)
    assert _replay(app, cookie).get("/").status_code == 302


# -- open redirects -----------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example", "//evil.example/path", "https://evil.example", "http://evil.example/",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "javascript:alert(1)",
    "JavaScript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
    "https:evil.example", "http:/evil.example", "///evil.example", " //evil.example",
    "\t//evil.example", "/\t/evil.example", "/\r\n/evil.example", "%2F%2Fevil.example",
    "evil.example", "@evil.example", "/%09/evil.example".replace("%09", "\t"),
]


def _local(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and \
        "\\" not in location and "evil.example" not in location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leads_off_the_site(app, committee, target):
    from selector.web.security import safe_next

    assert safe_next(target) in (None, target) and (safe_next(target) is None or
                                                   _local(safe_next(target)))
    email = committee.emails["it"]
    # The login form (hidden field and query string).
    browser = Browser(app)
    browser.refresh_token()
    response = browser.client.post("/login", query_string={"next": target},
                                   data={"email": email, "password": PASSWORD,
                                         "next": target, "csrf_token": browser.csrf})
    assert response.status_code == 302 and _local(response.headers["Location"]), target
    browser.refresh_token("/")
    # A signed-in visitor of the login page.
    response = browser.client.get("/login", query_string={"next": target})
    assert response.status_code == 302 and _local(response.headers["Location"]), target
    # The language switch.
    response = browser.post("/language", {"language": "nl", "next": target})
    assert response.status_code == 302 and _local(response.headers["Location"]), target
    # The second factor: the step after the password, and setting it up.
    page = browser.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*value="([A-Z2-7 ]+)"', page).group(1)
    import pyotp

    secret = secret.replace(" ", "")
    response = browser.client.post("/account/two-factor/enable",
                                   query_string={"next": target},
                                   data={"code": pyotp.TOTP(secret).now(), "next": target,
                                         "csrf_token": browser.csrf})
    assert response.status_code == 302 and _local(response.headers["Location"]), target
    second = Browser(app)
    second.refresh_token()
    second.post("/login", {"email": email, "password": PASSWORD, "next": target})
    second.refresh_token("/login/code")
    response = second.post("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and _local(response.headers["Location"]), target


# -- error pages --------------------------------------------------------------------------

LEAKS = ("Traceback", 'File "', "RuntimeError", "secret internals", "/etc/passwd",
         "sqlalchemy", "werkzeug", "site-packages", "selector/web")


def test_error_pages_show_no_internals(database_url, tmp_path, monkeypatch, committee):
    from selector.web import database

    errors_app = _app(database_url, tmp_path, monkeypatch, TESTING=False,
                      PROPAGATE_EXCEPTIONS=False)

    def boom():  # a test-only route: an unexpected error inside a view
        raise RuntimeError("secret internals: /etc/passwd and the DATABASE_URL")

    errors_app.add_url_rule("/test-only/boom", "test_only_boom", boom, methods=["GET", "POST"])
    try:
        browser = Browser(errors_app)
        browser.login(committee.emails["facilitator"])
        responses = {
            500: browser.get("/test-only/boom"),
            404: browser.get("/selections/999999/requirements"),
            405: browser.client.delete("/account"),
            400: browser.post("/account", {"name": "x"}, token=False),
            403: browser.get("/admin/accounts"),
        }
        for status, response in responses.items():
            assert response.status_code == status
            page = response.get_data(as_text=True)
            for leak in LEAKS:
                assert leak not in page, (status, leak)
            assert '<html lang="en">' in page and 'class="error-page' in page, status
            assert_security_headers(response, str(status))
        assert "Something went wrong" in responses[500].get_data(as_text=True)
        api = {404: browser.get("/api/v1/selections/999999/ranking"),
               405: browser.client.delete("/api/v1/selections/1/ranking")}
        for status, response in api.items():
            assert response.status_code == status and response.is_json
            assert set(response.json) == {"error", "status"}
            assert not any(leak in response.get_data(as_text=True) for leak in LEAKS)
        # The unexpected error is rolled back: a POST that fails changes nothing.
        assert browser.post("/test-only/boom").status_code == 500
    finally:
        database.dispose(errors_app)


def test_pages_carry_no_inline_script(app, dbs):
    """The CSP forbids inline script; a page that had one would break silently."""
    world = build_world(dbs, "scoring")
    browser = sign_in(app, "facilitator")
    for rule in routes(app):
        if "GET" not in rule.methods:
            continue
        response = browser.get(fill(rule, world))
        if "html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag, (rule.rule, tag)
        assert not re.search(r"\son[a-z]+\s*=", page), rule.rule
        assert "javascript:" not in page.lower(), rule.rule
    assert EMAILS["facilitator"]
