"""Issue 18, item 7: a report that is true. Each test reads what a sponsor reads: the
report data, and the PDF's text."""

from __future__ import annotations

import io
import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph
from reportlab.platypus import Table

from selector.domain.method import rank
from selector.domain.ranked import RankedSelection
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.report import labels
from selector.report import pdf
from selector.report.build import build_report_data
from selector.report.chapters.process_and_method import scale_anchors
from selector.report.i18n import report_language
from selector.report.process_record import AuditChange
from selector.report.process_record import ProcessInfo
from tests.report.helpers import EXAMPLE
from tests.report.helpers import normalise

TODAY = date(2026, 11, 23)
FROZEN = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
DISCUSSED = "were discussed before the weights were frozen"


@pytest.fixture(scope="module")
def example():
    doc = validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    selection = selection_from_file(doc)
    return doc, RankedSelection(selection, rank(selection))


def report_of(example, process=None, language="en"):
    doc, ranked = example
    return build_report_data(doc, ranked, process=process, language=language, today=TODAY)


def pdf_text(report) -> str:
    reader = PdfReader(io.BytesIO(pdf.render_pdf(report)))
    return normalise(" ".join(page.extract_text() or "" for page in reader.pages))


# -- a. quotes carry their own authors' score ---------------------------------------------


def test_a_quote_carries_the_score_its_author_gave_not_the_average(example):
    doc, _ = example
    given = {(s["vendor"], s["requirement"], " ".join(s["comment"].split())): s["score"]
             for s in doc["scores"] if s.get("comment")}
    agreed = {(c["vendor"], c["requirement"], " ".join(c["rationale"].split())): c["score"]
              for c in doc["consensus"]}
    report = report_of(example)
    quotes = [(p.key, q) for p in report.profiles for q in p.quotes]
    assert quotes
    for vendor, quote in quotes:
        assert quote.score == {**given, **agreed}[(vendor, quote.code, quote.text)]
    northwind = next(p for p in report.profiles if p.key == "northwind")
    first = northwind.quotes[0]
    assert (first.code, first.text, first.score) == (
        "BUS-CV-01", "Scored 5: see demo notes for BUS-CV-01.", 5)  # the average is 4.0
    text = pdf_text(report)
    assert ("BUS-CV-01 One screen with contacts, cases, orders and campaigns per customer "
            "· score 5 “Scored 5: see demo notes for BUS-CV-01.”") in text
    assert "score 4.0 “Scored 5" not in text


# -- b. a discussion only when one was recorded -------------------------------------------


def test_the_report_claims_a_weighting_discussion_only_when_one_was_recorded(example):
    silent = report_of(example, ProcessInfo(weights_frozen_at=FROZEN))
    assert silent.weights.divergence  # business and IT are 10 points apart twice
    assert silent.weights.divergence_intro == (
        "Business and IT weighed these categories 10 percentage points or more apart:")
    assert DISCUSSED not in pdf_text(silent)
    assert DISCUSSED not in report_of(example).weights.divergence_intro  # from a file

    note = "Discussed on 14 September: marketing weighs less now that the website is ready."
    recorded = report_of(example, ProcessInfo(weights_frozen_at=FROZEN,
                                              final_weights_rationale=note))
    assert DISCUSSED in recorded.weights.divergence_intro
    text = pdf_text(recorded)
    assert "These categories were discussed before the weights were frozen, because" in text
    assert f"The facilitator's note on the weighting discussion: “{note}”" in text


# -- c. changes after the freeze, in words -----------------------------------------------


def change(entity, action, old, new, hours, key="", role="facilitator", reason=""):
    return AuditChange(FROZEN + timedelta(hours=hours), action, entity, key, role,
                       None if old is None else json.dumps(old),
                       None if new is None else json.dumps(new), reason)


