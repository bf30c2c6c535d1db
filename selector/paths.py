"""Where the bundled folders live: beside the package in a wheel, at the repository top
in a checkout (decisions.md: a wheel force-includes them under selector/_bundled)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_bundled"
_CHECKOUT = PACKAGE_DIR.parent


def bundled(name: str) -> Path:
    """The folder `templates`, `static`, `seed` or `migrations`."""
    candidate = _BUNDLED / name
    return candidate if candidate.is_dir() else _CHECKOUT / name


def instance_dir() -> Path:
    """The instance folder: SELECTOR_INSTANCE, else ./instance (created on demand)."""
    path = Path(os.environ.get("SELECTOR_INSTANCE", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """DATABASE_URL, else a SQLite file in the instance folder (formats.md)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; make the plain form work too.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{instance_dir() / 'selector.db'}"
