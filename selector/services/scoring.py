"""Scoring: who scores what, conflicts of interest, saving one score, submitting a sheet,
and the consensus score the committee agrees on afterwards.

The rules (issue 7, decisions.md):

* By default business members score the business categories, IT members the IT ones and
  the facilitator all of them (as `method.panel_health` assumes); the facilitator
  overrides that per member and category (`Assignment` rows hold only the overrides).
* Before a member's first score on a vendor they declare a conflict of interest (none,
  or declared with an explanation). The facilitator may exclude a member from a vendor:
  the member's scores are kept and audited but no longer count.
* A score is an integer 0..scale_max on an assigned active wish, saved only while the
  scoring phase is open. An extreme (0, 1, scale_max) without an argument is saved but
  marked, and a sheet holding one cannot be submitted. After submission a change needs
  a reason. Every change is audited with its old and new value.
* Optimistic concurrency: every save names the version it started from (None for a
  first score); a save from an older version is refused with `Conflict`, never applied
  over someone else's change. This holds on both databases: on SQLite write transactions
  start with BEGIN IMMEDIATE (`selector.db`), so they run one at a time; on PostgreSQL the
  sheet row is locked (FOR UPDATE), an update is conditional (`WHERE version = :v`) and
  a first save is `INSERT ... ON CONFLICT DO NOTHING`, so two first saves cannot both win.
* Consensus scores are recorded by the facilitator after scoring closes (phase
  decision), with a rationale and the same version check; the method then uses them
  instead of the mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session

from selector.db import insert_if_absent
from selector.domain import limits
from selector.domain.selection import is_active_wish
from selector.domain.vocabulary import FACILITATOR, SCORERS, AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import (
    Account,
    Assignment,
    Category,
    Consensus,
    Membership,
    Requirement,
    Score,
    Selection,
    Sheet,
    Vendor,
)
from selector.models.base import UTCDateTime, utcnow
from selector.services import audit, disclosures
from selector.services.errors import Conflict, NotFound, ServiceError
from selector.services.item_decisions import insert_decision, update_decision
from selector.services.vendors import get_vendor

MAX_COMMENT = limits.max_length("score", "comment")  # as for `selector import`
MAX_REASON = limits.REASON_LENGTH
CONFLICT_CHOICES = ("none", "declared")


# -- small shared checks ------------------------------------------------------------------


def is_extreme(score: int, scale_max: int) -> bool:
    """decisions.md: an extreme score is 0, 1 or scale_max."""
    return score in (0, 1, scale_max)


def unargued(score: int | None, comment: str, scale_max: int) -> bool:
    return score is not None and is_extreme(score, scale_max) and not (comment or "").strip()


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _l("The reason can have at most %(count)d characters.", count=MAX_REASON), "reason"
        )
    return reason


def _require_scoring_open(selection: Selection) -> None:
    if selection.scoring_open:
        return
    if selection.scoring_closed:
        raise ServiceError(_l("Scoring is closed: scores can no longer be changed."), "score")
    raise ServiceError(_l("Scoring has not started yet: scores can be given once the "
                          "facilitator opens the scoring phase."), "score")


def _require_scoring_closed(selection: Selection) -> None:
    if not selection.scoring_closed:
        raise ServiceError(_l("Consensus scores are recorded after scoring has closed, in "
                              "the decision phase."), "score")


def _require_scorer(membership: Membership) -> None:
    if membership.role not in SCORERS or membership.removed_at is not None:
        raise ServiceError(_l("Only the facilitator and business and IT members score."))


def _score_value(selection: Selection, score: Any) -> int:
    if isinstance(score, bool) or not isinstance(score, int):
        raise ServiceError(
            _l("Choose a score from 0 to %(max)d.", max=selection.scale_max), "score"
        )
    if not 0 <= score <= selection.scale_max:
        raise ServiceError(
            _l("A score is a whole number from 0 to %(max)d.", max=selection.scale_max),
            "score",
        )
    return score


def _comment(comment: str | None) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(
            _l("A comment can have at most %(count)d characters.", count=MAX_COMMENT), "comment"
        )
    return comment


def _active_vendor(session: Session, selection: Selection, vendor_id: int) -> Vendor:
    vendor = get_vendor(session, selection, vendor_id)
    if vendor.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: it is no longer scored."))
    return vendor


def _wish(session: Session, selection: Selection, requirement_id: int) -> Requirement:
    requirement = session.scalar(
        select(Requirement).where(
            Requirement.id == requirement_id, Requirement.selection_id == selection.id
        )
    )
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this selection."))
    if not requirement.is_active_wish:
        raise ServiceError(_l("Only accepted wishes are scored; this requirement is not one."),
                           "score")
    return requirement


def _member(session: Session, selection: Selection, membership_id: int) -> Membership:
    membership = session.scalar(
        select(Membership).where(
            Membership.id == membership_id,
            Membership.selection_id == selection.id,
            Membership.removed_at.is_(None),
        )
    )
    if membership is None:
        raise NotFound(_l("There is no such member in this selection."))
    return membership


# -- assignment ---------------------------------------------------------------------------


def default_assignment(role: str, domain: str) -> bool:
    """Business scores business categories, IT the IT ones, the facilitator all."""
    return role == "facilitator" or role == domain


def assignments(session: Session, selection: Selection) -> dict[int, set[int]]:
    """membership id -> the category ids that current scoring member scores (three queries)."""
    return assignments_and_given(session, selection)[0]


def assignments_and_given(
    session: Session, selection: Selection
) -> tuple[dict[int, set[int]], set[int]]:
    """`assignments`, and the members whose assignments the facilitator set (only
    differences from the default are stored, so any stored row says so)."""
    members = session.execute(
        select(Membership.id, Membership.role).where(
            Membership.selection_id == selection.id,
            Membership.removed_at.is_(None),
            Membership.role.in_(SCORERS),
        )
    ).all()
    categories = session.execute(
        select(Category.id, Category.domain).where(Category.selection_id == selection.id)
    ).all()
    overrides = {
        (m, c): assigned
        for m, c, assigned in session.execute(
            select(Assignment.membership_id, Assignment.category_id, Assignment.assigned)
            .join(Category, Category.id == Assignment.category_id)
            .where(Category.selection_id == selection.id)
        )
    }
    result: dict[int, set[int]] = {}
    for membership_id, role in members:
        result[membership_id] = {
            category_id for category_id, domain in categories
            if overrides.get((membership_id, category_id), default_assignment(role, domain))
        }
    return result, {m for m, _ in overrides}


def counts_as_scorer(role: str, categories: set[int], given: bool, started: bool) -> bool:
    """Does the scoring wait for this member? Business and IT members with a category to
    score do; by default the facilitator may score every category but is not counted as
    a scorer, only once `given` scoring assignments (or once `started` on a sheet):
    progress and tasks would otherwise wait for sheets nobody asked for."""
    return bool(categories) and (role != FACILITATOR or given or started)


def counted_scorers(session: Session, selection: Selection) -> set[int]:
    """The members the scoring waits for (membership ids); see `counts_as_scorer`."""
    assigned, given = assignments_and_given(session, selection)
    roles = dict(session.execute(
        select(Membership.id, Membership.role).where(Membership.selection_id == selection.id)
    ).all())
    started = set(session.scalars(
        select(Sheet.membership_id).join(Vendor, Vendor.id == Sheet.vendor_id)
        .where(Vendor.selection_id == selection.id)))
    return {
        membership_id for membership_id, categories in assigned.items()
        if counts_as_scorer(roles[membership_id], categories, membership_id in given,
                            membership_id in started)
    }


def assigned_category_ids(session: Session, membership: Membership) -> set[int]:
    """The categories one member scores."""
    if membership.role not in SCORERS:
        return set()
    rows = session.execute(
        select(Category.id, Category.domain, Assignment.assigned)
        .outerjoin(
            Assignment,
            (Assignment.category_id == Category.id)
            & (Assignment.membership_id == membership.id),
        )
        .where(Category.selection_id == membership.selection_id)
    ).all()
    return {
        category_id for category_id, domain, assigned in rows
        if (assigned if assigned is not None else default_assignment(membership.role, domain))
    }


def _is_assigned(session: Session, membership: Membership, category: Category) -> bool:
    override = session.scalar(
        select(Assignment.assigned).where(
            Assignment.membership_id == membership.id, Assignment.category_id == category.id
        )
    )
    if override is not None:
        return bool(override)
    return default_assignment(membership.role, category.domain)


def set_assignments(
    session: Session, selection: Selection, actor: Account, wanted: Mapping[int, Iterable[int]]
) -> int:
    """Make each named member score exactly the given categories; returns the number of
    changed (member, category) pairs. Only differences from the default are stored."""
    if selection.scoring_closed:
        raise ServiceError(_l("Scoring is closed: assignments can no longer change."))
    current = assignments(session, selection)
    categories = {
        c.id: c for c in session.scalars(
            select(Category).where(Category.selection_id == selection.id))
    }
    members = {
        m.id: (m, email) for m, email in session.execute(
            select(Membership, Account.email)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.selection_id == selection.id, Membership.removed_at.is_(None),
                   Membership.role.in_(SCORERS))
        )
    }
    changes = 0
    for membership_id, category_ids in wanted.items():
        if membership_id not in members:
            raise NotFound(_l("There is no such member in this selection."))
        target = set(category_ids)
        if not target <= set(categories):
            raise NotFound(_l("There is no such category in this selection."))
        membership, email = members[membership_id]
        for category_id, category in categories.items():
            now = category_id in target
            before = category_id in current[membership_id]
            if now == before:
                continue
            default = default_assignment(membership.role, category.domain)
            session.execute(
                delete(Assignment).where(Assignment.membership_id == membership_id,
                                         Assignment.category_id == category_id)
            )
            if now != default:
                session.add(Assignment(membership_id=membership_id, category_id=category_id,
                                       assigned=now))
            audit.record(
                session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
                entity=AuditEntity.ASSIGNMENT, entity_key=f"{email} · {category.key}",
                old={"assigned": before}, new={"assigned": now},
            )
            changes += 1
    session.flush()
    return changes


# -- sheets: conflict of interest, exclusion, submission ----------------------------------


def _sheet(session: Session, membership_id: int, vendor_id: int, lock: bool = False
           ) -> Sheet | None:
    query = select(Sheet).where(Sheet.membership_id == membership_id,
                                Sheet.vendor_id == vendor_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _ensure_sheet(session: Session, membership_id: int, vendor_id: int) -> Sheet:
    """The (locked) sheet of a member for a vendor, created when there is none yet."""
    sheet = _sheet(session, membership_id, vendor_id, lock=True)
    if sheet is None:
        insert_if_absent(session, Sheet, {"membership_id": membership_id, "vendor_id": vendor_id,
                                     "version": 1},
                    ["membership_id", "vendor_id"])
        sheet = _sheet(session, membership_id, vendor_id, lock=True)
    assert sheet is not None
    return sheet


def _sheet_key(vendor: Vendor, email: str) -> str:
    return f"{vendor.key} · {email}"


def declare_conflict(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    vendor_id: int, conflict: str, explanation: str = "",
) -> Sheet:
    """A member's declaration of (no) conflict of interest with a vendor."""
    _require_scorer(membership)
    _require_scoring_open(selection)
    vendor = _active_vendor(session, selection, vendor_id)
    if conflict not in CONFLICT_CHOICES:
        raise ServiceError(_l("Say whether you have a conflict of interest."), "conflict")
    explanation = (explanation or "").strip()
    if conflict == "declared" and not explanation:
        raise ServiceError(_l("Explain the conflict of interest: what ties you to this "
                              "vendor?"), "explanation")
    if len(explanation) > MAX_COMMENT:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=MAX_COMMENT), "explanation"
        )
    if conflict == "none":
        explanation = ""
    sheet = _ensure_sheet(session, membership.id, vendor.id)
    if sheet.excluded:
        raise ServiceError(_l("The facilitator has excluded you from scoring this vendor."),
                           "conflict")
    old = {"conflict": sheet.conflict, "explanation": sheet.conflict_explanation}
    new = {"conflict": conflict, "explanation": explanation}
    if old != new:
        sheet.conflict = conflict
        sheet.conflict_explanation = explanation
        sheet.version += 1
        audit.record(
            session, selection_id=selection.id, actor=actor, action=AuditAction.DECLARE,
            entity=AuditEntity.SHEET,
            entity_key=_sheet_key(vendor, actor.email), old=old, new=new,
        )
    session.flush()
    return sheet


