"""Issue 19: a committee's own requirement list goes in as it is. Workbooks of several
layouts (formula IDs with saved values, Eis/Wens, a header below title rows, section
rows, "X wensen" groups, merged cells, helper sheets, Excel's Dutch CSV, Word), each
imported with no edit to the file, on SQLite and PostgreSQL; and files that are refused
with one sentence while the database stays as it was."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import select

from selector.cli.main import main as cli
from selector.models import AuditEntry
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.services import memberships
from selector.services import spreadsheets
from selector.services.spreadsheets import ImportOptions
from selector.services.spreadsheets import SpreadsheetError
from tests.requirements.conftest import FENNA
from tests.requirements.conftest import ROLES
from tests.requirements.conftest import state

RATIONALE = "A vendor that cannot do this cannot serve the committee."


def saved(workbook: Workbook, values: dict[str, dict[str, object]] | None = None) -> bytes:
    """The workbook's bytes, with the values a spreadsheet program saves beside its
    formulas (openpyxl writes none): `values` maps a sheet title to {cell: value}."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not values:
        return buffer.getvalue()
    paths = {sheet.title: f"xl/worksheets/sheet{n}.xml"
             for n, sheet in enumerate(workbook.worksheets, start=1)}
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            for title, cells in values.items():
                if item.filename == paths[title]:
                    text = part.decode()
                    for ref, value in cells.items():
                        text, found = re.subn(
                            rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v></v>', rf"\g<1><v>{value}</v>",
                            text)
                        assert found == 1, ref
                    part = text.encode()
            target.writestr(item, part)
    return out.getvalue()


def import_file(db, selection_id, data, filename, **options):
    with db.transaction() as session:
        selection = session.get(Selection, selection_id)
        account = session.scalar(select(memberships.Account).where(
            memberships.Account.email == FENNA))
        sheets = spreadsheets.read_workbook(data, filename)
        return spreadsheets.commit_import(session, selection, account, ROLES[FENNA], sheets,
                                          filename, ImportOptions(**options))


def plan_file(db, selection_id, data, filename, **options):
    sheets = spreadsheets.read_workbook(data, filename)
    with db.transaction(write=False) as session:
        return spreadsheets.plan_import(session, session.get(Selection, selection_id), sheets,
                                        ImportOptions(**options))


def requirements(db, selection_id) -> dict[str, dict]:
    """Code -> what was stored, the category by name."""
    with db.transaction(write=False) as session:
        names = dict(session.execute(select(Category.id, Category.name)).all())
        return {r.code: {"category": names[r.category_id], "title": r.title,
                         "description": r.description, "priority": r.priority,
                         "knockout": r.knockout, "knockout_rationale": r.knockout_rationale,
                         "rationale": r.rationale, "status": r.status,
                         "status_reason": r.status_reason, "owner_group": r.owner_group}
                for r in session.scalars(select(Requirement).where(
                    Requirement.selection_id == selection_id))}


def category_domains(db, selection_id) -> dict[str, str]:
    with db.transaction(write=False) as session:
        return dict(session.execute(select(Category.name, Category.domain).where(
            Category.selection_id == selection_id)).all())


# -- the layouts ----------------------------------------------------------------------------

DESCRIPTION_1 = "De oplossing registreert klanten.\nOok prospects en leads — met één klik."


