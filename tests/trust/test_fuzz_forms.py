"""Bad input (issue 10, point 3): random and hostile values posted to every registered
state-changing route and to the JSON endpoints, with a valid CSRF token, as the
facilitator and as a business member, in every phase in which the route is open to
them (account and admin routes as their own users, the public ones anonymously).

Whatever is sent, the answer is 2xx, 3xx or 4xx, never 5xx; a 4xx page says what is
wrong (a message beside a field, above the form, or an error page; JSON: an "error");
and after a refusal the database is exactly as before (`access_world.fingerprint`).

Values: Hypothesis text with control characters and NUL, strings of 100,000 characters,
unicode, numbers as strings (negative, NaN, Infinity, 10^30, "²"), lists where one value
is expected, missing and extra fields, and ids of nothing or of another selection; each
route first gets a fixed set of such payloads, then Hypothesis' own. The number of
Hypothesis examples per route follows the profile of tests/conftest.py (CI: few).
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
from collections import Counter
from urllib.parse import quote_plus

import pytest
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import text

from selector import access
from tests.trust.access_world import MISSING
from tests.trust.access_world import PHASES
from tests.trust.access_world import QUERY_FILTERS
from tests.trust.access_world import World
from tests.trust.access_world import action_of
from tests.trust.access_world import build_world
from tests.trust.access_world import changed_tables
from tests.trust.access_world import fill
from tests.trust.access_world import fingerprint
from tests.trust.access_world import form_data
from tests.trust.access_world import harvest
from tests.trust.access_world import has_form
from tests.trust.access_world import mapping_step_forms
from tests.trust.access_world import routes
from tests.trust.access_world import sign_in
from tests.trust.access_world import with_token
from tests.trust.access_world import writes

HUGE = "Ω" + "A" * 100_000
HOSTILE_STRINGS = [
    "", " ", "\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "\r\n\r\n", "\u202e\u200b\ufeff",
    "😀" * 20, "NaN", "-nan", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "-1",
    "-0", "0", "0.0", "3.5", "1,5", "9" * 30, "9" * 5000, "²", "٣", "½", "0x1F", "1_000",
    " 7 ", "true", "null", "[]", "{}", "<script>alert(1)</script>", "' OR '1'='1",
    "../../etc/passwd", "%00", "=HYPERLINK(\"http://evil.example\")", "@SUM(1+1)",
    "forward", "back", "decision", "facilitator", "admin", "passed", "failed",
]
# What counts as a visible message on a refused page: an alert, an error beside a field
# or above a form, an error page, a flash, or a notice saying why nothing can be done.
MESSAGE_MARKERS = ('role="alert"', 'class="field__error"', 'class="form-errors"',
                   "error-page", 'class="flash flash--', 'class="problems"',
                   '<div class="panel panel--notice" role="status">')
NASTY_NUMBERS = ["²", "9" * 5000, "-1", "1e309", "NaN"]


def _examples() -> int:
    """Hypothesis examples per route and identity: a tenth of the profile's number."""
    return max(1, settings().max_examples // 10)


# -- strategies ---------------------------------------------------------------------------


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),  # any unicode, control characters and NUL included
        st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
        st.sampled_from(HOSTILE_STRINGS),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats().map(repr),
        st.just(HUGE),
    )


@st.composite
def form_payloads(draw, baseline: dict, options: dict[str, list[str]], ids: list[int]):
    """The page's own form with each field kept, dropped, replaced or repeated, plus
    fields nobody asked for."""
    data: dict = {}
    for name, value in baseline.items():
        if name.endswith("csrf_token"):
            data[name] = value  # the sender fills in its token: not what is fuzzed here
            continue
        how = draw(st.sampled_from(("keep", "drop", "hostile", "list", "option", "id")))
        if how == "keep":
            data[name] = value
        elif how == "hostile":
            data[name] = draw(hostile_text())
        elif how == "list":
            data[name] = draw(st.lists(hostile_text(), min_size=2, max_size=3))
        elif how == "option" and options.get(name):
            data[name] = draw(st.sampled_from(options[name]))
        elif how == "id":
            data[name] = str(draw(st.sampled_from(ids)))
    extra = draw(st.dictionaries(st.sampled_from(["id", "selection_id", "role", "phase",
                                                  "is_admin", "x", "version", "score"]),
                                 hostile_text(), max_size=2))
    for name, value in extra.items():
        data.setdefault(name, value)
    return data