def set_excluded(
    session: Session, selection: Selection, actor: Account, membership_id: int,
    vendor_id: int, excluded: bool, reason: str,
) -> Sheet:
    """The facilitator excludes a member from a vendor (or lets them score it again).
    Excluded scores stay on record but do not count."""
    if not selection.scoring_started:
        raise ServiceError(_l("Members are excluded from vendors during scoring and the "
                              "decision."))
    reason = _clean_reason(reason)
    if not reason:
        raise ServiceError(_l("Give the reason for this decision."), "reason")
    membership = _member(session, selection, membership_id)
    _require_scorer(membership)
    vendor = get_vendor(session, selection, vendor_id)
    sheet = _ensure_sheet(session, membership.id, vendor.id)
    if sheet.excluded == excluded:
        raise ServiceError(
            _l("This member is excluded from this vendor already.") if excluded
            else _l("This member is not excluded from this vendor."), "reason")
    sheet.excluded = excluded
    sheet.version += 1
    email = session.scalar(select(Account.email).where(Account.id == membership.account_id))
    audit.record(
        session, selection_id=selection.id, actor=actor,
        action=AuditAction.EXCLUDE if excluded else AuditAction.INCLUDE, entity=AuditEntity.SHEET,
        entity_key=_sheet_key(vendor, email or ""), old={"excluded": not excluded},
        new={"excluded": excluded}, reason=reason,
    )
    session.flush()
    return sheet