def test_changes_after_the_freeze_are_told_in_words_without_the_freeze_itself(example):
    process = ProcessInfo(
        requirements_frozen_at=FROZEN, weights_frozen_at=FROZEN,
        changes=(
            change(AuditEntity.WEIGHTS, AuditAction.FREEZE, None,
                   {"category_weights": {"sales": 0.1}, "source": "combined"}, 1e-6,
                   key="CRM selection"),
            change(AuditEntity.FINAL_WEIGHTS, AuditAction.UPDATE,
                   {"weights": {"sales": 10, "marketing": 20}, "rationale": ""},
                   {"weights": {"sales": 12, "marketing": 20}, "rationale": "Agreed."}, 1,
                   key="CRM selection", reason="Agreed."),
            change(AuditEntity.REQUIREMENT, AuditAction.UPDATE,
                   {"title": "Lead registration", "category": "sales"},
                   {"title": "Lead registration with source", "category": "marketing"}, 2,
                   key="BUS-SAL-01", reason="Typo."),
            change(AuditEntity.ALLOCATION, AuditAction.UPDATE, {"service": 10},
                   {"service": 15}, 3, key="bram@example.org", role="business"),
            change(AuditEntity.GROUP_BALANCE, AuditAction.UPDATE,
                   {"business": 0.5, "it": 0.5}, {"business": 0.6, "it": 0.4}, 4,
                   key="CRM selection"),
        ),
    )
    report = report_of(example, process)
    lines = [(c.what, c.change) for c in report.open_points.changes]
    assert lines == [
        ("final weights", "Sales & leads 10 → 12; rationale – → “Agreed.”"),
        ("requirement BUS-SAL-01", "title “Lead registration” → “Lead registration with "
                                   "source”; category Sales & leads → Marketing & campaigns"),
        ("weight allocation of a business member", "Customer service 10 → 15"),
        ("group balance", "Business 0.50 → 0.60; IT 0.50 → 0.40"),
    ]
    text = pdf_text(report)
    assert "Sales & leads 10 → 12" in text and "Customer service 10 → 15" in text
    assert "{" not in text and "bram@example.org" not in text
    assert "frozen" not in " ".join(c.change for c in report.open_points.changes)


# -- d. every audited entity and action in both languages ---------------------------------

# Words that Dutch writes as English does.
SAME_IN_DUTCH = {AuditEntity.ACCOUNT, AuditEntity.SCORE}


@pytest.mark.parametrize("member", [*AuditEntity, *AuditAction], ids=str)
def test_every_audited_entity_and_action_has_an_english_and_a_dutch_label(member):
    table = (labels.audit_entity_labels if isinstance(member, AuditEntity)
             else labels.audit_action_labels)
    with report_language("en"):
        english = table().get(member)
    with report_language("nl"):
        dutch = table().get(member)
    assert english and dutch, f"{member!r} has no label"
    assert "_" not in english and "_" not in dutch  # words, not the stored value
    if member not in SAME_IN_DUTCH:
        assert dutch != english and dutch != str(member), f"{member!r}: no Dutch"


# -- e. the scale's labels are the scoring sheet's -----------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_report_labels_every_point_of_every_scale_as_the_scoring_sheet(language):
    from selector.forms.scoring import anchor_labels

    for scale_max in range(1, 11):
        sheet = anchor_labels(scale_max, language)
        with report_language(language):
            report = [a.anchor for a in scale_anchors(scale_max)]
        assert report == sheet, scale_max
        assert len(report) == scale_max + 1 and report[0] and report[-1]
    with report_language("nl"):
        assert scale_anchors(5)[4].anchor == anchor_labels(5, "nl")[4] == "voldoet ruim"


# -- h. column headers break between words only --------------------------------------------


def _lines(paragraph: Paragraph) -> list[str]:
    lines = paragraph.blPara.lines
    if paragraph.blPara.kind == 0:
        return [" ".join(words) for _, words in lines]
    return ["".join(fragment.text for fragment in line.words) for line in lines]


def _tables(flowables):
    for flowable in flowables:
        if isinstance(flowable, Table):
            yield flowable
        for attribute in ("_content", "_flowables"):
            yield from _tables(getattr(flowable, attribute, None) or [])


@pytest.mark.parametrize("language", ["en", "nl"])
def test_no_column_header_breaks_inside_a_word(example, language):
    doc, ranked = example
    priced = validate({**doc, "selection": {**doc["selection"], "price_weight": 0.3}})
    selection = selection_from_file(priced)
    report = build_report_data(priced, RankedSelection(selection, rank(selection)),
                               language=language, today=TODAY)
    checked = 0
    with report_language(language):
        for table in _tables(pdf._story(report)):
            widths = table._colWidths
            for cell, width in zip(table._cellvalues[0], widths, strict=True):
                if not isinstance(cell, Paragraph):
                    continue
                words = set(cell.getPlainText().split())
                cell.wrap(width - 8, 1000)
                for line in _lines(cell):
                    assert set(line.split()) <= words, (cell.getPlainText(), line)
                checked += 1
    assert checked > 100
