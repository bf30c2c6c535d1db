"""Selection file, method 1.1 and the decision (formats.md): price settings,
`recommendation` and `decision`; impossible values refused whole, naming the place."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from selector.files.selection_file import SelectionFileError
from selector.files.selection_file import canonical
from selector.files.selection_file import validate

EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "data" / "crm-selection.json").read_text("utf-8"))
SPONSOR = "marloes@example.org"


def example(**selection: Any) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    doc["selection"].update(selection)
    return doc


def problems_of(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(SelectionFileError) as refused:
        validate(doc)
    return refused.value.problems


def decided(**decision: Any) -> dict[str, Any]:
    doc = example()
    doc["decision"] = {"verdict": "approved", "vendor": "northwind", "by": SPONSOR,
                       "reason": "Best fit at an acceptable price.", "date": "2026-12-01",
                       **decision}
    return doc


def test_every_price_setting_recommendation_and_decision_are_kept() -> None:
    doc = decided()
    doc["selection"].update(price_method="linear_fixed", price_full=80_000, price_zero=250_000,
                            price_weight=0.3, quality_threshold=55, log_factor=2.5,
                            quality_value=100_000)
    doc["recommendation"] = "We recommend Northwind.\n\nIts service module fits best."
    result = validate(doc)
    assert {k: result["selection"][k] for k in (
        "price_method", "price_full", "price_zero", "log_factor", "quality_value",
        "quality_threshold")} == {
        "price_method": "linear_fixed", "price_full": 80_000, "price_zero": 250_000,
        "log_factor": 2.5, "quality_value": 100_000, "quality_threshold": 55}
    assert result["recommendation"] == doc["recommendation"]
    assert result["decision"] == doc["decision"]
    assert canonical(result) == canonical(doc)


@pytest.mark.parametrize(("settings", "problem"), [
    ({"price_method": "log", "log_factor": 1},
     "selection.log_factor: the log factor must be more than 1"),
    ({"price_method": "log"}, "selection.log_factor: the price method log needs log_factor"),
    ({"price_method": "linear_fixed", "price_full": 300_000, "price_zero": 100_000},
     "selection.price_zero: the price that earns no points must be higher"),
    ({"price_method": "value", "quality_value": -1},
     "selection.quality_value: the value of perfect quality must be more than 0"),
    ({"quality_threshold": 101}, "selection.quality_threshold: the quality threshold must be"),
    ({"price_method": "cheapest"}, "selection.price_method: 'cheapest' is not one of"),
    ({"log_factor": "two"}, "selection.log_factor: expected a number or null, got 'two'"),
])
def test_impossible_price_settings_are_refused(settings: dict[str, Any], problem: str) -> None:
    problems = problems_of(example(**settings))
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_value_needs_costs_of_every_vendor_not_withdrawn() -> None:
    doc = example(price_method="value", quality_value=100_000)
    doc["vendors"][1]["tco"] = None
    doc["vendors"][1].pop("costs", None)
    assert problems_of(doc) == [
        "vendors[1].tco: the price method value needs the costs of every vendor that is not "
        "withdrawn; give this vendor its costs or a tco"]
    doc["vendors"][1]["withdrawn"] = True
    assert validate(doc)["vendors"][1]["withdrawn"] is True


@pytest.mark.parametrize(("decision", "problem"), [
    ({"by": "fenna@example.org"},
     "decision.by: 'fenna@example.org' is a facilitator; only sponsor members decide"),
    ({"by": "nobody@example.org"}, "decision.by: unknown member 'nobody@example.org'"),
    ({"vendor": None}, "decision.vendor: an approval names the vendor chosen"),
    ({"vendor": "acme"}, "decision.vendor: unknown vendor 'acme'"),
    ({"verdict": "maybe"}, "decision.verdict: 'maybe' is not one of"),
    ({"reason": " "}, "decision.reason: must not be empty"),
    ({"date": "2026-02-30"}, "decision.date: '2026-02-30' is not a date written YYYY-MM-DD"),
    ({"date": "1-12-2026"}, "decision.date: '1-12-2026' is not a date written YYYY-MM-DD"),
])
def test_a_wrong_decision_is_refused(decision: dict[str, Any], problem: str) -> None:
    problems = problems_of(decided(**decision))
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_a_rejection_may_name_no_vendor() -> None:
    assert validate(decided(verdict="rejected", vendor=None))["decision"]["vendor"] is None
