"""The requirement quality check (pure): each rule with examples that fire and that do
not, in Dutch and English."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selector.domain import quality
from selector.domain.quality import RequirementText
from selector.domain.quality import TitleEntry


def codes(requirement: RequirementText) -> list[str]:
    return [flag.code for flag in quality.check(requirement)]


GOOD_CRITERION = "In the demo, 3 test users find a customer within 2 seconds."


# -- vague words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The CRM must be user-friendly", ["user-friendly"]),
        ("A user friendly and intuitive screen", ["user-friendly", "intuitive"]),
        ("Fast search, flexible reports, etc.", ["fast", "flexible", "etc."]),
        ("Automate as much as possible", ["as much as possible"]),
        ("A state of the art, modern and robust platform", ["state of the art", "modern",
                                                           "robust"]),
        ("Easy to use", ["easy"]),
        ("Het systeem is gebruiksvriendelijk", ["gebruiksvriendelijk"]),
        ("Snelle zoekfunctie en flexibele rapporten, enz.", ["snel", "flexibel", "enz."]),
        ("Zo veel mogelijk automatiseren", ["zo veel mogelijk"]),
        ("Zoveel mogelijk automatiseren", ["zo veel mogelijk"]),
        ("Een intuïtieve en eenvoudige bediening", ["intuïtief", "eenvoudig"]),
        ("Intuitieve bediening", ["intuïtief"]),
        ("Gemakkelijk te leren", ["makkelijk"]),
    ],
)
def test_vague_words_without_a_measure_are_flagged(text, words):
    flags = quality.check(RequirementText(title=text, verification_criterion="Shown in the demo."))
    vague = [f for f in flags if f.code == quality.VAGUE_WORD]
    assert vague == [quality.Flag(quality.VAGUE_WORD, {"words": words})]


@pytest.mark.parametrize(
    "requirement",
    [
        # the same words, with a measure
        RequirementText(title="Fast search", verification_criterion="Results within 2 seconds"),
        RequirementText(title="Snel zoeken", description="Resultaat binnen 2 seconden"),
        RequirementText(title="Gebruiksvriendelijk",
                        verification_criterion="8 van 10 testgebruikers voltooien de taak"),
        # words that only contain a vague word
        RequirementText(title="Breakfast meetings are registered as events"),
        RequirementText(title="Snelheid van de klantenservice wordt gerapporteerd per week"),
        RequirementText(title="Moderation of web forms"),
        RequirementText(title="Lead registration with source and campaign"),
    ],
)
def test_no_vague_word_flag(requirement):
    assert quality.VAGUE_WORD not in codes(requirement)


# -- verification criterion ---------------------------------------------------------------


def test_no_verification_criterion():
    assert quality.NO_CRITERION in codes(RequirementText(title="Lead registration"))
    assert quality.NO_CRITERION in codes(RequirementText(title="Lead registration",
                                                         verification_criterion="   "))
    assert quality.NO_CRITERION not in codes(
        RequirementText(title="Lead registration", verification_criterion=GOOD_CRITERION))


# -- non-functional requirements need a number and a unit ---------------------------------


@pytest.mark.parametrize(
    "text",
    ["Back-ups are made daily", "Data is stored in the EU", "Back-up dagelijks",
     "De leverancier herstelt gegevens", "Version 2"],
)
def test_it_requirement_without_number_and_unit(text):
    requirement = RequirementText(title=text, domain="it", verification_criterion="Contract")
    assert quality.NO_MEASURE in codes(requirement)


@pytest.mark.parametrize(
    "text",
    ["RPO at most 24 hours", "RPO ≤ 24 h", "RTO van maximaal 4 uur", "Available 99.9% per month",
     "Beschikbaarheid 99,9% per maand", "Certified for ISO 27001", "Meets WCAG 2.1 AA",
     "TLS 1.2", "Google Chrome 120 or later", "Support 24/7", "3 test users sign in",
     "Kosten hooguit € 500"],
)
def test_it_requirement_with_number_and_unit(text):
    requirement = RequirementText(title=text, domain="it", verification_criterion="Contract")
    assert quality.NO_MEASURE not in codes(requirement)


def test_business_requirement_needs_no_number():
    requirement = RequirementText(title="Data is stored in the EU", domain="business",
                                  verification_criterion="Contract")
    assert quality.NO_MEASURE not in codes(requirement)


# -- knock-outs and musts -----------------------------------------------------------------


def test_knockout_without_rationale():
    assert quality.KNOCKOUT_WITHOUT_RATIONALE in codes(
        RequirementText(title="SSO", knockout=True, knockout_rationale=" "))
    assert quality.KNOCKOUT_WITHOUT_RATIONALE not in codes(
        RequirementText(title="SSO", knockout=True, knockout_rationale="Policy since 2023"))
    assert quality.KNOCKOUT_WITHOUT_RATIONALE not in codes(RequirementText(title="SSO"))


def test_must_that_is_neither_knockout_nor_weighted():
    assert quality.MUST_UNCLEAR in codes(RequirementText(title="SSO", priority="must"))
    assert quality.MUST_UNCLEAR not in codes(
        RequirementText(title="SSO", priority="must", knockout=True, knockout_rationale="x"))
    assert quality.MUST_UNCLEAR not in codes(
        RequirementText(title="SSO", priority="must", weight=8.0))
    assert quality.MUST_UNCLEAR not in codes(
        RequirementText(title="SSO", priority="must", weight=0.0))
    assert quality.MUST_UNCLEAR not in codes(RequirementText(title="SSO", priority="should"))


def test_a_good_requirement_has_no_flags():
    requirement = RequirementText(
        title="Find a customer", description="Search on name, e-mail or phone number.",
        verification_criterion=GOOD_CRITERION, priority="should")
    assert quality.check(requirement) == []
    it = RequirementText(
        title="Recovery point objective (RPO) of at most 24 hours", domain="it",
        verification_criterion="The SLA states an RPO of at most 24 hours.", priority="must",
        knockout=True, knockout_rationale="Losing more than a day cannot be reconstructed.")
    assert quality.check(it) == []


# -- near-duplicates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Customer view shows all contacts", "Customer view shows all contact"),
        ("Customer view shows all contacts", "customer VIEW shows all contacts."),
        ("Klantbeeld toont alle contactpersonen", "Klantbeeld toont alle contactpersoon"),
        ("Leads toewijzen aan een verkoper", "Leads toewijzen aan de verkoper"),
        ("Sales forecast per quarter", "Sales forcast per quarter"),
        ("Log in with single sign-on", "Log in with single sign-on (SSO)"),
        ("Export contacts to Excel", "Contacts export to Excel"),
    ],
)
def test_near_duplicates(a, b):
    assert quality.near_duplicate(a, b)
    assert quality.near_duplicate(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("RPO at most 4 hours", "RTO at most 4 hours"),
        ("Recovery point objective (RPO): at most 4 hours",
         "Recovery time objective (RTO): at most 4 hours"),
        ("Back-up every 12 hours", "Back-up every 24 hours"),
        ("Google Chrome 120 on desktop", "Microsoft Edge 120 on desktop"),
        ("Export all data to CSV", "Export all data to CSV files and spreadsheets"),
        ("Lead registration", "Lead scoring"),
    ],
)
def test_not_duplicates(a, b):
    assert not quality.near_duplicate(a, b)


def test_duplicate_groups_agree_with_pairs():
    entries = [TitleEntry(1, "A-01", "Customer view shows all contacts"),
               TitleEntry(2, "A-02", "Customer view shows all contact"),
               TitleEntry(3, "A-03", "RPO at most 4 hours"),
               TitleEntry(4, "A-04", "RTO at most 4 hours"),
               TitleEntry(5, "A-05", "customer view shows ALL contacts")]
    groups = quality.duplicate_groups(entries)
    assert sorted(e.key for e in groups[1]) == [2, 5]
    assert sorted(e.key for e in groups[2]) == [1, 5]
    assert groups[3] == [] and groups[4] == []
    assert [e.key for e in quality.duplicates_of("Customer view shows all contacts",
                                                 entries[1:])] == [2, 5]
    flags = quality.duplicate_flags(groups[1])
    assert flags == [quality.Flag(quality.DUPLICATE, {"code": "A-02",
                                                      "title": "Customer view shows all contact"}),
                     quality.Flag(quality.DUPLICATE, {"code": "A-05",
                                                      "title": "customer view shows ALL contacts"})]


def test_duplicate_groups_of_a_thousand_titles_are_quick():
    words = ("customer contact lead opportunity campaign report dashboard mail phone export "
             "import search filter role access audit backup browser mobile offline").split()
    titles = [" ".join(words[(i * 7 + k * 3) % len(words)] for k in range(5)) + f" {i}"
              for i in range(1000)]
    started = time.perf_counter()
    groups = quality.duplicate_groups([TitleEntry(i, str(i), t) for i, t in enumerate(titles)])
    assert time.perf_counter() - started < 5
    assert all(found == [] for found in groups.values())  # the numbers differ


_VOCABULARY = ("customer", "customers", "custmer", "contact", "contacts", "lead", "leads",
               "export", "exports", "the", "de", "een", "all", "of", "to", "csv", "sso",
               "12", "24", "view", "veiw", "report", "reports", "rpo", "rto")


@given(st.lists(st.lists(st.sampled_from(_VOCABULARY), min_size=0, max_size=7),
                min_size=0, max_size=30))
def test_duplicate_groups_find_exactly_the_pairs_a_full_comparison_finds(word_lists):
    """The candidate search (prefix filtering) misses no pair and adds none."""
    entries = [TitleEntry(i, f"C-{i}", " ".join(words)) for i, words in enumerate(word_lists)]
    groups = quality.duplicate_groups(entries)
    for entry in entries:
        expected = [other.key for other in entries if other.key != entry.key
                    and quality.near_duplicate(entry.title, other.title)]
        assert [found.key for found in groups[entry.key]] == expected, entry.title


def test_flags_are_json_in_a_fixed_order():
    flags = quality.check(RequirementText(title="Fast", priority="must", domain="it"))
    assert quality.flags_json(flags) == [
        {"code": "vague_word", "params": {"words": ["fast"]}},
        {"code": "no_verification_criterion", "params": {}},
        {"code": "nonfunctional_without_measure", "params": {}},
        {"code": "must_not_knockout_or_weighted", "params": {}},
    ]