def tender_workbook() -> bytes:
    """A Dutch tender: title rows above the header (row 4), formula IDs (=A5+1) saved
    with their values, "12a", Eis/Wens, a reason column, "Relatiebeheer wensen" beside
    "Relatiebeheer", functional/non-functional, trailing and non-breaking spaces, and
    columns the tool has no use for."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "PvE"
    sheet.append(["Programma van Eisen CRM-systeem Gemeente Voorbeeld"])
    sheet.append([])
    sheet.append(["Versie 2.1", None, "Status: definitief"])
    sheet.append(["Nr.", "Categorie", "Functionaliteit", "Omschrijving", "Eis/Wens",
                  "Reden eis", "Opmerking", "F/NF", "Score leverancier"])
    sheet.append([1, "Relatiebeheer ", "Klantregistratie", DESCRIPTION_1, "Eis",
                  "Wettelijke plicht (Archiefwet)", None, "F", None])
    sheet.append(["=A5+1", "Relatiebeheer\u00a0", "Contacthistorie",
                  "Alle contactmomenten per klant zichtbaar.", "Wens", None,
                  "Zie ook bijlage 3", "F", 4])
    sheet.append(["=A6+1", "Relatiebeheer wensen", "Dubbele klanten samenvoegen",
                  "Dubbele klantkaarten worden gesignaleerd.", "Wens ", None, None, "F", None])
    sheet.append(["12a", "Beveiliging", "Tweefactorauthenticatie",
                  "Inloggen met een tweede factor.", "Eis", None, None, "NF", None])
    sheet.append(["=A7+1", "Beveiliging", None,
                  "Versleuteling van alle gegevens in rust en onderweg, met sleutels die de "
                  "gemeente zelf beheert.", "Eis", None, None, "NF", None])
    sheet.append(["=A9+1"])  # a numbered row nobody filled in
    return saved(workbook, {"PvE": {"A6": 2, "A7": 3, "A9": 4, "A10": 5}})


def test_a_dutch_tender_imports_as_it_is(db, world):
    data = tender_workbook()
    plan = plan_file(db, world.selection, data, "pve.xlsx", create_categories=True,
                     knockout_rationale=RATIONALE)
    assert plan.problems == []
    assert plan.mapping.header_row == 4
    assert [(c.header, c.field) for c in plan.mapping.columns] == [
        ("Nr.", "code"), ("Categorie", "category"), ("Functionaliteit", "title"),
        ("Omschrijving", "description"), ("Eis/Wens", "priority"), ("Reden eis", "rationale"),
        ("Opmerking", "describe"), ("F/NF", "owner_group"), ("Score leverancier", "ignore")]
    assert {(p.label, p.priority, p.knockout, p.rows) for p in plan.mapping.priorities} == {
        ("Eis", "must", True, 3), ("Wens", "should", False, 2)}
    assert plan.mapping.merged == [("Relatiebeheer wensen", "Relatiebeheer")]
    assert plan.mapping.empty_rows == 1
    assert [(c.name, c.domain, c.guessed, c.rows) for c in plan.new_categories] == [
        ("Relatiebeheer", "business", True, 3), ("Beveiliging", "it", True, 2)]
    assert {k: dict(v) for k, v in plan.counts().items()} == {
        "Relatiebeheer": {"must": 1, "should": 2, "knockout": 1},
        "Beveiliging": {"must": 2, "knockout": 2}}

    result = import_file(db, world.selection, data, "pve.xlsx", create_categories=True,
                         knockout_rationale=RATIONALE)
    assert (result.created, result.updated, result.unchanged, result.categories) == (
        5, 0, 0, 2)
    stored = requirements(db, world.selection)
    assert sorted(stored) == ["1", "12a", "2", "3", "4"]
    assert stored["1"] == {
        "category": "Relatiebeheer", "title": "Klantregistratie", "description": DESCRIPTION_1,
        "priority": "must", "knockout": True,
        "knockout_rationale": "Wettelijke plicht (Archiefwet)",
        "rationale": "Wettelijke plicht (Archiefwet)", "status": "proposed",
        "status_reason": "", "owner_group": "business"}
    assert stored["2"]["description"] == ("Alle contactmomenten per klant zichtbaar.\n\n"
                                          "Opmerking: Zie ook bijlage 3")
    assert stored["3"]["category"] == "Relatiebeheer" and stored["3"]["priority"] == "should"
    assert stored["12a"]["knockout_rationale"] == RATIONALE
    assert stored["12a"]["owner_group"] == "it"
    assert stored["4"]["title"] == ("Versleuteling van alle gegevens in rust en onderweg, "
                                    "met sleutels die de…")
    assert category_domains(db, world.selection)["Beveiliging"] == "it"


def test_section_rows_moscow_and_merged_cells(db, world):
    """Header on row 1, no category column: section rows (one cell, merged across the
    row) set the category; MoSCoW words in both languages; the selection's own
    categories are found by name."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Eis", "Toelichting", "MoSCoW"])
    sheet.append(["Sales"])
    sheet.merge_cells("A2:D2")
    sheet.append(["S-1", "Offertes maken", "Vanuit de opportunity.", "Must have"])
    sheet.append(["S-2", "Kortingen", None, "Should have"])
    sheet.append(["Service"])
    sheet.append(["SV-1", "Tickets", "Per e-mail binnengekomen.", "Could have"])
    sheet.append(["SV-2", "Chat", None, "Won't have"])
    sheet.append(["SV-3", "Telefonie", None, "M"])
    result = import_file(db, world.selection, saved(workbook), "moscow.xlsx")
    assert result.created == 5
    stored = requirements(db, world.selection)
    assert {code: (r["category"], r["priority"], r["knockout"]) for code, r in stored.items()} == {
        "S-1": ("Sales & leads", "must", False), "S-2": ("Sales & leads", "should", False),
        "SV-1": ("Customer service", "could", False),
        "SV-2": ("Customer service", "wont", False),
        "SV-3": ("Customer service", "must", False)}
    assert stored["S-1"]["description"] == "Vanuit de opportunity."


