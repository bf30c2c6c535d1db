"""Who may do what: the one permission table of Selector.

Every route declares the action it performs with `@requires("action")`; nothing else
in the views decides who may do something. A test walks every registered route and
fails when one declares no action, and walks every route with every role.

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
checks that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import select

from selector.models import Membership, Selection
from selector.models.selection import PHASES, ROLES

EVERY_PHASE = frozenset(PHASES)
EVERY_ROLE = frozenset(ROLES)
READERS = EVERY_ROLE
FACILITATOR = frozenset({"facilitator"})
COMMITTEE = frozenset({"facilitator", "business", "it"})  # who writes, weighs and scores
READ_ONLY_ROLES = frozenset({"sponsor", "observer"})
WEIGHERS = frozenset({"business", "it"})  # who allocates points (method.md section 3)


@dataclass(frozen=True)
class Rule:
    """Which roles may perform an action, in which phases, and whether it changes data."""

    roles: frozenset[str]
    phases: frozenset[str] = EVERY_PHASE
    writes: bool = False


# --- The table: actions on one selection -----------------------------------------------
#
#   action              roles                   phases          changes data
SELECTION_RULES: dict[str, Rule] = {
    "selection.view": Rule(READERS),
    "members.view": Rule(READERS),
    "members.manage": Rule(FACILITATOR, writes=True),
    "phase.change": Rule(FACILITATOR, writes=True),
    # Analysis (issue 8): reading only. Before scoring closes the pages and the API show
    # no number derived from scores (services.analysis.scores_visible decides).
    "analysis.view": Rule(READERS),
    "analysis.api": Rule(READERS),
    "analysis.what_if": Rule(FACILITATOR),  # never changes the stored weights
    "analysis.panel_health": Rule(FACILITATOR),
    # Weighting (issue 6): everyone reads; business and IT allocate (and compare pairwise)
    # in the weighting phase; the facilitator sets balance, final weights and the freeze.
    # Explicit requirement weights: the facilitator or the category's owner group (the
    # service checks the group). Frozen weights refuse every change (services.weighting).
    "weighting.view": Rule(READERS),
    "weighting.compare": Rule(WEIGHERS),  # the pairwise page, a personal tool
    "weighting.allocate": Rule(WEIGHERS, frozenset({"weighting"}), writes=True),
    "weighting.requirement_weight": Rule(
        COMMITTEE, frozenset({"requirements", "weighting"}), writes=True),
    "weighting.manage": Rule(FACILITATOR, frozenset({"weighting"}), writes=True),
    # Vendors and scoring (issue 7). The phase rules of scoring (scores only while it is
    # open, verdicts in scoring and decision, consensus in the decision) are checked by
    # the services, so that a refusal says why instead of a bare 403. Who sees costs and
    # others' scores: services.vendors.prices_visible and services.scoring_views.
    "vendors.view": Rule(READERS),
    "vendors.manage": Rule(FACILITATOR, writes=True),
    "scoring.view": Rule(COMMITTEE),  # one's own sheets; the facilitator: progress
    "scoring.score": Rule(COMMITTEE, writes=True),  # own conflict declaration, scores
    "scoring.manage": Rule(FACILITATOR, writes=True),  # assignments and exclusions
    "verdicts.view": Rule(READERS),
    "verdicts.record": Rule(COMMITTEE, writes=True),  # the owner group or the facilitator
    "consensus.view": Rule(READERS),
    "consensus.record": Rule(FACILITATOR, writes=True),
    # Requirements (issue 5): everyone reads; business, IT and the facilitator propose
    # and edit; decisions by the facilitator or, when set, the owner group (the service
    # checks the group). Once scoring opens, changes need the facilitator and a reason
    # (services.requirements refuses others with a message, not a bare 403).
    "requirements.view": Rule(READERS),
    "requirements.export": Rule(READERS),  # the .xlsx export and the empty template
    "requirements.propose": Rule(COMMITTEE, writes=True),  # new, and from the library
    "requirements.edit": Rule(COMMITTEE, writes=True),
    "requirements.decide": Rule(COMMITTEE, writes=True),
    "requirements.it_answers": Rule(frozenset({"facilitator", "it"}), writes=True),
    "requirements.import": Rule(FACILITATOR, writes=True),
    "requirements.categories": Rule(FACILITATOR, writes=True),
    "requirements.settings": Rule(FACILITATOR, writes=True),  # owner groups decide
    # The report (issue 9): everyone reads the preview and downloads the PDFs, sponsors
    # and observers included; before scoring closes the draft shows nothing derived from
    # scores (services.analysis.scores_visible). Only the facilitator seals a final
    # report, in the decision phase.
    "report.view": Rule(READERS),
    "report.download": Rule(READERS),  # the draft PDF and every sealed final PDF
    "report.issue": Rule(FACILITATOR, frozenset({"decision"}), writes=True),
}


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


def rule_for(action: str) -> Rule | AccountRule:
    if action in SELECTION_RULES:
        return SELECTION_RULES[action]
    return ACCOUNT_RULES[action]


def declared_action(view: Callable[..., Any], endpoint: str) -> str | None:
    """The action a view function declared with `@requires`, if any."""
    return getattr(view, "required_action", None) or BUILTIN_ENDPOINTS.get(endpoint)


@dataclass
class MemberAccess:
    """The current member in the selection of this request (set by `@requires`)."""

    selection: Selection
    membership: Membership
    role: str = field(init=False)

    def __post_init__(self) -> None:
        self.role = self.membership.role

    def can(self, action: str) -> bool:
        return permitted(self.role, action, self.selection.phase)


def member_access(selection_id: int) -> MemberAccess | None:
    """The signed-in account's current membership of a selection, or None."""
    from selector.web.database import db_session

    if not current_user.is_authenticated:
        return None
    row = db_session().execute(
        select(Selection, Membership)
        .join(Membership, Membership.selection_id == Selection.id)
        .where(
            Selection.id == selection_id,
            Membership.account_id == current_user.account.id,
            Membership.removed_at.is_(None),
        )
    ).first()
    return MemberAccess(row[0], row[1]) if row else None


