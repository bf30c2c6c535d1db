"""The selection file contract (formats.md): what passes, what is refused, and how it says so."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from selector.files import selection_file
from selector.files.selection_file import FORMAT
from selector.files.selection_file import VERSION
from selector.files.selection_file import SelectionFileError
from selector.files.selection_file import canonical
from selector.files.selection_file import dump_selection_file
from selector.files.selection_file import parse_selection_json
from selector.files.selection_file import read_selection_file
from selector.files.selection_file import validate

EXAMPLE_PATH = Path(__file__).parent.parent / "data" / "crm-selection.json"
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))

Doc = dict[str, Any]


@pytest.fixture
def example() -> Doc:
    return copy.deepcopy(EXAMPLE)


def problems_of(doc: object) -> list[str]:
    with pytest.raises(SelectionFileError) as refused:
        validate(doc)
    return refused.value.problems


def minimal() -> Doc:
    return {"format": FORMAT, "version": VERSION, "selection": {"name": "CRM 2026"}}


# --- what passes ----------------------------------------------------------------------


def test_example_validates_and_fills_in_defaults(example: Doc) -> None:
    result = read_selection_file(EXAMPLE_PATH)
    assert result["selection"]["tco_years"] == 5  # absent in the example
    assert result["category_weights_final"] is None
    first = result["requirements"][0]
    assert list(first) == [
        "code", "category", "title", "description", "priority", "weight", "knockout",
        "knockout_rationale", "verification", "intent", "status", "owner_group",
        "rationale", "verification_criterion", "raised_by",
    ]
    assert (first["rationale"], first["verification_criterion"], first["raised_by"]) == (
        "", "", None,
    )
    assert result["vendors"][0]["costs"] is None
    assert list(result) == list(selection_file.TOP_KEYS)
    assert example == EXAMPLE  # validating never changes its input


def test_validate_is_idempotent(example: Doc) -> None:
    once = validate(example)
    assert validate(once) == once
    small = validate(minimal())
    assert validate(small) == small


def test_defaults_of_a_minimal_file() -> None:
    doc = minimal()
    doc["categories"] = [{"key": "it_sec", "name": "Security", "domain": "it"}]
    doc["requirements"] = [{
        "code": "R1", "category": "it_sec", "title": "SSO", "priority": "must",
        "verification": "demo", "intent": "achieve",
    }]
    doc["members"] = [{"email": "Ann@Example.org", "name": "Ann", "role": "it"}]
    doc["vendors"] = [{"key": "v", "name": "V"}]
    doc["scores"] = [
        {"member": "ANN@example.org", "vendor": "v", "requirement": "R1", "score": 3.0},
    ]
    result = validate(doc)
    assert result["selection"] == {
        "name": "CRM 2026", "organisation": "", "language": "en", "scale_max": 5,
        "price_weight": 0.0, "group_balance": {"business": 0.5, "it": 0.5}, "tco_years": 5,
        "price_method": "lowest_ratio", "price_full": None, "price_zero": None,
        "log_factor": None, "quality_value": None, "quality_threshold": 0.0,
    }
    assert (result["recommendation"], result["decision"]) == ("", None)
    requirement = result["requirements"][0]
    assert requirement["status"] == "accepted"
    assert requirement["knockout"] is False
    assert requirement["owner_group"] == "it"  # the category's domain
    assert requirement["weight"] is None
    assert result["members"][0]["email"] == "ann@example.org"
    assert result["vendors"][0] == {
        "key": "v", "name": "V", "tco": None, "product": "", "website": "", "contact": "",
        "notes": "", "withdrawn": False, "costs": None,
    }
    score = result["scores"][0]
    assert score == {
        "member": "ann@example.org", "vendor": "v", "requirement": "R1", "score": 3,
        "comment": "",
    }
    assert type(score["score"]) is int
    assert result["category_weights"] == result["consensus"] == result["knockouts"] == []


def test_canonical_form_is_stable(example: Doc) -> None:
    expected = canonical(example)
    assert canonical(expected) == expected
    shuffled = copy.deepcopy(example)
    rng = random.Random(7)
    for name in selection_file.LIST_KEYS:
        rng.shuffle(shuffled.get(name, []))  # the example has no IT answers
    assert canonical(shuffled) == expected
    assert [c["key"] for c in expected["categories"]] == sorted(
        c["key"] for c in example["categories"]
    )
    # What dump writes reads back as the same content.
    assert canonical(parse_selection_json(dump_selection_file(validate(shuffled)))) == expected


def test_dump_writes_indented_utf8_with_trailing_newline(example: Doc) -> None:
    example["selection"]["organisation"] = "Gemeente Ærø"
    text = dump_selection_file(validate(example))
    assert text.endswith("}\n")
    assert "Gemeente Ærø" in text
    assert text.startswith('{\n  "format": "selector/selection",')


def test_tco_is_computed_from_costs(example: Doc) -> None:
    vendor = example["vendors"][0]
    del vendor["tco"]
    vendor["costs"] = {
        "licence_per_year": 20000, "implementation": 40000,
        "hosting_support_per_year": 8000.5, "contract_years": 3,
    }
    result = validate(example)
    # Over tco_years (5), not over the three-year contract.
    assert result["vendors"][0]["tco"] == pytest.approx(40000 + 5 * 28000.5)
    assert validate(result) == result


def test_tco_matching_costs_within_a_cent_passes(example: Doc) -> None:
    example["selection"]["tco_years"] = 4
    example["vendors"][1]["costs"] = {
        "licence_per_year": 10000, "implementation": 6000,
        "hosting_support_per_year": 25000, "contract_years": 4,
    }
    example["vendors"][1]["tco"] = 146000.009
    assert validate(example)["vendors"][1]["tco"] == 146000.009


def test_final_weights_on_an_active_category_pass(example: Doc) -> None:
    example["category_weights_final"] = {"sales": 0, "security": 10}
    assert validate(example)["category_weights_final"] == {"sales": 0, "security": 10}
    example["category_weights_final"] = {}
    assert validate(example)["category_weights_final"] is None


def test_utf8_byte_order_mark_is_accepted() -> None:
    text = json.dumps(minimal())
    assert parse_selection_json(b"\xef\xbb\xbf" + text.encode())["selection"]["name"] == "CRM 2026"


# --- what is refused ------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A mutation setting a value at a dotted path with list indexes (`vendors.2.prize`)."""

    def mutate(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(section: str, key: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        del doc[section][key]

    return mutate


def _append_copy(name: str, index: int) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc[name].append(copy.deepcopy(doc[name][index]))

    return mutate


def _final_weights_on_inactive_categories(doc: Doc) -> None:
    for requirement in doc["requirements"]:
        if requirement["category"] == "backup":
            requirement["status"] = "deferred"  # backup is no longer active
    doc["category_weights_final"] = {"backup": 100, "sales": 0}


def _tco_not_matching_costs(doc: Doc) -> None:
    doc["vendors"][0]["costs"] = {
        "licence_per_year": 20000, "implementation": 40000,
        "hosting_support_per_year": 8000, "contract_years": 3,
    }


def _member_email_twice(doc: Doc) -> None:
    doc["members"].append({"email": "Bram@Example.org", "name": "Bram J.", "role": "it"})


REFUSALS: list[tuple[str, Callable[[Doc], None], str]] = [
    ("unknown category", _set("requirements.7.category", "salse"),
     "requirements[7].category: unknown category 'salse'"),
    ("duplicate code", _append_copy("requirements", 1),
     "requirements[25].code: duplicate code 'BUS-SAL-02' (also requirements[1])"),
    ("score out of range", _set("scores.12.score", 7),
     "scores[12].score: 7 is outside 0..5"),
    ("negative score", _set("scores.12.score", -1),
     "scores[12].score: -1 is outside 0..5"),
    ("knock-out without rationale", _set("requirements.14.knockout_rationale", "  "),
     "requirements[14].knockout_rationale: a knock-out needs a rationale: "
     "say why a vendor failing it is excluded"),
    ("unknown top-level key", _set("prize", 1), "prize: unknown key"),
    ("unknown nested key", _set("vendors.2.prize", 1000), "vendors[2].prize: unknown key"),
    ("unknown key in group balance", _set("selection.group_balance.sales", 1),
     "selection.group_balance.sales: unknown key"),
    ("wrong format", _set("format", "selector/ranking"),
     "format: expected 'selector/selection', got 'selector/ranking'"),
    ("newer version", _set("version", 2),
     "version: this file has version 2, newer than this Selector understands (1); "
     "upgrade Selector"),
    ("version as a string", _set("version", "1"), "version: expected 1, got '1'"),
    ("version 0", _set("version", 0), "version: expected 1, got 0"),
    ("NaN", _set("vendors.0.tco", float("nan")),
     "vendors[0].tco: expected a number or null, got NaN"),
    ("Infinity", _set("category_weights.3.points", float("inf")),
     "category_weights[3].points: expected a number, got Infinity"),
    ("bool as number", _set("category_weights.0.points", True),
     "category_weights[0].points: expected a number, got true"),
    ("bool as integer", _set("scores.0.score", False),
     "scores[0].score: expected an integer, got false"),
    ("fraction as integer", _set("scores.0.score", 2.5),
     "scores[0].score: expected an integer, got 2.5"),
    ("string as bool", _set("requirements.0.knockout", "no"),
     "requirements[0].knockout: expected true or false, got 'no'"),
    ("missing name", _delete("selection", "name"), "selection.name: required key is missing"),
    ("empty name", _set("selection.name", " "), "selection.name: must not be empty"),
    ("missing selection", lambda doc: doc.pop("selection"),
     "selection: required key is missing"),
    ("list expected", _set("scores", {}), "scores: expected a list, got an object"),
    ("object expected", _set("consensus.0", "polder"),
     "consensus[0]: expected an object, got 'polder'"),
    ("bad enum", _set("requirements.0.priority", "musst"),
     "requirements[0].priority: 'musst' is not one of: must, should, could, wont"),
    ("bad role", _set("members.6.role", "boss"),
     "members[6].role: 'boss' is not one of: facilitator, business, it, sponsor, observer"),
    ("bad language", _set("selection.language", "de"),
     "selection.language: 'de' is not one of: nl, en"),
    ("final weights on active categories all zero", _final_weights_on_inactive_categories,
     "category_weights_final: the points on the active categories add up to 0; give an "
     "active category points, or leave the final weights out"),
    ("final weights on an unknown category", _set("category_weights_final", {"salse": 1}),
     "category_weights_final.salse: unknown category 'salse'"),
    ("sponsor allocating points", _set("category_weights.0.member", "marloes@example.org"),
     "category_weights[0].member: 'marloes@example.org' is a sponsor; "
     "only business and it members allocate points"),
    ("facilitator allocating points", _set("category_weights.0.member", "fenna@example.org"),
     "category_weights[0].member: 'fenna@example.org' is a facilitator; "
     "only business and it members allocate points"),
    ("sponsor scoring", _set("scores.0.member", "marloes@example.org"),
     "scores[0].member: 'marloes@example.org' is a sponsor; "
     "only facilitator, business and it members score"),
    ("unknown member", _set("scores.0.member", "nobody@example.org"),
     "scores[0].member: unknown member 'nobody@example.org'"),
    ("unknown vendor", _set("scores.0.vendor", "acme"), "scores[0].vendor: unknown vendor 'acme'"),
    ("unknown raised_by", _set("requirements.2.raised_by", "x@example.org"),
     "requirements[2].raised_by: unknown member 'x@example.org'"),
    ("tco mismatch with costs", _tco_not_matching_costs,
     "vendors[0].tco: 182000 does not match the costs: implementation + tco_years * "
     "(licence_per_year + hosting_support_per_year) = 40000 + 5 * (20000 + 8000) = 180000"),
    ("costs missing a key", _set("vendors.0.costs", {
        "licence_per_year": 1, "implementation": 1, "hosting_support_per_year": 1}),
     "vendors[0].costs.contract_years: required key is missing"),
    ("tco of zero", _set("vendors.0.tco", 0), "vendors[0].tco: must be more than 0, got 0"),
    ("negative weight", _set("requirements.0.weight", -2),
     "requirements[0].weight: must be 0 or more, got -2"),
    ("price weight of 1", _set("selection.price_weight", 1),
     "selection.price_weight: must be at least 0 and less than 1, got 1"),
    ("group balance missing a key", _set("selection.group_balance", {"business": 1}),
     "selection.group_balance.it: required key is missing"),
    ("scale_max 0", _set("selection.scale_max", 0),
     "selection.scale_max: must be at least 1, got 0"),
    ("knock-out verdict on a wish", _set("knockouts.0.requirement", "BUS-SAL-01"),
     "knockouts[0].requirement: 'BUS-SAL-01' is not a knock-out (its knockout is false); "
     "a verdict needs a requirement with knockout true"),
    ("duplicate score triple", _append_copy("scores", 0),
     "scores[191]: duplicate score of 'bram@example.org' for vendor 'northwind' on "
     "requirement 'BUS-SAL-01' (also scores[0])"),
    ("duplicate consensus", _append_copy("consensus", 0),
     "consensus[1]: duplicate consensus for vendor 'polder' on requirement 'IT-STD-01' "
     "(also consensus[0])"),
    ("duplicate verdict", _append_copy("knockouts", 0),
     "knockouts[5]: duplicate verdict for vendor 'northwind' on requirement 'IT-HST-01' "
     "(also knockouts[0])"),
    ("duplicate points", _append_copy("category_weights", 0),
     "category_weights[50]: duplicate points of 'bram@example.org' for category 'sales' "
     "(also category_weights[0])"),
    ("duplicate email in another case", _member_email_twice,
     "members[7].email: duplicate email 'bram@example.org' (also members[1])"),
    ("not an e-mail address", _set("members.0.email", "fenna"),
     "members[0].email: 'fenna' is not an e-mail address"),
    ("consensus without rationale", _set("consensus.0.rationale", ""),
     "consensus[0].rationale: must not be empty"),
    ("null where text is expected", _set("vendors.0.notes", None),
     "vendors[0].notes: expected a string, got null"),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(mutate, expected, id=name) for name, mutate, expected in REFUSALS],
)
def test_refusal_names_the_place(
    example: Doc, mutate: Callable[[Doc], None], expected: str
) -> None:
    mutate(example)
    assert problems_of(example) == [expected]


def test_all_problems_are_reported_at_once_in_file_order(example: Doc) -> None:
    example["scores"][12]["score"] = 7
    example["requirements"][7]["category"] = "salse"
    example["vendors"][2]["prize"] = 1
    example["selection"]["price_weight"] = -0.5
    example["requirements"][3]["code"] = example["requirements"][1]["code"]
    problems = problems_of(example)
    expected = [
        "selection.price_weight: must be at least 0 and less than 1, got -0.5",
        "requirements[3].code: duplicate code 'BUS-SAL-02' (also requirements[1])",
        "requirements[7].category: unknown category 'salse'",
        "vendors[2].prize: unknown key",
        "scores[12].score: 7 is outside 0..5",
    ]
    assert [p for p in problems if p in expected] == expected
    # BUS-MKT-01 is gone, so the scores on it name an unknown requirement.
    others = [p for p in problems if p not in expected]
    assert others
    assert all(p.endswith(": unknown requirement 'BUS-MKT-01'") for p in others)
    with pytest.raises(SelectionFileError) as refused:
        validate(example)
    assert str(refused.value) == "\n".join(problems)


def test_wrong_format_and_version_are_reported_alone(example: Doc) -> None:
    """Another format follows other rules; its other keys would only bury the message."""
    example["format"] = "selector/ranking"
    example["version"] = 3
    example["prize"] = 1
    assert problems_of(example) == [
        "format: expected 'selector/selection', got 'selector/ranking'",
        "version: this file has version 3, newer than this Selector understands (1); "
        "upgrade Selector",
    ]


def test_top_level_must_be_an_object() -> None:
    assert problems_of([]) == ["the top level must be an object, got a list"]


# --- reading files ----------------------------------------------------------------------


def _read(tmp_path: Path, content: bytes) -> list[str]:
    path = tmp_path / "selection.json"
    path.write_bytes(content)
    with pytest.raises(SelectionFileError) as refused:
        read_selection_file(path)
    return refused.value.problems


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param(b"  \n", "the file is empty", id="white space only"),
        pytest.param(
            b'{\n  "format": "selector/selection",\n  "version" 1\n}',
            "not valid JSON: line 3, column 13: Expecting ':' delimiter",
            id="invalid JSON",
        ),
        pytest.param(b"[]", "the top level must be an object, got a list", id="top-level list"),
        pytest.param(
            b'{"format": "selector/selection", "version": 1, "selection": {"name": "\xff"}}',
            "the file is not valid UTF-8 text (byte 0xff on line 1, column 71)",
            id="invalid UTF-8",
        ),
        pytest.param(
            b'{"format": "selector/selection", "format": "x"}',
            "not valid JSON for Selector: the key 'format' appears twice in one object",
            id="repeated key",
        ),
        pytest.param(
            b'{"format": "selector/selection", "version": 1, "selection": {"name": "x",'
            b' "price_weight": NaN}}',
            "selection.price_weight: expected a number, got NaN",
            id="NaN literal",
        ),
    ],
)
def test_unreadable_file_is_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    assert _read(tmp_path, content) == [expected]


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selection_file, "MAX_BYTES", 1024 * 1024)
    problems = _read(tmp_path, b" " * (1024 * 1024 + 1))
    assert problems == ["the file is larger than 1 MB, the limit for a selection file"]


def test_missing_file_is_a_selection_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(SelectionFileError) as refused:
        read_selection_file(path)
    assert refused.value.problems == [f"cannot read {path}: No such file or directory"]


def test_upload_as_text_is_parsed(example: Doc) -> None:
    assert parse_selection_json(json.dumps(example)) == validate(example)
