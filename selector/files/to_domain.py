"""Turn a validated selection file into the method's input."""

from __future__ import annotations

from typing import Any

from selector.domain.selection import Allocation
from selector.domain.selection import Category
from selector.domain.selection import Consensus
from selector.domain.selection import Member
from selector.domain.selection import Requirement
from selector.domain.selection import Score
from selector.domain.selection import Selection
from selector.domain.selection import Vendor
from selector.domain.selection import Verdict


def selection_from_file(doc: dict[str, Any]) -> Selection:
    """Build a domain `Selection` from a selection file that has passed validation.

    Defaults are filled in here as formats.md states them, so a validated but
    unnormalised document works too.
    """
    meta = doc["selection"]
    categories = tuple(
        Category(c["key"], c["name"], c["domain"]) for c in doc.get("categories", [])
    )
    domain_of = {c.key: c.domain for c in categories}
    requirements = tuple(
        Requirement(
            code=r["code"],
            category=r["category"],
            title=r.get("title", ""),
            priority=r["priority"],
            weight=None if r.get("weight") is None else float(r["weight"]),
            knockout=bool(r.get("knockout", False)),
            status=r.get("status", "accepted"),
            knockout_rationale=r.get("knockout_rationale") or "",
            owner_group=r.get("owner_group") or domain_of.get(r["category"], "business"),
        )
        for r in doc.get("requirements", [])
    )
    final = doc.get("category_weights_final") or None
    return Selection(
        name=meta["name"],
        categories=categories,
        requirements=requirements,
        members=tuple(
            Member(m["email"], m.get("name", ""), m["role"]) for m in doc.get("members", [])
        ),
        allocations=tuple(
            Allocation(a["member"], a["category"], float(a["points"]))
            for a in doc.get("category_weights", [])
        ),
        vendors=tuple(
            Vendor(
                v["key"],
                v["name"],
                None if v.get("tco") is None else float(v["tco"]),
                bool(v.get("withdrawn", False)),
            )
            for v in doc.get("vendors", [])
        ),
        scores=tuple(
            Score(
                s["member"], s["vendor"], s["requirement"], int(s["score"]), s.get("comment") or ""
            )
            for s in doc.get("scores", [])
        ),
        consensus=tuple(
            Consensus(c["vendor"], c["requirement"], int(c["score"]), c["rationale"])
            for c in doc.get("consensus", [])
        ),
        verdicts=tuple(
            Verdict(k["vendor"], k["requirement"], bool(k["passed"]), k.get("evidence") or "")
            for k in doc.get("knockouts", [])
        ),
        scale_max=int(meta.get("scale_max", 5)),
        price_weight=float(meta.get("price_weight", 0.0)),
        group_balance=dict(meta.get("group_balance") or {"business": 0.5, "it": 0.5}),
        final_weights={k: float(v) for k, v in final.items()} if final else None,
        price_method=meta.get("price_method", "lowest_ratio"),
        price_full=_number_or_none(meta.get("price_full")),
        price_zero=_number_or_none(meta.get("price_zero")),
        log_factor=_number_or_none(meta.get("log_factor")),
        quality_value=_number_or_none(meta.get("quality_value")),
        quality_threshold=float(meta.get("quality_threshold", 0.0)),
    )


def _number_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