@dataclass
class SubmitRefusal:
    """What still stands between a sheet and its submission."""

    open_items: list[str] = field(default_factory=list)  # codes without a score
    unargued: list[str] = field(default_factory=list)  # codes of unargued extremes


def assigned_wishes(session: Session, membership: Membership) -> list[Requirement]:
    """The active wishes in the member's assigned categories, by category then code."""
    categories = assigned_category_ids(session, membership)
    if not categories:
        return []
    return list(
        session.scalars(
            select(Requirement)
            .join(Category, Category.id == Requirement.category_id)
            .where(
                Requirement.selection_id == membership.selection_id,
                Requirement.category_id.in_(categories),
                Requirement.is_active_wish,
            )
            .order_by(Category.position, Category.key, Requirement.code)
        )
    )


def submit_sheet(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    vendor_id: int,
) -> Sheet:
    """Submit a member's sheet for a vendor: its scores count from now on. Refused while
    an assigned wish has no score or an extreme score has no argument."""
    _require_scorer(membership)
    _require_scoring_open(selection)
    vendor = _active_vendor(session, selection, vendor_id)
    sheet = _sheet(session, membership.id, vendor.id, lock=True)
    if sheet is None or sheet.conflict is None:
        raise ServiceError(_l("Declare first whether you have a conflict of interest with "
                              "this vendor."), "conflict")
    if sheet.excluded:
        raise ServiceError(_l("The facilitator has excluded you from scoring this vendor."))
    if sheet.submitted_at is not None:
        raise ServiceError(_l("You have submitted this sheet already."))
    wishes = assigned_wishes(session, membership)
    mine = {
        requirement_id: (score, comment)
        for requirement_id, score, comment in session.execute(
            select(Score.requirement_id, Score.score, Score.comment).where(
                Score.membership_id == membership.id, Score.vendor_id == vendor.id)
        )
    }
    refusal = SubmitRefusal()
    for wish in wishes:
        entry = mine.get(wish.id)
        if entry is None:
            refusal.open_items.append(wish.code)
        elif unargued(entry[0], entry[1], selection.scale_max):
            refusal.unargued.append(wish.code)
    if refusal.open_items:
        error = ServiceError(
            _l("Score every requirement before you submit: %(count)d still open "
               "(%(codes)s).", count=len(refusal.open_items),
               codes=", ".join(refusal.open_items[:10])), "submit")
        error.refusal = refusal  # type: ignore[attr-defined]
        raise error
    if refusal.unargued:
        error = ServiceError(
            _l("Argue every extreme score (0, 1 or %(max)d) before you submit: %(codes)s.",
               max=selection.scale_max, codes=", ".join(refusal.unargued[:10])), "submit")
        error.refusal = refusal  # type: ignore[attr-defined]
        raise error
    if not wishes:
        raise ServiceError(_l("There is nothing for you to score for this vendor."), "submit")
    sheet.submitted_at = utcnow()
    sheet.version += 1
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.SUBMIT,
        entity=AuditEntity.SHEET,
        entity_key=_sheet_key(vendor, actor.email), new={"scores": len(wishes)},
    )
    session.flush()
    return sheet


