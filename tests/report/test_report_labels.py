"""The report names every word of the vocabulary in English and Dutch, audited entities
and actions included, and lists as changes after a freeze exactly the entities a freeze
covers."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from selector.domain import vocabulary as words
from selector.domain.vocabulary import FREEZE_RELEVANT
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.report import labels
from selector.report.chapters.process_and_method import scale_anchors
from selector.report.i18n import report_language
from selector.report.process_record import AuditChange
from selector.report.process_record import ProcessInfo
from selector.report.process_record import late_changes

ROOT = Path(__file__).resolve().parents[2]


def catalogue(language: str):
    path = ROOT / "selector" / "translations" / language / "LC_MESSAGES" / "report.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain="report")


TABLES = [
    (labels.audit_entity_labels, set(AuditEntity)),
    (labels.audit_action_labels, set(AuditAction)),
    (labels.role_labels, set(words.ROLES)),
    (labels.phase_labels, set(words.PHASES)),
    (labels.priority_labels, set(words.PRIORITIES)),
    (labels.status_labels, set(words.STATUSES)),
    (labels.knockout_state_labels, set(words.KNOCKOUT_STATES)),
]


@pytest.mark.parametrize("table, values", TABLES, ids=[t.__name__ for t, _ in TABLES])
def test_every_word_has_a_label_in_english_and_dutch(table, values):
    with report_language("en"):
        english = table()
    assert set(english) == values
    en, nl = catalogue("en"), catalogue("nl")
    missing = [msgid for msgid in english.values() if en.get(msgid) is None]
    untranslated = [msgid for msgid in english.values()
                    if nl.get(msgid) is None or not nl.get(msgid).string.strip()]
    assert not missing, f"not in en/report.po: {missing}"
    assert not untranslated, f"no Dutch in nl/report.po: {untranslated}"


def test_audit_labels_read_as_words_and_unknown_values_stay_as_they_are():
    with report_language("en"):
        assert labels.entity_label("requirement_weight") == "explicit weight"
        assert labels.action_label(AuditAction.RENEW) == "given a new link"
        assert labels.entity_label("something_old") == "something_old"
    with report_language("nl"):
        assert labels.entity_label(AuditEntity.ALLOCATION) == "puntenverdeling"


def test_the_method_chapter_shows_the_anchors_of_the_scoring_sheet():
    with report_language("en"):
        assert [(a.score, a.anchor) for a in scale_anchors(4)] == [
            (0, "absent"), (1, "poor"), (2, "partly"), (3, "meets"), (4, "exceeds")]
        assert [a.anchor for a in scale_anchors(10)][4] == "partly"


FROZEN = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


def change(entity: str, action: str = AuditAction.UPDATE, hours: float = 1.0) -> AuditChange:
    return AuditChange(FROZEN + timedelta(hours=hours), action, entity, "key", "facilitator",
                       '{"x": 1}', '{"x": 2}', "a reason")


def test_a_change_to_every_frozen_entity_after_the_freeze_is_listed():
    process = ProcessInfo(
        requirements_frozen_at=FROZEN, weights_frozen_at=FROZEN,
        changes=tuple(change(entity) for entity in sorted(AuditEntity)),
    )
    assert {c.entity for c in late_changes(process)} == FREEZE_RELEVANT
    before = ProcessInfo(requirements_frozen_at=FROZEN, weights_frozen_at=FROZEN,
                         changes=tuple(change(e, hours=-1) for e in sorted(FREEZE_RELEVANT)))
    assert late_changes(before) == []


def test_the_freeze_itself_is_no_change_after_the_freeze():
    """Its audit entry is written a moment after `weights_frozen_at` is set."""
    process = ProcessInfo(weights_frozen_at=FROZEN, changes=(
        change(AuditEntity.WEIGHTS, AuditAction.FREEZE, hours=1e-6),
        change(AuditEntity.PAIRWISE, hours=2),
        change(AuditEntity.REQUIREMENT_WEIGHT, hours=3),
    ))
    assert [c.entity for c in late_changes(process)] == ["pairwise", "requirement_weight"]
