"""Hostile input to every form of the vendor portal (issue 20, security): no traceback,
a refusal that says what is wrong, and nothing of another vendor ever changes.

The portal has no session: the token in the address is the key, so the fuzz drives one
vendor's working link with the forms that link's pages hold, and a second vendor's
answers, costs and questions are compared before and after.
"""

from __future__ import annotations

import html
import re

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import VendorQuestion
from tests.web.test_portal import Vendor_  # noqa: F401  (the fixture)
from tests.web.test_portal import ids  # noqa: F401  (the fixture)
from tests.web.test_portal import issue  # noqa: F401  (the fixture)

HOSTILE = st.sampled_from([
    "", " ", "\x00", "=HYPERLINK(\"http://x\")", "+31 20 123", "@sum(A1)", "-1",
    "<script>alert(1)</script>", "'; DROP TABLE vendors; --", "9" * 400, "x" * 20_000,
    "2026-02-30", "1e309", "NaN", "-0", "yes", "no", "planned", "third_party", "\u202e",
]) | st.text(max_size=60)


def other_vendor(dbs, ids) -> tuple:  # noqa: F811
    """What the second vendor has: never touched by the first vendor's link."""
    with dbs.transaction(write=False) as session:
        polder = ids.vendors["polder"]
        vendor = session.get(Vendor, polder)
        return (
            sorted((a.requirement_id, a.compliance, a.explanation) for a in session.scalars(
                select(VendorAnswer).where(VendorAnswer.vendor_id == polder))),
            (vendor.tco, vendor.licence_per_year, vendor.answers_submitted_at),
            sorted(q.question for q in session.scalars(
                select(VendorQuestion).where(VendorQuestion.vendor_id == polder))),
        )


def says_what_is_wrong(response) -> bool:
    text = html.unescape(response.get_data(as_text=True))
    return bool(re.search(r'class="[^"]*(field__error|flash--error|error)[^"]*"', text)
                or "role=\"alert\"" in text)


def test_hostile_portal_forms_never_break_and_never_reach_another_vendor(app, dbs, ids):  # noqa: F811
    northwind = Vendor_(app, issue(dbs, ids, "northwind"))
    issue(dbs, ids, "polder")
    requirement = ids.requirements["BUS-SAL-01"]
    before = other_vendor(dbs, ids)
    prefix = f"r{requirement}-"
    forms = {
        f"/answers/{requirement}": [prefix + "compliance", prefix + "explanation",
                                    prefix + "planned_on", prefix + "version"],
        "/costs": ["licence_per_year", "implementation", "hosting_support_per_year",
                   "contract_years"],
        "/questions": ["question"],
        "/submit": [],
        f"/documents/{10**6}/remove": [],
    }
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(path=st.sampled_from(sorted(forms)), values=st.lists(HOSTILE, min_size=4,
                                                                 max_size=4))
    def send(path, values):
        data = dict(zip(forms[path], values, strict=False))
        response = northwind.post(path, data)
        status = response.status_code
        seen.add((path, status))
        if status >= 500:
            problems.append(f"{path} {data!r}: {status}")
        elif status in (400, 409, 422) and not says_what_is_wrong(response):
            problems.append(f"{path} {data!r}: {status} without a message")

    send()
    assert not problems, problems[:5]
    # The fuzz reached the views: accepted saves and refusals, not only CSRF failures.
    assert {status for _, status in seen} - {400}, seen
    assert other_vendor(dbs, ids) == before
