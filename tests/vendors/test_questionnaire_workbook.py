"""The questionnaire workbook: written for one vendor, read back in the sandbox, text
literally both ways (never a formula), every problem at once and nothing written on a
problem, refused for another vendor or selection; and the three `selector vendors`
commands."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from selector.cli.main import main
from selector.models import Selection
from selector.models import VendorAnswer
from selector.services import selection_file
from selector.services import vendors
from selector.services.spreadsheets import SpreadsheetError
from tests.vendors.conftest import NEXT_MONTH
from tests.vendors.conftest import answer
from tests.vendors.conftest import selection_and_vendor

HOSTILE = ['=HYPERLINK("http://x")', "+31 20 123", "<script>alert(1)</script>", "@sum(A1)",
           "-1 day", "'=1+1 quoted already"]


def _workbook(db, ids, key="northwind") -> bytes:
    with db.transaction(write=False) as session:
        return vendors.questionnaire_workbook(session, *selection_and_vendor(session, ids, key))


def _fill(data: bytes, answers: dict[str, tuple]) -> bytes:
    """The vendor fills in the workbook: code -> (compliance, explanation[, date]), text
    cells set as text (as a spreadsheet program stores typed text)."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    keys = [c.value for c in sheet[vendors.KEY_ROW]]
    for row in sheet.iter_rows(min_row=vendors.KEY_ROW + 1):
        code = row[keys.index("code")].value
        if code in answers:
            given = answers[code]
            for key, value in zip(vendors.QUESTIONNAIRE_ANSWER_KEYS, given, strict=False):
                cell = row[keys.index(key)]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(db, ids, data: bytes, key="northwind"):
    sheets = vendors.read_questionnaire(data, "returned.xlsx")
    with db.transaction() as session:
        return vendors.import_questionnaire(session, *selection_and_vendor(session, ids, key),
                                             sheets, actor_name=f"vendor:{key}")


def _answers(db, key="northwind") -> dict[str, tuple]:
    with db.transaction(write=False) as session:
        from selector.models import Requirement
        from selector.models import Vendor

        return {code: (c, e, p) for code, c, e, p in session.execute(
            select(Requirement.code, VendorAnswer.compliance, VendorAnswer.explanation,
                   VendorAnswer.planned_on)
            .join(Requirement, Requirement.id == VendorAnswer.requirement_id)
            .join(Vendor, Vendor.id == VendorAnswer.vendor_id).where(Vendor.key == key))}


def test_the_workbook_names_its_vendor_and_holds_the_key_row_and_drop_down(db, ids):
    data = _workbook(db, ids)
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[3]] == list(vendors.QUESTIONNAIRE_KEYS)
    assert sheet["A2"].value == "Code" and sheet["F2"].value == "Do you comply?"
    assert [sheet.cell(row, 1).value for row in (4, 5)] == ["IT-HST-01", "IT-BRW-01"]
    assert sheet.max_row == 3 + 24
    identity = {r[0].value: r[1].value for r in book[vendors.IDENTITY_SHEET].iter_rows()}
    assert identity["vendor"] == "northwind" and identity["selection"] == ids.selection
    assert book[vendors.IDENTITY_SHEET].sheet_state == "hidden"
    lists = [r[0].value for r in book[vendors.LISTS_SHEET].iter_rows()]
    assert lists == ["Yes", "Partly", "No", "Planned", "Via a third party"]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == "=Lists!$A$1:$A$5" and str(validation.sqref) == "F4:F27"


def test_the_drop_down_speaks_the_selections_language(db, ids):
    with db.transaction() as session:
        session.get(Selection, ids.selection).language = "nl"
    book = load_workbook(io.BytesIO(_workbook(db, ids)))
    assert book.worksheets[0].title == "Vragenlijst"
    assert [r[0].value for r in book[vendors.LISTS_SHEET].iter_rows()] == [
        "Ja", "Gedeeltelijk", "Nee", "Gepland", "Via een derde partij"]
    returned = _fill(_workbook(db, ids), {"BUS-SAL-01": ("Gedeeltelijk", "Deels.")})
    _import(db, ids, returned)
    assert _answers(db)["BUS-SAL-01"] == ("partly", "Deels.", None)


def test_hostile_text_comes_back_literally_both_ways(db, ids):
    codes = ["BUS-SAL-01", "BUS-SAL-02", "BUS-SAL-03", "BUS-MKT-01", "BUS-MKT-02",
             "BUS-MKT-03"]  # one answer each of HOSTILE
    with db.transaction() as session:
        for code, text in zip(codes, HOSTILE, strict=True):
            answer(session, ids, code, "partly", text)
    data = _workbook(db, ids)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist()
                      if name.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    assert '<t>=HYPERLINK("http://x")</t>' in xml  # a string cell
    # Read back unchanged, the file changes nothing; filled in anew, it stores the text.
    assert _import(db, ids, data).unchanged == 6
    refilled = _fill(data, {code: ("partly", text + " (again)")
                            for code, text in zip(codes, HOSTILE, strict=True)})
    assert _import(db, ids, refilled).updated == 6
    stored = _answers(db)
    assert [stored[code][1] for code in codes] == [text + " (again)" for text in HOSTILE]


