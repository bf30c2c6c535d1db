"""The example selection imported through the services (it lands in phase `decision`)."""

from __future__ import annotations

import pytest

from selector.files.selection_file import validate
from selector.services.selection_file import import_selection


@pytest.fixture
def example_id(db, example_doc):
    with db.transaction() as session:
        return import_selection(session, validate(example_doc))