# -- saving one score ---------------------------------------------------------------------


@dataclass(frozen=True)
class SavedScore:
    requirement_id: int
    vendor_id: int
    score: int
    comment: str
    version: int
    unargued_extreme: bool
    changed: bool  # False when the save repeated what was stored


def _conflict(current: tuple[int, str, int] | None, scale_max: int) -> Conflict:
    error = Conflict(
        _l("This score was changed elsewhere (another tab or window) after you opened it. "
           "The stored score is shown now; check it and save again if needed."), "score")
    # The stored value is the member's own: it may be shown to them (not a peer's score).
    error.current = (  # type: ignore[attr-defined]
        None if current is None else {
            "score": current[0], "comment": current[1], "version": current[2],
            "unargued_extreme": unargued(current[0], current[1], scale_max),
        }
    )
    return error


# Everything one save needs to check, in one statement (a save is the hot path: the
# sheet saves every answer as it is given, and on SQLite the write lock is held for the
# whole request). No row: the vendor or the requirement is not in this selection.
_SAVE_CONTEXT = text(
    """
    SELECT v.key AS vendor_key, v.withdrawn, r.code, r.status, r.priority, r.knockout,
           c.domain, a.assigned, sh.conflict, sh.excluded, sh.submitted_at,
           s.id AS score_id, s.score, s.comment, s.version
    FROM requirements r
    JOIN categories c ON c.id = r.category_id
    JOIN vendors v ON v.id = :vid AND v.selection_id = :sid
    LEFT JOIN assignments a ON a.category_id = c.id AND a.membership_id = :mid
    LEFT JOIN sheets sh ON sh.membership_id = :mid AND sh.vendor_id = v.id
    LEFT JOIN scores s ON s.membership_id = :mid AND s.vendor_id = v.id
                      AND s.requirement_id = r.id
    WHERE r.id = :rid AND r.selection_id = :sid
    """
)
# PostgreSQL: lock the member's sheet for this vendor first, so that a submission, an
# exclusion and this save cannot interleave (SQLite's BEGIN IMMEDIATE does that already).
_LOCK_SHEET = text(
    "SELECT id FROM sheets WHERE membership_id = :mid AND vendor_id = :vid FOR UPDATE"
)
_INSERT_SCORE = text(
    """
    INSERT INTO scores (selection_id, membership_id, vendor_id, requirement_id, score,
                        comment, updated_at, version)
    VALUES (:sid, :mid, :vid, :rid, :score, :comment, :now, 1)
    ON CONFLICT (membership_id, vendor_id, requirement_id) DO NOTHING
    RETURNING id
    """
).bindparams(bindparam("now", type_=UTCDateTime()))
_UPDATE_SCORE = text(
    """
    UPDATE scores SET score = :score, comment = :comment, updated_at = :now,
                      version = version + 1
    WHERE id = :id AND version = :version
    """
).bindparams(bindparam("now", type_=UTCDateTime()))
_CURRENT_SCORE = text(
    "SELECT score, comment, version FROM scores"
    " WHERE membership_id = :mid AND vendor_id = :vid AND requirement_id = :rid"
)


