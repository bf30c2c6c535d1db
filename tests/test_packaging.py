"""The wheel, as a host installs it, carries everything the app needs (decisions.md):
templates, static files, the seed data, the migrations and compiled catalogues."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_installs_and_serves(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("selector-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "selector/_bundled/templates/base.html",
        "selector/_bundled/seed/demo/demo.en.json",
        "selector/_bundled/seed/categories.json",
        "selector/_bundled/migrations/env.py",
        "selector/_bundled/static/fonts/DejaVuSans.ttf",
        "selector/translations/nl/LC_MESSAGES/messages.mo",
    ):
        assert required in names, required

    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    env = dict(os.environ, PYTHONPATH=str(target), SELECTOR_INSTANCE=str(tmp_path / "inst"))
    env.pop("DATABASE_URL", None)
    script = (
        "import selector, sys; assert selector.__file__.startswith(sys.argv[1]), selector.__file__;"
        "from selector.cli.main import main; assert main(['db', 'upgrade']) == 0;"
        "from selector.web.app import create_app;"
        "client = create_app().test_client();"
        "page = client.get('/login'); assert page.status_code == 200, page.status_code;"
        "assert b'password' in page.data.lower()"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
