"""SELECTOR_REQUIRE_TOTP_FOR_FACILITATORS holds for every request (issue 17, item 5).

The attack: a facilitator without a second factor, signed in with the password alone,
sent any `Authorization:` header along with the session cookie and every page of the
selection opened. Only the API reads that header (a personal token, for the API alone),
and a token gets no further than its account's session would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from tests.trust.test_security_totp import _code
from tests.trust.test_security_totp import _secret_on
from tests.web.conftest import Browser


@pytest.fixture
def strict(app, database_url, tmp_path, monkeypatch):
    """The committee's instance, requiring a second factor of facilitators."""
    from selector.web import database
    from selector.web.app import create_app

    monkeypatch.setenv("SELECTOR_INSTANCE", str(tmp_path / "instance"))
    requiring = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                            "DATABASE_URL": database_url, "SERVER_NAME": "selector.test",
                            "REQUIRE_TOTP_FOR_FACILITATORS": True})
    yield requiring
    database.dispose(requiring)


def _token(dbs, email: str) -> str:
    from selector.services import accounts
    from selector.services import api_tokens

    with dbs.transaction() as session:
        return api_tokens.create_token(session, accounts.find_account(session, email),
                                       "script").secret


HEADERS = ("x", "Bearer", "Bearer nonsense", "Basic ZmVubmE6c2VjcmV0", "Token abc")


def test_no_authorization_header_skips_the_second_factor(strict, dbs, committee):
    selection = f"/selections/{committee.selection_id}"
    fenna = Browser(strict)
    fenna.login(committee.emails["facilitator"])
    someone_elses = _token(dbs, committee.emails["business"])
    for header in (*HEADERS, f"Bearer {someone_elses}"):
        for path in (selection, f"{selection}/members", f"{selection}/requirements"):
            response = fenna.get(path, headers={"Authorization": header})
            assert response.status_code == 303, (header, path)
            assert response.headers["Location"].startswith("/account/two-factor"), header
        refused = fenna.post(f"{selection}/members", {"email": "new@example.org",
                                                     "role": "observer"},
                             headers={"Authorization": header})
        assert refused.status_code == 303, header
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Account).where(
            Account.email == "new@example.org")) == 0


def test_a_token_signs_in_the_api_alone(strict, dbs, committee):
    token = _token(dbs, committee.emails["business"])
    client = strict.test_client()
    page = client.get(f"/selections/{committee.selection_id}",
                      headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    api = client.get(f"/api/v1/selections/{committee.selection_id}/ranking",
                     headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 409  # signed in; scoring is not closed yet


def test_a_facilitators_token_needs_the_second_factor_too(strict, dbs, committee):
    """A token made with the password alone does not get around the requirement."""
    ranking = f"/api/v1/selections/{committee.selection_id}/ranking"
    token = {"Authorization": f"Bearer {_token(dbs, committee.emails['facilitator'])}"}
    refused = strict.test_client().get(ranking, headers=token)
    assert refused.status_code == 403 and "second factor" in refused.json["error"]
    fenna = Browser(strict)
    fenna.login(committee.emails["facilitator"])
    secret = _secret_on(fenna.get("/account/two-factor").get_data(as_text=True))
    assert fenna.post("/account/two-factor/enable", {"code": _code(secret)}).status_code == 302
    assert strict.test_client().get(ranking, headers=token).status_code == 409