def save_score(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    *,
    vendor_id: int,
    requirement_id: int,
    score: Any,
    comment: str | None,
    version: int | None,
    reason: str | None = "",
) -> SavedScore:
    """Save one member's score (and argument) for one vendor on one wish.

    `version` is the version the member started from: None for a first score. A save
    from an older version raises `Conflict` (with the stored value in `.current`).
    Statements: one to check everything, one insert or conditional update, one audit
    insert (and on PostgreSQL one row lock).
    """
    _require_scorer(membership)
    _require_scoring_open(selection)
    ids = {"sid": selection.id, "mid": membership.id, "vid": vendor_id, "rid": requirement_id}
    if isinstance(vendor_id, bool) or not isinstance(vendor_id, int) or isinstance(
            requirement_id, bool) or not isinstance(requirement_id, int):
        raise NotFound(_l("There is no such requirement in this selection."))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_SHEET, ids)
    row = session.execute(_SAVE_CONTEXT, ids).first()
    if row is None:  # say which of the two is missing
        get_vendor(session, selection, vendor_id)
        _wish(session, selection, requirement_id)
        raise NotFound(_l("There is no such requirement in this selection."))
    if row.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: it is no longer scored."))
    if not is_active_wish(row.status, row.priority, row.knockout):
        raise ServiceError(_l("Only accepted wishes are scored; this requirement is not one."),
                           "score")
    assigned = (bool(row.assigned) if row.assigned is not None
                else default_assignment(membership.role, row.domain))
    if not assigned:
        raise ServiceError(_l("This requirement is not assigned to you: ask the facilitator "
                              "if you should score it."), "score")
    value = _score_value(selection, score)
    comment = _comment(comment)
    reason = _clean_reason(reason)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ServiceError(_l("The form is out of date: reload the page."), "version")
    if row.conflict is None:
        raise ServiceError(_l("Declare first whether you have a conflict of interest with "
                              "this vendor."), "conflict")
    if row.excluded:
        raise ServiceError(_l("The facilitator has excluded you from scoring this vendor: "
                              "your scores for it do not count."), "score")
    if row.submitted_at is not None and not reason:
        raise ServiceError(_l("You have submitted this sheet: say why you change this "
                              "score."), "reason")

    key = f"{row.vendor_key} · {row.code} · {actor.email}"
    now = utcnow()
    if row.score_id is None:
        if version is not None:
            raise _conflict(None, selection.scale_max)
        new_id = session.execute(
            _INSERT_SCORE, {**ids, "score": value, "comment": comment, "now": now}).scalar()
        if new_id is None:  # another first save won the race
            raced = session.execute(_CURRENT_SCORE, ids).first()
            raise _conflict(tuple(raced) if raced else None, selection.scale_max)
        audit.record(
            session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
            entity=AuditEntity.SCORE,
            entity_key=key, new={"score": value, "comment": comment}, reason=reason,
        )
        return SavedScore(requirement_id, vendor_id, value, comment, 1,
                          unargued(value, comment, selection.scale_max), True)

    if version != row.version:
        raise _conflict((row.score, row.comment, row.version), selection.scale_max)
    if row.score == value and row.comment == comment:
        return SavedScore(requirement_id, vendor_id, value, comment, row.version,
                          unargued(value, comment, selection.scale_max), False)
    result = session.execute(_UPDATE_SCORE, {"id": row.score_id, "version": row.version,
                                             "score": value, "comment": comment, "now": now})
    if result.rowcount != 1:  # changed between our read and our write
        raise _conflict(None, selection.scale_max)
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.SCORE,
        entity_key=key, old={"score": row.score, "comment": row.comment},
        new={"score": value, "comment": comment}, reason=reason,
    )
    return SavedScore(requirement_id, vendor_id, value, comment, row.version + 1,
                      unargued(value, comment, selection.scale_max), True)