def test_an_english_list_with_a_category_merged_over_its_rows(db, world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Requirements list"
    sheet.append(["Category", "Requirement", "Priority", "Knock-out", "Rationale", "Roles"])
    sheet.append(["Marketing", "Segments for campaigns", "Must", "yes", "Core of our work",
                  "Marketing"])
    sheet.append([None, "Opt-in per channel", "should", "no", None, "Marketing, Legal"])
    sheet.append([None, "Campaign costs", "could", None, None, None])
    sheet.merge_cells("A2:A4")
    result = import_file(db, world.selection, saved(workbook), "english.xlsx")
    assert result.created == 3
    stored = sorted(requirements(db, world.selection).values(), key=lambda r: r["title"])
    # "Marketing" is the selection's own category "marketing" (its name differs).
    assert [(r["category"], r["title"], r["priority"], r["knockout"]) for r in stored] == [
        ("Marketing & campaigns", "Campaign costs", "could", False),
        ("Marketing & campaigns", "Opt-in per channel", "should", False),
        ("Marketing & campaigns", "Segments for campaigns", "must", True)]
    assert stored[1]["description"] == "Roles: Marketing, Legal"
    assert stored[2]["knockout_rationale"] == "Core of our work"


def helper_sheets_workbook() -> bytes:
    """Help and a list of labels before the requirements ("Eisen"), an old list after."""
    workbook = Workbook()
    workbook.active.title = "Toelichting"
    workbook.active.append(["Vul per regel één eis in."])
    lists = workbook.create_sheet("Lijsten")
    for word in ("Eis", "Wens"):
        lists.append([word])
    requirements_sheet = workbook.create_sheet("Eisen")
    requirements_sheet.append(["Onderwerp", "Titel", "Prioriteit"])
    requirements_sheet.append(["Sales", "Pijplijn per verkoper", "Wens"])
    other = workbook.create_sheet("Oud")
    other.append(["Onderwerp", "Titel", "Prioriteit"])
    other.append(["Sales", "Oude eis", "Kan"])
    return saved(workbook)


def test_helper_sheets_beside_the_list_and_a_chosen_sheet(db, world):
    data = helper_sheets_workbook()
    plan = plan_file(db, world.selection, data, "book.xlsx")
    assert plan.sheets == ["Toelichting", "Lijsten", "Eisen", "Oud"]
    assert plan.sheet == "Eisen" and plan.count("create") == 1
    assert import_file(db, world.selection, data, "book.xlsx", sheet="oud").created == 1
    assert [r["title"] for r in requirements(db, world.selection).values()] == ["Oude eis"]


def test_excel_dutch_csv(db, world):
    text = ("Eisenlijst CRM;;;;\r\n"
            ";;;;\r\n"
            "Categorie;Eis;Omschrijving;Type;Motivatie\r\n"
            "Sales;Offerte in €;\"De offerte toont bedragen in €.\r\nMet btw-regel.\";Eis;"
            "Aanbesteding vereist het\r\n"
            "Sales wensen;Café-bezoek plannen;Afspraak bij de klant;Wens;\r\n")
    data = text.encode("cp1252")
    result = import_file(db, world.selection, data, "eisen.csv")
    assert result.created == 2
    stored = sorted(requirements(db, world.selection).values(), key=lambda r: r["title"])
    assert [(r["category"], r["title"], r["priority"], r["knockout"]) for r in stored] == [
        ("Sales & leads", "Café-bezoek plannen", "should", False),
        ("Sales & leads", "Offerte in €", "must", True)]
    assert stored[1]["description"] == "De offerte toont bedragen in €.\nMet btw-regel."
    assert stored[1]["knockout_rationale"] == "Aanbesteding vereist het"


def word_document() -> bytes:
    document = docx.Document()
    document.add_heading("Programma van eisen", level=0)
    document.add_paragraph("Dit document beschrijft de eisen.")
    document.add_heading("1 Sales", level=1)
    document.add_paragraph("1.1 Offertes worden vanuit de opportunity gemaakt. (Eis)")
    document.add_paragraph("Met een eigen sjabloon per afdeling.")
    document.add_paragraph("1.2 Kortingen boven 10% vragen goedkeuring. (Wens)")
    document.add_heading("2 Service", level=1)
    document.add_paragraph("2.1 Klantvragen per e-mail worden een ticket. [Could have]")
    document.add_heading("3 Marketing", level=1)
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, (("Nr", "Eis", "Eis/Wens"),
                                        ("3.1", "Segmenten voor campagnes", "Wens"),
                                        ("3.2", "Opt-in per kanaal", "Eis")), strict=False):
        for cell, value in zip(row.cells, values, strict=False):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_document_with_numbered_requirements_and_a_table(db, world):
    data = word_document()
    plan = plan_file(db, world.selection, data, "pve.docx", knockout_rationale=RATIONALE)
    assert plan.sheets == ["numbered paragraphs", "table 1"]
    result = import_file(db, world.selection, data, "pve.docx", knockout_rationale=RATIONALE)
    assert result.created == 3
    stored = requirements(db, world.selection)
    assert stored["1.1"]["category"] == "Sales & leads"
    assert stored["1.1"]["description"] == ("Offertes worden vanuit de opportunity gemaakt.\n"
                                            "Met een eigen sjabloon per afdeling.")
    assert (stored["1.1"]["priority"], stored["1.1"]["knockout"]) == ("must", True)
    assert (stored["1.2"]["priority"], stored["1.2"]["knockout"]) == ("should", False)
    assert (stored["2.1"]["category"], stored["2.1"]["priority"]) == ("Customer service",
                                                                      "could")
    table = import_file(db, world.selection, data, "pve.docx", sheet="table 1",
                        knockout_rationale=RATIONALE)
    assert table.created == 2
    stored = requirements(db, world.selection)
    assert (stored["3.2"]["category"], stored["3.2"]["title"], stored["3.2"]["knockout"]) == (
        "Marketing & campaigns", "Opt-in per kanaal", True)


