"""The scoring area's reads: what the scoring pages show. A member's sheet for a vendor,
the vendor's answers beside it, progress, the assignment matrix, the knock-out board and
the consensus meeting; who scores what; and which scores were changed after their
member saw the others' (`writes.note_shown`). Every function loads in a few bulk queries.

Queries only: nothing here adds, changes or deletes a row or writes the audit trail.

Blind scoring (decisions.md "Blind scoring and prices") is decided by
`selector.domain.visibility`: a member sees the others' scores on a sheet where
`peer_scores_visible` allows, and numbers derived from scores (means, spreads) where
`scores_visible` allows. Pages never receive what they may not show: the rows are left
out here, not hidden in a template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain import method
from selector.domain import vendor_answers as answer_rules
from selector.domain import visibility
from selector.domain.it_catalogue import answer_words
from selector.domain.vocabulary import SCORERS
from selector.i18n import _l
from selector.models import Account
from selector.models import AnswerDocument
from selector.models import Assignment
from selector.models import Attachment
from selector.models import Category
from selector.models import Consensus
from selector.models import Membership
from selector.models import Requirement
from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import Verdict
from selector.models.base import utcnow
from selector.models.scoring import ScoreDisclosure
from selector.services import verdicts
from selector.services.errors import NotFound
from selector.services.loader import load_selection
from selector.services.scoring.rules import counts_as_scorer
from selector.services.scoring.rules import default_assignment
from selector.services.scoring.rules import unargued
from selector.services.vendors import committee_answers

IMPORTED_VERDICT = _l("the import of a selection file")

# -- shared queries -----------------------------------------------------------------------


def _active_wishes(session: Session, selection_id: int, category_ids: set[int] | None = None):
    query = (
        select(Requirement)
        .join(Category, Category.id == Requirement.category_id)
        .where(
            Requirement.selection_id == selection_id,
            Requirement.is_active_wish,
        )
        .order_by(Category.position, Category.key, Requirement.code)
    )
    if category_ids is not None:
        query = query.where(Requirement.category_id.in_(category_ids))
    return list(session.scalars(query))


def _categories(session: Session, selection_id: int) -> dict[int, Category]:
    return {
        c.id: c for c in session.scalars(
            select(Category).where(Category.selection_id == selection_id)
            .order_by(Category.position, Category.key))
    }


def active_vendors(session: Session, selection: Selection) -> list[Vendor]:
    return list(session.scalars(
        select(Vendor).where(Vendor.selection_id == selection.id, Vendor.withdrawn.is_(False))
        .order_by(Vendor.name, Vendor.key)))


# -- who scores what ---------------------------------------------------------------------


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


def assigned_wishes(session: Session, membership: Membership) -> list[Requirement]:
    """The active wishes in the member's assigned categories, by category then code."""
    categories = assigned_category_ids(session, membership)
    if not categories:
        return []
    return _active_wishes(session, membership.selection_id, categories)


# -- one member's sheet -------------------------------------------------------------------


@dataclass
class PeerScore:
    name: str
    score: int
    comment: str


@dataclass
class SheetItem:
    requirement: Requirement
    score: int | None
    comment: str
    version: int | None
    unargued_extreme: bool
    peers: list[PeerScore] = field(default_factory=list)


@dataclass
class SheetCategory:
    category: Category
    items: list[SheetItem]

    @property
    def scored(self) -> int:
        return sum(1 for item in self.items if item.score is not None)

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass
class SheetView:
    vendor: Vendor
    membership: Membership
    sheet: Sheet | None
    categories: list[SheetCategory]
    peers_visible: bool
    peers_visible_after_submitting: bool = False

    @property
    def items(self) -> list[SheetItem]:
        return [item for group in self.categories for item in group.items]

    @property
    def scored(self) -> int:
        return sum(group.scored for group in self.categories)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.categories)

    @property
    def unargued(self) -> int:
        return sum(1 for item in self.items if item.unargued_extreme)

    @property
    def conflict(self) -> str | None:
        return self.sheet.conflict if self.sheet else None

    @property
    def excluded(self) -> bool:
        return bool(self.sheet and self.sheet.excluded)

    @property
    def submitted_at(self) -> datetime | None:
        return self.sheet.submitted_at if self.sheet else None