def json_values() -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
                        hostile_text())
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                        max_leaves=6)


def json_payloads(ids: list[int]) -> st.SearchStrategy:
    keys = ("requirement_id", "score", "comment", "version", "reason")
    plausible = {"requirement_id": st.one_of(st.sampled_from(ids), json_values()),
                 "score": st.one_of(st.integers(-3, 12), json_values()),
                 "comment": st.one_of(hostile_text(), json_values()),
                 "version": st.one_of(st.none(), st.integers(-1, 3), json_values()),
                 "reason": st.one_of(hostile_text(), json_values())}
    return st.one_of(st.fixed_dictionaries({}, optional={k: plausible[k] for k in keys}),
                     json_values())


# -- the fixed payloads -------------------------------------------------------------------


def fixed_payloads(baseline: dict, world: World, kinds: dict[str, str]
                   ) -> list[tuple[str, dict]]:
    names = list(baseline) or ["name", "value"]

    def each(value) -> dict:
        return {name: value for name in names}

    rotated = {name: HOSTILE_STRINGS[(i * 7) % len(HOSTILE_STRINGS)]
               for i, name in enumerate(names)}
    numbers = ["NaN", "-Infinity", "1e309", "-1", "9" * 30, "²", "0"]
    wrong_ids = {name: (str(world.b.ids["wish"]) if value and str(value).isdigit() else value)
                 for name, value in baseline.items()}
    return [
        ("control characters and NUL", each("a\x00\x01\x1b\x7f\u2028b")),
        ("100,000 characters", each(HUGE)),
        ("lists", each(["-1", "NaN", "x"])),
        ("numbers as strings", {n: numbers[i % len(numbers)] for i, n in enumerate(names)}),
        ("hostile strings", rotated),
        ("nothing", {}),
        ("extra fields", {**baseline, "is_admin": "1", "selection_id": str(world.b.id),
                          "role": "facilitator", "phase": "decision"}),
        ("ids of another selection", wrong_ids),
        ("ids of nothing", {n: (str(MISSING) if str(v).isdigit() else v)
                            for n, v in baseline.items()}),
    ] + [
        # One field at a time, the rest as the page sends it: the value reaches the code
        # that parses it (ids, versions, numbers, choices).
        (f"{name}={value[:12]!r}", {**baseline, name: value})
        for name in _one_of_each_shape(name for name, kind in kinds.items()
                                       if kind in ("hidden", "select", "radio", "number")
                                       and name in baseline
                                       and not name.endswith("csrf_token"))
        for value in NASTY_NUMBERS
    ]


def _one_of_each_shape(names) -> list[str]:
    """The first field of each shape: fields that differ only in a number or in the
    prefix of their sub-form (a sheet's `s-12`, `s-13`, ...; the IT form's
    `browser-0-priority`, `sso-priority`) are parsed by the same code, so one of them
    stands for all (the generic payloads above still reach every field)."""
    seen: dict[str, str] = {}
    for name in names:
        last = name.rsplit("-", 1)[-1]  # `points-12`: the number is not the shape
        seen.setdefault(re.sub(r"\d+", "#", name if last.isdigit() else last), name)
    return list(seen.values())


