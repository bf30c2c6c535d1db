"""The vocabulary is the one definition of the selection's words: the models, the file
format, the access table and the services take theirs from it, and the audit enums hold
exactly what the services write."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from selector import access
from selector.domain import vocabulary as words
from selector.domain.vocabulary import FREEZE_RELEVANT
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.domain.vocabulary import score_anchors

ROOT = Path(__file__).resolve().parents[2]


def audit_calls() -> list[tuple[str, int, dict[str, ast.expr]]]:
    """Every `audit.record(...)` call in selector/: (file, line, keyword arguments)."""
    found = []
    for path in sorted((ROOT / "selector").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "audit.record":
                found.append((str(path.relative_to(ROOT)), node.lineno,
                              {k.arg: k.value for k in node.keywords if k.arg}))
    return found


def members_named(expression: ast.expr, enum: type) -> set[str]:
    """The members of `enum` an argument names (`AuditAction.CREATE if … else …`)."""
    return {node.attr for node in ast.walk(expression)
            if isinstance(node, ast.Attribute) and ast.unparse(node.value) == enum.__name__}


def test_the_audit_enums_hold_exactly_what_the_services_write():
    calls = audit_calls()
    assert len(calls) > 40
    entities: set[str] = set()
    actions: set[str] = set()
    for where, line, keywords in calls:
        for name in ("entity", "action"):
            strings = [node for node in ast.walk(keywords[name])
                       if isinstance(node, ast.Constant) and isinstance(node.value, str)]
            assert not strings, f"{where}:{line} passes {name} as a string, not as an enum"
        entities |= members_named(keywords["entity"], AuditEntity)
        actions |= members_named(keywords["action"], AuditAction)
    assert entities == {member.name for member in AuditEntity}
    assert actions == {member.name for member in AuditAction}
    # The new ones of the invitations (issue 17).
    assert {"INVITATION"} <= entities and {"INVITE", "RENEW", "DECLINE", "WITHDRAW"} <= actions


def test_the_values_are_the_stored_strings():
    assert AuditEntity.FINAL_REPORT == "final_report" and AuditAction.ISSUE_LINK == "issue_link"
    assert {str(member) for member in AuditEntity} >= {"requirement", "invitation", "pairwise"}


def test_audit_record_takes_only_the_enums():
    from selector.services import audit

    with pytest.raises(TypeError, match="AuditAction"):
        audit.record(None, selection_id=None, actor=None, action="update",  # type: ignore
                     entity=AuditEntity.SCORE)
    with pytest.raises(TypeError, match="AuditEntity"):
        audit.record(None, selection_id=None, actor=None, action=AuditAction.UPDATE,
                     entity="score")  # type: ignore


def test_changes_after_a_freeze_name_only_entities_the_services_write():
    written = set()
    for _, _, keywords in audit_calls():
        written |= members_named(keywords["entity"], AuditEntity)
    assert {entity.name for entity in FREEZE_RELEVANT} <= written
    # What freezing covers (decisions.md): requirements and categories when scoring opens;
    # allocations (also pairwise ones), balance, final and explicit weights with the weights.
    assert FREEZE_RELEVANT == {
        AuditEntity.REQUIREMENT, AuditEntity.CATEGORY, AuditEntity.ALLOCATION,
        AuditEntity.PAIRWISE, AuditEntity.GROUP_BALANCE, AuditEntity.FINAL_WEIGHTS,
        AuditEntity.REQUIREMENT_WEIGHT, AuditEntity.PRICE_SETTINGS,
    }


def test_the_role_groups():
    assert words.ROLES == ("facilitator", "business", "it", "sponsor", "observer")
    # decisions.md: "Only business and IT members may allocate points; facilitators,
    # business and IT score."
    assert words.WEIGHERS == ("business", "it")
    assert words.SCORERS == ("facilitator", "business", "it")
    assert words.WRITERS == ("facilitator", "business", "it")
    assert set(words.READ_ONLY) == set(words.ROLES) - set(words.COMMITTEE)
    assert words.PHASES == ("requirements", "weighting", "scoring", "decision")
    assert words.PRIORITIES == ("must", "should", "could", "wont")


def test_the_other_modules_take_their_words_from_the_vocabulary():
    from selector.domain import phases
    from selector.domain import selection
    from selector.files import selection_file
    from selector.models import selection as models
    from selector.services import loader
    from selector.services.requirements import rules as requirement_rules
    from selector.services.scoring import rules as scoring_rules
    from selector.services.weighting import rules as weighting_rules

    assert models.ROLES is words.ROLES and models.PRIORITIES is words.PRIORITIES
    assert models.PHASES is words.PHASES is phases.PHASES
    assert selection_file.ROLES is words.ROLES and selection_file.STATUSES is words.STATUSES
    assert selection_file.SCORING_ROLES is words.SCORERS
    assert selection.GROUPS is words.DOMAINS
    assert scoring_rules.SCORERS is words.SCORERS and weighting_rules.WEIGHERS is words.WEIGHERS
    assert requirement_rules.WRITERS is words.WRITERS
    assert "('facilitator', 'business', 'it')" in loader._COUNTED_SHEETS
    assert access.SELECTION_RULES["weighting.allocate"].roles == set(words.WEIGHERS)
    assert access.SELECTION_RULES["scoring.score"].roles == set(words.SCORERS)
    assert access.SELECTION_RULES["requirements.edit"].roles == set(words.WRITERS)
    assert access.READ_ONLY_ROLES == set(words.READ_ONLY)


@pytest.mark.parametrize("scale_max, anchors", [
    (5, ("absent", "poor", "partly", "meets", "meets well", "exceeds")),
    (4, ("absent", "poor", "partly", "meets", "exceeds")),
    (3, ("absent", "poor", "meets", "exceeds")),
    (10, ("absent", "poor", None, None, "partly", None, "meets", None, "meets well", None,
          "exceeds")),
    (2, ("absent", "poor", "exceeds")),
    (1, ("absent", "exceeds")),  # the top of a 0..1 scale exceeds, it is not "poor"
])
def test_the_score_anchors(scale_max, anchors):
    assert score_anchors(scale_max) == anchors
