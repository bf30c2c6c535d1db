"""The vendors' side: the example selection in scoring, with IT's structured answers
behind three IT requirements (two of them knock-outs), built through the services."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from selector.models import Selection
from selector.models import Vendor
from selector.services.vendors import AnswerInput
from selector.services.vendors import save_answer
from tests.scoring.conftest import Ids
from tests.scoring.conftest import build_scoring_selection

IT_ANSWERS = [
    {"requirement": "IT-HST-01", "item": "data_location", "value": {"location": "the EU/EEA"}},
    {"requirement": "IT-BRW-01", "item": "browser",
     "value": {"browser": "edge", "device": "desktop", "min_version": 120}},
    {"requirement": "IT-BCK-01", "item": "rpo", "value": {"hours": 24}},
]
KNOCKOUTS = ("IT-HST-01", "IT-BRW-01")  # the example's two knock-outs
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
NEXT_MONTH = date.today() + timedelta(days=30)


@pytest.fixture
def ids(db, example_doc) -> Ids:
    return build_scoring_selection(db, {**example_doc, "it_answers": IT_ANSWERS})


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """Evidence documents go to a temporary instance folder."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("SELECTOR_INSTANCE", str(folder))
    return folder


def selection_and_vendor(session, ids: Ids, key: str = "northwind"):
    return session.get(Selection, ids.selection), session.get(Vendor, ids.vendors[key])


def answer(session, ids: Ids, code: str, compliance: str = "yes", explanation: str = "",
           key: str = "northwind", **given):
    """The vendor's answer to one requirement, saved through the service (its first)."""
    selection, vendor = selection_and_vendor(session, ids, key)
    return save_answer(session, selection, vendor, ids.requirements[code],
                       AnswerInput(compliance, explanation, **given), None,
                       actor_name=f"vendor:{key}")


def answer_all(session, ids: Ids, key: str = "northwind", compliance: str = "yes") -> None:
    """Every requirement of the vendor's questionnaire answered (so that it may submit)."""
    from selector.services.vendors import questionnaire

    selection, vendor = selection_and_vendor(session, ids, key)
    for item in questionnaire(session, selection, vendor):
        if item.answer is None:
            answer(session, ids, item.requirement.code, compliance,
                   "" if compliance == "yes" else "Explained.", key=key)