def fixed_json(world: World) -> list[tuple[str, object]]:
    wish = world.a.ids["wish"]
    return [
        ("a list", []), ("a string", "x"), ("a number", 1), ("null", None),
        ("id as text", {"requirement_id": str(wish), "score": 3}),
        ("huge id", {"requirement_id": 2**70, "score": 3}),
        ("id of nothing", {"requirement_id": MISSING, "score": 3}),
        ("id of another selection", {"requirement_id": world.b.ids["wish"], "score": 3}),
        ("boolean id", {"requirement_id": True, "score": 3}),
        ("NaN score", {"requirement_id": wish, "score": math.nan}),
        ("infinite score", {"requirement_id": wish, "score": -math.inf}),
        ("huge score", {"requirement_id": wish, "score": 10**30}),
        ("float score", {"requirement_id": wish, "score": 2.5}),
        ("score as text", {"requirement_id": wish, "score": "3"}),
        ("huge version", {"requirement_id": wish, "score": 3, "version": 2**70}),
        ("negative version", {"requirement_id": wish, "score": 3, "version": -1}),
        ("list comment", {"requirement_id": wish, "score": 3, "comment": ["a"]}),
        ("huge comment", {"requirement_id": wish, "score": 3, "comment": HUGE}),
        ("NUL comment", {"requirement_id": wish, "score": 3, "comment": "a\x00b"}),
    ]


RAW_BODIES = [
    ("deeply nested JSON", b"[" * 100_000, "application/json"),
    ("broken JSON", b'{"requirement_id": ', "application/json"),
    ("not UTF-8", b'{"comment": "\xff\xfe"}', "application/json"),
    ("JSON as text/plain", b'{"requirement_id": 1}', "text/plain"),
    ("a form as JSON", b"requirement_id=1&score=3", "application/json"),
]


# -- sending and judging ------------------------------------------------------------------


class Fuzzer:
    """Sends payloads as one identity and checks every answer."""

    def __init__(self, app, dbs, world: World) -> None:
        self.app, self.dbs, self.world = app, dbs, world
        self.browsers: dict[str, object] = {}
        self.problems: list[str] = []
        self.statuses: Counter[int] = Counter()
        # The database as the last refusal left it: unchanged since, so the next request's
        # "before" (saves one fingerprint per request; an accepted request clears it).
        self.known: dict | None = None

    def browser(self, identity: str):
        if identity not in self.browsers:
            self.browsers[identity] = sign_in(self.app, identity)
            self.known = None  # signing in writes a session
        return self.browsers[identity]

    def send(self, identity: str, method: str, path: str, what: str, *, form=None,
             json_body=None, raw: tuple[bytes, str] | None = None) -> None:
        browser = self.browser(identity)
        headers = {"X-CSRFToken": browser.csrf}
        before = self.known if self.known is not None else fingerprint(self.dbs)
        self.known = None
        where = f"{self.world.phase} {identity} {method} {path} ({what})"
        try:  # the test app propagates exceptions: each one is a 500 in production
            if raw is not None:
                response = browser.client.open(path, method=method, data=raw[0],
                                               content_type=raw[1], headers=headers)
            elif form is None:
                response = browser.client.open(path, method=method,
                                               data=json.dumps(json_body),
                                               content_type="application/json",
                                               headers=headers)
            else:
                response = browser.client.open(
                    path, method=method, **_form_body(with_token(form, browser.csrf)))
        except Exception as error:  # noqa: BLE001
            self.problems.append(f"{where}: 500 {type(error).__name__}: {str(error)[:200]}"
                                 f" <- {_summary(form if form is not None else json_body)}")
            self._recover(identity)
            return
        status = response.status_code
        self.statuses[status] += 1
        if status >= 500:
            self.problems.append(f"{where}: {status}")
        elif status >= 400:
            after = fingerprint(self.dbs)
            changed = changed_tables(before, after)
            self.known = after
            if changed:
                self.problems.append(f"{where}: {status} but changed {changed}")
            if not _says_what_is_wrong(response):
                self.problems.append(f"{where}: {status} without a message")
        else:
            self._recover(identity)

    def _recover(self, identity: str) -> None:
        """After an accepted request: the same phase, a live session, a current token."""
        with self.dbs.engine.begin() as connection:
            connection.execute(text("UPDATE selections SET phase = :phase WHERE id = :id"),
                               {"phase": self.world.phase, "id": self.world.a.id})
        browser = self.browser(identity)
        if identity == "anonymous":
            browser.refresh_token()
            return
        page = browser.get("/account")
        if page.status_code != 200:
            self.browsers[identity] = sign_in(self.app, identity)
            self.known = None
        else:
            browser.refresh_token("/account")


