"""Moving a whole selection in and out of the database as a selection file (formats.md).

Import takes a document that `selector.files.selection_file.validate` has accepted and
writes it in the caller's transaction: all or nothing. Export writes back the same
content (lists sorted by key, defaults filled in).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from selector.domain.vocabulary import SPONSOR
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.files.selection_file import WEIGHING_ROLES
from selector.files.selection_file import dump_selection_file
from selector.files.selection_file import validate
from selector.models import Account
from selector.models import Allocation
from selector.models import Category
from selector.models import Consensus
from selector.models import FinalWeight
from selector.models import Membership
from selector.models import Requirement
from selector.models import Score
from selector.models import Selection
from selector.models import Sheet
from selector.models import SponsorDecision
from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import Verdict
from selector.models.base import utcnow
from selector.services import audit
from selector.services import requirements as requirement_service
from selector.services.accounts import ensure_account
from selector.services.accounts import normalise_email
from selector.services.loader import counted_scores

_COST_KEYS = ("licence_per_year", "implementation", "hosting_support_per_year", "contract_years")
#: Method 1.1's price settings, stored under the same names as in the file.
_PRICE_KEYS = ("price_method", "price_full", "price_zero", "log_factor", "quality_value",
               "quality_threshold")


def import_selection(session: Session, doc: dict[str, Any], actor: Account | None = None) -> int:
    """Write a validated selection file as a new selection; return its id."""
    meta = doc["selection"]
    now = utcnow()
    has_scores = bool(doc.get("scores"))
    has_weights = bool(doc.get("category_weights")) or bool(doc.get("category_weights_final"))
    phase = "decision" if has_scores else "weighting" if has_weights else "requirements"
    balance = meta.get("group_balance") or {"business": 0.5, "it": 0.5}
    selection = Selection(
        name=meta["name"],
        organisation=meta.get("organisation") or "",
        language=meta.get("language") or "en",
        scale_max=meta.get("scale_max", 5),
        price_weight=meta.get("price_weight", 0.0),
        balance_business=balance["business"],
        balance_it=balance["it"],
        tco_years=meta.get("tco_years", 5),
        **{key: meta[key] for key in _PRICE_KEYS if key in meta},
        recommendation=doc.get("recommendation") or "",
        phase=phase,
        weights_frozen_at=now if has_scores else None,
        requirements_frozen_at=now if has_scores else None,
    )
    session.add(selection)
    session.flush()
    sid = selection.id

    category_ids: dict[str, int] = {}
    for position, c in enumerate(doc.get("categories", [])):
        category = Category(
            selection_id=sid, key=c["key"], name=c["name"], domain=c["domain"], position=position
        )
        session.add(category)
        session.flush()
        category_ids[c["key"]] = category.id

    membership_ids: dict[str, int] = {}
    for m in doc.get("members", []):
        account = ensure_account(session, m["email"], m.get("name", ""))
        membership = Membership(selection_id=sid, account_id=account.id, role=m["role"])
        session.add(membership)
        session.flush()
        membership_ids[normalise_email(m["email"])] = membership.id
    account_ids = {
        email: account_id
        for email, account_id in session.execute(
            select(Account.email, Account.id).join(Membership).where(Membership.selection_id == sid)
        )
    }

    domain_of = {c["key"]: c["domain"] for c in doc.get("categories", [])}
    requirement_rows = []
    for r in doc.get("requirements", []):
        raised_by = r.get("raised_by")
        requirement_rows.append(
            {
                "selection_id": sid,
                "category_id": category_ids[r["category"]],
                "code": r["code"],
                "title": r["title"],
                "description": r.get("description") or "",
                "rationale": r.get("rationale") or "",
                "intent": r.get("intent") or "achieve",
                "verification": r.get("verification") or "demo",
                "verification_criterion": r.get("verification_criterion") or "",
                "priority": r["priority"],
                "weight": r.get("weight"),
                "knockout": bool(r.get("knockout", False)),
                "knockout_rationale": r.get("knockout_rationale") or "",
                "owner_group": r.get("owner_group") or domain_of[r["category"]],
                "status": r.get("status") or "accepted",
                "raised_by_id": account_ids.get(normalise_email(raised_by)) if raised_by else None,
                "created_by_id": actor.id if actor else None,
                "updated_by_id": actor.id if actor else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    if requirement_rows:
        session.execute(insert(Requirement), requirement_rows)
    requirement_ids = {
        code: requirement_id
        for code, requirement_id in session.execute(
            select(Requirement.code, Requirement.id).where(Requirement.selection_id == sid)
        )
    }

    allocation_rows = [
        {
            "membership_id": membership_ids[normalise_email(a["member"])],
            "category_id": category_ids[a["category"]],
            "points": a["points"],
        }
        for a in doc.get("category_weights", [])
    ]
    if allocation_rows:
        session.execute(insert(Allocation), allocation_rows)
    final = doc.get("category_weights_final") or {}
    if final:
        session.execute(
            insert(FinalWeight),
            [
                {"selection_id": sid, "category_id": category_ids[key], "points": points}
                for key, points in final.items()
            ],
        )

    vendor_ids: dict[str, int] = {}
    for v in doc.get("vendors", []):
        costs = v.get("costs") or {}
        vendor = Vendor(
            selection_id=sid,
            key=v["key"],
            name=v["name"],
            product=v.get("product") or "",
            website=v.get("website") or "",
            contact=v.get("contact") or "",
            notes=v.get("notes") or "",
            tco=v.get("tco"),
            withdrawn=bool(v.get("withdrawn", False)),
            **{key: costs.get(key) for key in _COST_KEYS},
        )
        session.add(vendor)
        session.flush()
        vendor_ids[v["key"]] = vendor.id

    _import_decision(session, sid, doc.get("decision"), vendor_ids, account_ids, now)

    score_rows = [
        {
            "selection_id": sid,
            "membership_id": membership_ids[normalise_email(s["member"])],
            "vendor_id": vendor_ids[s["vendor"]],
            "requirement_id": requirement_ids[s["requirement"]],
            "score": s["score"],
            "comment": s.get("comment") or "",
            "updated_at": now,
        }
        for s in doc.get("scores", [])
    ]
    if score_rows:
        session.execute(insert(Score), score_rows)
        # Scores in a file count as submitted (decisions.md): one submitted sheet per
        # (member, vendor) that has scores.
        sheets = {(row["membership_id"], row["vendor_id"]) for row in score_rows}
        session.execute(
            insert(Sheet),
            [
                {"membership_id": m, "vendor_id": v, "submitted_at": now, "conflict": "none"}
                for m, v in sorted(sheets)
            ],
        )
    consensus_rows = [
        {
            "selection_id": sid,
            "vendor_id": vendor_ids[c["vendor"]],
            "requirement_id": requirement_ids[c["requirement"]],
            "score": c["score"],
            "rationale": c["rationale"],
            "recorded_by_id": actor.id if actor else None,
            "recorded_at": now,
        }
        for c in doc.get("consensus", [])
    ]
    if consensus_rows:
        session.execute(insert(Consensus), consensus_rows)
    verdict_rows = [
        {
            "selection_id": sid,
            "vendor_id": vendor_ids[k["vendor"]],
            "requirement_id": requirement_ids[k["requirement"]],
            "passed": bool(k["passed"]),
            "evidence": k.get("evidence") or "",
            "recorded_by_id": actor.id if actor else None,
            "recorded_at": now,
        }
        for k in doc.get("knockouts", [])
    ]
    if verdict_rows:
        session.execute(insert(Verdict), verdict_rows)
    answer_rows = [
        {"id": requirement_ids[a["requirement"]],
         "structured": requirement_service.stored_it_answer(a["item"], a["value"])}
        for a in doc.get("it_answers", [])
    ]
    if answer_rows:
        session.execute(update(Requirement), answer_rows)
    vendor_answer_rows = [
        {"selection_id": sid, "vendor_id": vendor_ids[a["vendor"]],
         "requirement_id": requirement_ids[a["requirement"]], "compliance": a["compliance"],
         "explanation": a.get("explanation") or "", "updated_at": now, "version": 1}
        for a in doc.get("answers", [])
    ]
    if vendor_answer_rows:
        session.execute(insert(VendorAnswer), vendor_answer_rows)

    # Bulk-written requirements get their quality flags.
    requirement_service.refresh_all_quality(session, sid)

    digest = hashlib.sha256(
        json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    audit.record(
        session,
        selection_id=sid,
        actor=actor,
        action=AuditAction.IMPORT,
        entity=AuditEntity.SELECTION,
        entity_key=meta["name"],
        new={
            "sha256": digest,
            "phase": phase,
            "categories": len(category_ids),
            "requirements": len(requirement_rows),
            "members": len(membership_ids),
            "vendors": len(vendor_ids),
            "scores": len(score_rows),
            "consensus": len(consensus_rows),
            "knockouts": len(verdict_rows),
            "answers": len(vendor_answer_rows),
        },
    )
    session.flush()
    return sid


def _import_decision(
    session: Session, sid: int, decision: dict[str, Any] | None, vendor_ids: dict[str, int],
    account_ids: dict[str, int], now: Any,
) -> None:
    """The sponsor's decision of a file, as the newest (the only) decision."""
    if not decision:
        return
    by = normalise_email(decision["by"])
    session.add(SponsorDecision(
        selection_id=sid,
        verdict=decision["verdict"],
        vendor_id=vendor_ids[decision["vendor"]] if decision.get("vendor") else None,
        by_account_id=account_ids.get(by),
        by_email=by,
        reason=decision["reason"],
        decided_on=date.fromisoformat(decision["date"]),
        recorded_at=now,
    ))


