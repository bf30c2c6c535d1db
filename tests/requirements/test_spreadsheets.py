"""Requirement spreadsheets: the exact round trip, the template, and hostile files that
are refused with a clear message while the database stays as it was."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import select

from benchmarks import uploadkit
from benchmarks.uploadkit import HEADER
from selector.cli.main import main as cli
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.services import memberships
from selector.services import requirements as requirement_service
from selector.services import selections
from selector.services import spreadsheets
from selector.services.errors import ServiceError
from selector.services.spreadsheets import SpreadsheetError
from tests.requirements.conftest import BRAM
from tests.requirements.conftest import FENNA
from tests.requirements.conftest import INGRID
from tests.requirements.conftest import ROLES
from tests.requirements.conftest import acting
from tests.requirements.conftest import fields
from tests.requirements.conftest import state

TRICKY = ["=SUM(A1:A3)", "+31 20 123 4567", "-1 day", "@home", "'quoted", "''twice",
          "=HYPERLINK(\"http://evil.example\",\"click\")", "plain text", "'=already"]


def fill(db, world):
    """Requirements with every field set, formula-like text included."""
    with acting(db, world, BRAM) as (session, selection, account, role):
        for n, text in enumerate(TRICKY):
            requirement_service.create_requirement(
                session, selection, account, role,
                fields(world, "sales" if n % 2 else "marketing", title=f"Wish {n}: {text}",
                       description=text, rationale=f"Because {text}",
                       verification_criterion=f"{text}\nline two", priority="could",
                       weight=1.5 if n == 2 else None, intent="avoid" if n == 3 else "achieve",
                       verification="test"))
    with acting(db, world, INGRID) as (session, selection, account, role):
        requirement_service.create_requirement(
            session, selection, account, role,
            fields(world, "backup", title="RPO at most 24 hours", code="IT-BCK-07",
                   priority="must", knockout=True, knockout_rationale="-Losing a day is fatal",
                   verification="contract", owner_group="business"))
    with acting(db, world, FENNA) as (session, selection, account, role):
        requirement = session.scalar(select(Requirement).where(
            Requirement.code == "IT-BCK-07"))
        requirement_service.decide(session, requirement, account, role, "accepted", "Agreed.")


def catalogue(db, selection_id) -> list[dict]:
    """The requirements as the selection file sees them, by code."""
    with db.transaction(write=False) as session:
        keys = dict(session.execute(select(Category.id, Category.key).where(
            Category.selection_id == selection_id)).all())
        rows = []
        for r in session.scalars(select(Requirement).where(
                Requirement.selection_id == selection_id).order_by(Requirement.code)):
            rows.append({name: getattr(r, name) for name in requirement_service.FIELD_ORDER
                         if name not in ("category_id", "weight_reason")}
                        | {"category": keys[r.category_id], "status": r.status,
                           "raised_by": r.raised_by_id})
        return rows


def second_selection(db, world) -> int:
    with db.transaction() as session:
        fenna = session.get(memberships.Account, world.accounts[FENNA])
        selection = selections.create_selection(session, fenna, name="Copy")
        for email, role in ROLES.items():
            if role != "facilitator":
                memberships.add_member(session, selection, fenna, email, role)
        return selection.id


def do_import(db, selection_id, data, filename="requirements.xlsx", email=FENNA, reason=""):
    with db.transaction() as session:
        selection = session.get(Selection, selection_id)
        account = session.scalar(select(memberships.Account).where(
            memberships.Account.email == email))
        return spreadsheets.import_requirements(session, selection, account, ROLES[email],
                                                data, filename, reason=reason)


def export(db, selection_id) -> bytes:
    with db.transaction(write=False) as session:
        return spreadsheets.export_requirements(session, session.get(Selection, selection_id))


# -- the round trip -----------------------------------------------------------------------


def test_neutralise_and_back():
    for text in TRICKY + ["", "'", "\tTab", "\rCR", "a'b"]:
        assert spreadsheets.unneutralise(spreadsheets.neutralise(text)) == text
    assert spreadsheets.neutralise("=1+1") == "'=1+1"
    assert spreadsheets.neutralise("-5") == "'-5"
    assert spreadsheets.neutralise("@x") == "'@x"
    assert spreadsheets.neutralise("safe") == "safe"
    assert spreadsheets.unneutralise("'hello") == "'hello"  # typed by a user: kept


def test_export_then_import_gives_the_same_requirements(db, world):
    fill(db, world)
    data = export(db, world.selection)
    sheet = load_workbook(io.BytesIO(data))["Requirements"]
    header = [c.value for c in sheet[1]]
    assert header == list(spreadsheets.COLUMNS)
    cells = {c.value for row in sheet.iter_rows(min_row=2) for c in row}
    assert "'=SUM(A1:A3)" in cells and "'+31 20 123 4567" in cells and "'@home" in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

    copy = second_selection(db, world)
    result = do_import(db, copy, data)
    assert (result.created, result.updated, result.unchanged) == (10, 0, 0)
    assert catalogue(db, copy) == catalogue(db, world.selection)
    # Importing the export into its own selection changes nothing.
    before = state(db, world)
    result = do_import(db, world.selection, data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 10)
    assert state(db, world) == before


def test_csv_import_with_semicolons_and_a_bom(db, world):
    text = ("\ufeffcode;category;title;priority;knockout;knockout_rationale;weight;status\n"
            ";sales;Lead scoring;should;no;;2,5;\n"
            "X-1;Back-up & recovery;RTO at most 8 hours;must;ja;Policy;;accepted\n")
    result = do_import(db, world.selection, text.encode("utf-8"), "list.csv")
    assert result.created == 2
    rows = {r["code"]: r for r in catalogue(db, world.selection)}
    assert rows["BUS-SAL-01"]["weight"] == 2.5
    assert rows["X-1"]["knockout"] and rows["X-1"]["category"] == "backup"
    assert rows["X-1"]["status"] == "accepted"


def test_updates_through_a_spreadsheet_are_audited_decisions(db, world):
    fill(db, world)
    data = export(db, world.selection)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Requirements"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "IT-BCK-07":
            row[2].value = "RPO at most 12 hours"
            row[13].value = "deferred"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = do_import(db, world.selection, buffer.getvalue(), reason="Workshop 3")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 9)
    with db.transaction(write=False) as session:
        requirement = session.scalar(select(Requirement).where(
            Requirement.code == "IT-BCK-07"))
        trail = requirement_service.history(session, requirement)
        assert requirement.title == "RPO at most 12 hours" and requirement.status == "deferred"
        assert [(e.action, e.reason) for e in trail][-2:] == [("update", "Workshop 3"),
                                                              ("decide", "Workshop 3")]


def test_the_template_has_the_columns_and_drop_down_lists(db, world):
    with db.transaction(write=False) as session:
        data = spreadsheets.template(session, session.get(Selection, world.selection))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Requirements"]
    assert [c.value for c in sheet[1]] == list(spreadsheets.COLUMNS)
    assert sheet.max_row == 1
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    column = {name: chr(ord("A") + i) for i, name in enumerate(spreadsheets.COLUMNS)}
    for name in ("priority", "status", "intent", "verification", "knockout", "category"):
        assert f"{column[name]}2:{column[name]}5001" in validations, name
    lists = workbook["Lists"]
    assert [c.value for c in lists["A"]][:5] == ["priority", "must", "should", "could", "wont"]
    assert workbook["Columns"]["A2"].value == "code"
    # The empty template imports as "no requirements", with a clear message.
    with pytest.raises(SpreadsheetError) as refused:
        do_import(db, world.selection, data)
    assert "no requirements" in str(refused.value.problems[0])


# -- hostile and broken files -------------------------------------------------------------


def xlsx(rows, *, filler: bytes = b"") -> bytes:
    """A minimal .xlsx written by hand (inline strings), fast for huge sheets."""
    return uploadkit.workbook(uploadkit.sheet(rows), filler=filler)


def refused(db, world, data, filename="requirements.xlsx") -> list[str]:
    before = state(db, world)
    with pytest.raises(SpreadsheetError) as error:
        do_import(db, world.selection, data, filename)
    assert state(db, world) == before
    return [str(p) for p in error.value.problems]


def test_the_hand_made_sheet_imports(db, world):
    result = do_import(db, world.selection, xlsx([HEADER, ("sales", "Lead scoring", "must")]))
    assert result.created == 1


def test_formulas_are_never_evaluated(db, world):
    """Text that looks like a formula stays text; a formula cell saved without its value
    (openpyxl does not calculate) is named with its cell, and nothing is written."""
    data = xlsx([HEADER + ("description",),
                 ("sales", "=1+1", "must", '=HYPERLINK("http://evil.example","x")'),
                 ("sales", "=CONCATENATE(\"a\",\"b\")", "should", "=A1")])
    assert do_import(db, world.selection, data).created == 2
    rows = catalogue(db, world.selection)
    assert {r["title"] for r in rows} == {"=1+1", '=CONCATENATE("a","b")'}
    assert {r["description"] for r in rows} == {'=HYPERLINK("http://evil.example","x")', "=A1"}
    # ... and they leave again neutralised.
    exported = load_workbook(io.BytesIO(export(db, world.selection)))["Requirements"]
    assert {exported.cell(row=r, column=3).value for r in (2, 3)} == {
        "'=1+1", "'=CONCATENATE(\"a\",\"b\")"}

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER) + ["description"])
    sheet.append(["sales", "=1+1", "must", '=HYPERLINK("http://evil.example","x")'])
    sheet.append(["sales", "Plain", "should", "=A1"])
    assert sheet["B2"].data_type == "f"  # a real formula cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert refused(db, world, buffer.getvalue()) == [
        "B2: =1+1 has no saved value; open and save the file in Excel.",
        'D2: =HYPERLINK("http://evil.example","x") has no saved value; open and save the '
        "file in Excel.",
        "D3: =A1 has no saved value; open and save the file in Excel."]


def test_a_hundred_thousand_rows_are_refused_by_the_cap_quickly(db, world):
    rows = [HEADER] + [("sales", f"Wish {n}", "could") for n in range(100_000)]
    data = xlsx(rows)
    assert len(data) < spreadsheets.MAX_UPLOAD  # it is the row cap that refuses it
    started = time.perf_counter()
    problems = refused(db, world, data)
    assert time.perf_counter() - started < 3
    assert problems == ["The sheet has more than 5000 rows of requirements; split it into "
                        "smaller files."]
    csv_rows = "category,title,priority\n" + "sales,Wish,could\n" * 100_000
    assert refused(db, world, csv_rows.encode(), "big.csv") == problems


def test_a_zip_bomb_is_refused_before_it_is_opened(db, world, monkeypatch):
    data = xlsx([HEADER, ("sales", "Lead scoring", "must")], filler=b"\0" * (60 * 1024 * 1024))
    assert len(data) < 200 * 1024  # small on disk, 60 MB unpacked

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    problems = refused(db, world, data)
    assert problems == ["This .xlsx file would unpack to 60 MB, more than the 25 MB allowed; "
                        "it was not opened."]


def test_too_many_columns(db, world):
    wide = [HEADER + tuple(f"x{n}" for n in range(40)), ("sales", "Lead", "must")]
    assert refused(db, world, xlsx(wide)) == ["The sheet has more than 30 columns."]


def test_wrong_types_are_listed_per_row(db, world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "category", "title", "priority", "weight", "knockout", "raised_by",
                  "status", "intent"])
    sheet.append(["A-1", "sales", "Good row", "must", 3, "no", BRAM, "proposed", "achieve"])
    sheet.append(["A-2", "salse", "Typo in category", "must", None, "no", None, None, None])
    sheet.append(["A-3", "sales", "Dutch priority", "dringend", None, None, None, None, None])
    sheet.append(["A-4", "sales", "Heavy", "could", "heavy", None, None, None, None])
    sheet.append(["A-5", "sales", "Maybe knock-out", "could", None, "maybe", None, None, None])
    sheet.append(["A-6", "sales", "Stranger", "could", None, None, "who@else.org", None, None])
    sheet.append(["A-7", "sales", "Knock-out without why", "must", None, "yes", None, None, None])
    sheet.append(["A-1", "sales", "Same code", "could", None, None, None, None, None])
    sheet.append(["A-9", "sales", None, "could", None, None, None, None, None])
    sheet.append(["A-10", "sales", "Dated", "could", None, None, None, "done", "reach"])
    from datetime import datetime
    sheet.append(["A-11", "sales", datetime(2024, 5, 1), "could", -2, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    problems = refused(db, world, buffer.getvalue())
    # Every problem of every row, in row order (the mapping's and the selection's).
    assert problems == [
        "row 3, category: unknown category 'salse'; the categories are sales, marketing, "
        "service, customer_view, reporting, usability, hosting, standards, browsers, backup, "
        "security, integration, operations, exit",
        "row 4, priority: 'dringend' is not a priority label this import knows; map it to "
        "must, should, could, wont or knockout",
        "row 5, weight: 'heavy' is not a number of 0 or more",
        "row 6, knockout: 'maybe' is not one of yes, no",
        "row 7, raised_by: 'who@else.org' is not a member of this selection",
        "row 8, knockout_rationale: a knock-out needs a rationale; map a reason column, or "
        "give one rationale for the knock-outs that have none",
        "row 9, code: 'A-1' is also the code of row 2",
        "row 10, title: neither a title nor a text",
        "row 11, status: 'done' is not one of accepted, deferred, proposed, rejected",
        "row 11, intent: 'reach' is not one of achieve, avoid",
        "row 12, title: expected text, not a date or time",
    ]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"just some text, not a workbook", "list.xlsx", "This file is not an .xlsx spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "list.csv", "This file is not a CSV text file."),
        (b"PK\x03\x04 broken zip", "list.xlsx", "This file is not an .xlsx spreadsheet"),
        (b"", "list.csv", "The file is empty."),
        (b"category,title,priority\n", "notes.txt", "Upload an .xlsx, .csv or .docx file."),
        (b"x" * (5 * 1024 * 1024 + 1), "list.csv", "The file is larger than 5 MB."),
        (b"titel;categorie\nA;B\n", "list.csv", "row 2, priority: no priority; fill it in"),
        (b"category,title\nsales,A\n", "list.csv", "row 2, priority: no priority; fill it in"),
        (b"omschrijving;prioriteit\nA;must\n", "list.csv", "No column holds the category"),
        (b"Nothing;to;see\n1;2;3\n", "list.csv", "No row of the sheet 'list.csv' names"),
    ],
)
def test_not_a_spreadsheet(db, world, data, filename, message):
    problems = refused(db, world, data, filename)
    assert problems[0].startswith(message)


def test_a_zip_that_is_not_a_workbook(db, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(db, world, buffer.getvalue())[0].startswith(
        "This file is not an .xlsx spreadsheet")
    broken = xlsx([HEADER, ("sales", "Lead", "must")])
    broken = broken.replace(b"xl/worksheets/sheet1.xml", b"xl/worksheets/sheet9.xml")
    assert refused(db, world, broken) == [
        "This .xlsx file could not be read. Save it again as an Excel workbook (.xlsx) and "
        "upload it again."]


def test_an_import_refused_by_the_freeze_changes_nothing(db, world):
    fill(db, world)
    data = export(db, world.selection)
    with db.transaction() as session:
        session.get(Selection, world.selection).phase = "scoring"
    workbook = load_workbook(io.BytesIO(data))
    workbook["Requirements"]["C2"] = "A changed title"
    buffer = io.BytesIO()
    workbook.save(buffer)
    problems = refused(db, world, buffer.getvalue())
    assert problems[0].startswith("row 2, reason: Scoring has opened")


def test_a_business_member_cannot_set_a_status(db, world):
    data = xlsx([HEADER + ("status",), ("sales", "Lead scoring", "must", "accepted")])
    before = state(db, world)
    with pytest.raises(ServiceError):
        do_import(db, world.selection, data, email=BRAM)
    assert state(db, world) == before


def test_the_stash_keeps_an_upload_for_its_commit(tmp_path):
    token = spreadsheets.stash(tmp_path, 3, 7, b"category,title,priority\n", "list.csv")
    assert spreadsheets.unstash(tmp_path, 3, 7, token) == (b"category,title,priority\n", "csv")
    with pytest.raises(SpreadsheetError):
        spreadsheets.unstash(tmp_path, 3, 8, token)  # another selection's
    with pytest.raises(SpreadsheetError):
        spreadsheets.unstash(tmp_path, 4, 7, token)  # another account's
    with pytest.raises(SpreadsheetError):
        spreadsheets.unstash(tmp_path, 3, 7, "../../etc/passwd")
    spreadsheets.discard(tmp_path, 3, 7, token)
    with pytest.raises(SpreadsheetError):
        spreadsheets.unstash(tmp_path, 3, 7, token)
    assert spreadsheets.stashed_bytes(tmp_path, 3) == 0


def test_defusedxml_is_in_use():
    assert spreadsheets.DEFUSEDXML is True


# -- the command line ---------------------------------------------------------------------


def test_cli_export_and_import(db, world, tmp_path, capsys):
    fill(db, world)
    out = tmp_path / "catalogue.xlsx"
    assert cli(["requirements", "export", str(world.selection), "-o", str(out)]) == 0
    copy = second_selection(db, world)
    assert cli(["requirements", "import", str(copy), str(out)]) == 0
    assert "10 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert catalogue(db, copy) == catalogue(db, world.selection)
    bad = tmp_path / "bad.csv"
    bad.write_text("category,title,priority\nsales,Lead,dringend\n", encoding="utf-8")
    before = state(db, world)
    assert cli(["requirements", "import", str(world.selection), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (f"selector: {bad}: row 2, priority: 'dringend' is not a priority "
                           "label this import knows; map it to must, should, could, wont or "
                           "knockout")
    assert state(db, world) == before
    assert cli(["requirements", "import", "999", str(bad)]) == 1
    assert "there is no selection 999" in capsys.readouterr().err