def _summary(payload) -> str:
    """A short description of a payload for a failure message."""
    if isinstance(payload, dict):
        return "{" + ", ".join(f"{k!r}: {_summary(v)}" for k, v in list(payload.items())[:8]) \
            + "}"
    shown = repr(payload)
    return shown if len(shown) <= 60 else shown[:40] + f"... ({len(shown)} chars)"


def _form_body(form: dict) -> dict:
    """The request's body: multipart when a field called "file" or "document" is there
    (it gets the value's bytes as an upload), otherwise url-encoded here, each value
    quoted once for the whole run (the test client would quote the 100,000-character
    payload anew for every field of every request, a good part of this test's time)."""
    if any(name.endswith(("file", "document")) for name in form):
        result = dict(form)
        for name in list(result):
            if name.endswith(("file", "document")) and isinstance(result[name], str):
                result[name] = (io.BytesIO(result[name].encode("utf-8", "replace")),
                                "upload.xlsx")
        return {"data": result}
    pairs = [(name, value) for name, values in form.items()
             for value in (values if isinstance(values, list) else [values])]
    body = "&".join(f"{_quoted(name)}={_quoted(str(value))}" for name, value in pairs)
    return {"data": body.encode("ascii"),
            "content_type": "application/x-www-form-urlencoded"}


@functools.lru_cache(maxsize=1024)
def _quoted(value: str) -> str:
    return quote_plus(value, encoding="utf-8", errors="surrogatepass")


def _says_what_is_wrong(response) -> bool:
    if response.is_json:
        body = response.get_json(silent=True)
        return isinstance(body, dict) and bool(str(body.get("error") or "").strip())
    page = response.get_data(as_text=True)
    if response.status_code in (404, 405, 413, 429) and "<h1" in page:
        return True  # a page of its own says it ("Page not found", "This link does not work")
    if re.search(r'role="status">\s*(<p[^>]*>\s*)?[^<\s]', page):
        return True  # a notice says why the form cannot be used now ("frozen", "closed")
    return any(marker in page for marker in MESSAGE_MARKERS)