def member_sheet(
    session: Session, selection: Selection, membership: Membership, vendor: Vendor
) -> SheetView:
    """The assigned active wishes of `membership` for `vendor`, grouped by category, with
    the member's own scores, and the others' only where blind scoring allows."""
    sheet = session.scalar(select(Sheet).where(Sheet.membership_id == membership.id,
                                               Sheet.vendor_id == vendor.id))
    categories = _categories(session, selection.id)
    wishes = _active_wishes(session, selection.id, assigned_category_ids(session, membership))
    mine = {
        requirement_id: (score, comment, version)
        for requirement_id, score, comment, version in session.execute(
            select(Score.requirement_id, Score.score, Score.comment, Score.version).where(
                Score.membership_id == membership.id, Score.vendor_id == vendor.id))
    }
    submitted = bool(sheet and sheet.submitted_at)
    peers_visible = visibility.peer_scores_visible(selection, membership.role, submitted)
    peers: dict[int, list[PeerScore]] = defaultdict(list)
    if peers_visible and wishes:
        for requirement_id, name, email, score, comment in session.execute(
            select(Score.requirement_id, Account.name, Account.email, Score.score,
                   Score.comment)
            .join(Membership, Membership.id == Score.membership_id)
            .join(Account, Account.id == Membership.account_id)
            .join(Sheet, and_(Sheet.membership_id == Score.membership_id,
                              Sheet.vendor_id == Score.vendor_id))
            .where(
                Score.vendor_id == vendor.id,
                Score.membership_id != membership.id,
                Score.requirement_id.in_([w.id for w in wishes]),
                Membership.removed_at.is_(None),
                Sheet.submitted_at.is_not(None),
                Sheet.excluded.is_(False),
            )
            .order_by(Account.name, Account.email)
        ):
            peers[requirement_id].append(PeerScore(name or email, score, comment))
    groups: dict[int, list[SheetItem]] = {}
    for wish in wishes:
        score, comment, version = mine.get(wish.id, (None, "", None))
        groups.setdefault(wish.category_id, []).append(
            SheetItem(wish, score, comment, version,
                      unargued(score, comment, selection.scale_max), peers.get(wish.id, []))
        )
    ordered = [SheetCategory(categories[cid], items) for cid, items in groups.items()]
    # Shown only because the member submitted this sheet: from now on a change is marked.
    after_submitting = peers_visible and not visibility.scores_visible(selection,
                                                                        membership.role)
    return SheetView(vendor, membership, sheet, ordered, peers_visible, after_submitting)


# -- the vendor's own answers beside the requirements ------------------------------------


@dataclass(frozen=True)
class AnswerShown:
    """A vendor's answer as the committee reads it under a requirement: words in the
    selection's language (the vendor answered in it), evidence documents by id."""

    compliance: str  # the key, for the page's styling
    label: str
    explanation: str
    planned_on: date | None
    offered: str  # the structured IT answer in words; "" for none
    documents: tuple[Attachment, ...]


def answers_shown(session: Session, selection: Selection, vendor_id: int,
                  now: datetime | None = None) -> dict[int, AnswerShown] | None:
    """Requirement id -> the vendor's answer, for the scoring sheet and the consensus
    meeting; None while the selection hides the answers until the deadline. A few
    queries whatever the number of requirements (`vendors.committee_answers`)."""
    items = committee_answers(session, selection, vendor_id, now, answered_only=True)
    if items is None:
        return None
    language = selection.language
    shown = {}
    for item in items:
        answer = item.answer
        if answer is None:
            continue
        offered = item.offered
        shown[item.requirement.id] = AnswerShown(
            compliance=answer.compliance,
            label=answer_rules.compliance_label(answer.compliance, language),
            explanation=answer.explanation,
            planned_on=answer.planned_on,
            offered=(answer_words(item.question, offered, language)
                     if item.question is not None and offered is not None else ""),
            documents=item.documents,
        )
    return shown


def consensus_answers(session: Session, selection: Selection, vendor_ids: set[int],
                      now: datetime | None = None) -> dict[int, dict[int, AnswerShown] | None]:
    """Vendor id -> its answers (as `answers_shown`) for the vendors the meeting shows:
    a few queries per vendor, never per item."""
    return {vendor_id: answers_shown(session, selection, vendor_id, now)
            for vendor_id in sorted(vendor_ids)}


def answer_document(session: Session, selection: Selection, vendor_id: int,
                    attachment_id: int, now: datetime | None = None
                    ) -> tuple[Attachment, Path]:
    """Evidence a vendor gave with an answer, for a member to download; not found while
    the answers are hidden, or when it is not this vendor's."""
    if not answer_rules.answers_visible(selection.answers_hidden, selection.answers_deadline,
                                        now or utcnow()):
        raise NotFound(_l("There is no such document in this selection."))
    found = session.scalar(
        select(AnswerDocument.attachment_id)
        .join(VendorAnswer, VendorAnswer.id == AnswerDocument.answer_id)
        .where(AnswerDocument.attachment_id == attachment_id,
               VendorAnswer.vendor_id == vendor_id,
               VendorAnswer.selection_id == selection.id))
    if found is None:
        raise NotFound(_l("There is no such document in this selection."))
    return verdicts.get_attachment(session, selection, attachment_id, answer_evidence=True)


