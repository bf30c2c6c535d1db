"""The mapping step of a committee's own requirement file on the web (issue 19, items 1
and 6): the app's guess shown, choices changed and checked again, every problem listed
with the import refused and nothing written, a confirmed import with what it wrote,
and another sheet of the file chosen. The workbooks are those of
tests/requirements/test_own_files.py."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Category
from tests.requirements.test_own_files import RATIONALE
from tests.requirements.test_own_files import helper_sheets_workbook
from tests.requirements.test_own_files import requirements
from tests.requirements.test_own_files import tender_workbook
from tests.trust.access_world import add_field
from tests.trust.access_world import parse_forms
from tests.web.summaries import problem_summary
from tests.web.test_requirements_pages import as_member
from tests.web.test_requirements_pages import base
from tests.web.test_requirements_pages import count


def upload(browser, committee, data: bytes, name: str):
    return browser.post(f"{base(committee)}/import", {"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def fields_of(response) -> dict[str, object]:
    """What the mapping step's form would send as the page shows it."""
    page = response.get_data(as_text=True)
    found = [fields for action, fields in parse_forms("", page) if action.endswith("/check")]
    assert len(found) == 1, page[:3000]
    data: dict[str, object] = {}
    for name, kind, value in found[0]:
        if kind == "options" or kind.endswith("-unchecked") or name == "csrf_token":
            continue
        add_field(data, name, value)
    return data


def entry(data: dict, group: str, key: str, value: str, field: str) -> str:
    """The name of `field` in the entry of `group` whose `key` is `value`
    (`columns-4-target` for the column with letter E)."""
    for name, posted in data.items():
        match = re.fullmatch(rf"{group}-(\d+)-{key}", name)
        if match and posted == value:
            return f"{group}-{match.group(1)}-{field}"
    raise AssertionError(f"no {group} entry with {key}={value!r} in {sorted(data)}")


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def selected(response, name: str) -> str:
    """The chosen option of the select `name`."""
    page = response.get_data(as_text=True)
    block = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert block, name
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                       block.group(1))
    assert chosen, block.group(1)
    value = chosen.group(1) if chosen.group(1) is not None else chosen.group(2)
    return html.unescape(value)


def stored(dbs, committee) -> dict[str, dict]:
    return requirements(dbs, committee.selection_id)


def snapshot(dbs, committee) -> tuple:
    """What an import could change: requirements, categories and audit entries."""
    with dbs.transaction(write=False) as session:
        return (sorted(stored(dbs, committee).items()),
                sorted(session.execute(select(Category.name, Category.domain).where(
                    Category.selection_id == committee.selection_id)).all()),
                session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)))


