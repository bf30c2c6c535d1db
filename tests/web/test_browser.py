"""As a new user: `selector demo` in a real process, its printed address in a real
browser (Debian's Chromium, headless), log in as a demo member, see the selection.

Screenshots land in test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.browser_support import ARTIFACTS
from tests.browser_support import BROWSER_ARGS
from tests.browser_support import ROOT
from tests.browser_support import chromium
from tests.browser_support import free_port


def selector_command() -> list[str]:
    script = Path(sys.executable).parent / "selector"
    return [str(script)] if script.exists() else [sys.executable, "-m", "selector.cli.main"]


class Demo:
    """`selector demo` running in the background; its stdout read line by line."""

    def __init__(self, instance: Path, database_url: str | None) -> None:
        env = dict(os.environ, SELECTOR_INSTANCE=str(instance), PYTHONUNBUFFERED="1")
        env.pop("SECRET_KEY", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env.pop("DATABASE_URL", None)  # the demo's own SQLite file
        self.port = free_port()
        self.process = subprocess.Popen(
            [*selector_command(), "demo", "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=instance,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_address(self, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if found:
                return found.group(1)
        raise AssertionError("the demo printed no address:\n" + "\n".join(self.output))

    def login(self, role: str) -> tuple[str, str]:
        for line in self.output:
            found = re.match(rf"^\s+{role}\s+(\S+@\S+)\s+(\S+)\s*$", line)
            if found:
                return found.group(1), found.group(2)
        raise AssertionError(f"no {role} login printed:\n" + "\n".join(self.output))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wait_until_served(address: str, timeout: float = 30) -> None:
    host, port = address.removeprefix("http://").split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {address}")


@pytest.mark.browser
def test_a_new_user_runs_the_demo_and_sees_the_selection(tmp_path, database_url):
    executable = chromium()
    from playwright.sync_api import sync_playwright

    demo_file = ROOT / "seed" / "demo" / "demo.en.json"
    selection_name = json.loads(demo_file.read_text(encoding="utf-8"))["selection"]["name"]
    on_server = database_url if database_url.startswith("postgres") else None
    demo = Demo(tmp_path, on_server)
    try:
        address = demo.wait_for_address()
        wait_until_served(address)
        email, password = demo.login("business")
        ARTIFACTS.mkdir(exist_ok=True)
        problems: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
            try:
                page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
                page.on("console", lambda m: m.type == "error" and problems.append(m.text))
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.goto(address)
                assert "/login" in page.url
                page.get_by_label("E-mail address").fill(email)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(f"{address}/")
                assert page.get_by_role("heading", name="My selections").is_visible()
                page.get_by_role("link", name=selection_name).click()
                page.wait_for_url(re.compile(r".*/selections/\d+$"))
                heading = page.get_by_role("heading", level=1)
                assert heading.inner_text().strip() == selection_name
                assert page.get_by_text("Who still has what to do").is_visible()
                page.screenshot(path=str(ARTIFACTS / "demo-overview-en.png"), full_page=True)

                page.get_by_role("button", name="NL").click()
                page.wait_for_load_state()
                assert page.get_by_text("Wie moet nog wat doen").is_visible()
                page.screenshot(path=str(ARTIFACTS / "demo-overview-nl.png"), full_page=True)

                page.set_viewport_size({"width": 820, "height": 1180})  # a tablet
                page.get_by_role("link", name="Leden").click()
                page.wait_for_url(re.compile(r".*/members$"))
                page.screenshot(path=str(ARTIFACTS / "demo-members-tablet-nl.png"),
                                full_page=True)

                # A phone: the overview and the requirement weights do not scroll sideways
                # (a wide table scrolls in its own frame; headers wrap in their column).
                page.set_viewport_size({"width": 390, "height": 844})
                overview = re.sub(r"/members$", "", page.url)
                for path, shot in ((overview, "overview"),
                                   (f"{overview}/weighting/requirements", "requirement-weights")):
                    page.goto(path)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    page.screenshot(path=str(ARTIFACTS / f"demo-{shot}-phone-nl.png"),
                                    full_page=True)
                    assert width <= 390, (shot, width)
            finally:
                browser.close()
        assert not problems, problems  # e.g. a CSP violation shows up here
    finally:
        demo.stop()
