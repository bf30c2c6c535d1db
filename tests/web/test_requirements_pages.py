"""The requirements pages through the Flask test client: what each role sees and may
do, refusals beside the field with nothing written, and ids of other selections."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from selector.models import Account
from selector.models import AuditEntry
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from tests.web.conftest import Browser
from tests.web.summaries import problem_summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def base(committee) -> str:
    return f"/selections/{committee.selection_id}/requirements"


def as_member(app, committee, role: str) -> Browser:
    browser = Browser(app)
    browser.login(committee.emails[role])
    browser.refresh_token(base(committee))
    return browser


def count(dbs, model=Requirement, **where) -> int:
    with dbs.transaction(write=False) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query)


def category_id(dbs, committee, key: str) -> int:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(Category.id).where(
            Category.selection_id == committee.selection_id, Category.key == key))


def requirement(dbs, code: str) -> Requirement:
    with dbs.transaction(write=False) as session:
        found = session.scalar(select(Requirement).where(Requirement.code == code))
        session.expunge(found)
        return found


def propose(browser, committee, dbs, **values):
    data = {"category_id": str(category_id(dbs, committee, values.pop("category", "sales"))),
            "title": "Lead registration with source", "priority": "should",
            "intent": "achieve", "verification": "demo",
            "verification_criterion": "In the demo a lead keeps its source after 2 steps."}
    data.update(values)
    return browser.post(f"{base(committee)}/new", data)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_propose_then_see_it_in_the_list_with_who_raised_it(app, dbs, committee):
    bram = as_member(app, committee, "business")
    page = bram.get(f"{base(committee)}/new")
    assert page.status_code == 200
    assert 'placeholder="BUS-SAL-01"' in text(page)
    response = propose(bram, committee, dbs)
    assert response.status_code == 302
    created = requirement(dbs, "BUS-SAL-01")
    assert created.status == "proposed"
    assert response.headers["Location"].endswith(f"/requirements/{created.id}")
    ingrid = as_member(app, committee, "it")
    assert propose(ingrid, committee, dbs, category="backup", title="Back-ups made daily",
                   verification_criterion="", priority="must").status_code == 302
    listing = text(bram.get(base(committee)))
    assert "BUS-SAL-01" in listing and "IT-BCK-01" in listing
    assert "Bram" in listing and "Ingrid" in listing
    # Flags beside the requirement: no criterion, no measure, an unclear must.
    row = listing[listing.index("IT-BCK-01"):]
    row = row[:row.index("</tr>")]
    assert "no criterion" in row and "no measure" in row and "must: knock-out or weight?" in row
    it_only = text(bram.get(f"{base(committee)}?domain=it"))
    assert "IT-BCK-01" in it_only and "BUS-SAL-01" not in it_only
    search = text(bram.get(f"{base(committee)}?q=daily"))
    assert "IT-BCK-01" in search and "BUS-SAL-01" not in search
    flagged = text(bram.get(f"{base(committee)}?flagged=y"))
    assert "IT-BCK-01" in flagged and "BUS-SAL-01" not in flagged
    quality = text(bram.get(f"{base(committee)}/quality"))
    assert "No verification criterion: say how you will check it." in quality


def test_a_refused_proposal_shows_the_error_beside_the_field(app, dbs, committee):
    bram = as_member(app, committee, "business")
    response = propose(bram, committee, dbs, knockout="y", knockout_rationale="  ",
                       title="SSO")
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="knockout_rationale-error">A knock-out needs its rationale', page)
    assert count(dbs) == 0
    response = propose(bram, committee, dbs, weight="heavy")
    assert response.status_code == 422 and "The weight is a number" in text(response)
    assert count(dbs) == 0


def test_edit_with_a_stale_version_is_a_conflict(app, dbs, committee):
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs)
    item = requirement(dbs, "BUS-SAL-01")
    edit_url = f"{base(committee)}/{item.id}/edit"
    form = text(bram.get(edit_url))
    assert 'name="version" type="hidden" value="1"' in form
    data = {"category_id": str(item.category_id), "title": "Lead registration v2",
            "priority": "could", "intent": "achieve", "verification": "demo",
            "verification_criterion": "2 steps", "version": "1"}
    assert bram.post(edit_url, data).status_code == 302
    stale = bram.post(edit_url, dict(data, title="My older edit"))
    assert stale.status_code == 409
    assert "Someone else changed this requirement" in text(stale)
    assert requirement(dbs, "BUS-SAL-01").title == "Lead registration v2"
    detail = text(bram.get(f"{base(committee)}/{item.id}"))
    assert "Lead registration with source" in detail  # the history shows the old title
    assert "Change history" in detail


def test_decisions_by_role(app, dbs, committee):
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs)
    item = requirement(dbs, "BUS-SAL-01")
    url = f"{base(committee)}/{item.id}/decide"
    assert "Record the decision" not in text(bram.get(f"{base(committee)}/{item.id}"))
    refused = bram.post(url, {"status": "accepted", "reason": "I like it", "version": "1"})
    assert refused.status_code == 422
    assert "Only the facilitator can accept" in text(refused)
    sponsor = as_member(app, committee, "sponsor")
    assert sponsor.post(url, {"status": "accepted", "reason": "x"}).status_code == 403
    fenna = as_member(app, committee, "facilitator")
    no_reason = fenna.post(url, {"status": "accepted", "reason": "", "version": "1"})
    assert no_reason.status_code == 422 and 'id="reason-error"' in text(no_reason)
    assert requirement(dbs, "BUS-SAL-01").status == "proposed"
    done = fenna.post(url, {"status": "accepted", "reason": "Agreed in workshop 2",
                            "version": "1"})
    assert done.status_code == 302
    assert requirement(dbs, "BUS-SAL-01").status == "accepted"
    detail = text(fenna.get(f"{base(committee)}/{item.id}"))
    assert "Agreed in workshop 2" in detail and "decided on it" in detail


def test_bulk_decision_from_the_list(app, dbs, committee):
    bram = as_member(app, committee, "business")
    for n in range(3):
        propose(bram, committee, dbs, title=f"Wish {n} about leads", code=f"W-{n}")
    ids = [str(requirement(dbs, f"W-{n}").id) for n in range(3)]
    fenna = as_member(app, committee, "facilitator")
    listing = text(fenna.get(base(committee)))
    assert 'name="ids"' in listing and "Decide on the selected requirements" in listing
    response = fenna.post(f"{base(committee)}/decide",
                          {"ids": ids[:2], "status": "deferred", "reason": "After phase 1",
                           "query": "status=proposed"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/requirements?status=proposed")
    assert [requirement(dbs, f"W-{n}").status for n in range(3)] == [
        "deferred", "deferred", "proposed"]
    refused = fenna.post(f"{base(committee)}/decide", {"ids": ids, "status": "accepted",
                                                        "reason": ""})
    assert refused.status_code == 422 and "Give a reason." in text(refused)
    assert requirement(dbs, "W-2").status == "proposed"


@pytest.mark.parametrize("query", [
    "status=proposed\r\nSet-Cookie: session=stolen",
    "status=proposed\nLocation: https://evil.example",
    "q=lead\r",
    "status=proposed&next=https://evil.example&q=a%0D%0Ab",
])
def test_bulk_decision_with_cr_or_lf_in_its_query(app, dbs, committee, query):
    """Issue 17, item 14: a CR or LF in the posted `query` gave a 500 (after the
    decisions were made, so they were lost). The query is rebuilt from the list's own
    filter names, encoded again: the decisions stand and the redirect is clean."""
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs, title="Wish about leads", code="W-1")
    fenna = as_member(app, committee, "facilitator")
    response = fenna.post(f"{base(committee)}/decide", {
        "ids": [str(requirement(dbs, "W-1").id)], "status": "deferred",
        "reason": "After phase 1", "query": query})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location
    assert "stolen" not in response.headers.get("Set-Cookie", "")
    target = urlsplit(location)
    assert target.netloc in ("", "selector.test") and target.path == base(committee)
    assert {name for name, _ in parse_qsl(target.query)} <= {"status", "q"}  # no "next"
    assert requirement(dbs, "W-1").status == "deferred"
    assert fenna.get(location).status_code == 200


def test_other_selections_requirements_are_not_found(app, dbs, committee):
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs)
    item = requirement(dbs, "BUS-SAL-01")
    bea = Browser(app)
    bea.login("bea@example.org")
    other = f"/selections/{committee.other_selection_id}/requirements/{item.id}"
    assert bea.get(other).status_code == 404
    assert bea.get(other + "/edit").status_code == 404
    bea.refresh_token(f"/selections/{committee.other_selection_id}/requirements")
    assert bea.post(other + "/decide", {"status": "accepted", "reason": "x"}).status_code == 404
    with dbs.transaction(write=False) as session:
        foreign_category = session.scalar(select(Category.id).where(
            Category.selection_id == committee.other_selection_id))
    response = bram.post(f"{base(committee)}/new", {
        "category_id": str(foreign_category), "title": "Sneaky", "priority": "should",
        "intent": "achieve", "verification": "demo"})
    assert response.status_code == 422 and count(dbs) == 1


def test_library_pick(app, dbs, committee):
    bram = as_member(app, committee, "business")
    page = text(bram.get(f"{base(committee)}/library?category=backup"))
    assert "Recovery point objective (RPO) of at most 24 hours" in page
    assert "lib-sal-lead-source" not in page  # another category
    response = bram.post(f"{base(committee)}/library",
                         {"items": ["lib-bck-rpo-24h", "lib-sal-lead-source"]})
    assert response.status_code == 302
    assert count(dbs, library_id="lib-bck-rpo-24h") == 1
    again = text(bram.get(f"{base(committee)}/library?q=RPO"))
    assert "in the selection" in again
    empty = bram.post(f"{base(committee)}/library", {})
    assert empty.status_code == 422 and count(dbs) == 2


def test_it_answers_page(app, dbs, committee):
    ingrid = as_member(app, committee, "it")
    page = ingrid.get(f"{base(committee)}/it")
    assert page.status_code == 200 and "Back-up and recovery" in text(page)
    refused = ingrid.post(f"{base(committee)}/it", {
        "rpo-hours": "4", "rpo-priority": "must", "rpo-knockout": "y",
        "rpo-knockout_rationale": ""})
    assert refused.status_code == 422 and "A knock-out needs its rationale" in text(refused)
    assert count(dbs) == 0
    saved = ingrid.post(f"{base(committee)}/it", {
        "rpo-hours": "4", "rpo-priority": "must", "rpo-knockout": "y",
        "rpo-knockout_rationale": "Half a day of registrations is the most we can lose.",
        "browser-0-browser": "edge", "browser-0-device": "desktop",
        "browser-0-min_version": "120", "browser-0-priority": "should",
        "norm-norm": ["iso27001"], "norm-iso27001-priority": "must"})
    assert saved.status_code == 302
    rpo = requirement(dbs, "IT-BCK-01")
    assert rpo.knockout and rpo.priority == "must" and json.loads(rpo.structured)["value"] == {
        "hours": 4}
    assert count(dbs) == 3
    again = text(ingrid.get(f"{base(committee)}/it"))
    assert 'value="4"' in again and "IT-BCK-01" in again
    business = as_member(app, committee, "business")
    assert business.get(f"{base(committee)}/it").status_code == 403


def _catalogue_answer(part):
    """A valid form entry for one part of a catalogue question."""
    if part.kind in ("one", "many"):
        return part.options[-1].key
    return "the EU/EEA" if part.kind == "text" else "12"


def test_it_page_asks_every_catalogue_question(app, dbs, committee):
    from selector.domain.it_catalogue import AREAS
    from selector.domain.it_catalogue import QUESTIONS
    from selector.domain.it_catalogue import words_in

    ingrid = as_member(app, committee, "it")
    page = text(ingrid.get(f"{base(committee)}/it"))
    for area in AREAS:
        assert f">{words_in(area.label, 'en')}</h2>" in page, area.key
    names = {}
    for question in QUESTIONS.values():
        assert words_in(question.label, "en") in page, question.key
        prefix = f"{question.key}-0" if question.repeat == "rows" else question.key
        for part in question.parts:
            names[part.key] = f"{prefix}-{part.key}"
            assert f'name="{prefix}-{part.key}"' in page, names[part.key]
            for option in part.options:
                assert f'value="{option.key}"' in page and words_in(option.label, "en") in page
        controls = (f"{question.key}-{question.parts[0].options[0].key}"
                    if question.repeat == "each" else prefix)
        assert f'name="{controls}-priority"' in page and f'name="{controls}-knockout"' in page
    # One answer to every question: one requirement each, shown again on the page.
    answers = {}
    for question in QUESTIONS.values():
        prefix = f"{question.key}-0" if question.repeat == "rows" else question.key
        for part in question.parts:
            answers[f"{prefix}-{part.key}"] = _catalogue_answer(part)
    saved = ingrid.post(f"{base(committee)}/it", answers)
    assert saved.status_code == 302
    assert count(dbs) == len(QUESTIONS)
    with dbs.transaction(write=False) as session:
        stored = {json.loads(r)["item"]: json.loads(r)["value"]
                  for r in session.scalars(select(Requirement.structured))}
    assert stored["retention"] == {"days": 12} and stored["norm"] == {"norm": "nis2"}
    assert stored["browser"] == {"browser": "samsung", "device": "tablet", "min_version": 12}
    assert stored["restore_test"] == {"frequency": "yearly", "restored_by": "jointly"}
    again = text(ingrid.get(f"{base(committee)}/it"))
    assert 'name="data_location-location" type="text" value="the EU/EEA"' in again
    assert 'name="rpo-hours" type="text" value="12"' in again
    # The reader's language: the catalogue's Dutch words.
    with dbs.transaction() as session:
        session.execute(update(Account).where(Account.email == committee.emails["it"])
                        .values(language="nl"))
    dutch = text(ingrid.get(f"{base(committee)}/it"))
    for question in QUESTIONS.values():
        assert words_in(question.label, "nl") in dutch, question.key
    assert "Hersteltest" in dutch and "Elk halfjaar" in dutch


def test_it_page_puts_a_refusal_beside_its_field(app, dbs, committee):
    ingrid = as_member(app, committee, "it")
    for field, entry, message in (
        ("rpo-hours", "vier", "Enter a number."),
        ("retention-days", "1,5", "Enter a whole number."),
        ("browser-1-min_version", "0", "Enter a number above 0 and at most 10000."),
    ):
        data = {"accessibility-level": "wcag22_aa", field: entry}
        if field.startswith("browser-1"):  # a browser posts every row, the empty first too
            data |= {"browser-0-browser": "", "browser-1-browser": "edge"}
        refused = ingrid.post(f"{base(committee)}/it", data)
        assert refused.status_code == 422, field
        page = text(refused)
        assert re.search(rf'id="{field}-error">{re.escape(message)}', page), field
        assert "Requirements made from these answers" not in page  # not even for a moment
    assert count(dbs) == 0


def test_spreadsheet_upload_preview_commit(app, dbs, committee, tmp_path):
    fenna = as_member(app, committee, "facilitator")
    csv = (b"category,title,priority,knockout,knockout_rationale\n"
           b"sales,Lead scoring,should,no,\n"
           b"backup,RTO at most 8 hours,must,yes,Policy\n")
    preview = fenna.post(f"{base(committee)}/import",
                         {"file": (io.BytesIO(csv), "catalogue.csv")},
                         content_type="multipart/form-data")
    assert preview.status_code == 200
    page = text(preview)
    assert "Preview of catalogue.csv" in page and "RTO at most 8 hours" in page
    assert count(dbs) == 0  # nothing before the commit
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    committed = fenna.post(f"{base(committee)}/import/commit",
                           {"token": token, "filename": "catalogue.csv"})
    assert committed.status_code == 302 and count(dbs) == 2
    twice = fenna.post(f"{base(committee)}/import/commit", {"token": token})
    assert twice.status_code == 422 and "The upload has expired" in text(twice)
    assert count(dbs) == 2


def test_hostile_uploads_are_refused_beside_the_field(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    audit_before = count(dbs, AuditEntry)
    for data, name, message in (
        (b"not a workbook", "list.xlsx", "This file is not an .xlsx spreadsheet"),
        (b"Naam;Adres\nA;B\n", "list.csv",
         "No row of the sheet &#39;list.csv&#39; names the columns."),
        (b"x" * (5 * 1024 * 1024 + 10), "big.csv", "The file is larger than 5 MB."),
    ):
        response = fenna.post(f"{base(committee)}/import", {"file": (io.BytesIO(data), name)},
                              content_type="multipart/form-data")
        assert response.status_code == 422, name
        assert message in text(response), name
    assert count(dbs) == 0 and count(dbs, AuditEntry) == audit_before
    bram = as_member(app, committee, "business")
    assert bram.get(f"{base(committee)}/import").status_code == 403


def test_export_and_template_downloads(app, dbs, committee):
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs, title="=cmd|' /C calc'!A0")
    sponsor = as_member(app, committee, "sponsor")
    export = sponsor.get(f"{base(committee)}/export.xlsx")
    assert export.status_code == 200 and export.mimetype == XLSX
    assert "attachment" in export.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(export.data))["Requirements"]
    assert sheet["C2"].value == "'=cmd|' /C calc'!A0"
    template = sponsor.get(f"{base(committee)}/template.xlsx")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.data))["Requirements"].max_row == 1


def test_categories_page(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    page = fenna.get(f"{base(committee)}/categories")
    assert page.status_code == 200 and "Back-up &amp; recovery" in text(page)
    assert fenna.post(f"{base(committee)}/categories",
                      {"new-name": "Field service", "new-domain": "business"}).status_code == 302
    added = category_id(dbs, committee, "field_service")
    assert fenna.post(f"{base(committee)}/categories/{added}",
                      {f"c{added}-name": "Field work", f"c{added}-domain": "it"}).status_code == 302
    clash = fenna.post(f"{base(committee)}/categories/{added}",
                       {f"c{added}-name": "Sales & leads", f"c{added}-domain": "it"})
    assert clash.status_code == 422 and "There is a category with this name already." in text(clash)
    refused = fenna.post(f"{base(committee)}/categories/{added}/remove",
                         {"reason": "x" * 5000})  # the fuzz test's "422 without a message"
    assert refused.status_code == 422
    assert "Reason: Field cannot be longer than 2000 characters." in text(refused)
    assert category_id(dbs, committee, "field_service") == added
    assert fenna.post(f"{base(committee)}/categories/{added}/remove", {}).status_code == 302
    assert category_id(dbs, committee, "field_service") is None
    settings = fenna.post(f"{base(committee)}/settings", {"owner_groups_decide": "y"})
    assert settings.status_code == 302
    with dbs.transaction(write=False) as session:
        assert session.get(Selection, committee.selection_id).owner_groups_decide
    bram = as_member(app, committee, "business")
    assert bram.get(f"{base(committee)}/categories").status_code == 403


def test_frozen_requirements_need_the_facilitator(app, dbs, committee):
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs)
    item = requirement(dbs, "BUS-SAL-01")
    with dbs.transaction() as session:
        session.get(Selection, committee.selection_id).phase = "scoring"
    data = {"category_id": str(item.category_id), "title": "Changed late",
            "priority": "should", "intent": "achieve", "verification": "demo",
            "version": "1"}
    listing = text(bram.get(base(committee)))
    assert "Scoring has opened: the requirements are frozen." in listing
    refused = bram.post(f"{base(committee)}/{item.id}/edit", data)
    assert refused.status_code == 422 and "only the facilitator" in text(refused)
    fenna = as_member(app, committee, "facilitator")
    no_reason = fenna.post(f"{base(committee)}/{item.id}/edit", data)
    assert no_reason.status_code == 422 and 'id="reason-error"' in text(no_reason)
    assert fenna.post(f"{base(committee)}/{item.id}/edit",
                      dict(data, reason="Vendor question 4")).status_code == 302
    assert requirement(dbs, "BUS-SAL-01").title == "Changed late"
    with dbs.transaction(write=False) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "requirement")
                                .order_by(AuditEntry.id.desc())).first()
        assert entry.reason == "Vendor question 4"


def test_dutch_interface(app, dbs, committee):
    bram = as_member(app, committee, "business")
    propose(bram, committee, dbs)
    bram.post("/language", {"language": "nl"})
    page = text(bram.get(base(committee)))
    assert "Eisen en wensen" in page or "Nieuwe eis of wens" in page


@pytest.mark.parametrize("path", ["", "/quality", "/library", "/new"])
def test_observer_reads_but_does_not_write(app, dbs, committee, path):
    olaf = as_member(app, committee, "observer")
    response = olaf.get(base(committee) + path)
    assert response.status_code == (200 if path in ("", "/quality") else 403)


def test_a_refused_requirement_says_how_many_problems_at_the_top(app, dbs, committee):
    """Issue 22, item 6: the count and a link to the first field in error open the form."""
    bram = as_member(app, committee, "business")
    response = propose(bram, committee, dbs, title="", code="X" * 300)
    assert response.status_code == 422
    page = text(response)
    summary = problem_summary(page)
    assert "There are 2 problems." in summary
    assert 'href="#code"' in summary
    assert page.index('id="error-summary"') < page.index('id="category_id"')
    assert 'id="title"' in page and count(dbs) == 0
