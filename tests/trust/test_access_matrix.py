"""Access control over every route that exists at run time (issue 10, point 1).

route x identity (facilitator, business, it, sponsor, observer of selection A; a member
of selection B only; an instance admin in no selection; anonymous) x GET and POST (with a
valid CSRF token), in every phase:

* outsiders get 404 and anonymous visitors the login page (the API: 401);
* a member whose role the permission table refuses gets 403, and sponsors and
  observers never get a 2xx/3xx on a state-changing request (but for the sponsor's
  decision on the recommendation, `access.SPONSOR_WRITES`);
* a refused request changes nothing: every table's rows (the audit trail included) are
  the same before and after;
* ids of selection B's objects in selection A's URLs (and the other way round), and in
  form fields, are refused and change nothing;
* blind scoring: before scoring closes nobody but the author sees a score comment of a
  member who has not submitted, in any page, JSON, PDF or spreadsheet of any route.

Routes are taken from the app's URL map, so routes added later are walked too; their
POSTs carry the fields of the forms the pages actually show (see `access_world`).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from selector import access
from selector.domain.phases import scoring_closed
from tests.trust.access_world import EMAILS
from tests.trust.access_world import IDENTITIES
from tests.trust.access_world import OTHER_BUSINESS
from tests.trust.access_world import OTHER_IT
from tests.trust.access_world import PHASES
from tests.trust.access_world import World
from tests.trust.access_world import action_of
from tests.trust.access_world import build_world
from tests.trust.access_world import changed_tables
from tests.trust.access_world import fill
from tests.trust.access_world import fingerprint
from tests.trust.access_world import form_data
from tests.trust.access_world import harvest
from tests.trust.access_world import has_form
from tests.trust.access_world import is_selection_route
from tests.trust.access_world import mapping_step_forms
from tests.trust.access_world import response_text
from tests.trust.access_world import routes
from tests.trust.access_world import sign_in
from tests.trust.access_world import swappable
from tests.trust.access_world import with_token

READ_ONLY = ("sponsor", "observer")
NOT_FOUND_LIKE = {400, 404, 422}


@pytest.fixture(params=PHASES)
def world(request, app, dbs) -> World:
    return build_world(dbs, request.param)


def _admin_route(app, rule) -> bool:
    declared = access.rule_for(action_of(app, rule))
    return isinstance(declared, access.AccountRule) and declared.who == access.ADMIN


def expected_refusal(app, rule, identity: str, phase: str) -> int | None:
    """The status with which the table refuses `identity`, or None when it allows."""
    action = action_of(app, rule)
    declared = access.rule_for(action)
    if isinstance(declared, access.AccountRule):
        if declared.who == access.ADMIN and identity != "admin":
            return 302 if identity == "anonymous" else 403
        return None
    if identity == "anonymous":
        return 401 if rule.rule.startswith("/api/") else 302
    if identity in ("outsider", "admin"):
        return 404  # not a member: the selection does not exist for them
    if not access.permitted(identity, action, phase):
        return 403
    if declared.shows_scores and not scoring_closed(phase):
        return 403  # blind scoring; nobody in these worlds has "see everything" on
    return None


def json_body(world: World, data: dict) -> dict:
    """A JSON request as the scoring sheet's script sends one, plus the form's fields."""
    return {**{k: v for k, v in data.items() if isinstance(v, str)},
            "requirement_id": world.a.ids["wish"], "score": 3,
            "comment": "Checked by the trust tests.", "version": None, "reason": ""}


def post_both(browser, world: World, path: str, data: dict):
    """The request as a form, then as JSON (with the token in the header)."""
    as_form = browser.post(path, with_token(data, browser.csrf))
    as_json = browser.client.post(path, json=json_body(world, data),
                                  headers={"X-CSRFToken": browser.csrf})
    return as_form, as_json


def test_every_route_refuses_whom_the_table_refuses_and_nothing_changes(app, dbs, world):
    forms = harvest(app, world) | mapping_step_forms(app, world)
    problems: list[str] = []
    walked: Counter[str] = Counter()
    for identity in IDENTITIES:
        browser = sign_in(app, identity)
        for rule in routes(app):
            if not (is_selection_route(rule) or _admin_route(app, rule)):
                continue  # one's own account: every signed-in person may change it
            path = fill(rule, world, identity=identity)
            refusal = expected_refusal(app, rule, identity, world.phase)
            where = f"{world.phase} {identity}"
            if "GET" in rule.methods:
                status = browser.get(path).status_code
                walked["GET"] += 1
                if refusal is None and status >= 500:
                    problems.append(f"{where} GET {path}: {status}")
                elif refusal is not None and status != refusal:
                    problems.append(f"{where} GET {path}: {status}, expected {refusal}")
            if not rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
                continue
            if refusal is None:
                if identity in READ_ONLY and action_of(app, rule) not in access.SPONSOR_WRITES:
                    problems.append(f"{where} may POST {path} ({action_of(app, rule)})")
                continue  # allowed: the fuzz and the area tests post as permitted members
            before = fingerprint(dbs)
            for response in post_both(browser, world, path, form_data(forms, path)):
                walked["POST"] += 1
                if response.status_code != refusal:
                    problems.append(f"{where} POST {path}: {response.status_code}, "
                                    f"expected {refusal}")
                if refusal == 302 and not response.headers.get("Location", "").startswith(
                        "/login"):
                    problems.append(f"{where} POST {path}: not sent to the login page")
                if identity in READ_ONLY and response.status_code < 400:
                    problems.append(f"{where} POST {path}: {response.status_code}")
            changed = changed_tables(before, fingerprint(dbs))
            if changed:
                problems.append(f"{where} POST {path} changed {changed}")
    assert not problems, "\n".join(problems)
    assert walked["GET"] >= 8 * 40 and walked["POST"] >= 8 * 30, walked


def _id_fields(data: dict, fields: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(field name, kind of object) for the form fields that carry an object id."""
    hints = (("category", "category"), ("requirement", "wish"), ("vendor", "vendor"),
             ("member", "member"), ("attachment", "attachment"), ("report", "report"))
    found = []
    for name, kind, _value in fields:
        lowered = name.lower()
        if lowered in ("ids", "items_ids"):
            found.append((name, "wish"))
        elif lowered == "assigned":
            found.append((name, "member:category"))
        else:
            for hint, object_kind in hints:
                if hint in lowered and (lowered.endswith("_id") or lowered.endswith("id")
                                        or kind in ("select", "hidden", "checkbox",
                                                    "checkbox-unchecked")):
                    found.append((name, object_kind))
                    break
    return sorted(set(found))


