"""Members: invited by e-mail with a role (the invitation link is accepted by the
person, who chooses a password when the address has no account), role changes,
removal; every change audited; other selections' ids refused."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from tests.web.conftest import Browser

NEW_PASSWORD = "a fresh passphrase here"


def link_in(page: str, field: str = "invited-link") -> str:
    found = re.search(rf'id="{field}"[^>]*value="([^"]+)"', page)
    assert found, f"no {field} on the page"
    return found.group(1)


def invite(browser, committee, email, role, name=""):
    response = browser.post(f"/selections/{committee.selection_id}/members",
                            {"email": email, "name": name, "role": role})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response


def test_a_new_address_is_invited_and_chooses_its_password_through_the_link(
        app, dbs, committee, browser):
    from selector.models import Account
    from selector.models import AuditEntry
    from selector.models import Invitation
    from selector.models import LoginSession
    from selector.models import Membership

    browser.login(committee.emails["facilitator"])
    page = invite(browser, committee, "Nina.New@Example.org", "it", "Nina Nieuw"
                  ).get_data(as_text=True)
    link = link_in(page)
    assert "nina.new@example.org" in page and "Nina Nieuw" in page
    with dbs.transaction(write=False) as session:
        # No account, no membership yet: an invitation, stored hashed, and audited.
        assert session.scalar(select(Account).where(Account.email == "nina.new@example.org")
                              ) is None
        stored = session.scalar(select(Invitation).where(
            Invitation.email == "nina.new@example.org"))
        assert stored.role == "it" and stored.token_hash not in link
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.entity == "member", AuditEntry.entity_key == "nina.new@example.org"))
        assert entry.action == "invite" and json.loads(entry.new) == {"role": "it"}

    newcomer = Browser(app)
    local = link.replace("http://selector.test", "")
    shown = newcomer.get(local)
    assert shown.status_code == 200 and "Alpha CRM" in shown.get_data(as_text=True)
    newcomer.refresh_token(local)
    short = newcomer.post(local, {"name": "Nina", "new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = newcomer.post(local, {"name": "Nina Nieuw", "new_password": NEW_PASSWORD,
                                 "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].startswith("/login?next=")
    newcomer.login("nina.new@example.org", NEW_PASSWORD)
    assert "Alpha CRM" in newcomer.get("/").get_data(as_text=True)
    landed = newcomer.get(local)  # the link leads on to the selection after the login
    assert landed.status_code == 302
    assert landed.headers["Location"] == f"/selections/{committee.selection_id}"
    assert Browser(app).get(local).status_code == 404  # used up for anyone else
    with dbs.transaction(write=False) as session:
        membership = session.scalar(select(Membership).join(Membership.account).where(
            Membership.selection_id == committee.selection_id,
            Account.email == "nina.new@example.org"))
        assert membership.role == "it" and membership.account.name == "Nina Nieuw"
        assert session.scalar(select(LoginSession.account_id).where(
            LoginSession.revoked_at.is_(None)).order_by(LoginSession.created_at.desc()))


def test_an_existing_account_accepts_while_logged_in_and_until_then_sees_nothing(
        app, dbs, committee, browser):
    browser.login(committee.emails["facilitator"])
    page = invite(browser, committee, committee.outsider_email, "observer"
                  ).get_data(as_text=True)
    local = link_in(page).replace("http://selector.test", "")
    assert "Otto Buiten" not in page  # the stored name is not revealed
    outsider = Browser(app)
    outsider.login(committee.outsider_email)
    assert "Alpha CRM" not in outsider.get("/").get_data(as_text=True)
    assert outsider.get(f"/selections/{committee.selection_id}").status_code == 404
    # Someone else logged in cannot accept it.
    other = Browser(app)
    other.login(committee.emails["business"])
    other.refresh_token(local)
    assert other.post(local, {"answer": "accept"}).status_code == 403
    outsider.refresh_token(local)
    assert outsider.post(local, {"answer": "accept"}).status_code == 302
    assert outsider.get(f"/selections/{committee.selection_id}").status_code == 200
    assert outsider.post(f"/selections/{committee.selection_id}/phase",
                         {"direction": "forward"}).status_code == 403


def test_an_invitation_can_be_declined_withdrawn_and_renewed(app, dbs, committee, browser):
    from selector.models import Invitation

    browser.login(committee.emails["facilitator"])
    first = link_in(invite(browser, committee, committee.outsider_email, "it"
                           ).get_data(as_text=True)).replace("http://selector.test", "")
    with dbs.transaction(write=False) as session:
        invitation_id = session.scalar(select(Invitation.id))
    base = f"/selections/{committee.selection_id}/members/invitations/{invitation_id}"
    renewed = browser.post(f"{base}/renew")
    second = link_in(renewed.get_data(as_text=True)).replace("http://selector.test", "")
    assert Browser(app).get(first).status_code == 404  # the old link stops working
    outsider = Browser(app)
    outsider.login(committee.outsider_email)
    outsider.refresh_token(second)
    assert outsider.post(second, {"answer": "decline"}).status_code == 302
    assert outsider.get(second).status_code == 404
    assert outsider.get(f"/selections/{committee.selection_id}").status_code == 404
    # Invited again, then withdrawn: the link no longer works.
    third = link_in(invite(browser, committee, committee.outsider_email, "it"
                           ).get_data(as_text=True)).replace("http://selector.test", "")
    with dbs.transaction(write=False) as session:
        open_id = session.scalar(select(Invitation.id).where(
            Invitation.declined_at.is_(None)))
    assert browser.post(f"/selections/{committee.selection_id}/members/invitations/"
                        f"{open_id}/withdraw").status_code == 302
    assert outsider.get(third).status_code == 404
    # Another selection's invitation id is not found here.
    assert browser.post(f"/selections/{committee.selection_id}/members/invitations/"
                        f"{open_id}/renew").status_code == 404


def test_a_refused_member_keeps_what_was_typed(app, committee, browser):
    browser.login(committee.emails["facilitator"])
    path = f"/selections/{committee.selection_id}/members"
    response = browser.post(path, {"email": committee.emails["business"], "name": "Typed Name",
                                   "role": "sponsor"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This person is a member already" in page and 'id="email-error"' in page
    assert 'value="Typed Name"' in page
    bad = browser.post(path, {"email": "not an address", "role": "it"})
    assert bad.status_code == 422 and "Enter a valid e-mail address" in bad.get_data(as_text=True)
    role = browser.post(path, {"email": "x@example.org", "role": "king"})
    assert role.status_code == 422


def test_roles_change_and_members_are_removed_with_an_audit_trail(app, dbs, committee, browser):
    from selector.models import AuditEntry
    from selector.models import Membership

    browser.login(committee.emails["facilitator"])
    target = committee.memberships["target"]
    base = f"/selections/{committee.selection_id}/members/{target}"
    assert browser.post(f"{base}/role", {f"m{target}-role": "sponsor"}).status_code == 302
    assert browser.post(f"{base}/remove").status_code == 302
    with dbs.transaction(write=False) as session:
        membership = session.get(Membership, target)
        assert membership.role == "sponsor" and membership.removed_at is not None
        trail = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "member", AuditEntry.entity_key == "tim@example.org"
        ).order_by(AuditEntry.id)).all()
        assert [(e.action, e.old and json.loads(e.old), e.new and json.loads(e.new))
                for e in trail] == [
            ("create", None, {"role": "business"}),
            ("update", {"role": "business"}, {"role": "sponsor"}),
            ("delete", {"role": "sponsor"}, None),
        ]
    removed = Browser(app)
    removed.login("tim@example.org")
    assert removed.get(f"/selections/{committee.selection_id}").status_code == 404
    # Invited again and accepted: the same membership comes back.
    local = link_in(invite(browser, committee, "tim@example.org", "business"
                           ).get_data(as_text=True)).replace("http://selector.test", "")
    removed.refresh_token(local)
    assert removed.post(local, {"answer": "accept"}).status_code == 302
    with dbs.transaction(write=False) as session:
        membership = session.get(Membership, target)
        assert membership.removed_at is None and membership.role == "business"
    assert removed.get(f"/selections/{committee.selection_id}").status_code == 200


def test_the_last_facilitator_stays(app, dbs, committee, browser):
    browser.login(committee.emails["facilitator"])
    mine = committee.memberships["facilitator"]
    base = f"/selections/{committee.selection_id}/members/{mine}"
    response = browser.post(f"{base}/role", {f"m{mine}-role": "business"})
    assert response.status_code == 422
    assert "needs a facilitator" in response.get_data(as_text=True)
    assert browser.post(f"{base}/remove").status_code == 422
    # With a second facilitator, the first may step down.
    other = committee.memberships["business"]
    browser.post(f"/selections/{committee.selection_id}/members/{other}/role",
                 {f"m{other}-role": "facilitator"})
    assert browser.post(f"{base}/role", {f"m{mine}-role": "business"}).status_code == 302


def test_a_facilitator_cannot_reset_a_password_that_is_set(app, committee, browser):
    browser.login(committee.emails["facilitator"])
    target = committee.memberships["business"]
    response = browser.post(f"/selections/{committee.selection_id}/members/{target}/link")
    assert response.status_code == 422
    assert 'id="issued-link"' not in response.get_data(as_text=True)


def test_members_see_the_committee_but_cannot_change_it(app, committee):
    for role in ("business", "it", "sponsor", "observer"):
        browser = Browser(app)
        browser.login(committee.emails[role])
        page = browser.get(f"/selections/{committee.selection_id}/members")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Fenna de Vries" in text and "Invite a member" not in text
        assert browser.post(f"/selections/{committee.selection_id}/members",
                            {"email": "sneaky@example.org", "role": "facilitator"}
                            ).status_code == 403


def test_the_link_is_mailed_when_smtp_is_configured(app, committee, browser, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def starttls(self, context):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"], message.get_content()))

    import selector.web.mail as mail

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(SMTP_HOST="smtp.example.org", SMTP_PORT=587, SMTP_USER="selector",
                      SMTP_PASSWORD="pw", SMTP_FROM="selector@example.org")
    browser.login(committee.emails["facilitator"])
    response = browser.post(f"/selections/{committee.selection_id}/members",
                            {"email": "mail.me@example.org", "name": "Mail Me", "role": "it"})
    assert "We sent this link to mail.me@example.org" in response.get_data(as_text=True)
    message = next(item for item in sent if item[0] == "send")
    assert message[1] == "mail.me@example.org" and "Alpha CRM" in message[2]
    assert link_in(response.get_data(as_text=True)) in message[3]
    assert "Fenna de Vries invites you" in message[3]
