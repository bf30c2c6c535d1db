"""IT's structured answers in the selection file (`it_answers`): checked against the
catalogue's questions, refused with one sentence naming the place."""

from __future__ import annotations

import copy
import json

import pytest

from selector.files.selection_file import SelectionFileError
from selector.files.selection_file import canonical
from selector.files.selection_file import validate
from tests.conftest import EXAMPLE

BASE = json.loads(EXAMPLE.read_text(encoding="utf-8"))

ANSWERS = [
    {"requirement": "IT-HST-01", "item": "data_location", "value": {"location": "the EU"}},
    {"requirement": "IT-STD-01", "item": "sso", "value": {"protocols": ["oidc", "saml2"]}},
    {"requirement": "IT-BRW-02", "item": "browser",
     "value": {"browser": "safari", "device": "tablet", "min_version": None}},
    {"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 24.0}},
    {"requirement": "IT-BCK-03", "item": "restore_test",
     "value": {"frequency": "yearly", "restored_by": "vendor"}},
]


def with_answers(answers) -> dict:
    doc = copy.deepcopy(BASE)
    doc["it_answers"] = answers
    return doc


def refusal(answers) -> list[str]:
    with pytest.raises(SelectionFileError) as refused:
        validate(with_answers(answers))
    return refused.value.problems


def test_a_file_without_it_answers_reads_as_before():
    assert "it_answers" not in BASE
    assert validate(BASE)["it_answers"] == []
    assert validate(with_answers([]))["it_answers"] == []


def test_answers_are_read_and_normalised_as_the_form_saves_them():
    found = validate(with_answers(ANSWERS))["it_answers"]
    assert found[1]["value"] == {"protocols": ["saml2", "oidc"]}  # the catalogue's order
    assert found[3]["value"] == {"hours": 24} and type(found[3]["value"]["hours"]) is int
    assert found[2]["value"]["min_version"] is None
    shuffled = with_answers(list(reversed(ANSWERS)))
    assert canonical(shuffled) == canonical(with_answers(ANSWERS))


@pytest.mark.parametrize("answer, problem", [
    ({"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": -4}},
     "it_answers[0].value.hours: must be more than 0 and at most 8760, got -4"),
    ({"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": "4"}},
     "it_answers[0].value.hours: expected a number, got '4'"),
    ({"requirement": "IT-BCK-01", "item": "retention", "value": {"days": 1.5}},
     "it_answers[0].value.days: expected an integer, got 1.5"),
    ({"requirement": "IT-BRW-01", "item": "browser",
      "value": {"browser": "netscape", "device": "desktop", "min_version": 4}},
     "it_answers[0].value.browser: 'netscape' is not one of: chrome, edge, firefox, safari, "
     "samsung"),
    ({"requirement": "IT-BRW-01", "item": "browser",
      "value": {"browser": "edge", "device": "desktop", "min_version": "latest"}},
     "it_answers[0].value.min_version: expected an integer or null, got 'latest'"),
    ({"requirement": "IT-HST-02", "item": "deployment_model", "value": {"models": []}},
     "it_answers[0].value.models: choose at least one of: saas, private_cloud, on_premises"),
    ({"requirement": "IT-HST-01", "item": "data_location", "value": {"location": "  "}},
     "it_answers[0].value.location: must not be empty"),
    ({"requirement": "IT-HST-01", "item": "data_location", "value": {"place": "EU"}},
     "it_answers[0].value.place: unknown key"),
    ({"requirement": "IT-BCK-03", "item": "restore_test", "value": {"frequency": "yearly"}},
     "it_answers[0].value.restored_by: required key is missing"),
    ({"requirement": "IT-BCK-01", "item": "rpo", "value": [24]},
     "it_answers[0].value: expected an object, got a list"),
    ({"requirement": "IT-BCK-01", "item": "uptime", "value": {}},
     "it_answers[0].item: 'uptime' is not one of: deployment_model, data_location, platform, "
     "sso, api, accessibility, norm, browser, rpo, rto, retention, restore_test"),
    ({"requirement": "IT-BCK-09", "item": "rpo", "value": {"hours": 4}},
     "it_answers[0].requirement: unknown requirement 'IT-BCK-09'"),
    ({"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 4}, "slot": "x"},
     "it_answers[0].slot: unknown key"),
])
def test_a_bad_answer_is_refused_in_one_sentence(answer, problem):
    assert refusal([answer]) == [problem]


def test_one_answer_per_requirement_and_per_question():
    rpo = {"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 4}}
    assert refusal([rpo, {**rpo, "item": "rto"}]) == [
        "it_answers[1].requirement: a second answer for requirement 'IT-BCK-01' "
        "(also it_answers[0])"]
    assert refusal([rpo, {**rpo, "requirement": "IT-BCK-02"}]) == [
        "it_answers[1]: a second answer to the same question (backup.rpo) (also it_answers[0])"]
    edge = {"browser": "edge", "device": "desktop", "min_version": None}
    assert validate(with_answers([  # two browsers are two questions' worth of rows
        {"requirement": "IT-BRW-01", "item": "browser", "value": edge},
        {"requirement": "IT-BRW-02", "item": "browser", "value": {**edge, "device": "tablet"}},
    ]))["it_answers"][1]["value"]["device"] == "tablet"
