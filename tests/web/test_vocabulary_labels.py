"""The web's words for the vocabulary: a label for every role, phase, domain, priority
and status, each in the Dutch catalogue (the score anchors are the vocabulary's own
words per language, `anchor_words`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from selector import i18n
from selector.domain import vocabulary as words
from selector.forms import requirements

ROOT = Path(__file__).resolve().parents[2]

TABLES = {
    "roles": (i18n.ROLE_LABELS, words.ROLES),
    "role descriptions": (i18n.ROLE_DESCRIPTIONS, words.ROLES),
    "phases": (i18n.PHASE_LABELS, words.PHASES),
    "phase descriptions": (i18n.PHASE_DESCRIPTIONS, words.PHASES),
    "domains": (i18n.DOMAIN_LABELS, words.DOMAINS),
    "owner groups": (requirements.OWNER_LABELS, words.DOMAINS),
    "priorities": (requirements.PRIORITY_LABELS, words.PRIORITIES),
    "statuses": (requirements.STATUS_LABELS, words.STATUSES),
    "decisions": (requirements.DECISION_LABELS, words.DECISIONS),
    "intents": (requirements.INTENT_LABELS, words.INTENTS),
    "verifications": (requirements.VERIFICATION_LABELS, words.VERIFICATIONS),
}


@pytest.mark.parametrize("name", TABLES)
def test_every_word_has_a_label_with_dutch(name):
    table, values = TABLES[name]
    assert list(table) == list(values)
    with (ROOT / "selector/translations/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        dutch = read_po(handle, locale="nl")
    untranslated = [label._args[0] for label in table.values()
                    if dutch.get(label._args[0]) is None
                    or not dutch.get(label._args[0]).string.strip()]
    assert not untranslated, f"no Dutch for: {untranslated}"
