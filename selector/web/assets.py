"""Static files under fingerprinted names (issue 22, item 7).

A page names `css/selector.css` as `css/selector.<12 hex of its SHA-256>.css`. Such a
name always means the same bytes, so the browser keeps it a year without asking again
(`immutable`): a committee that opens its sheets in the same minute asks the server for
pages, not for style sheets and scripts. A changed file gets a new name, so nobody sees a
stale one. The fingerprint is the content's, not the file's date, so every worker and
every host behind a load balancer names a file alike.

A plain name (an old bookmark, the test suite) is served as before, cached an hour; so is
a fingerprint that no longer matches (a page from before an upgrade): its current content,
which the browser must not keep under the old name.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

from flask import Flask
from flask import Response
from flask import current_app
from flask import send_from_directory
from flask import url_for
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
DIGEST_LENGTH = 12
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")


class Fingerprints:
    """The digest of each static file, computed once and again only when the file
    changes (its modification time and size), so a page pays one `stat` per asset."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str) -> str | None:
        """The file's fingerprint; None when there is no such file in the folder."""
        path = safe_join(str(self.folder), filename)
        if path is None:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGEST_LENGTH]
        with self._lock:
            self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    def name(self, filename: str) -> str:
        """`css/selector.css` -> `css/selector.<digest>.css` (the plain name when the
        file is missing, so the page still says which file it wanted)."""
        digest = self.digest(filename)
        if digest is None:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        if not dot or "/" in suffix or not stem:
            return filename  # no suffix to keep: the plain name
        return f"{stem}.{digest}.{suffix}"

    def plain(self, filename: str) -> tuple[str, bool]:
        """The file a requested name stands for, and whether the name's fingerprint is
        the file's current one."""
        found = FINGERPRINTED.match(filename)
        if found is None:
            return filename, False
        plain = found["stem"] + found["suffix"]
        if self.digest(filename) is not None:  # a real file that merely looks fingerprinted
            return filename, False
        return plain, self.digest(plain) == found["digest"]


def init_app(app: Flask) -> None:
    """Serve the static folder through `serve` (the endpoint keeps Flask's name,
    `static`, so `url_for("static", ...)` and the access table are unchanged)."""
    app.extensions["selector.assets"] = Fingerprints(Path(app.static_folder or ""))
    app.view_functions["static"] = serve


def asset(filename: str) -> str:
    """The URL of a static file under its fingerprinted name."""
    return url_for("static", filename=current_app.extensions["selector.assets"].name(filename))


def serve(filename: str) -> Response:
    fingerprints: Fingerprints = current_app.extensions["selector.assets"]
    plain, current = fingerprints.plain(filename)  # send_from_directory: 404 if missing
    if current:
        response = send_from_directory(fingerprints.folder, plain, max_age=ONE_YEAR)
        response.cache_control.public = True
        response.cache_control.immutable = True
        return response
    if plain != filename:  # an outdated fingerprint: today's content, not kept
        response = send_from_directory(fingerprints.folder, plain, max_age=0)
        response.cache_control.no_cache = True
        return response
    return send_from_directory(fingerprints.folder, plain)
