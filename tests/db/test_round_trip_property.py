"""Property: import then export gives back the input, for many variants of the example."""

from __future__ import annotations

import copy
import json
import uuid

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from selector.files.selection_file import canonical
from selector.files.selection_file import validate
from selector.services.selection_file import export_selection
from selector.services.selection_file import import_selection
from tests.conftest import EXAMPLE

BASE = json.loads(EXAMPLE.read_text(encoding="utf-8"))


@st.composite
def variants(draw):
    """The example with a random subset of scores, changed scores, texts and settings."""
    doc = copy.deepcopy(BASE)
    keep = draw(st.lists(st.booleans(), min_size=len(doc["scores"]), max_size=len(doc["scores"])))
    doc["scores"] = [s for s, k in zip(doc["scores"], keep, strict=True) if k]
    for s in doc["scores"]:
        s["score"] = draw(st.integers(0, 5)) if draw(st.booleans()) else s["score"]
        s["comment"] = draw(st.sampled_from(["", "Seen in the demo.", "Ëén <b>&amp;</b> '=1+1"]))
    doc["selection"]["price_weight"] = draw(st.sampled_from([0.0, 0.2, 0.35]))
    doc["selection"]["tco_years"] = draw(st.integers(1, 10))
    doc["selection"]["group_balance"] = {
        "business": draw(st.sampled_from([0.5, 0.7, 1.0])),
        "it": draw(st.sampled_from([0.5, 0.3, 0.0])),
    }
    for r in doc["requirements"]:
        r["status"] = draw(st.sampled_from(["accepted", "accepted", "proposed", "deferred"]))
        r["weight"] = draw(st.sampled_from([None, None, 0, 2.5]))
    if draw(st.booleans()):
        doc["category_weights_final"] = {c["key"]: 10 for c in doc["categories"]}
    if draw(st.booleans()):
        doc["vendors"][0]["withdrawn"] = True
    draw(st.randoms()).shuffle(doc["scores"])
    return doc


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=variants())
def test_import_then_export_gives_back_the_input(db, doc):
    doc["selection"]["name"] = f"variant {uuid.uuid4().hex[:8]}"
    valid = validate(doc)
    with db.transaction() as session:
        selection_id = import_selection(session, valid)
    with db.transaction(write=False) as session:
        exported = export_selection(session, selection_id)
    assert canonical(validate(exported)) == canonical(valid)