def test_every_problem_is_listed_and_nothing_is_written(db, ids):
    returned = _fill(_workbook(db, ids), {
        "BUS-SAL-01": ("Partly", ""),  # no explanation
        "BUS-SAL-02": ("Maybe", "Perhaps."),  # no such compliance
        "BUS-SAL-03": ("Planned", "Next year.", "31-02-2027"),  # no such date
        "BUS-MKT-01": ("planned", "Next year."),  # no date at all
        "BUS-MKT-02": ("yes", ""),  # fine on its own
    })
    with pytest.raises(SpreadsheetError) as refused:
        _import(db, ids, returned)
    problems = [str(p) for p in refused.value.problems]
    assert problems == [
        "row 8 (BUS-SAL-03): '31-02-2027' is not a date; write it as 2027-03-31",
        "row 6 (BUS-SAL-01): Explain your answer: an explanation is required unless the "
        "answer is yes.",
        "row 7 (BUS-SAL-02): Choose yes, partly, no, planned or via a third party.",
        "row 9 (BUS-MKT-01): Give the date by which it is planned.",
    ]
    assert _answers(db) == {}


def test_a_formula_typed_by_the_vendor_is_no_answer(db, ids):
    data = _workbook(db, ids)
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    sheet["F12"], sheet["G12"] = "Partly", '=HYPERLINK("http://x")'  # a formula, no value
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SpreadsheetError) as refused:
        _import(db, ids, buffer.getvalue())
    assert [str(p) for p in refused.value.problems] == [
        "row 12: the formula in G12 has no value; type the text itself"]


def test_a_file_for_another_vendor_or_selection_is_refused(db, ids, example_doc):
    tulips = _fill(_workbook(db, ids, "tulip"), {"BUS-SAL-01": ("yes", "")})
    with pytest.raises(SpreadsheetError, match="another vendor"):
        _import(db, ids, tulips, key="northwind")
    with db.transaction() as session:
        other = selection_file.import_selection(session, example_doc)
        selection = session.get(Selection, other)
        from selector.models import Vendor

        vendor = session.scalar(select(Vendor).where(Vendor.selection_id == other,
                                                     Vendor.key == "northwind"))
        elsewhere = vendors.questionnaire_workbook(session, selection, vendor)
    with pytest.raises(SpreadsheetError, match="another selection"):
        _import(db, ids, _fill(elsewhere, {"BUS-SAL-01": ("yes", "")}))
    with pytest.raises(SpreadsheetError, match="not a questionnaire"):
        from openpyxl import Workbook

        buffer = io.BytesIO()
        Workbook().save(buffer)
        _import(db, ids, buffer.getvalue())
    with pytest.raises(SpreadsheetError, match=".xlsx"):
        vendors.read_questionnaire(b"code;compliance\n", "answers.csv")
    assert _answers(db) == {} and _answers(db, "tulip") == {}


def test_the_command_line_invites_writes_and_reads(db, ids, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SELECTOR_BASE_URL", "https://selector.example.org/")
    assert main(["vendors", "invite", str(ids.selection), "polder", "--days", "3"]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"https://selector\.example\.org/portal/[A-Za-z0-9_-]{40,}", link)
    assert main(["vendors", "invite", str(ids.selection), "nobody"]) == 1
    assert "has no vendor 'nobody'" in capsys.readouterr().err
    assert main(["vendors", "invite", str(ids.selection), "polder", "--days", "0"]) == 1
    assert "1 to 365 days" in capsys.readouterr().err

    path = tmp_path / "polder.xlsx"
    assert main(["vendors", "questionnaire", str(ids.selection), "polder", "-o",
                 str(path)]) == 0
    capsys.readouterr()
    path.write_bytes(_fill(path.read_bytes(), {
        "BUS-SAL-01": ("Via a third party", "Through our partner Leadly."),
        "IT-HST-02": ("Planned", "VMware support in Q3.", NEXT_MONTH),
        "BUS-SAL-02": ("no", "=HYPERLINK(\"http://x\")")}))
    assert main(["vendors", "answers", str(ids.selection), "northwind", str(path)]) == 1
    assert "another vendor" in capsys.readouterr().err
    assert main(["vendors", "answers", str(ids.selection), "polder", str(path)]) == 0
    assert "3 answers given" in capsys.readouterr().out
    assert _answers(db, "polder") == {
        "BUS-SAL-01": ("third_party", "Through our partner Leadly.", None),
        "IT-HST-02": ("planned", "VMware support in Q3.", NEXT_MONTH),
        "BUS-SAL-02": ("no", '=HYPERLINK("http://x")', None)}
    assert isinstance(NEXT_MONTH, date)