# -- what the facilitator decides -----------------------------------------------------------


def test_mapping_and_labels_can_be_overridden(db, world):
    text = ("Onderwerp;Titel;Belang;Notitie\n"
            "Sales;Pijplijn;Hoog;intern\n"
            "Sales;Prognose;Laag;\n")
    plan = plan_file(db, world.selection, text.encode(), "list.csv")
    assert [str(p) for p in plan.problems] == [
        "row 2, Belang: 'Hoog' is not a priority label this import knows; map it to must, "
        "should, could, wont or knockout",
        "row 3, Belang: 'Laag' is not a priority label this import knows; map it to must, "
        "should, could, wont or knockout"]
    assert list(plan.problem_groups()) == ["unknown_priority"]
    result = import_file(db, world.selection, text.encode(), "list.csv",
                         columns={"Notitie": "ignore"},
                         priorities={"hoog": "must", "Laag": "could"})
    assert result.created == 2
    stored = {r["title"]: r for r in requirements(db, world.selection).values()}
    assert (stored["Pijplijn"]["priority"], stored["Pijplijn"]["description"]) == ("must", "")
    assert stored["Prognose"]["priority"] == "could"


def test_accept_imports_every_row_as_accepted_with_the_reason_audited(db, world):
    reason = "Programma vastgesteld door de stuurgroep op 3 maart."
    result = import_file(db, world.selection, tender_workbook(), "pve.xlsx",
                         create_categories=True, knockout_rationale=RATIONALE,
                         accept_reason=reason)
    assert result.created == 5
    stored = requirements(db, world.selection)
    assert {(r["status"], r["status_reason"]) for r in stored.values()} == {("accepted", reason)}
    with db.transaction(write=False) as session:
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.selection_id == world.selection, AuditEntry.entity == "requirement")))
    assert len(entries) == 5
    assert all(reason in e.new for e in entries)