def _options(forms: dict, path: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for fields in forms.get(path.split("?")[0], []):
        for name, kind, value in fields:
            if kind == "options":
                found.setdefault(name, []).extend(v for v in value.split("\x1f") if v)
            elif kind in ("radio", "radio-unchecked", "checkbox", "checkbox-unchecked",
                          "hidden"):
                found.setdefault(name, []).append(value)
    return found


def _kinds(forms: dict, path: str) -> dict[str, str]:
    return {name: kind.replace("-unchecked", "")
            for fields in forms.get(path.split("?")[0], []) for name, kind, _ in fields}


def targets(app, world: World) -> list[tuple[str, object, str]]:
    """(identity, rule, method) for every state-changing route: selection routes for the
    facilitator and the business member where the table lets them in this phase (and the
    sponsor for the sponsor's decision); account
    routes for the facilitator, admin routes for the admin, public routes anonymously
    (these last three once, in the first phase)."""
    found = []
    first = world.phase == PHASES[0]
    for rule in routes(app):
        if not writes(rule):
            continue
        action = action_of(app, rule)
        declared = access.rule_for(action)
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            if isinstance(declared, access.Rule):
                sponsor = ("sponsor",) if action in access.SPONSOR_WRITES else ()
                for identity in ("facilitator", "business", *sponsor):
                    if access.permitted(identity, action, world.phase):
                        found.append((identity, rule, method))
            elif first:
                identity = {access.PUBLIC: "anonymous", access.ADMIN: "admin"}.get(
                    declared.who, "facilitator")
                found.append((identity, rule, method))
    # Routes that end a session or move the selection on go last.
    return sorted(found, key=lambda t: any(word in t[1].endpoint for word in (
        "logout", "password", "phase", "remove", "deactivate", "issue")))


def explore(strategy: st.SearchStrategy, check) -> None:
    """Run `check` on Hypothesis examples of `strategy` (the profile's number / 10)."""

    @settings(settings(), max_examples=_examples(), deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(value=strategy)
    def run(value) -> None:
        check(value)

    run()


@pytest.fixture(params=PHASES)
def world(request, app, dbs) -> World:
    return build_world(dbs, request.param, final_reports=False)


def test_hostile_input_never_breaks_a_route_and_a_refusal_changes_nothing(app, dbs, world):
    forms = harvest(app, world)
    # The sponsor's decision form shows to sponsors only.
    for path, field_lists in harvest(app, world, ("sponsor",),
                                     endpoints={"recommendations.page"}).items():
        forms.setdefault(path, []).extend(field_lists)
    # The import's mapping step shows after an upload only.
    for path, field_lists in mapping_step_forms(app, world).items():
        forms.setdefault(path, []).extend(field_lists)
    fuzzer = Fuzzer(app, dbs, world)
    ids = [world.a.ids["wish"], world.b.ids["wish"], world.a.ids["vendor"], MISSING, 0, -1,
           2**31, 2**63]
    plan = targets(app, world)
    assert len(plan) >= 10
    for identity, rule, method in plan:
        path = fill(rule, world, identity=identity,
                    values_of={"membership_id": world.a.ids["spare_member"]})
        baseline = form_data(forms, path)
        options = _options(forms, path)
        if has_form(forms, path):
            tokens = {name: "" for name in baseline if name.endswith("csrf_token")}
            for what, payload in fixed_payloads(baseline, world, _kinds(forms, path)):
                # A form with a prefix keeps its own token field (the sender fills it in).
                fuzzer.send(identity, method, path, what, form={**payload, **tokens})

            explore(form_payloads(baseline, options, ids), lambda payload, i=identity,
                    m=method, p=path: fuzzer.send(i, m, p, "hypothesis form", form=payload))
        else:  # a JSON endpoint (or a button without a form on these pages)
            for what, body in fixed_json(world):
                fuzzer.send(identity, method, path, what, json_body=body)
            for what, body, content_type in RAW_BODIES:
                fuzzer.send(identity, method, path, what, raw=(body, content_type))

            explore(json_payloads(ids), lambda body, i=identity, m=method, p=path:
                    fuzzer.send(i, m, p, "hypothesis JSON", json_body=body))
    problems = sorted(fuzzer.problems, key=lambda p: (": 500" not in p, "changed" not in p))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])
    assert sum(fuzzer.statuses.values()) >= len(plan) * 5


def test_ids_out_of_range_in_urls_are_not_found(app, dbs):
    """Every route with an id in its URL, with ids no row has, larger than the database's
    integers, or zero: a GET is not found (404), a POST refused, never a 500, and nothing
    changes (as the facilitator, or the admin on admin pages)."""
    world = build_world(dbs, "scoring")
    browsers = {"facilitator": sign_in(app, "facilitator"), "admin": sign_in(app, "admin")}
    checked = 0
    before = fingerprint(dbs)
    for rule in routes(app):
        declared = access.rule_for(action_of(app, rule))
        browser = browsers["admin" if getattr(declared, "who", "") == access.ADMIN
                           else "facilitator"]
        numeric = [name for name in rule.arguments
                   if type(rule._converters.get(name)).__name__ in ("IdConverter",
                                                                    "IntegerConverter")]
        for name in numeric:
            for value in (0, MISSING, 2**31 - 1, 2**31, 2**63, 10**30):
                path = fill(rule, world, values_of={name: value})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = browser.client.open(path, method=method,
                                                   data={"csrf_token": browser.csrf})
                    checked += 1
                    where = (method, path, response.status_code)
                    if method == "GET":
                        assert response.status_code == 404, where
                    else:  # refused: not found, or the empty form sent back with why
                        assert 300 <= response.status_code < 500, where
    assert not changed_tables(before, fingerprint(dbs))
    assert checked >= 50