# -- progress -----------------------------------------------------------------------------


@dataclass
class SheetProgress:
    """One member's state for one vendor: counts only, never scores."""

    vendor: Vendor
    scored: int
    total: int
    conflict: str | None
    conflict_explanation: str
    excluded: bool
    submitted_at: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.total) if self.total else 0

    @property
    def state(self) -> str:
        if self.excluded:
            return "excluded"
        if self.submitted_at is not None:
            return "submitted"
        if self.conflict is None:
            return "not_started"
        return "in_progress"


@dataclass
class MemberProgress:
    membership: Membership
    account: Account
    sheets: list[SheetProgress]

    @property
    def submitted(self) -> int:
        return sum(1 for s in self.sheets if s.submitted_at is not None or s.excluded)


def scoring_progress(
    session: Session, selection: Selection, only: Membership | None = None
) -> tuple[list[Vendor], list[MemberProgress]]:
    """Per scoring member and vendor: scored of assigned, conflict, exclusion and
    submission. Counts only: safe to show before scoring closes. `only` limits it to
    one member (their own vendor list)."""
    vendors = active_vendors(session, selection)
    members_query = (
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == selection.id, Membership.removed_at.is_(None),
               Membership.role.in_(SCORERS))
        .order_by(Membership.role, Account.name, Account.email)
    )
    if only is not None:
        members_query = members_query.where(Membership.id == only.id)
    members = session.execute(members_query).all()
    assigned, given = assignments_and_given(session, selection)
    wish_category = dict(session.execute(
        select(Requirement.id, Requirement.category_id).where(
            Requirement.selection_id == selection.id, Requirement.is_active_wish)
    ).all())
    wishes_per_category: dict[int, int] = defaultdict(int)
    for category_id in wish_category.values():
        wishes_per_category[category_id] += 1
    # Counts of scores per (member, vendor, category): grouped in the database.
    counts_query = (
        select(Score.membership_id, Score.vendor_id, Requirement.category_id, func.count())
        .join(Requirement, Requirement.id == Score.requirement_id)
        .where(Score.selection_id == selection.id, Requirement.is_active_wish)
        .group_by(Score.membership_id, Score.vendor_id, Requirement.category_id)
    )
    if only is not None:
        counts_query = counts_query.where(Score.membership_id == only.id)
    counts = session.execute(counts_query).all()
    scored: dict[tuple[int, int], int] = defaultdict(int)
    for membership_id, vendor_id, category_id, count in counts:
        if category_id in assigned.get(membership_id, set()):
            scored[(membership_id, vendor_id)] += count
    sheets_query = (
        select(Sheet).join(Vendor, Vendor.id == Sheet.vendor_id)
        .where(Vendor.selection_id == selection.id)
    )
    if only is not None:
        sheets_query = sheets_query.where(Sheet.membership_id == only.id)
    sheets = {(s.membership_id, s.vendor_id): s for s in session.scalars(sheets_query)}
    started = {membership_id for membership_id, _ in sheets}
    result = []
    for membership, account in members:
        if only is None and not counts_as_scorer(
            membership.role, assigned.get(membership.id, set()), membership.id in given,
            membership.id in started,
        ):
            continue  # e.g. a facilitator without scoring assignments
        total = sum(wishes_per_category[c] for c in assigned.get(membership.id, set()))
        row = []
        for vendor in vendors:
            sheet = sheets.get((membership.id, vendor.id))
            row.append(SheetProgress(
                vendor=vendor, scored=scored[(membership.id, vendor.id)], total=total,
                conflict=sheet.conflict if sheet else None,
                conflict_explanation=sheet.conflict_explanation if sheet else "",
                excluded=bool(sheet and sheet.excluded),
                submitted_at=sheet.submitted_at if sheet else None,
            ))
        result.append(MemberProgress(membership, account, row))
    return vendors, result


def my_sheets(session: Session, selection: Selection, membership: Membership
              ) -> list[SheetProgress]:
    """The member's own progress per vendor (their scoring start page)."""
    _, rows = scoring_progress(session, selection, only=membership)
    return rows[0].sheets if rows else []


# -- assignment matrix --------------------------------------------------------------------


