"""What every browser test needs: Debian's Chromium for Playwright, a free local port,
logging in through the login page, and the folder for screenshots (test-artifacts/,
gitignored) that a person looks at."""

from __future__ import annotations

import os
import shutil
import socket
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
