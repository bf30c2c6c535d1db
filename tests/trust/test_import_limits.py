"""Issue 17, item 7: `selector import` accepted what the forms refuse: a `javascript:`
vendor link, `scale_max` 20,000 (the consensus page then took 22 s and 308 MB), a 10 MB
title, an address that looks like an existing member's. One set of limits
(`selector.domain.limits`, docs/formats.md "Limits") now holds for both: each hostile
file is refused with one sentence naming the entry and writes nothing, and the same
value typed into the form is refused beside its field, with nothing written."""

from __future__ import annotations

import json

import pytest

from selector.domain import limits
from tests.cli.test_cli import selector
from tests.trust.access_world import changed_tables
from tests.trust.access_world import fingerprint
from tests.web.conftest import Browser

LOOK_ALIKE = "іngrid@example.org"  # the first letter is Cyrillic (U+0456)


def database_state(url: str) -> dict[str, tuple[int, str]]:
    """Every table's rows and a hash of them: a refused import leaves them alone."""
    from selector.db import Database

    database = Database(url)
    try:
        return fingerprint(database)
    finally:
        database.engine.dispose()


def refused_import(tmp_path, url: str, doc: dict) -> list[str]:
    """Import `doc` with the command; return its problems (stderr lines, path removed)."""
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = database_state(url)
    result = selector("import", str(path), env_url=url)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert changed_tables(before, database_state(url)) == []  # nothing written
    prefix = f"selector: {path}: "
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith(prefix) or line.startswith(str(path)) for line in lines), lines
    return [line.split(f"{path}: ", 1)[1] for line in lines]


@pytest.fixture
def imported(database_url, example_doc) -> str:
    """The worked example imported once: Ingrid's account exists."""
    from tests.conftest import EXAMPLE

    result = selector("import", str(EXAMPLE), env_url=database_url)
    assert result.returncode == 0, result.stderr
    return database_url


# --------------------------------------------------------------------------- the four attacks


def _javascript_link(doc):
    doc["vendors"][0]["website"] = "javascript:alert(document.cookie)"


def _huge_scale(doc):
    doc["selection"]["scale_max"] = 20_000


def _ten_megabyte_title(doc):
    doc["requirements"][0]["title"] = "x" * (10 * 1024 * 1024)


def _look_alike_member(doc):
    doc["members"].append({"email": LOOK_ALIKE, "name": "Ingrid Visser", "role": "it"})


ATTACKS = [
    pytest.param(
        _javascript_link,
        "vendors[0].website: 'javascript:alert(document.cookie)' is not a web address; "
        "write one that starts with https:// or http://, without spaces",
        id="javascript link"),
    pytest.param(_huge_scale, "selection.scale_max: must be at most 10, got 20000",
                 id="scale_max 20000"),
    pytest.param(_ten_megabyte_title,
                 "requirements[0].title: 10485760 characters, more than the 300 allowed",
                 id="10 MB title"),
    pytest.param(
        _look_alike_member,
        f"members[7].email: '{LOOK_ALIKE}' holds 'і' (U+0456), which is not plain ASCII; "
        "e-mail addresses are accepted in ASCII only, so that none can pass for another",
        id="look-alike e-mail address"),
]


@pytest.mark.parametrize(("attack", "sentence"), ATTACKS)
def test_the_import_refuses_each_attack_in_one_sentence(
    tmp_path, imported, example_doc, attack, sentence
):
    attack(example_doc)
    assert refused_import(tmp_path, imported, example_doc) == [sentence]


def test_the_shared_example_still_imports(database_url):
    from tests.conftest import EXAMPLE

    result = selector("import", str(EXAMPLE), env_url=database_url)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- every length

