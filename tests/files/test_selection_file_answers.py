"""The selection file's `answers` (formats.md): the vendors' own answers, validated, and
carried through import and export unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from selector.files.selection_file import SelectionFileError
from selector.files.selection_file import canonical
from selector.files.selection_file import validate

EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "data" / "crm-selection.json").read_text(encoding="utf-8"))
ANSWERS = [
    {"vendor": "tulip", "requirement": "IT-BRW-01", "compliance": "no",
     "explanation": '=HYPERLINK("http://x") <script>'},
    {"vendor": "northwind", "requirement": "BUS-SAL-01", "compliance": "yes",
     "explanation": ""},
    {"vendor": "northwind", "requirement": "IT-HST-02", "compliance": "planned",
     "explanation": "+31 20 123: VMware in Q3"},
    {"vendor": "polder", "requirement": "BUS-SAL-01", "compliance": "third_party",
     "explanation": "@partner"},
]


def _with(answers: list[dict[str, Any]]) -> dict[str, Any]:
    return {**copy.deepcopy(EXAMPLE), "answers": answers}


def _problems(doc) -> list[str]:
    with pytest.raises(SelectionFileError) as refused:
        validate(doc)
    return refused.value.problems


def test_answers_pass_and_default_their_explanation():
    doc = validate(_with([*ANSWERS, {"vendor": "polder", "requirement": "BUS-SAL-02",
                                     "compliance": "yes"}]))
    assert doc["answers"][-1] == {"vendor": "polder", "requirement": "BUS-SAL-02",
                                  "compliance": "yes", "explanation": ""}
    assert validate(copy.deepcopy(EXAMPLE))["answers"] == []  # absent: none


def test_every_broken_answer_is_named():
    problems = _problems(_with([
        {"vendor": "tulip", "requirement": "IT-BRW-01", "compliance": "maybe",
         "explanation": "x"},
        {"vendor": "tulip", "requirement": "IT-HST-01", "compliance": "partly",
         "explanation": "   "},
        {"vendor": "tulip", "requirement": "IT-HST-02", "compliance": "no"},
        {"vendor": "acme", "requirement": "NOPE-01", "compliance": "yes"},
        {"vendor": "tulip", "requirement": "IT-HST-01", "compliance": "yes", "extra": 1},
        {"vendor": "tulip", "requirement": "IT-STD-01", "compliance": "partly",
         "explanation": "x" * 5001},
    ]))
    assert problems == [  # each entry's keys first, then how the entries fit together
        "answers[0].compliance: 'maybe' is not one of: yes, partly, no, planned, third_party",
        "answers[4].extra: unknown key",
        "answers[5].explanation: 5001 characters, more than the 5000 allowed",
        "answers[1].explanation: must not be empty when compliance is 'partly'",
        "answers[2].explanation: must not be empty when compliance is 'no'",
        "answers[3].vendor: unknown vendor 'acme'",
        "answers[3].requirement: unknown requirement 'NOPE-01'",
        "answers[4]: a second answer of vendor 'tulip' to requirement 'IT-HST-01' "
        "(also answers[1])",
    ]


def test_import_then_export_keeps_the_answers_literally(db):
    from selector.services.selection_file import export_selection
    from selector.services.selection_file import import_selection

    doc = _with(ANSWERS)
    with db.transaction() as session:
        selection_id = import_selection(session, validate(copy.deepcopy(doc)))
    with db.transaction(write=False) as session:
        exported = export_selection(session, selection_id)
    assert exported["answers"] == sorted(ANSWERS, key=lambda a: (a["vendor"],
                                                                 a["requirement"]))
    assert canonical(validate(exported)) == canonical(validate(doc))
    with db.transaction(write=False) as session:  # a selection without answers: no key
        assert "answers" not in export_selection(
            session, import_selection(session, validate(copy.deepcopy(EXAMPLE))))
