"""Faults on the real server (issue 10, point 5): gunicorn, master and workers, killed with
SIGKILL in the middle of a burst of score saves and in the middle of a spreadsheet import
through the web. After the kill the database passes its integrity check; every save that
was acknowledged (2xx received) is there with its value, a save in flight is there whole
or not at all, and the import is entirely there or entirely absent. The server then
starts again on the same database and works.

Why acknowledged saves survive: the request's transaction commits before the response
is sent (`selector.web.database`), and a commit is durable against a killed process on
both databases. SQLite runs in WAL mode with synchronous=NORMAL (`selector.db`): a commit
is in the WAL file (the operating system's cache) when COMMIT returns, and a killed
process cannot take that back; only a power cut or an operating-system crash can lose the
last transactions, which is what synchronous=FULL would add. `selector import` killed
midway is `tests/trust/test_import_faults.py`.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import uuid
from urllib.parse import urlencode

from sqlalchemy import create_engine
from sqlalchemy import text

from benchmarks import loadkit


def _wait_for(condition, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_acknowledged_saves_survive_a_sigkill_mid_burst(database_url, tmp_path):
    committee = loadkit.prepare_committee(database_url, members=10)
    with loadkit.serving(database_url, tmp_path, workers=2, threads=4) as server:
        log, threads, _until = loadkit.run_committee(
            server.port, committee, seconds=30, think=(0.0, 0.0), max_saves=2000)
        # Kill once the burst is in full swing: every member saving back to back.
        assert _wait_for(lambda: len(log.first_save) == 10 and log.saves() >= 150, 20)
        loadkit.kill_server(server)
        loadkit.join(threads, time.monotonic() + 30)

    acknowledged = log.saves()
    assert log.server_errors() == {}
    assert len(log.failures) == 10  # every member lost the connection
    assert log.in_flight, "the kill caught no save in flight"
    assert loadkit.integrity_problems(database_url) == []
    check = loadkit.check_saves(database_url, log)
    assert check.problems == []
    assert check.acknowledged == len(log.acknowledged) > 0

    # The server starts again on the same database, and the members carry on.
    with loadkit.serving(database_url, tmp_path, workers=2, threads=4) as server:
        # Up to 20 saves a member; 10 s leaves room for logging in and opening the
        # sheets on a loaded machine (2 s sometimes left no time for a save at all).
        again, threads, until = loadkit.run_committee(
            server.port, committee, seconds=10, think=(0.0, 0.05), max_saves=20)
        loadkit.join(threads, until + 30)
    assert again.failures == [] and again.server_errors() == {}
    assert again.saves() > 0
    # Nothing from before the kill was lost or changed; the new saves are there too.
    check = loadkit.check_saves(database_url, again, earlier=log)
    assert check.problems == []
    assert loadkit.integrity_problems(database_url) == []
    print(f"\n{acknowledged} saves acknowledged before the kill, {len(log.in_flight)} in "
          f"flight ({check.unacknowledged_stored} of them stored whole)")


# -- a spreadsheet import through the web -------------------------------------------------

ROWS = 1_000
_HIDDEN = re.compile(rb'<input[^>]*name="(token|filename|csrf_token)"[^>]*value="([^"]*)"')


def _facilitator_selection(url: str) -> int:
    from argon2 import PasswordHasher

    from selector.db import Database
    from selector.models import Account
    from selector.services import selections

    database = Database(url)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with database.transaction() as session:
        account = Account(email="fenna@example.org", name="Fenna",
                          password_hash=cheap.hash(loadkit.PASSWORD))
        session.add(account)
        session.flush()
        selection_id = selections.create_selection(session, account, name="Import CRM").id
    database.dispose()
    return selection_id


def _spreadsheet(rows: int = ROWS) -> bytes:
    categories = ("sales", "marketing", "service", "hosting", "security", "integration")
    lines = ["category,title,priority,description"]
    lines += [f"{categories[i % len(categories)]},Requirement {i} from the workshop,should,"
              f"The system records item {i} within two seconds." for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


class Facilitator(loadkit.CommitteeMember):
    def upload(self, selection_id: int, data: bytes) -> dict[str, str]:
        """Upload the spreadsheet (the preview step); returns the commit form's fields."""
        _, page = self.request("GET", f"/selections/{selection_id}/requirements/import")
        csrf = self._token(page)
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
                f"{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"workshop.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        status, page = self.request(
            "POST", f"/selections/{selection_id}/requirements/import", body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 200, page[:2000]
        fields = {name.decode(): value.decode() for name, value in _HIDDEN.findall(page)}
        assert set(fields) == {"token", "filename", "csrf_token"}, fields
        return fields

    def commit(self, selection_id: int, fields: dict[str, str]) -> int:
        status, _ = self.request(
            "POST", f"/selections/{selection_id}/requirements/import/commit",
            urlencode({**fields, "reason": ""}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        return status


def _counts(url: str, selection_id: int) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            requirements = connection.execute(
                text("SELECT count(*) FROM requirements WHERE selection_id = :sid"),
                {"sid": selection_id}).scalar()
            audited = connection.execute(
                text("SELECT count(*) FROM audit_entries WHERE selection_id = :sid"
                     " AND entity = 'requirement'"), {"sid": selection_id}).scalar()
    finally:
        engine.dispose()
    return requirements, audited


def test_a_web_import_killed_midway_is_all_or_nothing(database_url, tmp_path):
    selection_id = _facilitator_selection(database_url)
    data = _spreadsheet()
    with loadkit.serving(database_url, tmp_path, workers=1, threads=2) as server:
        fenna = Facilitator(server.port, "fenna@example.org", loadkit.Log())
        fenna.connection.timeout = 120
        fenna.log_in()
        # A small import first, so that the timed one does not include a cold start
        # (a later import of the same rows only takes longer: more to compare with).
        assert fenna.commit(selection_id, fenna.upload(selection_id, _spreadsheet(3))) == 302
        start = _counts(database_url, selection_id)
        # One whole import, timed.
        fields = fenna.upload(selection_id, data)
        started = time.perf_counter()
        assert fenna.commit(selection_id, fields) == 302
        duration = time.perf_counter() - started
        done = _counts(database_url, selection_id)
        one = (done[0] - start[0], done[1] - start[1])
        assert one[0] == ROWS and one[1] >= ROWS

        # The same import again, killed halfway through its commit.
        fields = fenna.upload(selection_id, data)
        answer: list[object] = []

        def commit() -> None:
            try:
                answer.append(fenna.commit(selection_id, fields))
            except (OSError, http.client.HTTPException) as error:
                answer.append(error)

        thread = threading.Thread(target=commit, daemon=True)
        thread.start()
        time.sleep(duration * 0.5)
        loadkit.kill_server(server)
        thread.join(timeout=30)
    assert answer and isinstance(answer[0], Exception), f"the commit finished first: {answer}"
    assert loadkit.integrity_problems(database_url) == []
    after = _counts(database_url, selection_id)
    assert after in {done, (done[0] + one[0], done[1] + one[1])}, (done, after)
    print(f"\nthe killed import ({duration:.1f} s when whole) is "
          f"{'entirely absent' if after == done else 'entirely there'}")

    # Restarted, the server takes the whole import.
    with loadkit.serving(database_url, tmp_path, workers=1, threads=2) as server:
        fenna = Facilitator(server.port, "fenna@example.org", loadkit.Log())
        fenna.connection.timeout = 120
        fenna.log_in()
        assert fenna.commit(selection_id, fenna.upload(selection_id, data)) == 302
    assert _counts(database_url, selection_id) == (after[0] + one[0], after[1] + one[1])
    assert "Traceback" not in server.log_text()

