"""The report data function on its own: facts and sentences from the ranking document."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from selector.domain.method import rank
from selector.domain.ranked import RankedSelection
from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.report.build import build_report_data
from selector.report.pdf import render_pdf
from selector.report.process_record import AuditChange
from selector.report.process_record import AuditCount
from selector.report.process_record import PhaseChange
from selector.report.process_record import ProcessInfo
from selector.report.process_record import late_changes
from selector.services.ranking import rank_selection
from tests.report.helpers import EXAMPLE

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def example():
    doc = validate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    selection = selection_from_file(doc)
    return doc, rank(selection), selection


@pytest.fixture(scope="module")
def report(example):
    doc, ranking, selection = example
    return build_report_data(doc, RankedSelection(selection, ranking), today=TODAY)


def by_key(ranking, key):
    return next(v for v in ranking["vendors"] if v["key"] == key)


def test_the_summary_takes_its_numbers_from_the_ranking(example, report):
    _, ranking, _ = example
    summary = report.summary
    assert summary.recommended.key == "northwind"
    assert summary.recommended.name == "Northwind CRM"
    assert summary.runner_up.key == "tulip"
    northwind, tulip = by_key(ranking, "northwind"), by_key(ranking, "tulip")
    assert summary.margin == northwind["total"] - tulip["total"]
    assert summary.margin == pytest.approx(70.88570977633478 - 67.64457070707071, abs=1e-9)
    assert summary.p_first == ranking["sensitivity"]["p_first"]["northwind"]
    assert summary.knockouts_total == 2 and summary.knockouts_passed == 2
    assert summary.perspectives_agree is False
    # The lead is built where Northwind's contribution beats Tulip's most.
    weights = ranking["category_weights"]
    lead = {
        c: weights[c] * (northwind["category_scores"][c] - tulip["category_scores"][c])
        for c in weights
    }
    expected = sorted((c for c in lead if lead[c] > 0.05), key=lambda c: -lead[c])[:3]
    assert [x.key for x in summary.leading] == expected
    assert summary.leading[0].difference == pytest.approx(lead[expected[0]], abs=1e-12)
    assert {x.key for x in summary.trailing} == {"backup", "security", "hosting"}


def test_the_argument_is_written_from_the_data(report):
    text = " ".join(report.summary.argument)
    assert "Northwind CRM scores 70.9 out of 100, 3.2 points ahead of Tulip Cloud CRM (67.6)." \
        in text
    assert "Northwind CRM passed all 2 knock-outs." in text
    assert ("PolderSuite is excluded because it failed knock-out IT-BRW-01 (Works in the two "
            "latest versions of Edge, Chrome and Firefox): “Requires IE mode for the planning "
            "module.”") in text
    assert "On its scores alone it would have come first (72.9 against 70.9)." in text
    assert "Business and IT disagree on the winner" in text
    assert ("Northwind CRM stays first unless the weight of Back-up & recovery rises above 23% "
            "(now 10%); then Tulip Cloud CRM comes first.") in text
    assert report.summary.attention == (
        "Tulip Cloud CRM: knock-out IT-BRW-01 (Works in the two latest versions of Edge, "
        "Chrome and Firefox) has not been verified yet.",
    )


def test_flip_points_are_sentences_with_the_direction(example, report):
    _, ranking, _ = example
    flips = {f.category: f for f in report.robustness.flips}
    assert set(flips) == {k for k, v in ranking["flip"].items() if v}
    backup = flips["backup"]
    assert backup.threshold == ranking["flip"]["backup"]["threshold"]
    assert backup.direction == "above"
    assert backup.new_winner == "Tulip Cloud CRM"
    assert backup.sentence.startswith(
        "Northwind CRM stays first unless the weight of Back-up & recovery rises above 23% "
        "(now 10%)"
    )
    assert "Sales & leads" in report.robustness.stable


def test_weights_show_business_beside_it_and_the_divergence(example, report):
    _, ranking, _ = example
    rows = {r.key: r for r in report.weights.rows}
    assert list(rows) == list(ranking["category_weights"])
    for key, weight in ranking["category_weights"].items():
        assert rows[key].final == weight
        assert rows[key].joint == pytest.approx(weight)  # no final weights in the example
        assert rows[key].difference == pytest.approx(rows[key].business - rows[key].it)
    flagged = {r.key for r in report.weights.rows if r.discussion_point}
    assert flagged == {"marketing", "service"}
    assert len(report.weights.divergence) == 2
    assert not report.weights.uses_final


def test_the_vendor_profile_weighs_requirements(example, report):
    _, ranking, selection = example
    profile = next(p for p in report.profiles if p.key == "northwind")
    top = profile.strongest[0]
    weight = ranking["requirement_weights"][top.code]
    assert top.points == pytest.approx(weight * top.score / selection.scale_max * 100)
    assert top.code == "BUS-CV-01"
    assert top.score == pytest.approx(4.0)
    assert all(a.points >= b.points for a, b in zip(profile.strongest, profile.strongest[1:],
                                                   strict=False))
    worst = profile.weakest[0]
    assert worst.code == "IT-BCK-01"
    assert worst.missed == pytest.approx(
        ranking["requirement_weights"]["IT-BCK-01"] * (1 - 2.5 / 5) * 100
    )
    assert {s.code for s in profile.strongest}.isdisjoint({w.code for w in profile.weakest})
    assert sum(c.points for c in profile.categories) == pytest.approx(
        by_key(ranking, "northwind")["total"]
    )


def test_quotes_are_attributed_by_role(report):
    polder = next(p for p in report.profiles if p.key == "polder")
    assert polder.quotes[0].attribution == "the consensus meeting"
    assert polder.quotes[0].code == "IT-STD-01"
    attributions = {q.attribution for p in report.profiles for q in p.quotes}
    assert attributions <= {
        "the consensus meeting", "a business member", "an IT member", "the facilitator",
        "2 business members", "2 IT members", "a business member and an IT member",
    }
    names = ("Bram", "Sanne", "Youssef", "Ingrid", "Koen", "Fenna")
    assert not any(n in q.attribution for p in report.profiles for q in p.quotes for n in names)


def test_profiles_show_knockouts_and_risks(report):
    tulip = next(p for p in report.profiles if p.key == "tulip")
    states = {k.code: k.state for k in tulip.knockouts}
    assert states == {"IT-HST-01": "passed", "IT-BRW-01": "unverified"}
    assert any("IT-BRW-01" in risk and "not been verified" in risk for risk in tulip.risks)
    polder = next(p for p in report.profiles if p.key == "polder")
    assert polder.standing == "excluded"
    evidence = {k.code: k.evidence for k in polder.knockouts}
    assert evidence["IT-BRW-01"] == "Requires IE mode for the planning module."


def test_results_and_appendix_cover_everything(example, report):
    doc, ranking, selection = example
    assert [v.key for v in report.results.ranking] == [v["key"] for v in ranking["vendors"]]
    # Price weight 0 in the example: the costs are there all the same, said not to count.
    assert not report.results.price.counts
    assert report.results.price.intro.startswith("Price did not count in the ranking")
    assert {p.key: p.tco for p in report.results.price.rows} == {
        "northwind": 182000.0, "tulip": 121000.0, "polder": 146000.0}
    cell = report.results.knockouts.cells[("polder", "IT-BRW-01")]
    assert (cell.state, cell.evidence) == ("failed", "Requires IE mode for the planning module.")
    assert report.results.knockouts.cells[("tulip", "IT-BRW-01")].state == "unverified"
    assert len(report.appendix.requirements) == len(doc["requirements"])
    row = next(r for r in report.appendix.requirements if r.code == "BUS-CV-01")
    assert row.weight == ranking["requirement_weights"]["BUS-CV-01"]
    assert row.scores[0] == pytest.approx(4.0)  # Northwind, first in rank order
    assert next(r for r in report.appendix.requirements if r.code == "BUS-RPT-03").weight is None
    counts = report.requirements.totals
    assert (counts.must, counts.should, counts.could, counts.knockouts, counts.not_counted) \
        == (7, 11, 4, 2, 1)
    assert [t.key for t in report.requirements.it_tables] == [
        "hosting", "standards", "browsers", "backup", "security"
    ]
    assert [a.anchor for a in report.method.scale] == [
        "absent", "poor", "partly", "meets", "meets well", "exceeds"
    ]


def test_dutch_is_dutch(example):
    doc, ranking, selection = example
    report = build_report_data(doc, RankedSelection(selection, ranking), language="nl",
                               today=TODAY)
    assert report.cover.title == "Selectierapport"
    assert report.cover.date == "23 november 2026"
    assert [a.anchor for a in report.method.scale] == [
        "afwezig", "slecht", "gedeeltelijk", "voldoet", "voldoet ruim", "overtreft"
    ]
    text = " ".join(report.summary.argument)
    assert "Northwind CRM scoort 70,9 van de 100 punten, 3,2 punten meer dan Tulip Cloud CRM " \
        "(67,6)." in text
    assert "Business en IT verschillen van mening over de winnaar" in text
    assert "tot boven 23% (nu 10%)" in text
    assert report.sign_off.statement.startswith("De selectiecommissie beveelt Northwind CRM aan.")


def test_without_a_process_record_the_report_says_where_it_is(report):
    assert not report.process.available
    assert report.process.notes and "selection file" in report.process.notes[0]
    assert not report.open_points.changes_known
    assert report.cover.status == "draft"
    assert report.cover.date == "23 November 2026"
    assert report.summary.decision_record is None


def test_the_process_record_adds_phases_freezes_and_late_changes(example):
    doc, ranking, selection = example
    start = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    frozen = start + timedelta(days=20)
    process = ProcessInfo(
        status="final",
        issued_at=start + timedelta(days=60),
        phase="decision",
        recommendation="Choose Northwind; verify Tulip's browser support anyway.",
        decision_context="The old CRM runs out of support in 2027.",
        decision="Northwind CRM",
        phases=(
            PhaseChange(start, "requirements"),
            PhaseChange(start + timedelta(days=10), "weighting"),
            PhaseChange(frozen, "scoring"),
            PhaseChange(start + timedelta(days=25), "weighting", "One weight was entered wrong."),
            PhaseChange(start + timedelta(days=26), "scoring"),
        ),
        requirements_frozen_at=frozen,
        weights_frozen_at=frozen,
        member_joined={"bram@example.org": start, "koen@example.org": frozen},
        changes=(
            AuditChange(frozen + timedelta(days=5), "phase", "selection", "x", "facilitator",
                        '{"phase": "scoring"}', '{"phase": "weighting"}', "One weight..."),
            AuditChange(frozen + timedelta(days=5, hours=1), "update", "allocation",
                        "bram@example.org · sales", "business", '{"points": 10}',
                        '{"points": 12}', "typo"),
            AuditChange(frozen + timedelta(days=6), "update", "score", "x", "it", "1", "2"),
            AuditChange(frozen - timedelta(days=1), "update", "requirement", "BUS-SAL-01",
                        "business"),
        ),
        audit_counts=(AuditCount("score", "create", 191), AuditCount("selection", "import", 1)),
    )
    report = build_report_data(doc, RankedSelection(selection, ranking), process=process,
                               today=TODAY)
    assert report.cover.status == "final"
    assert report.cover.date == "31 October 2026"
    assert report.summary.recommendation.startswith("Choose Northwind")
    assert report.summary.decision_record.context.startswith("The old CRM")
    assert [p.phase for p in report.process.phases] == [
        "Requirements", "Weighting", "Scoring", "Weighting", "Scoring"
    ]
    assert report.process.phases[3].note == "moved back: One weight was entered wrong."
    since = {m.name: m.since for m in report.process.members}
    assert since["Bram Jansen"] == "from the start"
    assert since["Koen Smit"] == "from the scoring phase (2026-09-21)"
    assert any("frozen on 21 September 2026" in f for f in report.process.freezes)
    changes = report.open_points.changes
    # In words, and by role: the allocation's key is the member's e-mail.
    assert [(c.what, c.change) for c in changes] == [
        ("selection", "moved back from the scoring phase to the weighting phase"),
        ("weight allocation of a business member", "points 10 → 12"),
    ]
    assert changes[1].by == "Business" and changes[1].reason == "typo"
    assert late_changes(process)[0].action == "phase"
    assert {(a.entity, a.action, a.count) for a in report.appendix.audit} == {
        ("score", "created", 191), ("selection", "imported", 1)
    }


def test_a_selection_without_vendors_or_weights_still_has_a_report(example):
    doc, _, selection = example
    empty = dataclasses.replace(selection, vendors=(), scores=(), consensus=(), verdicts=(),
                                allocations=())
    report = build_report_data(doc, rank_selection(empty), today=TODAY)
    assert report.summary.recommended is None
    assert report.summary.argument == (
        "The selection has no vendors, so there is nothing to recommend.",
    )
    assert report.profiles == ()
    assert report.sign_off.options == ("I ask the committee to continue, as described below.",)
    assert render_pdf(report).startswith(b"%PDF-")


def test_all_vendors_excluded(example):
    doc, _, selection = example
    failed = dataclasses.replace(
        selection,
        verdicts=tuple(
            dataclasses.replace(v, passed=False) for v in selection.verdicts
        ) + (dataclasses.replace(selection.verdicts[0], vendor="tulip", passed=False),),
    )
    ranking = rank(failed)
    report = build_report_data(doc, RankedSelection(failed, ranking), today=TODAY)
    assert report.summary.recommended is None
    assert report.summary.argument[0].startswith("No vendor can be recommended")
    assert all(p.standing == "excluded" for p in report.profiles)
    assert report.robustness.flips == ()
    assert render_pdf(report).startswith(b"%PDF-")


def test_a_single_vendor_in_the_running(example):
    doc, _, selection = example
    single = dataclasses.replace(
        selection, vendors=tuple(v for v in selection.vendors if v.key != "tulip")
    )
    report = build_report_data(doc, rank_selection(single), language="nl", today=TODAY)
    assert report.summary.recommended.key == "northwind" and report.summary.runner_up is None
    assert "enige leverancier die niet is uitgesloten" in report.summary.argument[0]
    assert render_pdf(report).startswith(b"%PDF-")


def test_price_and_tco_appear_when_price_counts(example):
    doc, _, selection = example
    priced = dataclasses.replace(selection, price_weight=0.2)
    doc = {**doc, "selection": {**doc["selection"], "price_weight": 0.2, "tco_years": 5}}
    ranking = rank(priced)
    report = build_report_data(doc, RankedSelection(priced, ranking), today=TODAY)
    price = report.results.price
    assert price is not None and price.price_weight == 0.2
    assert {p.key: p.tco for p in price.rows} == {"northwind": 182000.0, "tulip": 121000.0,
                                                  "polder": 146000.0}
    assert report.results.ranking[0].price_score is not None
    profile = report.profiles[0]
    total = next(v["total"] for v in ranking["vendors"] if v["key"] == profile.key)
    price_part = report.results.contributions[profile.key][None]
    assert sum(c.points for c in profile.categories) + price_part == pytest.approx(total)
    assert render_pdf(report).startswith(b"%PDF-")
