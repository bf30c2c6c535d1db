"""`selector serve` runs a production server (issue 17, item 14): gunicorn with the
README's settings, not Werkzeug's development server, and its `Server` header names no
version. Started as a user starts it: a real process on a free port, stopped after."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time

from benchmarks.scoring_load import free_port
from benchmarks.scoring_load import stop_process_group
from selector.web.server import SETTINGS
from selector.web.server import bind_address


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_serve_runs_gunicorn_and_its_server_header_names_no_version(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "SECRET_KEY")}
    env["SELECTOR_INSTANCE"] = str(tmp_path / "instance")
    log = tmp_path / "serve.log"
    with open(log, "wb") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "selector.cli.main", "serve", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=stream, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        response = None
        deadline = time.monotonic() + 90
        while response is None and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                response = _get(port, "/login")
            except OSError:
                time.sleep(0.3)
        assert response is not None, log.read_text(errors="replace")[-3000:]
        assert response.status == 200
        server = response.getheader("Server", "")
        assert server == "gunicorn"  # not "Werkzeug/3.1 Python/3.11"
        assert not re.search(r"\d", server)
        assert response.getheader("Content-Security-Policy")  # the app's own headers
        # The first worker answers while the others may still be booting.
        while (log.read_text(errors="replace").count("Booting worker") < SETTINGS["workers"]
               and time.monotonic() < deadline):
            time.sleep(0.2)
        started = log.read_text(errors="replace")
        assert f"Selector runs on http://127.0.0.1:{port}/" in started
        assert "Using worker: gthread" in started
        assert started.count("Booting worker") == SETTINGS["workers"]
        assert "Control socket" not in started  # none in the user's home folder
    finally:
        stop_process_group(process, timeout=20)
    assert process.returncode == 0, log.read_text(errors="replace")[-3000:]


def test_the_settings_are_the_readmes():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    command = re.search(r"gunicorn --workers (\d+) --worker-class (\w+) --threads (\d+) "
                        r"--keep-alive (\d+)", readme)
    assert command, "the README's gunicorn command"
    assert (SETTINGS["workers"], SETTINGS["worker_class"], SETTINGS["threads"],
            SETTINGS["keepalive"]) == (int(command[1]), command[2], int(command[3]),
                                       int(command[4]))
    assert bind_address("::1", 5000) == "[::1]:5000"
    assert bind_address("0.0.0.0", 8000) == "0.0.0.0:8000"
