"""Load, short form (issue 10, point 4): ten committee members log in through /login,
open their sheets and save scores concurrently through gunicorn for 5 s, on the database
the suite runs on. No 5xx, and every save the server acknowledged is in the database
with its value. The full form (50 members, 60 s, latencies) is
`benchmarks/committee_load.py`; both drive the same code (`benchmarks.loadkit`)."""

from __future__ import annotations

import pytest

from benchmarks import loadkit


@pytest.mark.load
def test_a_committee_saving_at_once_loses_nothing(database_url, tmp_path):
    committee = loadkit.prepare_committee(database_url, members=10)
    with loadkit.serving(database_url, tmp_path, workers=2, threads=4) as server:
        log, threads, until = loadkit.run_committee(
            server.port, committee, seconds=5, think=(0.0, 0.05), max_saves=150)
        loadkit.join(threads, until + 60)
    print("\n" + loadkit.latency_table(log, 5))

    assert log.failures == []
    assert log.server_errors() == {}
    expected = {"login page": {200}, "log in": {302}, "sheet page": {200}, "static": {200},
                "sheet.json": {200}, "save": {200}}
    assert {kind: set(counts) for kind, counts in log.statuses.items()} == expected
    # Each member's browser fetched the login page's and the sheet's files once: the
    # style sheets and scripts, under fingerprinted names.
    assert sum(log.statuses["static"].values()) == 10 * 5
    assert log.saves() >= 100  # ten members for five seconds, back to back
    assert sum(log.statuses["sheet page"].values()) >= 10  # each opened a sheet at least

    check = loadkit.check_saves(database_url, log)
    assert check.problems == []
    assert check.stored == check.acknowledged == len(log.acknowledged)
    assert check.unacknowledged_stored == 0  # the server was not killed: no doubt
    assert loadkit.integrity_problems(database_url) == []
    assert "Traceback" not in server.log_text()
