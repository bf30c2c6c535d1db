"""The instance admin's accounts page, and one's own account: details, language and
personal API tokens (shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from tests.web.conftest import Browser

NEW_PASSWORD = "the admin gave me a link"


def test_the_admin_creates_an_account_with_a_one_time_link(app, dbs, committee, browser):
    browser.login(committee.admin_email)
    response = browser.post("/admin/accounts", {"email": "carla@example.org", "name": "Carla"})
    assert response.status_code == 200
    link = re.search(r'id="issued-link"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    path = link.group(1).replace("http://selector.test", "")
    newcomer = Browser(app)
    newcomer.refresh_token(path)
    assert newcomer.post(path, {"new_password": NEW_PASSWORD,
                                "confirm": NEW_PASSWORD}).status_code == 302
    newcomer.login("carla@example.org", NEW_PASSWORD)
    twice = browser.post("/admin/accounts", {"email": "CARLA@example.org", "name": "Again"})
    assert twice.status_code == 422
    assert "exists already" in twice.get_data(as_text=True)


def test_deactivation_logs_the_account_out_everywhere(app, dbs, committee, browser):
    from selector.services import accounts

    member = Browser(app)
    member.login(committee.emails["it"])
    with dbs.transaction(write=False) as session:
        account_id = accounts.find_account(session, committee.emails["it"]).id
    browser.login(committee.admin_email)
    assert browser.post(f"/admin/accounts/{account_id}/deactivate").status_code == 302
    assert member.get("/").status_code == 302
    Browser(app).login(committee.emails["it"], expect=422)
    assert browser.post(f"/admin/accounts/{account_id}/activate").status_code == 302
    Browser(app).login(committee.emails["it"])


def test_an_admin_cannot_deactivate_themselves_and_unknown_ids_are_404(app, dbs, committee,
                                                                      browser):
    from selector.services import accounts

    with dbs.transaction(write=False) as session:
        admin_id = accounts.find_account(session, committee.admin_email).id
    browser.login(committee.admin_email)
    assert browser.post(f"/admin/accounts/{admin_id}/deactivate").status_code == 422
    assert browser.post("/admin/accounts/999999/deactivate").status_code == 404
    assert browser.post("/admin/accounts/999999/link").status_code == 404


def test_an_admin_link_also_resets_a_forgotten_password(app, dbs, committee, browser):
    from selector.services import accounts

    with dbs.transaction(write=False) as session:
        account_id = accounts.find_account(session, committee.emails["sponsor"]).id
    logged_in = Browser(app)
    logged_in.login(committee.emails["sponsor"])
    browser.login(committee.admin_email)
    page = browser.post(f"/admin/accounts/{account_id}/link").get_data(as_text=True)
    path = re.search(r'id="issued-link"[^>]*value="([^"]+)"', page).group(1)
    path = path.replace("http://selector.test", "")
    reset = Browser(app)
    reset.refresh_token(path)
    assert reset.post(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
                      ).status_code == 302
    assert logged_in.get("/").status_code == 302  # a reset ends every session
    Browser(app).login(committee.emails["sponsor"], NEW_PASSWORD)


def test_an_admin_is_not_a_member_of_every_selection(app, committee, browser):
    browser.login(committee.admin_email)
    assert browser.get(f"/selections/{committee.selection_id}").status_code == 404
    assert "Alpha CRM" not in browser.get("/").get_data(as_text=True)
    assert "Accounts" in browser.get("/").get_data(as_text=True)


def test_tokens_are_shown_once_stored_hashed_and_revoked(app, dbs, committee, browser):
    from selector.models import ApiToken
    from selector.services import api_tokens

    browser.login(committee.emails["it"])
    page = browser.post("/account/tokens", {"token-name": "nightly export"}).get_data(as_text=True)
    secret = re.search(r'id="new-token"[^>]*value="([^"]+)"', page).group(1)
    assert secret.startswith("sel_")
    assert 'id="name" name="name" required type="text" value="Ingrid"' in page or \
        re.search(r'<input[^>]*id="name"[^>]*value="Ingrid"', page)  # not the token's name
    assert secret not in browser.get("/account").get_data(as_text=True)
    with dbs.transaction(write=False) as session:
        token = session.scalar(select(ApiToken).where(ApiToken.name == "nightly export"))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert api_tokens.account_for_token(session, secret).email == committee.emails["it"]
    assert browser.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    with dbs.transaction(write=False) as session:
        assert api_tokens.account_for_token(session, secret) is None


def test_another_accounts_token_cannot_be_revoked(app, dbs, committee, browser):
    from selector.services import accounts
    from selector.services import api_tokens

    with dbs.transaction() as session:
        owner = accounts.find_account(session, committee.emails["business"])
        token_id = api_tokens.create_token(session, owner, "mine").token.id
    browser.login(committee.emails["it"])
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_a_token_needs_a_name(app, committee, browser):
    browser.login(committee.emails["it"])
    response = browser.post("/account/tokens", {"token-name": "   "})
    assert response.status_code == 422
    assert 'id="token-name-error"' in response.get_data(as_text=True)


def test_name_and_language_are_saved(app, dbs, committee, browser):
    from selector.services import accounts

    browser.login(committee.emails["it"])
    assert browser.post("/account", {"name": "Ingrid V.", "language": "nl"}).status_code == 302
    with dbs.transaction(write=False) as session:
        account = accounts.find_account(session, committee.emails["it"])
        assert (account.name, account.language) == ("Ingrid V.", "nl")
    other = Browser(app)  # another browser, another day: the saved choice holds
    other.login(committee.emails["it"])
    assert "Mijn selecties" in other.get("/").get_data(as_text=True)