def _export_decision(
    session: Session, selection_id: int, sponsors: set[str], key_of_vendor: dict[int, str]
) -> dict[str, Any] | None:
    """The newest decision, when its sponsor is still a sponsor member: a file names only
    its own members (the audit trail and `selector backup` keep the rest)."""
    decision = session.scalars(
        select(SponsorDecision)
        .where(SponsorDecision.selection_id == selection_id)
        .order_by(SponsorDecision.recorded_at.desc(), SponsorDecision.id.desc())
        .limit(1)
    ).first()
    if decision is None or decision.by_email not in sponsors:
        return None
    return {
        "verdict": decision.verdict,
        "vendor": key_of_vendor.get(decision.vendor_id) if decision.vendor_id else None,
        "by": decision.by_email,
        "reason": decision.reason,
        "date": decision.decided_on.isoformat(),
    }


def export_selection(session: Session, selection_id: int) -> dict[str, Any]:
    """The selection file of a selection: its content and the scores that count."""
    selection = session.get(Selection, selection_id)
    if selection is None:
        raise LookupError(f"there is no selection {selection_id}")
    categories = session.scalars(
        select(Category).where(Category.selection_id == selection_id).order_by(Category.key)
    ).all()
    category_key = {c.id: c.key for c in categories}
    members = session.execute(
        select(Membership.id, Account.email, Account.name, Membership.role)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.selection_id == selection_id, Membership.removed_at.is_(None))
        .order_by(Account.email)
    ).all()
    email_of_member = {m.id: m.email for m in members}
    # Only members in the file may be named in it: a requirement raised by someone since
    # removed is written without `raised_by` (the audit trail keeps who it was).
    emails = {
        account_id: email
        for account_id, email in session.execute(
            select(Account.id, Account.email)
            .join(Membership)
            .where(Membership.selection_id == selection_id, Membership.removed_at.is_(None))
        )
    }
    requirements = session.scalars(
        select(Requirement)
        .where(Requirement.selection_id == selection_id)
        .order_by(Requirement.code)
    ).all()
    code_of = {r.id: r.code for r in requirements}
    vendors = session.scalars(
        select(Vendor).where(Vendor.selection_id == selection_id).order_by(Vendor.key)
    ).all()
    key_of_vendor = {v.id: v.key for v in vendors}

    requirement_entries = []
    for r in requirements:
        entry = {
            "code": r.code,
            "category": category_key[r.category_id],
            "title": r.title,
            "description": r.description,
            "priority": r.priority,
            "weight": r.weight,
            "knockout": r.knockout,
            "knockout_rationale": r.knockout_rationale,
            "verification": r.verification,
            "intent": r.intent,
            "status": r.status,
            "owner_group": r.owner_group,
            "rationale": r.rationale,
            "verification_criterion": r.verification_criterion,
        }
        if r.raised_by_id is not None and r.raised_by_id in emails:
            entry["raised_by"] = emails[r.raised_by_id]
        requirement_entries.append(entry)

    allocations = session.execute(
        select(Allocation.membership_id, Allocation.category_id, Allocation.points)
        .join(Membership, Membership.id == Allocation.membership_id)
        .where(
            Membership.selection_id == selection_id,
            Membership.removed_at.is_(None),
            # as the method counts them: points of a member whose role changed since stay
            # on record but are no allocation
            Membership.role.in_(WEIGHING_ROLES),
        )
    ).all()
    final = {
        key: points
        for key, points in session.execute(
            select(Category.key, FinalWeight.points)
            .join(Category, Category.id == FinalWeight.category_id)
            .where(FinalWeight.selection_id == selection_id)
        )
    }

    vendor_entries = []
    for v in vendors:
        entry = {
            "key": v.key,
            "name": v.name,
            "tco": v.tco,
            "product": v.product,
            "website": v.website,
            "contact": v.contact,
            "notes": v.notes,
            "withdrawn": v.withdrawn,
        }
        costs = {key: getattr(v, key) for key in _COST_KEYS}
        # Costs that add up to a TCO of 0 mean "no TCO" in the app; a file must not hold
        # them (formats.md: a TCO is more than 0), so such a breakdown is left out.
        if all(value is not None for value in costs.values()) and v.tco is not None:
            entry["costs"] = costs
        vendor_entries.append(entry)

    scores = [
        {
            "member": member,
            "vendor": vendor,
            "requirement": code,
            "score": score,
            "comment": comment,
        }
        for member, vendor, code, score, comment in counted_scores(session, selection_id)
    ]
    consensus = session.scalars(
        select(Consensus).where(Consensus.selection_id == selection_id)
    ).all()
    # A verdict counts only while its requirement is a knock-out (formats.md): one on a
    # knock-out turned into a wish stays on record, out of the file.
    verdicts = session.scalars(
        select(Verdict)
        .join(Requirement, Requirement.id == Verdict.requirement_id)
        .where(Verdict.selection_id == selection_id, Requirement.knockout.is_(True))
    ).all()

    doc: dict[str, Any] = {
        "format": "selector/selection",
        "version": 1,
        "selection": {
            "name": selection.name,
            "organisation": selection.organisation,
            "language": selection.language,
            "scale_max": selection.scale_max,
            "price_weight": selection.price_weight,
            "group_balance": {
                "business": selection.balance_business,
                "it": selection.balance_it,
            },
            "tco_years": selection.tco_years,
            **{key: getattr(selection, key) for key in _PRICE_KEYS
               if getattr(selection, key) is not None},
        },
        "categories": [{"key": c.key, "name": c.name, "domain": c.domain} for c in categories],
        "requirements": requirement_entries,
        "members": [{"email": m.email, "name": m.name, "role": m.role} for m in members],
        "category_weights": sorted(
            (
                {
                    "member": email_of_member[a.membership_id],
                    "category": category_key[a.category_id],
                    "points": a.points,
                }
                for a in allocations
            ),
            key=lambda a: (a["member"], a["category"]),
        ),
        "vendors": vendor_entries,
        "scores": sorted(scores, key=lambda s: (s["member"], s["vendor"], s["requirement"])),
        "consensus": _item_entries(consensus, key_of_vendor, code_of, ("score", "rationale")),
        "knockouts": _item_entries(verdicts, key_of_vendor, code_of, ("passed", "evidence")),
    }
    if final:
        doc["category_weights_final"] = dict(sorted(final.items()))
    it_answers = requirement_service.it_file_answers(requirements)
    if it_answers:
        doc["it_answers"] = it_answers
    # Vendors' answers as the file holds them: compliance and explanation (a planned
    # date, a structured answer and evidence documents are process state, in backups).
    answers = session.scalars(
        select(VendorAnswer).where(VendorAnswer.selection_id == selection_id)).all()
    if answers:
        doc["answers"] = _item_entries(answers, key_of_vendor, code_of,
                                       ("compliance", "explanation"))
    if selection.recommendation:
        doc["recommendation"] = selection.recommendation
    sponsors = {m.email for m in members if m.role == SPONSOR}
    decision = _export_decision(session, selection_id, sponsors, key_of_vendor)
    if decision is not None:
        doc["decision"] = decision
    return doc


def _item_entries(
    rows: Any, key_of_vendor: dict[int, str], code_of: dict[int, str], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Consensus scores or knock-out verdicts as file entries (vendor, requirement, then
    `fields`), sorted by vendor and requirement."""
    entries = (
        {
            "vendor": key_of_vendor[row.vendor_id],
            "requirement": code_of[row.requirement_id],
            **{field: getattr(row, field) for field in fields},
        }
        for row in rows
    )
    return sorted(entries, key=lambda e: (e["vendor"], e["requirement"]))


def export_file(session: Session, selection_id: int) -> str:
    """The text `selector export` writes, checked first as `selector import` checks a
    file: raises `SelectionFileError` rather than give out a file that import refuses
    (final weights that give the active categories 0 points, which the method cannot
    rank either)."""
    doc = export_selection(session, selection_id)
    validate(doc)
    return dump_selection_file(doc)
