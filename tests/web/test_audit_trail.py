"""The audit trail page and its exports (issue 22, item 3): every audited change in
words, filtered by person, kind and date, newest first, paged; .xlsx and CSV with every
text neutralised; the same words as the report; who may read it; blind scoring."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from selector.models import Account
from selector.models import AuditEntry
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from tests.conftest import sql_statements
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in

HOSTILE = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert('audit')</script>"


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows_of(html: str) -> list[str]:
    """The entries of the page as text, in the order shown."""
    body = html.split('<table class="table audit-table"', 1)[1].split("</table>", 1)[0]
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1],
                                               flags=re.S)]


def add_requirement(session, sid: int, email: str, title: str) -> Requirement:
    from selector.models import Category
    from selector.services import requirements

    selection = session.get(Selection, sid)
    account = session.scalar(select(Account).where(Account.email == email))
    role = session.scalar(select(Membership.role).where(
        Membership.selection_id == sid, Membership.account_id == account.id))
    category = session.scalar(select(Category.id).where(Category.selection_id == sid)
                              .order_by(Category.position).limit(1))
    return requirements.create_requirement(
        session, selection, account, role,
        requirements.RequirementFields(category_id=category, title=title))


@pytest.fixture
def trail(dbs, committee):
    """Alpha with requirements proposed by the business member (one with hostile text)
    and by the facilitator, after the committee was formed."""
    with dbs.transaction() as session:
        add_requirement(session, committee.selection_id, committee.emails["business"],
                        HOSTILE)
        add_requirement(session, committee.selection_id, committee.emails["business"],
                        SCRIPT)
        add_requirement(session, committee.selection_id, committee.emails["facilitator"],
                        "Leads are assigned to a sales person within a day")
    return committee


def entry_count(dbs, sid: int, **where) -> int:
    with dbs.transaction(write=False) as session:
        statement = select(func.count()).select_from(AuditEntry).where(
            AuditEntry.selection_id == sid)
        for name, value in where.items():
            statement = statement.where(getattr(AuditEntry, name) == value)
        return session.scalar(statement)


def test_the_page_lists_every_change_in_words_newest_first(app, dbs, trail):
    sid = trail.selection_id
    page = signed_in(app, trail.emails["facilitator"]).get(f"/selections/{sid}/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = rows_of(html)
    assert len(rows) == entry_count(dbs, sid) == 12
    # Newest first: the facilitator's requirement, then Bram's two.
    assert "Fenna de Vries" in rows[0] and "requirement" in rows[0]
    assert "created: “Leads are assigned to a sales person within a day”" in rows[0]
    assert "Bram bram@example.org" in rows[1]
    times = re.findall(r'<time datetime="([^"]+)"', html)
    assert times == sorted(times, reverse=True)
    # The oldest: the selection was created (its name in words, not JSON).
    assert "selection · created" in rows[-1] and "“Alpha CRM”" in rows[-1]
    assert "{" not in " ".join(rows)  # never the stored JSON
    # A member added, in words with the role's label.
    assert any("member rita@example.org · created" in r and "role Business" in r for r in rows)
    assert any("member rita@example.org · deleted" in r for r in rows)


def test_hostile_text_is_escaped_on_the_page(app, trail):
    sid = trail.selection_id
    html = signed_in(app, trail.emails["facilitator"]).get(
        f"/selections/{sid}/audit").get_data(as_text=True)
    assert "<script>alert('audit')" not in html
    assert "&lt;script&gt;alert(" in html
    assert "“=cmd|&#39; /C calc&#39;!A0”" in html


def test_filters_by_person_kind_and_date(app, dbs, trail):
    sid = trail.selection_id
    browser = signed_in(app, trail.emails["sponsor"])
    base = f"/selections/{sid}/audit"
    bram = rows_of(browser.get(base, query_string={"person": "bram@example.org"})
                   .get_data(as_text=True))
    assert len(bram) == 2 == entry_count(dbs, sid, actor="bram@example.org")
    assert all("Bram" in row for row in bram)

    members = rows_of(browser.get(base, query_string={"kind": "member"}).get_data(as_text=True))
    assert len(members) == entry_count(dbs, sid, entity="member") == 8
    assert all(row.split(" · ")[0].split()[-2] == "member" for row in members)

    both = browser.get(base, query_string={"person": "fenna@example.org",
                                           "kind": "requirement"})
    assert len(rows_of(both.get_data(as_text=True))) == 1

    # Dates are the reader's days (Europe/Amsterdam): 23:30 UTC on 1 March is 00:30 on
    # 2 March there. The trail is append-only: the entry is written with that moment.
    from selector.domain.vocabulary import AuditAction
    from selector.domain.vocabulary import AuditEntity
    from selector.services import audit

    with dbs.transaction() as session:
        olaf = session.scalar(select(Account).where(Account.email == "olaf@example.org"))
        entry = audit.record(session, selection_id=sid, actor=olaf, action=AuditAction.UPDATE,
                             entity=AuditEntity.REQUIREMENT, entity_key="BUS-SAL-09",
                             old={"priority": "must"}, new={"priority": "could"})
        entry.at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    march = {"since": "2026-03-02", "until": "2026-03-02"}
    rows = rows_of(browser.get(base, query_string=march).get_data(as_text=True))
    assert rows == ["2026-03-02 00:30 Olaf olaf@example.org requirement BUS-SAL-09 · changed "
                    "priority must → could –"]
    first = browser.get(base, query_string={"until": "2026-03-01"}).get_data(as_text=True)
    assert "No audited change matches these filters." in first
    later = browser.get(base, query_string={"since": "2026-03-03"}).get_data(as_text=True)
    assert len(rows_of(later)) == entry_count(dbs, sid) - 1
    assert "Olaf" not in " ".join(rows_of(later))


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"since": "31-02-2026"}, "since", "Enter the start date as a date, for example 2026-03-31."),
    ({"until": "yesterday"}, "until", "Enter the end date as a date, for example 2026-03-31."),
    ({"since": "2026-03-02", "until": "2026-03-01"}, "until",
     "The end date comes before the start date."),
    ({"person": "nobody@example.org"}, "person", "Choose the person from the list."),
    ({"kind": "password"}, "kind", "Choose the kind from the list."),
    ({"page": "-3"}, "page", "The page is a whole number, 1 or more."),
])
def test_a_bad_filter_is_named_beside_its_field(app, trail, query, field, message):
    sid = trail.selection_id
    browser = signed_in(app, trail.emails["facilitator"])
    for path in ("", "/export.csv", "/export.xlsx"):
        response = browser.get(f"/selections/{sid}/audit{path}", query_string=query)
        assert response.status_code == 422, path
        html = response.get_data(as_text=True)
        assert message in unescape(html)
        if field != "page":
            assert f'id="{field}-error"' in html
        assert 'class="table audit-table"' not in html


def test_dates_far_out_filter_nothing_and_never_fail(app, dbs, trail):
    sid = trail.selection_id
    browser = signed_in(app, trail.emails["facilitator"])
    response = browser.get(f"/selections/{sid}/audit",
                           query_string={"since": "0001-01-01", "until": "9999-12-31"})
    assert response.status_code == 200
    assert len(rows_of(response.get_data(as_text=True))) == entry_count(dbs, sid)


def test_the_trail_is_paged(app, dbs, trail, monkeypatch):
    from selector.services import audit_trail

    monkeypatch.setattr(audit_trail, "PER_PAGE", 5)
    sid = trail.selection_id
    total = entry_count(dbs, sid)
    browser = signed_in(app, trail.emails["observer"])
    seen = []
    for number in (1, 2, 3):
        html = browser.get(f"/selections/{sid}/audit",
                           query_string={"page": str(number)}).get_data(as_text=True)
        assert f"Page {number} of 3" in html
        seen.extend(rows_of(html))
    assert len(seen) == total == 12
    assert len(set(seen)) == 12  # no entry twice, none left out
    # A page past the last shows the last; the pager keeps the filters.
    last = browser.get(f"/selections/{sid}/audit",
                       query_string={"page": "999999", "kind": "member"}).get_data(as_text=True)
    assert "Page 2 of 2" in last
    assert f'href="/selections/{sid}/audit?page=1&amp;kind=member"' in last


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_exports_hold_every_filtered_entry_neutralised(app, dbs, trail, monkeypatch):
    from selector.services import audit_trail

    monkeypatch.setattr(audit_trail, "PER_PAGE", 5)  # the exports are not paged
    sid = trail.selection_id
    browser = signed_in(app, trail.emails["facilitator"])
    response = browser.get(f"/selections/{sid}/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "alpha-crm-audit-trail.csv" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.get_data())
    assert rows[0] == ["Date and time", "Person", "E-mail address", "Kind", "Action", "What",
                       "Change", "Reason"]
    assert len(rows) - 1 == entry_count(dbs, sid) == 12
    hostile = [r for r in rows if "calc" in r[6]]
    assert len(hostile) == 1
    assert hostile[0][1:7] == ["Bram", "bram@example.org", "requirement", "created",
                               hostile[0][5], "created: “=cmd|' /C calc'!A0”"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert any(SCRIPT in r[6] for r in rows)  # text, not markup: nothing to escape in CSV

    workbook = browser.get(f"/selections/{sid}/audit/export.xlsx")
    assert workbook.status_code == 200
    assert workbook.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(workbook.get_data())).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == rows[0]
    assert len(cells) == len(rows)
    assert [["" if v is None else v for v in c[1:]] for c in cells[1:]] == [
        r[1:] for r in rows[1:]]
    assert all(isinstance(c[0], date) for c in cells[1:])  # a date-time, not a text
    assert [c[0].strftime("%Y-%m-%d %H:%M:%S") for c in cells[1:]] == [r[0] for r in rows[1:]]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
    # A hostile cell: text that starts with the quote neutralise adds.
    csv_hostile = next(c for c in cells if c[6] and "calc" in c[6])
    assert csv_hostile[6] == "created: “=cmd|' /C calc'!A0”"

    # Filtered: only Bram's two entries; a cell that starts like a formula gets its quote.
    only = _csv_rows(browser.get(f"/selections/{sid}/audit/export.csv",
                                 query_string={"person": "bram@example.org"}).get_data())
    assert len(only) == 3


def test_a_text_cell_that_starts_like_a_formula_is_written_with_a_quote(app, dbs, trail):
    """A reason is written as it was given: one that starts with `=` gets the `'`."""
    from selector.services import selections

    sid = trail.selection_id
    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        fenna = session.scalar(select(Account).where(Account.email == "fenna@example.org"))
        selections.change_phase(session, selection, fenna, "forward")
        selections.change_phase(session, selection, fenna, "back", reason=HOSTILE)
    browser = signed_in(app, trail.emails["facilitator"])
    rows = _csv_rows(browser.get(f"/selections/{sid}/audit/export.csv").get_data())
    assert rows[1][6] == "moved back from the weighting phase to the requirements phase"
    assert rows[1][7] == "'" + HOSTILE
    assert rows[2][6] == "moved on from the requirements phase to the weighting phase"
    sheet = load_workbook(io.BytesIO(browser.get(
        f"/selections/{sid}/audit/export.xlsx").get_data())).active
    assert sheet["H2"].value == "'" + HOSTILE and sheet["H2"].data_type == "s"


@pytest.mark.parametrize(("role", "status"), [
    ("facilitator", 200), ("sponsor", 200), ("observer", 200), ("business", 403), ("it", 403),
])
def test_who_reads_the_trail(app, trail, role, status):
    sid = trail.selection_id
    browser = signed_in(app, trail.emails[role])
    for path in ("", "/export.csv", "/export.xlsx"):
        assert browser.get(f"/selections/{sid}/audit{path}").status_code == status
    overview = browser.get(f"/selections/{sid}").get_data(as_text=True)
    link = f'href="/selections/{sid}/audit"'
    assert (link in overview) == (status == 200)


def test_the_words_are_in_the_readers_language(app, trail):
    sid = trail.selection_id
    browser = signed_in(app, trail.emails["facilitator"])
    assert browser.post("/language", {"language": "nl", "next": "/"}).status_code == 302
    html = browser.get(f"/selections/{sid}/audit").get_data(as_text=True)
    rows = rows_of(html)
    assert "eis" in rows[0] and "aangemaakt" in rows[0]


def test_one_query_for_the_entries_along_the_index(app, dbs, trail):
    """No N+1: the entries with their authors' names in one query, read along
    (selection_id, at) newest first, without sorting (SQLite's plan)."""
    from selector.services import audit_trail

    if dbs.engine.dialect.name != "sqlite":
        pytest.skip("the query plan is read from SQLite")
    with sql_statements(dbs.engine) as statements, dbs.transaction(write=False) as session:
        page = audit_trail.trail_page(
            session, trail.selection_id, audit_trail.AuditFilter(), 1,
            visibility=audit_trail.Visibility(True, True), zone=__import__(
                "zoneinfo").ZoneInfo("Europe/Amsterdam"), language="en", withheld="-")
    assert len(page.lines) == 12
    entries = [s for s in statements if "FROM audit_entries" in s and "LIMIT" in s]
    queries = [s for s in statements if s.startswith("SELECT")]
    assert len(entries) == 1 and len(queries) == 4, statements  # count, entries, names
    with dbs.engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + entries[0],
            (trail.selection_id, 50, 0)).fetchall())
    assert "ix_audit_entries_selection_id_at" in plan
    assert "TEMP B-TREE" not in plan


