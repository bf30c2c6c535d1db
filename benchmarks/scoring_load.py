"""Load benchmark of score saves (issue 7, decisions.md "Load model for score saves"):
25 members saving scores concurrently through a real server (gunicorn on 127.0.0.1, a
free port), over loopback only, bounded in count and time (under a minute in all).

    python benchmarks/scoring_load.py             # a SQLite file in a temporary folder
    DATABASE_URL=postgresql+psycopg://... python benchmarks/scoring_load.py
    python benchmarks/scoring_load.py --worker-class gthread --think-seconds 30

Three runs, each member a thread with its own signed-in session:

1. The load model: each member saves one score (the JSON endpoint the sheet uses), then
   thinks 1-3 s, and again. Prints saves per second and the p50/p99 latency; the goal is
   p99 under 50 ms on SQLite on a 2-core machine.
2. No think time: the members save back to back. Prints saves per second and p99.
3. The floor: the same 25 threads against a bare Flask endpoint on the same server (no
   database, no session), to show what the server itself costs.

Afterwards every accepted save (HTTP 200) is checked against the database: the stored
score, comment and version of each (member, requirement) are those of the member's last
accepted save, and there is one audit entry per accepted change.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEMBERS = 25
PASSWORD = "benchmark passphrase, long enough"
HOST = "127.0.0.1"  # loopback only
P99_GOAL = 0.050


# --------------------------------------------------------------------------- the server


def bench_app():
    """The app as gunicorn serves it, plus the floor: a bare endpoint (gunicorn calls
    `benchmarks.scoring_load:bench_app()`)."""
    from selector.web.app import create_app

    app = create_app()

    def floor():
        return "ok"

    app.add_url_rule("/_bench/floor", "bench_floor", floor)
    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], workers: int, port: int, worker_class: str,
                 threads: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn) if gunicorn.exists() else "gunicorn",
               "--bind", f"{HOST}:{port}", "--workers", str(workers),
               "--worker-class", worker_class, "--threads", str(threads),
               "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning",
               "benchmarks.scoring_load:bench_app()"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn did not start:\n" + (process.stderr.read() or ""))
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/_bench/floor")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.2)
    stop_process_group(process)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop_process_group(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM to a server we started in its own process group (and nothing else),
    SIGKILL if it lingers after `timeout` seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --------------------------------------------------------------------------- the data


def prepare(url: str, vendors: int, wishes: int) -> tuple[int, list[str], list[int]]:
    """A selection in the scoring phase with 25 business and IT members, each of whom
    has declared "no conflict" for every vendor (the committee load's own set-up, with
    cheap password hashes). Returns (selection id, e-mails, vendor ids)."""
    from benchmarks.loadkit import prepare_committee  # loadkit builds on this module

    committee = prepare_committee(url, MEMBERS, vendors=vendors, wishes=wishes)
    return committee.selection_id, committee.emails, committee.vendor_ids


# --------------------------------------------------------------------------- a member


class HttpBrowser:
    """A browser's session over its own kept-alive connection: cookies kept."""

    def __init__(self, port: int, timeout: float = 10) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def exchange(self, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None
                 ) -> tuple[int, bytes, dict[str, str]]:
        """Status, body and headers (lower-case names) of one request."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the server closed a kept-alive connection
                if attempt == 2:
                    raise
        answer = {}
        for header, value in response.getheaders():
            answer[header.lower()] = value
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, answer

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        status, data, _ = self.exchange(method, path, body, headers)
        return status, data


class Member(HttpBrowser):
    """One committee member in a browser: a signed-in session over its own connection."""

    def __init__(self, port: int, email: str) -> None:
        super().__init__(port)
        self.email = email
        self.csrf = ""
        self.items: list[dict] = []  # (vendor id, requirement id) with the version

    def sign_in(self, selection_id: int, vendor_ids: list[int]) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "POST", "/login",
            urlencode({"email": self.email, "password": PASSWORD, "csrf_token": token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, (self.email, status)
        for vendor_id in sorted(vendor_ids):
            base = f"/selections/{selection_id}/scoring/vendors/{vendor_id}"
            status, page = self.request("GET", base)
            assert status == 200, (self.email, status)
            self.csrf = re.search(rb'name="csrf-token" content="([^"]+)"',
                                  page).group(1).decode()
            status, sheet = self.request("GET", base + "/sheet.json")
            assert status == 200
            for item in json.loads(sheet)["items"]:
                self.items.append({"url": base + "/scores", "vendor_id": vendor_id,
                                   "requirement_id": item["requirement_id"],
                                   "version": item["version"]})


@dataclass
class Record:
    """What the members saw: latencies of accepted saves, refusals, and per item the last
    accepted answer (to compare with the database)."""

    latencies: list[float] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)
    accepted: dict[tuple[str, int, int], tuple[int, str, int]] = field(default_factory=dict)
    changes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def save_loop(member: Member, record: Record, until: float, think: tuple[float, float],
              max_saves: int, rng: random.Random, counter: list[int]) -> None:
    saves = 0
    if think[1] > 0:
        # Members do not all press a key in the same millisecond: each starts somewhere
        # in their first think time, so the run measures the steady state.
        time.sleep(rng.uniform(0, think[1]))
    while time.monotonic() < until and saves < max_saves:
        item = member.items[saves % len(member.items)]
        with record.lock:
            counter[0] += 1
            number = counter[0]
        score = rng.randint(2, 4)  # no extremes: every answer is complete
        comment = f"Save {number} by {member.email}"
        body = json.dumps({"requirement_id": item["requirement_id"], "score": score,
                           "comment": comment, "version": item["version"],
                           "reason": ""}).encode()
        started = time.perf_counter()
        status, data = member.request("POST", item["url"], body, {
            "Content-Type": "application/json", "X-CSRFToken": member.csrf,
            "Accept": "application/json"})
        elapsed = time.perf_counter() - started
        with record.lock:
            if status == 200:
                answer = json.loads(data)
                item["version"] = answer["version"]
                record.latencies.append(elapsed)
                record.accepted[(member.email, item["vendor_id"], item["requirement_id"])] = (
                    score, comment, answer["version"])
                record.changes += int(answer["changed"])
            else:
                record.refused[status] = record.refused.get(status, 0) + 1
        saves += 1
        if think[1] > 0 and time.monotonic() < until:
            time.sleep(rng.uniform(*think))


def floor_loop(member: Member, latencies: list[float], until: float, lock: threading.Lock
               ) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        status, _ = member.request("GET", "/_bench/floor")
        elapsed = time.perf_counter() - started
        assert status == 200
        with lock:
            latencies.append(elapsed)


def run_threads(targets: list[tuple]) -> float:
    threads = [threading.Thread(target=target, args=args, daemon=True)
               for target, args in targets]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(title: str, latencies: list[float], seconds: float, what: str = "saves") -> None:
    rate = len(latencies) / seconds if seconds else 0
    print(f"{title}: {len(latencies)} {what} in {seconds:.1f} s = {rate:.0f} {what}/s; "
          f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")


# --------------------------------------------------------------------------- checking


def stored_scores(url: str) -> tuple[dict[tuple, tuple], int]:
    """What the database holds after a run: (email, vendor id, requirement id) ->
    (score, comment, version), and the number of score audit entries."""
    from sqlalchemy import func
    from sqlalchemy import select

    from selector.db import Database
    from selector.models import Account
    from selector.models import AuditEntry
    from selector.models import Membership
    from selector.models import Score

    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            rows = session.execute(
                select(Account.email, Score.vendor_id, Score.requirement_id, Score.score,
                       Score.comment, Score.version)
                .join(Membership, Membership.id == Score.membership_id)
                .join(Account, Account.id == Membership.account_id)).all()
            audited = session.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.entity == "score")) or 0
    finally:
        database.dispose()
    return {(e, v, r): (s, c, n) for e, v, r, s, c, n in rows}, audited


def check_database(url: str, record: Record, emails: list[str]) -> None:
    stored, audited = stored_scores(url)
    missing = [key for key, answer in record.accepted.items() if stored.get(key) != answer]
    assert not missing, f"{len(missing)} accepted saves are not in the database: {missing[:3]}"
    assert len(stored) == len(record.accepted), (len(stored), len(record.accepted))
    assert audited == record.changes, (audited, record.changes)
    print(f"database: every accepted save is stored ({len(stored)} answers, their last "
          f"versions), {audited} audit entries for {record.changes} accepted changes")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                        help="gunicorn worker class (sync: one request per worker at a "
                             "time, the others wait in the listen queue)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per worker with --worker-class gthread (4)")
    parser.add_argument("--think-seconds", type=float, default=18,
                        help="length of the run with think time (18)")
    parser.add_argument("--burst-seconds", type=float, default=5,
                        help="length of the runs without think time (5)")
    parser.add_argument("--max-saves", type=int, default=400,
                        help="saves per member at most, per run (400)")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="selector-scoring-load-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    instance = folder / "instance"
    instance.mkdir()
    sid, emails, vendor_ids = prepare(url, vendors=3, wishes=60)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="scoring-load-benchmark",
               SELECTOR_INSTANCE=str(instance), PYTHONPATH=str(ROOT))
    port = free_port()
    threads = args.threads if args.worker_class == "gthread" else 1
    print(f"{len(emails)} members, {len(vendor_ids)} vendors, database "
          f"{url.split(':')[0]}; gunicorn on {HOST}:{port} with {args.workers} "
          f"{args.worker_class} workers ({threads} thread(s) each), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    server = start_server(env, args.workers, port, args.worker_class, threads)
    try:
        members = [Member(port, email) for email in emails]
        for member in members:
            member.sign_in(sid, vendor_ids)
        rng = random.Random(20261123)
        counter = [0]

        def saving(seconds: float, think: tuple[float, float]) -> tuple[Record, float]:
            record = Record()
            until = time.monotonic() + seconds
            return record, run_threads([
                (save_loop, (m, record, until, think, args.max_saves,
                             random.Random(rng.random()), counter)) for m in members])

        # 1. The load model: save one score, think 1-3 s.
        record, seconds = saving(args.think_seconds, (1.0, 3.0))
        report("with think time 1-3 s", record.latencies, seconds)
        think_p99 = percentile(record.latencies, 0.99)

        # 2. No think time.
        burst, seconds = saving(args.burst_seconds, (0.0, 0.0))
        report("without think time   ", burst.latencies, seconds)

        # 3. The floor: a bare Flask endpoint on the same server.
        floor: list[float] = []
        lock = threading.Lock()
        until = time.monotonic() + args.burst_seconds
        seconds = run_threads([(floor_loop, (m, floor, until, lock)) for m in members])
        report("bare Flask endpoint  ", floor, seconds, what="requests")

        refused = {**record.refused}
        for status, count in burst.refused.items():
            refused[status] = refused.get(status, 0) + count
        print(f"refused saves: {refused or 'none'}")
        merged = Record(changes=record.changes + burst.changes)
        merged.accepted = {**record.accepted, **burst.accepted}
        check_database(url, merged, emails)
        goal = "within the goal" if think_p99 < P99_GOAL else "OVER the goal"
        print(f"p99 with think time {think_p99 * 1000:.1f} ms: {goal} of "
              f"{P99_GOAL * 1000:.0f} ms")
    finally:
        stop_process_group(server)
        if not os.environ.get("DATABASE_URL"):
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
