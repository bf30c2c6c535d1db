"""What every browser test needs: Debian's Chromium for Playwright, a free local port,
logging in through the login page, and the folder for screenshots (test-artifacts/,
gitignored) that a person looks at."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
# Playwright's own browser download does not work here: Debian's Chromium, headless, with
# nothing that reaches out to the network.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    """The Chromium executable (SELECTOR_CHROMIUM, else `chromium` on PATH)."""
    executable = os.environ.get("SELECTOR_CHROMIUM") or shutil.which("chromium")
    if not executable:
        skip_or_fail("chromium not installed")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("playwright (python) not installed")
    return executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(app):
    """The app served on a free local port, in a thread; yields its address."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def chromium_page(**context_options):
    """A page of headless Chromium that keeps its console errors and uncaught script
    errors in `page.problems`, for a test to assert there are none."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      **context_options)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in(page, base: str, email: str, password: str | None = None) -> None:
    """Log in as `email` through the login page, after ending any earlier login."""
    if password is None:
        from tests.web.conftest import PASSWORD as password
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def record_consensus(page, item, option: str, rationale: str) -> None:
    """Record the consensus score `option` (the scale label, e.g. "4" or "1 poor") with
    its rationale in one item of the consensus meeting, and wait for the confirmation."""
    from playwright.sync_api import expect

    item.locator("summary").click()
    item.locator(f"label.scale__option:has-text('{option}')").click()
    item.get_by_label("Rationale").fill(rationale)
    item.get_by_role("button", name="Save consensus score").click()
    expect(page.get_by_text("The consensus score is recorded")).to_be_visible()
