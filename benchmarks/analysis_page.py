"""Benchmark of the analysis pages (issue 8): the ranking page for 400 wishes x 10
vendors x 12 members (48,000 scores) rendered in full, 10,000 Monte Carlo draws
included (goal: under 500 ms), and the what-if (goal: an answer under 100 ms).

    python benchmarks/analysis_page.py            # a SQLite file in a temporary folder
    DATABASE_URL=postgresql+psycopg://... python benchmarks/analysis_page.py

Every request is a real request through the Flask app (one load, one rank, rendering),
signed in as the facilitator, nothing cached between requests. The what-if is measured
three ways: in the browser (what the facilitator uses: the panel recomputes the ranking
from the page's category scores, decisions.md), the engine's `what_if_totals` alone,
and the JSON endpoint (a full round trip that loads and ranks the selection again).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import big_selection  # noqa: E402
from selector import migrate  # noqa: E402
from selector.db import Database  # noqa: E402
from selector.files.selection_file import validate  # noqa: E402
from selector.services import accounts  # noqa: E402
from selector.services.selection_file import import_selection  # noqa: E402

PASSWORD = "benchmark passphrase, long enough"
FACILITATOR = "facilitator@example.org"
RUNS = 9
PAGE_GOAL, WHAT_IF_GOAL = 0.500, 0.100


def verdict(seconds: float, goal: float) -> str:
    return "within the goal" if seconds < goal else f"OVER the goal of {goal * 1000:.0f} ms"


def timed_requests(client, path: str, runs: int = RUNS, **kwargs) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, **kwargs)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


def log_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": FACILITATOR, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code


def browser_what_if(app, selection_id: int) -> list[float] | str:
    """Milliseconds from a slider's input event to the redrawn ranking, in Chromium."""
    executable = os.environ.get("SELECTOR_CHROMIUM") or shutil.which("chromium")
    if not executable:
        return "chromium not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright not installed"
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=email]", FACILITATOR)
            page.fill("input[name=password]", PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
            page.goto(f"{base}/selections/{selection_id}/analysis/sensitivity")
            page.wait_for_selector("#what-if.js-live")
            # The panel updates synchronously inside the input event: time the dispatch.
            times = page.evaluate(
                """() => {
                  const sliders = Array.from(document.querySelectorAll('input[data-category]'));
                  const out = [];
                  for (let i = 0; i < 25; i++) {
                    const slider = sliders[i % sliders.length];
                    slider.value = String(5 + (i * 7) % 40);
                    const started = performance.now();
                    slider.dispatchEvent(new Event('input', {bubbles: true}));
                    out.push(performance.now() - started);
                  }
                  return out;
                }"""
            )
            browser.close()
    finally:
        server.shutdown()
    return [t / 1000 for t in times]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="selector-analysis-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    os.environ["SELECTOR_INSTANCE"] = str(folder / "instance")
    doc = big_selection()
    wishes = sum(1 for r in doc["requirements"] if not r["knockout"])
    scorers = sum(1 for m in doc["members"] if m["role"] in ("business", "it"))
    print(f"selection: {wishes} wishes, {len(doc['vendors'])} vendors, {scorers} scoring "
          f"members, {len(doc['scores'])} scores; database {url.split(':')[0]}")

    database = Database(url)
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        selection_id = import_selection(session, validate(doc))
        accounts.set_password(session, accounts.find_account(session, FACILITATOR), PASSWORD)
    database.dispose()

    from selector.domain.method import rank
    from selector.domain.method import what_if_totals
    from selector.services.loader import load_selection
    from selector.web.app import create_app

    app = create_app({"SECRET_KEY": "benchmark", "DATABASE_URL": url})
    client = app.test_client()
    log_in(client)
    base = f"/selections/{selection_id}/analysis"
    client.get(base)  # warm up: templates compiled, catalogues read

    print(f"\nfull requests, signed in as the facilitator (median of {RUNS}, after one warm-up):")
    results = {}
    for label, path in (("ranking page (load + rank with 10,000 draws + render)", ""),
                        ("heat map", "/heat-map"), ("perspectives", "/perspectives"),
                        ("sensitivity with the what-if panel", "/sensitivity"),
                        ("panel health", "/panel-health")):
        times = timed_requests(client, base + path)
        results[path] = statistics.median(times)
        print(f"  {label:<58} {results[path] * 1000:7.0f} ms  (max {max(times) * 1000:.0f})")
    page_time = results[""]
    print(f"RANKING PAGE: {page_time * 1000:.0f} ms median: {verdict(page_time, PAGE_GOAL)}")

    with Database(url).transaction(write=False) as session:
        selection = load_selection(session, selection_id)
    ranking = rank(selection)
    weights = {key: 100 * w for key, w in ranking["category_weights"].items()}
    weights[next(iter(weights))] += 15
    engine = []
    for _ in range(200):
        started = time.perf_counter()
        what_if_totals(ranking, weights, 0.2)
        engine.append(time.perf_counter() - started)
    query = "&".join(f"w-{key}={value}" for key, value in weights.items())
    endpoint = timed_requests(client, f"{base}/what-if?{query}",
                              headers={"Accept": "application/json"})
    in_browser = browser_what_if(app, selection_id)

    print("\nwhat-if:")
    if isinstance(in_browser, str):
        print(f"  in the browser (slider input -> ranking redrawn)           skipped: {in_browser}")
    else:
        median = statistics.median(in_browser)
        print(f"  in the browser (slider input -> ranking redrawn, median of 25) "
              f"{median * 1000:7.2f} ms  (max {max(in_browser) * 1000:.2f})")
    engine_ms = statistics.median(engine) * 1000
    print(f"  engine what_if_totals alone (median of 200)                {engine_ms:7.3f} ms")
    print(f"  JSON endpoint, full round trip incl. load + rank (median of {RUNS}) "
          f"{statistics.median(endpoint) * 1000:5.0f} ms")
    answer = statistics.median(in_browser) if not isinstance(in_browser, str) else \
        statistics.median(engine)
    where = "in the browser" if not isinstance(in_browser, str) else "engine alone"
    print(f"WHAT-IF: {answer * 1000:.2f} ms ({where}): {verdict(answer, WHAT_IF_GOAL)}")


if __name__ == "__main__":
    main()
