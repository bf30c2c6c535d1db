"""Reading the summary a refused submit puts at the top of its page (issue 22, item 6)."""

from __future__ import annotations

import re


def problem_summary(page: str, summary_id: str = "error-summary") -> str:
    """The summary's inner HTML; fails the test when the page has none."""
    found = re.search(rf'<div class="error-summary" id="{summary_id}"[^>]*>(.*?)</div>',
                      page, re.S)
    assert found, f"no #{summary_id} on the page"
    return found.group(1)
