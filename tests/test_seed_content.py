"""Content checks for the seed data shipped in ``seed/``.

The seed is what a new selection starts from (categories, requirement library) and
what ``selector demo`` loads (demo selection in English and Dutch). These tests keep
that content complete, verifiable and numerically identical to the reference example.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from selector.files.selection_file import TOP_KEYS

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed"
EXAMPLE = Path(__file__).parent / "data" / "crm-selection.json"

TEXT_FIELDS = ("title", "description", "rationale", "verification_criterion")
IT_CATEGORIES_MIN = 8
BUSINESS_CATEGORIES_MIN = 8
LIBRARY_MIN = 160

VAGUE = {
    "en": [
        "user-friendly",
        "user friendly",
        "intuitive",
        "fast",
        "quick",
        "quickly",
        "flexible",
        "easy",
        "easily",
        "seamless",
        "seamlessly",
        "state of the art",
        "state-of-the-art",
        "etc",
        "as much as possible",
        "robust",
        "best-in-class",
    ],
    "nl": [
        "gebruiksvriendelijk",
        "gebruiksvriendelijke",
        "intuïtief",
        "intuïtieve",
        "snel",
        "snelle",
        "flexibel",
        "flexibele",
        "eenvoudig",
        "eenvoudige",
        "makkelijk",
        "naadloos",
        "state of the art",
        "zo veel mogelijk",
        "zoveel mogelijk",
        "enz",
        "etc",
        "robuust",
    ],
}

# Keys allowed by docs/formats.md (selector/selection, version 1).
ALLOWED = {
    # The file's top-level keys but IT's structured answers and the vendors' answers,
    # which the demo does not hold.
    "top": set(TOP_KEYS) - {"it_answers", "answers"},
    "selection": {
        "name",
        "organisation",
        "language",
        "scale_max",
        "price_weight",
        "group_balance",
        "tco_years",
        "price_method",
        "price_full",
        "price_zero",
        "log_factor",
        "quality_value",
        "quality_threshold",
    },
    "category": {"key", "name", "domain"},
    "requirement": {
        "code",
        "category",
        "title",
        "description",
        "priority",
        "weight",
        "knockout",
        "knockout_rationale",
        "verification",
        "intent",
        "status",
        "owner_group",
        "rationale",
        "verification_criterion",
        "raised_by",
    },
    "member": {"email", "name", "role"},
    "category_weight": {"member", "category", "points"},
    "vendor": {
        "key",
        "name",
        "tco",
        "product",
        "website",
        "contact",
        "notes",
        "withdrawn",
        "costs",
    },
    "costs": {"licence_per_year", "implementation", "hosting_support_per_year", "contract_years"},
    "score": {"member", "vendor", "requirement", "score", "comment"},
    "consensus": {"vendor", "requirement", "score", "rationale"},
    "knockout": {"vendor", "requirement", "passed", "evidence"},
}


def load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def vague_hits(text: str, lang: str) -> list[str]:
    low = text.lower()
    return [w for w in VAGUE[lang] if re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", low)]


@pytest.fixture(scope="module")
def categories():
    return load(SEED / "categories.json")


@pytest.fixture(scope="module")
def library():
    return load(SEED / "library" / "requirements.json")


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


@pytest.fixture(scope="module", params=["en", "nl"])
def demo(request):
    return request.param, load(SEED / "demo" / f"demo.{request.param}.json")


# ---------------------------------------------------------------- categories


def test_categories_shape(categories):
    keys = [c["key"] for c in categories]
    assert len(keys) == len(set(keys))
    codes = [c["code"] for c in categories]
    assert len(codes) == len(set(codes))
    for c in categories:
        assert set(c) == {"key", "domain", "code", "name"}
        assert c["domain"] in ("business", "it")
        assert re.fullmatch(r"[A-Z]{2,4}", c["code"]), c
        assert c["name"]["en"].strip() and c["name"]["nl"].strip()
    # business categories come first, then IT
    domains = [c["domain"] for c in categories]
    assert domains == sorted(domains, key=lambda d: d != "business")
    assert keys[:6] == ["sales", "marketing", "service", "customer_view", "reporting", "usability"]
    assert keys[6:] == [
        "hosting",
        "standards",
        "browsers",
        "backup",
        "security",
        "integration",
        "operations",
        "exit",
    ]


# ---------------------------------------------------------------- library


def test_library_size_and_ids(library):
    assert len(library) >= LIBRARY_MIN
    ids = [r["id"] for r in library]
    assert len(ids) == len(set(ids)), "duplicate library ids"
    for i in ids:
        assert re.fullmatch(r"lib-[a-z]+-[a-z0-9-]+", i), i


def test_library_covers_every_category(library, categories):
    domain = {c["key"]: c["domain"] for c in categories}
    counts = {k: 0 for k in domain}
    for r in library:
        assert r["category"] in domain, r["id"]
        counts[r["category"]] += 1
    for key, n in counts.items():
        minimum = IT_CATEGORIES_MIN if domain[key] == "it" else BUSINESS_CATEGORIES_MIN
        assert n >= minimum, f"{key}: only {n} library requirements"


def test_library_entry_fields(library):
    for r in library:
        assert set(r) == {
            "id",
            "category",
            "priority",
            "intent",
            "verification",
            "knockout_suggested",
            "en",
            "nl",
        }, r["id"]
        assert r["priority"] in ("must", "should", "could"), r["id"]
        assert r["intent"] in ("achieve", "avoid"), r["id"]
        assert r["verification"] in (
            "demo",
            "test",
            "document",
            "reference",
            "contract",
            "other",
        ), r["id"]
        assert isinstance(r["knockout_suggested"], bool), r["id"]
        for lang in ("en", "nl"):
            assert set(r[lang]) == set(TEXT_FIELDS), (r["id"], lang)
            for field in TEXT_FIELDS:
                value = r[lang][field]
                assert isinstance(value, str) and value.strip(), (r["id"], lang, field)


def test_library_has_avoid_intents(library):
    assert sum(r["intent"] == "avoid" for r in library) >= 10


def test_library_no_vague_words(library):
    problems = []
    for r in library:
        for lang in ("en", "nl"):
            for field in ("title", "description", "verification_criterion"):
                hits = vague_hits(r[lang][field], lang)
                if hits:
                    problems.append(f"{r['id']} {lang}.{field}: {hits}")
    assert not problems, "\n".join(problems)


def test_library_it_entries_are_measurable(library, categories):
    it = {c["key"] for c in categories if c["domain"] == "it"}
    for r in library:
        if r["category"] not in it:
            continue
        for lang in ("en", "nl"):
            text = r[lang]["verification_criterion"] + r[lang]["description"]
            assert re.search(r"\d", text), f"{r['id']} ({lang}) has no number"


# ---------------------------------------------------------------- demo files


def test_demo_follows_format(demo):
    lang, doc = demo
    assert set(doc) <= ALLOWED["top"]
    assert doc["format"] == "selector/selection" and doc["version"] == 1
    assert set(doc["selection"]) <= ALLOWED["selection"]
    assert doc["selection"]["language"] == lang
    expected_name = {
        "en": "CRM selection Gemeente Voorbeeld 2026",
        "nl": "CRM-selectie Gemeente Voorbeeld 2026",
    }[lang]
    assert doc["selection"]["name"] == expected_name
    for section, kind in (
        ("categories", "category"),
        ("requirements", "requirement"),
        ("members", "member"),
        ("category_weights", "category_weight"),
        ("vendors", "vendor"),
        ("scores", "score"),
        ("consensus", "consensus"),
        ("knockouts", "knockout"),
    ):
        for i, item in enumerate(doc.get(section, [])):
            unknown = set(item) - ALLOWED[kind]
            assert not unknown, f"{section}[{i}]: unknown keys {unknown}"
    tco_years = doc["selection"].get("tco_years", 5)
    for v in doc["vendors"]:
        if "costs" in v:
            assert set(v["costs"]) <= ALLOWED["costs"]
            c = v["costs"]
            computed = c["implementation"] + tco_years * (
                c["licence_per_year"] + c["hosting_support_per_year"]
            )
            assert abs(computed - v["tco"]) <= 0.01, v["key"]
    emails = {m["email"] for m in doc["members"]}
    for r in doc["requirements"]:
        if r.get("knockout"):
            assert r["knockout_rationale"].strip(), r["code"]
        if "raised_by" in r:
            assert r["raised_by"] in emails, r["code"]


def test_demo_numbers_equal_example(demo, example):
    _, doc = demo

    def cats(d):
        return {(c["key"], c["domain"]) for c in d["categories"]}

    def reqs(d):
        return {
            (
                r["code"],
                r["category"],
                r["priority"],
                r["weight"],
                r.get("knockout", False),
                r.get("status", "accepted"),
            )
            for r in d["requirements"]
        }

    def members(d):
        return {(m["email"], m["role"]) for m in d["members"]}

    def weights(d):
        return {(w["member"], w["category"], w["points"]) for w in d["category_weights"]}

    def vendors(d):
        return {(v["key"], v["name"], v["tco"]) for v in d["vendors"]}

    def scores(d):
        return {(s["member"], s["vendor"], s["requirement"], s["score"]) for s in d["scores"]}

    def consensus(d):
        return {(c["vendor"], c["requirement"], c["score"]) for c in d.get("consensus", [])}

    def knockouts(d):
        return {(k["vendor"], k["requirement"], k["passed"]) for k in d.get("knockouts", [])}

    for f in (cats, reqs, members, weights, vendors, scores, consensus, knockouts):
        assert f(doc) == f(example), f.__name__
    assert len(doc["scores"]) == len(example["scores"])
    assert doc.get("category_weights_final") == example.get("category_weights_final")
    for key in ("scale_max", "price_weight", "group_balance", "organisation"):
        assert doc["selection"].get(key) == example["selection"].get(key), key
    assert doc["selection"].get("tco_years", 5) == example["selection"].get("tco_years", 5)
    assert not any(v.get("withdrawn") for v in doc["vendors"])


def test_demo_texts_complete(demo):
    lang, doc = demo
    for r in doc["requirements"]:
        for field in TEXT_FIELDS:
            assert r.get(field, "").strip(), (lang, r["code"], field)
        for field in ("title", "verification_criterion"):
            hits = vague_hits(r[field], lang)
            assert not hits, (lang, r["code"], field, hits)
    for c in doc["categories"]:
        assert c["name"].strip()
    for v in doc["vendors"]:
        for field in ("product", "website", "contact", "notes"):
            assert v.get(field, "").strip(), (lang, v["key"], field)
    for c in doc.get("consensus", []):
        assert c["rationale"].strip()
    for k in doc.get("knockouts", []):
        assert k["evidence"].strip()


def test_demo_comments_are_real(demo):
    lang, doc = demo
    scale_max = doc["selection"].get("scale_max", 5)
    commented = 0
    for s in doc["scores"]:
        comment = s.get("comment", "")
        assert "see demo notes" not in comment.lower(), (lang, s)
        if s["score"] in (0, 1, scale_max):
            assert comment.strip(), f"unargued extreme score: {s}"
        commented += bool(comment.strip())
    # a fair share of the ordinary scores carries an argument too
    assert commented >= len(doc["scores"]) // 2


def test_demo_languages_differ(example):
    en = load(SEED / "demo" / "demo.en.json")
    nl = load(SEED / "demo" / "demo.nl.json")
    en_titles = {r["code"]: r["title"] for r in en["requirements"]}
    nl_titles = {r["code"]: r["title"] for r in nl["requirements"]}
    translated = sum(en_titles[c] != nl_titles[c] for c in en_titles)
    assert translated >= len(en_titles) - 3
    # English titles stay those of the reference example
    assert en_titles == {r["code"]: r["title"] for r in example["requirements"]}


def test_demo_earlier_phases_derive_from_the_finished_selection():
    """`selector demo`'s earlier phases (issue 22): the same committee's selection, as
    valid selection files, with new proposals written in both languages."""
    from selector.files.selection_file import validate
    from selector.services.demo import STEPS

    extra = load(SEED / "demo" / "earlier-phases.json")
    en, nl = extra["en"]["new_requirements"], extra["nl"]["new_requirements"]

    def same_in_both(r):
        return (r["code"], r["category"], r["priority"], r["status"], r["raised_by"])

    assert [same_in_both(r) for r in en] == [same_in_both(r) for r in nl]
    assert all(a["title"] != b["title"] for a, b in zip(en, nl, strict=True))
    for lang in ("en", "nl"):
        finished = load(SEED / "demo" / f"demo.{lang}.json")
        emails = {m["email"] for m in finished["members"]}
        for r in extra[lang]["new_requirements"]:
            assert set(r) <= ALLOWED["requirement"], r["code"]
            assert r["raised_by"] in emails, r["code"]
            for field in ("title", "description", "rationale"):
                assert r[field].strip(), (lang, r["code"], field)
        names = set()
        for phase, (derive, _) in STEPS.items():
            doc = validate(derive(finished, extra))
            names.add(doc["selection"]["name"])
            assert bool(doc.get("scores")) == (phase == "decision"), phase
            assert bool(doc.get("category_weights")) == (phase != "requirements"), phase
        # No name holds another, so each demo selection is found by its own name.
        assert len(names) == 4
        assert not any(a != b and a in b for a in names for b in names)
