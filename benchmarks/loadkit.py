"""A committee in the scoring phase against a real gunicorn, shared by the committee load
benchmark (`benchmarks/committee_load.py`) and the trust tests (`tests/trust/test_load.py`,
`tests/trust/test_save_faults.py`).

Built on the scoring benchmark's HTTP client (`benchmarks.scoring_load.Member`: one
kept-alive loopback connection and its cookies per member); this module adds what a whole
committee needs: the app as gunicorn serves it in production (`selector.wsgi:app`), a
server that can be killed with SIGKILL, members that log in through /login and open their
sheets as a browser does, latencies per kind of request, and a check that every save the
server acknowledged (2xx) is in the database with its value - also when the server died
with a save in flight, whose outcome is then unknown (stored or not, never half).

Only loopback traffic (127.0.0.1), every loop bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.scoring_load import HOST  # noqa: E402
from benchmarks.scoring_load import PASSWORD  # noqa: E402
from benchmarks.scoring_load import Member  # noqa: E402
from benchmarks.scoring_load import free_port  # noqa: E402
from benchmarks.scoring_load import percentile  # noqa: E402
from benchmarks.scoring_load import stop_process_group  # noqa: E402
from benchmarks.scoring_load import stored_scores  # noqa: E402

APP = "selector.wsgi:app"
KINDS = ("login page", "log in", "sheet page", "static", "sheet.json", "save")
_ASSET = re.compile(rb'(?:href|src)="(/static/[^"]+)"')
_CSRF = re.compile(rb'name="csrf-token" content="([^"]+)"')


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    """A gunicorn in its own process group, its log in a file."""

    process: subprocess.Popen
    port: int
    log: Path

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


def gunicorn_command(port: int, workers: int, threads: int, app: str = APP) -> list[str]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return [str(gunicorn) if gunicorn.exists() else "gunicorn",
            "--bind", f"{HOST}:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            # Keep-alive 5 s: a member thinks up to 3 s between saves and, like a
            # browser, keeps the connection (gunicorn's default of 2 s would close it).
            "--keep-alive", "5", "--timeout", "30", "--graceful-timeout", "5",
            "--log-level", "warning", app]


def start_server(env: dict[str, str], log: Path, *, workers: int = 4, threads: int = 4,
                 port: int | None = None, app: str = APP, timeout: float = 60) -> Server:
    """Start gunicorn on 127.0.0.1 and wait until /login answers."""
    port = port or free_port()
    stream = open(log, "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        process = subprocess.Popen(
            gunicorn_command(port, workers, threads, app), cwd=ROOT, env=env,
            start_new_session=True, stdout=stream, stderr=subprocess.STDOUT)
    finally:
        stream.close()
    server = Server(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn did not start:\n" + server.log_text()[-3000:])
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/login")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n"
                       + server.log_text()[-3000:])


def stop_server(server: Server) -> None:
    """SIGTERM to the gunicorn we started (its own process group), SIGKILL if it lingers."""
    stop_process_group(server.process, timeout=15)


def kill_server(server: Server) -> None:
    """SIGKILL to the master and every worker at once: no handler, no cleanup runs."""
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.process.wait(timeout=15)


@contextmanager
def serving(url: str, folder: Path, **options) -> Iterator[Server]:
    """gunicorn on the database at `url` for the block (`start_server`'s `options`), its
    instance folder and log in `folder`; stopped when the block ends, also on an error."""
    server = start_server(server_env(url, folder / "instance"), folder / "gunicorn.log",
                          **options)
    try:
        yield server
    finally:
        stop_server(server)


def server_env(url: str, instance: Path) -> dict[str, str]:
    instance.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="committee-load",
               SELECTOR_INSTANCE=str(instance), PYTHONPATH=str(ROOT),
               OPENBLAS_NUM_THREADS="1")
    env.pop("SELECTOR_SECURE_COOKIES", None)  # plain HTTP on loopback
    return env


# --------------------------------------------------------------------------- the data


@dataclass
class Committee:
    selection_id: int
    emails: list[str]
    vendor_ids: list[int]


def prepare_committee(url: str, members: int, *, vendors: int = 3, wishes: int = 60,
                      production_hashes: bool = False) -> Committee:
    """A selection in the scoring phase: `members` business and IT members (a third IT)
    with passwords, each assigned the wishes of their domain by default, `vendors`
    vendors, frozen weights, and every member's "no conflict" declared for every vendor.

    `production_hashes`: Argon2id with the app's parameters (each login then costs what
    it costs in production); otherwise cheap parameters, so that logins do not dominate a
    short run (the parameters live in the hash; verification follows them).
    """
    from sqlalchemy import select

    from benchmarks.generate import big_selection
    from selector import migrate
    from selector.db import Database
    from selector.files.selection_file import validate
    from selector.models import Account
    from selector.models import Membership
    from selector.models import Selection
    from selector.models import Vendor
    from selector.services import scoring
    from selector.services import selections
    from selector.services import weighting
    from selector.services.selection_file import import_selection

    doc = big_selection(wishes=wishes, vendors=vendors, members=members)
    doc = {**doc, "scores": [], "consensus": [], "knockouts": []}
    database = Database(url)
    migrate.upgrade(database.engine)
    password_hash = _password_hash(production_hashes)
    with database.transaction() as session:
        sid = import_selection(session, validate(doc))
        for account in session.scalars(select(Account)):
            account.password_hash = password_hash
        selection = session.get(Selection, sid)
        facilitator = session.scalar(select(Account).where(
            Account.email == "facilitator@example.org"))
        membership = session.scalar(select(Membership).where(
            Membership.selection_id == sid, Membership.account_id == facilitator.id))
        weighting.freeze_weights(session, selection, membership, facilitator)
        selections.change_phase(session, selection, facilitator, "forward")
        vendor_ids = list(session.scalars(
            select(Vendor.id).where(Vendor.selection_id == sid).order_by(Vendor.key)))
        rows = session.execute(
            select(Membership, Account).join(Account, Account.id == Membership.account_id)
            .where(Membership.selection_id == sid, Membership.role.in_(("business", "it")))
            .order_by(Account.email)).all()
        for member, account in rows:
            for vendor_id in vendor_ids:
                scoring.declare_conflict(session, selection, member, account, vendor_id, "none")
        emails = [account.email for _, account in rows]
    database.dispose()
    return Committee(sid, emails, vendor_ids)


def _password_hash(production: bool) -> str:
    """PASSWORD hashed as the app hashes it, or with cheap Argon2id parameters."""
    from argon2 import PasswordHasher

    from selector.services import accounts

    if production:
        return accounts.hash_password(PASSWORD)
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def password_hash_cost(production: bool) -> float:
    """Seconds one password verification takes on this machine (median of 3), with the
    app's Argon2id parameters or with the cheap ones of `prepare_committee`."""
    from selector.models import Account
    from selector.services import accounts

    account = Account(password_hash=_password_hash(production))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        assert accounts.verify_password(account, PASSWORD)
        times.append(time.perf_counter() - start)
    return sorted(times)[1]


