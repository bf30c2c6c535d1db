"""The application factory: it only assembles configuration, extensions and blueprints;
nothing happens at import time.

Configuration comes from the defaults below, then the environment, then the `config`
argument (tests pass DATABASE_URL, SECRET_KEY and the like).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import CSRFProtect
from jinja2 import FileSystemBytecodeCache
from werkzeug.routing import IntegerConverter
from werkzeug.routing import ValidationError

from selector import i18n
from selector.db import Database
from selector.domain import limits
from selector.domain.vocabulary import PHASES
from selector.paths import bundled
from selector.paths import database_url
from selector.paths import private_dir
from selector.web import assets
from selector.web import database
from selector.web import errors
from selector.web import guard
from selector.web import security
from selector.web.navigation import SELECTION_TABS

csrf = CSRFProtect()


class IdConverter(IntegerConverter):
    """`<int:...>` in Selector's URLs are row ids, read as the forms and JSON read them
    (`limits.parse_id`): a number no row can have (0, above PostgreSQL's INTEGER, not
    ASCII digits) matches no route, so it is simply not found (404) instead of
    overflowing the database driver."""

    regex = r"[0-9]+"  # Python's \d also takes other scripts' digits

    def to_python(self, value: str) -> int:
        number = limits.parse_id(value)
        if number is None:
            raise ValidationError()
        return number


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


def default_config() -> dict[str, Any]:
    return {
        "SESSION_COOKIE_NAME": "selector_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Always Secure when set; otherwise Secure whenever the request is HTTPS.
        "SESSION_COOKIE_SECURE": os.environ.get("SELECTOR_SECURE_COOKIES") == "1",
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the login session
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        "LOGIN_SESSION_HOURS": _env_int("SELECTOR_SESSION_HOURS", 12),
        # Login throttling: growing delays per account and per address
        # (selector.services.logins.Throttle; a LOGIN_THROTTLE value replaces them).
        "PASSWORD_LINK_DAYS": 7,
        # How many proxies in front set X-Forwarded-For/-Proto. Risk: the app then
        # believes the client address those headers name. Set it only when every request
        # comes through that many proxies (the app reachable by them alone): otherwise a
        # client writes its own X-Forwarded-For, picks any address for the per-address
        # login delays, and only the per-account delays hold (security.init_app).
        "TRUSTED_PROXIES": _env_int("SELECTOR_TRUSTED_PROXIES", 0),
        "SMTP_HOST": os.environ.get("SELECTOR_SMTP_HOST", ""),
        "SMTP_PORT": _env_int("SELECTOR_SMTP_PORT", 587),
        "SMTP_USER": os.environ.get("SELECTOR_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SELECTOR_SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SELECTOR_SMTP_FROM", ""),
        "SMTP_SECURITY": os.environ.get("SELECTOR_SMTP_SECURITY", "starttls"),
    }


def _instance_path() -> Path:
    # Like selector.paths.instance_dir, without creating it: only a generated secret
    # key or a catalogue copy is ever written there.
    return Path(os.environ.get("SELECTOR_INSTANCE", "instance")).resolve()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "selector",
        instance_path=str(_instance_path()),
        template_folder=str(bundled("templates")),
        static_folder=str(bundled("static")),
    )
    app.url_map.converters["int"] = IdConverter  # before any rule is added
    app.config.update(default_config())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = security.secret_key(Path(app.instance_path))
    url = app.config.get("DATABASE_URL") or database_url()
    app.config["DATABASE_URL"] = url

    database.init_app(app, Database(url))
    security.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    assets.init_app(app)
    _template_helpers(app)
    _compiled_template_cache(app)
    return app


def _compiled_template_cache(app: Flask) -> None:
    """Compiled templates kept in the instance folder, shared by every worker and
    restart: a worker's first page then loads its templates instead of compiling them
    (tens of milliseconds each, otherwise the slowest request a member meets). The cache
    is keyed by each template's source, so an upgrade compiles anew; skipped where the
    folder cannot be written."""
    folder = Path(app.instance_path) / "template-cache"
    try:
        private_dir(folder)  # the instance folder too, if new: 0700
    except OSError:
        return
    if os.access(folder, os.W_OK | os.X_OK):
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


# One blueprint per area: the module `selector.web.<area>` has a `blueprint`.
AREAS = ("auth", "selections", "members", "invitations", "admin", "analysis", "api", "weighting",
         "vendors", "scoring", "verdicts", "requirements", "reports", "recommendations",
         "audit", "portal", "accessibility")


def _register_blueprints(app: Flask) -> None:
    for area in AREAS:
        module = importlib.import_module(f"selector.web.{area}")
        app.register_blueprint(module.blueprint)


def _template_helpers(app: Flask) -> None:
    def current_language() -> str:
        return str(get_locale() or i18n.DEFAULT_LANGUAGE)[:2]

    def initials(name: str) -> str:
        letters = [part[0] for part in (name or "?").split() if part[:1].isalpha()]
        return ("".join(letters[:1] + letters[-1:]) if len(letters) > 1 else "".join(letters)
                or (name or "?")[:1]).upper()

    def has_endpoint(endpoint: str) -> bool:
        """Is this page part of the app (tabs of areas that are not built are left out)?"""
        return endpoint in app.view_functions

    def web_link(address: str | None) -> bool:
        """May this stored address be a link? One stored before the limits of issue 17
        (a `javascript:` link from an old import) is shown as text only."""
        try:
            return bool(address) and limits.check_web_address(address) == address
        except limits.Refused:
            return False

    app.jinja_env.globals.update(
        asset=assets.asset,
        has_endpoint=has_endpoint,
        web_link=web_link,
        can=guard.can,
        current_language=current_language,
        initials=initials,
        PHASES=PHASES,
        SELECTION_TABS=SELECTION_TABS,
    )