@dataclass(frozen=True)
class SheetAnswer:
    """One answer as a whole sheet sent it, beside the answer stored when the page was made."""

    requirement_id: int
    score: int | None
    comment: str
    version: int | None
    stored_score: int | None
    stored_comment: str


@dataclass
class SavedSheet:
    saved: int = 0  # answers that changed
    refused: list[tuple[int, ServiceError]] = field(default_factory=list)  # (requirement id,
    # why): a `Conflict` carries the stored answer in `.current`; `.field` "reason" is the
    # sheet's reason, any other the answer's score

    @property
    def only_conflicts(self) -> bool:
        return all(isinstance(error, Conflict) for _, error in self.refused)


def save_sheet(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    *,
    vendor_id: int,
    answers: Iterable[SheetAnswer],
    reason: str | None = "",
) -> SavedSheet:
    """Save every changed answer of a whole sheet (the page without JavaScript), each as
    `save_score` does. A refused answer is returned, not raised, so that every message can
    stand beside its answer; the caller then rolls the others back: all or none."""
    outcome = SavedSheet()
    for answer in answers:
        if answer.score is None:
            if answer.comment and answer.comment != answer.stored_comment:
                outcome.refused.append((answer.requirement_id, ServiceError(
                    _l("Choose a score to go with your argument."), "score")))
            continue
        if answer.score == answer.stored_score and answer.comment == answer.stored_comment:
            continue
        try:
            saved = save_score(
                session, selection, membership, actor, vendor_id=vendor_id,
                requirement_id=answer.requirement_id, score=answer.score,
                comment=answer.comment, version=answer.version, reason=reason)
        except NotFound:
            raise
        except ServiceError as error:
            outcome.refused.append((answer.requirement_id, error))
        else:
            outcome.saved += int(saved.changed)
    return outcome


# -- consensus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedConsensus:
    vendor_id: int
    requirement_id: int
    score: int
    rationale: str
    version: int