def test_reimporting_a_changed_file_updates_by_code_and_shows_the_changes(db, world):
    options = {"create_categories": True, "knockout_rationale": RATIONALE}
    import_file(db, world.selection, tender_workbook(), "pve.xlsx", **options)
    workbook = load_workbook(io.BytesIO(tender_workbook()))
    workbook["PvE"]["C5"] = "Klantregistratie met KvK-nummer"
    workbook["PvE"]["E6"] = "Eis"
    changed = saved(workbook, {"PvE": {"A6": 2, "A7": 3, "A9": 4, "A10": 5}})
    plan = plan_file(db, world.selection, changed, "pve.xlsx", **options)
    assert [(r.values.code, r.action, r.changed) for r in plan.rows if r.action != "unchanged"
            ] == [("1", "update", ["title"]),
                  ("2", "update", ["priority", "knockout", "knockout_rationale"])]
    result = import_file(db, world.selection, changed, "pve.xlsx", **options)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 3)
    assert requirements(db, world.selection)["1"]["title"] == "Klantregistratie met KvK-nummer"


def test_the_tools_own_export_maps_exactly(db, world):
    import_file(db, world.selection, tender_workbook(), "pve.xlsx", create_categories=True,
                knockout_rationale=RATIONALE)
    with db.transaction(write=False) as session:
        exported = spreadsheets.export_requirements(session,
                                                    session.get(Selection, world.selection))
    plan = plan_file(db, world.selection, exported, "export.xlsx")
    assert [(c.header, c.field, c.source) for c in plan.mapping.columns] == [
        (name, name, "name") for name in spreadsheets.COLUMNS]
    assert plan.problems == [] and plan.count("unchanged") == 5


# -- refused, with nothing written ----------------------------------------------------------


def refused(db, world, data, filename, **options) -> list[str]:
    before = state(db, world)
    with pytest.raises(SpreadsheetError) as error:
        import_file(db, world.selection, data, filename, **options)
    assert state(db, world) == before
    return [str(p) for p in error.value.problems]


def ole(encrypted: bool) -> bytes:
    """The start of an OLE compound file, as an encrypted workbook or an old .xls."""
    name = "EncryptionInfo" if encrypted else "Workbook"
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + name.encode("utf-16-le")


def test_bad_files_are_refused_with_one_sentence(db, world):
    assert refused(db, world, ole(True), "pve.xlsx") == [
        "This file is protected with a password. Open it, remove the password, save it and "
        "upload it again."]
    assert refused(db, world, ole(False), "pve.xlsx") == [
        "This is an old Office file (.xls or .doc). Save it as an Excel workbook (.xlsx) or a "
        "Word document (.docx) and upload it again."]
    assert refused(db, world, word_document(), "pve.xlsx") == [
        "This file is not an .xlsx spreadsheet. Save it as an Excel workbook (.xlsx) or as "
        "CSV, and upload it again."]
    assert refused(db, world, b"Naam;Adres\nA;B\n", "list.csv") == [
        "No row of the sheet 'list.csv' names the columns. Put a header row (such as Nr, "
        "Categorie, Eis, Omschrijving, Prioriteit) above the requirements."]
    text = b"Categorie;Omschrijving;Toelichting;Prioriteit\n;Een;Twee;Eis\n;Drie;Vier;Wens\n"
    assert refused(db, world, text, "list.csv",
                   columns={"Omschrijving": "description", "Toelichting": "description"}) == [
        "The columns 'Omschrijving' and 'Toelichting' are both mapped to description; map one "
        "of them to another field, to describe or to ignore."]
    assert refused(db, world, text, "list.csv", knockout_rationale=RATIONALE) == [
        "The category column 'Categorie' is empty on every row; fill it in, or map another "
        "column to category."]
    assert refused(db, world, text, "list.csv", sheet="Eisen") == [
        "The file has no sheet 'Eisen'; its sheets are list.csv."]
    big = "Categorie;Eis;Prioriteit\n" + "Sales;Een eis;Wens\n" * 100_000
    assert refused(db, world, big.encode(), "big.csv") == [
        "The sheet has more than 5000 rows of requirements; split it into smaller files."]