# -- the report says the same ------------------------------------------------------------


def test_the_report_and_the_page_say_the_same(app, dbs, example_doc):
    """The example in the decision phase, a requirement changed after the freeze: the
    report's late change and its appendix's numbers are word for word on the page."""
    from selector.services import accounts
    from selector.services import reports
    from selector.services import requirements
    from selector.services import selection_file
    from selector.services.requirements import RequirementFields

    with dbs.transaction() as session:
        sid = selection_file.import_selection(session, example_doc)
        for account in session.scalars(select(Account)):
            if account.password_hash is None:
                account.password_hash = accounts.hash_password(PASSWORD)
        fenna = session.scalar(select(Account).where(Account.email == "fenna@example.org"))
        requirement = session.scalar(select(Requirement).where(
            Requirement.selection_id == sid, Requirement.code == "BUS-SAL-01"))
        values = RequirementFields.of(requirement)
        requirements.update_requirement(
            session, requirement, fenna, "facilitator",
            RequirementFields(**{**values.__dict__, "title": "Leads reach a sales person fast"}),
            expected_version=None, reason="The committee agreed it matters less.")
    with dbs.transaction(write=False) as session:
        data, _ = reports.selection_report_data(session, sid)
    assert data.open_points.changes, "the example has no late change"
    assert data.appendix.audit
    html = signed_in(app, "fenna@example.org").get(f"/selections/{sid}/audit").get_data(
        as_text=True)
    rows = rows_of(html)
    for change in data.open_points.changes:
        assert any(change.what in row and change.change in row for row in rows), change
    numbers = html.split('class="table audit-numbers"', 1)[1].split("</table>", 1)[0]
    shown = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", numbers.split("<tbody>")[1],
                                            flags=re.S)]
    assert shown == [f"{a.entity} {a.action} {a.count}" for a in data.appendix.audit]


