"""The yardstick for `selector rank`: a plain numpy script that reads a selection file
and computes the same totals and chances of ranking first, with nothing else loaded.

    python benchmarks/plain_rank.py FILE.json
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

POINTS = {"must": 5.0, "should": 3.0, "could": 1.0}


def main(path: str) -> None:
    doc = json.load(open(path, encoding="utf-8"))
    sel = doc["selection"]
    scale = sel.get("scale_max", 5)
    p = sel.get("price_weight", 0.0)
    cats = [c["key"] for c in doc["categories"]]
    ci = {k: i for i, k in enumerate(cats)}
    wishes = [
        r
        for r in doc["requirements"]
        if r.get("status", "accepted") == "accepted"
        and r["priority"] != "wont"
        and not r.get("knockout")
    ]
    raw = np.array(
        [r["weight"] if r.get("weight") is not None else POINTS[r["priority"]] for r in wishes]
    )
    wcat = np.array([ci[r["category"]] for r in wishes])
    csum = np.bincount(wcat, raw, len(cats))
    active = csum > 0
    rw = raw / csum[wcat]
    ri = {r["code"]: i for i, r in enumerate(wishes)}
    vendors = [v for v in doc["vendors"] if not v.get("withdrawn")]
    vi = {v["key"]: i for i, v in enumerate(vendors)}
    s = [x for x in doc["scores"] if x["requirement"] in ri and x["vendor"] in vi]
    idx = np.array([vi[x["vendor"]] * len(wishes) + ri[x["requirement"]] for x in s])
    val = np.array([x["score"] for x in s], dtype=float)
    n = len(vendors) * len(wishes)
    mean = (np.bincount(idx, val, n) / np.maximum(np.bincount(idx, None, n), 1)).reshape(
        len(vendors), -1
    )
    cat_scores = np.zeros((len(vendors), len(cats)))
    for c in range(len(cats)):
        cat_scores[:, c] = 100 * (mean[:, wcat == c] * rw[wcat == c]).sum(axis=1) / scale
    roles = {m["email"]: m["role"] for m in doc["members"]}
    groups = {"business": [], "it": []}
    alloc = {}
    for a in doc.get("category_weights", []):
        alloc.setdefault(a["member"], np.zeros(len(cats)))[ci[a["category"]]] = a["points"]
    for member, points in alloc.items():
        points = points * active
        if points.sum() > 0:
            groups[roles[member]].append(points / points.sum())
    balance = sel.get("group_balance", {"business": 0.5, "it": 0.5})
    W = sum(balance[g] * np.mean(v, axis=0) for g, v in groups.items() if v)
    W = W / sum(balance[g] for g, v in groups.items() if v)
    failed = {k["vendor"] for k in doc.get("knockouts", []) if not k["passed"]}
    excluded = np.array([v["key"] in failed for v in vendors])
    tco = np.array([v.get("tco") or np.inf for v in vendors])
    price = 100 * tco[~excluded].min() / tco if p > 0 else np.zeros(len(vendors))
    quality = cat_scores @ W
    total = (1 - p) * quality + p * np.minimum(price, 100)
    draws = np.random.default_rng(1).dirichlet(100 * W[W > 0], 10_000)
    totals = draws @ cat_scores[:, W > 0].T * (1 - p) + p * np.minimum(price, 100)
    totals[:, excluded] = -np.inf
    wins = np.bincount(totals.argmax(axis=1), minlength=len(vendors)) / 10_000
    order = sorted(range(len(vendors)), key=lambda i: (excluded[i], -total[i]))
    print(
        json.dumps(
            [{"key": vendors[i]["key"], "total": total[i], "p_first": wins[i]} for i in order]
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
