"""The mapping of a committee's own requirement list, without a database (issue 19)."""

from __future__ import annotations

import pytest

from selector.domain import requirement_mapping as mapping
from selector.domain.requirement_mapping import MappingOptions
from selector.domain.requirement_mapping import MappingRefused
from selector.domain.requirement_mapping import Sheet
from selector.domain.requirement_mapping import Uncomputed


def sheet(*rows) -> Sheet:
    return Sheet("Eisen", tuple((n, tuple(r)) for n, r in enumerate(rows, start=1) if r))


@pytest.mark.parametrize(("header", "field"), [
    ("Nr.", "code"), ("ID", "code"), ("Eis nummer", "code"), ("Categorie", "category"),
    ("Functionaliteitgroep", "category"), ("Thema", "category"), ("Functionaliteit", "title"),
    ("Eis", "title"), ("Omschrijving", "description"), ("User story", "description"),
    ("Omschrijving van de eis", "description"), ("Eis/Wens", "priority"),
    ("MoSCoW", "priority"), ("Prioriteit (MoSCoW)", "priority"), ("KO", "knockout"),
    ("Reden eis", "rationale"), ("Motivatie", "rationale"), ("Opmerking", "describe"),
    ("Rollen", "describe"), ("F/NF", "owner_group"), ("knockout_rationale", "knockout_rationale"),
    ("Score leverancier", None), ("", None),
])
def test_headers_in_dutch_and_english(header, field):
    assert mapping.guess_by_name(header) == field


@pytest.mark.parametrize(("label", "meaning"), [
    ("Eis", ("must", True)), ("KO", ("must", True)), ("Wens", ("should", False)),
    (" wens ", ("should", False)), ("Must have", ("must", False)), ("M", ("must", False)),
    ("Should Have", ("should", False)), ("Could have", ("could", False)),
    ("Kan", ("could", False)), ("Won't have", ("wont", False)), ("wont", ("wont", False)),
    ("Hoog", None), ("", None),
])
def test_priority_labels(label, meaning):
    assert mapping.priority_of(label) == meaning


def test_text_is_trimmed_and_ids_stay_as_written():
    assert mapping.clean_text(" Klant\u00a0") == "Klant"
    assert mapping.clean_text("regel één  \r\nregel twee ") == "regel één\nregel twee"
    assert [mapping.clean_text(v) for v in (7, 7.0, "12a", 7.5)] == ["7", "7", "12a", "7.5"]
    assert mapping.first_words("kort") == "kort"
    assert mapping.first_words("woord " * 30) == ("woord woord woord woord woord woord woord "
                                                  "woord woord woord woord woord woord…")


def test_the_header_below_title_rows_and_section_rows():
    found = mapping.map_sheet(sheet(
        ("Programma van eisen",), (), ("Nr", "Eis", "Type"), ("Verkoop",),
        (1, "Offertes", "Eis"), ("3", "Service"), (2.0, "Tickets", "Wens"), (3.0,),
        ("Kantoor", None, None)), MappingOptions(knockout_rationale="Nodig"))
    assert found.header_row == 3
    assert [(c.header, c.field, c.source) for c in found.columns] == [
        ("Nr", "code", "name"), ("Eis", "title", "name"), ("Type", "priority", "name")]
    assert found.sections == [(4, "Verkoop"), (6, "Service"), (9, "Kantoor")]
    assert [(r.row, r.values["code"], r.category, r.values["priority"], r.values["knockout"])
            for r in found.rows] == [(5, "1", "Verkoop", "must", True),
                                     (7, "2", "Service", "should", False)]
    assert found.empty_rows == 1 and found.problems == []


def test_a_column_is_guessed_from_its_values_and_unknown_ones_are_ignored():
    found = mapping.map_sheet(sheet(
        ("Onderwerp", "Titel", "Soort", "Kolom X", "Leverancier"),
        ("Sales", "Pijplijn", "Functioneel", "Wens", "ja"),
        ("Sales", "Prognose", "Non-functioneel", "Eis", "nee")),
        MappingOptions(knockout_rationale="Nodig"))
    assert [(c.header, c.field, c.source) for c in found.columns] == [
        ("Onderwerp", "category", "name"), ("Titel", "title", "name"),
        ("Soort", "owner_group", "values"), ("Kolom X", "priority", "values"),
        ("Leverancier", "ignore", "none")]
    assert [r.values["owner_group"] for r in found.rows] == ["business", "it"]
    assert [c.header for c in found.dropped_columns()] == ["Leverancier"]


def test_two_columns_given_one_field_are_refused_and_guesses_never_collide():
    rows = (("Omschrijving", "Toelichting", "Thema", "Eis/Wens"), ("A", "B", "Sales", "Wens"))
    found = mapping.map_sheet(sheet(*rows))
    assert [c.field for c in found.columns] == ["description", "describe", "category",
                                               "priority"]
    with pytest.raises(MappingRefused) as refused:
        mapping.map_sheet(sheet(*rows), MappingOptions(
            columns={"Omschrijving": "description", "b": "description"}))
    assert (refused.value.kind, refused.value.params) == (
        "same_field", {"first": "Omschrijving", "second": "Toelichting",
                       "field": "description"})


def test_every_problem_of_every_row_and_uncomputed_formulas():
    found = mapping.map_sheet(sheet(
        ("Nr", "Categorie", "Eis", "Prioriteit", "Gewicht"),
        (Uncomputed("A2", "=A1+1"), "Sales", "Een", "Wens", None),
        (3, "Sales", "Twee", "Soms", "zwaar"),
        (4, None, "Drie", None, 2)))  # two cells filled: a requirement, no section
    assert [(p.kind, p.row, p.column) for p in found.problems] == [
        ("uncomputed", 2, "Nr"), ("not_weight", 3, "Gewicht"),
        ("unknown_priority", 3, "Prioriteit"), ("no_category", 4, "Categorie"),
        ("no_priority", 4, "Prioriteit")]
    assert found.rows == []


def test_x_wensen_is_offered_to_merge_only_beside_x():
    rows = (("Categorie", "Eis", "Prioriteit"), ("Sales", "A", "Eis"),
            ("Sales wensen", "B", "Wens"), ("Service wensen", "C", "Wens"))
    found = mapping.map_sheet(sheet(*rows), MappingOptions(knockout_rationale="Nodig"))
    assert found.merge_offers == found.merged == [("Sales wensen", "Sales")]
    assert [r.category for r in found.rows] == ["Sales", "Sales", "Service wensen"]
    kept = mapping.map_sheet(sheet(*rows), MappingOptions(knockout_rationale="Nodig",
                                                          merge_categories=()))
    assert kept.merged == [] and [r.category for r in kept.rows][1] == "Sales wensen"


def test_a_sheet_without_a_header_is_refused():
    with pytest.raises(MappingRefused) as refused:
        mapping.choose_sheet([sheet(("Naam", "Adres"), ("A", "B"))])
    assert refused.value.kind == "no_header"
