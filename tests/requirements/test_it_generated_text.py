"""The requirements that IT's structured answers generate, word for word, checked against
a recorded copy (tests/data/it-generated-requirements.json): every question, every
option, both languages, a first save and updates. Recorded before the questions moved
into one catalogue, so the catalogue must generate exactly what the code did before."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from selector.models import Category
from selector.models import Requirement
from selector.services import requirements as requirement_service
from selector.services.requirements import StructuredItem
from tests.conftest import DATA
from tests.requirements.conftest import INGRID
from tests.requirements.conftest import acting
from tests.requirements.conftest import build_world

RECORDED = DATA / "it-generated-requirements.json"

NORMS = ("iso27001", "bio", "nen7510", "gdpr", "soc2", "nis2")
BROWSERS = ("chrome", "edge", "firefox", "safari", "samsung")
DEVICES = ("desktop", "mobile", "tablet")


def _browsers(first_version: int | None) -> list[StructuredItem]:
    rows = []
    for i, browser in enumerate(BROWSERS):
        for j, device in enumerate(DEVICES):
            version = first_version + i * 3 + j if (i + j) % 2 == 0 and first_version else None
            rows.append(StructuredItem("browsers", "browser", {
                "browser": browser, "device": device, "min_version": version}))
    return rows


ROUNDS: list[list[StructuredItem]] = [
    [
        StructuredItem("hosting", "deployment_model", {"models": ["saas"]}),
        StructuredItem("hosting", "data_location", {"location": "  the EU/EEA  "},
                       priority="must", knockout=True,
                       knockout_rationale="The AVG requires it for our members."),
        StructuredItem("hosting", "platform",
                       {"platform": "Windows Server 2022 on VMware vSphere 8"}),
        StructuredItem("standards", "sso", {"protocols": ["saml2"]}),
        StructuredItem("standards", "api", {"styles": ["rest"]}, priority="could"),
        StructuredItem("standards", "accessibility", {"level": "wcag21_a"}),
        *[StructuredItem("standards", "norm", {"norm": n}, priority="must") for n in NORMS],
        *_browsers(100),
        StructuredItem("backup", "rpo", {"hours": 4}, priority="must", knockout=True,
                       knockout_rationale="Half a day of registrations at most."),
        StructuredItem("backup", "rto", {"hours": 8}),
        StructuredItem("backup", "retention", {"days": 90}),
        StructuredItem("backup", "restore_test",
                       {"frequency": "monthly", "restored_by": "vendor"}),
    ],
    [
        StructuredItem("hosting", "deployment_model",
                       {"models": ["on_premises", "saas", "private_cloud"]}),
        StructuredItem("standards", "sso", {"protocols": ["ws_federation", "oidc", "saml2"]}),
        StructuredItem("standards", "api", {"styles": ["rest", "soap", "graphql", "odata"]}),
        StructuredItem("standards", "accessibility", {"level": "wcag21_aa"}),
        *_browsers(None),
        StructuredItem("backup", "rpo", {"hours": 1.5}),
        StructuredItem("backup", "rto", {"hours": 0.5}),
        StructuredItem("backup", "retention", {"days": 365}),
        StructuredItem("backup", "restore_test",
                       {"frequency": "quarterly", "restored_by": "our_it"}),
    ],
    [
        StructuredItem("hosting", "deployment_model", {"models": ["private_cloud", "on_premises"]}),
        StructuredItem("standards", "api", {"styles": ["graphql", "odata"]}),
        StructuredItem("standards", "accessibility", {"level": "wcag22_aa"}),
        StructuredItem("backup", "rpo", {"hours": 24}),
        StructuredItem("backup", "restore_test",
                       {"frequency": "half_yearly", "restored_by": "jointly"}),
    ],
    [
        StructuredItem("standards", "accessibility", {"level": "wcag22_aaa"}),
        StructuredItem("backup", "restore_test", {"frequency": "yearly", "restored_by": "vendor"}),
    ],
    [StructuredItem("standards", "accessibility", {"level": "en301549"})],
]


def _snapshot(db, world) -> list[dict]:
    with db.transaction(write=False) as session:
        rows = session.execute(
            select(Requirement, Category.key).join(Category)
            .where(Requirement.selection_id == world.selection).order_by(Requirement.code)).all()
        return [{
            "code": r.code, "category": key, "title": r.title, "description": r.description,
            "rationale": r.rationale, "verification": r.verification,
            "verification_criterion": r.verification_criterion, "intent": r.intent,
            "priority": r.priority, "knockout": r.knockout,
            "knockout_rationale": r.knockout_rationale, "owner_group": r.owner_group,
            "status": r.status, "version": r.version,
            "structured": json.loads(r.structured),
        } for r, key in rows]


def generated(db, language: str) -> list[list[dict]]:
    """Per round of answers, the requirements it created or changed."""
    world = build_world(db, language=language)
    changes, before = [], {}
    for items in ROUNDS:
        with acting(db, world, INGRID) as (session, selection, account, role):
            requirement_service.save_it_answers(session, selection, account, role, items)
        now = {r["code"]: r for r in _snapshot(db, world)}
        changes.append([r for code, r in now.items() if before.get(code) != r])
        before = now
    return changes


@pytest.mark.parametrize("language", ["en", "nl"])
def test_generated_requirements_equal_the_recorded_ones(db, language):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))[language]
    found = generated(db, language)
    assert len(found) == len(recorded)
    for round_number, (now, before) in enumerate(zip(found, recorded, strict=True), 1):
        assert now == before, f"round {round_number}"
