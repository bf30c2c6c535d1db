"""A large, realistic selection file for benchmarks: by default 400 wishes, 10 vendors
and 12 members (8 business, 4 IT): 48,000 scores when every member scores every wish.
Seeded, so every run measures the same thing."""

from __future__ import annotations

import random
from typing import Any

CATEGORIES = [
    ("sales", "Sales & leads", "business"),
    ("marketing", "Marketing & campaigns", "business"),
    ("service", "Customer service", "business"),
    ("customer_view", "Complete customer view", "business"),
    ("reporting", "Reporting & data-driven work", "business"),
    ("usability", "Usability & adoption", "business"),
    ("hosting", "Hosting & hardware", "it"),
    ("standards", "Standards & compliance", "it"),
    ("browsers", "Browsers & clients", "it"),
    ("backup", "Back-up & recovery", "it"),
    ("security", "Security & access", "it"),
    ("integration", "Integration & data", "it"),
]


def big_selection(
    wishes: int = 400, vendors: int = 10, members: int = 12, seed: int = 1
) -> dict[str, Any]:
    rng = random.Random(seed)
    n_it = max(1, members // 3)
    people = [
        {
            "email": f"member{i:02d}@example.org",
            "name": f"Member {i:02d}",
            "role": "it" if i < n_it else "business",
        }
        for i in range(members)
    ]
    people.append(
        {"email": "facilitator@example.org", "name": "Facilitator", "role": "facilitator"}
    )
    requirements = []
    for i in range(wishes):
        key, _name, domain = CATEGORIES[i % len(CATEGORIES)]
        requirements.append(
            {
                "code": f"R-{i:04d}",
                "category": key,
                "title": f"Requirement {i} on {key}",
                "description": "Generated for a benchmark.",
                "priority": rng.choice(["must", "should", "could"]),
                "weight": None,
                "knockout": False,
                "knockout_rationale": "",
                "verification": "demo",
                "intent": "achieve",
                "status": "accepted",
                "owner_group": domain,
            }
        )
    for v in range(2):
        requirements.append(
            {
                "code": f"KO-{v}",
                "category": "backup",
                "title": f"Knock-out {v}",
                "description": "",
                "priority": "must",
                "weight": None,
                "knockout": True,
                "knockout_rationale": "Without this we cannot operate the system.",
                "verification": "document",
                "intent": "avoid",
                "status": "accepted",
                "owner_group": "it",
            }
        )
    allocations = [
        {"member": p["email"], "category": key, "points": rng.randint(0, 20)}
        for p in people
        if p["role"] in ("business", "it")
        for key, _n, _d in CATEGORIES
    ]
    vendor_list = [
        {"key": f"v{v:02d}", "name": f"Vendor {v:02d}", "tco": float(rng.randint(80, 300) * 1000)}
        for v in range(vendors)
    ]
    quality = {v["key"]: rng.uniform(1.5, 4.0) for v in vendor_list}
    scores = [
        {
            "member": p["email"],
            "vendor": v["key"],
            "requirement": r["code"],
            "score": max(0, min(5, round(rng.gauss(quality[v["key"]], 1.0)))),
            "comment": "Seen in the scripted demo." if rng.random() < 0.2 else "",
        }
        for p in people
        if p["role"] in ("business", "it")
        for v in vendor_list
        for r in requirements
        if not r["knockout"]
    ]
    knockouts = [
        {
            "vendor": v["key"],
            "requirement": f"KO-{k}",
            "passed": not (v["key"] == "v09" and k == 0),
            "evidence": "Checked against the contract.",
        }
        for v in vendor_list
        for k in range(2)
    ]
    return {
        "format": "selector/selection",
        "version": 1,
        "selection": {
            "name": f"Benchmark {wishes}x{vendors}x{members}",
            "organisation": "Bench",
            "language": "en",
            "scale_max": 5,
            "price_weight": 0.2,
            "group_balance": {"business": 0.5, "it": 0.5},
        },
        "categories": [{"key": k, "name": n, "domain": d} for k, n, d in CATEGORIES],
        "requirements": requirements,
        "members": people,
        "category_weights": allocations,
        "vendors": vendor_list,
        "scores": scores,
        "consensus": [],
        "knockouts": knockouts,
    }
