"""The report's "changes after the freeze", from changes made through the services: the
freeze itself is not one; a requirement and a category changed once scoring is open are,
and so is moving the selection back a phase."""

from __future__ import annotations

from selector.models import Category
from selector.models import Requirement
from selector.report.process_record import late_changes
from selector.services import requirements as requirement_service
from selector.services import selections
from selector.services.reports import process_info
from selector.services.weighting import freeze_weights
from tests.weighting.conftest import FENNA
from tests.weighting.conftest import acting


def test_changes_after_the_freeze_through_the_services(db, world):
    with acting(db, world, FENNA) as (session, selection, membership, account):
        freeze_weights(session, selection, membership, account)
    with db.transaction(write=False) as session:
        assert late_changes(process_info(session, world.selection)) == []  # the freeze

    with acting(db, world, FENNA) as (session, selection, membership, account):
        selections.change_phase(session, selection, account, "forward")
        assert selection.scoring_open
    with acting(db, world, FENNA) as (session, selection, membership, account):
        requirement = session.get(Requirement, next(iter(world.requirements.values())))
        values = requirement_service.RequirementFields.of(requirement)
        values.title = "A clearer title"
        assert requirement_service.update_requirement(
            session, requirement, account, "facilitator", values,
            expected_version=requirement.version, reason="The vendors asked what it means.")
        category = session.get(Category, world.categories["sales"])
        assert requirement_service.update_category(
            session, category, account, name="Sales and leads", domain=category.domain,
            reason="Clearer name.")
    with acting(db, world, FENNA) as (session, selection, membership, account):
        selections.change_phase(session, selection, account, "back", "One weight was wrong.")

    with db.transaction(write=False) as session:
        listed = late_changes(process_info(session, world.selection))
    assert [(c.entity, c.action) for c in listed] == [
        ("requirement", "update"), ("category", "update"), ("selection", "phase")]
    assert listed[0].reason == "The vendors asked what it means."
