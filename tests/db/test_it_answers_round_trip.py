"""IT's structured answers travel in the selection file: export → import → export keeps
them, the imported selection's IT page shows them again, and a bad answer in a file is
refused whole."""

from __future__ import annotations

import json

from sqlalchemy import select

from selector.files.selection_file import canonical
from selector.files.selection_file import parse_selection_json
from selector.files.selection_file import validate
from selector.models import Requirement
from selector.services import requirements as requirement_service
from selector.services.selection_file import export_selection
from selector.services.selection_file import import_selection
from tests.cli.test_cli import selector
from tests.requirements.conftest import INGRID
from tests.requirements.conftest import acting
from tests.requirements.conftest import build_world
from tests.requirements.test_it_structured import ANSWERS


def _export(db, selection_id: int) -> dict:
    with db.transaction(write=False) as session:
        return json.loads(json.dumps(export_selection(session, selection_id)))


def _structured(db, selection_id: int) -> dict[str, dict]:
    with db.transaction(write=False) as session:
        return {code: json.loads(structured) for code, structured in session.execute(
            select(Requirement.code, Requirement.structured).where(
                Requirement.selection_id == selection_id,
                Requirement.structured.is_not(None)))}


def test_export_import_export_keeps_the_answers(db):
    world = build_world(db)
    with acting(db, world, INGRID) as (session, selection, account, role):
        requirement_service.save_it_answers(session, selection, account, role, ANSWERS)
    first = _export(db, world.selection)
    assert len(first["it_answers"]) == len(ANSWERS)
    rpo = next(a for a in first["it_answers"] if a["item"] == "rpo")
    assert rpo == {"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 4}}
    first["selection"]["name"] = "The copy"
    with db.transaction() as session:
        copy_id = import_selection(session, validate(first))
    second = _export(db, copy_id)
    assert second["it_answers"] == first["it_answers"]
    assert canonical(second) == canonical(first)
    # The copy's requirements hold the same answers, so its IT page fills in again.
    assert _structured(db, copy_id) == _structured(db, world.selection)
    with db.transaction(write=False) as session:
        table = requirement_service.it_answer_table(session, copy_id)
    assert [row["code"] for row in table["backup"]] == [
        "IT-BCK-04", "IT-BCK-03", "IT-BCK-01", "IT-BCK-02"]


def test_a_selection_without_answers_exports_no_it_answers(db, example_doc):
    with db.transaction() as session:
        selection_id = import_selection(session, validate(example_doc))
    exported = _export(db, selection_id)
    assert "it_answers" not in exported
    assert _structured(db, selection_id) == {}
    assert canonical(parse_selection_json(json.dumps(exported))) == canonical(example_doc)


def test_a_bad_answer_in_a_file_is_refused_and_nothing_is_written(
        tmp_path, database_url, example_doc):
    example_doc["it_answers"] = [
        {"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 24}},
        {"requirement": "IT-BCK-02", "item": "rto", "value": {"hours": 0}},
    ]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(example_doc), encoding="utf-8")
    result = selector("import", str(path), env_url=database_url)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"selector: {path}: it_answers[1].value.hours: must be more than 0 and at most 8760, "
        "got 0"]
    listed = selector("list", "--json", env_url=database_url)
    assert json.loads(listed.stdout) == []
    example_doc["it_answers"][1]["value"]["hours"] = 8
    path.write_text(json.dumps(example_doc), encoding="utf-8")
    assert selector("import", str(path), env_url=database_url).returncode == 0
