"""The report of a stored selection, and sealed final reports."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.files.selection_file import validate
from selector.models import Account
from selector.models import AuditEntry
from selector.models import FinalReport
from selector.models import Score
from selector.models import Selection
from selector.services import audit
from selector.services.errors import ServiceError
from selector.services.reports import current_final_report
from selector.services.reports import final_reports
from selector.services.reports import issue_final_report
from selector.services.reports import process_info
from selector.services.reports import selection_report
from selector.services.selection_file import import_selection
from tests.report.helpers import ExtractedPdf
from tests.report.helpers import normalise
from tests.report.helpers import run_selector


@pytest.fixture
def stored(db, example_doc):
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))


def account(session, email: str) -> Account:
    return session.scalars(select(Account).where(Account.email == email)).one()


def test_the_command_reports_a_stored_selection(stored, tmp_path, database_url):
    output = tmp_path / "stored.pdf"
    result = run_selector("report", "--selection", str(stored), "-o", str(output),
                          env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    pdf = ExtractedPdf(output)
    assert "The selection committee recommends Northwind CRM" in pdf.text
    assert "PolderSuite is excluded because it failed knock-out IT-BRW-01" in pdf.text
    # The database adds the process record that a file lacks.
    assert "imported from a selection file" in pdf.text
    assert "The weights were frozen on" in pdf.text
    assert "selection imported 1" in pdf.text  # the audit summary
    missing = run_selector("report", "--selection", "999", "-o", str(tmp_path / "x.pdf"),
                           env={"DATABASE_URL": database_url})
    assert missing.returncode == 1 and "There is no selection 999." in missing.stderr


def test_file_and_database_give_the_same_winner(db, stored, example_reports):
    with db.transaction(write=False) as session:
        rendered = selection_report(session, stored, "nl")
    from_file = example_reports("nl")
    assert rendered.report.summary.recommended.key == "northwind"
    assert rendered.ranking["vendors"][0]["key"] == "northwind"
    text = normalise(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages))
    assert "De selectiecommissie beveelt aan Northwind CRM" in text
    assert "De selectiecommissie beveelt aan Northwind CRM" in from_file.text


def test_process_info_lists_changes_after_the_freeze(db, stored):
    with db.transaction() as session:
        selection = session.get(Selection, stored)
        facilitator = account(session, "fenna@example.org")
        audit.record(session, selection_id=stored, actor=facilitator,
                     action=AuditAction.UPDATE, entity=AuditEntity.ALLOCATION,
                     entity_key="bram@example.org · sales",
                     old={"points": 10}, new={"points": 12}, reason="typo in the sheet")
        selection.recommendation = "Choose Northwind CRM."
        selection.decision_context = "Support for the old CRM ends in 2027."
    with db.transaction(write=False) as session:
        process = process_info(session, stored)
        rendered = selection_report(session, stored)
    assert process.phase == "decision"
    assert process.phases[0].imported
    assert [c.entity for c in process.changes] == ["allocation"]
    assert process.changes[0].actor_role == "facilitator"
    changes = rendered.report.open_points.changes
    assert len(changes) == 1 and changes[0].reason == "typo in the sheet"
    assert rendered.report.summary.recommendation == "Choose Northwind CRM."
    assert rendered.report.summary.decision_record.context.startswith("Support")


def test_a_final_report_is_sealed_with_its_hash_and_ranking(db, stored):
    with db.transaction() as session:
        facilitator = account(session, "fenna@example.org")
        report = issue_final_report(session, stored, facilitator, "en")
        first_id, first_hash = report.id, report.sha256
        assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
        assert json.loads(report.ranking)["vendors"][0]["key"] == "northwind"
        assert report.issued_by_id == facilitator.id and report.language == "en"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "final_report")
        ).one()
        assert entry.action == "issue" and json.loads(entry.new)["sha256"] == report.sha256
        pages = PdfReader(io.BytesIO(report.pdf)).pages
        text = normalise(" ".join(p.extract_text() for p in pages))
        assert "Final report" in text and "Selection report · Final" in text

    with db.transaction() as session:  # a later change to the selection...
        score = session.scalars(select(Score).where(Score.selection_id == stored)).first()
        score.score = 0 if score.score else 5
        session.get(Selection, stored).name = "Renamed afterwards"
    with db.transaction(write=False) as session:  # ...does not alter the sealed report
        sealed = session.get(FinalReport, first_id)
        assert hashlib.sha256(sealed.pdf).hexdigest() == first_hash
        assert current_final_report(session, stored).id == first_id

    with db.transaction() as session:  # issuing again makes a new current report
        second = issue_final_report(session, stored, None, "nl")
        second_id = second.id
    with db.transaction(write=False) as session:
        assert current_final_report(session, stored).id == second_id
        assert [r.id for r in final_reports(session, stored)] == [second_id, first_id]
        assert session.get(FinalReport, first_id).sha256 == first_hash


def test_only_the_facilitator_issues_and_only_in_the_decision_phase(db, stored):
    with db.transaction() as session:
        business = account(session, "bram@example.org")
        with pytest.raises(ServiceError, match="Only the facilitator"):
            issue_final_report(session, stored, business, "en")
        with pytest.raises(ServiceError, match="Dutch or English"):
            issue_final_report(session, stored, None, "de")
        session.get(Selection, stored).phase = "scoring"
        with pytest.raises(ServiceError, match="decision phase"):
            issue_final_report(session, stored, None, "en")
    with db.transaction(write=False) as session:
        assert current_final_report(session, stored) is None
