"""GET /api/v1/selections/<id>/ranking: the ranking document for members, by session or
personal API token; JSON errors only; 409 while scoring is blind."""

from __future__ import annotations

from tests.analysis.support import BUSINESS
from tests.analysis.support import FACILITATOR
from tests.analysis.support import SPONSOR
from tests.analysis.support import engine_ranking
from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser


def token_for(dbs, email: str) -> tuple[str, int]:
    from selector.services import accounts
    from selector.services import api_tokens

    with dbs.transaction() as session:
        created = api_tokens.create_token(session, accounts.find_account(session, email), "t")
        return created.secret, created.token.id


def url(sid: int) -> str:
    return f"/api/v1/selections/{sid}/ranking"


def assert_json_error(response, status: int, message: str | None = None) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["status"] == status
    if message is not None:
        assert body["error"] == message


def test_a_member_gets_the_ranking_document_with_the_session(app, dbs, example_sid):
    browser = Browser(app)
    browser.login(SPONSOR)
    response = browser.get(url(example_sid))
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc == engine_ranking(dbs, example_sid)  # the same engine, the same seed
    assert doc["format"] == "selector/ranking" and doc["version"] == 1
    assert [v["key"] for v in doc["vendors"]] == ["northwind", "tulip", "polder"]
    assert list(doc["category_weights"])[:2] == ["sales", "marketing"]  # the engine's order


def test_a_personal_token_works_without_a_session(app, dbs, example_sid):
    secret, _ = token_for(dbs, BUSINESS)
    client = app.test_client()
    response = client.get(url(example_sid), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.get_json() == engine_ranking(dbs, example_sid)
    assert "Set-Cookie" not in response.headers  # the token counts for this request only


def test_revoked_unknown_and_malformed_tokens(app, dbs, example_sid):
    from selector.services import accounts
    from selector.services import api_tokens

    secret, token_id = token_for(dbs, BUSINESS)
    with dbs.transaction() as session:
        api_tokens.revoke_token(session, accounts.find_account(session, BUSINESS), token_id)
    client = app.test_client()
    for header in (f"Bearer {secret}", "Bearer sel_not-a-real-token", "Bearer x" * 300):
        assert_json_error(client.get(url(example_sid), headers={"Authorization": header}), 404)
    assert_json_error(
        client.get(url(example_sid), headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401
    )
    response = client.get(url(example_sid))
    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_non_members_get_not_found(app, dbs, example_sid):
    from selector.services import accounts

    with dbs.transaction() as session:
        accounts.create_account(session, "otto@example.org", "Otto", PASSWORD)
    secret, _ = token_for(dbs, "otto@example.org")
    client = app.test_client()
    assert_json_error(
        client.get(url(example_sid), headers={"Authorization": f"Bearer {secret}"}),
        404, "not found",
    )
    browser = Browser(app)
    browser.login("otto@example.org")
    assert_json_error(browser.get(url(example_sid)), 404)
    assert_json_error(browser.get(url(example_sid + 1000)), 404)


def test_before_scoring_closes_the_api_answers_409(app, dbs, example_sid):
    from selector.models import Selection
    from selector.services import accounts
    from selector.services import selections

    with dbs.transaction() as session:
        selection = session.get(Selection, example_sid)
        actor = accounts.find_account(session, FACILITATOR)
        selections.change_phase(session, selection, actor, "back", "a late vendor")
    for email in (SPONSOR, BUSINESS, FACILITATOR):
        secret, _ = token_for(dbs, email)
        response = app.test_client().get(
            url(example_sid), headers={"Authorization": f"Bearer {secret}"}
        )
        assert_json_error(response, 409, "available when scoring is closed")
        assert "total" not in response.get_data(as_text=True)
    # A facilitator with "see everything" on may look early (decisions.md).
    with dbs.transaction() as session:
        session.get(Selection, example_sid).facilitator_sees_all = True
    secret, _ = token_for(dbs, FACILITATOR)
    response = app.test_client().get(
        url(example_sid), headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200


def test_errors_are_json_never_html(app, dbs, example_sid):
    browser = Browser(app)
    browser.login(SPONSOR)
    response = browser.client.post(url(example_sid))
    assert_json_error(response, 405)
    assert "<html" not in response.get_data(as_text=True)
    assert_json_error(browser.get("/api/v1/nothing-here"), 404)
    # Pages outside the API keep their HTML error pages.
    page = browser.get("/selections/999999/nothing")
    assert page.status_code == 404 and page.mimetype == "text/html"
