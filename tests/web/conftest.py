"""Fixtures of the web tests: an app on a fresh migrated database, a committee built
through the services, and browsers (Flask test clients) that log in through /login.

Passwords are hashed with cheap Argon2id parameters here (the `fast_passwords`
fixture): the production parameters cost ~0.07 s per hash and the access test logs in
dozens of times. The parameters live in the hash, so verification follows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

import pytest
from argon2 import PasswordHasher

PASSWORD = "correct horse battery staple"
ROLES = ("facilitator", "business", "it", "sponsor", "observer")


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    from selector.services import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def app(database_url, tmp_path, monkeypatch, compiled_templates):
    from selector.web import database
    from selector.web.app import create_app

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": database_url,
            "SERVER_NAME": "selector.test",
        }
    )
    app.jinja_env.bytecode_cache = compiled_templates
    yield app
    database.dispose(app)


@pytest.fixture
def dbs(app):
    """The app's database, for building data through the services."""
    from selector.web.database import database

    return database(app)


_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """A test client that keeps its CSRF token and logs in like a person."""

    def __init__(self, app):
        self.client = app.test_client()
        self.csrf = ""

    def refresh_token(self, path: str = "/login") -> None:
        page = self.client.get(path)
        found = _CSRF.search(page.get_data(as_text=True))
        assert found, f"no CSRF token on {path} ({page.status_code})"
        self.csrf = found.group(1)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, token=True, **kwargs):
        data = dict(data or {})
        if token:
            if not self.csrf:
                self.refresh_token()
            data.setdefault("csrf_token", self.csrf)
        return self.client.post(path, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD, expect: int = 302):
        self.refresh_token()
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == expect, response.get_data(as_text=True)[:2000]
        if expect == 302:
            self.refresh_token("/")  # a new session cookie carries a new token
        return response


def signed_in(app, email: str, language: str = "en") -> Browser:
    """A browser logged in as `email`, the pages in `language`."""
    browser = Browser(app)
    browser.login(email)
    if language != "en":
        assert browser.post("/language", {"language": language, "next": "/"}).status_code == 302
    return browser


@dataclass
class Committee:
    """One selection with a member per role, and people around it."""

    selection_id: int
    emails: dict[str, str]  # role or label -> e-mail address
    memberships: dict[str, int] = field(default_factory=dict)  # role or label -> id
    other_selection_id: int = 0
    other_membership_id: int = 0
    admin_email: str = "ada@example.org"
    outsider_email: str = "otto@example.org"


def make_account(session, email: str, name: str, admin: bool = False):
    from selector.services import accounts

    return accounts.create_account(session, email, name, PASSWORD, admin=admin)


@pytest.fixture
def committee(dbs) -> Committee:
    """A selection "Alpha" with facilitator, business, it, sponsor and observer, plus a
    former (removed) member, an extra business member to change and remove, an outsider
    who facilitates another selection "Beta", and an admin who is in no selection."""
    from selector.services import memberships
    from selector.services import selections

    with dbs.transaction() as session:
        facilitator = make_account(session, "fenna@example.org", "Fenna de Vries")
        alpha = selections.create_selection(session, facilitator, name="Alpha CRM",
                                            organisation="Gemeente Alpha")
        emails = {"facilitator": facilitator.email}
        ids = {}
        names = {"business": "bram", "it": "ingrid", "sponsor": "marloes", "observer": "olaf",
                 "former": "rita", "target": "tim"}
        for role, first in names.items():
            email = f"{first}@example.org"
            make_account(session, email, first.title())
            added = memberships.add_member(
                session, alpha, facilitator, email,
                role if role in ROLES else "business")
            emails[role] = email
            ids[role] = added.member.membership.id
        memberships.remove_member(session, alpha, facilitator, ids["former"])
        ids["facilitator"] = next(m.membership.id for m in memberships.members_of(session, alpha)
                                 if m.membership.role == "facilitator")
        outsider = make_account(session, "otto@example.org", "Otto Buiten")
        beta = selections.create_selection(session, outsider, name="Beta CRM")
        make_account(session, "bea@example.org", "Bea")
        other = memberships.add_member(session, beta, outsider, "bea@example.org", "business")
        make_account(session, "ada@example.org", "Ada Admin", admin=True)
        return Committee(alpha.id, emails, ids, beta.id, other.member.membership.id)


@pytest.fixture
def example_sid(dbs, example_doc) -> int:
    """The worked example imported through the services: its selection's id."""
    from tests.analysis.support import import_example

    return import_example(dbs, example_doc)


@pytest.fixture
def browser(app):
    return Browser(app)


@pytest.fixture
def browser_factory(app):
    return lambda: Browser(app)


class LoginClock:
    """The login throttle's clock (`selector.services.logins.clock`), all but standing
    still (a microsecond per reading, so events keep their order) until a test moves it
    on: delays are tested without sleeping and without racing the real clock."""

    def __init__(self) -> None:
        from selector.models.base import utcnow

        self.now = utcnow()

    def __call__(self):
        from datetime import timedelta

        self.now += timedelta(microseconds=1)
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


@pytest.fixture
def login_clock(monkeypatch) -> LoginClock:
    from selector.services import logins

    clock = LoginClock()
    monkeypatch.setattr(logins, "clock", clock)
    return clock


@pytest.fixture
def world(dbs):
    """The example selection with scoring open (tests/web/scoring_world.py), for the
    scoring and vendor pages; a module with a world of its own defines its fixture."""
    from tests.web.scoring_world import build_world

    return build_world(dbs)