@dataclass
class AssignmentRow:
    membership: Membership
    account: Account
    categories: set[int]


def assignment_matrix(session: Session, selection: Selection
                      ) -> tuple[list[Category], list[AssignmentRow]]:
    categories = list(_categories(session, selection.id).values())
    assigned = assignments(session, selection)
    members = session.execute(
        select(Membership, Account).join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == selection.id, Membership.removed_at.is_(None),
               Membership.role.in_(SCORERS))
        .order_by(Membership.role, Account.name, Account.email)
    ).all()
    return categories, [AssignmentRow(m, a, assigned.get(m.id, set())) for m, a in members]


# -- knock-out verdicts -------------------------------------------------------------------


@dataclass
class VerdictCell:
    vendor: Vendor
    verdict: Verdict | None
    recorded_by: str
    attachments: list[Attachment]


@dataclass
class KnockoutRow:
    requirement: Requirement
    cells: list[VerdictCell]


@dataclass
class Exclusion:
    code: str
    title: str
    evidence: str


def knockout_board(session: Session, selection: Selection
                   ) -> tuple[list[Vendor], list[KnockoutRow]]:
    """Active knock-outs x vendors taking part, with each verdict and its documents."""
    vendors = active_vendors(session, selection)
    knockouts = list(session.scalars(
        select(Requirement).join(Category, Category.id == Requirement.category_id)
        .where(Requirement.selection_id == selection.id, Requirement.is_active_knockout)
        .order_by(Category.position, Requirement.code)))
    # Every verdict names who recorded it: the name, else the e-mail. The app never
    # deletes an account, so a verdict without one came from a selection file imported
    # on the command line (which has no actor).
    recorded = {
        (v.vendor_id, v.requirement_id): (v, name or email or IMPORTED_VERDICT)
        for v, name, email in session.execute(
            select(Verdict, Account.name, Account.email)
            .outerjoin(Account, Account.id == Verdict.recorded_by_id)
            .where(Verdict.selection_id == selection.id))
    }
    documents: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in session.scalars(
        select(Attachment).where(Attachment.selection_id == selection.id,
                                 Attachment.verdict_id.is_not(None))
        .order_by(Attachment.uploaded_at, Attachment.id)
    ):
        documents[attachment.verdict_id].append(attachment)  # type: ignore[index]
    rows = []
    for knockout in knockouts:
        cells = []
        for vendor in vendors:
            verdict, by = recorded.get((vendor.id, knockout.id), (None, ""))
            cells.append(VerdictCell(vendor, verdict, by,
                                     documents.get(verdict.id, []) if verdict else []))
        rows.append(KnockoutRow(knockout, cells))
    return vendors, rows


def exclusions(session: Session, selection: Selection) -> dict[int, list[Exclusion]]:
    """vendor id -> the failed active knock-outs that exclude it, with the evidence."""
    result: dict[int, list[Exclusion]] = defaultdict(list)
    for vendor_id, code, title, evidence in session.execute(
        select(Verdict.vendor_id, Requirement.code, Requirement.title, Verdict.evidence)
        .join(Requirement, Requirement.id == Verdict.requirement_id)
        .where(Verdict.selection_id == selection.id, Verdict.passed.is_(False),
               Requirement.is_active_knockout)
        .order_by(Requirement.code)
    ):
        result[vendor_id].append(Exclusion(code, title, evidence))
    return dict(result)


def excluded_vendors(
    session: Session, selection: Selection
) -> list[tuple[Vendor, list[Exclusion]]]:
    """Vendors that a failed knock-out excludes, by name, with what excludes them."""
    found = exclusions(session, selection)
    if not found:
        return []
    vendors = session.scalars(
        select(Vendor).where(Vendor.id.in_(found)).order_by(Vendor.name, Vendor.key))
    return [(vendor, found[vendor.id]) for vendor in vendors]


# -- the consensus meeting ----------------------------------------------------------------


@dataclass
class MemberEntry:
    name: str
    email: str
    role: str
    score: int
    comment: str
    after_seeing: bool = False  # given or changed after seeing others' scores (item 13)


@dataclass
class ConsensusRow:
    vendor: Vendor
    requirement: Requirement
    category: Category
    entries: list[MemberEntry]
    spread: method.ScoreSpread | None
    consensus: Consensus | None

    @property
    def mean(self) -> float | None:
        if not self.entries:
            return None
        return sum(e.score for e in self.entries) / len(self.entries)

    @property
    def discussion_point(self) -> bool:
        return bool(self.spread and self.spread.discussion_point)

    @property
    def range(self) -> int:
        return self.spread.range if self.spread else 0