def test_ids_of_another_selection_are_refused_and_change_nothing(app, dbs, world):
    fenna = sign_in(app, "facilitator")  # facilitates A and B
    bram = sign_in(app, "business")  # A only
    forms = harvest(app, world, ("facilitator",))
    problems: list[str] = []
    swaps = 0

    def check(browser, identity: str, method: str, path: str, data: dict, what: str, *,
              strict: bool, as_json: bool = False) -> None:
        """`strict`: the data is what the page's own form sends, so only a refusal of
        the foreign id (404, 400, 422, or the table's 403) will do. Otherwise (no form
        to copy) any refusal that changes nothing will do, but never a success."""
        nonlocal swaps
        rule = app.url_map.bind("selector.test").match(path.split("?")[0], method=method,
                                                       return_rule=True)[0]
        refusal = expected_refusal(app, rule, identity, world.phase)
        allowed = {refusal} if refusal is not None else NOT_FOUND_LIKE
        before = fingerprint(dbs)
        if method == "GET":
            response = browser.get(path)
        elif as_json:
            response = browser.client.post(path, json=data,
                                           headers={"X-CSRFToken": browser.csrf})
        else:
            response = browser.post(path, with_token(data, browser.csrf))
        swaps += 1
        status = response.status_code
        where = f"{world.phase} {identity} {method} {path} ({what})"
        if status >= 500 or (strict and status not in allowed) or 200 <= status < 300:
            problems.append(f"{where}: {status}, expected one of {sorted(allowed)}")
        changed = changed_tables(before, fingerprint(dbs))
        if changed:
            problems.append(f"{where} changed {changed}")

    for rule in routes(app):
        if not is_selection_route(rule):
            continue
        for argument in swappable(rule):
            for home, who in ((world.a, (("facilitator", fenna), ("business", bram))),
                              (world.b, (("facilitator", fenna),))):
                own = fill(rule, world, home)
                path = fill(rule, world, home, swap=argument)
                if path == own:
                    continue
                what = f"{argument} of the other selection"
                data = form_data(forms, own)
                for identity, browser in who:
                    if "GET" in rule.methods:
                        check(browser, identity, "GET", path, {}, what, strict=True)
                    if "POST" not in rule.methods:
                        continue
                    if has_form(forms, own) or home is world.b:
                        check(browser, identity, "POST", path, data, what,
                              strict=has_form(forms, own))
                    else:  # no form posts here: a JSON endpoint, such as the scores
                        check(browser, identity, "POST", path, json_body(world, {}), what,
                              strict=False, as_json=True)

    # Ids in form fields: A's forms with B's objects in their id fields.
    objects = {"wish": world.b.ids["wish"], "category": world.b.ids["category"],
               "vendor": world.b.ids["vendor"], "member": world.b.ids["member"],
               "attachment": world.b.ids["attachment"], "report": world.b.ids["report"]}
    for path, field_lists in sorted(forms.items()):
        if not path.startswith(f"/selections/{world.a.id}/"):
            continue
        for fields in field_lists:
            base = form_data({path: [fields]}, path)
            for name, kind in _id_fields(base, fields):
                swapped = dict(base)
                if kind == "member:category":
                    swapped[name] = [f"{objects['member']}:{world.a.ids['category']}"]
                    check(fenna, "facilitator", "POST", path, swapped,
                          f"{name}=member of B", strict=True)
                    swapped[name] = [f"{world.a.ids['member']}:{objects['category']}"]
                    check(fenna, "facilitator", "POST", path, swapped,
                          f"{name}=category of B", strict=True)
                else:
                    swapped[name] = str(objects[kind])
                    check(fenna, "facilitator", "POST", path, swapped,
                          f"{name}={kind} of B", strict=True)

    # Ids in JSON bodies: a requirement of B sent to A's JSON endpoints (as the
    # facilitator and as the business member, who both score).
    for rule in routes(app):
        if not is_selection_route(rule) or "POST" not in rule.methods:
            continue
        own = fill(rule, world)
        if has_form(forms, own):
            continue
        body = {**json_body(world, {}), "requirement_id": world.b.ids["wish"]}
        for identity, browser in (("facilitator", fenna), ("business", bram)):
            check(browser, identity, "POST", own, body, "requirement_id of B in JSON",
                  strict=False, as_json=True)
    assert not problems, "\n".join(problems)
    assert swaps >= 20