def test_every_problem_of_every_row_uncapped(db, world):
    rows = "".join(f"Onbekend{n};Eis {n};Soms\n" for n in range(80))
    problems = refused(db, world, ("Categorie;Eis;Prioriteit\n" + rows).encode(), "list.csv")
    assert len(problems) == 80  # each row's one problem: the label, not the category yet
    assert problems[79] == ("row 81, Prioriteit: 'Soms' is not a priority label this import "
                            "knows; map it to must, should, could, wont or knockout")
    problems = refused(db, world, ("Categorie;Eis;Prioriteit\n" + rows).encode(), "list.csv",
                       priorities={"soms": "could"})
    assert len(problems) == 80 and problems[0].startswith(
        "row 2, Categorie: unknown category 'Onbekend0'; the categories are sales,")


# -- the command line -----------------------------------------------------------------------


def test_cli_imports_a_tender_workbook_as_it_is(db, world, tmp_path, capsys):
    path = tmp_path / "Programma van eisen.xlsx"
    path.write_bytes(tender_workbook())
    before = state(db, world)
    arguments = ["requirements", "import", str(world.selection), str(path),
                 "--create-categories", "--knockout-rationale", RATIONALE,
                 "--accept", "Vastgesteld door de stuurgroep"]
    assert cli(arguments + ["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "header on row 4" in out
    assert "  E 'Eis/Wens' -> priority (by its name)" in out
    assert "  I 'Score leverancier' -> ignore (not recognised)" in out
    assert "  'Eis' -> must, knock-out (3 rows)" in out
    assert "merged: 'Relatiebeheer wensen' into 'Relatiebeheer'" in out
    assert "new category: 'Beveiliging' (it, from the functional/non-functional column; " \
           "2 rows)" in out
    assert "would give 5 created, 0 updated, 0 unchanged; nothing was written" in out
    assert state(db, world) == before

    assert cli(arguments) == 0
    assert "imported" in capsys.readouterr().out
    stored = requirements(db, world.selection)
    assert sorted(stored) == ["1", "12a", "2", "3", "4"]
    assert stored["1"]["description"] == DESCRIPTION_1  # line breaks and non-ASCII whole
    assert {code: (r["priority"], r["knockout"]) for code, r in stored.items()} == {
        "1": ("must", True), "2": ("should", False), "3": ("should", False),
        "12a": ("must", True), "4": ("must", True)}
    assert {r["status"] for r in stored.values()} == {"accepted"}
    assert {r["status_reason"] for r in stored.values()} == {"Vastgesteld door de stuurgroep"}


def test_cli_writes_nothing_on_a_problem_and_says_every_one(db, world, tmp_path, capsys):
    path = tmp_path / "pve.xlsx"
    path.write_bytes(tender_workbook())
    before = state(db, world)
    # No --create-categories and no rationale: a problem on every row, all of them said.
    assert cli(["requirements", "import", str(world.selection), str(path)]) == 1
    err = capsys.readouterr().err.strip().split("\n")
    assert len(err) == 5
    unknown = "Categorie: unknown category 'Relatiebeheer'; the categories are sales,"
    without = "knockout_rationale: a knock-out needs a rationale; map a reason column"
    expected = [f"row {n}, {unknown}" for n in (5, 6, 7)] + [
        f"row {n}, {without}" for n in (8, 9)]
    prefix = f"selector: {path}: "
    assert [line[len(prefix):len(prefix) + len(want)]
            for line, want in zip(err, expected, strict=True)] == expected
    assert state(db, world) == before
    assert cli(["requirements", "import", str(world.selection), str(path),
                "--map", "Nr.=nothing"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"selector: {path}: 'nothing' is not a field; map a column to one of "
        + ", ".join(spreadsheets.COLUMNS) + ", describe, ignore.")
    assert cli(["requirements", "import", str(world.selection), str(path),
                "--map", "Opmerking"]) == 1
    assert "--map 'Opmerking': write it as 'COLUMN=field'" in capsys.readouterr().err
    assert state(db, world) == before
