"""The ranking service: one load and one rank for every view, one way to refuse."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from flask import Flask
from flask_babel import Babel
from flask_babel import force_locale

from selector.files.selection_file import validate
from selector.files.to_domain import selection_from_file
from selector.models import Category
from selector.models import FinalWeight
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.ranking import RankingUnavailable
from selector.services.ranking import rank_selection
from selector.services.ranking import ranked_selection
from selector.translations import CATALOGUES
from selector.translations import compile_catalogues
from tests.conftest import assert_ranking_matches


def test_a_stored_selection_ranks_as_its_file(db, example_id, example_doc, expected_ranking):
    with db.transaction(write=False) as session:
        stored = ranked_selection(session, example_id)
    assert_ranking_matches(stored.ranking, expected_ranking)
    from_file = rank_selection(selection_from_file(validate(example_doc)))
    assert stored.ranking == from_file.ranking
    assert stored.flip_points == from_file.flip_points
    assert stored.knockout_matrix == from_file.knockout_matrix


def test_one_draw_where_only_the_order_counts(db, example_id):
    with db.transaction(write=False) as session:
        brief = ranked_selection(session, example_id, comments=False, draws=1)
    assert brief.ranking["sensitivity"]["draws"] == 1
    assert [r.key for r in brief.rows] == ["northwind", "tulip", "polder"]


def test_a_selection_that_does_not_exist(db):
    with db.transaction(write=False) as session, pytest.raises(NotFound) as missing:
        ranked_selection(session, 999)
    assert str(missing.value.message) == "There is no selection 999."


@pytest.fixture
def no_points(db, example_id):
    """Final weights that give the active categories 0 points: the method refuses."""
    with db.transaction() as session:
        for category in session.query(Category).filter_by(selection_id=example_id):
            session.add(FinalWeight(selection_id=example_id, category_id=category.id,
                                    points=0.0))
    return example_id


def test_a_refusal_says_why_and_names_the_setting(db, no_points):
    with db.transaction(write=False) as session, pytest.raises(RankingUnavailable) as refused:
        ranked_selection(session, no_points)
    assert isinstance(refused.value, ServiceError)
    assert refused.value.field == "category_weights_final"
    assert str(refused.value.message) == (
        "The ranking cannot be computed: the final weights give the active categories "
        "0 points in total; set them again"
    )


def test_a_refusal_is_translated_where_it_is_shown(db, no_points, tmp_path):
    with db.transaction(write=False) as session, pytest.raises(RankingUnavailable) as refused:
        ranked_selection(session, no_points)
    compile_catalogues(CATALOGUES, tmp_path)  # a fresh checkout has no .mo files
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path)
    Babel(app)
    with app.test_request_context(), force_locale("nl"):
        assert str(refused.value.message).startswith("De rangorde kan niet worden berekend: ")


def test_the_service_loads_neither_sqlalchemy_nor_flask():
    """`selector rank` imports it on every start (decisions.md, "Command line")."""
    script = (
        "import json, sys\n"
        "import selector.services.ranking\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'flask', 'flask_babel', 'sqlalchemy'})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == []


def test_value_for_money_with_a_vendor_without_costs_names_the_vendor(db, example_id, tmp_path):
    """The price settings page refuses `value` while a vendor has no costs; a vendor added
    without costs afterwards makes the ranking say which vendor, in the reader's language."""
    from selector.models import Selection
    from selector.models import Vendor

    with db.transaction() as session:
        selection = session.get(Selection, example_id)
        selection.price_method, selection.quality_value = "value", 100_000.0
        session.add(Vendor(selection_id=example_id, key="zeta", name="Zeta CRM"))
    with db.transaction(write=False) as session, pytest.raises(RankingUnavailable) as refused:
        ranked_selection(session, example_id)
    assert refused.value.field == "price_method"
    assert str(refused.value.message) == (
        "The ranking cannot be computed: the vendor Zeta CRM has no costs yet, and the price "
        "method value for money needs the costs of every vendor; enter them, or choose "
        "another price method")
    compile_catalogues(CATALOGUES, tmp_path)
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path)
    Babel(app)
    with app.test_request_context(), force_locale("nl"):
        assert "de leverancier Zeta CRM heeft nog geen kosten" in str(refused.value.message)