# -- blind scoring ------------------------------------------------------------------------

MARKERS = {  # a comment per author, unique and plain ASCII (JSON escapes nothing)
    "sanne@example.org": "BLINDMARK-SANNE-7Q2Z",  # submitted her northwind sheet
    "youssef@example.org": "BLINDMARK-YOUSSEF-K4V1",  # a draft on polder
    "koen@example.org": "BLINDMARK-KOEN-P9X3",  # a draft on northwind (IT wishes)
    "fenna@example.org": "BLINDMARK-FENNA-M2C8",  # the facilitator scores too: a draft
}
COSTS = ("182", "146", "121")  # thousands: the example's TCOs of the three vendors


def _score(session, selection_id: int, email: str, vendor_key: str, submit: bool) -> int:
    from selector.models import Account
    from selector.models import Membership
    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import scoring

    selection = session.get(Selection, selection_id)
    account = session.scalar(select(Account).where(Account.email == email))
    membership = session.scalar(select(Membership).where(
        Membership.selection_id == selection_id, Membership.account_id == account.id))
    vendor = session.scalar(select(Vendor.id).where(
        Vendor.selection_id == selection_id, Vendor.key == vendor_key))
    scoring.declare_conflict(session, selection, membership, account, vendor, "none")
    wishes = scoring.assigned_wishes(session, membership)
    for wish in wishes:
        scoring.save_score(session, selection, membership, account, vendor_id=vendor,
                           requirement_id=wish.id, score=3 if submit else 2,
                           comment=f"{MARKERS[email]} on {wish.code}", version=None)
    if submit:
        scoring.submit_sheet(session, selection, membership, account, vendor)
    return len(wishes)


def _blind_paths(app, world: World) -> list[str]:
    """Every GET URL of selection A (and the account pages), with every vendor and every
    requirement in the routes that name one, plus searches for the markers."""
    from selector.models import Requirement
    from selector.models import Vendor

    with app.extensions["selector.db"].transaction(write=False) as session:
        vendors = session.scalars(select(Vendor.id).where(
            Vendor.selection_id == world.a.id)).all()
        requirements = session.scalars(select(Requirement.id).where(
            Requirement.selection_id == world.a.id)).all()
    paths = []
    for rule in routes(app):
        if "GET" not in rule.methods:
            continue
        base = fill(rule, world)
        variants = [base]
        if "vendor_id" in rule.arguments:
            variants = [fill(rule, world, values_of={'vendor_id': v}) for v in vendors]
        if "requirement_id" in rule.arguments:
            variants = [fill(rule, world, values_of={'requirement_id': r}) for r in requirements]
        if len(rule.arguments) <= 1:
            variants.append(f"{base}?q=BLINDMARK&query=BLINDMARK&view=all&status=all")
        paths.extend(variants)
    return paths


