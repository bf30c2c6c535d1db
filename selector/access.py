"""Who may do what: the one permission table of Selector.

Every route declares the action it performs with `@requires("action")` (the request
guard, `selector.web.guard`, enforces this table); nothing else in the views decides who
may do something. A test walks every registered route and fails when one declares no
action, and walks every route with every role. This module is the table and its pure
questions only: no Flask, no queries.

Two kinds of action:

* **Selection actions** (`SELECTION_RULES`) are about one selection: the route has a
  `selection_id`. A selection exists only for its current members: anyone else (an
  instance admin included, and a member who was removed) gets 404, so its existence
  does not leak. A member whose role may not do the action, or not in the current
  phase, gets 403.
* **Account actions** (`ACCOUNT_RULES`) are not about one selection: anyone, any
  signed-in account, or instance admins only (others get 403).

Anonymous visitors of a route that needs an account are sent to the login page (302).
Sponsors and observers only read: no rule that changes anything names them, and a test
checks that. The one exception is the sponsor's decision on the recommendation
(`SPONSOR_WRITES`), which only a sponsor records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selector.domain import vocabulary as words
from selector.domain.vocabulary import PHASES
from selector.domain.vocabulary import ROLES

# The role groups are the vocabulary's (selector.domain.vocabulary).
EVERY_PHASE = frozenset(PHASES)
EVERY_ROLE = frozenset(ROLES)
READERS = EVERY_ROLE
FACILITATOR = frozenset({words.FACILITATOR})
WRITERS = frozenset(words.WRITERS)  # who proposes and edits requirements
SCORERS = frozenset(words.SCORERS)  # who scores vendors and records verdicts
WEIGHERS = frozenset(words.WEIGHERS)  # who allocates points (method.md section 3)
READ_ONLY_ROLES = frozenset(words.READ_ONLY)
IT_ANSWERERS = frozenset({words.FACILITATOR, words.IT})  # IT management's structured answers
SPONSORS = frozenset({words.SPONSOR})
# Who reads the audit trail by name: those who run or oversee the process. Business and
# IT members are the ones audited; the report tells them the trail by role only.
AUDITORS = frozenset({words.FACILITATOR, words.SPONSOR, words.OBSERVER})


@dataclass(frozen=True)
class Rule:
    """Which roles may perform an action, in which phases, and whether it changes data."""

    roles: frozenset[str]
    phases: frozenset[str] = EVERY_PHASE
    writes: bool = False
    # Blind scoring: refused (403) until the member may see numbers derived from scores
    # (selector.domain.visibility), for a route that shows nothing else.
    shows_scores: bool = False


# --- The table: actions on one selection -----------------------------------------------
#
#   action              roles                   phases          changes data
SELECTION_RULES: dict[str, Rule] = {
    "selection.view": Rule(READERS),
    "members.view": Rule(READERS),
    "members.manage": Rule(FACILITATOR, writes=True),
    "phase.change": Rule(FACILITATOR, writes=True),
    # Analysis (issue 8): reading only. Before scoring closes the pages and the API show
    # no number derived from scores (selector.domain.visibility decides).
    "analysis.view": Rule(READERS),
    "analysis.api": Rule(READERS),
    "analysis.what_if": Rule(FACILITATOR),  # never changes the stored weights
    "analysis.panel_health": Rule(FACILITATOR),
    "analysis.workbook": Rule(READERS, shows_scores=True),  # the score-matrix .xlsx
    # Weighting (issue 6): everyone reads; business and IT allocate (and compare pairwise)
    # in the weighting phase; the facilitator sets balance, final weights and the freeze.
    # Explicit requirement weights: the facilitator or the category's owner group (the
    # service checks the group). Frozen weights refuse every change (services.weighting).
    "weighting.view": Rule(READERS),
    "weighting.compare": Rule(WEIGHERS),  # the pairwise page, a personal tool
    "weighting.allocate": Rule(WEIGHERS, frozenset({words.WEIGHTING}), writes=True),
    "weighting.requirement_weight": Rule(
        WRITERS, frozenset({words.REQUIREMENTS, words.WEIGHTING}), writes=True),
    "weighting.manage": Rule(FACILITATOR, frozenset({words.WEIGHTING}), writes=True),
    # How price counts (issue 18): set before the weights are frozen, with which it is
    # frozen (services.weighting refuses it then, with that message).
    "weighting.price": Rule(
        FACILITATOR, frozenset({words.REQUIREMENTS, words.WEIGHTING}), writes=True),
    # Vendors and scoring (issue 7). The phase rules of scoring (scores only while it is
    # open, verdicts in scoring and decision, consensus in the decision) are checked by
    # the services, so that a refusal says why instead of a bare 403. Who sees costs and
    # others' scores: selector.domain.visibility.
    "vendors.view": Rule(READERS),
    "vendors.manage": Rule(FACILITATOR, writes=True),
    # The committee's side of the vendor portal (issue 20): links, progress, deadline,
    # reopening, questions and answers, the questionnaire workbook. The answers' content
    # is not on these pages (services.vendors.committee_answers hides it).
    "vendors.portal": Rule(FACILITATOR),
    "vendors.portal_manage": Rule(FACILITATOR, writes=True),
    "scoring.view": Rule(SCORERS),  # one's own sheets; the facilitator: progress
    "scoring.score": Rule(SCORERS, writes=True),  # own conflict declaration, scores
    "scoring.manage": Rule(FACILITATOR, writes=True),  # assignments and exclusions
    "verdicts.view": Rule(READERS),
    "verdicts.record": Rule(SCORERS, writes=True),  # the owner group or the facilitator
    "consensus.view": Rule(READERS),
    "consensus.record": Rule(FACILITATOR, writes=True),
    # Requirements (issue 5): everyone reads; business, IT and the facilitator propose
    # and edit; decisions by the facilitator or, when set, the owner group (the service
    # checks the group). Once scoring opens, changes need the facilitator and a reason
    # (services.requirements refuses others with a message, not a bare 403).
    "requirements.view": Rule(READERS),
    "requirements.export": Rule(READERS),  # the .xlsx export and the empty template
    "requirements.propose": Rule(WRITERS, writes=True),  # new, and from the library
    "requirements.edit": Rule(WRITERS, writes=True),
    "requirements.decide": Rule(WRITERS, writes=True),
    "requirements.it_answers": Rule(IT_ANSWERERS, writes=True),
    "requirements.import": Rule(FACILITATOR, writes=True),
    "requirements.categories": Rule(FACILITATOR, writes=True),
    "requirements.settings": Rule(FACILITATOR, writes=True),  # owner groups decide
    # The report (issue 9): everyone reads the preview and downloads the PDFs, sponsors
    # and observers included; before scoring closes the draft shows nothing derived from
    # scores (selector.domain.visibility). Only the facilitator seals a final
    # report, in the decision phase.
    "report.view": Rule(READERS),
    "report.download": Rule(READERS),  # the draft PDF and every sealed final PDF
    "report.issue": Rule(FACILITATOR, frozenset({words.DECISION}), writes=True),
    # The recommendation (issue 18): everyone reads it once scoring is closed (the page
    # says so before); the facilitator writes it and a sponsor decides on it, in the
    # decision phase (services.reports holds the rest of the rules).
    "recommendation.view": Rule(READERS),
    "recommendation.write": Rule(FACILITATOR, frozenset({words.DECISION}), writes=True),
    "recommendation.decide": Rule(SPONSORS, frozenset({words.DECISION}), writes=True),
    # The audit trail (issue 22): read, filtered and exported; blind scoring and the price
    # vault hide values in it as everywhere (services.audit_trail).
    "audit.view": Rule(AUDITORS),
}

# The writes a read-only role may make: a sponsor's decision on the recommendation.
SPONSOR_WRITES = frozenset({"recommendation.decide"})


# --- Actions that are not about one selection ------------------------------------------
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any active account
ADMIN = "admin"  # instance admins


@dataclass(frozen=True)
class AccountRule:
    who: str
    writes: bool = False


ACCOUNT_RULES: dict[str, AccountRule] = {
    "static": AccountRule(PUBLIC),  # the vendored CSS and JavaScript
    "auth.login": AccountRule(PUBLIC, writes=True),
    "auth.language": AccountRule(PUBLIC, writes=True),
    "auth.set_password": AccountRule(PUBLIC, writes=True),  # with a one-time link
    # An invitation link: accepting needs the invited account's own login, or, for an
    # address without an account, choosing its password (services.invitations).
    "auth.invitation": AccountRule(PUBLIC, writes=True),
    # The vendor portal (issue 20): no account, the vendor's link token is the key; the
    # portal's own guard (selector.web.portal) finds the vendor or answers 404.
    "portal.vendor": AccountRule(PUBLIC, writes=True),
    "accessibility.view": AccountRule(PUBLIC),  # the accessibility statement
    "auth.logout": AccountRule(SIGNED_IN, writes=True),
    "account.view": AccountRule(SIGNED_IN),
    "account.edit": AccountRule(SIGNED_IN, writes=True),  # own password, tokens, language
    "selection.list": AccountRule(SIGNED_IN),
    "selection.create": AccountRule(SIGNED_IN, writes=True),
    "admin.view": AccountRule(ADMIN),
    "admin.manage": AccountRule(ADMIN, writes=True),
}

# Flask's own endpoints, which cannot carry a decorator.
BUILTIN_ENDPOINTS = {"static": "static"}


def permitted(role: str | None, action: str, phase: str) -> bool:
    """May a member with `role` perform the selection action `action` in `phase`?"""
    rule = SELECTION_RULES[action]
    return role in rule.roles and phase in rule.phases


def permitted_in_some_phase(role: str | None, action: str) -> bool:
    """May a member with `role` perform `action` in at least one phase?"""
    return role in SELECTION_RULES[action].roles


def rule_for(action: str) -> Rule | AccountRule:
    if action in SELECTION_RULES:
        return SELECTION_RULES[action]
    return ACCOUNT_RULES[action]


def declared_action(view: Callable[..., Any], endpoint: str) -> str | None:
    """The action a view function declared with `@requires` (`selector.web.guard`), if any."""
    return getattr(view, "required_action", None) or BUILTIN_ENDPOINTS.get(endpoint)


def describe() -> str:
    """The table as text, one line per action (for documentation and review)."""
    width = max(len(action) for action in [*SELECTION_RULES, *ACCOUNT_RULES]) + 1
    lines = [f"{'action':<{width}} " + " ".join(f"{r:<11}" for r in ROLES) + " phases"]
    for action, rule in SELECTION_RULES.items():
        cells = " ".join(f"{('write' if rule.writes else 'read') if r in rule.roles else '-':<11}"
                         for r in ROLES)
        phases = "all" if rule.phases == EVERY_PHASE else ", ".join(
            p for p in PHASES if p in rule.phases)
        if rule.shows_scores:
            phases += " (once scores show)"
        lines.append(f"{action:<{width}} {cells} {phases}")
    for action, account_rule in ACCOUNT_RULES.items():
        mode = "write" if account_rule.writes else "read"
        lines.append(f"{action:<{width}} {account_rule.who} ({mode})")
    return "\n".join(lines)
