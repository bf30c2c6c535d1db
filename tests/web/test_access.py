"""Who may use which route: every registered route x every role, as member and as
non-member, plus anonymous, with the exact status code the permission table implies.

A route that declares no action fails `test_every_route_declares_an_action`; a new
route needs no change here to be walked, but a known successful request per endpoint
(`SUCCESS`) makes the check exact for the allowed side too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.routing import Rule

from selector import access
from selector.domain.phases import scoring_closed
from tests.web.conftest import PASSWORD
from tests.web.conftest import ROLES
from tests.web.conftest import Browser
from tests.web.conftest import make_account

IDENTITIES = ("anonymous", *ROLES, "former", "outsider", "admin")

NEW_PASSWORD = "a brand new passphrase for tests"

# endpoint -> method -> (form data, status of a permitted request with it)
SUCCESS: dict[str, dict[str, tuple[dict, int]]] = {
    "auth.login": {"GET": ({}, 200),
                   "POST": ({"email": "nobody@example.org", "password": "wrong password"}, 422)},
    "auth.logout": {"POST": ({}, 302)},
    "auth.language": {"POST": ({"language": "nl"}, 302)},
    "auth.set_password": {"GET": ({}, 200),
                          "POST": ({"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, 302)},
    "auth.account": {"GET": ({}, 200)},
    "accessibility.statement": {"GET": ({}, 200)},  # public
    "auth.update_account": {"POST": ({"name": "A New Name", "language": ""}, 302)},
    "auth.change_password": {"GET": ({}, 200), "POST": ({}, 422)},
    "auth.create_token": {"POST": ({"token-name": "my script"}, 200)},
    "auth.revoke_token": {"POST": ({}, 302)},
    "selections.home": {"GET": ({}, 200)},
    "selections.create": {"GET": ({}, 200),
                          "POST": ({"name": "Gamma", "language": "en", "scale_max": "5",
                                    "business_share": "50"}, 302)},
    "selections.overview": {"GET": ({}, 200)},
    "recommendations.page": {"GET": ({}, 200)},  # open to every member, in every phase
    "selections.change_phase": {"POST": ({"direction": "forward"}, 302)},
    "members.index": {"GET": ({}, 200)},
    "members.add": {"POST": ({"email": "newcomer@example.org", "role": "observer"}, 200)},
    "members.change_role": {"POST": ({"m{membership_id}-role": "observer"}, 302)},
    "members.remove": {"POST": ({}, 302)},
    # Without e-mail set up a facilitator who is no admin is told to ask an admin.
    "members.issue_link": {"POST": ({}, 422)},
    "members.renew_invitation": {"POST": ({}, 200)},
    "members.withdraw_invitation": {"POST": ({}, 302)},
    "invitations.respond": {"GET": ({}, 200)},  # POST: see expected_status
    "admin.open_invitations": {"GET": ({}, 200)},
    "admin.confirm_invitation": {"POST": ({}, 302)},
    "admin.accounts": {"GET": ({}, 200)},
    "admin.create_account": {"POST": ({"email": "x@example.org", "name": "X"}, 200)},
    "admin.deactivate": {"POST": ({}, 302)},
    "admin.activate": {"POST": ({}, 302)},
    "admin.issue_link": {"POST": ({}, 200)},
    # The import's mapping step without an upload: "The upload has expired" (issue 19).
    "requirements.check": {"POST": ({"token": "0" * 32, "filename": "pve.xlsx"}, 422)},
    "requirements.commit": {"POST": ({"token": "0" * 32, "filename": "pve.xlsx"}, 422)},
    "weighting.price": {"GET": ({}, 200)},
    "weighting.save_price": {"POST": ({"price_method": "lowest_ratio", "price_weight": "10",
                                       "quality_threshold": "0", "tco_years": "5"}, 302)},
    # The vendor portal (issue 20): its link lets anyone in, signed in or not; the forms
    # sent empty are refused with the field named. Submit: this selection has no
    # requirements, so the first submits (302) and the others find it locked (409).
    "portal.questionnaire_page": {"GET": ({}, 200)},
    "portal.costs": {"GET": ({}, 200), "POST": ({}, 422)},
    "portal.questions": {"GET": ({}, 200), "POST": ({}, 422)},
    "portal.download": {"GET": ({}, 200)},
    "portal.upload": {"POST": ({}, 422)},
    "portal.submit": {"POST": ({}, None)},
    # The committee's side of the vendor portal (issue 20): the facilitator only.
    "vendors.portal": {"GET": ({}, 200)},
    "vendors.schedule": {"POST": ({"deadline": "", "hidden": ""}, 302)},
    # The audit trail (issue 22): facilitator, sponsor and observer, in every phase.
    "audit.page": {"GET": ({}, 200)},
    "audit.export_xlsx": {"GET": ({}, 200)},
    "audit.export_csv": {"GET": ({}, 200)},
}

# Routes after which the browser's session may have ended: it logs in again.
SESSION_ENDING = {"auth.logout", "auth.change_password", "auth.set_password"}

# Which object an id in a URL points at, per endpoint (see `world`).
TARGETS = {
    "members.change_role": "target",
    "members.remove": "victim",
    "members.issue_link": "invitee",
    "admin.deactivate": "leaving_account",
    "admin.activate": "inactive_account",
    "admin.issue_link": "target_account",
}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_route_declares_an_action(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        action = access.declared_action(view, rule.endpoint)
        if action is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
        else:
            access.rule_for(action)  # a known action
    assert not missing, "routes without @requires(...): " + ", ".join(missing)


def test_routes_that_take_posts_are_closed_to_readers(app):
    """A state-changing method needs an action that writes, or (for a computation that
    stores nothing, such as a what-if) one that sponsors and observers may not use."""
    for rule in routes(app):
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            action = access.declared_action(app.view_functions[rule.endpoint], rule.endpoint)
            declared = access.rule_for(action)
            roles = getattr(declared, "roles", frozenset())
            assert declared.writes or not roles & access.READ_ONLY_ROLES, (
                f"{rule.rule} takes {sorted(rule.methods)} with the reading action {action!r}"
            )


def test_sponsors_and_observers_never_write():
    """...but for the sponsor's decision on the recommendation, which only a sponsor
    records (issue 18)."""
    for action, rule in access.SELECTION_RULES.items():
        if action in access.SPONSOR_WRITES:
            assert rule.writes and rule.roles == {"sponsor"}, action
        elif rule.writes:
            assert not rule.roles & access.READ_ONLY_ROLES, action
    assert access.SPONSOR_WRITES == {"recommendation.decide"}


def test_the_table_reads_as_text():
    table = access.describe()
    assert "members.manage" in table and "facilitator" in table


@pytest.fixture
def world(app, dbs, committee):
    """The committee plus what the routes point at, built through the services."""
    from sqlalchemy import select

    from selector.models import Account
    from selector.models import Selection
    from selector.services import account_admin
    from selector.services import accounts
    from selector.services import api_tokens
    from selector.services import invitations
    from selector.services import logins
    from selector.services import memberships
    from selector.services import vendors

    ids = dict(committee.memberships)
    with dbs.transaction() as session:
        alpha = session.get(Selection, committee.selection_id)
        facilitator = accounts.find_account(session, committee.emails["facilitator"])
        admin = accounts.find_account(session, committee.admin_email)
        make_account(session, "victor@example.org", "Victor")
        ids["victim"] = memberships.add_member(
            session, alpha, facilitator, "victor@example.org", "business").member.membership.id
        ids["invitee"] = memberships.add_member(
            session, alpha, facilitator, "ivy@example.org", "it").member.membership.id
        newcomer = memberships.add_member(session, alpha, facilitator, "ines@example.org", "it")
        link = logins.issue_password_link(session, newcomer.member.account, timedelta(days=1))
        invited = invitations.invite(session, alpha, facilitator, "iris@example.org", "it")
        for_admin = invitations.invite(session, alpha, facilitator, "abe@example.org", "it")
        target = make_account(session, "tara@example.org", "Tara")
        leaving = make_account(session, "dora@example.org", "Dora")
        inactive = make_account(session, "ivan@example.org", "Ivan")
        # The vendor portal (issue 20): a vendor's link, the same for every identity.
        vendor = vendors.add_vendor(session, alpha, facilitator,
                                    vendors.VendorInput(name="Northwind"))
        portal = vendors.issue_link(session, alpha, facilitator, vendor.id)
        account_admin.set_active(session, admin, inactive.id, False)
        tokens = {
            account.email: api_tokens.create_token(session, account, "t").token.id
            for account in session.scalars(select(Account)).all()
            if account.password_hash
        }
    return {
        "committee": committee,
        "ids": ids,
        "accounts": {"target_account": target.id, "leaving_account": leaving.id,
                     "inactive_account": inactive.id},
        "link": link.token,
        "portal": portal.token,
        "invitation": invited.token,
        "invitation_ids": {"members": invited.invitation.id,
                           "admin": for_admin.invitation.id},
        "tokens": tokens,
    }


def email_of(identity: str, committee) -> str | None:
    if identity == "anonymous":
        return None
    if identity == "outsider":
        return committee.outsider_email
    if identity == "admin":
        return committee.admin_email
    return committee.emails[identity]


def url_for_rule(rule: Rule, world, identity: str) -> str | None:
    """A URL for the rule, or None when it has arguments this test cannot fill."""
    committee = world["committee"]
    values = {}
    for name in rule.arguments:
        if name == "selection_id":
            values[name] = committee.selection_id
        elif name == "membership_id":
            values[name] = world["ids"][TARGETS.get(rule.endpoint, "target")]
        elif name == "account_id":
            values[name] = world["accounts"][TARGETS.get(rule.endpoint, "target_account")]
        elif name == "token_id":
            email = email_of(identity, committee)
            values[name] = world["tokens"].get(email, 1) if email else 1
        elif name == "token":
            values[name] = (world["invitation"] if rule.endpoint == "invitations.respond"
                            else world["portal"] if rule.endpoint.startswith("portal.")
                            else world["link"])
        elif name == "invitation_id":
            values[name] = world["invitation_ids"][rule.endpoint.split(".")[0]]
        else:
            return None
    _, path = rule.build(values, append_unknown=False)
    return path


def current_phase(dbs, selection_id: int) -> str:
    from selector.models import Selection

    with dbs.transaction(write=False) as session:
        return session.get(Selection, selection_id).phase


def expected_status(identity: str, action: str, endpoint: str, method: str,
                    phase: str = "requirements", api: bool = False) -> int | None:
    """The status the permission table implies; None: allowed, without a known outcome."""
    rule = access.rule_for(action)
    signed_in = identity != "anonymous"
    allowed_code = SUCCESS.get(endpoint, {}).get(method, (None, None))[1]
    if endpoint == "auth.login" and signed_in:
        allowed_code = 302  # a signed-in visitor of the login page goes home
    if endpoint == "invitations.respond" and method == "POST":
        # The invitation is for none of them: signed in, refused; anonymous, the
        # new-account form without its fields.
        return 403 if signed_in else 422
    if isinstance(rule, access.AccountRule):
        if rule.who == access.PUBLIC:
            return allowed_code
        if not signed_in:
            return 302
        if rule.who == access.ADMIN and identity != "admin":
            return 403
        return allowed_code
    if not signed_in:
        return 401 if api else 302  # the JSON API asks for credentials, pages redirect
    if identity not in ROLES:
        return 404  # not a (current) member: the selection does not exist for them
    if not access.permitted(identity, action, phase):
        return 403
    if rule.shows_scores and not scoring_closed(phase):
        return 403  # blind scoring: the committee has no "see everything" on
    return allowed_code


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_route_answers_every_identity_as_the_table_says(app, dbs, world, identity):
    committee = world["committee"]
    email = email_of(identity, committee)
    checked = 0

    def signed_in_browser() -> Browser:
        browser = Browser(app)
        if email:
            browser.login(email, PASSWORD)
        else:
            browser.refresh_token()
        return browser

    browser = signed_in_browser()
    for rule in sorted(routes(app), key=lambda r: (r.endpoint, r.rule)):
        action = access.declared_action(app.view_functions[rule.endpoint], rule.endpoint)
        path = url_for_rule(rule, world, identity)
        if path is None:
            continue
        served = app.url_map.bind("selector.test").allowed_methods(path)
        for method in ("GET", "POST"):
            if method not in rule.methods and method in served:
                continue  # another route answers this method on the same path
            if method not in rule.methods:
                response = browser.get(path) if method == "GET" else browser.post(path)
                assert response.status_code == 405, (identity, method, rule.rule)
                continue
            data = {
                key.format(**{"membership_id": path.split("/")[-2]}): value
                for key, value in SUCCESS.get(rule.endpoint, {}).get(method, ({}, 0))[0].items()
            }
            phase = current_phase(dbs, committee.selection_id)
            response = browser.get(path) if method == "GET" else browser.post(path, data)
            want = expected_status(identity, action, rule.endpoint, method, phase,
                                   api=rule.rule.startswith("/api/"))
            where = f"{identity} {method} {rule.rule} ({action})"
            if want is None:
                assert response.status_code < 500 and response.status_code not in (403, 404), where
            else:
                assert response.status_code == want, f"{where}: {response.status_code} != {want}"
            public = getattr(access.rule_for(action), "who", None) == access.PUBLIC
            if want == 302 and identity == "anonymous" and not public:
                assert response.headers["Location"].startswith("/login"), where
            checked += 1
            if rule.endpoint in SESSION_ENDING:
                browser = signed_in_browser()
    assert checked >= 20


def test_routes_with_ids_of_unknown_kind_are_still_guarded(app, world):
    """Routes added by other areas with ids this test does not know: the guard still
    answers before the view runs (anonymous 302, outsider 404, sponsor 403 on writes)."""
    committee = world["committee"]
    outsider, sponsor = Browser(app), Browser(app)
    outsider.login(committee.outsider_email)
    sponsor.login(committee.emails["sponsor"])
    for rule in routes(app):
        if "selection_id" not in rule.arguments or url_for_rule(rule, world, "outsider"):
            continue
        values = {name: committee.selection_id if name == "selection_id" else 1
                  for name in rule.arguments}
        _, path = rule.build(values, append_unknown=False)
        action = access.declared_action(app.view_functions[rule.endpoint], rule.endpoint)
        method = "GET" if "GET" in rule.methods else "POST"

        def send(browser, path=path, method=method):
            return browser.get(path) if method == "GET" else browser.post(path)

        assert send(Browser(app)).status_code in (302, 400, 401), rule.rule
        assert send(outsider).status_code == 404, rule.rule
        if not access.permitted("sponsor", action, "requirements") and \
                access.SELECTION_RULES[action].phases == access.EVERY_PHASE:
            assert send(sponsor).status_code == 403, rule.rule
