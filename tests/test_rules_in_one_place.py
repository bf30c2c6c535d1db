"""One place per rule (issue 21, item 2): blind scoring and the price vault live in
`selector.domain.visibility`; "weights frozen", "scoring started/open/closed" and "is an
active wish" are properties of the models (`Selection.weights_frozen`,
`Selection.scoring_closed`, `Requirement.is_active_wish`, ...) backed by
`selector.domain`. This test reads the sources and the templates and fails when one of
the old restatements comes back, naming file and line.

The patterns are narrow on purpose: each matches a way the rules used to be written
(checked below against those old lines), and none matches a phase named for display, a
label table, a date shown with a filter or an endpoint name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_VISIBILITY = Path("selector/domain/visibility.py")
SELECTION_MODEL = Path("selector/models/selection.py")

# (what it restates, pattern, where it may stand)
PYTHON_RULES = [
    ("scoring closed/started as a phase name",
     re.compile(r"""\bphase\s*(==|!=)\s*["'](scoring|decision)["']"""), ()),
    ("scoring closed/started as a phase name",
     re.compile(r"""\bphase\s+(not\s+)?in\s*[(\[{][^)\]}]*["'](scoring|decision)["']"""), ()),
    ("scoring started as a set of phase names",
     re.compile(r"""[=(]\s*(frozenset\(\{|\()\s*["']scoring["'],\s*["']decision["']"""), ()),
    ("scoring closed as a module's own phase constant",
     re.compile(r"""_PHASES?\s*=\s*["'](scoring|decision)["']"""), ()),
    ("weights frozen as a time that is set",
     re.compile(r"weights_frozen_at\s+is\s+(not\s+)?None"), (SELECTION_MODEL,)),
    ("weights frozen as a time that is set",
     re.compile(r"(\bif\s+(not\s+)?|bool\()([\w.]*\.)?selection\.weights_frozen_at\b"), ()),
    ("an active requirement by its status",
     re.compile(r"""status["']?\]?\s*==\s*["']accepted["']"""), ()),
    ("an active requirement by its priority",
     re.compile(r"""priority["']?\]?\s*!=\s*["']wont["']"""), ()),
    ("blind scoring outside selector.domain.visibility",
     re.compile(r"\bdef\s+(scores_visible|costs_visible|prices_visible|scores_disclosed"
                r"|sees_peer_scores|peer_scores_visible)\b"), (DOMAIN_VISIBILITY,)),
    ("blind scoring outside selector.domain.visibility",
     re.compile(r"""role\s*==\s*["']facilitator["']\s+and\s+[\w.(]*facilitator_sees_all"""),
     (DOMAIN_VISIBILITY,)),
]
TEMPLATE_RULES = [
    ("a phase rule in a template (ask a property or can())",
     re.compile(r"\.phase\s*(==|!=|in\b|not\s+in\b)")),
    ("a role rule in a template (ask can())",
     re.compile(r"\brole\s*(==|!=|in\s*\(|not\s+in\b)")),
    ("weights frozen in a template (ask selection.weights_frozen)",
     re.compile(r"weights_frozen_at\b(?!\s*\|)")),
    ("a blind-scoring setting read in a template (ask access.sees_scores/sees_costs)",
     re.compile(r"\bselection\.(facilitator_sees_all|prices_visible_to_scorers)\b")),
    ("an active requirement by its status in a template",
     re.compile(r"""status\s*(==|!=)\s*["']accepted["']""")),
]


def findings(root: Path) -> list[str]:
    """Every restatement under `root` (the project): "path:line: what"."""
    found = []
    for path in sorted((root / "selector").rglob("*.py")):
        relative = path.relative_to(root)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for what, pattern, allowed in PYTHON_RULES:
                if relative not in allowed and pattern.search(code):
                    found.append(f"{relative}:{number}: {what}: {line.strip()}")
    for path in sorted((root / "templates").rglob("*.html")):
        relative = path.relative_to(root)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for what, pattern in TEMPLATE_RULES:
                if pattern.search(line):
                    found.append(f"{relative}:{number}: {what}: {line.strip()}")
    return found