# Where each limited text field sits in a selection file.
FILE_FIELDS = {
    ("selection", "name"): "selection.name",
    ("selection", "organisation"): "selection.organisation",
    ("category", "key"): "categories.0.key",
    ("category", "name"): "categories.0.name",
    ("requirement", "code"): "requirements.0.code",
    ("requirement", "title"): "requirements.0.title",
    ("requirement", "description"): "requirements.0.description",
    ("requirement", "rationale"): "requirements.0.rationale",
    ("requirement", "verification_criterion"): "requirements.0.verification_criterion",
    ("requirement", "knockout_rationale"): "requirements.0.knockout_rationale",
    ("member", "email"): "members.0.email",
    ("member", "name"): "members.0.name",
    ("vendor", "key"): "vendors.0.key",
    ("vendor", "name"): "vendors.0.name",
    ("vendor", "product"): "vendors.0.product",
    ("vendor", "website"): "vendors.0.website",
    ("vendor", "contact"): "vendors.0.contact",
    ("vendor", "notes"): "vendors.0.notes",
    ("score", "comment"): "scores.0.comment",
    ("consensus", "rationale"): "consensus.0.rationale",
    ("knockout", "evidence"): "knockouts.0.evidence",
    ("selection", "recommendation"): "recommendation",
    ("decision", "reason"): "decision.reason",
    ("answer", "explanation"): "answers.0.explanation",
}
ANSWER = {"vendor": "northwind", "requirement": "BUS-SAL-01", "compliance": "partly",
          "explanation": "Through the standard web form."}
DECISION = {"verdict": "rejected", "vendor": None, "by": "marloes@example.org",
            "reason": "Too expensive.", "date": "2026-12-01"}
NOT_IN_FILES = {
    ("requirement", "weight_reason"),  # the form's reason for a weight
    ("vendor_question", "question"), ("vendor_question", "answer"),  # the portal's record
}


def _one_too_long(entity: str, field: str) -> str:
    limit = limits.max_length(entity, field)
    if field == "email":
        return "a" * (limit - len("@example.org") + 1) + "@example.org"
    if field == "website":
        return "https://northwind.example/" + "a" * (limit - 25)
    return "x" * (limit + 1)


def _set(doc: dict, dotted: str, value) -> None:
    doc.setdefault("decision", dict(DECISION))  # the decision's reason needs a decision
    doc.setdefault("answers", [dict(ANSWER)])  # and an answer's explanation an answer
    *head, last = dotted.split(".")
    target = doc
    for part in head:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value


def test_every_limited_text_of_a_file_is_listed_here():
    every = {(entity, field) for entity, fields in limits.LENGTHS.items() for field in fields}
    assert set(FILE_FIELDS) == every - NOT_IN_FILES


def test_one_character_too_many_in_any_text_field_is_refused_by_the_import(
    tmp_path, database_url, example_doc
):
    for (entity, field), dotted in FILE_FIELDS.items():
        _set(example_doc, dotted, _one_too_long(entity, field))
    problems = refused_import(tmp_path, database_url, example_doc)
    for (entity, field), dotted in FILE_FIELDS.items():
        place = dotted.replace(".0.", "[0].")
        if dotted == "recommendation":
            entity, field = "selection", "recommendation"
        limit = limits.max_length(entity, field)
        expected = f"{place}: {limit + 1} characters, more than the {limit} allowed"
        assert expected in problems, (expected, problems[:30])


def test_every_text_field_at_its_limit_passes(example_doc):
    from selector.files.selection_file import validate

    for (entity, field), dotted in FILE_FIELDS.items():
        if field in ("key", "code", "email", "website"):
            continue  # named elsewhere in the file, or with a syntax of its own
        _set(example_doc, dotted, "x" * limits.max_length(entity, field))
    validate(example_doc)


# --------------------------------------------------------------------------- the forms


def facilitator(flask_app, world) -> Browser:
    browser = Browser(flask_app)
    browser.login(world.emails["facilitator"])
    return browser


def page_text(response) -> str:
    from html import unescape

    return unescape(response.get_data(as_text=True))


def test_the_vendor_form_refuses_the_javascript_link(app, committee, database_url):
    browser = facilitator(app, committee)
    before = database_state(database_url)
    response = browser.post(f"/selections/{committee.selection_id}/vendors", {
        "name": "Acme CRM", "website": "javascript:alert(document.cookie)"})
    assert response.status_code == 422
    assert "Enter a web address starting with https:// or http://." in page_text(response)
    assert changed_tables(before, database_state(database_url)) == []


def test_the_selection_form_refuses_scale_max_20000(app, committee, database_url):
    browser = facilitator(app, committee)
    before = database_state(database_url)
    response = browser.post("/selections/new", {
        "name": "Huge scale", "language": "en", "scale_max": "20000", "business_share": "50"})
    assert response.status_code == 422
    assert "Not a valid choice" in page_text(response)
    assert changed_tables(before, database_state(database_url)) == []