def requires(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the action a route performs, and enforce the table for it.

    For a selection action the route's `selection_id` is replaced by a `MemberAccess`
    as the view's first argument (also in `g.access`, for the templates).
    """
    rule = rule_for(action)  # an unknown action fails at import time, not at request time

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if isinstance(rule, AccountRule):
                if rule.who != PUBLIC and not current_user.is_authenticated:
                    return current_app.login_manager.unauthorized()
                if rule.who == ADMIN and not current_user.account.is_admin:
                    abort(403)
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            access = member_access(kwargs.pop("selection_id"))
            if access is None:
                abort(404)
            g.access = access
            if not access.can(action):
                abort(403)
            return view(access, *args, **kwargs)

        guarded.required_action = action  # type: ignore[attr-defined]
        return guarded

    return decorate


def can(action: str) -> bool:
    """For templates: may the current member do `action` in this selection?"""
    access: MemberAccess | None = g.get("access")
    if action in SELECTION_RULES:
        return access is not None and access.can(action)
    rule = ACCOUNT_RULES[action]
    if rule.who == PUBLIC:
        return True
    if not current_user.is_authenticated:
        return False
    return rule.who == SIGNED_IN or bool(current_user.account.is_admin)


def describe() -> str:
    """The table as text, one line per action (for documentation and review)."""
    width = max(len(action) for action in [*SELECTION_RULES, *ACCOUNT_RULES]) + 1
    lines = [f"{'action':<{width}} " + " ".join(f"{r:<11}" for r in ROLES) + " phases"]
    for action, rule in SELECTION_RULES.items():
        cells = " ".join(f"{('write' if rule.writes else 'read') if r in rule.roles else '-':<11}"
                         for r in ROLES)
        phases = "all" if rule.phases == EVERY_PHASE else ", ".join(
            p for p in PHASES if p in rule.phases)
        lines.append(f"{action:<{width}} {cells} {phases}")
    for action, account_rule in ACCOUNT_RULES.items():
        mode = "write" if account_rule.writes else "read"
        lines.append(f"{action:<{width}} {account_rule.who} ({mode})")
    return "\n".join(lines)