def test_no_rule_is_restated():
    assert findings(ROOT) == []


# The lines the rules used to be written as (before issue 21): each must be caught.
OLD_PYTHON = [
    'if selection.phase == "decision" or selection.prices_visible_to_scorers:',
    'if selection.phase != "scoring":',
    'return selection.phase in ("scoring", "decision")',
    'if selection.phase not in VERDICT_PHASES or selection.phase in ("scoring", "decision"):',
    'FROZEN_PHASES = frozenset({"scoring", "decision"})',
    'VERDICT_PHASES = ("scoring", "decision")',
    'CLOSED_PHASE = "decision"  # scoring is closed in this phase',
    'FINAL_PHASE = "decision"',
    "return selection.weights_frozen_at is not None",
    "{% if selection.weights_frozen_at %}",
    "if access.selection.weights_frozen_at:",
    "Requirement.status == \"accepted\", Requirement.priority != \"wont\",",
    'requirement["status"] == "accepted"',
    'and requirement["priority"] != "wont"',
    "def scores_disclosed(selection: Selection, role: str) -> bool:",
    'return role == "facilitator" and bool(selection.facilitator_sees_all)',
]
OLD_TEMPLATES = [
    "{% if selection.phase in ('scoring', 'decision') %}",
    "{% elif selection.phase != 'scoring' %}",
    "{% if selection.phase == 'scoring' and not selection.facilitator_sees_all %}",
    "{% elif access.role not in ('facilitator', 'business', 'it') %}",
    "{% if view.peers_visible and access.role in ('business', 'it') %}",
    "{% elif access.role == 'facilitator' %}",
    "{% if selection.weights_frozen_at %}",
]
# What stays allowed: display, labels, endpoints, writes of the freeze time.
ALLOWED_PYTHON = [
    "selection.weights_frozen_at = utcnow()",
    "if process.weights_frozen_at:  # the report prints the date",
    "weights_frozen_at=now if has_scores else None,",
    'PHASE_ORDER = ("requirements", "weighting", "scoring", "decision")',
    '"decision": t_("Decision"),',
    "if selection.scoring_closed:",
    "Requirement.is_active_wish,",
    'if requirement.status != "accepted":',
]
ALLOWED_TEMPLATES = [
    "{{ _('since %(date)s', date=selection.weights_frozen_at|datetimeformat('medium')) }}",
    "{% for phase in PHASES %}{% if phase == current %}{% endif %}{% endfor %}",
    "{{ PHASE_LABELS[selection.phase] }} {{ role_badge(access.role) }}",
    "{{ ROLE_LABELS[access.role] }}",
    "<a href=\"{{ url_for('scoring.index', selection_id=selection.id) }}\">",
    "{% if selection.scoring_open and not access.sees_scores %}",
    "{{ field(visibility_form.facilitator_sees_all) }}",
    "{% for role in ROLE_LABELS %}",
]


@pytest.mark.parametrize("line", OLD_PYTHON)
def test_the_python_patterns_catch_the_old_restatements(line):
    assert any(pattern.search(line) for _, pattern, _ in PYTHON_RULES)


@pytest.mark.parametrize("line", OLD_TEMPLATES)
def test_the_template_patterns_catch_the_old_restatements(line):
    assert any(pattern.search(line) for _, pattern in TEMPLATE_RULES)


@pytest.mark.parametrize("line", ALLOWED_PYTHON)
def test_the_python_patterns_leave_display_alone(line):
    assert not any(pattern.search(line) for _, pattern, _ in PYTHON_RULES)


@pytest.mark.parametrize("line", ALLOWED_TEMPLATES)
def test_the_template_patterns_leave_display_alone(line):
    assert not any(pattern.search(line) for _, pattern in TEMPLATE_RULES)
