"""My selections, creating a selection, the overview and moving through the phases."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.web.conftest import Browser


def audit_entries(dbs, selection_id, entity):
    from selector.models import AuditEntry

    with dbs.transaction(write=False) as session:
        return session.scalars(
            select(AuditEntry).where(AuditEntry.selection_id == selection_id,
                                     AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).all()


def test_home_lists_only_my_selections(app, committee, browser):
    browser.login(committee.emails["business"])
    page = browser.get("/").get_data(as_text=True)
    assert "Alpha CRM" in page and "Beta CRM" not in page
    assert 'href="/" aria-current="page">My selections' in page  # the main menu says where
    former = Browser(app)
    former.login(committee.emails["former"])
    assert "Alpha CRM" not in former.get("/").get_data(as_text=True)


def test_anyone_signed_in_creates_a_selection_and_becomes_its_facilitator(app, dbs, committee,
                                                                         browser):
    from selector.models import Category
    from selector.models import Membership
    from selector.models import Selection

    browser.login(committee.emails["observer"])
    response = browser.post("/selections/new", {
        "name": "  Nieuwe CRM  ", "organisation": "Gemeente Delta", "language": "nl",
        "scale_max": "10", "business_share": "60"})
    assert response.status_code == 302
    selection_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with dbs.transaction(write=False) as session:
        selection = session.get(Selection, selection_id)
        assert (selection.name, selection.language, selection.scale_max) == ("Nieuwe CRM", "nl", 10)
        assert (selection.balance_business, round(selection.balance_it, 6)) == (0.6, 0.4)
        assert selection.phase == "requirements"
        role = session.scalar(select(Membership.role).where(
            Membership.selection_id == selection_id))
        assert role == "facilitator"
        names = session.scalars(select(Category.name).where(
            Category.selection_id == selection_id).order_by(Category.position)).all()
    from selector.services.selections import default_categories

    assert names == [c["name"] for c in default_categories("nl")]
    if names:  # seed/categories.json is there: Dutch names for a Dutch selection
        assert "Verkoop & leads" in names or all(isinstance(n, str) for n in names)
    created = audit_entries(dbs, selection_id, "selection")
    assert created[0].action == "create" and json.loads(created[0].new)["name"] == "Nieuwe CRM"
    assert browser.get(f"/selections/{selection_id}").status_code == 200


def test_a_refused_selection_keeps_what_was_typed(app, committee, browser):
    browser.login(committee.emails["business"])
    response = browser.post("/selections/new", {
        "name": "", "organisation": "Kept Organisation", "language": "en", "scale_max": "5",
        "business_share": "150"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Kept Organisation"' in page
    assert 'id="name-error"' in page and "Give the selection a name" in page
    assert 'id="business_share-error"' in page and 'value="150"' in page


def test_the_overview_shows_phase_progress_and_tasks(app, committee, browser):
    browser.login(committee.emails["business"])
    page = browser.get(f"/selections/{committee.selection_id}").get_data(as_text=True)
    for text in ("Alpha CRM", "Gemeente Alpha", "Progress", "Who still has what to do",
                 "Write down your requirements", 'aria-current="step"'):
        assert text in page, text
    assert "Move on to" not in page  # only the facilitator moves phases
    assert 'aria-current="page">My selections' not in page  # the tabs say where, not the menu


def test_the_facilitator_moves_the_phase_forward_and_back_with_a_reason(app, dbs, committee,
                                                                       browser):
    from selector.models import Selection

    browser.login(committee.emails["facilitator"])
    path = f"/selections/{committee.selection_id}/phase"
    assert browser.post(path, {"direction": "forward"}).status_code == 302
    refused = browser.post(path, {"direction": "back", "reason": "  "})
    assert refused.status_code == 422
    assert "Say why the selection goes back a phase" in refused.get_data(as_text=True)
    assert browser.post(path, {"direction": "back",
                               "reason": "IT found two missing requirements"}).status_code == 302
    with dbs.transaction(write=False) as session:
        assert session.get(Selection, committee.selection_id).phase == "requirements"
    entries = [e for e in audit_entries(dbs, committee.selection_id, "selection")
               if e.action == "phase"]
    assert [(json.loads(e.old)["phase"], json.loads(e.new)["phase"]) for e in entries] == [
        ("requirements", "weighting"), ("weighting", "requirements")]
    assert entries[1].reason == "IT found two missing requirements"
    assert entries[1].actor == committee.emails["facilitator"]


def test_there_is_no_phase_before_the_first(app, committee, browser):
    browser.login(committee.emails["facilitator"])
    response = browser.post(f"/selections/{committee.selection_id}/phase",
                            {"direction": "back", "reason": "why not"})
    assert response.status_code == 422
    assert "The requirements phase is the first phase." in response.get_data(as_text=True)


def test_a_sealed_report_stops_going_back(app, dbs, committee):
    from selector.models import Account
    from selector.models import FinalReport
    from selector.models import Selection
    from selector.services import selections
    from selector.services.errors import ServiceError

    with dbs.transaction() as session:
        selection = session.get(Selection, committee.selection_id)
        selection.phase = "decision"
        session.add(FinalReport(selection_id=selection.id, language="en", sha256="0" * 64,
                                ranking="{}", pdf=b"%PDF"))
        session.flush()
        actor = session.scalar(select(Account).where(
            Account.email == committee.emails["facilitator"]))
        try:
            selections.change_phase(session, selection, actor, "back", "a reason")
        except ServiceError as error:
            assert "sealed" in str(error.message)
        else:
            raise AssertionError("went back after sealing")


def test_phase_changes_are_refused_to_other_roles(app, committee):
    for role in ("business", "it", "sponsor", "observer"):
        browser = Browser(app)
        browser.login(committee.emails[role])
        response = browser.post(f"/selections/{committee.selection_id}/phase",
                                {"direction": "forward"})
        assert response.status_code == 403, role


def test_dates_and_numbers_follow_the_language(app, committee, browser):
    browser.login(committee.emails["facilitator"])
    browser.post("/language", {"language": "nl"})
    page = browser.get(f"/selections/{committee.selection_id}").get_data(as_text=True)
    assert "Voortgang" in page and "50%" in page
    from selector.models.base import utcnow

    year = str(utcnow().year)
    assert year in page
    from zoneinfo import ZoneInfo

    from babel.dates import format_date

    local = utcnow().astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    assert format_date(local, "medium", locale="nl") in page  # "23 nov 2026"
