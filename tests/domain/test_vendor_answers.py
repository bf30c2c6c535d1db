"""The vendors' answers, pure: compliance words, when answers are open and visible, and
which structured answers fall short of IT's requirement."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from selector.domain import vendor_answers as rules

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("text, key", [
    ("yes", "yes"), (" Ja ", "yes"), ("GEDEELTELIJK", "partly"), ("Via a third party",
                                                                 "third_party"),
    ("via een  derde partij", "third_party"), ("planned", "planned"), ("Nee", "no"),
    ("maybe", None), ("", None), (None, None), (1, None),
])
def test_compliance_is_read_from_its_key_or_a_label(text, key):
    assert rules.compliance_from_text(text) == key


def test_answers_are_open_until_submitted_or_the_deadline():
    assert rules.answers_open(None, None, NOW)
    assert rules.answers_open(None, NOW + timedelta(seconds=1), NOW)
    assert not rules.answers_open(None, NOW, NOW)
    assert not rules.answers_open(NOW - timedelta(days=1), None, NOW)


def test_hidden_answers_show_only_after_a_deadline():
    assert rules.answers_visible(False, None, NOW)
    assert not rules.answers_visible(True, None, NOW)
    assert not rules.answers_visible(True, NOW + timedelta(seconds=1), NOW)
    assert rules.answers_visible(True, NOW, NOW)


@pytest.mark.parametrize("item, required, offered, short", [
    ("data_location", {"location": "the EU/EEA"}, {"location": "Netherlands"}, False),
    ("data_location", {"location": "the EU/EEA"}, {"location": "Duitsland"}, False),
    ("data_location", {"location": "EU"}, {"location": "the EU."}, False),
    ("data_location", {"location": "the EU/EEA"}, {"location": "United States"}, True),
    ("data_location", {"location": "Netherlands"}, {"location": "Germany"}, True),
    ("browser", {"browser": "edge", "device": "desktop", "min_version": 120},
     {"browser": "edge", "device": "desktop", "min_version": 118}, False),
    ("browser", {"browser": "edge", "device": "desktop", "min_version": 120},
     {"browser": "edge", "device": "desktop", "min_version": 121}, True),
    ("browser", {"browser": "edge", "device": "desktop", "min_version": None},
     {"browser": "edge", "device": "desktop", "min_version": 130}, False),
    ("browser", {"browser": "edge", "device": "desktop", "min_version": None},
     {"browser": "chrome", "device": "desktop", "min_version": None}, True),
    ("rpo", {"hours": 24}, {"hours": 24}, False),
    ("rpo", {"hours": 24}, {"hours": 48}, True),
    ("rto", {"hours": 4}, {"hours": 2}, False),
    ("retention", {"days": 90}, {"days": 30}, True),
    ("restore_test", {"frequency": "quarterly", "restored_by": "vendor"},
     {"frequency": "monthly", "restored_by": "vendor"}, False),
    ("restore_test", {"frequency": "quarterly", "restored_by": "vendor"},
     {"frequency": "yearly", "restored_by": "vendor"}, True),
    ("deployment_model", {"models": ["saas", "private_cloud"]}, {"models": ["saas"]}, False),
    ("deployment_model", {"models": ["saas"]}, {"models": ["on_premises"]}, True),
    ("sso", {"protocols": ["saml2"]}, {"protocols": ["oidc"]}, True),
    ("accessibility", {"level": "wcag21_aa"}, {"level": "en301549"}, False),
    ("accessibility", {"level": "wcag22_aa"}, {"level": "wcag21_aa"}, True),
    ("norm", {"norm": "iso27001"}, {"norm": "soc2"}, True),
    ("platform", {"platform": "VMware"}, {"platform": "Hyper-V"}, False),  # words: a person
])
def test_a_structured_answer_falls_short_only_when_clearly_so(item, required, offered, short):
    assert rules.falls_short(item, required, offered) is short