def test_blind_scoring_holds_in_every_response_before_scoring_closes(app, dbs):
    world = build_world(dbs, "scoring")
    with dbs.transaction() as session:
        assert _score(session, world.a.id, "sanne@example.org", "northwind", submit=True)
        assert _score(session, world.a.id, "youssef@example.org", "polder", submit=False)
        assert _score(session, world.a.id, OTHER_IT, "northwind", submit=False)
        assert _score(session, world.a.id, EMAILS["facilitator"], "northwind", submit=False)
    assert OTHER_BUSINESS[0] in MARKERS
    paths = _blind_paths(app, world)
    assert len(paths) >= 60
    problems = []
    for identity in IDENTITIES:  # Bram, the business member, has submitted nothing
        browser = sign_in(app, identity)
        own = MARKERS.get(EMAILS.get(identity, ""))
        for path in paths:
            response = browser.get(path)
            if response.status_code >= 500:
                problems.append(f"{identity} GET {path}: {response.status_code}")
                continue
            text = response_text(response)
            for marker in MARKERS.values():
                if marker != own and marker in text:
                    problems.append(f"{identity} GET {path} shows {marker}")
            if identity != "facilitator":
                for thousands in COSTS:
                    if re.search(thousands + r"[\s,.\u00a0\u202f']?000\b", text):
                        problems.append(f"{identity} GET {path} shows the cost {thousands}k")
        # The JSON answer to one's own save holds only one's own answer.
        if identity in ("business", "it", "facilitator"):
            vendor = world.a.ids["vendor"]
            sheet = browser.get(f"/selections/{world.a.id}/scoring/vendors/{vendor}/sheet.json")
            browser.post(f"/selections/{world.a.id}/scoring/vendors/{vendor}/conflict",
                         {"conflict": "none"})
            for item in sheet.json["items"][:2]:
                saved = browser.client.post(
                    f"/selections/{world.a.id}/scoring/vendors/{vendor}/scores",
                    json={"requirement_id": item["requirement_id"], "score": 1,
                          "comment": "mine", "version": item["version"]},
                    headers={"X-CSRFToken": browser.csrf})
                assert saved.status_code == 200, saved.get_data(as_text=True)
                assert "BLINDMARK" not in saved.get_data(as_text=True), identity
    assert not problems, "\n".join(problems[:50])


# -- the audit trail ----------------------------------------------------------------------


def test_the_audit_trail_answers_as_the_table_says(app, world):
    """Issue 22: the trail and its exports for the facilitator, sponsor and observer,
    in every phase; business and IT 403, outsiders 404, anonymous to the login page,
    and the filtered URLs the same."""
    audit_rules = [r for r in routes(app) if action_of(app, r) == "audit.view"]
    assert sorted(r.endpoint for r in audit_rules) == [
        "audit.export_csv", "audit.export_xlsx", "audit.page"]
    expected = {"facilitator": 200, "sponsor": 200, "observer": 200, "business": 403,
                "it": 403, "outsider": 404, "admin": 404, "anonymous": 302}
    for identity in IDENTITIES:
        browser = sign_in(app, identity)
        for rule in audit_rules:
            for query in ("", "?kind=selection&since=2020-01-01&until=2999-12-31"):
                path = fill(rule, world, identity=identity) + query
                status = browser.get(path).status_code
                assert status == expected[identity], (world.phase, identity, path, status)
                assert expected_refusal(app, rule, identity, world.phase) == (
                    None if status == 200 else status)


# -- public pages ---------------------------------------------------------------------------

# Public pages without a token in their URL -> what every identity gets. A new public
# route fails the test below until it is named here.
PUBLIC_PAGES = {"auth.login": {"anonymous": 200, "signed in": 302},
                "auth.login_code": {"anonymous": 302, "signed in": 302},  # no login pending
                "accessibility.statement": {"anonymous": 200, "signed in": 200}}


def test_public_pages_answer_everyone_and_change_nothing(app, dbs):
    build_world(dbs, PHASES[0])  # selections and accounts for every identity
    public = sorted(r.endpoint for r in routes(app) if not r.arguments and "GET" in r.methods
                    and getattr(access.rule_for(action_of(app, r)), "who", None) == access.PUBLIC)
    assert public == sorted(PUBLIC_PAGES)
    for identity in IDENTITIES:
        browser = sign_in(app, identity)
        before = fingerprint(dbs)
        for endpoint in public:
            path = app.url_map.bind("localhost").build(endpoint)
            expected = PUBLIC_PAGES[endpoint]["anonymous" if identity == "anonymous"
                                               else "signed in"]
            assert browser.get(path).status_code == expected, (identity, path)
        assert changed_tables(before, fingerprint(dbs)) == [], identity