@pytest.mark.parametrize("length", [301, 10 * 1024 * 1024], ids=["301 characters", "10 MB"])
def test_the_requirement_form_refuses_a_long_title(app, dbs, committee, database_url, length):
    from sqlalchemy import select

    from selector.models import Category

    with dbs.transaction(write=False) as session:
        category = session.scalar(select(Category.id).where(
            Category.selection_id == committee.selection_id))
    browser = facilitator(app, committee)
    before = database_state(database_url)
    response = browser.post(f"/selections/{committee.selection_id}/requirements/new", {
        "category_id": str(category), "title": "x" * length, "priority": "should",
        "intent": "achieve", "verification": "demo"})
    assert response.status_code == 422
    assert "Field cannot be longer than 300 characters." in page_text(response)
    assert changed_tables(before, database_state(database_url)) == []


NOT_ASCII = ("Write the e-mail address in plain letters a–z, digits and punctuation: letters "
             "from other alphabets can make it look like someone else's.")


@pytest.mark.parametrize("form", ["add member", "admin account"])
def test_the_forms_refuse_the_look_alike_address(app, committee, database_url, form):
    browser = Browser(app)
    if form == "add member":
        browser.login(committee.emails["facilitator"])
        path = f"/selections/{committee.selection_id}/members"
    else:
        browser.login(committee.admin_email)
        path = "/admin/accounts"
    browser.refresh_token(path)
    before = database_state(database_url)
    response = browser.post(path, {"email": LOOK_ALIKE, "name": "Ingrid", "role": "it"})
    assert response.status_code == 422
    assert NOT_ASCII in page_text(response)
    assert changed_tables(before, database_state(database_url)) == []


# The same lengths on the simple forms: one character over is refused beside its field.
FORM_FIELDS = [
    ("selection", "name", "/selections/new",
     {"language": "en", "scale_max": "5", "business_share": "50"}, "name"),
    ("selection", "organisation", "/selections/new",
     {"name": "Ok", "language": "en", "scale_max": "5", "business_share": "50"},
     "organisation"),
    ("category", "name", "{base}/requirements/categories", {"new-domain": "it"}, "new-name"),
    ("member", "name", "{base}/members", {"email": "nina@example.org", "role": "it"}, "name"),
    ("vendor", "name", "{base}/vendors", {}, "name"),
    ("vendor", "product", "{base}/vendors", {"name": "Acme"}, "product"),
    ("vendor", "website", "{base}/vendors", {"name": "Acme"}, "website"),
    ("vendor", "contact", "{base}/vendors", {"name": "Acme"}, "contact"),
    ("vendor", "notes", "{base}/vendors", {"name": "Acme"}, "notes"),
] + [
    ("requirement", field, "{base}/requirements/new",
     {"title": "Ok", "priority": "should", "intent": "achieve", "verification": "demo",
      "knockout": "y", "knockout_rationale": "Needed"}, field)
    for field in ("code", "title", "description", "rationale", "verification_criterion",
                  "knockout_rationale", "weight_reason")
]


@pytest.mark.parametrize(("entity", "field", "path", "data", "name"), [
    pytest.param(*row, id=f"{row[0]}.{row[1]}") for row in FORM_FIELDS])
def test_the_forms_refuse_one_character_too_many(
    app, dbs, committee, database_url, entity, field, path, data, name
):
    from sqlalchemy import select

    from selector.models import Category

    with dbs.transaction(write=False) as session:
        category = session.scalar(select(Category.id).where(
            Category.selection_id == committee.selection_id))
    base = f"/selections/{committee.selection_id}"
    browser = facilitator(app, committee)
    before = database_state(database_url)
    data = {**data, name: _one_too_long(entity, field), "category_id": str(category)}
    response = browser.post(path.format(base=base), data)
    assert response.status_code == 422
    limit = limits.max_length(entity, field)
    assert (f"cannot be longer than {limit} characters" in page_text(response)
            or f"at most {limit} characters" in page_text(response)), name
    assert changed_tables(before, database_state(database_url)) == []


def test_services_use_the_same_limits():
    from selector.services import requirements
    from selector.services import scoring
    from selector.services import vendors
    from selector.services import verdicts

    assert requirements.LIMITS["title"] == limits.max_length("requirement", "title")
    assert requirements.MAX_CATEGORY_NAME == limits.max_length("category", "name")
    assert scoring.MAX_COMMENT == limits.max_length("score", "comment")
    assert scoring.MAX_COMMENT == limits.max_length("consensus", "rationale")
    assert verdicts.MAX_EVIDENCE == limits.max_length("knockout", "evidence")
    assert vendors.MAX_NOTES == limits.max_length("vendor", "notes")
