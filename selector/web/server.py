"""The production server `selector serve` and `selector demo` run: gunicorn, started from
Python with the settings the README gives for running the app for a team.

Werkzeug's development server (`app.run`) handles one request at a time per thread with
no worker supervision and says so itself; it is not for a committee. gunicorn is the
server the load tests measure, so `selector serve` is that same server.

Each worker builds its own app, as `gunicorn 'selector.wsgi:app'` does without
`--preload`: no database connection is shared across the fork. The `Server` header is
gunicorn's plain "gunicorn" (no version since gunicorn 20.1); the app adds none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

# As in the README ("Running for a team") and benchmarks/loadkit.py: a member thinks
# up to 3 s between saves and, like a browser, keeps the connection (keep-alive 5 s).
SETTINGS: dict[str, Any] = {
    "workers": 4,
    "worker_class": "gthread",
    "threads": 4,
    "keepalive": 5,
    "proc_name": "selector",
    # gunicorn 25.1 and later open a control socket in the user's home folder: one path
    # for every server of that user, so a second `selector serve` would collide.
    "control_socket_disable": True,
}


def bind_address(host: str, port: int) -> str:
    """gunicorn's bind string; an IPv6 address goes in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


class Server(BaseApplication):
    """gunicorn run from Python: settings from here, never from the command line."""

    def __init__(self, make_app: Callable[[], Any], options: dict[str, Any]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def init(self, parser, opts, args):  # pragma: no cover - required, unused
        return None

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorns lack some (control socket)
                self.cfg.set(key, value)

    def load(self):
        return self.make_app()


def serve(make_app: Callable[[], Any], host: str, port: int, **overrides: Any) -> None:
    """Serve the app until gunicorn stops (Ctrl+C or SIGTERM)."""
    Server(make_app, {**SETTINGS, "bind": [bind_address(host, port)], **overrides}).run()