def record_consensus(
    session: Session,
    selection: Selection,
    actor: Account,
    *,
    vendor_id: int,
    requirement_id: int,
    score: Any,
    rationale: str,
    version: int | None,
) -> SavedConsensus:
    """The facilitator records the score the committee agreed on, with its rationale."""
    _require_scoring_closed(selection)
    vendor = _active_vendor(session, selection, vendor_id)
    requirement = _wish(session, selection, requirement_id)
    value = _score_value(selection, score)
    rationale = (rationale or "").strip()
    if not rationale:
        raise ServiceError(_l("Write down why the committee agrees on this score."),
                           "rationale")
    if len(rationale) > MAX_COMMENT:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=MAX_COMMENT), "rationale"
        )
    stored = session.execute(
        select(Consensus.id, Consensus.score, Consensus.rationale, Consensus.version)
        .where(Consensus.vendor_id == vendor.id, Consensus.requirement_id == requirement.id)
    ).first()
    key = f"{vendor.key} · {requirement.code}"
    now = utcnow()
    stale = Conflict(_l("Someone else recorded a consensus score for this item first. "
                        "Reload the page to see it, then decide again."), "score")
    if stored is None:
        if version is not None:
            raise stale
        new_id = insert_decision(session, Consensus, selection, vendor, requirement, actor, now,
                                 {"score": value, "rationale": rationale})
        if new_id is None:
            raise stale
        audit.record(
            session, selection_id=selection.id, actor=actor, action=AuditAction.CREATE,
            entity=AuditEntity.CONSENSUS, entity_key=key, new={"score": value,
            "rationale": rationale},
        )
        return SavedConsensus(vendor.id, requirement.id, value, rationale, 1)
    if version != stored.version:
        raise stale
    if stored.score == value and stored.rationale == rationale:
        return SavedConsensus(vendor.id, requirement.id, value, rationale, stored.version)
    if not update_decision(session, Consensus, stored, actor, now,
                           {"score": value, "rationale": rationale}):
        raise stale
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.CONSENSUS,
        entity_key=key, old={"score": stored.score, "rationale": stored.rationale},
        new={"score": value, "rationale": rationale},
    )
    return SavedConsensus(vendor.id, requirement.id, value, rationale, stored.version + 1)


def remove_consensus(
    session: Session, selection: Selection, actor: Account, *, vendor_id: int,
    requirement_id: int, version: int, reason: str,
) -> None:
    """Take a consensus score back (the mean counts again); needs a reason."""
    _require_scoring_closed(selection)
    vendor = get_vendor(session, selection, vendor_id)
    requirement = session.scalar(select(Requirement).where(
        Requirement.id == requirement_id, Requirement.selection_id == selection.id))
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this selection."))
    reason = _clean_reason(reason)
    if not reason:
        raise ServiceError(_l("Give the reason for this decision."), "reason")
    stored = session.execute(
        select(Consensus.id, Consensus.score, Consensus.rationale, Consensus.version)
        .where(Consensus.vendor_id == vendor.id, Consensus.requirement_id == requirement.id)
    ).first()
    if stored is None or stored.version != version:
        raise Conflict(_l("Someone else recorded a consensus score for this item first. "
                          "Reload the page to see it, then decide again."), "score")
    result = session.execute(
        delete(Consensus).where(Consensus.id == stored.id, Consensus.version == version)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("Someone else recorded a consensus score for this item first. "
                          "Reload the page to see it, then decide again."), "score")
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.DELETE,
        entity=AuditEntity.CONSENSUS,
        entity_key=f"{vendor.key} · {requirement.code}",
        old={"score": stored.score, "rationale": stored.rationale}, reason=reason,
    )


# -- the settings that relax blind scoring ------------------------------------------------


def set_visibility(
    session: Session, selection: Selection, actor: Account, *, facilitator_sees_all: bool,
) -> bool:
    """The facilitator's setting (issue 7): see everyone's scores and the costs while
    scoring is open. Audited; returns whether anything changed. (No setting shows costs
    to the scorers before scoring closes: decisions.md, the *prijskluis*.)"""
    old = {"facilitator_sees_all": bool(selection.facilitator_sees_all)}
    new = {"facilitator_sees_all": bool(facilitator_sees_all)}
    if old == new:
        return False
    selection.facilitator_sees_all = new["facilitator_sees_all"]
    if new["facilitator_sees_all"] and not old["facilitator_sees_all"] \
            and selection.scoring_open:
        # From now on every page shows the facilitators every score (issue 17, item 13).
        disclosures.note_all_vendors(session, selection, roles=("facilitator",))
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.SELECTION,
        entity_key=selection.name, old=old, new=new,
    )
    session.flush()
    return True
