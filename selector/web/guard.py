"""The request guard: every route enforces the permission table of `selector.access`.

`access.py` holds the table and its pure questions (who may do what, in which phase); this
module asks them for the request at hand: who is signed in, which selection the route is
about, and what the answer is (the view, a redirect to the login page, 403 or 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from functools import wraps
from typing import Any

from flask import abort
from flask import current_app
from flask import g
from flask_login import current_user
from sqlalchemy import select

from selector.access import ACCOUNT_RULES
from selector.access import ADMIN
from selector.access import PUBLIC
from selector.access import SELECTION_RULES
from selector.access import SIGNED_IN
from selector.access import AccountRule
from selector.access import permitted
from selector.access import permitted_in_some_phase
from selector.access import rule_for
from selector.domain import visibility
from selector.models import Membership
from selector.models import Selection
from selector.web.database import db_session


@dataclass
class MemberAccess:
    """The current member in the selection of this request (set by `@requires`)."""

    selection: Selection
    membership: Membership
    role: str = field(init=False)

    def __post_init__(self) -> None:
        self.role = self.membership.role

    def can(self, action: str) -> bool:
        if SELECTION_RULES[action].shows_scores and not self.sees_scores:
            return False  # blind scoring: the route shows nothing but such numbers
        return permitted(self.role, action, self.selection.phase)

    def role_may(self, action: str) -> bool:
        """May this member's role do `action` in some phase (so a page can say "not in
        this phase" to them, and nothing to the others)?"""
        return permitted_in_some_phase(self.role, action)

    @property
    def sees_scores(self) -> bool:
        """Blind scoring: may this member see numbers derived from scores now?"""
        return visibility.scores_visible(self.selection, self.role)

    @property
    def sees_costs(self) -> bool:
        """The price vault: may this member see costs now?"""
        return visibility.costs_visible(self.selection, self.role)


def member_access(selection_id: int) -> MemberAccess | None:
    """The signed-in account's current membership of a selection, or None."""
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