# --------------------------------------------------------------------------- what happened


Key = tuple[str, int, int]  # (member e-mail, vendor id, requirement id)


@dataclass
class Log:
    """Everything the members saw, shared by their threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    save_times: list[tuple[float, float]] = field(default_factory=list)  # (sent, seconds)
    first_save: dict[str, float] = field(default_factory=dict)  # member -> when
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    acknowledged: dict[Key, tuple[int, str, int]] = field(default_factory=dict)
    # A save sent but not answered (the server died): stored or not, never half.
    in_flight: dict[Key, tuple[int, str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # connection errors, by member
    lock: threading.Lock = field(default_factory=threading.Lock)

    def server_errors(self) -> dict[str, dict[int, int]]:
        return {kind: {s: n for s, n in counts.items() if s >= 500}
                for kind, counts in self.statuses.items()
                if any(s >= 500 for s in counts)}

    def saves(self) -> int:
        return sum(n for s, n in self.statuses["save"].items() if 200 <= s < 300)

    def steady_saves(self) -> list[float]:
        """Latencies of the saves sent after every member had started saving: the run
        without the opening burst of logins and first sheets."""
        if not self.first_save:
            return []
        start = max(self.first_save.values())
        return [seconds for sent, seconds in self.save_times if sent > start]


class CommitteeMember(Member):
    """A member with a browser's habits: the login form, then one sheet after another."""

    def __init__(self, port: int, email: str, log: Log) -> None:
        super().__init__(port, email)
        self.log = log
        self.cached: set[bytes] = set()  # the static files this "browser" keeps

    def timed(self, kind: str, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        started = time.perf_counter()
        status, data = self.request(method, path, body, headers)
        elapsed = time.perf_counter() - started
        with self.log.lock:
            self.log.latencies[kind].append(elapsed)
            self.log.statuses[kind][status] += 1
        return status, data

    def _token(self, page: bytes) -> str:
        found = _CSRF.search(page)
        if not found:
            raise AssertionError(f"{self.email}: no CSRF token on the page")
        return found.group(1).decode()

    def log_in(self) -> None:
        status, page = self.timed("login page", "GET", "/login")
        assert status == 200, (self.email, status)
        self.fetch_assets(page)
        status, _ = self.timed(
            "log in", "POST", "/login",
            urlencode({"email": self.email, "password": PASSWORD,
                       "csrf_token": self._token(page)}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, (self.email, status)

    def open_sheet(self, selection_id: int, vendor_id: int) -> tuple[str, list[dict]]:
        """The sheet page (for its CSRF token) and the member's answers, as scoring.js
        loads them: the save URL and the items with their versions."""
        base = f"/selections/{selection_id}/scoring/vendors/{vendor_id}"
        status, page = self.timed("sheet page", "GET", base)
        assert status == 200, (self.email, status)
        self.csrf = self._token(page)
        self.fetch_assets(page)
        status, sheet = self.timed("sheet.json", "GET", base + "/sheet.json")
        assert status == 200, (self.email, status)
        return base + "/scores", json.loads(sheet)["items"]

    def fetch_assets(self, page: bytes) -> None:
        """The style sheets and scripts the page names that this browser does not keep
        yet, as a browser with an empty cache fetches them on its first page; every
        answer the app gives them may be kept (an hour, or a year when fingerprinted)."""
        for path in _ASSET.findall(page):
            if path not in self.cached:
                status, _ = self.timed("static", "GET", path.decode())
                assert status == 200, (self.email, path, status)
                self.cached.add(path)

    def save(self, url: str, vendor_id: int, item: dict, score: int, comment: str) -> int:
        """Save one answer through the JSON endpoint; the log learns the outcome."""
        key = (self.email, vendor_id, item["requirement_id"])
        body = json.dumps({"requirement_id": item["requirement_id"], "score": score,
                           "comment": comment, "version": item["version"],
                           "reason": ""}).encode()
        sent = time.monotonic()
        with self.log.lock:
            self.log.in_flight[key] = (score, comment)
            self.log.first_save.setdefault(self.email, sent)
        status, data = self.timed("save", "POST", url, body, {
            "Content-Type": "application/json", "X-CSRFToken": self.csrf,
            "Accept": "application/json"})
        with self.log.lock:
            self.log.save_times.append((sent, time.monotonic() - sent))
            del self.log.in_flight[key]
            if 200 <= status < 300:
                answer = json.loads(data)
                item["version"] = answer["version"]
                self.log.acknowledged[key] = (score, comment, answer["version"])
        return status


def member_session(member: CommitteeMember, committee: Committee, until: float,
                   think: tuple[float, float], max_saves: int, seed: int,
                   delay: float = 0.0) -> None:
    """After `delay` seconds, log in, then score one vendor's sheet after another until
    the time or the save budget runs out. A connection error (a killed server) ends the
    session."""
    rng = random.Random(seed)
    saves = 0
    time.sleep(delay)
    try:
        member.log_in()
        vendors = committee.vendor_ids[:]
        rng.shuffle(vendors)  # not everyone starts with the same sheet
        for round_ in range(max_saves + 1):
            vendor_id = vendors[round_ % len(vendors)]
            url, items = member.open_sheet(committee.selection_id, vendor_id)
            if not items:
                return
            for item in items:
                if time.monotonic() >= until or saves >= max_saves:
                    return
                score = rng.randint(1, 4)  # no extremes: every answer is complete
                comment = f"{member.email} round {round_}: {rng.randint(0, 10**6)}"
                member.save(url, vendor_id, item, score, comment)
                saves += 1
                if think[1] > 0:
                    time.sleep(min(rng.uniform(*think), max(0.0, until - time.monotonic())))
    except (OSError, http.client.HTTPException) as error:
        with member.log.lock:
            member.log.failures.append(f"{member.email}: {type(error).__name__}")


def run_committee(port: int, committee: Committee, seconds: float, *,
                  think: tuple[float, float] = (1.0, 3.0), max_saves: int = 400,
                  seed: int = 20261123, log: Log | None = None, arrival: float = 0.0
                  ) -> tuple[Log, list[threading.Thread], float]:
    """Start one thread per member; returns at once (join the threads, or kill the
    server under them). The run ends `seconds` after the start. `arrival`: the members
    arrive evenly spread over that many seconds (0: all at the same moment)."""
    log = log or Log()
    until = time.monotonic() + seconds
    rng = random.Random(seed)
    threads = []
    count = len(committee.emails)
    for number, email in enumerate(committee.emails):
        member = CommitteeMember(port, email, log)
        thread = threading.Thread(
            target=member_session,
            args=(member, committee, until, think, max_saves, rng.randrange(2**32),
                  arrival * number / count),
            daemon=True)
        threads.append(thread)
    for thread in threads:
        thread.start()
    return log, threads, until


def warm_up(port: int, committee: Committee, log: Log, members: int = 8) -> None:
    """A few members through the whole flow once, in parallel, so that every worker has
    imported, connected and compiled its templates before the measured run (a server in
    production is warm). Their saves go to `log` like any other."""
    few = Committee(committee.selection_id, committee.emails[:members], committee.vendor_ids)
    _log, threads, until = run_committee(port, few, 30, think=(0, 0), max_saves=3, log=log)
    join(threads, until + 30)


def join(threads: list[threading.Thread], deadline: float) -> None:
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    alive = sum(thread.is_alive() for thread in threads)
    if alive:
        raise AssertionError(f"{alive} member threads did not finish in time")


# --------------------------------------------------------------------------- checking


@dataclass
class Check:
    stored: int  # score rows in the database
    acknowledged: int  # (member, vendor, wish) whose last save was acknowledged
    unacknowledged_stored: int  # in flight at the kill and committed all the same
    audited: int  # audit entries of scores
    problems: list[str]


def check_saves(url: str, log: Log, earlier: Log | None = None) -> Check:
    """Every acknowledged save is stored with its value; a save in flight when the server
    died is either stored whole (value and version) or not at all; and each stored
    version has its audit entry (score and audit row in one transaction). `earlier`: the
    log of a run before this one (a warm-up)."""
    stored, audited = stored_scores(url)
    acknowledged = {**(earlier.acknowledged if earlier else {}), **log.acknowledged}
    in_flight = {**(earlier.in_flight if earlier else {}), **log.in_flight}
    problems: list[str] = []
    late = 0
    for key in set(acknowledged) | set(in_flight) | set(stored):
        known = acknowledged.get(key)
        pending = in_flight.get(key)
        have = stored.get(key)
        if have == known:
            continue
        if pending is not None:
            version = (known[2] if known else 0) + 1
            if have == (*pending, version):
                late += 1
                continue
        problems.append(f"{key}: acknowledged {known}, in flight {pending}, stored {have}")
    versions = sum(n for _s, _c, n in stored.values())
    if audited != versions:
        problems.append(f"{audited} score audit entries for {versions} stored versions")
    return Check(len(stored), len(acknowledged), late, audited, problems)


def integrity_problems(url: str) -> list[str]:
    """SQLite's own checks (integrity and foreign keys); on PostgreSQL, that the tables
    can be read and the score foreign keys hold (the server enforces them)."""
    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(url)
    problems: list[str] = []
    try:
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                result = connection.execute(text("PRAGMA integrity_check")).scalar()
                if result != "ok":
                    problems.append(f"integrity_check: {result}")
                broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    problems.append(f"foreign_key_check: {broken[:5]}")
            orphans = connection.execute(text(
                "SELECT count(*) FROM scores s LEFT JOIN memberships m"
                " ON m.id = s.membership_id WHERE m.id IS NULL")).scalar()
            if orphans:
                problems.append(f"{orphans} scores without a membership")
    finally:
        engine.dispose()
    return problems


# --------------------------------------------------------------------------- reporting


def latency_table(log: Log, seconds: float) -> str:
    lines = [f"{'request':<12} {'count':>6} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'p99 ms':>8} {'max ms':>8}  statuses"]
    for kind in KINDS:
        values = log.latencies.get(kind) or []
        if not values:
            continue
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(log.statuses[kind].items()))
        lines.append(
            f"{kind:<12} {len(values):>6} {len(values) / seconds:>6.1f} "
            f"{percentile(values, 0.50) * 1000:>8.1f} {percentile(values, 0.95) * 1000:>8.1f} "
            f"{percentile(values, 0.99) * 1000:>8.1f} {max(values) * 1000:>8.1f}  {statuses}")
    steady = log.steady_saves()
    if steady:
        lines.append(
            f"{'save, after':<12} {len(steady):>6} {'':>6} "
            f"{percentile(steady, 0.50) * 1000:>8.1f} {percentile(steady, 0.95) * 1000:>8.1f} "
            f"{percentile(steady, 0.99) * 1000:>8.1f} {max(steady) * 1000:>8.1f}  "
            "(saves sent once every member had begun: without the opening burst)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- databases


def scratch_postgres(server_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the PostgreSQL server of `server_url`; returns its URL and a
    function that drops it."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"selector_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def scratch_database(folder: Path) -> tuple[str, Callable[[], None] | None]:
    """A fresh database for one run: on the PostgreSQL server that DATABASE_URL names,
    else a SQLite file in `folder`; returns its URL and the function that drops it
    (None for SQLite: the folder holds it)."""
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith("postgres"):
        return scratch_postgres(server_url)
    return f"sqlite:///{folder / 'committee.db'}", None


@contextmanager
def scratch_run(prefix: str) -> Iterator[tuple[Path, str]]:
    """A temporary folder and a fresh database (`scratch_database`) for one benchmark run,
    as (folder, database URL); both are removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    url, drop = scratch_database(folder)
    try:
        yield folder, url
    finally:
        if drop is not None:
            drop()
        shutil.rmtree(folder, ignore_errors=True)