def consensus_rows(
    session: Session, selection: Selection, *, vendor_id: int | None = None,
    requirement_id: int | None = None,
) -> list[ConsensusRow]:
    """The consensus meeting: per (vendor, wish) every counted score with its argument,
    the spread, and the consensus if recorded. Items with a range of 3 or more come first
    (method.md section 9), then wider spreads, then category order and code."""
    domain = load_selection(session, selection.id)
    spreads = {(s.vendor, s.requirement): s for s in method.disagreement(domain)}
    members = {
        m.email: m for m in domain.members
    }
    vendors = {v.key: v for v in active_vendors(session, selection)}
    categories = _categories(session, selection.id)
    position = {cid: i for i, cid in enumerate(categories)}
    wishes = {w.code: w for w in _active_wishes(session, selection.id)}
    consensus = {
        (c.vendor_id, c.requirement_id): c for c in session.scalars(
            select(Consensus).where(Consensus.selection_id == selection.id))
    }
    after_seeing = changed_keys(session, selection.id)
    entries: dict[tuple[str, str], list[MemberEntry]] = defaultdict(list)
    for score in domain.scores:
        member = members.get(score.member)
        if member is None:
            continue
        entries[(score.vendor, score.requirement)].append(
            MemberEntry(member.name or member.email, member.email, member.role, score.score,
                        score.comment,
                        (score.member, score.vendor, score.requirement) in after_seeing))
    rows = []
    for vendor in vendors.values():
        if vendor_id is not None and vendor.id != vendor_id:
            continue
        for code, wish in wishes.items():
            if requirement_id is not None and wish.id != requirement_id:
                continue
            pair = (vendor.key, code)
            agreed = consensus.get((vendor.id, wish.id))
            if pair not in entries and agreed is None:
                continue
            spread = spreads.get(pair)
            ordered = sorted(entries.get(pair, []), key=lambda e: (e.name, e.email))
            rows.append(ConsensusRow(vendor, wish, categories[wish.category_id], ordered,
                                     spread, agreed))
    rows.sort(key=lambda r: (not r.discussion_point, -r.range, r.vendor.name,
                             position[r.category.id], r.requirement.code))
    return rows


# -- changed after seeing others' scores (issue 17, item 13; `writes.note_shown`) ------


def unnoted(session: Session, membership_id: int, vendor_ids: Iterable[int]) -> list[int]:
    """Of `vendor_ids`, those for which no first showing is recorded yet."""
    wanted = set(vendor_ids)
    if not wanted:
        return []
    known = set(session.scalars(
        select(ScoreDisclosure.vendor_id).where(ScoreDisclosure.membership_id == membership_id,
                                                ScoreDisclosure.vendor_id.in_(wanted))))
    return sorted(wanted - known)


@dataclass(frozen=True)
class SeenChange:
    """A score given or changed after its member was shown the others' scores."""

    member: str  # e-mail
    name: str
    role: str
    vendor: str  # key
    vendor_name: str
    requirement: str  # code
    seen_at: datetime
    changed_at: datetime


def changes_after_seeing(session: Session | Connection, selection_id: int
                         ) -> list[SeenChange]:
    """Every score of the selection saved after its member was first shown the others'
    scores for that vendor; by vendor, requirement and member. Whether a score counts
    (submitted sheet, not excluded, active wish) is for the caller to decide."""
    rows = session.execute(
        select(Account.email, Account.name, Membership.role, Vendor.key, Vendor.name,
               Requirement.code, ScoreDisclosure.at, Score.updated_at)
        .join(ScoreDisclosure, (ScoreDisclosure.membership_id == Score.membership_id)
              & (ScoreDisclosure.vendor_id == Score.vendor_id))
        .join(Membership, Membership.id == Score.membership_id)
        .join(Account, Account.id == Membership.account_id)
        .join(Vendor, Vendor.id == Score.vendor_id)
        .join(Requirement, Requirement.id == Score.requirement_id)
        .where(Score.selection_id == selection_id, Score.updated_at > ScoreDisclosure.at)
        .order_by(Vendor.name, Vendor.key, Requirement.code, Account.email)
    ).all()
    return [SeenChange(email, name or email, role, key, vendor_name, code, seen, changed)
            for email, name, role, key, vendor_name, code, seen, changed in rows]


def changed_keys(session: Session | Connection, selection_id: int) -> set[tuple[str, str, str]]:
    """(member e-mail, vendor key, requirement code) of `changes_after_seeing`."""
    return {(c.member, c.vendor, c.requirement)
            for c in changes_after_seeing(session, selection_id)}
