"""Time `rank` alone on a large generated selection: 400 wishes x 10 vendors x 12 members.

The goal (method.md's performance note in the brief): well under 0.5 s on 2 cores.
Run: `.venv/bin/python benchmarks/method_only.py [runs]`; prints the median seconds.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from selector.domain.method import rank
from selector.domain.selection import Allocation
from selector.domain.selection import Category
from selector.domain.selection import Member
from selector.domain.selection import Requirement
from selector.domain.selection import Score
from selector.domain.selection import Selection
from selector.domain.selection import Vendor
from selector.domain.selection import Verdict


def large_selection(
    wishes: int = 400, vendors: int = 10, members: int = 12, seed: int = 1
) -> Selection:
    """A selection with every member scoring every vendor on every wish."""
    rnd = random.Random(seed)
    categories = tuple(
        Category(f"cat{j:02d}", f"Category {j}", "business" if j < 6 else "it") for j in range(12)
    )
    requirements = [
        Requirement(
            code=f"R{k:04d}",
            category=categories[k % len(categories)].key,
            title=f"Wish {k}",
            priority=rnd.choice(["must", "should", "could"]),
        )
        for k in range(wishes)
    ]
    requirements += [
        Requirement(f"KO{k}", categories[k].key, f"Knock-out {k}", "must", knockout=True)
        for k in range(3)
    ]
    people = tuple(
        Member(f"m{i:02d}@example.org", f"Member {i}", "business" if i % 2 else "it")
        for i in range(members)
    )
    allocations = tuple(
        Allocation(m.email, c.key, float(rnd.randint(0, 20))) for m in people for c in categories
    )
    suppliers = tuple(
        Vendor(f"v{i:02d}", f"Vendor {i}", 100_000.0 + 5_000 * i) for i in range(vendors)
    )
    scores = tuple(
        Score(m.email, v.key, r.code, rnd.randint(0, 5))
        for m in people
        for v in suppliers
        for r in requirements[:wishes]
    )
    verdicts = tuple(
        Verdict(v.key, f"KO{k}", passed=(v.key != "v09" or k != 0))
        for v in suppliers
        for k in range(3)
    )
    return Selection(
        name="Benchmark",
        categories=categories,
        requirements=tuple(requirements),
        members=people,
        allocations=allocations,
        vendors=suppliers,
        scores=scores,
        verdicts=verdicts,
        price_weight=0.2,
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    selection = large_selection()
    print(f"{len(selection.scores)} scores, {len(selection.vendors)} vendors")
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        rank(selection)
        timings.append(time.perf_counter() - start)
    print(
        f"rank: median {statistics.median(timings):.3f} s over {runs} runs "
        f"(min {min(timings):.3f} s)"
    )


if __name__ == "__main__":
    main()
