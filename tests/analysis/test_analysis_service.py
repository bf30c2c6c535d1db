"""The analysis service on the worked example: every figure is the engine's."""

from __future__ import annotations

import math

import pytest

from selector.domain import method
from selector.models import Selection
from selector.services import analysis
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from tests.conftest import assert_ranking_matches


@pytest.fixture
def example(db, example_id):
    with db.transaction(write=False) as session:
        row = session.get(Selection, example_id)
        return analysis.analyse(session, row)


def test_one_load_one_rank_gives_the_expected_ranking(example, expected_ranking):
    assert_ranking_matches(example.ranking, expected_ranking)
    assert example.language == "en"
    assert example.winner.key == "northwind"
    assert [v.key for v in example.contenders] == ["northwind", "tulip"]


def test_ranking_rows_follow_the_document(example):
    rows = analysis.ranking_rows(example)
    doc = example.ranking
    assert [r.key for r in rows] == ["northwind", "tulip", "polder"]
    for row, vendor in zip(rows, doc["vendors"], strict=True):
        assert row.rank == vendor["rank"]
        assert row.total == vendor["total"]
        assert row.quality == vendor["quality"]
        assert row.coverage == vendor["coverage"]
        assert row.price_score is None
        assert row.p_first == doc["sensitivity"]["p_first"][row.key]
        # The stacked bar adds up to the total: W(c) * S(v, c) per category.
        assert math.isclose(sum(row.contributions.values()), row.total, abs_tol=1e-9)
        assert set(row.contributions) == set(doc["category_weights"])
    assert rows[2].excluded and rows[2].knockouts_failed == ("IT-BRW-01",)
    assert rows[1].knockouts_unverified == ("IT-BRW-01",)


def test_charts_carry_the_document_numbers(example):
    chart = analysis.contribution_chart(example)
    assert [b.label for b in chart.bars] == [
        "Northwind CRM", "Tulip Cloud CRM", "PolderSuite (excluded)"
    ]
    assert chart.bars[0].total == example.vendors[0]["total"]
    heat = analysis.heat_map_chart(example)
    assert heat.rows[0] == "Sales & leads"
    assert heat.columns == ("Northwind CRM", "Tulip Cloud CRM", "PolderSuite")
    assert heat.values[8][0] == example.vendors[0]["category_scores"]["backup"]


def test_category_detail_adds_up_to_the_category_score(db, example):
    with db.transaction(write=False) as session:
        detail = analysis.category_detail(session, example, "standards")
    assert detail.name == "Standards & compliance"
    assert [r.code for r in detail.requirements] == ["IT-STD-01", "IT-STD-02"]
    scale = example.model.scale_max
    for index, vendor in enumerate(example.vendors):
        recomputed = sum(
            r.within * (r.cells[index].aggregated or 0.0) * 100 / scale
            for r in detail.requirements
        )
        assert math.isclose(recomputed, detail.scores[vendor["key"]], abs_tol=1e-9)
    std01 = detail.requirements[0]
    polder = next(c for c in std01.cells if c.vendor == "polder")
    assert polder.consensus is not None and polder.consensus.score == 4
    assert polder.aggregated == 4.0  # the consensus replaces the members' mean
    assert {m.name for m in polder.members} == {"Ingrid Visser", "Koen Smit"}
    assert std01.weight == example.ranking["requirement_weights"]["IT-STD-01"]
    assert set(detail.vendor_ids) == {"northwind", "polder", "tulip"}


def test_category_detail_refuses_an_unknown_or_inactive_category(db, example):
    with db.transaction(write=False) as session, pytest.raises(NotFound):
        analysis.category_detail(session, example, "nonsense")


def test_knockout_matrix_states_and_evidence(example):
    matrix = analysis.knockout_matrix(example, ranked=True)
    assert [k.code for k in matrix.knockouts] == ["IT-HST-01", "IT-BRW-01"]
    assert [v["key"] for v in matrix.vendors] == ["northwind", "tulip", "polder"]
    assert matrix.cells[("polder", "IT-BRW-01")].state == "failed"
    assert matrix.cells[("polder", "IT-BRW-01")].evidence.startswith("Requires IE mode")
    assert matrix.cells[("tulip", "IT-BRW-01")].state == "unverified"
    assert matrix.cells[("northwind", "IT-HST-01")].state == "passed"
    blind = analysis.knockout_matrix(example, ranked=False)
    assert [v["name"] for v in blind.vendors] == ["Northwind CRM", "PolderSuite", "Tulip Cloud CRM"]


def test_perspectives_are_the_ranked_selections_with_the_weights_beside(example):
    views = analysis.perspectives(example)
    assert views == example.ranked.perspectives and views.agreement == "disagree"
    chart = analysis.weights_chart(example)
    assert chart is not None
    assert [s.label for s in chart.series] == ["Business", "IT", "Joint weight"]


