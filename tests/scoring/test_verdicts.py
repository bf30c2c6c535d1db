"""Knock-out verdicts: who records them, when, the evidence documents (checked by content,
size-limited, stored outside the web root), and what a failed verdict does to the ranking."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.domain import method
from selector.models import Attachment
from selector.models import Selection
from selector.models import Verdict
from selector.services import selection_file
from selector.services import selections
from selector.services import verdicts
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.loader import load_selection
from selector.services.scoring import exclusions
from selector.services.scoring import knockout_board
from tests.scoring.conftest import build_scoring_selection
from tests.scoring.helpers import actor
from tests.scoring.helpers import audit_entries

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def record(db, ids, email, code="IT-BRW-01", vendor="tulip", passed=False,
           evidence="Needs IE mode.", version=None, upload=None):
    with db.transaction() as s:
        selection, membership, account = actor(s, ids, email)
        saved = verdicts.record_verdict(
            s, selection, membership, account, vendor_id=ids.vendors[vendor],
            requirement_id=ids.requirements[code], passed=passed, evidence=evidence,
            version=version, upload=upload)
        return saved.verdict.version, saved.attachment.id if saved.attachment else None


def verdict_count(db):
    with db.transaction(write=False) as s:
        return (s.scalar(select(func.count()).select_from(Verdict)),
                s.scalar(select(func.count()).select_from(Attachment)))


def test_a_failed_verdict_excludes_the_vendor_at_once(db, ids):
    with db.transaction(write=False) as s:
        before = method.rank(load_selection(s, ids.selection))
    assert not any(v["excluded"] for v in before["vendors"])
    record(db, ids, "ingrid@example.org", passed=False,
           evidence="The planning module needs IE mode.")
    with db.transaction(write=False) as s:
        after = method.rank(load_selection(s, ids.selection))
        reasons = exclusions(s, s.get(Selection, ids.selection))
    tulip = next(v for v in after["vendors"] if v["key"] == "tulip")
    assert tulip["excluded"] is True and tulip["knockouts_failed"] == ["IT-BRW-01"]
    assert after["vendors"][-1]["key"] == "tulip"
    assert [(e.code, e.evidence) for e in reasons[ids.vendors["tulip"]]] == [
        ("IT-BRW-01", "The planning module needs IE mode.")]
    with db.transaction(write=False) as s:
        assert audit_entries(s, "verdict") == [
            {"action": "create", "key": "tulip · IT-BRW-01", "actor": "ingrid@example.org",
             "old": None, "new": {"passed": False,
                                  "evidence": "The planning module needs IE mode."},
             "reason": ""}]


def test_the_owner_group_or_the_facilitator_records_verdicts(db, ids):
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "bram@example.org")  # business; IT-BRW-01 belongs to IT
    assert "owner group" in str(caught.value.message)
    assert verdict_count(db) == (0, 0)
    assert record(db, ids, "fenna@example.org", passed=True, evidence="Tested.")[0] == 1


def test_verdicts_only_on_knockouts_and_with_evidence(db, ids):
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "ingrid@example.org", code="IT-STD-01")
    assert "not a knock-out" in str(caught.value.message)
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "ingrid@example.org", evidence="  ")
    assert caught.value.field == "evidence"
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "ingrid@example.org", passed="no")
    assert caught.value.field == "passed"
    assert verdict_count(db) == (0, 0)


def test_verdicts_are_recorded_in_scoring_and_decision_only(db, example_doc):
    ids = build_scoring_selection(db, example_doc, phase="weighting")
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "ingrid@example.org")
    assert "during scoring" in str(caught.value.message)
    assert verdict_count(db) == (0, 0)
    decided = build_scoring_selection(db, example_doc, phase="decision")
    assert record(db, decided, "ingrid@example.org")[0] == 1


def test_changing_a_verdict_needs_the_current_version(db, ids):
    record(db, ids, "ingrid@example.org", passed=True, evidence="Works in Edge.")
    with pytest.raises(Conflict):
        record(db, ids, "fenna@example.org", passed=False, evidence="No", version=None)
    assert record(db, ids, "fenna@example.org", passed=False, evidence="Fails in Firefox.",
                  version=1)[0] == 2
    with pytest.raises(Conflict):  # the other tab still has version 1
        record(db, ids, "ingrid@example.org", passed=True, evidence="Works.", version=1)
    with db.transaction(write=False) as s:
        verdict = s.scalar(select(Verdict))
        assert (verdict.passed, verdict.evidence, verdict.version) == (
            False, "Fails in Firefox.", 2)
        assert audit_entries(s, "verdict")[-1]["old"] == {"passed": True,
                                                          "evidence": "Works in Edge."}


@pytest.mark.parametrize("name,content,content_type", [
    ("annex-b.pdf", PDF, "application/pdf"),
    ("screenshot.PNG", PNG, "image/png"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("no extension", PDF, "application/pdf"),
])
def test_a_document_is_stored_outside_the_web_root(db, ids, instance, name, content,
                                                   content_type):
    _, attachment_id = record(db, ids, "ingrid@example.org",
                              upload=verdicts.Upload(name, content))
    with db.transaction(write=False) as s:
        selection = s.get(Selection, ids.selection)
        attachment, path = verdicts.get_attachment(s, selection, attachment_id)
        assert attachment.content_type == content_type
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert attachment.size == len(content)
        assert path == instance / "attachments" / str(attachment_id)
        assert path.read_bytes() == content
        _, board = knockout_board(s, selection)
    cell = next(c for row in board if row.requirement.code == "IT-BRW-01" for c in row.cells
                if c.vendor.key == "tulip")
    assert [a.id for a in cell.attachments] == [attachment_id]
    with db.transaction(write=False) as s:
        assert audit_entries(s, "verdict")[0]["new"]["document"]["sha256"] == attachment.sha256


@pytest.mark.parametrize("name,content", [
    ("annex.pdf", PNG),  # a PNG named .pdf
    ("annex.pdf", EXE),  # a program named .pdf
    ("setup.exe", PDF),  # a PDF named like a program
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("empty.pdf", b""),
])
def test_a_document_is_judged_by_its_content(db, ids, instance, name, content):
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "ingrid@example.org", upload=verdicts.Upload(name, content))
    assert caught.value.field == "document"
    assert verdict_count(db) == (0, 0)
    assert not (instance / "attachments").exists() or not any(
        (instance / "attachments").iterdir())


def test_a_document_over_the_size_limit_is_refused(db, ids, instance):
    big = PDF + b"0" * (verdicts.MAX_ATTACHMENT - len(PDF) + 1)
    with pytest.raises(ServiceError) as caught:
        record(db, ids, "ingrid@example.org", upload=verdicts.Upload("big.pdf", big))
    assert "10 MB" in str(caught.value.message)
    assert verdict_count(db) == (0, 0)
    exact = big[:-1]
    assert record(db, ids, "ingrid@example.org",
                  upload=verdicts.Upload("big.pdf", exact))[1] is not None


def test_a_document_of_another_selection_is_not_found(db, ids, example_doc, instance):
    _, attachment_id = record(db, ids, "ingrid@example.org",
                              upload=verdicts.Upload("a.pdf", PDF))
    other = build_scoring_selection(db, example_doc)
    with db.transaction(write=False) as s:
        with pytest.raises(NotFound):
            verdicts.get_attachment(s, s.get(Selection, other.selection), attachment_id)


def test_safe_filename_drops_paths_and_takes_the_real_extension():
    assert verdicts.safe_filename("../../etc/passwd.pdf", "application/pdf") == "passwd.pdf"
    assert verdicts.safe_filename('C:\\x\\"evil"\r\n.png', "image/png") == "evil.png"
    assert verdicts.safe_filename("", "image/jpeg") == "evidence.jpg"


def test_the_phase_change_back_keeps_verdicts(db, ids):
    record(db, ids, "ingrid@example.org")
    with db.transaction() as s:
        selection, _, facilitator = actor(s, ids, "fenna@example.org")
        selections.change_phase(s, selection, facilitator, "forward")
    assert verdict_count(db) == (1, 0)


def test_every_verdict_names_who_recorded_it(db, ids, example_doc):
    """Issue 18, item 7g: never "Recorded by , date"."""
    record(db, ids, "ingrid@example.org", passed=True, evidence="Tested.")
    with db.transaction() as s:  # a selection file imported on the command line: no actor
        imported = selection_file.import_selection(s, example_doc)
    with db.transaction(write=False) as s:
        _, rows = knockout_board(s, s.get(Selection, ids.selection))
        by_app = {c.vendor.key: str(c.recorded_by) for r in rows for c in r.cells if c.verdict}
        _, rows = knockout_board(s, s.get(Selection, imported))
        by_file = {str(c.recorded_by) for r in rows for c in r.cells if c.verdict}
    assert by_app == {"tulip": "Ingrid Visser"}
    assert by_file == {"the import of a selection file"}