def stash_files(app) -> list[str]:
    folder = Path(app.instance_path) / "uploads" / "requirements"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_guess_is_shown_with_every_problem_and_the_import_refused(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    before = snapshot(dbs, committee)
    page = upload(fenna, committee, tender_workbook(), "pve.xlsx")
    assert page.status_code == 200
    shown = text(page)
    assert "Preview of pve.xlsx" in shown
    assert "The column names are on row 4." in shown
    data = fields_of(page)
    # Per column: its header, samples, the field it goes to and how that was found.
    assert [(data[f"columns-{i}-letter"], selected(page, f"columns-{i}-target"))
            for i in range(9)] == [
        ("A", "code"), ("B", "category"), ("C", "title"), ("D", "description"),
        ("E", "priority"), ("F", "rationale"), ("G", "describe"), ("H", "owner_group"),
        ("I", "ignore")]
    assert re.search(r"E</span> Eis/Wens</th> <td class=\"maptable__samples\">"
                     r"<span class=\"maptable__sample\">Eis</span>", shown)
    assert "Klantregistratie" in shown and "by its name" in shown and "not recognised" in shown
    # The labels with their rows, the new categories with their guessed domains, the
    # merge offer taken.
    assert selected(page, entry(data, "labels", "value", "Eis", "choice")) == "knockout"
    assert selected(page, entry(data, "labels", "value", "Wens", "choice")) == "should"
    assert re.search(r"“Eis”</th> <td class=\"num\">3 rows</td>", shown)
    assert selected(page, entry(data, "categories", "category", "Relatiebeheer", "domain")) \
        == "business"
    assert "guessed from the functional/non-functional column: Business" in shown
    # Rows with a problem are left out of the plan, their category ("Beveiliging") too.
    assert "categories-1-category" not in data
    assert data["merge"] == "Relatiebeheer wensen"
    # Every problem, grouped: two knock-outs without a reason of their own.
    assert "2 problems" in shown
    assert re.search(r"Knock-outs without a rationale <span[^>]*>2</span>", shown)
    assert "row 8, knockout_rationale: a knock-out needs a rationale" in shown
    assert "row 9, knockout_rationale: a knock-out needs a rationale" in shown
    assert re.search(r'<button type="submit" class="button button--primary" formaction="[^"]*'
                     r'/import/commit" disabled', page.get_data(as_text=True))
    assert "Ignored columns: Score leverancier." in shown
    assert "1 row holds nothing but a code and is skipped." in shown

    # Confirming anyway is refused, and nothing is written; the upload stays for the
    # next check.
    refused = fenna.post(f"{base(committee)}/import/commit", data)
    assert refused.status_code == 422
    assert "Nothing was imported: the problems below must be solved first." in text(refused)
    assert "row 9, knockout_rationale: a knock-out needs a rationale" in text(refused)
    assert snapshot(dbs, committee) == before
    assert len(stash_files(app)) == 1


def test_a_changed_mapping_is_checked_again_then_imported(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    data = fields_of(upload(fenna, committee, tender_workbook(), "pve.xlsx"))
    data[entry(data, "columns", "letter", "G", "target")] = "ignore"  # Opmerking
    data[entry(data, "labels", "value", "Wens", "choice")] = "could"
    data[entry(data, "categories", "category", "Relatiebeheer", "domain")] = "it"
    data["knockout_rationale"] = RATIONALE
    checked = fenna.post(f"{base(committee)}/import/check", data)
    assert checked.status_code == 200
    shown = text(checked)
    assert "problems" not in shown.split("What the import does")[0].split("Import these")[1]
    assert "5 new, 0 changed, 0 unchanged." in shown
    assert "Ignored columns: Opmerking, Score leverancier." in shown
    assert re.search(r"G</span> Opmerking</th>.*?your choice", shown)
    assert selected(checked, "columns-6-target") == "ignore"
    again = fields_of(checked)
    assert selected(checked, entry(again, "labels", "value", "Wens", "choice")) == "could"
    assert re.search(r'formaction="[^"]*/import/commit">', checked.get_data(as_text=True))
    # Now that the knock-outs have a rationale, their category is offered too, its
    # domain guessed from the F/NF column.
    assert selected(checked, entry(again, "categories", "category", "Beveiliging",
                                   "domain")) == "it"
    assert "guessed from the functional/non-functional column: IT" in shown
    assert count(dbs) == 0

    done = fenna.post(f"{base(committee)}/import/commit", again)
    assert done.status_code == 302
    after = fenna.get(done.headers["Location"])
    assert "2 categories were created." in text(after)
    assert "Imported: 5 new, 0 updated, 0 unchanged." in text(after)
    rows = stored(dbs, committee)
    assert sorted(rows) == ["1", "12a", "2", "3", "4"]
    assert {code: (r["category"], r["priority"], r["knockout"]) for code, r in rows.items()} == {
        "1": ("Relatiebeheer", "must", True), "2": ("Relatiebeheer", "could", False),
        "3": ("Relatiebeheer", "could", False), "12a": ("Beveiliging", "must", True),
        "4": ("Beveiliging", "must", True)}
    assert rows["2"]["description"] == "Alle contactmomenten per klant zichtbaar."
    assert rows["12a"]["knockout_rationale"] == RATIONALE
    assert rows["1"]["knockout_rationale"] == "Wettelijke plicht (Archiefwet)"
    assert {r["status"] for r in rows.values()} == {"proposed"}
    with dbs.transaction(write=False) as session:
        domains = dict(session.execute(select(Category.name, Category.domain).where(
            Category.selection_id == committee.selection_id)).all())
        audited = session.scalar(select(AuditEntry.id).where(
            AuditEntry.selection_id == committee.selection_id,
            AuditEntry.entity == "requirement").limit(1))
    assert (domains["Relatiebeheer"], domains["Beveiliging"]) == ("it", "it")
    assert audited is not None
    assert stash_files(app) == []


def test_choices_changed_after_the_check_are_shown_again_not_imported(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    data = fields_of(upload(fenna, committee, tender_workbook(), "pve.xlsx"))
    data["knockout_rationale"] = RATIONALE
    checked = fields_of(fenna.post(f"{base(committee)}/import/check", data))
    checked[entry(checked, "labels", "value", "Wens", "choice")] = "wont"  # not checked
    stale = fenna.post(f"{base(committee)}/import/commit", checked)
    assert stale.status_code == 409
    assert "The choices changed after the last check." in text(stale)
    assert count(dbs) == 0
    done = fenna.post(f"{base(committee)}/import/commit", fields_of(stale))
    assert done.status_code == 302
    assert {r["priority"] for code, r in stored(dbs, committee).items()
            if code in ("2", "3")} == {"wont"}


def test_accepting_every_row_needs_its_reason(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    data = fields_of(upload(fenna, committee, tender_workbook(), "pve.xlsx"))
    data |= {"knockout_rationale": RATIONALE, "accept": "y", "accept_reason": " "}
    refused = fenna.post(f"{base(committee)}/import/check", data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert re.search(r'id="accept_reason-error">Give the reason for accepting every row.',
                     page)
    # Issue 22, item 6: the count at the top of the form, linking to the field.
    summary = problem_summary(page)
    assert "There is 1 problem." in summary and 'href="#accept_reason"' in summary
    assert page.index('id="error-summary"') < page.index('id="accept_reason"')
    data["accept_reason"] = "Programma vastgesteld door de stuurgroep."
    checked = fields_of(fenna.post(f"{base(committee)}/import/check", data))
    assert fenna.post(f"{base(committee)}/import/commit", checked).status_code == 302
    assert {(r["status"], r["status_reason"]) for r in stored(dbs, committee).values()} == {
        ("accepted", "Programma vastgesteld door de stuurgroep.")}


def test_two_columns_mapped_to_one_field_keep_the_step_open(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    data = fields_of(upload(fenna, committee, tender_workbook(), "pve.xlsx"))
    data[entry(data, "columns", "letter", "D", "target")] = "title"
    data[entry(data, "columns", "letter", "C", "target")] = "description"
    data[entry(data, "columns", "letter", "G", "target")] = "description"
    checked = fenna.post(f"{base(committee)}/import/check", data)
    assert checked.status_code == 200
    shown = text(checked)
    assert ("The columns 'Functionaliteit' and 'Opmerking' are both mapped to description; "
            "map one of them to another field, to describe or to ignore.") in shown
    # The columns stay, as chosen, to be mapped again; nothing can be imported.
    assert selected(checked, "columns-6-target") == "description"
    assert re.search(r'/import/commit" disabled', checked.get_data(as_text=True))
    assert fenna.post(f"{base(committee)}/import/commit", data).status_code == 422
    assert count(dbs) == 0


def test_another_sheet_is_chosen(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    page = upload(fenna, committee, helper_sheets_workbook(), "book.xlsx")
    assert page.status_code == 200
    assert selected(page, "sheet") == "Eisen"
    assert re.findall(r'<option (?:selected )?value="([^"]*)"', re.search(
        r'<select[^>]*name="sheet".*?</select>', page.get_data(as_text=True), re.S).group(0)) \
        == ["Toelichting", "Lijsten", "Eisen", "Oud"]
    assert "Pijplijn per verkoper" in text(page)
    data = fields_of(page)
    data["sheet"] = "Oud"  # the choices made on "Eisen" do not carry over
    other = fenna.post(f"{base(committee)}/import/check", data)
    assert other.status_code == 200
    assert selected(other, "sheet") == "Oud"
    assert "Oude eis" in text(other) and "Pijplijn per verkoper" not in text(other)
    assert [selected(other, f"columns-{i}-target") for i in range(3)] == [
        "category", "title", "priority"]
    assert selected(other, entry(fields_of(other), "labels", "value", "Kan", "choice")) \
        == "could"
    # A sheet without a header row says so, and the step stays open.
    lists = fenna.post(f"{base(committee)}/import/check", {**data, "sheet": "Lijsten"})
    assert lists.status_code == 200
    assert "No row of the sheet 'Lijsten' names the columns." in text(lists)
    assert selected(lists, "sheet") == "Lijsten"
    done = fenna.post(f"{base(committee)}/import/commit", fields_of(other))
    assert done.status_code == 302
    assert [(r["title"], r["priority"]) for r in stored(dbs, committee).values()] == [
        ("Oude eis", "could")]


def test_only_the_facilitator_maps_and_imports(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    data = fields_of(upload(fenna, committee, tender_workbook(), "pve.xlsx"))
    bram = as_member(app, committee, "business")
    for step in ("check", "commit"):
        assert bram.post(f"{base(committee)}/import/{step}", data).status_code == 403
    assert count(dbs) == 0


def test_a_label_the_app_does_not_know_is_mapped_on_the_page(app, dbs, committee):
    fenna = as_member(app, committee, "facilitator")
    page = upload(fenna, committee, b"category,title,priority\nsales,Pipeline,hoog\n"
                  b"sales,Forecast,laag\nsales,Quotes,hoog\n", "list.csv")
    assert page.status_code == 200
    shown = text(page)
    assert "3 problems" in shown
    assert re.search(r"Priority labels that are not mapped <span[^>]*>3</span>", shown)
    for row, label in ((2, "hoog"), (3, "laag"), (4, "hoog")):
        assert (f"row {row}, priority: '{label}' is not a priority label this import knows"
                in shown)
    data = fields_of(page)
    assert selected(page, entry(data, "labels", "value", "hoog", "choice")) == ""
    data[entry(data, "labels", "value", "hoog", "choice")] = "must"
    data[entry(data, "labels", "value", "laag", "choice")] = "could"
    checked = fenna.post(f"{base(committee)}/import/check", data)
    assert "3 new, 0 changed, 0 unchanged." in text(checked)
    assert fenna.post(f"{base(committee)}/import/commit", fields_of(checked)).status_code == 302
    assert sorted((r["title"], r["priority"]) for r in stored(dbs, committee).values()) == [
        ("Forecast", "could"), ("Pipeline", "must"), ("Quotes", "must")]
