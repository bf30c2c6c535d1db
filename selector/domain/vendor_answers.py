"""A vendor's own answers to the requirements (issue 20): the compliance values, when an
explanation is needed, while answers may change, when the committee may read them, and
which structured IT answers fall short of the requirement they answer.

Pure: no Flask, no SQLAlchemy. The words are pairs per language, like the IT
catalogue's (`selector.domain.it_catalogue`): the questionnaire is written in the
selection's language, whoever reads or writes it, so interface msgids will not do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from selector.domain.it_catalogue import Words
from selector.domain.it_catalogue import words_in

YES = "yes"
PARTLY = "partly"
NO = "no"
PLANNED = "planned"
THIRD_PARTY = "third_party"
COMPLIANCES = (YES, PARTLY, NO, PLANNED, THIRD_PARTY)

COMPLIANCE_LABELS: dict[str, Words] = {
    YES: {"en": "Yes", "nl": "Ja"},
    PARTLY: {"en": "Partly", "nl": "Gedeeltelijk"},
    NO: {"en": "No", "nl": "Nee"},
    PLANNED: {"en": "Planned", "nl": "Gepland"},
    THIRD_PARTY: {"en": "Via a third party", "nl": "Via een derde partij"},
}


def explanation_required(compliance: str) -> bool:
    """formats.md: the explanation is non-empty unless the answer is "yes"."""
    return compliance != YES


def compliance_label(compliance: str, language: str) -> str:
    return words_in(COMPLIANCE_LABELS[compliance], language)


def compliance_from_text(text: Any) -> str | None:
    """A compliance value from a cell: its key, or its label in Dutch or English (any
    case, surrounding white space ignored); None for anything else."""
    if not isinstance(text, str):
        return None
    wanted = " ".join(text.split()).casefold()
    for key, labels in COMPLIANCE_LABELS.items():
        if wanted == key or wanted in (label.casefold() for label in labels.values()):
            return key
    return None


def answers_open(submitted_at: datetime | None, deadline: datetime | None,
                 now: datetime) -> bool:
    """A vendor's answers change until it submits them or the deadline passes."""
    return submitted_at is None and (deadline is None or now < deadline)


def answers_visible(hidden_until_deadline: bool, deadline: datetime | None,
                    now: datetime) -> bool:
    """May the committee (the facilitator included) read the vendors' answers? With the
    selection's setting on, only once a deadline is set and has passed."""
    return not hidden_until_deadline or (deadline is not None and now >= deadline)


# -- structured IT answers that fall short ------------------------------------------------
#
# A vendor answers an IT requirement generated from IT's structured questions with the
# same question's parts (the catalogue checks both). The comparison below says only
# when the offer clearly falls short; a knock-out then gets a *proposed* verdict that a
# person confirms or overrides (decisions.md: answers never exclude by themselves).

# The accessibility levels in order of strictness (EN 301 549 requires WCAG 2.1 AA).
_ACCESSIBILITY_RANK = {"wcag21_a": 1, "wcag21_aa": 2, "en301549": 2, "wcag22_aa": 3,
                       "wcag22_aaa": 4}
# How often a restore is tested, in times a year.
_RESTORES_A_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}

# "The EU" as people write it, and its member states in English and Dutch: an offer in
# one of these meets a requirement of data in the EU (or the EEA).
_EU_NAMES = frozenset({
    "eu", "eea", "eer", "eu/eea", "eu/eer", "eea/eu", "eer/eu", "european union",
    "europese unie", "european economic area", "europese economische ruimte",
})
_EU_STATES = frozenset({
    "austria", "oostenrijk", "belgium", "belgië", "belgie", "bulgaria", "bulgarije",
    "croatia", "kroatië", "kroatie", "cyprus", "czechia", "czech republic", "tsjechië",
    "tsjechie", "denmark", "denemarken", "estonia", "estland", "finland", "france",
    "frankrijk", "germany", "duitsland", "greece", "griekenland", "hungary", "hongarije",
    "ireland", "ierland", "italy", "italië", "italie", "latvia", "letland", "lithuania",
    "litouwen", "luxembourg", "luxemburg", "malta", "netherlands", "nederland",
    "the netherlands", "poland", "polen", "portugal", "romania", "roemenië", "roemenie",
    "slovakia", "slowakije", "slovenia", "slovenië", "slovenie", "spain", "spanje",
    "sweden", "zweden", "iceland", "ijsland", "liechtenstein", "norway", "noorwegen",
})


def _place(text: str) -> str:
    """A location as compared: lower case, single spaces, without a leading article and
    the punctuation around it ("the EU/EEA." -> "eu/eea")."""
    place = " ".join(str(text).casefold().split()).strip(" .,;:()")
    return re.sub(r"^(the|de|het)\s+", "", place)


def _within(offered: str, required: str) -> bool:
    offered, required = _place(offered), _place(required)
    if offered == required:
        return True
    if required in _EU_NAMES:
        return offered in _EU_NAMES or offered in _EU_STATES
    return False


def falls_short(item: str, required: Mapping[str, Any], offered: Mapping[str, Any]) -> bool:
    """Does the vendor's checked answer `offered` to question `item` clearly fall short of
    IT's checked answer `required` behind the requirement? False when it meets it, and
    where words cannot be compared (a platform)."""
    if item in ("deployment_model", "sso", "api"):
        part = {"deployment_model": "models", "sso": "protocols", "api": "styles"}[item]
        return not set(offered[part]) & set(required[part])
    if item == "data_location":
        return not _within(offered["location"], required["location"])
    if item == "accessibility":
        return _ACCESSIBILITY_RANK[offered["level"]] < _ACCESSIBILITY_RANK[required["level"]]
    if item == "norm":
        return offered["norm"] != required["norm"]
    if item == "browser":
        if (offered["browser"], offered["device"]) != (required["browser"], required["device"]):
            return True
        wanted, supported = required.get("min_version"), offered.get("min_version")
        return wanted is not None and supported is not None and supported > wanted
    if item in ("rpo", "rto"):
        return offered["hours"] > required["hours"]
    if item == "retention":
        return offered["days"] < required["days"]
    if item == "restore_test":
        return (_RESTORES_A_YEAR[offered["frequency"]] < _RESTORES_A_YEAR[required["frequency"]]
                or offered["restored_by"] != required["restored_by"])
    return False


# The evidence a proposed verdict carries, in the selection's language.
ANSWERED: Words = {"en": "The vendor answered: {compliance}. {explanation}",
                   "nl": "De leverancier antwoordde: {compliance}. {explanation}"}
OFFERED: Words = {"en": "The vendor offers: {offered}; required: {required}.",
                  "nl": "De leverancier biedt: {offered}; gevraagd: {required}."}


def evidence(compliance: str, explanation: str, language: str,
             offered: str = "", required: str = "") -> str:
    """A proposed verdict's evidence: the answer, and the structured offer that falls
    short (as words) when there is one."""
    text = words_in(ANSWERED, language).format(
        compliance=compliance_label(compliance, language), explanation=explanation).strip()
    if offered:
        text += " " + words_in(OFFERED, language).format(offered=offered, required=required)
    return text
