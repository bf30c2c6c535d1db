"""Issue 20, items 4 and 6 in the report: each vendor's profile shows its own answers to
the knock-outs and those to wishes that are not a plain "yes"; the appendix lists the
published questions and answers, never who asked; answers hidden until the deadline stay
out; and a selection of 400 wishes with every answer given reports in a fixed number of
queries."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from benchmarks.generate import big_selection
from selector.files.selection_file import validate
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.models.base import utcnow
from selector.services import vendors
from selector.services.reports import selection_report
from selector.services.reports import selection_report_data
from selector.services.selection_file import import_selection
from selector.services.vendors import AnswerInput
from tests.conftest import sql_statements
from tests.report.helpers import normalise


@pytest.fixture
def stored(db, example_doc):
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))


def vendor(session, sid: int, key: str) -> Vendor:
    return session.scalar(select(Vendor).where(Vendor.selection_id == sid, Vendor.key == key))


def give(session, sid: int, key: str, code: str, compliance: str, explanation: str = ""):
    """The vendor's answer through the service, as the portal saves it."""
    requirement = session.scalar(select(Requirement.id).where(
        Requirement.selection_id == sid, Requirement.code == code))
    vendors.save_answer(session, session.get(Selection, sid), vendor(session, sid, key),
                               requirement, AnswerInput(compliance, explanation), None,
                               actor_name=f"vendor:{key}")


def pdf_text(pdf: bytes) -> str:
    return normalise(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def with_answers_and_questions(db, sid: int) -> None:
    with db.transaction() as session:
        give(session, sid, "northwind", "IT-BRW-01", "yes")  # a knock-out: always shown
        give(session, sid, "northwind", "BUS-SAL-01", "partly",
             "Lead <scoring> by import & \"rules\"; =HYPERLINK(\"x\")")
        give(session, sid, "northwind", "BUS-SAL-02", "yes", "Standard.")  # a plain yes
        give(session, sid, "polder", "IT-HST-01", "no", "Hosted in Virginia.")
        selection = session.get(Selection, sid)
        polder = vendor(session, sid, "polder")
        asked = vendors.ask_question(session, selection, polder,
                                     "May the demo use our own test data?",
                                     actor_name="vendor:polder")
        vendors.publish_answer(session, selection, None, asked.id,
                                 "Yes: bring anonymised data.")
        vendors.ask_question(session, selection, polder, "Still waiting for an answer?",
                             actor_name="vendor:polder")


def test_the_profiles_and_the_appendix_show_the_vendors_answers(db, stored):
    with_answers_and_questions(db, stored)
    with db.transaction(write=False) as session:
        rendered = selection_report(session, stored, "en")
    profiles = {p.key: p for p in rendered.report.profiles}
    northwind = [(a.code, a.knockout, a.compliance, a.explanation)
                 for a in profiles["northwind"].answers]
    assert northwind == [
        ("IT-BRW-01", True, "Yes", ""),
        ("BUS-SAL-01", False, "Partly",
         'Lead <scoring> by import & "rules"; =HYPERLINK("x")'),
    ]
    assert [(a.code, a.compliance) for a in profiles["polder"].answers] == [
        ("IT-HST-01", "No")]
    assert profiles["tulip"].answers == ()
    questions = rendered.report.appendix.questions
    assert [(q.question, q.answer) for q in questions] == [
        ("May the demo use our own test data?", "Yes: bring anonymised data.")]
    assert questions[0].date == utcnow().date().isoformat()

    text = pdf_text(rendered.pdf)
    assert normalise("The vendor's own answers Its answers to the knock-outs, and to the "
                     "wishes it does not answer with a plain yes.") in text
    assert normalise("Code Requirement Answer Explanation IT-BRW-01 Works in the two latest "
                     "versions of Edge, Chrome and Firefox Yes – BUS-SAL-01 Lead registration "
                     'with source tracking Partly Lead <scoring> by import & "rules"; '
                     '=HYPERLINK("x") Risks') in text
    assert "Hosted in Virginia." in text and "Standard." not in text
    appendix = text[text.rindex("C. Questions and answers"):]
    assert normalise(
        "C. Questions and answers The vendors' questions and the answers, as published to "
        "every invited vendor at once, without naming who asked. Question Answer Published "
        "May the demo use our own test data? Yes: bring anonymised data. "
        + utcnow().date().isoformat()) in appendix
    assert "PolderSuite" not in appendix.split("Selection report")[0]  # never who asked
    assert "Still waiting" not in text


def test_the_dutch_report_words_the_answers_in_dutch(db, stored):
    with_answers_and_questions(db, stored)
    with db.transaction(write=False) as session:
        report, _ranking = selection_report_data(session, stored, "nl")
    polder = next(p for p in report.profiles if p.key == "polder")
    assert [(a.code, a.compliance) for a in polder.answers] == [("IT-HST-01", "Nee")]


def test_answers_hidden_until_the_deadline_stay_out_of_the_report(db, stored):
    with_answers_and_questions(db, stored)
    with db.transaction() as session:
        vendors.set_answers_schedule(session, session.get(Selection, stored), None,
                                    utcnow() + timedelta(days=2), True)
    with db.transaction(write=False) as session:
        report, _ranking = selection_report_data(session, stored)
    assert all(p.answers == () for p in report.profiles)
    # The published questions were published to every vendor: they stay.
    assert len(report.appendix.questions) == 1


def test_a_report_of_400_wishes_with_every_answer_loads_them_in_one_query(db):
    doc = big_selection(wishes=400, vendors=4, members=3)
    codes = [r["code"] for r in doc["requirements"]]
    doc["answers"] = [
        {"vendor": v["key"], "requirement": code,
         "compliance": "partly" if i % 3 == 0 else "yes",
         "explanation": f"Answer {i} of {v['key']}." if i % 3 == 0 else ""}
        for v in doc["vendors"] for i, code in enumerate(codes)]
    with db.transaction() as session:
        sid = import_selection(session, validate(doc))
    with sql_statements(db.engine) as statements, db.transaction(write=False) as session:
        report, _ranking = selection_report_data(session, sid)
    answer_queries = [s for s in statements if "FROM vendor_answers" in s]
    assert len(answer_queries) == 1, answer_queries
    assert len(statements) < 60, len(statements)
    shown = {p.key: len(p.answers) for p in report.profiles}
    # The two knock-outs and every third wish (not a plain yes).
    assert shown == {v["key"]: 2 + len(range(0, 400, 3)) for v in doc["vendors"]}
