"""Static files under fingerprinted names (issue 22, item 7): pages name each style sheet
and script by its content's digest, served as immutable for a year; a plain or outdated
name still answers, but is not kept under that name."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from selector.paths import bundled
from selector.web.assets import Fingerprints


def digest_of(relative: str) -> str:
    return hashlib.sha256((bundled("static") / relative).read_bytes()).hexdigest()[:12]


def test_pages_name_static_files_by_their_content(app, committee, browser):
    browser.login(committee.emails["business"])
    page = browser.get(f"/selections/{committee.selection_id}/scoring").get_data(as_text=True)
    names = set(re.findall(r'(?:href|src)="/static/([^"]+)"', page))
    expected = {f"css/selector.{digest_of('css/selector.css')}.css",
                f"js/selector.{digest_of('js/selector.js')}.js",
                f"css/scoring.{digest_of('css/scoring.css')}.css"}
    assert expected <= names
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", name) for name in names), names


def test_a_fingerprinted_name_is_kept_a_year_and_the_bytes_are_the_file(browser):
    response = browser.get(f"/static/css/selector.{digest_of('css/selector.css')}.css")
    assert response.status_code == 200
    assert response.data == (bundled("static") / "css/selector.css").read_bytes()
    control = response.headers["Cache-Control"]
    assert "max-age=31536000" in control and "immutable" in control and "public" in control
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # security headers too


def test_plain_and_outdated_names_answer_without_being_kept(browser):
    plain = browser.get("/static/css/selector.css")
    assert plain.status_code == 200 and "max-age=3600" in plain.headers["Cache-Control"]
    assert "immutable" not in plain.headers["Cache-Control"]
    outdated = browser.get("/static/css/selector.000000000000.css")
    assert outdated.status_code == 200 and outdated.data == plain.data
    assert "no-cache" in outdated.headers["Cache-Control"]
    assert "immutable" not in outdated.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/static/css/nothing.0123456789ab.css",
                                  "/static/css/nothing.css",
                                  "/static/../pyproject.toml",
                                  "/static/%2e%2e/pyproject.toml"])
def test_what_is_not_a_static_file_is_not_found(browser, path):
    assert browser.get(path).status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path):
    shutil.copytree(bundled("static") / "css", tmp_path / "css")
    fingerprints = Fingerprints(tmp_path)
    before = fingerprints.name("css/selector.css")
    assert fingerprints.plain(before) == ("css/selector.css", True)
    style = tmp_path / "css/selector.css"
    style.write_text(style.read_text() + "\n/* changed */\n")
    after = fingerprints.name("css/selector.css")
    assert after != before and after.startswith("css/selector.") and after.endswith(".css")
    assert fingerprints.plain(before) == ("css/selector.css", False)
    assert fingerprints.name("css/missing.css") == "css/missing.css"


def test_a_file_that_merely_looks_fingerprinted_is_itself(tmp_path):
    (tmp_path / "lib.0123456789ab.js").write_text("x")
    (tmp_path / "lib.js").write_text("y")  # the name it would stand for, if it were one
    assert Fingerprints(tmp_path).plain("lib.0123456789ab.js") == ("lib.0123456789ab.js",
                                                                     False)
