"""The scoring area's writes: who scores what, conflicts of interest, saving one score,
submitting a sheet, the consensus score the committee agrees on afterwards, the setting
that relaxes blind scoring, and the first moment a member saw the others' scores. Each
change comes with its audit entry (old and new value) in the caller's transaction.

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

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from selector.db import insert_if_absent
from selector.domain.selection import is_active_wish
from selector.domain.vocabulary import SCORERS
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Assignment
from selector.models import Category
from selector.models import Consensus
from selector.models import Membership
from selector.models import Requirement
from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from selector.models import Vendor
from selector.models.base import UTCDateTime
from selector.models.base import utcnow
from selector.models.scoring import ScoreDisclosure
from selector.services import audit
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.item_decisions import insert_decision
from selector.services.item_decisions import update_decision
from selector.services.scoring.reads import assigned_wishes
from selector.services.scoring.reads import assignments
from selector.services.scoring.reads import unnoted
from selector.services.scoring.rules import CONFLICT_CHOICES
from selector.services.scoring.rules import MAX_COMMENT
from selector.services.scoring.rules import checked_comment
from selector.services.scoring.rules import checked_reason
from selector.services.scoring.rules import checked_score
from selector.services.scoring.rules import default_assignment
from selector.services.scoring.rules import require_scorer
from selector.services.scoring.rules import require_scoring_closed
from selector.services.scoring.rules import require_scoring_open
from selector.services.scoring.rules import unargued
from selector.services.vendors import get_vendor
from selector.services.written import written_text

# -- what a change is about ---------------------------------------------------------------


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
    require_scorer(membership)
    require_scoring_open(selection)
    vendor = _active_vendor(session, selection, vendor_id)
    if conflict not in CONFLICT_CHOICES:
        raise ServiceError(_l("Say whether you have a conflict of interest."), "conflict")
    explanation = written_text(explanation, "explanation", MAX_COMMENT, required=_l(
        "Explain the conflict of interest: what ties you to this vendor?"
    ) if conflict == "declared" else None)
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
    reason = checked_reason(reason)
    if not reason:
        raise ServiceError(_l("Give the reason for this decision."), "reason")
    membership = _member(session, selection, membership_id)
    require_scorer(membership)
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


def submit_sheet(
    session: Session, selection: Selection, membership: Membership, actor: Account,
    vendor_id: int,
) -> Sheet:
    """Submit a member's sheet for a vendor: its scores count from now on. Refused while
    an assigned wish has no score or an extreme score has no argument."""
    require_scorer(membership)
    require_scoring_open(selection)
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
    require_scorer(membership)
    require_scoring_open(selection)
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
    value = checked_score(selection, score)
    comment = checked_comment(comment)
    reason = checked_reason(reason)
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
    require_scoring_closed(selection)
    vendor = _active_vendor(session, selection, vendor_id)
    requirement = _wish(session, selection, requirement_id)
    value = checked_score(selection, score)
    rationale = written_text(rationale, "rationale", MAX_COMMENT,
                             required=_l("Write down why the committee agrees on this score."))
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
    require_scoring_closed(selection)
    vendor = get_vendor(session, selection, vendor_id)
    requirement = session.scalar(select(Requirement).where(
        Requirement.id == requirement_id, Requirement.selection_id == selection.id))
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this selection."))
    reason = checked_reason(reason)
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
        note_all_vendors(session, selection, roles=("facilitator",))
    audit.record(
        session, selection_id=selection.id, actor=actor, action=AuditAction.UPDATE,
        entity=AuditEntity.SELECTION,
        entity_key=selection.name, old=old, new=new,
    )
    session.flush()
    return True


# -- the first moment a member saw the others' scores (issue 17, item 13) -----------------
#
# Blind scoring, kept honest afterwards. A business or IT member who submitted a sheet
# sees the others' scores for that vendor (`selector.domain.visibility`), and may still
# change their own with a reason. That is allowed, but the rest of the committee should
# know: submitting a throw-away sheet, reading the others' scores and then revising
# everything would otherwise look like any other revision. So the first moment a member
# was shown the others' scores for a vendor is recorded (`ScoreDisclosure`), and every
# score of theirs on that vendor saved later is marked "changed after seeing others'
# scores" on the consensus page, in panel health and in the report's appendix
# (`reads.changes_after_seeing`).
#
# The moment is recorded when a scoring sheet shows other members' scores (after
# submitting; a facilitator with "see everything" on), and on the consensus page while
# scoring is open; when "see everything" is switched on while scoring is open, or scoring
# opens with it on (from then on every analysis page, the report preview and the API show
# the facilitators everything, for every vendor); and when the selection moves back from
# the decision phase to scoring (while it was closed, every member could see every score).


def note_shown(session: Session, membership_id: int, vendor_ids: Iterable[int]) -> int:
    """Record that the member was shown others' scores for `vendor_ids` now, where no
    earlier moment is recorded; returns how many moments are new."""
    now = utcnow()
    new = 0
    for vendor_id in unnoted(session, membership_id, vendor_ids):
        new += insert_if_absent(
            session, ScoreDisclosure,
            {"membership_id": membership_id, "vendor_id": vendor_id, "at": now},
            ["membership_id", "vendor_id"]) is not None
    return new


def note_all_vendors(session: Session, selection: Selection,
                     roles: Iterable[str] = SCORERS) -> None:
    """Every vendor shown to every current member with one of `roles` (see above)."""
    vendor_ids = list(session.scalars(select(Vendor.id).where(
        Vendor.selection_id == selection.id)))
    memberships = session.scalars(select(Membership.id).where(
        Membership.selection_id == selection.id, Membership.removed_at.is_(None),
        Membership.role.in_(list(roles))))
    for membership_id in memberships:
        note_shown(session, membership_id, vendor_ids)