def test_a_nul_character_is_refused_everywhere_before_any_view(app, dbs):
    """PostgreSQL cannot store NUL in text: it is refused up front (400 with the error
    page, or JSON for JSON), in forms, query strings and JSON, and nothing changes."""
    world = build_world(dbs, "scoring")
    browser = sign_in(app, "facilitator")
    before = fingerprint(dbs)
    selection = f"/selections/{world.a.id}"
    vendor = world.a.ids["vendor"]
    for response in (
        browser.post("/account/tokens", {"token-name": "my\x00token"}),
        browser.post(f"{selection}/vendors/{vendor}/withdraw",
                     {"withdrawn": "1", "reason": "gone\x00"}),
        browser.get(f"{selection}/requirements", query_string={"q": "lead\x00"}),
        browser.get(f"/api/v1/selections/{world.a.id}/ranking", query_string={"x": "\x00"}),
    ):
        assert response.status_code == 400
        assert _says_what_is_wrong(response)
    saved = browser.client.post(f"{selection}/scoring/vendors/{vendor}/scores",
                                json={"requirement_id": world.a.ids["wish"], "score": 3,
                                      "comment": "a\x00b", "version": None},
                                headers={"X-CSRFToken": browser.csrf})
    assert saved.status_code == 400 and saved.json["error"]
    assert not changed_tables(before, fingerprint(dbs))


def test_hostile_filters_never_break_a_filtered_page(app, dbs):
    """The GET filters (the audit trail and its exports, issue 22): hostile values in
    every field answer 2xx or a 4xx that says what is wrong, never 5xx, and change
    nothing."""
    world = build_world(dbs, "scoring")
    browser = sign_in(app, "facilitator")
    before = fingerprint(dbs)
    problems: list[str] = []
    checked = 0

    def check(endpoint: str, query: dict) -> None:
        nonlocal checked
        rule = next(r for r in routes(app) if r.endpoint == endpoint)
        path = fill(rule, world)
        try:
            response = browser.get(path, query_string=query)
        except Exception as error:  # noqa: BLE001  (the test app propagates exceptions)
            problems.append(f"GET {path} {query!r}: 500 {type(error).__name__}: {error}")
            return
        checked += 1
        if response.status_code >= 500:
            problems.append(f"GET {path} {query!r}: {response.status_code}")
        elif response.status_code >= 400 and not _says_what_is_wrong(response):
            problems.append(f"GET {path} {query!r}: {response.status_code} without a message")

    for endpoint, fields in QUERY_FILTERS.items():
        for name in fields:
            for value in [*HOSTILE_STRINGS, HUGE, "2026-02-30", "0001-01-01", "9999-12-31",
                          str(2**63)]:
                if "\x00" in value:
                    continue  # refused before any view (test_a_nul_character_is_refused...)
                check(endpoint, {name: value})
        check(endpoint, {name: ["2026-01-01", "2026-01-02"] for name in fields})
        explore(st.dictionaries(st.sampled_from(fields), hostile_text(), max_size=4),
                lambda query, e=endpoint: check(e, query))
    assert not problems, "\n".join(problems[:40])
    assert checked >= 3 * 5 * len(HOSTILE_STRINGS)
    assert not changed_tables(before, fingerprint(dbs))