def test_sensitivity_flip_points_nearest_first(example):
    result = analysis.sensitivity(example)
    assert [f.category for f in result.flips] == ["backup", "security", "hosting"]
    backup = result.flips[0]
    assert backup.direction == "above"
    assert backup.threshold == example.ranking["flip"]["backup"]["threshold"]
    assert backup.weight == example.ranking["category_weights"]["backup"]
    assert backup.new_winner_name == "Tulip Cloud CRM"
    assert "Sales & leads" in result.stable and len(result.stable) == 7
    assert [r[0] for r in result.p_first] == ["northwind", "tulip", "polder"]
    assert result.p_first[2][2] == 0.0


def test_what_if_is_the_engine_and_refuses_bad_weights(example):
    equal = {key: 1.0 for key in example.weights}
    rows = analysis.what_if(example, equal)
    assert rows == method.what_if_totals(example.ranking, equal, 0.0)
    with pytest.raises(ServiceError) as refused:
        analysis.what_if(example, {key: 0.0 for key in example.weights})
    assert refused.value.field == "weights"
    with pytest.raises(ServiceError) as refused:
        analysis.what_if(example, equal, 1.0)
    assert refused.value.field == "price_weight"
    # With a price weight the engine's price scores come in (P = 100 * lowest / TCO).
    priced = analysis.what_if(example, equal, 0.3)
    prices = method.price_scores(example.model)
    assert {r["key"]: r["price_score"] for r in priced} == prices


def test_what_if_model_leaves_prices_out_unless_allowed(example):
    blind = analysis.what_if_model(example, with_prices=False)
    assert all(v["price_score"] is None for v in blind["vendors"])
    assert blind["prices"] is False
    model = analysis.what_if_model(example, with_prices=True)
    assert [c["key"] for c in model["categories"]] == list(example.weights)
    assert model["vendors"][0]["category_scores"] == example.vendors[0]["category_scores"]
    assert model["vendors"][0]["price_score"] == 100.0 * min(
        v.tco for v in example.model.vendors if v.key != "polder"
    ) / next(v.tco for v in example.model.vendors if v.key == "northwind")


def test_panel_health_is_the_engine_with_assignments(db, example):
    with db.transaction(write=False) as session:
        health = analysis.panel_health(session, example)
    assert health.members == tuple(method.panel_health(example.model, {}))
    # Business and IT members always; the facilitator only after scoring something.
    assert {m.role for m in health.members} <= {"business", "it", "facilitator"}
    assert {m.name for m in health.members} >= {
        "Bram Jansen", "Sanne Bakker", "Youssef El Amrani", "Ingrid Visser", "Koen Smit"
    }
    spreads = [s for s in method.disagreement(example.model) if s.range > 0]
    assert health.disagreements == tuple(spreads[: analysis.DISAGREEMENT_ITEMS])
    assert health.discussion_points == sum(1 for s in spreads if s.discussion_point)
    assert health.extremes == (0, 1, 5)


def test_assignments_override_the_role_default(db, example_id):
    from selector.models import Account
    from selector.models import Assignment
    from selector.models import Category
    from selector.models import Membership

    with db.transaction() as session:
        bram = session.query(Membership).join(Account).filter(
            Account.email == "bram@example.org", Membership.selection_id == example_id
        ).one()
        cats = {c.key: c.id for c in session.query(Category).filter_by(selection_id=example_id)}
        session.add(Assignment(membership_id=bram.id, category_id=cats["backup"], assigned=True))
        session.add(Assignment(membership_id=bram.id, category_id=cats["sales"], assigned=False))
    with db.transaction(write=False) as session:
        row = session.get(Selection, example_id)
        result = analysis.analyse(session, row)
        assigned = analysis.assignments(session, result)
        health = analysis.panel_health(session, result)
    assert assigned == {
        "bram@example.org": {"marketing", "service", "customer_view", "reporting", "backup"}
    }
    bram_health = next(m for m in health.members if m.member == "bram@example.org")
    assert "backup" in bram_health.categories and "sales" not in bram_health.categories


def test_a_refused_selection_is_a_service_error(db, example_id):
    from selector.models import Category
    from selector.models import FinalWeight

    with db.transaction() as session:
        cat = session.query(Category).filter_by(selection_id=example_id, key="sales").one()
        session.add(FinalWeight(selection_id=example_id, category_id=cat.id, points=0.0))
    with db.transaction(write=False) as session:
        row = session.get(Selection, example_id)
        with pytest.raises(ServiceError) as refused:
            analysis.analyse(session, row)
    assert "cannot be computed" in str(refused.value.message)


def test_the_loader_is_called_once(db, example_id, monkeypatch):
    from selector.services import ranking

    calls = []
    real = ranking.load_selection

    def counting(session, sid, **options):
        calls.append(sid)
        return real(session, sid, **options)

    monkeypatch.setattr(ranking, "load_selection", counting)
    with db.transaction(write=False) as session:
        row = session.get(Selection, example_id)
        result = analysis.analyse(session, row)
        analysis.ranking_rows(result)
        analysis.sensitivity(result)
        analysis.perspectives(result)
    assert calls == [example_id]