# -- blind scoring and the price vault ---------------------------------------------------


def test_scores_and_costs_stay_hidden_until_scoring_closes(app, dbs, world):
    from selector.services import scoring
    from selector.services import vendors

    comment = "AUDITMARK northwind hides its pricing engine"
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        sanne = session.scalar(select(Account).where(Account.email == "sanne@example.org"))
        membership = session.get(Membership, world.members["sanne@example.org"])
        vendor = world.vendors["northwind"]
        scoring.declare_conflict(session, selection, membership, sanne, vendor, "none")
        wish = scoring.assigned_wishes(session, membership)[0]
        scoring.save_score(session, selection, membership, sanne, vendor_id=vendor,
                           requirement_id=wish.id, score=4, comment=comment, version=None)
        fenna = session.scalar(select(Account).where(Account.email == "fenna@example.org"))
        costly = vendors.add_vendor(session, selection, fenna, vendors.VendorInput(
            name="Costly CRM", licence_per_year=987_654, implementation=1,
            hosting_support_per_year=1, contract_years=3))
        vendors.update_vendor(session, selection, fenna, costly.id, vendors.VendorInput(
            name="Costly CRM", notes="Offer renewed", licence_per_year=876_543,
            implementation=1, hosting_support_per_year=1, contract_years=3))
    sid = world.selection
    for email in ("fenna@example.org", "marloes@example.org"):
        browser = signed_in(app, email)
        for path in ("", "/export.csv", "/export.xlsx"):
            response = browser.get(f"/selections/{sid}/audit{path}")
            assert response.status_code == 200
            body = response.get_data()
            if path.endswith(".xlsx"):
                body = "\n".join(str(c) for row in load_workbook(io.BytesIO(body)).active
                                 .iter_rows(values_only=True) for c in row).encode()
            text = body.decode("utf-8", "replace")
            if not path:  # the page: what it says, not the digits of its asset URLs
                text = text_of(text)
            assert "AUDITMARK" not in text, (email, path)
            assert "987" not in text and "876" not in text, (email, path)
            assert "notes – → “Offer renewed”" in text, (email, path)
            assert "hidden until scoring is closed" in text
            assert "Costly CRM" in text
    # Once scoring is closed, the sponsor reads both.
    with dbs.transaction() as session:
        session.get(Selection, sid).phase = "decision"
    html = signed_in(app, "marloes@example.org").get(f"/selections/{sid}/audit").get_data(
        as_text=True)
    assert "created: comment “AUDITMARK northwind hides its pricing engine”; score 4" in \
        text_of(html)
    assert "licence per year 987,654 → 876,543" in text_of(html)
