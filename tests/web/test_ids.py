"""One reading of row ids (`selector.domain.limits.parse_id`) in URLs, forms and JSON:
a route, a form and the scoring endpoint take and refuse exactly what it does."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from selector.domain.limits import parse_id
from selector.forms.requirements import FilterForm
from selector.forms.requirements import RequirementForm
from selector.models import Score
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import build_world
from tests.web.scoring_world import post_json
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in

# What a URL segment can hold: the converter sees only ASCII digits, so the others
# are checked by `parse_id` alone (test_limits).
SEGMENTS = ["1", "7", "007", "0", "000", "2147483647", "2147483648", "9" * 40,
            "0" * 50 + "12", "٣", "１", "²"]


@pytest.mark.parametrize("segment", SEGMENTS)
def test_a_route_reads_its_id_as_parse_id(app, segment):
    urls = app.url_map.bind("localhost")
    try:
        endpoint, values = urls.match(f"/selections/{segment}")
    except NotFound:
        found = None
    else:
        assert endpoint == "selections.overview"
        found = values["selection_id"]
    assert found == parse_id(segment)


def test_a_selection_is_found_by_its_digits_only(app, dbs):
    world = build_world(dbs)
    bram = signed_in(app, BRAM)
    sid = str(world.selection)
    assert bram.get(f"/selections/{sid}").status_code == 200
    assert bram.get(f"/selections/00{sid}").status_code == 200
    arabic_indic = sid.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert bram.get(f"/selections/{arabic_indic}").status_code == 404


def test_the_forms_read_ids_and_versions_as_parse_id(app):
    with app.test_request_context():
        form = RequirementForm(formdata=None)
        for given in ("+7", "-7", "7.0", "", "2147483648"):
            form.version.data = given
            assert form.expected_version() is None, given
        form.version.data = " 7 "
        assert form.expected_version() == 7
        filters = FilterForm(MultiDict({"category": " 12 ", "raised_by": "²"}))
        wanted = filters.to_filter()
        assert (wanted.category_id, wanted.raised_by) == (12, None)
        choice = RequirementForm(MultiDict({"category_id": "+3"}), meta={"csrf": False})
        choice.category_id.choices = [(3, "Sales")]
        choice.validate()
        assert choice.category_id.data is None
        assert "category_id" in choice.errors


def test_the_scoring_endpoint_refuses_what_names_no_row(app, dbs, world_in_scoring):
    world = world_in_scoring
    bram = signed_in(app, BRAM)
    declared = bram.post(sheet_url(world) + "/conflict", {"conflict": "none"})
    assert declared.status_code == 302
    wish = world.requirements["BUS-SAL-01"]
    unreadable = "The request could not be read. Reload the page."
    for body in ({"requirement_id": 2**31, "score": 3},
                 {"requirement_id": True, "score": 3},
                 {"requirement_id": "٣", "score": 3},
                 {"requirement_id": wish, "score": 3, "version": 0},
                 {"requirement_id": wish, "score": 3, "version": "+1"},
                 {"requirement_id": wish, "score": 3, "version": 2**31}):
        response = post_json(bram, sheet_url(world) + "/scores", body)
        assert (response.status_code, response.json["error"]) == (400, unreadable), body
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Score)) == 0
    saved = post_json(bram, sheet_url(world) + "/scores",
                      {"requirement_id": wish, "score": 3, "version": None})
    assert (saved.status_code, saved.json["version"]) == (200, 1)


@pytest.fixture
def world_in_scoring(dbs):
    return build_world(dbs, "scoring")
