"""The account-takeover chain of issue 17, performed as an attacker would, through the
real login: any signed-in account creates its own selection, "adds" an administrator
(or another account) that has no password yet, and was handed a set-password link
for it. Adding someone now records an invitation; no set-password link for an
existing account reaches anyone but an administrator or that account's own mailbox.
"""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select

from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser
from tests.web.conftest import make_account

ATTACKER_PASSWORD = "i own this instance now"


def _links(page: str) -> list[str]:
    return re.findall(r'value="(http://selector\.test/[^"]+)"', page)


def test_a_signed_in_account_cannot_take_over_an_account_without_password(app, dbs):
    from selector.models import Account
    from selector.models import Invitation
    from selector.models import Membership
    from selector.models import PasswordLink
    from selector.services import account_admin

    with dbs.transaction() as session:
        admin = make_account(session, "ada@example.org", "Ada Admin", admin=True)
        make_account(session, "mallory@example.org", "Mallory")
        # The admin has just created a second administrator; their link is on its way.
        victim, victims_link = account_admin.create_account(
            session, admin, "root@example.org", "Rosa Root", admin=True)
        # And an account made by `selector import`: no password either.
        make_account_without_password = Account(email="imported@example.org", name="Imre")
        session.add(make_account_without_password)

    mallory = Browser(app)
    mallory.login("mallory@example.org")
    created = mallory.post("/selections/new", {"name": "Mallory's trap", "organisation": "",
                                               "language": "en", "scale_max": "5",
                                               "business_share": "50"})
    assert created.status_code == 302
    selection_path = created.headers["Location"]
    mallory.refresh_token(selection_path)

    for email in ("root@example.org", "imported@example.org"):
        added = mallory.post(f"{selection_path}/members",
                             {"email": email, "role": "facilitator"})
        page = added.get_data(as_text=True)
        assert added.status_code == 200
        assert "/set-password/" not in page  # the old chain: a set-password link here
        assert "Rosa Root" not in page and "Imre" not in page  # stored names stay hidden
        invitation_link = _links(page)[0].replace("http://selector.test", "")
        assert invitation_link.startswith("/invitations/")

        # The invitation link in the attacker's hands gives nothing: logged in, it is for
        # another account; logged out, "choosing a password" changes no existing account.
        assert mallory.post(invitation_link, {"answer": "accept"}).status_code == 403
        anonymous = Browser(app)
        anonymous.refresh_token(invitation_link)
        answer = anonymous.post(invitation_link, {"name": "Mallory", "new_password":
                                                  ATTACKER_PASSWORD, "confirm":
                                                  ATTACKER_PASSWORD})
        assert answer.status_code == 302  # answered as for a new address
        Browser(app).login(email, ATTACKER_PASSWORD, expect=422)

    with dbs.transaction(write=False) as session:
        for email in ("root@example.org", "imported@example.org"):
            account = session.scalar(select(Account).where(Account.email == email))
            assert account.password_hash is None
            assert session.scalar(select(func.count()).select_from(Membership).where(
                Membership.account_id == account.id)) == 0
        # The one set-password link is the admin's, and it still works.
        assert session.scalar(select(func.count()).select_from(PasswordLink)) == 1
        assert session.scalar(select(func.count()).select_from(Invitation)) == 2

    rosa = Browser(app)
    own = f"/set-password/{victims_link.token}"
    assert rosa.get(own).status_code == 200
    rosa.refresh_token(own)
    assert rosa.post(own, {"new_password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    rosa.login("root@example.org")
    # Until Rosa accepts, Mallory's selection is not on her home page and gives no access.
    home = rosa.get("/").get_data(as_text=True)
    assert "Mallory&#39;s trap" not in home and "Mallory's trap" not in home
    assert rosa.get(selection_path).status_code == 404


def test_a_facilitator_gets_no_set_password_link_for_a_member(app, dbs, monkeypatch):
    """Once an admin confirmed an invitation for an account without a password, its
    facilitator's "new link" is refused without e-mail, and only e-mailed with it."""
    from selector.models import Invitation
    from selector.models import PasswordLink
    from selector.services import invitations
    from selector.services import memberships
    from selector.services import selections

    with dbs.transaction() as session:
        admin = make_account(session, "ada@example.org", "Ada Admin", admin=True)
        mallory = make_account(session, "mallory@example.org", "Mallory")
        trap = selections.create_selection(session, mallory, name="Trap")
        invitations.invite(session, trap, mallory, "nopass@example.org", "business")
        invitation_id = session.scalar(select(Invitation.id))
        member = invitations.confirm(session, admin, invitation_id)
        membership_id = member.membership.id
        assert [m.account.email for m in memberships.members_of(session, trap)] == [
            "mallory@example.org", "nopass@example.org"]
        selection_id = trap.id

    attacker = Browser(app)
    attacker.login("mallory@example.org")
    path = f"/selections/{selection_id}/members/{membership_id}/link"
    attacker.refresh_token(f"/selections/{selection_id}/members")
    refused = attacker.post(path)
    assert refused.status_code == 422
    assert "Ask an administrator" in refused.get_data(as_text=True)
    assert "/set-password/" not in refused.get_data(as_text=True)
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PasswordLink)) == 0

    sent = []
    import selector.web.mail as mail

    monkeypatch.setattr(mail, "send", lambda to, subject, body: sent.append((to, body)) or True)
    app.config.update(SMTP_HOST="smtp.example.org", SMTP_PORT=25)
    mailed = attacker.post(path)
    assert mailed.status_code == 302
    assert [to for to, _body in sent] == ["nopass@example.org"]
    assert "/set-password/" not in attacker.get(f"/selections/{selection_id}/members"
                                                ).get_data(as_text=True)


def test_an_admin_confirms_an_open_invitation(app, dbs):
    from selector.models import AuditEntry
    from selector.services import invitations
    from selector.services import selections

    with dbs.transaction() as session:
        make_account(session, "ada@example.org", "Ada Admin", admin=True)
        fenna = make_account(session, "fenna@example.org", "Fenna")
        alpha = selections.create_selection(session, fenna, name="Alpha")
        invitations.invite(session, alpha, fenna, "new.person@example.org", "sponsor",
                           name="New Person")
        selection_id = alpha.id

    fenna_browser = Browser(app)
    fenna_browser.login("fenna@example.org")
    assert fenna_browser.get("/admin/invitations").status_code == 403
    admin = Browser(app)
    admin.login("ada@example.org")
    page = admin.get("/admin/invitations")
    assert page.status_code == 200 and "new.person@example.org" in page.get_data(as_text=True)
    admin.refresh_token("/admin/invitations")
    invitation_id = re.search(r"/admin/invitations/(\d+)/confirm",
                              page.get_data(as_text=True)).group(1)
    assert admin.post(f"/admin/invitations/{invitation_id}/confirm").status_code == 302
    assert admin.post(f"/admin/invitations/{invitation_id}/confirm").status_code == 404
    with dbs.transaction(write=False) as session:
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.selection_id == selection_id, AuditEntry.entity == "member",
            AuditEntry.action == "create", AuditEntry.entity_key == "new.person@example.org"))
        assert entry.actor == "ada@example.org"
    members = fenna_browser.get(f"/selections/{selection_id}/members").get_data(as_text=True)
    assert "New Person" in members and "invited, no password yet" in members
