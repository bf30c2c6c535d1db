"""The web app's security basics, in one place (issue 10, point 2).

* Sessions are server-side: Flask-Login keeps a random token in the signed session
  cookie, and every request looks up its `login_sessions` row (`selector.services.logins`):
  a logged-out, expired or password-changed session stops working at once, whatever the
  cookie says. There is no "remember me" cookie.
* The session cookie is HttpOnly, SameSite=Lax, and Secure when the request came over
  HTTPS (behind a proxy: set SELECTOR_TRUSTED_PROXIES so X-Forwarded-Proto is believed;
  only when clients cannot bypass the proxy, see `init_app`) or when SESSION_COOKIE_SECURE
  is set.
* Every response carries a Content-Security-Policy without inline script, nosniff,
  Referrer-Policy same-origin (not no-referrer: Flask-WTF's CSRF check over HTTPS needs
  the referrer) and frame denial; pages are not cached.
* `next=` after login accepts local paths only.
* Input no view can take (NUL characters, JSON that is not an object of plain values)
  is refused before any view runs.
* SECRET_KEY comes from the environment, else from a file in the instance folder made
  once with mode 600 (atomically, so several gunicorn workers agree on it).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import abort
from flask import current_app
from flask import jsonify
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext
from flask_login import LoginManager
from flask_login import UserMixin

from selector.i18n import _l
from selector.models import Account

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else the instance folder's key (made once)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = instance / "secret_key"
    if not path.exists():
        from selector.paths import private_dir

        private_dir(instance)  # 0700, as every folder Selector makes (issue 17, item 11)
        partial = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_hex(32))
        try:
            os.link(partial, path)  # fails if another process was first: use theirs
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text().strip()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, made Secure whenever the request itself is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        # Pages show a committee's work: keep them out of shared and back-button caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


PLAIN_JSON = (str, int, float, bool, type(None))


def _has_nul(values) -> bool:
    return any(isinstance(v, str) and "\x00" in v for v in values)


def refuse_unreadable_input():
    """Refuse (400), before any view runs, input that no form or endpoint can take:

    * a NUL character in a query or form field: never typed by a person, and
      PostgreSQL cannot store it in a text column (the insert would fail);
    * a JSON body that is not an object of plain values: the JSON endpoints (the
      scoring sheet's saves) take nothing else, Flask-WTF would take any JSON body as
      form data and fail on a list or a nested object, and a deeply nested body would
      overflow the parser's stack. The parsed body is cached: the view reads it again.
    """
    if _has_nul(request.args.values()):
        abort(400)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if _has_nul(value for _name, values in request.form.lists() for value in values):
        abort(400)
    if not request.is_json:
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if isinstance(body, dict) and all(isinstance(v, PLAIN_JSON) for v in body.values()) \
            and not _has_nul(body.values()):
        return None
    response = jsonify(error=gettext("The request could not be read. Reload the page."))
    response.status_code = 400
    return response


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class SignedIn(UserMixin):
    """The user of a request: an account, through one server-side login session."""

    def __init__(self, account: Account, token: str) -> None:
        self.account = account
        self.token = token

    def get_id(self) -> str:  # what Flask-Login keeps in the cookie
        return self.token

    @property
    def is_active(self) -> bool:
        return bool(self.account.is_active)


def session_lifetime(app: Flask) -> timedelta:
    return timedelta(hours=float(app.config["LOGIN_SESSION_HOURS"]))


def init_login(app: Flask) -> LoginManager:
    from selector.services import logins
    from selector.web.database import db_session

    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(token: str) -> SignedIn | None:
        found = logins.active_session(db_session(), token, session_lifetime(current_app))
        if found is None:
            return None
        return SignedIn(found[1], token)

    return manager


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request(refuse_unreadable_input)
    app.after_request(security_headers)
    init_login(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Security assumption: every request passes through `proxies` proxies, each
        # adding to X-Forwarded-For. If clients can reach the app directly, they write
        # that header themselves: the client address (and the per-address login delays)
        # is theirs to choose, the scheme too. The per-account login delays do not
        # depend on it (services.logins). A request without the header proves a way
        # around the proxy: that is logged once per process.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
        app.before_request(_warn_when_not_proxied)


def _warn_when_not_proxied() -> None:
    if "X-Forwarded-For" in request.headers or current_app.extensions.get(_NOT_PROXIED):
        return
    current_app.extensions[_NOT_PROXIED] = True
    current_app.logger.warning(
        "SELECTOR_TRUSTED_PROXIES is set, but a request from %s came without "
        "X-Forwarded-For: if clients can reach the app without the proxy, they choose "
        "the address the app believes (unset the setting, or let only the proxy in)",
        request.remote_addr)


_NOT_PROXIED = "selector.not_proxied_warned"
